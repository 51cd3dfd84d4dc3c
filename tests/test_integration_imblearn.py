"""imbalanced-learn: the augmenter as a Pipeline sampler step; the adapter passes the sampler checks."""

import numpy as np
import pytest

pytest.importorskip("imblearn")

from imblearn.pipeline import Pipeline  # noqa: E402
from imblearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

from rgan_augment import RecurrentGANAugmenter  # noqa: E402
from rgan_augment.integrations.imblearn import GANOverSampler  # noqa: E402

from _toy import sine_vs_sawtooth  # noqa: E402

TINY = dict(n_steps=10, hidden_size=8, latent_dim=4, noise_dim=2, batch_size=16, random_state=0)


@parametrize_with_checks([GANOverSampler(augmenter=RecurrentGANAugmenter(**TINY))])
def test_imblearn_sampler_checks(estimator, check):
    check(estimator)


def _flatten(A):
    return np.asarray(A).reshape(len(A), -1)


class _CountingKNN(KNeighborsClassifier):
    def fit(self, X, y):
        self.seen_counts_ = dict(zip(*np.unique(y, return_counts=True)))
        return super().fit(X, y)


@pytest.mark.parametrize("sampler", [RecurrentGANAugmenter(**TINY),
                                     GANOverSampler(augmenter=RecurrentGANAugmenter(**TINY))])
def test_sampler_step_in_imblearn_pipeline_on_3d_data(sampler):
    X, y = sine_vs_sawtooth(n_per_class=30, length=24, n_channels=2, n_minority=5)
    pipe = Pipeline([("gan", sampler), ("flat", FunctionTransformer(_flatten)),
                     ("knn", _CountingKNN(n_neighbors=1))])
    pipe.fit(X, y)
    assert pipe.named_steps["knn"].seen_counts_ == {"saw": 30, "sine": 30}  # balanced in fit
    assert pipe.predict(X).shape == (35,)  # no resampling at predict time
    assert pipe.score(X, y) > 0.5
