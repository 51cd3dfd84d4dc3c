"""Draws keep the side of zero that a channel's training values keep (counts, amounts,
magnitudes: no negative draw), with exact zeros where the generator reaches the bound; a
channel whose values cross zero keeps the margin of a quarter of its range beyond it."""

import numpy as np
import pytest

from rgan_augment import RecurrentGANAugmenter
from rgan_augment._data import ChannelScaler, snap_to_zero

from _toy import tiny


def _counts(n=30, length=24, seed=0):
    """Zero-inflated non-negative counts in channel 0 (sparse bursts), a signed wave in
    channel 1 and a non-positive channel 2; class 1 has bursts early, class 0 late."""
    rng = np.random.default_rng(seed)
    y = np.array([0] * (n - n // 3) + [1] * (n // 3))
    t = np.arange(length)
    counts = np.zeros((n, length))
    for i in range(n):
        centre = 6 if y[i] == 1 else 17
        burst = np.abs(t - centre) < 3
        counts[i, burst] = rng.poisson(20, burst.sum())
    wave = np.sin(2 * np.pi * (t[None, :] / 12 + rng.uniform(0, 1, (n, 1))))
    return np.stack([counts, wave, -np.abs(wave)], axis=1), y


def _scaler(values):
    return ChannelScaler().fit(values, np.full(len(values), values.shape[2]))


def test_bounds_keep_the_sign_and_leave_signed_channels_as_they_were():
    X, _ = _counts()
    scaler = _scaler(X)
    lo, hi = scaler.clip_bounds()
    span = scaler.data_max_ - scaler.data_min_
    assert lo[0] == 0.0 and hi[0] == pytest.approx(scaler.data_max_[0] + 0.25 * span[0])
    assert lo[1] == pytest.approx(scaler.data_min_[1] - 0.25 * span[1])  # crosses zero
    assert hi[1] == pytest.approx(scaler.data_max_[1] + 0.25 * span[1])
    assert hi[2] == 0.0 and lo[2] == pytest.approx(scaler.data_min_[2] - 0.25 * span[2])
    # the generator's bounds are the same ones in scaled units
    g_lo, g_hi = scaler.generator_clip()
    data_lo = g_lo * scaler.scale_ + scaler.mean_
    data_hi = g_hi * scaler.scale_ + scaler.mean_
    np.testing.assert_allclose(data_lo, lo, atol=1e-5 * span.max())
    np.testing.assert_allclose(data_hi, hi, atol=1e-5 * span.max())


def test_positive_data_away_from_zero_keep_their_margin_above_zero():
    X = 100.0 + np.random.default_rng(1).normal(size=(10, 1, 16))  # min ~97, span ~6
    scaler = _scaler(X)
    lo, _ = scaler.clip_bounds()
    assert lo[0] == pytest.approx(scaler.data_min_[0] - 0.25 * (scaler.data_max_[0] - scaler.data_min_[0]))


def test_snap_to_zero_only_on_one_sided_channels():
    out = np.array([[[3e-7, -2e-7, 5.0], [3e-7, -2e-7, 5.0]]])  # (1, 2, 3)
    snapped = snap_to_zero(out, data_min=np.array([0.0, -1.0]), data_max=np.array([10.0, 10.0]))
    np.testing.assert_array_equal(snapped[0, 0], [0.0, 0.0, 5.0])
    np.testing.assert_array_equal(snapped[0, 1], out[0, 1])  # crosses zero: as drawn


def test_draws_of_counts_are_never_negative_and_reach_exact_zeros(tmp_path):
    X, y = _counts()
    aug = RecurrentGANAugmenter(random_state=0, **tiny(30)).fit(X, y)
    span = X[:, 0].max()
    for label in (0, 1):
        S = aug.sample(400, label, random_state=1)
        assert S[:, 0].min() >= 0.0 and S[:, 2].max() <= 0.0
        # draws the generator put at the bound are exact zeros, not a rounding error above
        assert (S[:, 0] == 0).any() and not ((S[:, 0] > 0) & (S[:, 0] < 1e-6 * span)).any()
        assert (S[:, 1] < 0).any() and (S[:, 1] > 0).any()
    X_res, _ = aug.fit_resample(X, y)
    assert X_res[:, 0].min() >= 0.0 and X_res[:, 2].max() <= 0.0
    path = tmp_path / "counts.npz"
    aug.save(path)
    again = RecurrentGANAugmenter.load(path)
    np.testing.assert_array_equal(again.sample(20, 1, random_state=2),
                                  aug.sample(20, 1, random_state=2))
