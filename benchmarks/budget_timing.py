"""What a parameter change saves in fit time, timed against the defaults in one process.

    python benchmarks/budget_timing.py --params '{"n_steps": 250}' [--datasets GunPoint OSULeaf]
        [--regime three] [--seed 0] [--rounds 2] [--name NAME]

The fit times that ``draw_noise.py`` records come from whichever session made each run, and
this shared machine's speed moves between sessions by 20-30 %, so a ratio between a stored
run and a new one says little. Here, per data set, one cell of ``ts_oversamplers.py``'s
protocol (the same split) is fitted with the defaults and with ``--params`` in turn,
``--rounds`` times, interleaved in ABBA order (default, changed, changed, default, ...) after
an untimed short fit of each (the first fit of a process pays torch's and oneDNN's warm-up,
which would otherwise be charged to the defaults), and the report gives each fit's seconds and
the ratio of the sums. Writes benchmarks/results/budget_timing_NAME.md.
"""

import argparse
import json
import time
from pathlib import Path

from _machine import machine
from rgan_augment import RecurrentGANAugmenter
from ts_oversamplers import REGIMES, splits

RESULTS = Path(__file__).resolve().parent / "results"
WARM_UP_STEPS = 20  # untimed generator updates per configuration before the timed fits


def interleaved(rounds, run_a, run_b, after_round):
    """``run_a`` and ``run_b`` called ``rounds`` times each in ABBA order (a, b, b, a, ...), so
    that a drift of the machine's speed weighs on both alike; their results as two lists.
    ``after_round(a_results, b_results)`` is called after each round (progress lines)."""
    a, b = [], []
    for round_ in range(rounds):
        pair = ((run_a, a), (run_b, b))
        for run, results in (pair if round_ % 2 == 0 else pair[::-1]):
            results.append(run())
        after_round(a, b)
    return a, b


def listed(seconds):
    """'12.3, 45.6': a report cell of fit seconds."""
    return ", ".join(f"{s:.1f}" for s in seconds)


def fit_seconds(split, seed, params):
    X_tr, y_tr = split[0], split[1]
    aug = RecurrentGANAugmenter(sampling_strategy="not majority", random_state=seed, **params)
    t0 = time.perf_counter()
    aug.fit_resample(X_tr, y_tr)
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", required=True, help="augmenter parameters as JSON")
    parser.add_argument("--datasets", nargs="+", default=["GunPoint", "OSULeaf"])
    parser.add_argument("--regime", default="three", choices=REGIMES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--name", default="timing")
    args = parser.parse_args()
    params = json.loads(args.params)
    lines = ["# Fit time: the defaults against a parameter change, interleaved in one process", "",
             f"Command: `python benchmarks/budget_timing.py --params '{args.params}' --datasets "
             f"{' '.join(args.datasets)} --regime {args.regime} --seed {args.seed} --rounds "
             f"{args.rounds} --name {args.name}`. Machine: {machine()}, 2 CPU cores. Fits in ABBA "
             f"order after an untimed {WARM_UP_STEPS}-step fit of each.", "",
             "| data set | default fits (s) | changed fits (s) | changed / default |",
             "| --- | --- | --- | --- |"]
    for dataset, _, seed, split in splits(args.datasets, [args.regime], [args.seed]):
        for warm_up in ({}, params):
            fit_seconds(split, seed, {**warm_up, "n_steps": WARM_UP_STEPS})
        base, changed = interleaved(
            args.rounds, lambda: fit_seconds(split, seed, {}),
            lambda: fit_seconds(split, seed, params),
            lambda a, b: print(dataset, f"default {a[-1]:.1f} s, changed {b[-1]:.1f} s",
                               flush=True))
        lines.append(f"| {dataset} | {listed(base)} | {listed(changed)} | "
                     f"x{sum(changed) / sum(base):.2f} |")
    out = RESULTS / f"budget_timing_{args.name}.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
