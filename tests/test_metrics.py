"""Quality metrics on cases with a known answer."""

import numpy as np
import pytest

from rgan_augment.datasets import make_sines
from rgan_augment.metrics import discriminative_score, mmd_score, predictive_score, tstr_score


def sines(n, seed):
    return make_sines(n, n_channels=3, random_state=seed)


REAL, REAL2 = sines(400, 0), sines(400, 1)
NOISE = np.random.default_rng(2).uniform(0, 1, size=REAL.shape)


def test_discriminative_real_vs_real_near_zero_and_vs_noise_near_half():
    same = discriminative_score(REAL, REAL2, n_steps=1000)
    apart = discriminative_score(REAL, NOISE, n_steps=1000)
    assert same < 0.1, same
    assert apart > 0.4, apart


def test_predictive_real_beats_noise():
    # a short run (500 steps, not the protocol's 5,000): the ordering is what is tested
    good = predictive_score(REAL, REAL2, n_steps=500)
    bad = predictive_score(REAL, NOISE, n_steps=500)
    assert good < 0.3, good
    assert bad > 1.5 * good, (good, bad)


def test_tstr_real_copy_high_and_shuffled_labels_low():
    rng = np.random.default_rng(0)
    X = np.concatenate([sines(60, 3), 1 - sines(60, 4)])
    y = np.array([0] * 60 + [1] * 60)
    X_test = np.concatenate([sines(60, 5), 1 - sines(60, 6)])
    assert tstr_score(X, y, X_test, y) > 0.9
    assert tstr_score(X, rng.permutation(y), X_test, y) < 0.7


def test_mmd_orders_distributions():
    assert mmd_score(REAL, REAL2) < 0.2 * mmd_score(REAL, NOISE)


def test_roughness_weight_from_the_data_and_wiggles_cost_mmd():
    import torch

    from rgan_augment.gan.mmd import _MAX_ROUGH_WEIGHT, roughness_weight

    smooth = torch.from_numpy(REAL.transpose(0, 2, 1).astype(np.float32))
    noise = torch.from_numpy(np.random.default_rng(0).normal(size=(200, 64, 2)).astype(np.float32))
    assert roughness_weight(smooth) == _MAX_ROUGH_WEIGHT  # smooth data: the full weight
    # white noise: RMS of second differences is sqrt(6) x that of the values
    assert roughness_weight(noise) == pytest.approx(1 / np.sqrt(6), rel=0.05)
    assert roughness_weight(smooth[:, :2]) == 0.0  # no second differences to compare
    # a step-to-step wiggle costs more MMD than a smooth shift of the same size
    step = 0.02 * REAL.std()
    wiggle = REAL2 + step * (-1.0) ** np.arange(REAL.shape[2])
    shifted = REAL2 + step
    assert mmd_score(REAL, wiggle) > 3 * mmd_score(REAL, shifted)


def test_metrics_reject_mismatched_shapes():
    with pytest.raises(ValueError, match="differ in shape"):
        discriminative_score(REAL, REAL[:, :2], n_steps=1)
    with pytest.raises(ValueError, match="differ in shape"):  # was numpy's broadcast error
        mmd_score(REAL, REAL[:, :2])
    with pytest.raises(ValueError, match="differ in shape"):
        mmd_score(REAL, REAL[:, :, :10])


def _cut(X, seed):
    """Unequal-length copies: each series cut to a random length of 12-24 steps."""
    lengths = np.random.default_rng(seed).integers(12, 25, size=len(X))
    return [x[:, :n] for x, n in zip(X, lengths)]


def test_timegan_scores_take_unequal_lengths():
    real, real2 = _cut(REAL[:200], 0), _cut(REAL2[:200], 1)
    noise = _cut(NOISE[:200], 2)
    assert discriminative_score(real, real2, n_steps=600) < 0.1
    assert discriminative_score(real, noise, n_steps=600) > 0.3
    good = predictive_score(real, real2, n_steps=300)
    assert good < 1.5 * predictive_score(REAL[:200], REAL2[:200], n_steps=300) + 0.05
    assert predictive_score(real, noise, n_steps=300) > 1.5 * good
