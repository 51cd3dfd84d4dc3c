"""Drawing series from a fitted augmenter.

:class:`Sampler` runs the generator on noise (with a stored example of each series'
class for ``conditioning='example'``), applies the calibrations fitted after training
to the draws in one fixed order (:meth:`Sampler.calibrations`), redraws what the
class filter rejects, and brings the draws back to the data's units and layout.
:class:`NetworkView` is the only code that knows whether the networks see the series
folded (one channel per phase of a cycle) or as they are.

Everything here reads a fitted augmenter's state and changes none of it.
"""

from __future__ import annotations

import numpy as np
import torch

from . import persistence
from ._data import pick_per_class
from ._folding import fold_steps, folded_lengths, unfold, unfold_steps
from ._series_norm import ZNormalisation
from ._series_scale import SeriesScales
from ._smoothing import Smoothing
from .gan.masks import step_mask
from .gan.training import autocast, autocast_dtype, draw

# The class filter: a draw is kept once its margin for its class (the ridge's own-class
# score minus the best other score; its targets are +-1, so 2 is a perfect fit) exceeds
# FILTER_MARGIN; otherwise it is drawn again, and after FILTER_DRAWS draws the one with
# the best margin is kept (measurements: benchmarks/README.md, "Sample filter").
FILTER_DRAWS = 16
FILTER_MARGIN = 0.25


def bucket_size(n):
    """Generator batch size for ``n`` series: the next power of two up to 256, then the
    next multiple of 256, so that sampling runs on a bounded set of batch shapes (at
    most 2x the work for tiny batches, < 256 extra rows for large ones)."""
    if n <= 256:
        return 1 << max(n - 1, 0).bit_length()
    return -(-n // 256) * 256


def _beside(x, *arrays):
    """numpy arrays as tensors of x's dtype on x's device."""
    return (torch.as_tensor(a, dtype=x.dtype, device=x.device) for a in arrays)


class NetworkView:
    """The networks' series against the data's: scaled by the channel scaler and, for
    folded cycles, one channel per phase of the cycle (steps = cycles)."""

    def __init__(self, est):
        self.scaler = est.scaler_
        self.folded = est.cycles_folded_
        self.cycle = est.cycle_length_
        self.n_channels, self.n_timepoints = est.n_channels_, est.n_timepoints_
        self.net_timepoints = est.config_.n_timepoints
        self.filter_scaler = est.filter_scaler_

    def lengths(self, series_lengths):
        """The networks' lengths for series of ``series_lengths`` data steps."""
        return folded_lengths(series_lengths, self.cycle) if self.folded else series_lengths

    def unfolded_data(self, x):
        """Folded draws (b, K, C * P) in the scaler's units -> (b, K * P, C) in the
        data's units and layout (a constant channel back to its constant, as
        ``ChannelScaler.inverse_transform``)."""
        mean, scale = _beside(x, self.scaler.mean_, self.scaler.scale_)
        return unfold_steps(x * scale + mean, self.cycle)

    def refold(self, data, series_lengths, net_lengths, like):
        """Draws in the data's units and layout back to the networks' view of ``like``
        (folded, scaled, zero after each series' last cycle: ``net_lengths``, the
        networks' lengths of ``series_lengths``)."""
        mean, div = _beside(like, self.scaler.mean_, self.scaler.divisor())
        back = (fold_steps(data, series_lengths, self.cycle) - mean) / div
        return back * step_mask(net_lengths, like.shape[1]).unsqueeze(2).to(like.dtype)

    def filter_view(self, x, series_lengths):
        """Draws (b, T_padded, C) in the scaler's units as the sample filter reads them,
        on the CPU: the first n_timepoints steps, or for folded cycles unfolded into the
        data's layout and scaled as the filter's training series were
        (``filter_scaler_``), zero after each series' end (``series_lengths``)."""
        if not self.folded:
            return x[:, : self.net_timepoints].cpu()
        data = self.unfolded_data(x)[:, : self.n_timepoints]
        f_mean, f_div = _beside(x, self.filter_scaler.mean_, self.filter_scaler.divisor())
        steps = step_mask(series_lengths.to(x.device), self.n_timepoints)
        return ((data - f_mean) / f_div * steps.unsqueeze(2).to(x.dtype)).cpu()

    def unscaled(self, x):
        """Draws (b, T_net, C_net) in the scaler's units (a tensor) -> float64 numpy
        (b, C_net, T_net) in data units, clipped to each channel's range; folded draws
        are clipped by :meth:`to_data_layout` instead."""
        x = x.cpu().numpy().transpose(0, 2, 1).astype(np.float64)
        return self.scaler.inverse_transform(x, clip=not self.folded)

    def to_data_layout(self, out):
        """Unscaled draws (n, C_net, T_net) -> (n, C, T), the data's layout: folded draws
        unfolded and clipped to their channel's range (not each phase's: z-normalised
        across phases); other draws as they are."""
        if not self.folded:
            return out
        out = unfold(out, self.cycle)[:, :, : self.n_timepoints]
        return self.scaler.bounded(out, self.n_channels)


class Sampler:
    """Draws of a fitted augmenter ``est``."""

    def __init__(self, est):
        self.est = est
        self.config, self.generator = est.config_, est.generator_
        self.view = NetworkView(est)
        self.filter = est.class_filter_
        self.conditional = est.classes_ is not None
        self.device = next(self.generator.parameters()).device
        self.amp = autocast_dtype(self.device, est.precision, self.config.cell)
        self.clip = tuple(torch.tensor(c, dtype=torch.float32, device=self.device)
                          for c in est.clip_)
        self.steps = {smoothed: self.calibrations(smoothed) for smoothed in (True, False)}

    def calibrations(self, smoothed=True):
        """The calibrations applied to every generator pass, in order: smoothing step to
        step, smoothing across cycles, z-normalisation. Each lives beside its fit or
        detection (``_smoothing.Smoothing``, ``_series_norm.ZNormalisation``); one taking
        the same arguments ``(x, codes, net_lengths, series_lengths) -> x`` joins here."""
        est, steps = self.est, []
        if smoothed:
            steps += [Smoothing(est.smoothing_sigma_),
                      Smoothing(est.cycle_sigma_, est.cycle_length_)]
        if est.znorm_channels_ is not None:
            steps.append(ZNormalisation(est, self.view))
        return steps

    def draw_scaled(self, codes, lengths, rng, torch_gen, series_lengths=None, smoothed=True):
        """One generator pass: scaled series (b, T_padded, C) for class codes, on device,
        calibrated (without the roughness smoothing for ``smoothed=False``: what that
        smoothing's calibration measures).

        ``lengths`` are the networks' (folded when the view is); the folded draws'
        z-normalisation runs over ``series_lengths``, the data's own steps.

        The pass runs on a batch padded to a bucket size (:func:`bucket_size`) with
        copies of the first row, cut off afterwards: the CPU backend keeps a plan per
        input shape, so unbounded batch sizes (the filter's redraws) would grow memory
        with the number sampled."""
        est, cfg, gen, dev = self.est, self.config, self.generator, self.device
        b = len(codes)
        rows_ref = None
        if cfg.reference:  # a random stored example of the requested class for each series
            rows_ref = pick_per_class(
                codes, lambda c: np.flatnonzero(est.reference_codes_ == c), rng)
        pad = bucket_size(b) - b
        if pad:
            codes = np.concatenate([codes, np.repeat(codes[:1], pad)])
            lengths = np.concatenate([lengths, np.repeat(lengths[:1], pad)])
            if series_lengths is not None:
                series_lengths = np.concatenate([series_lengths, np.repeat(series_lengths[:1], pad)])
            if rows_ref is not None:
                rows_ref = np.concatenate([rows_ref, np.repeat(rows_ref[:1], pad)])
        lab = torch.from_numpy(codes).to(dev) if self.conditional else None
        ref = ref_len = None
        if rows_ref is not None:
            ref = torch.from_numpy(est.references_[rows_ref]).to(dev)
            ref_len = torch.from_numpy(est.reference_lengths_[rows_ref]).to(dev)
        t_len = torch.from_numpy(lengths).to(dev)
        scales = est.noise_scale_  # None unless match_spread
        noise_scale = None if scales is None else torch.from_numpy(scales[codes])
        with autocast(dev, self.amp):
            x = draw(gen, lab, t_len, torch_gen, cfg, self.clip, ref, ref_len,
                     noise_scale=noise_scale).float()
        for calibration in self.steps[smoothed]:
            x = calibration(x, codes, t_len, series_lengths)
        return x[:b]

    def _filtered(self, codes, net_lengths, lengths, rng, torch_gen):
        """A generator pass whose draws the class filter rejects are drawn again: a
        series whose margin for its class is at most ``FILTER_MARGIN`` is redrawn (at
        most ``FILTER_DRAWS`` draws in all); where none passes, the best margin is kept."""
        x = self.draw_scaled(codes, net_lengths, rng, torch_gen, lengths)
        if self.filter is None:
            return x
        t_len, t_codes = torch.from_numpy(lengths), torch.from_numpy(codes)
        margin = self.filter.margin(self.view.filter_view(x, t_len), t_len, t_codes)
        for _ in range(FILTER_DRAWS - 1):
            redo = torch.nonzero(margin <= FILTER_MARGIN).squeeze(1)
            if len(redo) == 0:
                break
            r = redo.numpy()
            x_new = self.draw_scaled(codes[r], net_lengths[r], rng, torch_gen, lengths[r])
            m_new = self.filter.margin(self.view.filter_view(x_new, t_len[redo]), t_len[redo],
                                       t_codes[redo])
            better = m_new > margin[redo]
            x[redo[better]] = x_new[better.to(x.device)]
            margin[redo[better]] = m_new[better]
        return x

    def generate(self, codes, rng, batch=2048):
        """Float64 series (n, C, T) in data units and their lengths, for class codes.

        The generator runs on ``batch`` series at a time: over batches of 256-8,192
        (100,000 Sines series, 30,000 filtered GunPoint series) 2,048 was the fastest
        for both, 1.1-1.3x faster than 8,192."""
        est, view = self.est, self.view
        lengths = pick_per_class(codes, lambda c: est.lengths_by_class_[c], rng)
        torch_gen = torch.Generator(device="cpu").manual_seed(int(rng.randint(0, 2**31 - 1)))
        net_lengths = view.lengths(lengths)
        net_t = self.config.n_timepoints
        out = np.empty((len(codes), self.config.n_channels, net_t), dtype=np.float64)
        with torch.no_grad():
            for start in range(0, len(codes), batch):
                part = slice(start, min(start + batch, len(codes)))
                x = self._filtered(codes[part], net_lengths[part], lengths[part], rng, torch_gen)
                out[part] = view.unscaled(x[:, :net_t, :])
        out = view.to_data_layout(out)
        if est.series_scale_channels_ is not None:  # each draw the size of a real series
            out = SeriesScales(est)(out, codes, rng)
        for i in np.nonzero(lengths < est.n_timepoints_)[0]:
            out[i, :, lengths[i]:] = 0.0
        if not np.isfinite(out).all():  # a fit cannot get here; a damaged state can
            raise persistence.ModelFileError(
                "this augmenter drew non-finite values: its fitted state is damaged; refit it.")
        return out, lengths
