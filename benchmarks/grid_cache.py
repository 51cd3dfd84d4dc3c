"""A cross-validation grid over the classifier, with and without the augmenter's fit cached.

    python benchmarks/grid_cache.py [--folds 5] [--alphas 0.1 1 10 100]

``GridSearchCV(AugmentedClassifier(ridge on flattened series, RecurrentGANAugmenter(
random_state=0)), {ridge alpha: --alphas}, cv=--folds)`` on GunPoint (train and test
merged, class "2" cut to 8 series), the augmenter at its defaults. Without ``memory`` the
augmenter is fitted for every fold and grid point and once more for the refit (5 x 4 + 1 =
21 fits); with ``memory`` once per fold and once for the refit (6). The runs, one after
another in this order:

1. ``n_jobs=1``, no cache;
2. ``n_jobs=1``, ``memory=<empty directory>``;
3. the same again on the filled directory (every fit loaded);
4. ``n_jobs=2``, ``memory=<another empty directory>``.

Reports wall seconds, the augmenter fits each run computed (the cache's entries; the
protocol's count without one), and whether each run's cross-validation scores equal
run 1's to the last bit. Writes benchmarks/results/grid_cache.md.
"""

import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

warnings.filterwarnings("ignore")
RESULTS = Path(__file__).resolve().parent / "results"
CUT_CLASS, CUT_TO = "2", 8


def flatten(A):
    return np.asarray(A).reshape(len(A), -1)


def gunpoint_cut():
    """GunPoint's train and test splits merged, class ``CUT_CLASS`` cut to its first
    ``CUT_TO`` series."""
    from sktime.datasets import load_gunpoint

    X, y = load_gunpoint(return_X_y=True, return_type="numpy3D")
    keep = np.concatenate([np.flatnonzero(y != CUT_CLASS), np.flatnonzero(y == CUT_CLASS)[:CUT_TO]])
    return X[keep], y[keep]


def make_search(folds, alphas, n_jobs, memory):
    from sklearn.linear_model import RidgeClassifier
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from rgan_augment import RecurrentGANAugmenter
    from rgan_augment.integrations.sklearn import AugmentedClassifier

    ridge = make_pipeline(FunctionTransformer(flatten), RidgeClassifier())
    model = AugmentedClassifier(ridge, RecurrentGANAugmenter(random_state=0), memory=memory)
    return GridSearchCV(model, {"classifier__ridgeclassifier__alpha": alphas},
                        cv=StratifiedKFold(folds, shuffle=True, random_state=0),
                        scoring="balanced_accuracy", n_jobs=n_jobs)


def cached_fits(directory):
    """How many results the cache directory holds (one per computed augmenter fit)."""
    return sum(1 for p in Path(directory).rglob("output.pkl"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--alphas", type=float, nargs="+", default=[0.1, 1.0, 10.0, 100.0])
    args = parser.parse_args()
    import torch

    X, y = gunpoint_cut()
    first_dir, second_dir = tempfile.mkdtemp(), tempfile.mkdtemp()
    runs = [("no cache", 1, None), ("memory, empty", 1, first_dir),
            ("memory, filled", 1, first_dir), ("memory, empty", 2, second_dir)]
    uncached_fits = args.folds * len(args.alphas) + 1
    rows, reference = [], None
    for label, n_jobs, memory in runs:
        before = 0 if memory is None else cached_fits(memory)
        search = make_search(args.folds, args.alphas, n_jobs, memory)
        t0 = time.perf_counter()
        search.fit(X, y)
        wall = time.perf_counter() - t0
        scores = np.array([search.cv_results_[f"split{k}_test_score"] for k in range(args.folds)])
        reference = scores if reference is None else reference
        fits = uncached_fits if memory is None else cached_fits(memory) - before
        rows.append(f"| {label} | {n_jobs} | {fits} | {wall:.1f} | {search.best_score_:.3f} | "
                    f"{'yes' if np.array_equal(scores, reference) else 'no'} |")
        print(rows[-1], flush=True)
    classes, counts = np.unique(y, return_counts=True)
    lines = ["# A cross-validation grid with the augmenter's fit cached", "",
             f"Command: `python benchmarks/grid_cache.py --folds {args.folds} --alphas "
             f"{' '.join(f'{a:g}' for a in args.alphas)}`", "",
             f"Machine: {os.cpu_count()} cores, torch {torch.__version__}, "
             f"{torch.get_num_threads()} torch threads in the main process. Data: GunPoint, "
             f"train and test merged, class {CUT_CLASS} cut to {CUT_TO} series "
             f"({dict(zip(classes.tolist(), counts.tolist()))}); "
             f"`GridSearchCV(AugmentedClassifier(ridge on flattened series, "
             f"RecurrentGANAugmenter(random_state=0), memory=...), ridge alpha in "
             f"{args.alphas}, cv={args.folds})`, balanced accuracy; runs one after another.", "",
             "| run | n_jobs | augmenter fits computed | wall s | best score | scores equal run 1's |",
             "| --- | --- | --- | --- | --- | --- |"] + rows
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "grid_cache.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
