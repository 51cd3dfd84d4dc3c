"""Per-series z-normalisation: found in the training data, kept in every draw.

Many archived time-series data sets (the UCR/UEA archive above all: GunPoint, ArrowHead,
ItalyPowerDemand, OSULeaf, ACSF1) store each series z-normalised, i.e. every series has
mean 0 and standard deviation 1 on every channel. A generator only approximates that
(its draws' own means and spreads scatter around it), and a classifier trained on the
real series then meets synthetic ones with amplitudes no real series has. When every
training series of a channel is z-normalised (within ``TOLERANCE``), the augmenter
z-normalises each draw of that channel the same way, over its valid steps.

Detected per channel, with the degrees of freedom the data used (``ddof`` 0 or 1:
sktime's ACSF1 uses 0, its GunPoint 1). Nothing is changed for data without the
property (e.g. BasicMotions, JapaneseVowels), so those models draw exactly as before.
"""

from __future__ import annotations

import numpy as np
import torch

from ._record import Record
from .gan.masks import step_mask

# A channel counts as z-normalised when every series' mean is within TOLERANCE of 0 and
# its standard deviation within TOLERANCE of 1 (the archives store 6-8 digits; the two
# ddof conventions differ by a factor sqrt(T / (T - 1)), ~1e-3 at 500 steps, so the
# convention that fits best is taken).
TOLERANCE = 1e-3
_MIN_SERIES = 3  # fewer series say too little about a convention
_MIN_STEPS = 3


def detect_znorm(values, lengths):
    """``(flags, ddof)``: flags (C,) bool, True where every series of that channel is
    z-normalised; ddof (C,) int, the convention that fits (0 where not flagged).

    values: float64 (n, C, T), zero after each series' end; lengths: (n,) int."""
    n, c, t = values.shape
    if n < _MIN_SERIES or lengths.min() < _MIN_STEPS:
        return np.zeros(c, dtype=bool), np.zeros(c, dtype=np.int64)
    mask = step_mask(lengths, t)  # (n, T)
    count = lengths.astype(np.float64)[:, None]  # (n, 1)
    mean = (values * mask[:, None]).sum(2) / count  # (n, C)
    sq = (((values - mean[:, :, None]) * mask[:, None]) ** 2).sum(2)  # (n, C)
    centred = np.abs(mean).max(0) <= TOLERANCE
    # worst deviation of the per-series std from 1 under each convention, (2, C); on long
    # series both can be within the tolerance, and the closer one is the data's
    off = np.stack([np.abs(np.sqrt(sq / (count - d)) - 1.0).max(0) for d in (0, 1)])
    flags = centred & (off.min(0) <= TOLERANCE)
    ddof = np.where(flags, off.argmin(0), 0).astype(np.int64)
    return flags, ddof


def znormalise(x, lengths, flags, ddof, mean, scale):
    """Z-normalise the flagged channels of each series in x (n, T, C), in the scaler's
    units (``mean``/``scale`` per channel: data = scaled * scale + mean), over each
    series' valid steps; padding stays zero and the other channels are returned as
    they are. A draw that is constant on a channel is left as it is (it has no spread
    to rescale)."""
    flags = np.asarray(flags, dtype=bool)
    if not flags.any():
        return x
    cols = torch.from_numpy(np.flatnonzero(flags)).to(x.device)
    as64 = lambda a: torch.as_tensor(np.asarray(a)[flags], dtype=torch.float64, device=x.device)  # noqa: E731
    s_mean, s_scale, d = as64(mean), as64(scale), as64(ddof)
    n, t, _ = x.shape
    m = step_mask(lengths.to(x.device), t).double().unsqueeze(2)  # (n, T, 1)
    count = lengths.to(device=x.device, dtype=torch.float64).view(n, 1)
    data = x[:, :, cols].double() * s_scale + s_mean  # data units, flagged channels only
    mu = (data * m).sum(1) / count  # (n, C flagged)
    var = (((data - mu.unsqueeze(1)) * m) ** 2).sum(1) / (count - d).clamp_min(1.0)
    sd = var.sqrt()
    ok = sd > 1e-12 * (1.0 + mu.abs())
    normed = (data - mu.unsqueeze(1)) / torch.where(ok, sd, torch.ones_like(sd)).unsqueeze(1)
    data = torch.where(ok.unsqueeze(1), normed, data)
    back = (data - s_mean) / torch.where(s_scale > 0, s_scale, torch.ones_like(s_scale))
    out = x.clone()
    out[:, :, cols] = (back * m).to(x.dtype)
    return out


class ZNormalisation:
    """Each draw z-normalised over its own steps on the channels whose training series
    all were (``znorm_channels_``), in the data's units, then back to the networks'
    view."""

    def __init__(self, est, view):
        self.flags, self.ddof, self.view = est.znorm_channels_, est.znorm_ddof_, view

    def __call__(self, x, codes, net_lengths, series_lengths):
        view = self.view
        if not view.folded:
            return znormalise(x, net_lengths, self.flags, self.ddof, view.scaler.mean_,
                              view.scaler.scale_)
        series_lengths = torch.from_numpy(series_lengths).to(x.device)
        data = znormalise(view.unfolded_data(x), series_lengths, self.flags, self.ddof,
                          np.zeros(view.n_channels), np.ones(view.n_channels))
        return view.refold(data, series_lengths, net_lengths, x)


class ZNormRecord(Record):
    """The z-normalisation in a model file: a flag and a ddof (0 or 1) per channel."""

    key, param = "znorm", "preserve_znorm"

    def absent(self):
        return {"znorm_channels_": None, "znorm_ddof_": None}

    def write(self, est):
        if est.znorm_channels_ is None:
            return None, {}
        return {"channels": est.znorm_channels_.tolist(),
                "ddof": [int(d) for d in est.znorm_ddof_]}, {}

    def read(self, check, entry, model):
        where, n = "calibrations.znorm", model.n_channels
        check.keys(entry, ("channels", "ddof"), where)
        flags = check.flags(entry["channels"], f"{where}.channels", n)
        ddof = entry["ddof"]
        if not isinstance(ddof, list) or len(ddof) != n or not all(
                d in (0, 1) and not isinstance(d, bool) for d in ddof):
            check.fail(f"{where}.ddof", f"must be a list of {n} values 0 or 1.")
        if not flags.any():
            check.fail(f"{where}.channels", "flags no channel (then it is null).")
        return {"znorm_channels_": flags, "znorm_ddof_": np.asarray(ddof, dtype=np.int64)}
