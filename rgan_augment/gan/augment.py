"""Differentiable augmentation of what the discriminator judges.

A class of a handful of series gives the discriminator a handful of real examples to
learn by heart; the generator then earns its praise by drawing those very series again.
As in DiffAugment (Zhao et al. 2020) and ADA (Karras et al. 2020), every series the
discriminator judges, real or drawn alike, is first passed through random, differentiable
transformations, so that the discriminator learns the class rather than its members and
the generator's gradients pass through the same transformations. Applied to both sides
with the same probabilities, they do not show in the draws themselves.

Two transformations, each applied to a series with probability ``p``, independently:

- a shift in time by up to 1/8 of the series' length either way, the series' edge value
  repeated into the steps it leaves;
- a scale of its amplitude (all channels by one factor, log-normal with sd 0.2) about
  the channel means of the training data (the networks' zero).

The reference series of example conditioning is left as it is.
"""

from __future__ import annotations

import torch

from .masks import step_mask

MAX_SHIFT = 1 / 8  # of each series' length, either way
LOG_SCALE_SD = 0.2


class DiscriminatorAugment:
    """Random shifts and scales of a batch of series, drawn from a private CPU generator
    (seeded, so a fit repeats; the same draws whatever the device)."""

    def __init__(self, p, seed):
        self.p = float(p)
        self.rng = torch.Generator(device="cpu").manual_seed(seed)

    def _uniform(self, n, device):
        return torch.rand(n, generator=self.rng).to(device)

    def __call__(self, x, lengths):
        """x: (b, T_padded, C) scaled series, zero after each end at ``lengths`` (b,)
        -> the same shape, each series shifted and scaled (or not) at random."""
        b, t, c = x.shape
        dev = x.device
        length = lengths.clamp(1, t).to(dev)
        shifted = self._uniform(b, dev) < self.p
        shift = ((self._uniform(b, dev) * 2 - 1) * MAX_SHIFT * length).round().long() * shifted
        steps = torch.arange(t, device=dev).unsqueeze(0) - shift.unsqueeze(1)
        index = torch.minimum(steps.clamp_min(0), (length - 1).unsqueeze(1))
        moved = torch.gather(x, 1, index.unsqueeze(2).expand(b, t, c))
        scaled = self._uniform(b, dev) < self.p
        factor = torch.exp(torch.randn(b, generator=self.rng).to(dev) * LOG_SCALE_SD)
        factor = torch.where(scaled, factor, torch.ones_like(factor)).to(x.dtype)
        inside = step_mask(length, t).to(x.dtype)
        return moved * (factor.unsqueeze(1) * inside).unsqueeze(2)
