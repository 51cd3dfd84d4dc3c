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

from ._record import Record

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
        scales = np.empty((len(codes), self.n_channels))
        for c in np.unique(codes):
            sel = codes == c
            scales[sel] = self.scales[c][rng.randint(0, len(self.scales[c]), size=sel.sum())]
        return out * scales[:, :, None]


class SeriesScaleRecord(Record):
    """The per-series scales in a model file: the flagged channels in the document, each
    class's (n series, C) scales as an array ``series_scales_<class index>``."""

    key, param = "series_scale", "scale_series"

    def absent(self):
        return {"series_scale_channels_": None, "series_scales_": None}

    def write(self, est):
        if est.series_scale_channels_ is None:
            return None, {}
        return ({"channels": est.series_scale_channels_.tolist()},
                {f"series_scales_{c}": a.astype(np.float64)
                 for c, a in enumerate(est.series_scales_)})

    def read(self, check, entry, model):
        where = "calibrations.series_scale"
        flags = check.flags(check.keys(entry, ("channels",), where)["channels"],
                            f"{where}.channels", model.n_channels)
        for g, lengths in enumerate(model.lengths_by_class):
            model.expect_data(f"series_scales_{g}", (len(lengths), model.n_channels), np.float64)
        return {"series_scale_channels_": flags}

    def finish(self, check, attributes, arrays, model):
        scales = [arrays[f"series_scales_{g}"] for g in range(model.n_groups)]
        for g, s in enumerate(scales):
            if np.any(s <= 0) or s.max() > 1e300:
                check.fail(f"member 'data::series_scales_{g}'", "must hold positive sizes.")
        return {**attributes, "series_scales_": scales}
