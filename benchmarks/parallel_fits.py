"""Parallel fits on a small machine.

    python benchmarks/parallel_fits.py [--steps 200] [--reps 2]

1. An oversampler is fitted again for every fold and grid point, so users run grids in
   parallel. This times ``GridSearchCV(AugmentedClassifier(ridge on flattened series,
   RecurrentGANAugmenter(n_steps=--steps)), 2 grid points, cv=3)`` (6 fits, then a refit)
   on GunPoint with one class cut to 5 series, with ``n_jobs=1`` and ``n_jobs=2``,
   interleaved ``--reps`` times. joblib's default (loky) backend gives each worker
   ``cores // n_jobs`` OpenMP threads, which torch honours; the threads seen in the
   workers are printed.
2. Two independent processes (two batch jobs on one machine) fitting GunPoint (100
   steps, filter and calibration off) at once, against one alone: torch's default
   threads, ``OMP_WAIT_POLICY=PASSIVE``, and ``torch.set_num_threads(1)``. Seconds per
   training step of each process, and the wall time.

Writes benchmarks/results/parallel_fits.md.
"""

import argparse
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

warnings.filterwarnings("ignore")

ONE_FIT = r"""
import sys, warnings
warnings.filterwarnings("ignore")
import torch
if sys.argv[1] == "1":
    torch.set_num_threads(1)
from sktime.datasets import load_gunpoint
from rgan_augment import RecurrentGANAugmenter
X, y = load_gunpoint(return_X_y=True, return_type="numpy3D")
aug = RecurrentGANAugmenter(n_steps=100, match_roughness=False, filter_samples=False,
                            random_state=0).fit(X, y)
print(aug.fit_seconds_ / aug.n_steps_)
"""


def side_by_side(n_processes, one_thread, env_extra):
    """Start ``n_processes`` fits at once; (wall seconds, seconds per step of each)."""
    env = dict(os.environ, **env_extra)
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", ONE_FIT, "1" if one_thread else "0"],
                              stdout=subprocess.PIPE, text=True, env=env)
             for _ in range(n_processes)]
    steps = [float(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    return time.perf_counter() - t0, steps


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
    lines = ["# Parallel fits on a small machine", "",
             f"`python benchmarks/parallel_fits.py --steps {args.steps} --reps {args.reps}` on "
             f"{os.cpu_count()} cores, torch {torch.__version__}.", "",
             "## GridSearchCV, n_jobs=1 against n_jobs=2", "",
             f"Torch threads: {torch.get_num_threads()} in the main process; (threads, "
             f"OMP_NUM_THREADS) in loky's workers with n_jobs=2: {sorted(set(seen))}.", "",
             "| rep | n_jobs | wall s | best score |", "| --- | --- | --- | --- |"]
    for rep in range(args.reps):
        for n_jobs in (1, 2):
            search = make_search(n_jobs, args.steps)
            t0 = time.perf_counter()
            search.fit(X, y)
            lines.append(f"| {rep + 1} | {n_jobs} | {time.perf_counter() - t0:.1f} | "
                         f"{search.best_score_:.3f} |")
            print(lines[-1], flush=True)
    lines += ["", "## Two independent processes at once", "",
              "| threads | processes | s/step of each | wall s |", "| --- | --- | --- | --- |"]
    for label, one, env in (("torch default", False, {}),
                            ("default, OMP_WAIT_POLICY=PASSIVE", False, {"OMP_WAIT_POLICY": "PASSIVE"}),
                            ("torch.set_num_threads(1)", True, {})):
        for n in (1, 2):
            wall, steps = side_by_side(n, one, env)
            lines.append(f"| {label} | {n} | {', '.join(f'{s:.4f}' for s in steps)} | {wall:.1f} |")
            print(lines[-1], flush=True)
    out = Path(__file__).parent / "results" / "parallel_fits.md"
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
