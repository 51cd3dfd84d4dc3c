"""aeon: the GAN as one of aeon's imbalance transformers, before an aeon classifier.

    python examples/aeon_oversampling.py [--fast]

GunPoint (bundled with aeon) with class '1' cut to 5 training series. Each oversampler's
``fit_transform(X, y)`` returns the balanced ``(X, y)``, as aeon's own SMOTE does; aeon's
MiniRocket classifier is trained on the result and scored on GunPoint's test split.
Needs the ``aeon`` extra (``pip install "rgan-augment[aeon]"``).
"""

import argparse
import time

import numpy as np
from aeon.classification.convolution_based import MiniRocketClassifier
from aeon.datasets import load_gunpoint
from aeon.transformations.collection.imbalance import SMOTE
from sklearn.metrics import balanced_accuracy_score

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.integrations.aeon import RecurrentGANOverSampler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fast", action="store_true")
    args = parser.parse_args()
    X, y = load_gunpoint(split="train")
    X_test, y_test = load_gunpoint(split="test")
    keep = np.concatenate([np.flatnonzero(y != "1"), np.flatnonzero(y == "1")[:5]])
    X, y = X[keep], y[keep]
    samplers = {
        "none": None,
        "aeon SMOTE": SMOTE(n_neighbors=4, random_state=0),
        "recurrent GAN": RecurrentGANOverSampler(
            augmenter=RecurrentGANAugmenter(n_steps=30 if args.fast else "auto"), random_state=0),
    }
    for name, sampler in samplers.items():
        t0 = time.perf_counter()
        X_res, y_res = (X, y) if sampler is None else sampler.fit_transform(X, y)
        seconds = time.perf_counter() - t0
        clf = MiniRocketClassifier(n_kernels=1000 if args.fast else 10000, random_state=0)
        score = balanced_accuracy_score(y_test, clf.fit(X_res, y_res).predict(X_test))
        counts = {str(k): int(v) for k, v in zip(*np.unique(y_res, return_counts=True))}
        print(f"{name:>14}: balanced accuracy {score:.3f}  (classes {counts}, "
              f"oversampling {seconds:.1f} s)")


if __name__ == "__main__":
    main()
