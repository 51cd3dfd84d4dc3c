"""Spread matching: the generator's noise scaled per class after training, so that the
draws of each class are as spread out as that class's training series.

A GAN fitted on a class of a handful of series draws variations that hug the class's
centre: its draws are less spread out than the class's own series (mean pairwise
distance 0.4-0.65 of the real class's in the few-shot benchmark), so a classifier trained
with them learns a region narrower than the class. After ``fit``, each class's draws (as
``sample`` returns them: filtered, in the data's units) are probed at the noise scales
``NOISE_SCALES`` in turn, and the class keeps the smallest scale whose draws are at least
as spread out as its training series (the largest where none is). The scale multiplies
both of the generator's noise inputs, the per-series latent and the per-step noise, so
the draws stay on the generator's own manifold; the sample filter still judges every
draw. Measurements: benchmarks/README.md, "Spread matching".
"""

from __future__ import annotations

import time

import numpy as np

from ._data import evenly_spaced
from ._record import Record

# The scales tried, in order; 2 is the cap: at 3 the draws of the few-shot probes went
# past the real class's spread (1.1-1.4x) and the held-out judge's in-class rate fell.
NOISE_SCALES = (1.0, 1.25, 1.5, 2.0)
PROBE_DRAWS = 64
# series per class whose spread is measured: a larger class is judged on an evenly spaced
# subset (the pairwise distances are quadratic in it)
SPREAD_CAP = 256


def mean_pairwise_distance(values, lengths, channel_scale):
    """Mean over pairs of series of their root-mean-square difference over the steps both
    have, each channel divided by ``channel_scale`` (C,). ``values`` (n, C, T) float, zero
    after each series' end; ``lengths`` (n,)."""
    n, c, t = values.shape
    if n < 2:
        return 0.0
    a = (values / channel_scale[None, :, None]).reshape(n, c * t).astype(np.float64)
    valid = (np.arange(t)[None, :] < lengths[:, None]).astype(np.float64)  # (n, T)
    m = np.repeat(valid[:, None, :], c, axis=1).reshape(n, c * t)
    sq = a * a
    # sum over the steps both series have of (a_i - a_j)^2; a is zero where invalid
    both = sq @ m.T + m @ sq.T - 2.0 * (a @ a.T)
    count = m @ m.T
    d = np.sqrt(np.clip(both, 0.0, None) / np.maximum(count, 1.0))
    return float(d[np.triu_indices(n, 1)].mean())


def fit_noise_scales(draw_class, values, lengths, codes, n_groups, deadline=None):
    """The noise scale of each class (float64 (n_groups,), each one of ``NOISE_SCALES``)
    and the number of classes the ``deadline`` (``perf_counter`` time) left at 1.

    ``draw_class(code, scales)``: ``PROBE_DRAWS`` draws of class ``code`` as ``sample``
    returns them, with the per-class ``scales``, and their lengths. ``values`` (n, C, T),
    ``lengths``, ``codes``: the training series in the data's units (zero after each end).
    A class of one series keeps 1 (no spread to match)."""
    scales = np.ones(n_groups, dtype=np.float64)
    valid = np.arange(values.shape[2])[None, :] < lengths[:, None]
    spread_of_channel = np.array([values[:, ch][valid].std() for ch in range(values.shape[1])])
    channel_scale = np.where(spread_of_channel > 0, spread_of_channel, 1.0)
    late = 0
    for code in range(n_groups):
        rows = evenly_spaced(np.flatnonzero(codes == code), SPREAD_CAP)
        if len(rows) < 2:
            continue
        target = mean_pairwise_distance(values[rows], lengths[rows], channel_scale)
        for scale in NOISE_SCALES:
            if deadline is not None and time.perf_counter() > deadline:
                scales[code] = 1.0
                late += 1
                break
            scales[code] = scale
            drawn, drawn_lengths = draw_class(code, scales)
            if mean_pairwise_distance(drawn, drawn_lengths, channel_scale) >= target:
                break
    return scales, late


class NoiseScaleRecord(Record):
    """The noise scale of each class in a model file: one number per class (one for an
    unconditional model), each in [1, max(NOISE_SCALES)]. Files written before spread
    matching have no entry and no ``match_spread`` parameter: they read as
    ``match_spread=False``."""

    key, param = "noise_scale", "match_spread"
    optional = True

    def absent(self):
        return {"noise_scale_": None}

    def write(self, est):
        scales = est.noise_scale_
        return (None if scales is None else np.asarray(scales, dtype=float).tolist()), {}

    def check_presence(self, check, entry, model):
        if (entry is not None) != model.params["match_spread"]:
            check.fail(f"calibrations.{self.key}", "must be present exactly when "
                       "match_spread is set.")

    def read(self, check, entry, model):
        return {"noise_scale_": check.numbers(entry, f"calibrations.{self.key}",
                                              (model.n_groups,), 1.0, max(NOISE_SCALES))}
