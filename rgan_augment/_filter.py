"""Class-fidelity filter: a classifier trained on the real training series decides
whether a synthetic series looks like the class it was drawn for.

The classifier is ROCKET-like (Dempster et al., 2020): random dilated convolution
kernels over all channels, two pooled features per kernel (the proportion of
positive values and the maximum), standardised, then a ridge classifier with its
penalty chosen by leave-one-out cross-validation. It is fast, needs no training
loop, and works on few examples per class: what a filter fitted at ``fit`` time
from the augmenter's own training data must do. Everything runs in torch on the
scaled series the generator emits; the fitted state is a handful of plain arrays.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.linear_model import RidgeClassifierCV

from ._record import Record
from .gan.masks import step_mask

KERNEL_LENGTH = 9
# Features are computed in blocks of this many series, a shorter last block padded to
# the next power of two: the CPU convolution backend (oneDNN) caches a kernel plan per
# input shape, and the sample filter's redraws come in every batch size, so unblocked
# the cache (and the process's memory) grew with each new size: ~100 MiB per 5,000
# filtered GunPoint series. Powers of two keep the shapes to nine per length without
# making a redraw of 2 series pay for 256 (2 filtered series of 20,000 steps: 37 s).
BLOCK_ROWS = 256


def _padded_rows(rows):
    """The block size a block of ``rows`` series is computed at."""
    return min(BLOCK_ROWS, 1 << max(rows - 1, 0).bit_length())


class ClassFilter:
    """Random-convolution features + ridge, for scaled series shaped (n, T, C)."""

    def __init__(self, n_kernels=84, seed=0):
        self.n_kernels, self.seed = n_kernels, seed

    # ------------------------------------------------------------ features
    def _dilations(self, length):
        top = max(0, int(math.log2(max((length - 1) / (KERNEL_LENGTH - 1), 1))))
        return [2**i for i in range(top + 1)]

    def _features(self, x, lengths):
        """x: float tensor (n, T, C), zero after each end; lengths: (n,) int tensor."""
        blocks = []
        for i in range(0, x.shape[0], BLOCK_ROWS):
            xb, lb = x[i:i + BLOCK_ROWS], lengths[i:i + BLOCK_ROWS]
            rows = xb.shape[0]
            pad = _padded_rows(rows) - rows
            if pad:  # the last block: all-zero full-length rows, dropped below
                xb = torch.cat([xb, xb.new_zeros((pad,) + tuple(xb.shape[1:]))])
                lb = torch.cat([lb, lb.new_full((pad,), xb.shape[1])])
            blocks.append(self._block_features(xb, lb)[:rows])
        return torch.cat(blocks)

    def _block_features(self, x, lengths):
        x = x.transpose(1, 2).float()  # (n, C, T)
        t = x.shape[2]
        equal = bool((lengths == t).all())
        if not equal:  # float masks: much faster than boolean reductions on the CPU
            valid = step_mask(lengths.to(x.device), t).to(x.dtype)
            valid = valid.unsqueeze(1)
            n_valid = valid.sum(2).clamp_min(1.0)
            off = (1.0 - valid) * 1e9
        feats = []
        for d, (w, b) in zip(self.dilations, self.kernels):
            pad = (KERNEL_LENGTH - 1) * d // 2
            out = F.conv1d(x, w.to(x.device), b.to(x.device), padding=pad, dilation=d)[:, :, :t]
            positive = (out > 0).to(x.dtype)
            if equal:
                feats += [positive.mean(2), out.amax(2)]
            else:
                feats += [(positive * valid).sum(2) / n_valid, (out - off).amax(2)]
        return torch.cat(feats, dim=1)

    def fit(self, x, lengths, codes, n_classes):
        """Draw kernels, set their biases from the data, fit the ridge classifier."""
        g = torch.Generator().manual_seed(self.seed)
        n, t, c = x.shape
        self.n_classes = n_classes
        self.dilations = self._dilations(int(lengths.max()))
        per = max(1, self.n_kernels // len(self.dilations))
        self.kernels = []
        xt = x.transpose(1, 2).float()
        for d in self.dilations:
            w = torch.randn(per, c, KERNEL_LENGTH, generator=g)
            w = w - w.mean(dim=2, keepdim=True)
            pad = (KERNEL_LENGTH - 1) * d // 2
            out = F.conv1d(xt, w, padding=pad, dilation=d)[:, :, :t]
            # bias: minus a random quantile of the kernel's response on a random series,
            # so the proportion of positive values is informative
            rows = torch.randint(n, (per,), generator=g)
            q = torch.rand(per, generator=g) * 0.8 + 0.1
            bias = torch.stack([-torch.quantile(out[r, k, : int(lengths[r])], q[k])
                                for k, r in enumerate(rows.tolist())])
            self.kernels.append((w, bias))
        f = self._features(x, lengths)
        self.mean, self.scale = f.mean(0), f.std(0).clamp_min(1e-6)
        z = ((f - self.mean) / self.scale).numpy().astype(np.float64)
        ridge = RidgeClassifierCV(alphas=np.logspace(-3, 3, 10), class_weight="balanced").fit(z, codes)
        coef, intercept = np.atleast_2d(ridge.coef_), np.atleast_1d(ridge.intercept_)
        if coef.shape[0] == 1:  # binary: one decision function, class 1 when positive
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        self.coef = torch.as_tensor(coef, dtype=torch.float32)
        self.intercept = torch.as_tensor(intercept, dtype=torch.float32)
        return self

    @torch.no_grad()
    def margin(self, x, lengths, codes):
        """Score of the requested class minus the best other score (> 0: accepted)."""
        z = (self._features(x, lengths) - self.mean.to(x.device)) / self.scale.to(x.device)
        s = z @ self.coef.to(x.device).T + self.intercept.to(x.device)
        own = s.gather(1, codes[:, None]).squeeze(1)
        others = s.scatter(1, codes[:, None], float("-inf")).amax(1)
        return own - others

    # --------------------------------------------------------------- state
    def get_state(self):
        arrays = {"filter_mean": self.mean.numpy(), "filter_scale": self.scale.numpy(),
                  "filter_coef": self.coef.numpy(), "filter_intercept": self.intercept.numpy()}
        for i, (w, b) in enumerate(self.kernels):
            arrays[f"filter_kernel_{i}"] = w.numpy()
            arrays[f"filter_bias_{i}"] = b.numpy()
        meta = {"n_kernels": self.n_kernels, "seed": self.seed, "n_classes": self.n_classes,
                "dilations": self.dilations}
        return meta, arrays

    @classmethod
    def from_state(cls, meta, arrays):
        obj = cls(meta["n_kernels"], meta["seed"])
        obj.n_classes, obj.dilations = meta["n_classes"], list(meta["dilations"])
        t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float32))  # noqa: E731
        obj.mean, obj.scale = t(arrays["filter_mean"]), t(arrays["filter_scale"])
        obj.coef, obj.intercept = t(arrays["filter_coef"]), t(arrays["filter_intercept"])
        obj.kernels = [(t(arrays[f"filter_kernel_{i}"]), t(arrays[f"filter_bias_{i}"]))
                       for i in range(len(obj.dilations))]
        return obj


class ClassFilterRecord(Record):
    """The sample filter in a model file: its sizes in the document, its kernels, biases,
    feature scaling and ridge weights as ``filter_*`` arrays."""

    key, param = "class_filter", "filter_samples"
    LIMIT = 100_000  # kernels a file may state: far beyond the 84 a fit draws

    def absent(self):
        return {"class_filter_": None}

    def write(self, est):
        if est.class_filter_ is None:
            return None, {}
        meta, arrays = est.class_filter_.get_state()
        return meta, {k: a.astype(np.float32) for k, a in arrays.items()}

    def check_presence(self, check, entry, model):
        n = 0 if model.classes is None else len(model.classes)
        if (entry is not None) != (model.params["filter_samples"] and n > 1):
            check.fail(f"calibrations.{self.key}", "must be present exactly when filter_samples "
                       "is set and the model has two or more classes.")

    def read(self, check, entry, model):
        where = f"calibrations.{self.key}"
        f = check.keys(entry, ("n_kernels", "seed", "n_classes", "dilations"), where)
        check.integer(f["n_kernels"], f"{where}.n_kernels", 1, self.LIMIT)
        check.integer(f["seed"], f"{where}.seed", 0, 2**32)
        n = 0 if model.classes is None else len(model.classes)
        check.integer(f["n_classes"], f"{where}.n_classes", n, n)
        expected = ClassFilter(f["n_kernels"])._dilations(model.n_timepoints)
        if f["dilations"] != expected:
            check.fail(f"{where}.dilations", f"must be {expected} for series of "
                       f"{model.n_timepoints} steps.")
        per = max(1, f["n_kernels"] // len(expected))
        n_features = 2 * per * len(expected)
        for name, shape in (("filter_mean", (n_features,)), ("filter_scale", (n_features,)),
                            ("filter_coef", (n, n_features)), ("filter_intercept", (n,))):
            model.expect_data(name, shape, np.float32)
        for i in range(len(expected)):
            model.expect_data(f"filter_kernel_{i}", (per, model.n_channels, KERNEL_LENGTH),
                              np.float32)
            model.expect_data(f"filter_bias_{i}", (per,), np.float32)
        return {"class_filter_": f}

    def finish(self, check, attributes, arrays, model):
        if np.any(arrays["filter_scale"] <= 0):
            check.fail("member 'data::filter_scale'", "must be positive.")
        state = {k: v for k, v in arrays.items() if k.startswith("filter_")}
        return {"class_filter_": ClassFilter.from_state(attributes["class_filter_"], state)}


class FilterScalerRecord(Record):
    """The channel scaler of the filter's input for a folded model (the filter reads the
    data's layout, the networks the folded one)."""

    key = "filter_scaler"

    def absent(self):
        return {"filter_scaler_": None}

    def write(self, est):
        scaler = est.filter_scaler_
        return (None if scaler is None else scaler.get_state()), {}

    def check_presence(self, check, entry, model):
        if (entry is not None) != (model.folded and model.entries["class_filter"] is not None):
            check.fail(f"calibrations.{self.key}", "must be present exactly for a folded model "
                       "with a sample filter.")

    def read(self, check, entry, model):
        return {"filter_scaler_": check.scaler(entry, f"calibrations.{self.key}",
                                               model.n_channels)}
