"""Cycle matching: for data that repeat an exact cycle, draws as steady from one cycle
to the next as the training series of their class.

Some recordings repeat a fixed cycle many times (mains-powered appliances sampled a few
times per mains period: sktime's ACSF1 repeats a 4-step cycle across its 1,460 steps).
A recurrent generator that emits several steps at once reproduces the cycle's shape but
lets its levels wander from one cycle to the next, a little more than the data do, and
a classifier trained on the real series is very sensitive to exactly that (ACSF1's real
test series with white noise of 0.5 % of their spread lose a fifth of their accuracy).

:func:`detect_cycle` looks for one cycle length ``P`` shared by the training series
(every channel pooled): the mean squared change over ``P`` steps must be below a tenth
of that over one step and below a tenth of twice the series' variance, and ``P`` must
be a dip of that curve (the smallest such lag; multiples of it are not separate cycles).
Smooth series (the change over one step is small) and series without a common period
have none. After training, the augmenter calibrates, per class and channel, a Gaussian
smoothing *across cycles* (step ``t`` averaged with ``t +- P``, ``t +- 2P``, ...: a
dilated :func:`~rgan_augment._smoothing.gaussian_smooth`) that brings the draws' mean
absolute change over ``P`` steps down to that class's series (see
:func:`cycle_roughness`), kept only where the checkpoint distance agrees, exactly as the
step-to-step roughness matching does.
"""

from __future__ import annotations

import numpy as np
import torch

from .gan.masks import step_mask

MAX_CYCLE = 512  # longest cycle looked for, in steps
MIN_CYCLES = 8  # a cycle must fit this many times into the median series
_RATIO = 0.1  # change over P steps below this fraction of the one-step change and of 2 var
_MAX_SERIES = 256  # evenly spaced series that the detection reads


def _lagged_change(values, lengths, max_lag):
    """Mean squared change over each lag 1..max_lag, relative to twice the variance,
    pooled over series and channels: (max_lag,) float64 (1 ~ unrelated steps, 0 exact
    repetition). values: (n, C, T) float64 zero after each end."""
    change = np.zeros(max_lag)
    pairs = total = 0.0
    for ch in range(values.shape[1]):  # one channel at a time: the spectra are (n, 2T)
        c_change, c_pairs, c_total = _channel_change(values[:, ch:ch + 1], lengths, max_lag)
        change, pairs, total = change + c_change, pairs + c_pairs, total + c_total
    variance = total / (lengths.sum() * values.shape[1])
    return change / np.maximum(pairs, 1) / max(2 * variance, 1e-300)


def _channel_change(values, lengths, max_lag):
    """Sums over the series of one channel (n, 1, T): squared change per lag (max_lag,),
    the number of pairs per lag, and the sum of squares about each series' mean."""
    n, c, t = values.shape
    mask = step_mask(lengths, t)
    mean = (values * mask[:, None]).sum(2, keepdims=True) / lengths[:, None, None]
    x = (values - mean) * mask[:, None]  # centred, zero after each end
    size = 1 << int(np.ceil(np.log2(2 * t)))
    spec = np.fft.rfft(x, size, axis=2)
    auto = np.fft.irfft(spec * spec.conj(), size, axis=2)[:, :, 1:max_lag + 1]  # sum x_s x_{s+p}
    sq = np.concatenate([np.zeros((n, c, 1)), np.cumsum(x * x, axis=2)], axis=2)  # prefix sums
    lags = np.arange(1, max_lag + 1)
    end = np.clip(lengths[:, None] - lags[None, :], 0, None)  # (n, P): pairs (s, s+p), s < L-p
    head = np.take_along_axis(sq, np.broadcast_to(end[:, None, :], (n, c, max_lag)), axis=2)
    total = sq[:, :, -1:]
    start = np.broadcast_to(np.minimum(lags, t)[None, None, :], (n, c, max_lag))
    tail = total - np.take_along_axis(sq, start, axis=2)  # sum over s >= p of x_s^2
    tail = np.where(end[:, None, :] > 0, tail, 0.0)
    return (head + tail - 2 * auto).sum((0, 1)), end.sum(0) * c, total.sum()


def detect_cycle(values, lengths):
    """The cycle length shared by the training series (int >= 2), or 0 for none.

    values: float64 (n, C, T) zero after each end; lengths: (n,) int."""
    n, _, t = values.shape
    if n > _MAX_SERIES:
        keep = np.linspace(0, n - 1, _MAX_SERIES).round().astype(np.int64)
        values, lengths = values[keep], lengths[keep]
    max_lag = min(MAX_CYCLE, int(np.median(lengths)) // MIN_CYCLES)
    if max_lag < 2:
        return 0
    r = _lagged_change(values, lengths, max_lag + 1)  # r[p - 1]: lag p; one more for the dip
    for p in range(2, max_lag + 1):
        if r[p - 1] < _RATIO * r[0] and r[p - 1] < _RATIO and r[p - 1] <= r[p - 2] \
                and r[p - 1] <= r[p]:
            return p
    return 0


def cycle_roughness(x, lengths, cycle):
    """Mean |x_t - x_(t-cycle)| per channel over the valid steps; x (n, T, C) zero after
    each end. float64 (C,)."""
    n, t, c = x.shape
    if cycle >= t:
        return torch.zeros(c, dtype=torch.float64)
    d = (x[:, cycle:] - x[:, :-cycle]).abs().double()
    valid = step_mask(lengths.to(x.device) - cycle, t - cycle).unsqueeze(2).double()
    return ((d * valid).sum((0, 1)) / valid.sum().clamp_min(1.0)).cpu()
