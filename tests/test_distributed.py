"""Many fits go through joblib's n_jobs, so they run unchanged on a dask cluster."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

import joblib  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from rgan_augment import RecurrentGANAugmenter  # noqa: E402
from rgan_augment.integrations.sklearn import AugmentedClassifier  # noqa: E402

from _toy import sine_vs_sawtooth  # noqa: E402

TINY = dict(n_steps=10, hidden_size=8, latent_dim=4, noise_dim=2, batch_size=16, random_state=0)


def test_grid_search_on_a_local_dask_cluster():
    X, y = sine_vs_sawtooth(n_per_class=24, length=16, n_minority=6)
    X = X[:, 0, :]
    grid_params = {"augmenter__hidden_size": [4, 8], "classifier__C": [0.5, 1.0]}
    model = AugmentedClassifier(LogisticRegression(), RecurrentGANAugmenter(**TINY))
    serial = GridSearchCV(model, grid_params, cv=2).fit(X, y)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with joblib.parallel_backend("dask"):
            remote = GridSearchCV(model, grid_params, cv=2, n_jobs=-1).fit(X, y)
        assert len(client.scheduler_info()["workers"]) == 2
    # the same seeds give the same scores, wherever the fits ran
    np.testing.assert_allclose(remote.cv_results_["mean_test_score"],
                               serial.cv_results_["mean_test_score"])
