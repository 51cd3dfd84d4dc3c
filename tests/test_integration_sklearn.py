"""The scikit-learn adapter: Pipeline, GridSearchCV, cross_val_score, clone, checks."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.integrations.sklearn import AugmentedClassifier

from _toy import sine_vs_sawtooth, tiny

TINY = tiny(10, random_state=0)


# the augmenter is fitted on the rows unweighted (a row of weight 2 is not a repeated row
# for the GAN, which learns from the series it sees), so weights cannot equal repetition
@parametrize_with_checks(
    [AugmentedClassifier(LogisticRegression(), RecurrentGANAugmenter(**TINY))],
    expected_failed_checks=lambda est: {"check_sample_weight_equivalence_on_dense_data":
                                        "the augmenter fits on the rows unweighted"})
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def imbalanced():
    X, y = sine_vs_sawtooth(n_per_class=30, length=24, n_minority=6)
    return X[:, 0, :], y  # 2D: univariate series as rows


def test_last_step_of_pipeline_oversamples_in_fit(imbalanced):
    X, y = imbalanced
    pipe = Pipeline([("scale", StandardScaler()),
                     ("clf", AugmentedClassifier(LogisticRegression(), RecurrentGANAugmenter(**TINY)))])
    pipe.fit(X, y)
    clf = pipe.named_steps["clf"]
    assert clf.n_generated_ == {"saw": 24}
    assert pipe.predict(X).shape == (36,)
    assert pipe.predict_proba(X).shape == (36, 2)
    assert pipe.decision_function(X).shape == (36,)
    assert 0.0 <= pipe.score(X, y) <= 1.0
    assert list(clf.classes_) == ["saw", "sine"]


def test_grid_search_over_nested_parameters(imbalanced):
    X, y = imbalanced
    model = AugmentedClassifier(LogisticRegression(), RecurrentGANAugmenter(**TINY))
    grid = GridSearchCV(model, {"augmenter__hidden_size": [4, 8], "classifier__C": [0.1, 1.0]},
                        cv=2, scoring="balanced_accuracy")
    grid.fit(X, y)
    assert set(grid.best_params_) == {"augmenter__hidden_size", "classifier__C"}
    assert len(grid.cv_results_["mean_test_score"]) == 4


def test_cross_val_score_and_clone(imbalanced):
    X, y = imbalanced
    model = AugmentedClassifier(LogisticRegression(), RecurrentGANAugmenter(**TINY))
    scores = cross_val_score(model, X, y, cv=3, scoring="balanced_accuracy")
    assert scores.shape == (3,) and np.isfinite(scores).all()
    twin = clone(model)
    assert twin.get_params()["augmenter__n_steps"] == 10
    assert not hasattr(twin, "classifier_")


def test_memory_fits_the_augmenter_once_per_fold_and_changes_no_score(imbalanced, tmp_path,
                                                                     monkeypatch):
    import joblib

    X, y = imbalanced
    calls = []
    fit_resample = RecurrentGANAugmenter.fit_resample
    monkeypatch.setattr(RecurrentGANAugmenter, "fit_resample",
                        lambda self, X, y: calls.append(self.n_steps) or fit_resample(self, X, y))

    def search(memory, **params):
        aug = RecurrentGANAugmenter(**dict(TINY, **params))
        model = AugmentedClassifier(LogisticRegression(), aug, memory=memory)
        return GridSearchCV(model, {"classifier__C": [0.1, 1.0, 10.0]}, cv=3).fit(X, y)

    plain = search(None)
    assert len(calls) == 3 * 3 + 1  # every fold and grid point, then the refit
    cached = search(str(tmp_path))
    assert len(calls) == 10 + 3 + 1  # once per fold, then the refit on all rows
    np.testing.assert_array_equal(cached.cv_results_["mean_test_score"],
                                  plain.cv_results_["mean_test_score"])
    again = search(str(tmp_path))
    assert len(calls) == 14  # every fit loaded from the cache
    assert again.best_estimator_.augmenter_.sample(2, "saw").shape == (2, 24)
    # another augmenter parameter is another fit; a joblib.Memory is taken as it is
    search(joblib.Memory(tmp_path / "other", verbose=0), n_steps=11)
    assert calls[14:] == [11] * 4


def test_bad_memory_is_refused_before_any_fit(imbalanced):
    model = AugmentedClassifier(LogisticRegression(), RecurrentGANAugmenter(**TINY), memory=3)
    with pytest.raises(ValueError, match="memory"):
        model.fit(*imbalanced)
    assert not hasattr(model, "augmenter_")


def test_default_augmenter_and_bad_augmenter(imbalanced):
    model = AugmentedClassifier(LogisticRegression())
    assert model.augmenter is None
    with pytest.raises(TypeError, match="fit_resample"):
        AugmentedClassifier(LogisticRegression(), augmenter=StandardScaler()).fit(*imbalanced)


def test_not_a_classifier_gets_a_clear_error_and_no_fitted_state():
    from sklearn.linear_model import LinearRegression

    X, y = sine_vs_sawtooth(n_per_class=10, length=12, n_minority=4)
    aug = RecurrentGANAugmenter(n_steps=2, hidden_size=8, random_state=0)
    model = AugmentedClassifier(LinearRegression(), aug)
    with pytest.raises(TypeError, match="has no classes_"):  # was AttributeError
        model.fit(X[:, 0], (y == "saw").astype(int))
    assert not hasattr(model, "classifier_") and not hasattr(model, "augmenter_")
    with pytest.raises(TypeError, match="must be a scikit-learn classifier"):
        AugmentedClassifier(None, aug).fit(X[:, 0], y)


class _WeightRecorder(LogisticRegression):
    """LogisticRegression that keeps the sample_weight its fit was given."""

    def fit(self, X, y, sample_weight=None):
        self.seen_weight_ = sample_weight
        return super().fit(X, y, sample_weight=sample_weight)


def test_synthetic_rows_weighted_relative_to_their_class(imbalanced):
    X, y = imbalanced  # 30 sine, 6 saw: 24 synthetic saw rows
    model = AugmentedClassifier(_WeightRecorder(), RecurrentGANAugmenter(**TINY),
                                synthetic_weight=0.5).fit(X, y)
    w = model.classifier_.seen_weight_
    assert w.shape == (60,)
    np.testing.assert_array_equal(w[:36], 1.0)
    np.testing.assert_array_equal(w[36:], 0.5)

    real = np.where(y == "saw", 3.0, 1.0)
    model = AugmentedClassifier(_WeightRecorder(), RecurrentGANAugmenter(**TINY)).fit(
        X, y, sample_weight=real)
    w = model.classifier_.seen_weight_
    np.testing.assert_array_equal(w[:36], real)
    np.testing.assert_array_equal(w[36:], 3.0)  # the saw class's mean real weight


def test_unweighted_by_default_and_weights_reach_a_pipelines_last_step(imbalanced):
    X, y = imbalanced
    model = AugmentedClassifier(_WeightRecorder(), RecurrentGANAugmenter(**TINY)).fit(X, y)
    assert model.classifier_.seen_weight_ is None
    pipe = Pipeline([("scale", StandardScaler()), ("clf", _WeightRecorder())])
    model = AugmentedClassifier(pipe, RecurrentGANAugmenter(**TINY), synthetic_weight=0.25)
    w = model.fit(X, y).classifier_.named_steps["clf"].seen_weight_
    np.testing.assert_array_equal(w[36:], 0.25)


def test_weights_need_a_classifier_that_takes_them_and_a_valid_value(imbalanced):
    from sklearn.neighbors import KNeighborsClassifier

    X, y = imbalanced
    model = AugmentedClassifier(KNeighborsClassifier(), RecurrentGANAugmenter(**TINY),
                                synthetic_weight=0.5)
    with pytest.raises(TypeError, match="KNeighborsClassifier.fit does not"):
        model.fit(X, y)
    assert not hasattr(model, "augmenter_")  # refused before any training
    for bad in (0, -1.0, float("nan"), "half", True):
        with pytest.raises(ValueError, match="synthetic_weight must be"):
            AugmentedClassifier(LogisticRegression(), RecurrentGANAugmenter(**TINY),
                                synthetic_weight=bad).fit(X, y)
    with pytest.raises(ValueError, match="one weight per row"):
        AugmentedClassifier(LogisticRegression(), RecurrentGANAugmenter(**TINY)).fit(
            X, y, sample_weight=np.ones(5))
    with pytest.raises(ValueError, match="finite and >= 0"):
        AugmentedClassifier(LogisticRegression(), RecurrentGANAugmenter(**TINY)).fit(
            X, y, sample_weight=-np.ones(len(y)))
