"""Cycle folding: data that repeat an exact cycle of ``P`` steps, seen by the networks as
``P`` channels per channel (one per phase of the cycle) at ``1 / P`` of the length.

A series of mains-powered appliance readings (sktime's ACSF1: a 4-step cycle over 1,460
steps) is a few slowly changing levels, one per phase, interleaved. Laid out in time,
each recurrent step of the generator emits a stretch of interleaved phases and its
errors show up as levels that wander from one cycle to the next, which is exactly what a
classifier trained on the real series is most sensitive to; and the discriminator's
first differences and the MMD's differences then compare neighbouring *phases* (the
cycle's shape, the same in every class) instead of neighbouring *cycles*. Folded, step
``k`` of channel ``c * P + p`` is step ``k * P + p`` of channel ``c``: the differences,
the roughness matching and the recurrence all run from one cycle to the next.

A series whose length is not a whole number of cycles is extended to one by repeating
its last steps from one cycle earlier (``x[t] = x[t - P]``; the last value for a series
shorter than a cycle), so the folded training data holds no artificial zeros inside a
series; draws are unfolded and cut back to the length drawn for them.
"""

from __future__ import annotations

import numpy as np
import torch

from ._record import Record
from .gan.masks import step_mask


def folded_lengths(lengths, cycle):
    """Folded length of each series: whole cycles, rounded up. (n,) int64."""
    return -(-np.asarray(lengths, dtype=np.int64) // cycle)


def fold(values, lengths, cycle):
    """(n, C, T) float64, zero after each end -> (n, C * P, ceil(T / P)), zero after each
    folded end, each series' partial last cycle completed as described above."""
    n, c, t = values.shape
    whole = -(-t // cycle) * cycle
    x = np.zeros((n, c, whole), dtype=values.dtype)
    x[:, :, :t] = values
    for i in np.flatnonzero(lengths % cycle):  # complete the partial last cycle
        end = int(lengths[i])
        for step in range(end, -(-end // cycle) * cycle):
            x[i, :, step] = x[i, :, step - cycle] if end >= cycle else x[i, :, end - 1]
    out = x.reshape(n, c, whole // cycle, cycle).transpose(0, 1, 3, 2)
    out = np.ascontiguousarray(out).reshape(n, c * cycle, whole // cycle)
    keep = step_mask(folded_lengths(lengths, cycle), whole // cycle)
    return out * keep[:, None, :]


def unfold(folded, cycle):
    """(n, C * P, K) -> (n, C, K * P): the inverse of :func:`fold` (before any cut)."""
    n, cp, k = folded.shape
    c = cp // cycle
    return np.ascontiguousarray(
        folded.reshape(n, c, cycle, k).transpose(0, 1, 3, 2)).reshape(n, c, k * cycle)


def unfold_steps(x, cycle):
    """Torch, time-major: (n, K, C * P) -> (n, K * P, C)."""
    n, k, cp = x.shape
    return x.reshape(n, k, cp // cycle, cycle).permute(0, 1, 3, 2).reshape(n, k * cycle, cp // cycle)


def fold_steps(x, lengths, cycle):
    """Torch, time-major: (n, K * P, C) -> (n, K, C * P), each series' steps from
    ``lengths`` on up to its whole last cycle filled as :func:`fold` fills them."""
    n, t, c = x.shape
    steps = torch.arange(t, device=x.device).unsqueeze(0)
    end = lengths.to(x.device).unsqueeze(1)
    tail = steps >= end  # (n, T)
    if bool(tail.any()):
        source = torch.where(end >= cycle, steps - cycle, end - 1).clamp(0, t - 1)
        filled = torch.gather(x, 1, source.unsqueeze(2).expand(n, t, c))
        x = torch.where(tail.unsqueeze(2), filled, x)
        whole = steps < ((end + cycle - 1) // cycle) * cycle
        x = x * whole.unsqueeze(2).to(x.dtype)
    return x.reshape(n, t // cycle, cycle, c).permute(0, 1, 3, 2).reshape(n, t // cycle, c * cycle)


class FoldRecord(Record):
    """The folding in a model file: ``{"cycle": P}`` for a folded model."""

    key, param = "fold", "fold_cycles"

    def absent(self):
        # cycle_length_ is also the cycle smoothing's (its record comes later and sets it)
        return {"cycles_folded_": False, "cycle_length_": 0}

    def write(self, est):
        return ({"cycle": int(est.cycle_length_)} if est.cycles_folded_ else None), {}

    def check_presence(self, check, entry, model):
        c = model.config
        if entry is None and (c.n_channels, c.n_timepoints) != (model.n_channels,
                                                                model.n_timepoints):
            check.fail("config", f"describes series of {c.n_channels} channel(s) x "
                       f"{c.n_timepoints} steps; the data had {model.n_channels} x "
                       f"{model.n_timepoints}.")
        super().check_presence(check, entry, model)

    def read(self, check, entry, model):
        where = "calibrations.fold"
        cycle = check.integer(check.keys(entry, ("cycle",), where)["cycle"], f"{where}.cycle", 2,
                              model.n_timepoints)
        c = model.config
        if c.n_channels != model.n_channels * cycle or \
                c.n_timepoints != -(-model.n_timepoints // cycle):
            check.fail(where, "does not fit the configuration and the data's shape.")
        return {"cycles_folded_": True, "cycle_length_": cycle}
