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

from _toy import sine_vs_sawtooth, tiny  # noqa: E402

TINY = tiny(10, random_state=0)


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


@pytest.mark.parametrize("sampler", [RecurrentGANAugmenter(**TINY),
                                     GANOverSampler(augmenter=RecurrentGANAugmenter(**TINY))])
def test_pandas_in_pandas_out_as_smote(sampler):
    """A DataFrame X and a Series y come back as pandas, like imbalanced-learn's SMOTE
    gives them: column names kept, y's name and dtype (categorical) kept, one index."""
    import pandas as pd
    from imblearn.over_sampling import SMOTE

    X, y = sine_vs_sawtooth(n_per_class=20, length=16, n_minority=6)
    X_df = pd.DataFrame(X[:, 0], columns=[f"t{i}" for i in range(16)], index=range(100, 126))
    y_s = pd.Series(pd.Categorical(y), name="kind", index=X_df.index)
    X_ref, y_ref = SMOTE(k_neighbors=3).fit_resample(X_df, y_s)
    X_res, y_res = sampler.fit_resample(X_df, y_s)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert list(X_res.columns) == list(X_ref.columns)
    assert y_res.name == y_ref.name == "kind" and y_res.dtype == y_ref.dtype == "category"
    assert X_res.index.equals(y_res.index) and len(X_res) == len(X_ref) == 40
    np.testing.assert_array_equal(X_res.iloc[:26].to_numpy(), X_df.to_numpy())  # originals first
    assert y_res.value_counts().to_dict() == {"saw": 20, "sine": 20}
    # arrays in, arrays out: nothing changes for them
    X_arr, y_arr = sampler.fit_resample(X[:, 0], y)
    assert isinstance(X_arr, np.ndarray) and isinstance(y_arr, np.ndarray)


def test_over_sampler_takes_a_list_of_unequal_length_series():
    """A list in, a list of (n_channels, length) arrays out, originals first (it used to
    fail in imbalanced-learn's output conversion: "'list' object has no attribute
    'tolist'")."""
    rng = np.random.default_rng(0)
    series = [rng.normal(size=(2, n)) for n in rng.integers(6, 14, size=20)]
    y = np.array(["a"] * 15 + ["b"] * 5)
    X_res, y_res = GANOverSampler(augmenter=RecurrentGANAugmenter(**TINY)).fit_resample(series, y)
    assert isinstance(X_res, list) and len(X_res) == len(y_res) == 30
    assert all(np.array_equal(a, b) for a, b in zip(X_res, series))
    assert all(isinstance(s, np.ndarray) and s.shape[0] == 2 and np.isfinite(s).all()
               for s in X_res[20:])
    assert {s.shape[1] for s in X_res[20:]} <= {s.shape[1] for s in series[15:]}


def test_sampler_takes_ragged_univariate_lists_as_the_core_does():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=10 + i % 3).cumsum() for i in range(20)]
    y = np.array([0] * 14 + [1] * 6)
    tiny = RecurrentGANAugmenter(n_steps=5, hidden_size=8, random_state=0)
    for given in (X, [x.tolist() for x in X]):
        X_res, y_res = GANOverSampler(augmenter=tiny).fit_resample(given, y)
        assert isinstance(X_res, list) and len(X_res) == 28 and np.bincount(y_res).tolist() == [14, 14]
        np.testing.assert_array_equal(X_res[0], X[0])
        assert all(np.ndim(s) == 1 and 10 <= len(s) <= 12 for s in X_res[20:])


def test_imblearn_pipeline_memory_caches_the_augmenters_fit(tmp_path):
    from sklearn.model_selection import GridSearchCV

    X, y = sine_vs_sawtooth(n_per_class=20, length=16, n_minority=5)

    def search(memory):
        pipe = Pipeline([("gan", RecurrentGANAugmenter(**TINY)),
                         ("flat", FunctionTransformer(_flatten)), ("knn", KNeighborsClassifier())],
                        memory=memory)
        return GridSearchCV(pipe, {"knn__n_neighbors": [1, 3]}, cv=2).fit(X, y)

    plain, first = search(None), search(str(tmp_path))
    np.testing.assert_array_equal(first.cv_results_["mean_test_score"],
                                  plain.cv_results_["mean_test_score"])
    second = search(str(tmp_path))  # loaded: the same rows, so the same scores
    np.testing.assert_array_equal(second.cv_results_["mean_test_score"],
                                  plain.cv_results_["mean_test_score"])
    assert any(tmp_path.rglob("*.pkl"))
