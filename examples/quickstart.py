"""Quickstart: balance a small multivariate data set, then draw more of the rare class.

    python examples/quickstart.py [--fast]
"""

import argparse

import numpy as np

from rgan_augment import RecurrentGANAugmenter


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fast", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3, 50)).cumsum(axis=2)  # (n_instances, n_channels, n_timepoints)
    y = np.array(["common"] * 54 + ["rare"] * 6)
    X[y == "rare"] += np.linspace(0, 5, 50)  # the rare class drifts upwards

    aug = RecurrentGANAugmenter(n_steps=40 if args.fast else "auto", random_state=0)
    X_res, y_res = aug.fit_resample(X, y)  # originals first, then 48 synthetic "rare" series
    more = aug.sample(100, y="rare")       # draw more of any class at any time
    print(f"X_res {X_res.shape}, classes { {str(k): int(v) for k, v in zip(*np.unique(y_res, return_counts=True))} }")
    print(f"100 more 'rare' series: {more.shape}; mean final value {more[:, :, -1].mean():.2f} "
          f"(real rare {X[y == 'rare'][:, :, -1].mean():.2f}, common {X[y == 'common'][:, :, -1].mean():.2f})")


if __name__ == "__main__":
    main()
