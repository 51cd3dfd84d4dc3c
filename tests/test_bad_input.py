"""Bad input gets a clear error; awkward but valid input works and never yields NaN."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rgan_augment import RecurrentGANAugmenter
from _toy import tiny

TINY = tiny(4, random_state=0)
RNG = np.random.default_rng(0)
X_OK = RNG.normal(size=(20, 2, 12)).cumsum(axis=2)
Y_OK = np.array(["a"] * 14 + ["b"] * 6)


def _with(value):
    X = X_OK.copy()
    X[3, 1, 5] = value
    return X


@pytest.mark.parametrize("X, y, error, message", [
    (_with(np.nan), Y_OK, ValueError, "NaN"),
    (_with(np.inf), Y_OK, ValueError, "infinity"),
    (_with(-np.inf), Y_OK, ValueError, "infinity"),
    (np.empty((0, 2, 12)), np.array([]), ValueError, "0 sample"),
    (np.empty((5, 0, 12)), Y_OK[:5], ValueError, "0 feature"),
    (X_OK[:, 0, 0], Y_OK, ValueError, "2D .* or 3D"),
    (X_OK[:, :, :, None], Y_OK, ValueError, "2D .* or 3D"),
    (X_OK, Y_OK[:-1], ValueError, "inconsistent numbers of samples"),
    (np.full((20, 12), "x"), Y_OK, (TypeError, ValueError), "numeric|real numbers|convert"),
    (X_OK, np.array(["a"] * 20), ValueError, "more than 1 class"),
    (X_OK, np.linspace(0.5, 3.1, 20), ValueError, "continuous"),
    (X_OK, np.array([1] * 14 + ["b"] * 6, dtype=object), ValueError, "Mix of label input types"),
    (X_OK + 1j, Y_OK, ValueError, "Complex"),
    ([np.ones((2, 5)), np.ones((3, 5))], Y_OK[:2], ValueError, "same number of channels"),
    ([np.ones((2, 5)), np.ones((2, 0))], Y_OK[:2], ValueError, "length 0"),
])
def test_bad_input_to_fit_resample(X, y, error, message):
    with pytest.raises(error, match=message):
        RecurrentGANAugmenter(**TINY).fit_resample(X, y)


def test_nan_padded_unequal_lengths_get_a_hint():
    X = X_OK.copy()
    X[:5, :, 9:] = np.nan  # tslearn's layout for shorter series
    with pytest.raises(ValueError, match="NaN-padded unequal-length data"):
        RecurrentGANAugmenter(**TINY).fit(X, Y_OK)
    X[7, 0, 3] = np.nan  # and a gap inside a series: no hint, just NaN
    with pytest.raises(ValueError, match="contains NaN") as info:
        RecurrentGANAugmenter(**TINY).fit(X, Y_OK)
    assert "NaN-padded" not in str(info.value)


def test_continuous_target_rejected_by_fit_and_whole_floats_accepted():
    with pytest.raises(ValueError, match="continuous"):
        RecurrentGANAugmenter(**TINY).fit(X_OK, RNG.normal(size=20))
    y = np.where(Y_OK == "a", 1.0, 2.0)
    X_res, y_res = RecurrentGANAugmenter(**TINY).fit_resample(X_OK, y)
    assert y_res.dtype == y.dtype and set(y_res) == {1.0, 2.0} and (y_res == 2.0).sum() == 14


def test_fit_resample_without_labels():
    with pytest.raises(ValueError, match="needs labels"):
        RecurrentGANAugmenter(**TINY).fit_resample(X_OK, None)


@pytest.mark.parametrize("param, value", [
    ("cell", "rnn"), ("loss", "wgan"), ("hidden_size", 0), ("hidden_size", "big"), ("n_steps", -1),
    ("n_steps", 2.5),
    ("learning_rate", 0.0), ("chunk_length", "big"), ("verbose", -1), ("max_time", 0),
    ("device", "tpu"), ("mmd_loss", float("nan")), ("precision", "float16"), ("precision", 16),
])
def test_bad_parameters_named(param, value):
    with pytest.raises(ValueError, match=param if param != "device" else "device"):
        RecurrentGANAugmenter(**{**TINY, param: value}).fit(X_OK, Y_OK)


def test_cuda_requested_without_cuda():
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA present")
    with pytest.raises(ValueError, match="CUDA is not available"):
        RecurrentGANAugmenter(**{**TINY, "device": "cuda"}).fit(X_OK, Y_OK)


def test_single_example_class_warns_and_works():
    y = np.array(["a"] * 19 + ["b"])
    with pytest.warns(UserWarning, match="single training series"):
        X_res, y_res = RecurrentGANAugmenter(**TINY).fit_resample(X_OK, y)
    assert (y_res == "b").sum() == 19 and np.isfinite(X_res).all()


def test_constant_channel_is_reproduced_exactly():
    X = X_OK.copy()
    X[:, 1, :] = 3.25
    aug = RecurrentGANAugmenter(**TINY).fit(X, Y_OK)
    out = aug.sample(10, "b")
    assert np.all(out[:, 1, :] == 3.25)
    assert np.isfinite(out).all() and out[:, 0, :].std() > 0


@pytest.mark.parametrize("scale", [1e12, 1e-12])
def test_extreme_scales(scale):
    X = X_OK * scale + 5 * scale
    out = RecurrentGANAugmenter(**TINY).fit(X, Y_OK).sample(20, "a")
    assert np.isfinite(out).all()
    lo, hi = X.min(), X.max()
    span = hi - lo
    assert out.min() >= lo - 0.3 * span and out.max() <= hi + 0.3 * span
    assert out.std() > 0.01 * X.std()


@pytest.mark.parametrize("dtype, out_dtype", [
    (np.float16, np.float16), (np.float32, np.float32), (np.float64, np.float64),
    (np.int64, np.float64), (np.int32, np.float64),
])
def test_dtypes(dtype, out_dtype):
    X = (X_OK * 10).astype(dtype)
    X_res, _ = RecurrentGANAugmenter(**TINY).fit_resample(X, Y_OK)
    assert X_res.dtype == out_dtype
    np.testing.assert_array_equal(X_res[:20], X.astype(out_dtype))
    assert np.isfinite(X_res).all()


def test_pandas_and_nested_lists():
    X2 = X_OK[:, 0, :]
    frame = pd.DataFrame(X2, columns=[f"t{i}" for i in range(12)])
    X_res, y_res = RecurrentGANAugmenter(**TINY).fit_resample(frame, pd.Series(Y_OK))
    assert X_res.shape == (28, 12)
    X_res2, _ = RecurrentGANAugmenter(**TINY).fit_resample(X2.tolist(), Y_OK.tolist())
    assert np.asarray(X_res2).shape == (28, 12)


def _nested_frame(series):
    """sktime's nested DataFrame: one row per series, one pd.Series per channel."""
    return pd.DataFrame([{f"dim_{c}": pd.Series(s[c]) for c in range(s.shape[0])}
                         for s in series])


def test_sktime_nested_frames_are_read_as_lists_of_series():
    rng = np.random.default_rng(2)
    series = [rng.normal(size=(2, n)).cumsum(axis=1) for n in [9] * 10 + [13] * 10]
    y = np.array(["a"] * 10 + ["b"] * 10)
    aug = RecurrentGANAugmenter(**TINY).fit(_nested_frame(series), y)
    assert aug.n_channels_ == 2 and aug.n_timepoints_ == 13 and not aug.equal_length_
    X_res, y_res = RecurrentGANAugmenter(**TINY).fit_resample(_nested_frame(series), y)
    assert isinstance(X_res, list) and len(X_res) == len(y_res) == 20
    for a, b in zip(X_res, series):  # the originals come back first, unchanged
        np.testing.assert_array_equal(a, b)
    ragged = _nested_frame(series[:4])
    ragged.iloc[1, 1] = pd.Series(np.ones(5))
    with pytest.raises(ValueError, match="channels of different lengths"):
        RecurrentGANAugmenter(**TINY).fit(ragged, y[:4])
    text = _nested_frame(series[:4])
    text.iloc[2, 0] = pd.Series(["x"] * 9)
    with pytest.raises(TypeError, match=r"X.iloc\[2, 0\] must contain real numbers"):
        RecurrentGANAugmenter(**TINY).fit(text, y[:4])


def test_unequal_lengths_give_lists_with_class_lengths():
    rng = np.random.default_rng(1)
    X = [rng.normal(size=(2, n)).cumsum(axis=1) for n in [8] * 10 + [14] * 10]
    y = np.array(["short"] * 10 + ["long"] * 10)
    aug = RecurrentGANAugmenter(**TINY).fit(X, y)
    out = aug.sample(30, "short") + aug.sample(30, "long")
    assert all(isinstance(a, np.ndarray) for a in out)
    assert [a.shape for a in out[:30]] == [(2, 8)] * 30
    assert [a.shape for a in out[30:]] == [(2, 14)] * 30
    assert all(np.isfinite(a).all() for a in out)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(2, 12), channels=st.integers(1, 3), length=st.integers(1, 40),
    dtype=st.sampled_from([np.float16, np.float32, np.float64, np.int64]),
    magnitude=st.sampled_from([1e-6, 1.0, 1e3, 1e9]),
    constant=st.booleans(), two_d=st.booleans(), seed=st.integers(0, 2**16),
)
def test_fuzz_never_torch_errors_never_nan(n, channels, length, dtype, magnitude, constant, two_d, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, channels, length)) * magnitude
    if constant:
        X[:, 0, :] = magnitude
    if dtype is np.float16:
        X = np.clip(X, -6e4, 6e4)
    X = X.astype(dtype)
    if two_d:
        X = X[:, 0, :]
    y = np.array([0, 1] * n)[:n]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X_res, y_res = RecurrentGANAugmenter(n_steps=2, hidden_size=4, latent_dim=2, noise_dim=2,
                                             random_state=seed).fit_resample(X, y)
    assert len(X_res) == len(y_res) >= n
    assert np.isfinite(np.asarray(X_res, dtype=np.float64)).all()


def test_tuple_labels_are_refused_before_training():
    """Tuples are hashable, but a label is one value: refused at once (the fit used to
    run to the end and then fail drawing the synthetic rows)."""
    import time

    X = np.random.default_rng(0).normal(size=(20, 1, 12))
    y = np.empty(20, dtype=object)
    y[:] = [(0, "a")] * 14 + [(1, "b")] * 6
    aug = RecurrentGANAugmenter(n_steps=5000)
    t0 = time.perf_counter()
    with pytest.raises(TypeError, match="tuple labels"):
        aug.fit_resample(X, y)
    with pytest.raises(ValueError, match="tuples or lists as labels"):
        aug.fit(X, [(0, "a")] * 14 + [(1, "b")] * 6)
    assert time.perf_counter() - t0 < 5
    assert not hasattr(aug, "generator_")


def test_every_parameter_is_declared_in_the_constraints():
    assert set(RecurrentGANAugmenter._parameter_constraints) == set(
        RecurrentGANAugmenter().get_params())


@pytest.mark.parametrize("param, value", [("n_steps", True), ("verbose", False),
                                          ("learning_rate", float("inf")), ("max_time", True),
                                          ("ema_decay", True), ("mmd_loss", float("inf"))])
def test_bools_and_infinite_numbers_are_refused_where_numbers_are_due(param, value):
    with pytest.raises(ValueError, match=f"'{param}' parameter"):
        RecurrentGANAugmenter(**{**TINY, param: value}).fit(X_OK, Y_OK)


def test_requests_larger_than_memory_are_refused_before_any_work(monkeypatch):
    # a sampling_strategy or n_samples typo (1e12 series) gets a ValueError that names the
    # size at once, not a MemoryError (or the OS's kill) after the fit
    calls = []
    monkeypatch.setattr(RecurrentGANAugmenter, "_fit_series",
                        lambda self, *a: calls.append("fit"))
    huge = RecurrentGANAugmenter(sampling_strategy={"b": 10**12}, **TINY)
    with pytest.raises(ValueError, match=r"fit_resample .* GiB as float64, more than this machine"):
        huge.fit_resample(X_OK, Y_OK)
    assert calls == []
    monkeypatch.undo()
    model = RecurrentGANAugmenter(**TINY).fit(X_OK, Y_OK)
    with pytest.raises(ValueError, match=r"sample\(\) asks for 1,000,000,000,000 series of 2 "):
        model.sample(10**12, "a")
    with pytest.raises(ValueError, match="One batch of sample_batches"):
        next(model.sample_batches(10**12, "a", batch_size=10**11))
    # in parts it is allowed: only one batch exists at a time
    first = next(model.sample_batches(10**12, "a", batch_size=3))
    assert first.shape == (3, 2, 12)


def test_output_check_uses_the_limit_it_is_given():
    from rgan_augment._data import check_output_fits
    check_output_fits(10, 2, 12, np.float64, "x", limit=10 * 2 * 12 * 8)
    with pytest.raises(ValueError, match="x asks for 11 series"):
        check_output_fits(11, 2, 12, np.float64, "x", limit=10 * 2 * 12 * 8)
