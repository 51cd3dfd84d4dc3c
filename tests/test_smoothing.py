"""Roughness matching: the smoothing primitives and the fitted augmenter's widths."""

import numpy as np
import pytest
import torch

from rgan_augment import RecurrentGANAugmenter
from rgan_augment._smoothing import calibrate_sigma, gaussian_smooth, roughness, smoothing_helps
from rgan_augment.gan.masks import step_mask

from _toy import sine_vs_sawtooth, tiny

TINY = tiny(20)


def _lengths(n, t):
    return torch.full((n,), t, dtype=torch.long)


def test_roughness_of_known_signals():
    t = torch.arange(10, dtype=torch.float32)
    ramp = t.view(1, 10, 1)
    alternating = ((-1.0) ** t).view(1, 10, 1)
    assert roughness(ramp, _lengths(1, 10)).item() == pytest.approx(0.0)
    assert roughness(alternating, _lengths(1, 10)).item() == pytest.approx(4.0)


def test_roughness_ignores_the_padding_after_each_end():
    rng = np.random.default_rng(0)
    short = torch.as_tensor(rng.normal(size=(1, 7, 2)), dtype=torch.float32)
    padded = torch.cat([short, torch.zeros(1, 5, 2)], dim=1)
    np.testing.assert_allclose(roughness(padded, torch.tensor([7])), roughness(short, torch.tensor([7])))


def test_smoothing_keeps_constants_and_padding_and_never_reads_past_the_end():
    x = torch.zeros(2, 12, 1)
    x[0, :12] = 3.0
    x[1, :8] = 3.0  # ends at 8, zero after
    lengths = torch.tensor([12, 8])
    out = gaussian_smooth(x, lengths, torch.tensor([2.0]))
    torch.testing.assert_close(out[0, :, 0], torch.full((12,), 3.0))
    torch.testing.assert_close(out[1, :8, 0], torch.full((8,), 3.0))  # the end not pulled to 0
    assert torch.all(out[1, 8:] == 0)
    # a series alone and the same series inside a longer padded batch: same result
    rng = np.random.default_rng(1)
    s = torch.as_tensor(rng.normal(size=(1, 8, 1)), dtype=torch.float32)
    alone = gaussian_smooth(s, torch.tensor([8]), torch.tensor([1.5]))
    inside = gaussian_smooth(torch.cat([s, torch.zeros(1, 4, 1)], 1), torch.tensor([8]), torch.tensor([1.5]))
    torch.testing.assert_close(inside[:, :8], alone)


def test_zero_width_is_the_identity():
    x = torch.randn(3, 10, 2, generator=torch.Generator().manual_seed(0))
    assert gaussian_smooth(x, _lengths(3, 10), torch.zeros(2)) is x
    out = gaussian_smooth(x, _lengths(3, 10), torch.tensor([0.0, 1.0]))
    torch.testing.assert_close(out[..., 0], x[..., 0])
    assert not torch.allclose(out[..., 1], x[..., 1])


def test_widths_per_series_match_one_call_per_series():
    """(n, C) widths: each series smoothed with its own row, as if alone."""
    x = torch.randn(3, 20, 2, generator=torch.Generator().manual_seed(0))
    lengths = torch.tensor([20, 14, 9])
    sigma = torch.tensor([[0.0, 1.0], [2.5, 0.0], [0.7, 0.7]])
    out = gaussian_smooth(x, lengths, sigma)
    for i in range(3):
        alone = gaussian_smooth(x[i:i + 1], lengths[i:i + 1], sigma[i])
        torch.testing.assert_close(out[i:i + 1], alone)
    assert torch.equal(out[0, :, 0], x[0, :, 0]) and torch.all(out[2, 9:] == 0)


def test_calibration_matches_the_target_roughness_per_channel():
    g = torch.Generator().manual_seed(0)
    t = torch.linspace(0, 6.28, 64)
    clean = torch.sin(t).view(1, 64, 1).expand(200, 64, 2).clone()
    draws = clean.clone()
    draws[..., 1] += 0.2 * torch.randn(200, 64, generator=g)  # channel 1 too rough
    lengths = _lengths(200, 64)
    target = roughness(clean + 0.02 * torch.randn(200, 64, 2, generator=g), lengths)
    sigma = calibrate_sigma(draws, lengths, target, max_sigma=6.0)
    assert sigma[0] == 0 and sigma[1] > 0
    matched = roughness(gaussian_smooth(draws, lengths, sigma), lengths)
    assert matched[1] == pytest.approx(target[1].item(), rel=0.01)
    # a channel too rough even at the largest width allowed is not smoothed at all
    capped = calibrate_sigma(draws, lengths, target * 1e-3, max_sigma=0.5)
    assert capped.tolist() == [0.0, 0.0]


def test_smoothing_is_kept_only_where_it_brings_the_draws_closer():
    """Wiggle on top of the data's shape: smoothing helps. Draws already distributed
    as the data (fresh white noise against white noise): smoothing only moves them away."""
    g = torch.Generator().manual_seed(0)
    n, t = 200, 48
    lengths = _lengths(n, t)
    phase = torch.rand(n, 1, generator=g) * 6.28
    sines = torch.sin(torch.linspace(0, 12.0, t).view(1, t) + phase).unsqueeze(2)
    wiggly = sines + 0.3 * (-1.0) ** torch.arange(t).view(1, t, 1)
    assert smoothing_helps(sines, wiggly, lengths, torch.tensor([1.0]), rough_weight=1.0)
    noise = torch.randn(n, t, 1, generator=g)
    fresh = torch.randn(n, t, 1, generator=g)
    assert not smoothing_helps(noise, fresh, lengths, torch.tensor([1.0]), rough_weight=1.0)


def _rough(S):
    """Mean |second difference| of series S (n, C, T)."""
    return np.abs(np.diff(S, n=2, axis=2)).mean()


def _add_wiggle(monkeypatch, only_code=None):
    """Make the augmenter's generator draws wiggly: the trained draw plus an alternating
    +-0.3 on every valid step, for every class or only for class code ``only_code``."""
    from rgan_augment import _sampler as module

    real_draw = module.draw

    def wiggly_draw(gen, labels, *args, **kwargs):
        x = real_draw(gen, labels, *args, **kwargs)
        wiggle = 0.3 * (-1.0) ** torch.arange(x.shape[1], dtype=x.dtype).view(1, -1, 1)
        if only_code is not None:
            wiggle = wiggle * (labels == only_code).to(x.dtype).view(-1, 1, 1)
        return x + wiggle * (x != 0)

    monkeypatch.setattr(module, "draw", wiggly_draw)


def test_fitted_draws_are_no_rougher_than_the_data(monkeypatch):
    """A stand-in generator with step-to-step wiggle (the trained one plus an
    alternating +-0.3): the calibrated smoothing brings its draws back to the data's
    roughness; with match_roughness=False they stay rough."""
    _add_wiggle(monkeypatch)
    X, y = sine_vs_sawtooth(30, 32, noise=0.02, seed=2)
    aug = RecurrentGANAugmenter(**TINY, random_state=0).fit(X, y)
    off = RecurrentGANAugmenter(**TINY, match_roughness=False, random_state=0).fit(X, y)
    assert off.smoothing_sigma_ is None
    assert aug.smoothing_sigma_.shape == (2, 1) and np.all(aug.smoothing_sigma_ > 0)

    raw, matched = off.sample(len(y), y, random_state=0), aug.sample(len(y), y, random_state=0)
    assert _rough(raw) > 2 * _rough(X)
    assert _rough(matched) == pytest.approx(_rough(X), rel=0.25)


def test_widths_are_calibrated_per_class(monkeypatch):
    """Wiggle on the draws of one class only: that class gets a width, the other none,
    and each class's smoothed draws come back to its own series' roughness."""
    _add_wiggle(monkeypatch, only_code=0)  # code 0 = 'saw'
    X, y = sine_vs_sawtooth(30, 32, noise=0.02, seed=2, n_minority=6)
    aug = RecurrentGANAugmenter(**TINY, filter_samples=False, random_state=0).fit(X, y)
    assert aug.classes_.tolist() == ["saw", "sine"]
    assert aug.smoothing_sigma_.shape == (2, 1)
    assert aug.smoothing_sigma_[0, 0] > 0 and aug.smoothing_sigma_[1, 0] == 0

    saw = aug.sample(200, "saw", random_state=1)
    assert _rough(saw) == pytest.approx(_rough(X[y == "saw"]), rel=0.25)
    # the sine class is left alone: its draws are within the tolerance of its series
    assert _rough(aug.sample(200, "sine", random_state=1)) <= 1.25 * _rough(X[y == "sine"])


def test_bad_match_roughness():
    X, y = sine_vs_sawtooth(5, 16)
    with pytest.raises(ValueError, match="match_roughness"):
        RecurrentGANAugmenter(match_roughness="yes", **TINY).fit(X, y)


def test_calibration_of_a_large_class_compares_a_capped_subset(monkeypatch):
    """The MMD check is quadratic in the draws: a class of 3,000 series is judged on
    ``CALIBRATION_CAP`` of them (before the cap, 20,000 series took 46 s and 7 GB)."""
    import rgan_augment._smoothing as smoothing

    seen = []
    original = smoothing.calibrate_sigma

    def spy(draws, draw_lengths, target, max_sigma, **kwargs):
        seen.append(len(draws))
        return original(draws, draw_lengths, target, max_sigma, **kwargs)

    monkeypatch.setattr(smoothing, "calibrate_sigma", spy)
    X, y = sine_vs_sawtooth(1500, 16, seed=0)
    assert len(X) == 3000
    RecurrentGANAugmenter(**TINY, filter_samples=False, random_state=0).fit(X, y)
    assert seen == [smoothing.CALIBRATION_CAP] * 2


@pytest.mark.parametrize("per_series, dilation", [(False, 1), (True, 1), (False, 4)])
def test_wide_kernels_through_the_fft_match_the_direct_convolution(monkeypatch, per_series,
                                                                    dilation):
    """Kernels wider than FFT_TAPS go through the FFT (linear in the length instead of
    length x taps); they give the direct convolution's result, padding and masks too."""
    from rgan_augment import _smoothing

    g = torch.Generator().manual_seed(0)
    n, t, c = 6, 600, 3
    lengths = torch.tensor([600, 599, 450, 300, 17, 1])
    x = torch.randn(n, t, c, generator=g) * step_mask(lengths, t).unsqueeze(2)
    sigma = torch.tensor([40.0, 0.0, 7.0])
    if per_series:
        sigma = sigma.expand(n, c) * torch.linspace(0.5, 1.5, n)[:, None]
    monkeypatch.setattr(_smoothing, "FFT_TAPS", 10**9)
    direct = gaussian_smooth(x, lengths, sigma, dilation)
    monkeypatch.setattr(_smoothing, "FFT_TAPS", 129)
    via_fft = gaussian_smooth(x, lengths, sigma, dilation)
    torch.testing.assert_close(via_fft, direct, rtol=0, atol=1e-6)
    assert (via_fft[~step_mask(lengths, t)] == 0).all()


def test_max_time_covers_the_calibration_too():
    """max_time bounds the whole fit: training stops past its share (scored where it
    stops, not at the next scheduled evaluation), and classes the calibration has no time
    left for are not smoothed, with a warning."""
    X, y = sine_vs_sawtooth(n_per_class=20, length=64)
    with pytest.warns(UserWarning, match="ran out before the roughness calibration"):
        aug = RecurrentGANAugmenter(n_steps=500, hidden_size=8, max_time=0.05,
                                    random_state=0).fit(X, y)
    assert aug.n_steps_ < 500 and aug.best_step_ in aug.history_["step"]
    assert aug.smoothing_sigma_.shape == (2, 1) and not aug.smoothing_sigma_.any()
    assert np.isfinite(aug.sample(5, "saw")).all()
