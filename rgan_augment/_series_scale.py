"""Per-series scale: for channels whose series differ in size by orders of magnitude.

Some recordings mix series whose sizes differ by factors of thousands (PLAID's appliance
currents: the root mean square of a series ranges over five orders of magnitude, 4e-4
to 40 between the 10th and 90th percentile). One scaler per channel then leaves the
small series indistinguishable from zero to the generator: their shapes are lost under
its error, and a classifier that reads sizes and shapes finds neither.

On such a channel (90th / 10th percentile of the per-series root mean square above
``SPREAD``) every training series is divided by its own root mean square (no centring,
so zeros and signs stay) before anything else; the generator learns shapes of one size,
and each draw is multiplied back by the root mean square of a training series of its
class, drawn at random. Other channels, and data whose sizes differ by less (e.g.
BasicMotions, 13-56x, where size is much of what separates the classes), are left as
they are.
"""

from __future__ import annotations

import numpy as np

from ._data import pick_per_class

SPREAD = 1000.0  # 90th / 10th percentile of the per-series RMS that marks a channel
_MIN_SERIES = 10  # fewer series say too little about a spread


def series_rms(values, lengths):
    """Root mean square of each series and channel over its valid steps: (n, C)."""
    t = values.shape[2]
    mask = np.arange(t)[None, None, :] < lengths[:, None, None]
    return np.sqrt((np.where(mask, values, 0.0) ** 2).sum(2) / lengths[:, None])


def detect_scale_spread(values, lengths):
    """``(flags, rms)``: flags (C,) bool, True on channels whose per-series RMS spreads
    over more than ``SPREAD`` (10th to 90th percentile, zero series aside); rms (n, C)
    the per-series RMS. values: float64 (n, C, T), zero after each end."""
    rms = series_rms(values, lengths)
    flags = np.zeros(values.shape[1], dtype=bool)
    for c in range(values.shape[1]):
        nonzero = rms[:, c][rms[:, c] > 0]
        if len(nonzero) >= _MIN_SERIES:
            lo, hi = np.percentile(nonzero, [10, 90])
            flags[c] = hi > SPREAD * lo
    return flags, rms


def unit_scales(rms, flags):
    """The divisor of each series and channel: its RMS on flagged channels (1 for a
    series that is zero there), 1 elsewhere; (n, C)."""
    return np.where(flags[None, :] & (rms > 0), rms, 1.0)


class SeriesScales:
    """Each draw multiplied by the per-series scales of a random training series of its
    class, on the channels whose series differ in size by orders of magnitude."""

    def __init__(self, est):
        self.flags, self.scales, self.n_channels = (est.series_scale_channels_,
                                                    est.series_scales_, est.n_channels_)

    def __call__(self, out, codes, rng):
        rows = pick_per_class(
            codes, lambda c: np.arange(len(self.scales[c]), dtype=np.int64), rng)
        scales = np.empty((len(codes), self.n_channels))
        for c in np.unique(codes):
            scales[codes == c] = self.scales[c][rows[codes == c]]
        return out * scales[:, :, None]
