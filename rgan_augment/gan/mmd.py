"""The kernel MMD and its series features: shared by the training loss, the checkpoint
score, the roughness calibration and :mod:`rgan_augment.metrics`."""

from __future__ import annotations

import math

import torch


def _mixture_mmd(d2, n, med):
    """MMD^2 from the squared distances ``d2`` of [a; b] (a: the first ``n`` rows), with
    a mixture of RBF kernels at 0.25, 1 and 4 times the squared distance ``med``."""
    k = sum(torch.exp(-d2 / (s * med)) for s in (0.25, 1.0, 4.0))
    return k[:n, :n].mean() + k[n:, n:].mean() - 2 * k[:n, n:].mean()


def mmd(a, b):
    """Unbiased-enough MMD^2 with a mixture of RBF kernels around the median distance."""
    z = torch.cat([a, b])
    d2 = torch.cdist(z, z).pow(2)
    n = a.shape[0]
    return _mixture_mmd(d2, n, d2[:n, :n].median().clamp_min(1e-8)).item()


def batch_mmd(real, fake, labels, n_classes, rough_weight=0.0):
    """Differentiable MMD^2 between a real and a fake batch with the same labels.

    The label enters the kernel as a far-apart one-hot coordinate, so only pairs of
    the same class count: a class-conditional moment-matching signal that guides the
    generator from the first step, while the adversarial loss sharpens the details.
    """
    a, b = mmd_features(real.float(), rough_weight), mmd_features(fake.float(), rough_weight)
    d2 = torch.cdist(torch.cat([a, b]), torch.cat([a, b])).pow(2)
    if labels is not None and n_classes > 1:
        lab = torch.cat([labels, labels])
        d2 = d2 + 1e4 * (lab[:, None] != lab[None, :]).float()
    n = a.shape[0]
    med = d2[:n, :n][d2[:n, :n] < 1e4].median().detach().clamp_min(1e-6)
    return _mixture_mmd(d2, n, med)


# Weight of second differences in the MMD features, at most: measured on GunPoint with
# one class cut to 3 series (10 seed/class runs), fidelity of class 2 mean 0.80 -> 0.88,
# worst run 0.08 -> 0.71 with a fixed weight of 12; the generator's step-to-step wiggles
# (5-8x the real ones) were what the MiniRocket judge read as the other class. Not
# larger: on the two weakest of those runs a cap of 24 gave 0.80 / 0.79 but 48 gave
# 0.02 / 0.28 (the second differences then set the kernel's bandwidth and the shape is
# lost). 8 rather than 12: on very smooth data (full Sines, second differences ~1 % of
# the values) 12 let the checkpoint score pick an early, worse state (discriminative
# 0.212 vs 0.023 with 8); with 8 GunPoint class 2 mean 0.915 (12: 0.899), imbalanced
# benchmark MiniRocket 0.935 (12: 0.931), the other three data sets unchanged (their
# weights lie below 8).
_MAX_ROUGH_WEIGHT = 8.0


def roughness_weight(x):
    """Weight of the second differences in :func:`mmd_features`, from the training data.

    ``_MAX_ROUGH_WEIGHT``, lowered for data whose second differences are large (noisy or
    fast-oscillating series) so that their block never outweighs the values themselves
    on the training data (RMS of the weighted second differences <= RMS of the values).
    """
    if x.shape[1] < 3:
        return 0.0
    x = x.float()
    d2 = torch.diff(x, n=2, dim=1)
    rms_x = x.pow(2).mean().sqrt().item()
    rms_d2 = d2.pow(2).mean().sqrt().item()
    if rms_d2 <= 1e-12 * max(rms_x, 1e-30):
        return _MAX_ROUGH_WEIGHT
    return float(min(_MAX_ROUGH_WEIGHT, rms_x / rms_d2))


def mmd_features(x, rough_weight=0.0):
    """Per-series feature vector for the kernel MMD: the values, their first differences
    (x2) and, weighted by ``rough_weight``, their second differences, so that excess
    step-to-step wiggle (a typical generator artefact) costs distance."""
    t = x.shape[1]
    d = torch.diff(x, dim=1)
    parts = [x.flatten(1), 2.0 * d.flatten(1)]
    if rough_weight > 0 and t > 2:
        parts.append(rough_weight * torch.diff(d, dim=1).flatten(1))
    return torch.cat(parts, dim=1) / math.sqrt(t)
