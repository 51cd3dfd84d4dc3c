"""The discriminator's augmentation (``augment_discriminator``, ``gan/augment.py``)."""

import numpy as np
import pytest
import torch
from _toy import sine_vs_sawtooth, tiny

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.gan.augment import MAX_SHIFT, DiscriminatorAugment


def _ramps(lengths, t=40):
    """Series whose value is their step number (a shift shows as an offset), zero after
    each end, two channels (the second twice the first)."""
    steps = torch.arange(1, t + 1, dtype=torch.float32)
    x = torch.stack([steps, 2 * steps], dim=1).repeat(len(lengths), 1, 1)
    return x * (steps[None, :, None] <= torch.tensor(lengths)[:, None, None])


def test_nothing_changes_at_probability_zero():
    x = _ramps([40, 25, 7])
    out = DiscriminatorAugment(0.0, seed=0)(x, torch.tensor([40, 25, 7]))
    torch.testing.assert_close(out, x)


def test_shifts_stay_inside_each_series_and_scale_channels_together():
    lengths = [40, 25, 7, 1] * 64
    x = _ramps(lengths)
    out = DiscriminatorAugment(1.0, seed=1)(x, torch.tensor(lengths))
    shifts = []
    for length, moved in zip(lengths, out):
        assert torch.all(moved[length:] == 0)  # nothing after the end
        values = moved[:length, 0]
        torch.testing.assert_close(moved[:length, 1], 2 * values)  # one factor for all channels
        if length == 1:
            continue
        steps = torch.diff(values)
        factor = steps.max()  # a shifted ramp rises by the factor, or holds at an edge
        assert torch.all((steps.abs() < 1e-5) | ((steps - factor).abs() < 1e-4))
        start = (values[0] / factor).round()
        shift = int(1 - start) if start > 1 else int((steps.abs() < 1e-5).sum())
        assert abs(shift) <= round(MAX_SHIFT * length)
        shifts.append(shift / length)
    assert min(shifts) < -0.08 and max(shifts) > 0.08  # both ways, up to ~1/8


def test_the_draws_repeat_with_the_seed_and_gradients_pass():
    x = _ramps([40, 30]).requires_grad_(True)
    a = DiscriminatorAugment(0.5, seed=7)(x, torch.tensor([40, 30]))
    b = DiscriminatorAugment(0.5, seed=7)(x, torch.tensor([40, 30]))
    torch.testing.assert_close(a, b)
    a.sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


@pytest.mark.parametrize("p", [-0.1, 1.5, "yes"])
def test_bad_probabilities_are_refused(p):
    X, y = sine_vs_sawtooth(8, 16)
    with pytest.raises(ValueError, match="augment_discriminator"):
        RecurrentGANAugmenter(**tiny(2), augment_discriminator=p).fit(X, y)


def test_a_fit_with_and_without_it_both_train():
    X, y = sine_vs_sawtooth(10, 16)
    on = RecurrentGANAugmenter(**tiny(10), random_state=0).fit(X, y)
    off = RecurrentGANAugmenter(**tiny(10), random_state=0, augment_discriminator=0.0).fit(X, y)
    assert on.config_.augment == 0.5 and off.config_.augment == 0.0
    a, b = on.sample(6, "saw", random_state=0), off.sample(6, "saw", random_state=0)
    assert np.isfinite(a).all() and np.isfinite(b).all() and not np.array_equal(a, b)
