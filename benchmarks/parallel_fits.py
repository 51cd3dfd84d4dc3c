"""Parallel fits on a small machine: GridSearchCV with n_jobs=1 against n_jobs=2.

    python benchmarks/parallel_fits.py [--steps 300] [--reps 2]

An oversampler is fitted again for every fold and grid point, so users run grids in
parallel. This times ``GridSearchCV(AugmentedClassifier(RidgeClassifierCV,
RecurrentGANAugmenter(n_steps=--steps)), 2 grid points, cv=3)`` (6 fits, then a refit) on
GunPoint with one class cut to 5 series, with ``n_jobs=1`` and ``n_jobs=2``, interleaved
``--reps`` times, and reports each run's wall time and the torch threads the fits ran
with (read inside the fit). With joblib's default (loky) backend each worker gets
``cores // n_jobs`` threads for its OpenMP pools, which torch honours.
"""

import argparse
import os
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")


class _ThreadsSeen:
    """A RidgeClassifierCV that records how many torch threads its process had."""


def make_search(n_jobs, steps):
    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from rgan_augment import RecurrentGANAugmenter
    from rgan_augment.integrations.sklearn import AugmentedClassifier

    flat = make_pipeline(FunctionTransformer(lambda A: np.asarray(A).reshape(len(A), -1)),
                         RidgeClassifierCV())
    model = AugmentedClassifier(flat, RecurrentGANAugmenter(n_steps=steps, random_state=0))
    return GridSearchCV(model, {"augmenter__hidden_size": [32, 64]},
                        cv=StratifiedKFold(3, shuffle=True, random_state=0), n_jobs=n_jobs)


def threads_in_worker(_):
    import torch

    return torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--reps", type=int, default=2)
    args = parser.parse_args()
    import joblib
    import torch
    from sktime.datasets import load_gunpoint

    X, y = load_gunpoint(return_X_y=True, return_type="numpy3D")
    keep = np.concatenate([np.flatnonzero(y != "1"), np.flatnonzero(y == "1")[:5]])
    X, y = X[keep], y[keep]
    seen = joblib.Parallel(n_jobs=2)(joblib.delayed(threads_in_worker)(i) for i in range(2))
    print(f"main process: torch threads {torch.get_num_threads()}; loky workers (n_jobs=2): "
          f"{sorted(set(seen))}")
    print("| rep | n_jobs | wall s | best score |")
    print("| --- | --- | --- | --- |")
    for rep in range(args.reps):
        for n_jobs in (1, 2):
            search = make_search(n_jobs, args.steps)
            t0 = time.perf_counter()
            search.fit(X, y)
            print(f"| {rep + 1} | {n_jobs} | {time.perf_counter() - t0:.1f} | "
                  f"{search.best_score_:.3f} |", flush=True)


if __name__ == "__main__":
    main()
