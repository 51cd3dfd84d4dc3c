"""imbalanced-learn Pipeline: the augmenter as a sampler step on 3D (multivariate) data.

    python examples/imblearn_pipeline.py [--fast]

BasicMotions (bundled with sktime: 6 channels, 100 steps) with class 'badminton'
cut to 3 training series. The sampler step runs only in fit; predict sees the data
as it is.
"""

import argparse

import numpy as np
from imblearn.pipeline import Pipeline
from sklearn.metrics import balanced_accuracy_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import FunctionTransformer
from sktime.datasets import load_basic_motions

from rgan_augment import RecurrentGANAugmenter


def flatten(X):
    return np.asarray(X).reshape(len(X), -1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fast", action="store_true")
    args = parser.parse_args()
    X, y = load_basic_motions(split="train", return_type="numpy3D")
    X_test, y_test = load_basic_motions(split="test", return_type="numpy3D")
    keep = np.concatenate([np.flatnonzero(y != "badminton"), np.flatnonzero(y == "badminton")[:3]])
    X, y = X[keep], y[keep]
    gan = RecurrentGANAugmenter(n_steps=30 if args.fast else "auto", random_state=0)
    pipe = Pipeline([("gan", gan), ("flatten", FunctionTransformer(flatten)),
                     ("knn", KNeighborsClassifier(n_neighbors=1))])
    pipe.fit(X, y)
    print(f"generated per class: {dict(pipe.named_steps['gan'].sampling_strategy_)}")
    plain = KNeighborsClassifier(n_neighbors=1).fit(flatten(X), y)
    print(f"balanced accuracy, 1-NN, no oversampling: {balanced_accuracy_score(y_test, plain.predict(flatten(X_test))):.3f}")
    print(f"balanced accuracy, 1-NN, GAN-balanced:    {balanced_accuracy_score(y_test, pipe.predict(X_test)):.3f}")


if __name__ == "__main__":
    main()
