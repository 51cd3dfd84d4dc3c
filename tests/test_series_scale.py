"""Per-series scale: channels whose series differ in size by orders of magnitude are
modelled at unit size and drawn at the sizes of their class's series."""


import numpy as np
import pytest

from rgan_augment import RecurrentGANAugmenter
from rgan_augment._series_scale import detect_scale_spread, series_rms, unit_scales
from rgan_augment.persistence import ModelFileError

from _toy import rewrite_document, tiny

TINY = tiny(20, random_state=0)


def _sizes_apart(n=40, length=32, seed=0):
    """Channel 0: sines whose sizes span 1e-3 .. 1e2 (class 1 the small ones, class 0
    the large ones); channel 1: random walks of one size. Labels 0/1."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = np.arange(length)
    exponent = np.where(y == 1, rng.uniform(-3, -1, n), rng.uniform(0, 2, n))
    sines = np.sin(t[None, :] * 0.4 + rng.uniform(0, 6, (n, 1))) * 10.0 ** exponent[:, None]
    walks = rng.normal(size=(n, length)).cumsum(1)
    return np.stack([sines, walks], axis=1), y


def test_detection_flags_only_the_spread_channel():
    X, _ = _sizes_apart()
    flags, rms = detect_scale_spread(X, np.full(len(X), X.shape[2]))
    assert flags.tolist() == [True, False]
    np.testing.assert_allclose(rms[:, 0], np.sqrt((X[:, 0] ** 2).mean(1)))


def test_rms_over_valid_steps_and_zero_series():
    values = np.zeros((2, 1, 6))
    values[0, 0, :4] = [3.0, -3.0, 3.0, -3.0]
    lengths = np.array([4, 6])
    rms = series_rms(values, lengths)
    assert rms[:, 0].tolist() == [3.0, 0.0]
    # a zero series keeps divisor 1 (nothing to rescale); unflagged channels 1 too
    assert unit_scales(rms, np.array([True]))[:, 0].tolist() == [3.0, 1.0]
    assert unit_scales(rms, np.array([False]))[:, 0].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("spread", [1.0, 50.0, 500.0])
def test_no_flag_below_three_orders_of_magnitude(spread):
    rng = np.random.default_rng(0)
    sizes = np.exp(rng.uniform(0, np.log(spread), 60))
    X = rng.normal(size=(60, 1, 20)) * sizes[:, None, None]
    flags, _ = detect_scale_spread(X, np.full(60, 20))
    assert not flags.any()


def test_draws_take_the_sizes_of_their_class():
    X, y = _sizes_apart()
    aug = RecurrentGANAugmenter(**TINY).fit(X, y)
    assert aug.series_scale_channels_.tolist() == [True, False]
    assert [len(a) for a in aug.series_scales_] == [20, 20]
    for label in (0, 1):
        real = np.sqrt((X[y == label, 0] ** 2).mean(1))
        drawn = np.sqrt((aug.sample(200, label, random_state=1)[:, 0] ** 2).mean(1))
        assert np.isfinite(drawn).all()
        # medians within a factor of 10 of the class's own (the classes are 1,000x apart)
        assert 0.1 < np.median(drawn) / np.median(real) < 10
    off = RecurrentGANAugmenter(**TINY, scale_series=False).fit(X, y)
    assert off.series_scale_channels_ is None and off.series_scales_ is None


def test_training_data_left_untouched():
    X, y = _sizes_apart()
    before = X.copy()
    RecurrentGANAugmenter(**TINY).fit_resample(X, y)
    np.testing.assert_array_equal(X, before)


def test_unequal_lengths_keep_zero_padding_and_list_output():
    X, y = _sizes_apart(length=30)
    series = [x[:, : 20 + i % 10] for i, x in enumerate(X)]
    aug = RecurrentGANAugmenter(**TINY).fit(series, y)
    assert aug.series_scale_channels_ is not None
    drawn = aug.sample(20, 1, random_state=0)
    assert isinstance(drawn, list) and all(np.isfinite(s).all() for s in drawn)
    assert {s.shape[1] for s in drawn} <= set(range(20, 30))


def test_bad_parameter():
    X, y = _sizes_apart()
    with pytest.raises(ValueError, match="scale_series"):
        RecurrentGANAugmenter(**{**TINY, "scale_series": "yes"}).fit(X, y)


def test_safe_format_round_trip_and_damage(tmp_path):
    X, y = _sizes_apart()
    aug = RecurrentGANAugmenter(**TINY).fit(X, y)
    path = tmp_path / "aug.npz"
    aug.save(path)
    loaded = RecurrentGANAugmenter.load(path)
    assert loaded.series_scale_channels_.tolist() == [True, False]
    np.testing.assert_array_equal(loaded.sample(6, 1, random_state=3), aug.sample(6, 1, random_state=3))
    rewrite_document(path, lambda doc: doc["calibrations"].update(series_scale=None))
    with pytest.raises(ModelFileError, match="unexpected member"):  # its arrays still there
        RecurrentGANAugmenter.load(path)
    aug.save(path)
    rewrite_document(path, lambda doc: doc["calibrations"]["series_scale"].update(channels=[True]))
    with pytest.raises(ModelFileError):
        RecurrentGANAugmenter.load(path)
