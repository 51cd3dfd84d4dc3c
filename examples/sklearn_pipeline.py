"""scikit-learn Pipeline: scaling, then a classifier that trains on GAN-balanced data.

    python examples/sklearn_pipeline.py [--fast]

ItalyPowerDemand (bundled with sktime, 24 steps) with class '2' cut to 8 training
series; AugmentedClassifier is the last step of a sklearn Pipeline and is tuned with
GridSearchCV over nested parameters. The grid is over the classifier only, so with
``memory`` the augmenter is fitted once per fold (and once for the refit), not once per
fold and grid point.
"""

import argparse
import tempfile

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sktime.datasets import load_italy_power_demand

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.integrations.sklearn import AugmentedClassifier


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fast", action="store_true")
    args = parser.parse_args()
    X, y = load_italy_power_demand(split="train", return_type="numpy2D")
    X_test, y_test = load_italy_power_demand(split="test", return_type="numpy2D")
    keep = np.concatenate([np.flatnonzero(y == "1"), np.flatnonzero(y == "2")[:8]])
    X, y = X[keep], y[keep]
    n_steps = 30 if args.fast else 400
    with tempfile.TemporaryDirectory() as cache:
        pipe = Pipeline([
            ("scale", StandardScaler()),
            ("clf", AugmentedClassifier(LogisticRegression(max_iter=1000),
                                        RecurrentGANAugmenter(n_steps=n_steps, random_state=0),
                                        memory=cache)),
        ])
        grid = GridSearchCV(pipe, {"clf__classifier__C": [0.1, 1.0]}, cv=2,
                            scoring="balanced_accuracy")
        grid.fit(X, y)
    plain = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=1000))]).fit(X, y)
    print(f"training classes: {dict(zip(*np.unique(y, return_counts=True)))}")
    print(f"best params: {grid.best_params_}")
    print(f"balanced accuracy, no oversampling: {balanced_accuracy_score(y_test, plain.predict(X_test)):.3f}")
    print(f"balanced accuracy, GAN-balanced:    {balanced_accuracy_score(y_test, grid.predict(X_test)):.3f}")


if __name__ == "__main__":
    main()
