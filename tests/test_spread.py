"""Spread matching (``match_spread``): the distance, the calibration's rule, the noise
scaling in the generator's draw, and the option on a fitted augmenter."""

import time
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from rgan_augment import RecurrentGANAugmenter
from rgan_augment._spread import NOISE_SCALES, fit_noise_scales, mean_pairwise_distance
from rgan_augment.gan.training import draw

from _toy import sine_vs_sawtooth, tiny

TINY = tiny(12, random_state=0)


def test_mean_pairwise_distance_of_known_series():
    x = np.stack([np.zeros((1, 4)), np.ones((1, 4)), np.full((1, 4), 3.0)])
    full = np.full(3, 4)
    # pairs: 1, 3, 2 -> mean 2
    assert mean_pairwise_distance(x, full, np.ones(1)) == pytest.approx(2.0)
    assert mean_pairwise_distance(x, full, np.full(1, 2.0)) == pytest.approx(1.0)
    assert mean_pairwise_distance(x[:1], full[:1], np.ones(1)) == 0.0


def test_mean_pairwise_distance_compares_the_steps_both_series_have():
    short = np.array([[1.0, 1.0, 0.0, 0.0]])  # ends after 2 steps, zero after
    long_ = np.array([[0.0, 0.0, 5.0, 5.0]])
    x = np.stack([short, long_])
    assert mean_pairwise_distance(x, np.array([2, 4]), np.ones(1)) == pytest.approx(1.0)


def _fake_draws(widths):
    """draw_class whose draws of class c are spread out widths[c] * scale."""
    base = np.random.default_rng(0).normal(size=(64, 1, 8))

    def draw_class(code, scales):
        return base * widths[code] * scales[code], np.full(64, 8)
    return draw_class


def _real(spreads, n=8):
    rng = np.random.default_rng(1)
    values = np.concatenate([rng.normal(size=(n, 1, 8)) * s for s in spreads])
    return values, np.full(len(values), 8), np.repeat(np.arange(len(spreads)), n)


def test_each_class_gets_the_smallest_scale_that_reaches_its_spread():
    values, lengths, codes = _real([1.0, 1.0, 1.0])
    # draws as spread as the class, at 0.7 of it, and at a tenth of it
    scales, late = fit_noise_scales(_fake_draws([1.2, 0.7, 0.1]), values, lengths, codes, 3)
    assert late == 0
    assert scales[0] == 1.0
    assert scales[1] == 1.5  # 0.7 * 1.25 < 1 <= 0.7 * 1.5, up to the sampling spread
    assert scales[2] == max(NOISE_SCALES)  # never reached: the cap


def test_a_class_of_one_series_and_a_spent_deadline_keep_scale_one():
    values, lengths, codes = _real([1.0, 1.0])
    one = np.concatenate([np.flatnonzero(codes == 0), np.flatnonzero(codes == 1)[:1]])
    scales, late = fit_noise_scales(_fake_draws([0.1, 0.1]), values[one], lengths[one],
                                    codes[one], 2)
    assert scales.tolist() == [max(NOISE_SCALES), 1.0]
    scales, late = fit_noise_scales(_fake_draws([0.1, 0.1]), values, lengths, codes, 2,
                                    deadline=time.perf_counter() - 1)
    assert scales.tolist() == [1.0, 1.0] and late == 2


def test_the_scale_multiplies_both_noise_inputs_per_series():
    seen = {}

    def generator(latent, noise, labels, ref, ref_valid):
        seen["latent"], seen["noise"] = latent, noise
        return torch.zeros(latent.shape[0], 6, 1)

    config = SimpleNamespace(latent_dim=3, n_chunks=2, noise_dim=4)
    lengths = torch.tensor([6, 6])
    draw(generator, None, lengths, torch.Generator().manual_seed(0), config)
    plain = {k: v.clone() for k, v in seen.items()}
    draw(generator, None, lengths, torch.Generator().manual_seed(0), config,
         noise_scale=torch.tensor([1.0, 2.0]))
    torch.testing.assert_close(seen["latent"], plain["latent"] * torch.tensor([[1.0], [2.0]]))
    torch.testing.assert_close(seen["noise"][0], plain["noise"][0])
    torch.testing.assert_close(seen["noise"][1], 2 * plain["noise"][1])


@pytest.fixture(scope="module")
def fitted():
    X, y = sine_vs_sawtooth(n_per_class=12, length=16, n_minority=3)
    plain = RecurrentGANAugmenter(**TINY).fit(X, y)
    spread = RecurrentGANAugmenter(**TINY, match_spread=True).fit(X, y)
    return X, y, plain, spread


def test_the_option_calibrates_after_training_and_only_scales_the_noise(fitted):
    X, y, plain, spread = fitted
    assert plain.noise_scale_ is None
    assert spread.noise_scale_.shape == (2,)
    assert set(spread.noise_scale_.tolist()) <= set(NOISE_SCALES)
    # training is untouched: the same history, and at scale 1 the very same draws
    for key in ("step", "loss_d", "loss_g", "mmd"):  # all but the seconds
        assert spread.history_[key] == plain.history_[key]
    spread.noise_scale_, scales = np.ones(2), spread.noise_scale_
    try:
        np.testing.assert_array_equal(spread.sample(8, y[0], random_state=5),
                                      plain.sample(8, y[0], random_state=5))
    finally:
        spread.noise_scale_ = scales


def test_scaled_noise_spreads_the_draws_out(fitted):
    X, y, plain, spread = fitted
    minority = y[-1]
    draws, scales = {}, spread.noise_scale_
    try:
        for scale in (1.0, 2.0):
            spread.noise_scale_ = np.full(2, scale)
            draws[scale] = spread.sample(64, minority, random_state=3)
    finally:
        spread.noise_scale_ = scales
    lengths = np.full(64, X.shape[2])
    spreads = {s: mean_pairwise_distance(d, lengths, np.ones(X.shape[1])) for s, d in draws.items()}
    assert spreads[2.0] > spreads[1.0]


def test_the_scales_survive_both_file_formats(fitted, tmp_path):
    import joblib

    X, y, plain, spread = fitted
    spread.save(tmp_path / "m.npz")
    joblib.dump(spread, tmp_path / "m.joblib")
    for back in (RecurrentGANAugmenter.load(tmp_path / "m.npz"), joblib.load(tmp_path / "m.joblib")):
        np.testing.assert_array_equal(back.noise_scale_, spread.noise_scale_)
        np.testing.assert_array_equal(back.sample(4, y[0], random_state=2),
                                      spread.sample(4, y[0], random_state=2))


def test_bad_match_spread():
    X, y = sine_vs_sawtooth(n_per_class=6, length=16)
    with pytest.raises(ValueError, match="match_spread"):
        RecurrentGANAugmenter(match_spread="yes", **TINY).fit(X, y)
