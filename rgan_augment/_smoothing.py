"""Roughness matching: a Gaussian smoothing of the generator's output per class and
channel, calibrated after training so that synthetic series are no rougher than the
training series of their class.

A recurrent generator that emits several steps at once tends to leave step-to-step
wiggle that the data does not have; a classifier trained on real data (MiniRocket
above all) then reads it as a feature of some other class. Roughness here is the mean
absolute second difference per channel over the valid steps of each series. After
``fit`` a fixed draw of the generator for each class is smoothed with the per-channel
width ``sigma`` (in time steps) that brings its roughness down to that class's training
series (the augmenter calls :func:`calibrate_sigma` once per class); a channel whose
draws are within ``ROUGHNESS_TOLERANCE`` (1.25x) of the data's roughness keeps
``sigma = 0``, and a class keeps its widths only where :func:`smoothing_helps` finds
that they bring its draws closer to its series.

Smoothing is a normalised convolution, ``conv(x * m) / conv(m)`` with ``m`` the
valid-step mask, so the zero padding after the end of a shorter series never leaks
into its last steps and the ends are not pulled towards zero.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch
import torch.nn.functional as F

from ._cycles import cycle_roughness
from ._data import evenly_spaced
from ._record import Record
from .gan.masks import step_mask
from .gan.mmd import mmd, mmd_features, roughness_weight

# Draws whose roughness is within this factor of the data's are left alone: smoothing
# also damps fast structure the data has. Measured: ACSF1 (mains waveforms with an exact
# 4-step cycle) draws 1.07x as rough as the data, smoothed to 1.0x (sigma 0.36), lost
# fidelity 0.35 -> 0.27; GunPoint's draws, 1.9-2.7x, gain (worst of 10 runs 0.70 -> 0.83).
ROUGHNESS_TOLERANCE = 1.25
_BISECTION_STEPS = 24


class OutOfTime(Exception):
    """The calibration's deadline (``max_time``) passed before a class's widths were found."""


def _check_deadline(deadline):
    if deadline is not None and time.perf_counter() > deadline:
        raise OutOfTime


def roughness(x, lengths):
    """Mean |second difference| per channel over valid steps; x: (n, T, C), zero after ends."""
    n, t, c = x.shape
    if t < 3:
        return torch.zeros(c, dtype=torch.float64)
    d2 = (x[:, 2:] - 2 * x[:, 1:-1] + x[:, :-2]).abs().double()
    # second difference i (of steps i, i+1, i+2) is valid when step i+2 is
    valid = step_mask(lengths.to(x.device) - 2, t - 2).unsqueeze(2).double()
    count = valid.sum().clamp_min(1.0)
    return ((d2 * valid).sum((0, 1)) / count).cpu()


def _roughness_of(x, lengths, cycle):
    """What a smoothing is calibrated on: :func:`roughness` (step to step, ``cycle`` 0)
    or the mean change over one cycle (:func:`~rgan_augment._cycles.cycle_roughness`)."""
    return cycle_roughness(x, lengths, cycle) if cycle else roughness(x, lengths)


def _kernels(sigma, dtype, device):
    """Depthwise Gaussian kernels (C, 1, K), one per row of ``sigma``, each cut at its own
    3 sigma (so a row's result never depends on the widths beside it); 0 is the identity."""
    sigma = torch.as_tensor(sigma, dtype=torch.float64)
    half = max(1, math.ceil(3.0 * float(sigma.max()))) if float(sigma.max()) > 0 else 0
    offsets = torch.arange(-half, half + 1, dtype=torch.float64)
    safe = sigma.clamp_min(1e-12)[:, None]
    own_half = torch.ceil(3.0 * sigma).clamp_min(1.0)[:, None]
    k = torch.exp(-0.5 * (offsets[None, :] / safe) ** 2) * (offsets[None, :].abs() <= own_half)
    k = torch.where(sigma[:, None] > 0, k, (offsets[None, :] == 0).double())
    k = k / k.sum(1, keepdim=True)
    return k.unsqueeze(1).to(device=device, dtype=dtype), half


def gaussian_smooth(x, lengths, sigma, dilation=1):
    """Smooth each channel of x (n, T, C) with its own Gaussian width: ``sigma`` of shape
    (C,) (the same widths for every series) or (n, C) (widths per series and channel).

    ``dilation`` d > 1 averages step t with t +- d, t +- 2d, ... only (across the cycles
    of data that repeat every d steps; ``sigma`` then counts cycles). Steps after each
    series' end stay zero and never enter the smoothed values."""
    sigma = torch.as_tensor(sigma)
    if float(sigma.max()) <= 0:
        return x
    n, t, c = x.shape
    mask = step_mask(lengths.to(x.device), t).to(x.dtype)
    xm = (x * mask.unsqueeze(2)).transpose(1, 2)  # (n, C, T)
    mask_c = mask.unsqueeze(1).expand(n, c, t)
    d = int(dilation)
    if sigma.dim() == 1:  # one kernel per channel, the same for every series
        k, half = _kernels(sigma, x.dtype, x.device)
        num, den = _depthwise(xm, k, half, d), _depthwise(mask_c, k, half, d)
    else:  # one kernel per series and channel: n * C rows, each with its own
        k, half = _kernels(sigma.reshape(n * c), x.dtype, x.device)
        num = _depthwise(xm.reshape(1, n * c, t), k, half, d).view(n, c, t)
        den = _depthwise(mask_c.reshape(1, n * c, t), k, half, d).view(n, c, t)
    out = num / den.clamp_min(1e-12)
    return out.transpose(1, 2) * mask.unsqueeze(2)


# A kernel that spans more steps than this (dilation included) is applied through the
# FFT: a direct convolution costs steps x taps, and the widest widths (a tenth of the
# length) made the calibration and sampling of long series grow with the square of
# their length.
FFT_TAPS = 129


def _depthwise(a, k, half, dilation):
    """Each row r of ``a`` (B, R, T) correlated with its kernel ``k[r]`` (R, 1, 2 half + 1)
    dilated by ``dilation``, zero beyond both ends, same length out. Direct for short
    kernels; through the FFT (in float64, then back to ``a``'s dtype) for long ones."""
    rows, t = a.shape[1], a.shape[2]
    span = half * dilation
    if 2 * span + 1 <= FFT_TAPS:
        return F.conv1d(a, k, padding=span, dilation=dilation, groups=rows)
    taps = torch.zeros(rows, 2 * span + 1, dtype=torch.float64, device=a.device)
    taps[:, ::dilation] = k[:, 0].double()
    size = t + 2 * span  # a linear (not circular) convolution fits
    spectrum = torch.fft.rfft(a.double(), size) * torch.fft.rfft(taps, size)
    # the kernels are symmetric, so convolution and correlation agree
    return torch.fft.irfft(spectrum, size)[..., span:span + t].to(a.dtype)


def calibrate_sigma(draws, draw_lengths, target, max_sigma, cycle=0, deadline=None):
    """Per-channel widths that bring the roughness of ``draws`` down to ``target`` (C,).

    With ``cycle`` P > 0: the widths (in cycles) of a smoothing across cycles that bring
    the draws' :func:`~rgan_augment._cycles.cycle_roughness` down to ``target``.

    Bisection on each channel at once (roughness falls as the width grows); a channel
    already within ``ROUGHNESS_TOLERANCE`` of its target gets 0, and so does one that
    stays too rough even at ``max_sigma``: its excess is not step-to-step wiggle but
    shape, and blurring it only distorts the series (full Sines: draws 1.3-1.8x as
    rough as the data reached the cap of 2.4 steps, and the discriminative score went
    0.023 -> 0.471). Raises :class:`OutOfTime` once ``perf_counter()`` passes ``deadline``."""
    target = torch.as_tensor(target, dtype=torch.float64)
    raw = _roughness_of(draws, draw_lengths, cycle)
    need = raw > ROUGHNESS_TOLERANCE * target
    lo = torch.zeros_like(target)
    hi = torch.full_like(target, float(max_sigma))
    if not bool(need.any()):
        return torch.zeros_like(target)
    for _ in range(_BISECTION_STEPS):
        _check_deadline(deadline)
        mid = torch.where(need, (lo + hi) / 2, torch.zeros_like(lo))
        rough = _roughness_of(gaussian_smooth(draws, draw_lengths, mid, max(cycle, 1)),
                              draw_lengths, cycle)
        too_rough = rough > target
        lo = torch.where(need & too_rough, mid, lo)
        hi = torch.where(need & ~too_rough, mid, hi)
    reachable = hi < float(max_sigma)
    return torch.where(need & reachable, hi, torch.zeros_like(hi))


def smoothing_helps(real, draws, draw_lengths, sigma, rough_weight, max_real=512, dilation=1):
    """Whether smoothing ``draws`` (n, T, C) with the widths ``sigma`` brings them closer
    to ``real`` (m, T, C; both zero after each end) under the checkpoint score's distance
    (kernel MMD on :func:`~rgan_augment.gan.training.mmd_features` with ``rough_weight``);
    at most ``max_real`` real series, evenly spaced, enter the comparison."""
    real_f = mmd_features(real[:: max(1, len(real) // max_real)][:max_real], rough_weight)
    smoothed = gaussian_smooth(draws, draw_lengths, sigma, dilation)
    return mmd(real_f, mmd_features(smoothed, rough_weight)) < mmd(
        real_f, mmd_features(draws, rough_weight))


def class_widths(real, real_len, raw, raw_len, rough_weight, max_sigma, cycle=0, deadline=None):
    """One class's smoothing widths (C,) float64 for its draws ``raw``: step to step
    (second-difference roughness) or, with ``cycle`` P, across cycles (mean change over
    P steps; widths in cycles); zeroed unless :func:`smoothing_helps` finds they bring
    the draws closer to the class's series ``real``; a class with one series keeps them
    (no spread to judge by). Raises :class:`OutOfTime` past ``deadline``."""
    _check_deadline(deadline)
    target = _roughness_of(real, real_len, cycle)
    widths = calibrate_sigma(raw, raw_len, target, max_sigma=max_sigma, cycle=cycle,
                             deadline=deadline)
    _check_deadline(deadline)
    if float(widths.max()) > 0 and len(real) > 1 and not smoothing_helps(
            real, raw, raw_len, widths, rough_weight, dilation=max(cycle, 1)):
        widths = torch.zeros_like(widths)
    return widths.numpy()


# series per class that the roughness calibration compares: a large class is judged on an
# evenly spaced subset (the MMD check is quadratic in the draws: 20,000 series of one
# class took 46 s and 7 GB before the cap)
CALIBRATION_CAP = 1024


def fit_smoothing_widths(draw, scaled, lengths, codes, seed, series_lengths, cycle=0,
                         deadline=None, n_draws=512, min_per_class=64):
    """Gaussian widths per class and channel that make the generator's draws of each
    class as smooth as that class's training series: float64 array (n_classes,
    n_channels) ((1, n_channels) unconditional), 0 = no smoothing; with the widths
    across cycles of ``cycle`` steps (same shape, in cycles; calibrated on the draws
    after the first smoothing; None for ``cycle=0``) and the number of classes the
    ``deadline`` left uncalibrated (their widths 0).

    ``draw(codes, lengths, rng, torch_gen, series_lengths)``: the generator's
    calibrated draws without this smoothing (scaled, the networks' view); ``scaled``,
    ``lengths``: the training series as the networks see them; ``series_lengths``: their
    lengths in the data's own steps.

    Per class, because the generator is rougher on a rare class than on the rest. Each
    class draws as many series as it has (each with its own length, in turn), at least
    ``min_per_class`` and its share of ``n_draws``, a class of more than
    ``CALIBRATION_CAP`` series as many as that, for evenly spaced series of its own; on
    a private seed. A class keeps its widths only if they bring its draws closer to its
    training series under the checkpoint score's distance (:func:`class_widths`).
    Measurements: benchmarks/README.md, "Roughness matching"."""
    t = scaled.shape[1]
    n_classes = int(codes.max()) + 1
    if deadline is not None and time.perf_counter() > deadline:  # max_time spent
        zeros = np.zeros((n_classes, scaled.shape[2]), dtype=np.float64)
        return zeros, (zeros.copy() if cycle else None), n_classes
    per_class = n_draws if n_classes == 1 else max(min_per_class, -(-n_draws // n_classes))
    members = [np.flatnonzero(codes == c) for c in range(n_classes)]
    members = [evenly_spaced(m, CALIBRATION_CAP) for m in members]
    rows = np.concatenate([np.resize(m, max(len(m), per_class)) for m in members])
    rng = np.random.RandomState(seed % (2**31 - 1) + 1)
    torch_gen = torch.Generator(device="cpu").manual_seed(seed + 3)
    row_codes, row_lengths = codes[rows], lengths[rows]
    with torch.no_grad():
        draws = draw(row_codes, row_lengths, rng, torch_gen, series_lengths[rows])[:, :t].cpu()
    row_lengths = torch.from_numpy(row_lengths)
    sigma = np.zeros((n_classes, scaled.shape[2]), dtype=np.float64)
    cycle_sigma = None if not cycle else np.zeros_like(sigma)
    late = 0
    scaled_t = torch.from_numpy(np.ascontiguousarray(scaled, dtype=np.float32))
    weight = roughness_weight(scaled_t)
    for c, m in enumerate(members):
        real, real_len = scaled_t[m], torch.from_numpy(lengths[m])
        mine = torch.from_numpy(row_codes == c)
        raw, raw_len = draws[mine], row_lengths[mine]
        try:
            widths = class_widths(real, real_len, raw, raw_len, weight,
                                  max_sigma=max(1.0, t / 10), deadline=deadline)
            across = None
            if cycle:  # across cycles, on the draws as the step-to-step widths leave them
                smoothed = gaussian_smooth(raw, raw_len, torch.from_numpy(widths))
                across = class_widths(real, real_len, smoothed, raw_len, weight,
                                      max_sigma=max(1.0, t / cycle / 10), cycle=cycle,
                                      deadline=deadline)
        except OutOfTime:  # this class's draws stay unsmoothed (widths 0)
            late += 1
            continue
        sigma[c] = widths
        if cycle:
            cycle_sigma[c] = across
    return sigma, cycle_sigma, late


class Smoothing:
    """Per-class Gaussian smoothing of draws in the networks' view: each series with
    its class's row of ``widths`` ((n_classes or 1, C)), step to step or, with
    ``dilation`` P, across cycles of P steps."""

    def __init__(self, widths, dilation=1):
        self.widths, self.dilation = widths, dilation

    def __call__(self, x, codes, net_lengths, series_lengths):
        if self.widths is None or self.widths.max() <= 0:
            return x
        rows = self.widths[0] if len(self.widths) == 1 else self.widths[codes]
        return gaussian_smooth(x, net_lengths, torch.from_numpy(rows), self.dilation)


def _widths_document(widths):
    return np.asarray(widths, dtype=float).tolist()


class SmoothingRecord(Record):
    """The step-to-step smoothing widths in a model file: one row per class, one width
    per channel (in the networks' view), at most a tenth of the length."""

    key, param = "smoothing_sigma", "match_roughness"

    def absent(self):
        return {"smoothing_sigma_": None}

    def write(self, est):
        sigma = est.smoothing_sigma_
        return (None if sigma is None else _widths_document(sigma)), {}

    def check_presence(self, check, entry, model):
        if (entry is not None) != model.params["match_roughness"]:
            check.fail(f"calibrations.{self.key}", "must be present exactly when "
                       "match_roughness is set.")

    def read(self, check, entry, model):
        c = model.config
        return {"smoothing_sigma_": check.numbers(
            entry, f"calibrations.{self.key}", (model.n_groups, c.n_channels), 0.0,
            max(1.0, c.n_timepoints / 10))}


class CycleSmoothingRecord(Record):
    """The smoothing across cycles in a model file: the cycle's length and its widths
    (one row per class, one per channel); never beside a folding."""

    key, param = "cycle", "match_roughness"

    def absent(self):
        return {"cycle_sigma_": None}

    def write(self, est):
        if est.cycle_sigma_ is None:
            return None, {}
        return {"length": int(est.cycle_length_), "sigma": _widths_document(est.cycle_sigma_)}, {}

    def check_presence(self, check, entry, model):
        if entry is not None and model.folded:
            check.fail("calibrations.cycle", "cannot be set for a folded model.")
        super().check_presence(check, entry, model)

    def read(self, check, entry, model):
        c, where = model.config, "calibrations.cycle"
        check.keys(entry, ("length", "sigma"), where)
        length = check.integer(entry["length"], f"{where}.length", 2, max(2, c.n_timepoints - 1))
        sigma = check.numbers(entry["sigma"], f"{where}.sigma", (model.n_groups, c.n_channels),
                              0.0, max(1.0, c.n_timepoints / length / 10))
        return {"cycle_length_": length, "cycle_sigma_": sigma}
