"""How the whole fit (training, calibration, filter) and filtered sampling grow with the
series length.

    python benchmarks/long_series.py [--lengths 2000 4000 6000 20000] [--label NAME]

Two classes of two random walks each, ``n_steps=2`` so
that training is negligible and what is left is the work after it (the roughness
calibration above all); then 2 filtered series drawn. Prints one markdown row per length:
the whole fit, the training loop alone (``fit_seconds_``), and the draw. ``--label``
names the code measured (run it once per checkout to compare).
"""

import argparse
import time
import warnings

import numpy as np

from rgan_augment import RecurrentGANAugmenter

warnings.filterwarnings("ignore")


def data(length, seed=0):
    """Random walks, two per class (smooth next to an untrained generator's draws, so
    the roughness calibration searches wide widths)."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(4, 1, length)).cumsum(axis=2), np.array([0, 0, 1, 1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lengths", type=int, nargs="+", default=[2000, 4000, 6000, 20000])
    parser.add_argument("--label", default="this checkout")
    args = parser.parse_args()
    print("| code | length | whole fit s | training s | sample 2 s |")
    print("| --- | --- | --- | --- | --- |")
    for length in args.lengths:
        X, y = data(length)
        t0 = time.perf_counter()
        aug = RecurrentGANAugmenter(n_steps=2, random_state=0).fit(X, y)
        fit = time.perf_counter() - t0
        t0 = time.perf_counter()
        aug.sample(2, 1, random_state=0)
        draw = time.perf_counter() - t0
        print(f"| {args.label} | {length:,} | {fit:.1f} | {aug.fit_seconds_:.1f} | {draw:.1f} |",
              flush=True)


if __name__ == "__main__":
    main()
