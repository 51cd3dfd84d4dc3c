"""sampling_strategy: the same counts as imbalanced-learn for every kind of strategy."""

import numpy as np
import pytest

from rgan_augment import RecurrentGANAugmenter
from rgan_augment._strategy import resolve_sampling_strategy

imblearn_validation = pytest.importorskip("imblearn.utils")

Y_MULTI = np.array(["a"] * 20 + ["b"] * 7 + ["c"] * 3 + ["d"] * 12)
Y_BINARY = np.array([0] * 30 + [1] * 6)

STRATEGIES = [
    ("auto", Y_MULTI), ("minority", Y_MULTI), ("not minority", Y_MULTI),
    ("not majority", Y_MULTI), ("all", Y_MULTI), ({"b": 20, "c": 9}, Y_MULTI),
    ({"a": 20, "b": 7}, Y_MULTI), (0.5, Y_BINARY), (1.0, Y_BINARY), ("auto", Y_BINARY),
    (lambda y: {"c": 15, "d": 13}, Y_MULTI),
]


@pytest.mark.parametrize("strategy, y", STRATEGIES)
def test_counts_equal_imblearn(strategy, y):
    expected = imblearn_validation.check_sampling_strategy(strategy, y, "over-sampling")
    assert dict(resolve_sampling_strategy(strategy, y)) == dict(expected)


BAD = [
    ("majority", Y_MULTI, "cannot be used with over-sampler"),
    ("some", Y_MULTI, "needs to be one of"),
    (0.5, Y_MULTI, "only when the type of target is binary"),
    (1.5, Y_BINARY, r"range \(0, 1\]"),
    (0.1, Y_BINARY, "Please increase the ratio"),
    ({"z": 5}, Y_MULTI, "not present in the data"),
    ({"a": 3}, Y_MULTI, "greater or equal to the original number"),
    ({"a": -1}, Y_MULTI, "cannot be negative"),
    (["a"], Y_MULTI, "cannot be a list"),
    ("auto", np.array([1, 1, 1]), "more than 1 class"),
]


@pytest.mark.parametrize("strategy, y, message", BAD)
def test_bad_strategies_worded_as_imblearn(strategy, y, message):
    with pytest.raises(ValueError, match=message):
        resolve_sampling_strategy(strategy, y)
    with pytest.raises(ValueError, match=message):
        imblearn_validation.check_sampling_strategy(strategy, y, "over-sampling")


@pytest.mark.parametrize("strategy, y", [s for s in STRATEGIES if not callable(s[0])])
def test_fit_resample_counts(strategy, y):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(len(y), 2, 12)).cumsum(axis=2)
    aug = RecurrentGANAugmenter(strategy, n_steps=2, hidden_size=8, latent_dim=4,
                                noise_dim=2, random_state=0)
    X_res, y_res = aug.fit_resample(X, y)
    expected = imblearn_validation.check_sampling_strategy(strategy, y, "over-sampling")
    assert dict(aug.sampling_strategy_) == dict(expected)
    classes, counts = np.unique(y, return_counts=True)
    res_counts = dict(zip(*np.unique(y_res, return_counts=True)))
    for cls, n in zip(classes, counts):
        assert res_counts[cls] == n + expected.get(cls, 0)
    assert len(X_res) == len(y_res)


@pytest.mark.parametrize("strategy, message", [
    ({"b": 20.5}, "must be integers"),  # was truncated to 20 silently
    ({"b": 20.0}, "must be integers"),  # imbalanced-learn refuses floats too (TypeError)
    ({"b": True}, "must be integers"),
    (lambda y: {"b": 20.5}, "callable.*must be integers"),
    (lambda y: 20, "callable must give a dict"),  # was "'int' object is not iterable"
])
def test_bad_target_numbers_raise_type_error(strategy, message):
    with pytest.raises(TypeError, match=message):
        resolve_sampling_strategy(strategy, Y_MULTI)


def test_integer_targets_of_any_integer_type():
    assert dict(resolve_sampling_strategy({"b": np.int64(20)}, Y_MULTI)) == {"b": 13}
