"""sktime: the composite classifier passes check_estimator and takes every panel mtype."""

import doctest

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier  # noqa: E402
from sktime.datatypes import convert_to  # noqa: E402
from sktime.utils.estimator_checks import check_estimator  # noqa: E402

import rgan_augment.integrations.sktime as sktime_module  # noqa: E402
from rgan_augment import RecurrentGANAugmenter  # noqa: E402
from rgan_augment.integrations.sktime import SktimeAugmentedClassifier  # noqa: E402

from _toy import sine_vs_sawtooth, tiny  # noqa: E402

TINY = tiny(10, random_state=0)


def test_sktime_check_estimator_passes():
    results = check_estimator(SktimeAugmentedClassifier, raise_exceptions=False)
    failed = {k: v for k, v in results.items() if v != "PASSED"}
    assert not failed, failed


def test_docstring_example_runs():
    failures, tried = doctest.testmod(sktime_module, verbose=False, report=True, globs={})
    assert tried > 0 and failures == 0


@pytest.mark.parametrize("mtype", ["numpy3D", "pd-multiindex", "nested_univ", "df-list"])
def test_every_panel_mtype(mtype):
    X, y = sine_vs_sawtooth(n_per_class=20, length=16, n_channels=2, n_minority=4)
    X_in = convert_to(X, to_type=mtype)
    clf = SktimeAugmentedClassifier(KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="euclidean"),
                                    RecurrentGANAugmenter(**TINY))
    clf.fit(X_in, y)
    assert dict(clf.augmenter_.sampling_strategy_) == {"saw": 16}
    pred = clf.predict(X_in)
    assert pred.shape == (24,) and set(pred) <= {"saw", "sine"}
    proba = clf.predict_proba(X_in)
    assert proba.shape == (24, 2) and np.allclose(proba.sum(1), 1)


def test_unequal_length_panel_with_a_classifier_that_takes_it():
    from sktime.classification.dummy import DummyClassifier

    rng = np.random.default_rng(0)
    lengths = [10] * 12 + [16] * 4
    X = [pd.DataFrame(rng.normal(size=(n, 2)).cumsum(axis=0), columns=["a", "b"]) for n in lengths]
    y = np.array(["long"] * 12 + ["short"] * 4)
    inner = DummyClassifier()
    assert inner.get_tag("capability:unequal_length")
    clf = SktimeAugmentedClassifier(inner, RecurrentGANAugmenter(**TINY))
    assert clf.get_tag("capability:unequal_length")
    clf.fit(X, y)
    assert dict(clf.augmenter_.sampling_strategy_) == {"short": 8}
    assert clf.predict(X).shape == (16,)


def test_unequal_length_refused_when_the_classifier_cannot():
    knn = KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="euclidean")
    clf = SktimeAugmentedClassifier(knn, RecurrentGANAugmenter(**TINY))
    assert clf.get_tag("capability:unequal_length") is knn.get_tag("capability:unequal_length")


def test_unequal_length_fit_with_such_a_classifier_says_why():
    """Fitting unequal-length series with a classifier that cannot take them gets a
    ValueError naming the classifier, not numpy's "all input arrays must have the same
    shape" from sktime's conversion (sktime only warns for composites)."""
    rng = np.random.default_rng(0)
    X = [pd.DataFrame(rng.normal(size=(n, 1)), columns=["a"]) for n in [10] * 12 + [16] * 4]
    y = np.array(["long"] * 12 + ["short"] * 4)
    knn = KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="dtw")
    clf = SktimeAugmentedClassifier(knn, RecurrentGANAugmenter(**TINY))
    with pytest.raises(ValueError, match="KNeighborsTimeSeriesClassifier cannot handle"):
        clf.fit(X, y)


@pytest.mark.parametrize("unequal", [False, True])
def test_augmenter_reads_a_pd_multiindex_panel(unequal):
    """The augmenter itself takes sktime's pd-multiindex panel (it used to read every
    time point as a series: "X has 40 series, y has 8 labels"): the same series as
    sktime's own conversion, and a list of arrays back, originals first."""
    rng = np.random.default_rng(0)
    lengths = [5, 6, 5, 6, 5, 7, 5, 6] if unequal else [5] * 8
    frames = [pd.DataFrame(rng.normal(size=(n, 2)), columns=["a", "b"]) for n in lengths]
    panel = convert_to(frames, to_type="pd-multiindex")
    y = np.array(["x"] * 6 + ["z"] * 2)
    X_res, y_res = RecurrentGANAugmenter(**TINY).fit_resample(panel, y)
    assert isinstance(X_res, list) and len(X_res) == 12 and list(y_res[8:]) == ["z"] * 4
    for got, frame in zip(X_res[:8], frames):
        np.testing.assert_array_equal(got, frame.to_numpy().T)
    assert all(s.shape[0] == 2 and np.isfinite(s).all() for s in X_res[8:])


@pytest.mark.parametrize("unequal", [False, True])
def test_memory_fits_the_augmenter_once_per_fold_in_a_grid(tmp_path, monkeypatch, unequal):
    """TSCGridSearchCV over the classifier's parameters: with ``memory`` the augmenter is
    fitted once per fold (and for the refit), and every score is what it was without."""
    from sktime.classification.dummy import DummyClassifier
    from sktime.classification.model_selection import TSCGridSearchCV

    X, y = sine_vs_sawtooth(n_per_class=12, length=16, n_minority=6)
    if unequal:  # a df-list panel: the adapter hands the augmenter a list of arrays
        X = [pd.DataFrame(x[:, : 12 + i % 4].T) for i, x in enumerate(X)]
        classifier, grid = DummyClassifier(), {"classifier__strategy": ["prior", "most_frequent"]}
    else:
        classifier = KNeighborsTimeSeriesClassifier(distance="euclidean")
        grid = {"classifier__n_neighbors": [1, 3, 5]}
    calls = []
    fit_resample = RecurrentGANAugmenter.fit_resample
    monkeypatch.setattr(RecurrentGANAugmenter, "fit_resample",
                        lambda self, X, y: calls.append(1) or fit_resample(self, X, y))

    def search(memory):
        clf = SktimeAugmentedClassifier(classifier, RecurrentGANAugmenter(**TINY), memory=memory)
        return TSCGridSearchCV(clf, param_grid=grid, cv=3, error_score="raise").fit(X, y)

    n_points = len(next(iter(grid.values())))
    plain = search(None)
    assert len(calls) == 3 * n_points + 1  # every fold and grid point, then the refit
    cached = search(str(tmp_path))
    assert len(calls) == 3 * n_points + 1 + 3 + 1  # once per fold, then the refit
    np.testing.assert_array_equal(cached.cv_results_["mean_test_score"],
                                  plain.cv_results_["mean_test_score"])
    before = len(calls)
    again = search(str(tmp_path))
    assert len(calls) == before  # every fit loaded from the cache
    assert len(again.best_estimator_.augmenter_.sample(2, "saw")) == 2
