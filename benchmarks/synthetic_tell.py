"""Can a classifier tell an oversampler's series from real ones of the same class?

    python benchmarks/synthetic_tell.py [--datasets ...] [--regimes three] [--seeds 0 1 2]

On the splits of ``ts_oversamplers.py`` (same data sets, regimes and seeds), each method
brings the classes up to the majority count; its added series of the cut class are set
against the *held-out* real series of that class (the test half, never seen by the
oversampler), both cut to the same number. A detector is trained on one half of each
and scored (balanced accuracy) on the other: 0.5 means the added series cannot be told
from unseen real members of the class, 1.0 that every one carries a tell. Detectors: the
small FCN of the downstream benchmark (per-series z-normalised input, as it classifies)
and MiniRocket + ridge. Only one class is compared, so a detector cannot lean on class
identity. Motivation: under the FCN the GAN trails random oversampling in every regime,
and a deep classifier that can spot synthetic series may learn "synthetic" as part of the
rare class.

Writes benchmarks/results/synthetic_tell[_NAME].md and .json.
"""

import argparse
import json
import platform
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import balanced_accuracy_score

import step_levers
from imbalanced_classification import CLASSIFIERS
from ts_oversamplers import OVERSAMPLERS, QUICK, fcn, splits

warnings.filterwarnings("ignore")
RESULTS = Path(__file__).resolve().parent / "results"
DETECTORS = {"FCN": fcn, "MiniRocket+ridge": CLASSIFIERS["MiniRocket+ridge"]}
METHODS = ["jitter", "SMOTE", "OHIT", "ESMOTE", "GAN"]


def tell(added, held_out, seed):
    """Balanced accuracy of each detector separating ``added`` from ``held_out`` (same
    count, halves for training and testing); None where fewer than 4 of either."""
    n = min(len(added), len(held_out))
    if n < 4:
        return None
    rng = np.random.default_rng(seed)
    a = added[rng.permutation(len(added))[:n]]
    r = held_out[rng.permutation(len(held_out))[:n]]
    half = n // 2
    X_fit = np.concatenate([a[:half], r[:half]])
    y_fit = np.array(["synthetic"] * half + ["real"] * half)
    X_test = np.concatenate([a[half:], r[half:]])
    y_test = np.array(["synthetic"] * (n - half) + ["real"] * (n - half))
    return {name: float(balanced_accuracy_score(y_test, detector(X_fit, y_fit, X_test, seed)))
            for name, detector in DETECTORS.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", nargs="+", default=QUICK["datasets"])
    parser.add_argument("--regimes", nargs="+", default=["three"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--methods", nargs="+", default=METHODS, choices=list(OVERSAMPLERS))
    parser.add_argument("--name", help="suffix of the results file name")
    parser.add_argument("--lever", type=step_levers.lever_name, default="base",
                        help="a step_levers.py lever patched into the GAN's training")
    args = parser.parse_args()
    step_levers.apply(args.lever)
    rows = []
    for dataset, regime, seed, split in splits(args.datasets, args.regimes, args.seeds):
        X_tr, y_tr, X_te, y_te, cuts = split
        cut = cuts[0]
        held_out = X_te[y_te.astype(str) == cut]
        for method in args.methods:
            result = OVERSAMPLERS[method](X_tr, y_tr, seed)
            if result is None:
                continue
            X_res, y_res = np.asarray(result[0], dtype=np.float64), np.asarray(result[1])
            extra = np.arange(len(X_tr), len(X_res))
            added = X_res[extra][y_res[extra].astype(str) == cut]
            scores = tell(added, held_out, seed)
            if scores is None:
                continue
            downstream = balanced_accuracy_score(y_te, fcn(X_res, y_res, X_te, seed))
            rows.append(dict(dataset=dataset, regime=regime, seed=seed, method=method,
                             fcn_downstream=float(downstream), **scores))
            print(f"{dataset} {regime} seed {seed} {method:7s} " + "  ".join(
                f"{k} {v:.3f}" for k, v in scores.items()) + f"  FCN downstream {downstream:.3f}",
                flush=True)
    name = "synthetic_tell" + (f"_{args.name}" if args.name else "")
    (RESULTS / f"{name}.json").write_text(json.dumps(rows, indent=1))
    lines = ["# Can a detector tell added series from unseen real ones of the cut class?", "",
             f"Command: `python benchmarks/synthetic_tell.py --datasets {' '.join(args.datasets)} "
             f"--regimes {' '.join(args.regimes)} --seeds {' '.join(map(str, args.seeds))}"
             + (f" --name {args.name}" if args.name else "")
             + (f" --lever {args.lever}" if args.lever != "base" else "")
             + f"`. Machine: {platform.machine()}.",
             "", "Detector balanced accuracy on held-out halves (0.5: no tell; 1.0: always "
             "told apart), mean (min, max) over the cells; the FCN's balanced accuracy "
             "downstream (trained on the resampled set, scored on the test half).", "",
             "| method | cells | " + " | ".join(DETECTORS) + " | FCN downstream |",
             "| --- | --- |" + " --- |" * (len(DETECTORS) + 1)]
    for method in args.methods:
        mine = [r for r in rows if r["method"] == method]
        if mine:
            lines.append(f"| {method} | {len(mine)} | " + " | ".join(
                f"{np.mean([r[d] for r in mine]):.3f} ({min(r[d] for r in mine):.2f}, "
                f"{max(r[d] for r in mine):.2f})" for d in DETECTORS)
                + f" | {np.mean([r['fcn_downstream'] for r in mine]):.3f} |")
    lines += ["", "Per cell:", "", "| data set | seed | method | " + " | ".join(DETECTORS)
              + " | FCN downstream |", "| --- | --- | --- |" + " --- |" * (len(DETECTORS) + 1)]
    lines += [f"| {r['dataset']} | {r['seed']} | {r['method']} | "
              + " | ".join(f"{r[d]:.3f}" for d in DETECTORS)
              + f" | {r['fcn_downstream']:.3f} |" for r in rows]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:13]))


if __name__ == "__main__":
    main()
