"""sktime: wrap a real sktime classifier so it trains on GAN-balanced data.

    python examples/sktime_classifier.py [--fast]

ArrowHead (bundled with sktime) with class '2' cut to 4 training series, classified by
sktime's KNeighborsTimeSeriesClassifier; the data goes in as a pandas multi-index
frame (any sktime panel mtype works).
"""

import argparse

import numpy as np
from sklearn.metrics import balanced_accuracy_score
from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier
from sktime.datasets import load_arrow_head
from sktime.datatypes import convert_to

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.integrations.sktime import SktimeAugmentedClassifier


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fast", action="store_true")
    args = parser.parse_args()
    X, y = load_arrow_head(split="train", return_type="numpy3D")
    X_test, y_test = load_arrow_head(split="test", return_type="numpy3D")
    keep = np.concatenate([np.flatnonzero(y != "2"), np.flatnonzero(y == "2")[:4]])
    X, y = convert_to(X[keep], to_type="pd-multiindex"), y[keep]
    knn = KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="euclidean")
    clf = SktimeAugmentedClassifier(
        knn, RecurrentGANAugmenter(n_steps=30 if args.fast else "auto", random_state=0))
    clf.fit(X, y)
    plain = knn.clone().fit(X, y)
    print(f"generated per class: {dict(clf.augmenter_.sampling_strategy_)}")
    print(f"balanced accuracy, no oversampling: {balanced_accuracy_score(y_test, plain.predict(X_test)):.3f}")
    print(f"balanced accuracy, GAN-balanced:    {balanced_accuracy_score(y_test, clf.predict(X_test)):.3f}")


if __name__ == "__main__":
    main()
