"""aeon: the GAN as an aeon imbalance transformer, checked as aeon checks its own SMOTE."""

import numpy as np
import pytest

aeon = pytest.importorskip("aeon")

from aeon.testing.estimator_checking import check_estimator  # noqa: E402
from aeon.transformations.collection.imbalance import SMOTE  # noqa: E402

from rgan_augment import RecurrentGANAugmenter  # noqa: E402
from rgan_augment.integrations.aeon import RecurrentGANOverSampler  # noqa: E402
from _toy import tiny

TINY = tiny(6)


def _check_names(results):
    """Check names without their data-type variants: 'check_x(...)' -> 'check_x'."""
    return {name.split("(")[0] for name in results}


@pytest.mark.slow
def test_passes_aeons_checks_as_aeons_own_smote_does():
    """Both run aeon's check_estimator here, so a new aeon whose checks differ shows up
    as a difference between the two, not as a mystery."""
    ours = check_estimator(RecurrentGANOverSampler, raise_exceptions=False)
    theirs = check_estimator(SMOTE, raise_exceptions=False)
    assert {k: v for k, v in theirs.items() if v != "PASSED"} == {}
    assert {k: v for k, v in ours.items() if v != "PASSED"} == {}
    # SMOTE takes n_jobs, the GAN does not: the one check that differs by design
    assert _check_names(theirs) - {"check_multithreading_param"} == \
        _check_names(ours) - {"check_no_multithreading_param"}


def test_multivariate_and_unequal_length_collections_are_balanced():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(26, 3, 20)).cumsum(axis=2)
    y = np.array(["a"] * 20 + ["b"] * 6)
    sampler = RecurrentGANOverSampler(augmenter=RecurrentGANAugmenter(**TINY), random_state=0)
    X_res, y_res = sampler.fit_transform(X, y)
    assert X_res.shape == (40, 3, 20) and dict(zip(*np.unique(y_res, return_counts=True))) == {
        "a": 20, "b": 20}
    np.testing.assert_array_equal(X_res[:26], X)  # the originals first, unchanged
    assert dict(sampler.sampling_strategy_) == {"b": 14}
    ragged = [x[:, : 12 + i % 8] for i, x in enumerate(X)]
    X_res, y_res = RecurrentGANOverSampler(
        augmenter=RecurrentGANAugmenter(**TINY), random_state=0).fit_transform(ragged, y)
    assert len(X_res) == 40 and all(s.shape[0] == 3 and 12 <= s.shape[1] <= 19 for s in X_res)
    assert np.isfinite(np.concatenate([s.ravel() for s in X_res])).all()


def test_transform_needs_labels_and_a_strategy_is_checked_before_the_fit():
    X = np.random.default_rng(1).normal(size=(12, 1, 10))
    y = np.array([0] * 8 + [1] * 4)
    sampler = RecurrentGANOverSampler(augmenter=RecurrentGANAugmenter(**TINY), random_state=0)
    sampler.fit(X, y)
    with pytest.raises(ValueError, match="needs the labels"):
        sampler.transform(X)
    X_res, y_res = sampler.transform(X, y)
    assert np.bincount(y_res).tolist() == [8, 8]
    with pytest.raises(ValueError, match="more than 1 class"):
        RecurrentGANOverSampler(augmenter=RecurrentGANAugmenter(n_steps=5000)).fit(X, np.zeros(12))
