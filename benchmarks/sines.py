"""TimeGAN's Sines benchmark: discriminative and predictive scores, default parameters.

    python benchmarks/sines.py [--full] [--reps 5] [--max-time 180] [--params JSON --out NAME]

Data: ``rgan_augment.datasets.make_sines`` (per channel a frequency and a phase
~ U(0, 0.1), x_j = sin(f j + phase) rescaled to [0, 1]; 24 steps x 5 channels).
Quick variant: 1,000 sequences, fitting capped at ``--max-time`` seconds (3 minutes);
full variant (``--full``): 10,000 sequences. Each repetition draws a new data set and
seed, fits the augmenter with default parameters (unconditional), samples as many
sequences as were fitted, and scores them with TimeGAN's protocols (discriminative:
2,000 steps; predictive: 5,000 steps). The real-vs-real rows score a second real data
set against the first: the floor of each score.
Targets (issue 3): quick discriminative <= 0.03; full <= 0.011; predictive <= 0.10.
Writes benchmarks/results/sines_quick.md or sines_full.md.
"""

import argparse
import time
from pathlib import Path

import numpy as np

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.datasets import make_sines
from rgan_augment.metrics import discriminative_score, predictive_score

from _variant import add_variant_options, variant_params


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="10,000 sequences instead of 1,000")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--max-time", type=float, default=180.0,
                        help="cap on fitting seconds in the quick variant")
    add_variant_options(parser, "sines_quick.md or sines_full.md")
    args = parser.parse_args()
    params = variant_params(args)
    n = 10_000 if args.full else 1_000
    rows = []
    for rep in range(args.reps):
        real = make_sines(n, random_state=100 + rep)
        aug = RecurrentGANAugmenter(random_state=rep, max_time=None if args.full else args.max_time,
                                    **params)
        t0 = time.perf_counter()
        aug.fit(real)
        fit_s = time.perf_counter() - t0
        synth = aug.sample(n, random_state=rep)
        other = make_sines(n, random_state=200 + rep)
        row = dict(fit_s=fit_s, steps=aug.n_steps_,
                   disc=discriminative_score(real, synth, random_state=rep),
                   pred=predictive_score(real, synth, random_state=rep),
                   disc_real=discriminative_score(real, other, random_state=rep),
                   pred_real=predictive_score(real, other, random_state=rep))
        rows.append(row)
        print(f"rep {rep}: " + ", ".join(f"{k} {v:.3f}" for k, v in row.items()), flush=True)
    stat = lambda k: (np.mean([r[k] for r in rows]), np.std([r[k] for r in rows]))  # noqa: E731
    variant = "full" if args.full else "quick"
    command = (f"python benchmarks/sines.py{' --full' if args.full else ''} --reps {args.reps}"
               + (f" --params '{args.params}'" if params else "")
               + (f" --out {args.out}" if args.out else ""))
    setting = f"parameters {args.params}" if params else "default parameters"
    lines = [f"# TimeGAN Sines, {variant} variant ({n:,} x 24 steps x 5 channels), {setting}",
             "", f"Command: `{command}`, 2 CPU cores. Mean (std) over {args.reps} repetitions.", "",
             "| measure | synthetic vs real | real vs real (floor) | target |",
             "| --- | --- | --- | --- |",
             "| discriminative score | {:.3f} ({:.3f}) | {:.3f} ({:.3f}) | {} |".format(
                 *stat("disc"), *stat("disc_real"), "<= 0.011" if args.full else "<= 0.03"),
             "| predictive score (MAE) | {:.3f} ({:.3f}) | {:.3f} ({:.3f}) | <= 0.10 |".format(
                 *stat("pred"), *stat("pred_real")),
             "", "Fit: mean {:.0f} s (std {:.0f}), {:.0f} generator steps on average.".format(
                 *stat("fit_s"), stat("steps")[0]),
             "", "| rep | fit s | steps | discriminative | predictive |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {i} | {r['fit_s']:.0f} | {r['steps']} | {r['disc']:.3f} | {r['pred']:.3f} |"
              for i, r in enumerate(rows)]
    out = Path(__file__).resolve().parent / "results" / (args.out or f"sines_{variant}.md")
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
