"""What a code change saves in fit time: the same fit by a reference checkout and by this one.

    git worktree add /tmp/reference <commit>
    python benchmarks/code_timing.py --reference /tmp/reference [--datasets GunPoint OSULeaf]
        [--regime three] [--seed 0] [--rounds 2] [--params '{}'] [--name NAME]

``budget_timing.py`` compares parameters within one process; two versions of the package
cannot share one, so here each fit runs in a fresh process that imports the package from
either the reference checkout or this one (``PYTHONPATH``). Per data set, one cell of
``ts_oversamplers.py``'s protocol (the same split, the augmenter's defaults plus ``--params``)
is fitted ``--rounds`` times by each, in ABBA order (reference, this, this, reference, ...);
each process first makes an untimed short fit (the warm-up a process pays once). The report
gives each fit's seconds and the ratio of the sums, and checks that both checkouts drew the
same rows (a change meant to save time only should not move them). Writes
benchmarks/results/code_timing_NAME.md.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _machine import machine
from budget_timing import RESULTS, WARM_UP_STEPS, interleaved, listed
from ts_oversamplers import REGIMES, splits

HERE = Path(__file__).resolve().parent


def worker(dataset, regime, seed, params):
    """Runs in the child process: one timed fit; prints its seconds and a digest of its rows."""
    import warnings

    warnings.filterwarnings("ignore")
    from rgan_augment import RecurrentGANAugmenter

    split = next(s for _, _, _, s in splits([dataset], [regime], [seed]))
    X_tr, y_tr = split[0], split[1]

    def fit(extra):
        aug = RecurrentGANAugmenter(sampling_strategy="not majority", random_state=seed,
                                    **{**params, **extra})
        return aug.fit_resample(X_tr, y_tr)

    fit({"n_steps": WARM_UP_STEPS})
    t0 = time.perf_counter()
    X_res, _ = fit({})
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds,
                      "rows": hashlib.sha256(X_res.tobytes()).hexdigest()[:16]}))


def timed_fit(tree, dataset, regime, seed, params):
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, __file__, "--worker", dataset, regime, str(seed),
                          json.dumps(params)], env=env, cwd=HERE, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), json.loads(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", required=True, help="a checkout of the reference commit")
    parser.add_argument("--datasets", nargs="+", default=["GunPoint", "OSULeaf"])
    parser.add_argument("--regime", default="three", choices=REGIMES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--params", default="{}", help="augmenter parameters as JSON")
    parser.add_argument("--name", default="change")
    args = parser.parse_args()
    params = json.loads(args.params)
    reference, this = Path(args.reference).resolve(), HERE.parent
    ref_commit = subprocess.run(["git", "-C", str(reference), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip() or "?"
    lines = ["# Fit time: a reference checkout against this one, fresh processes in ABBA order",
             "", f"Command: `python benchmarks/code_timing.py --reference <checkout of "
             f"{ref_commit}> --datasets {' '.join(args.datasets)} --regime {args.regime} --seed "
             f"{args.seed} --rounds {args.rounds} --params '{args.params}' --name {args.name}`. "
             f"Machine: {machine()}, 2 CPU cores. Each fit in its own process after an untimed "
             f"{WARM_UP_STEPS}-step fit.", "",
             "| data set | reference fits (s) | this checkout's fits (s) | this / reference | same rows |",
             "| --- | --- | --- | --- | --- |"]
    for dataset in args.datasets:
        def fit_by(tree):
            return lambda: timed_fit(tree, dataset, args.regime, args.seed, params)

        ref_runs, this_runs = interleaved(
            args.rounds, fit_by(reference), fit_by(this),
            lambda a, b: print(dataset, {"reference": round(a[-1]["seconds"], 1),
                                         "this": round(b[-1]["seconds"], 1)}, flush=True))
        ref_secs = [r["seconds"] for r in ref_runs]
        this_secs = [r["seconds"] for r in this_runs]
        same = len({r["rows"] for r in ref_runs + this_runs}) == 1
        lines.append(f"| {dataset} | {listed(ref_secs)} | {listed(this_secs)} | "
                     f"x{sum(this_secs) / sum(ref_secs):.2f} | {'yes' if same else 'no'} |")
    out = RESULTS / f"code_timing_{args.name}.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
