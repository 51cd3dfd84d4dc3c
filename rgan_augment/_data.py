"""Input checks and conversions, and the per-channel scaler.

Everything that reaches the GAN core goes through here: X arrives as a 2D array
(univariate), a 3D ``(n_instances, n_channels, n_timepoints)`` array, or a list of
``(n_channels, length_i)`` arrays (possibly of unequal lengths), and leaves as one
padded float array plus the true lengths.  :class:`SeriesLayout` remembers what the
user passed so that outputs keep the same container kind and dtype.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.utils.validation import column_or_1d

from .gan.masks import step_mask

__all__ = [
    "SeriesLayout",
    "ChannelScaler",
    "check_series",
    "check_labels",
    "nan_padding_hint",
    "is_nested_frame",
    "nested_frame_to_list",
    "panel_frame_to_list",
    "to_output",
    "like_input",
]


@dataclass(frozen=True)
class SeriesLayout:
    """What the user passed: the container kind and the dtype to give back."""

    kind: str  # "2d", "3d", "list" (of 2D arrays) or "list1d" (of 1D univariate series)
    dtype: np.dtype

    def describe(self):
        return {"2d": "2D array", "3d": "3D array", "list": "list of arrays",
                "list1d": "list of 1D arrays"}[self.kind]


def _output_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f" and dtype.itemsize >= 2:
        return dtype
    # integers and booleans cannot hold synthetic values: promote, and say so in docs
    return np.dtype(np.float64)


def _as_numeric(a, what):
    """``np.asarray`` with a clear error for anything that is not real numbers."""
    if hasattr(a, "to_numpy") and not isinstance(a, np.ndarray):
        a = a.to_numpy()
    try:
        arr = np.asarray(a)
    except (ValueError, TypeError) as exc:  # ragged nesting and the like
        raise ValueError(
            f"{what} could not be read as a numeric array ({exc}). Unequal-length "
            "series must be passed as a list of (n_channels, length) arrays."
        ) from None
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (ValueError, TypeError):
            raise TypeError(
                f"{what} must contain real numbers; got values of dtype object that "
                "cannot be converted to float."
            ) from None
    if arr.dtype.kind in "USV":
        raise TypeError(f"{what} must contain real numbers; got dtype {arr.dtype}.")
    if arr.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: {what} must contain real numbers.")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what} must contain real numbers; got dtype {arr.dtype}.")
    return arr


def nan_padding_hint(arr):
    """A sentence for the NaN error when every NaN of a 3D array comes after the last
    value of its series (tslearn and aeon pad shorter series so), else ''."""
    arr = np.asarray(arr)
    if arr.ndim != 3 or arr.dtype.kind != "f":
        return ""
    nan = np.isnan(arr)
    later = np.flip(np.logical_or.accumulate(np.flip(~nan, -1), -1), -1)  # a value at or after
    if not nan.any() or (nan & later).any():
        return ""
    return (" Every NaN comes after the last value of its series, as in NaN-padded "
            "unequal-length data: pass the series as a list of (n_channels, length_i) "
            "arrays without the padding.")


def _check_finite(arr, what):
    if arr.dtype.kind == "f":
        if np.isnan(arr).any():
            raise ValueError(f"Input {what} contains NaN.{nan_padding_hint(arr)}")
        if np.isinf(arr).any():
            raise ValueError(f"Input {what} contains infinity.")


def is_nested_frame(X):
    """Whether X is sktime's nested DataFrame ("nested_univ": one row per series, one
    column per channel, each cell a pandas Series or array of that channel's values)."""
    if not (hasattr(X, "iloc") and getattr(X, "ndim", 0) == 2 and X.shape[0] and X.shape[1]):
        return False
    return all(hasattr(v, "__len__") and not isinstance(v, (str, bytes)) for v in X.iloc[0])


def nested_frame_to_list(X):
    """A nested DataFrame (see :func:`is_nested_frame`) as a list of (n_channels, length)
    arrays; the channels of each series must have one length."""
    series = []
    for i in range(X.shape[0]):
        cells = [_as_numeric(X.iloc[i, j], f"X.iloc[{i}, {j}]") for j in range(X.shape[1])]
        if any(c.ndim != 1 for c in cells):
            raise ValueError(f"X.iloc[{i}] holds a cell that is not a 1D series of values.")
        lengths = sorted({len(c) for c in cells})
        if len(lengths) > 1:
            raise ValueError(f"Series {i} of the nested DataFrame X has channels of different "
                             f"lengths {lengths}; each series needs one length for all its channels.")
        series.append(np.stack(cells))
    return series


def is_multiindex_panel(X):
    """Whether X is sktime's "pd-multiindex" panel: a DataFrame with a two-level row
    index (instance, time point) and one column per channel."""
    index = getattr(X, "index", None)
    return hasattr(X, "columns") and getattr(index, "nlevels", 1) == 2


def multiindex_to_list(X):
    """A pd-multiindex panel as a list of (n_channels, length) arrays, one per instance
    in the order the instances first appear, each series' rows in the order given."""
    import pandas as pd

    values = _as_numeric(X, "X")
    if values.ndim != 2 or values.shape[1] == 0:
        raise ValueError("A pd-multiindex X needs one column per channel.")
    codes, _ = pd.factorize(X.index.get_level_values(0))
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes))[:-1]
    return [values[rows].T for rows in np.split(order, bounds)]


def panel_frame_to_list(X):
    """sktime's pandas panels (nested DataFrame, pd-multiindex) as a list of series;
    anything else unchanged."""
    if is_nested_frame(X):
        return nested_frame_to_list(X)
    if is_multiindex_panel(X):
        return multiindex_to_list(X)
    return X


def check_series(X, *, min_samples=1):
    """Validate X and return ``(values, lengths, layout)``.

    ``values`` is a float64 array ``(n_instances, n_channels, max_length)``, padded
    with zeros after each series' end; ``lengths`` holds each series' true length.
    """
    if X is None:
        raise ValueError("X is None; expected an array of time series.")
    if isinstance(X, (list, tuple)) and len(X) > 0 and all(
        hasattr(x, "shape") or isinstance(x, (list, tuple)) for x in X
    ):
        arrays = [_as_numeric(x, f"X[{i}]") for i, x in enumerate(X)]
        dims = {a.ndim for a in arrays}
        univariate_rows = dims == {1}
        if not dims <= {1, 2}:
            raise ValueError(
                "A list X must hold one (n_channels, length) array per series (or a 1D "
                f"array for a univariate series); found arrays with {sorted(dims)} dimensions."
            )
        arrays = [a[None, :] if a.ndim == 1 else a for a in arrays]
        channels = {a.shape[0] for a in arrays}
        if len(channels) != 1:
            raise ValueError(
                f"All series in X must have the same number of channels; found {sorted(channels)}."
            )
        if any(a.shape[1] == 0 for a in arrays):
            raise ValueError("X contains a series of length 0.")
        dtype = np.result_type(*[a.dtype for a in arrays])
        for i, a in enumerate(arrays):
            _check_finite(a, f"X[{i}]")
        lengths = np.array([a.shape[1] for a in arrays], dtype=np.int64)
        n_channels = arrays[0].shape[0]
        values = np.zeros((len(arrays), n_channels, lengths.max()), dtype=np.float64)
        for i, a in enumerate(arrays):
            values[i, :, : a.shape[1]] = a
        layout = SeriesLayout("list1d" if univariate_rows else "list", _output_dtype(dtype))
    else:
        arr = _as_numeric(X, "X")
        if arr.ndim not in (2, 3):
            raise ValueError(
                f"X must be 2D (n_instances, n_timepoints) or 3D (n_instances, "
                f"n_channels, n_timepoints); got an array with {arr.ndim} dimension(s) "
                f"and shape {arr.shape}."
            )
        if arr.shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={arr.shape}) while a minimum of "
                f"{min_samples} is required."
            )
        if arr.size == 0:
            raise ValueError(
                f"Found array with 0 feature(s) (shape={arr.shape}) while a minimum of 1 "
                "is required: X has no channels or no time points."
            )
        _check_finite(arr, "X")
        layout = SeriesLayout("2d" if arr.ndim == 2 else "3d", _output_dtype(arr.dtype))
        values = arr.astype(np.float64, copy=False)
        if values.ndim == 2:
            values = values[:, None, :]
        lengths = np.full(values.shape[0], values.shape[2], dtype=np.int64)
    if values.shape[0] < min_samples:
        raise ValueError(
            f"Found array with {values.shape[0]} sample(s) while a minimum of "
            f"{min_samples} is required."
        )
    if np.abs(values).max(initial=0.0) > 1e300:
        raise ValueError("X contains values too large to scale (above 1e300 in magnitude).")
    return values, lengths, layout


def check_labels(y, n_samples):
    """Validate y: 1D, one label per series, no missing values."""
    if hasattr(y, "to_numpy") and not isinstance(y, np.ndarray):
        y = y.to_numpy()
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)  # DataConversionWarning, as scikit-learn does
    if y.ndim != 1:
        hint = " (tuples or lists as labels? encode each as one string or number)" \
            if y.ndim == 2 else ""
        raise ValueError(f"y must be 1D (one label per series); got shape {y.shape}{hint}.")
    if y.shape[0] != n_samples:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {n_samples} series, "
            f"y has {y.shape[0]} labels."
        )
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError("Input y contains NaN or infinity.")
    if y.dtype == object:
        compound = next((v for v in y if isinstance(v, (tuple, list, dict, set, frozenset,
                                                        np.ndarray))), None)
        if compound is not None:  # tuples are hashable, but a label here is one value
            raise TypeError(
                f"Labels must be single values (strings, numbers or booleans); y holds "
                f"{type(compound).__name__} labels such as {compound!r}: encode each as one "
                "string or number first.")
        if any(v is None or (isinstance(v, float) and np.isnan(v)) for v in y):
            raise ValueError("Input y contains missing labels (None or NaN).")
        if len({isinstance(v, str) for v in y}) > 1:  # scikit-learn's rule and wording
            raise ValueError("Mix of label input types (string and number) in y: "
                             "use one type for all labels.")
    if y.dtype.kind == "f" and len(y) and not np.array_equal(y, np.round(y)):
        # scikit-learn's and imbalanced-learn's rule: floats are labels only when whole
        raise ValueError(
            "Unknown label type: continuous. y holds non-integer floats (a regression "
            "target?); the augmenter draws series per class, so y must hold class labels "
            "(strings, integers, or whole-number floats)."
        )
    return y


def to_output(values, lengths, layout):
    """Turn float64 ``(n, C, T)`` values back into the user's container and dtype."""
    if layout.kind == "list":
        return [values[i, :, : lengths[i]].astype(layout.dtype) for i in range(len(values))]
    if layout.kind == "list1d":
        return [values[i, 0, : lengths[i]].astype(layout.dtype) for i in range(len(values))]
    out = values.astype(layout.dtype)
    if layout.kind == "2d":
        out = out[:, 0, :]
    return out


def like_input(X_in, y_in, X_out, y_out):
    """``fit_resample``'s output in the containers the user passed, as imbalanced-learn
    gives them back: a pandas DataFrame X (one column per time point) stays a DataFrame
    with its column names (new rows, so a fresh RangeIndex), a pandas y (Series, or a
    one-column frame) keeps its name and dtype (categorical included) on X's index.
    Anything else is returned as computed. Column dtypes follow the float output
    (integer columns come back as float64, as for arrays)."""
    index = None
    # sktime's pandas panels come back as lists (read as lists of series), so a frame X
    # whose output is an array is the plain one-column-per-time-point kind
    if hasattr(X_in, "columns") and not isinstance(X_out, list):
        import pandas as pd

        X_out = pd.DataFrame(X_out, columns=X_in.columns)
        index = X_out.index
    if hasattr(y_in, "iloc"):
        import pandas as pd

        if hasattr(y_in, "columns"):  # a one-column frame (check_labels accepted it)
            y_out = pd.DataFrame({y_in.columns[0]: y_out}, index=index).astype(
                {y_in.columns[0]: y_in.dtypes.iloc[0]})
        else:
            y_out = pd.Series(y_out, name=y_in.name, index=index).astype(y_in.dtype)
    return X_out, y_out


#: a draw within this share of its channel's training range of zero is zero, on channels
#: whose training values keep one side of zero: the generator computes in float32 (relative
#: resolution ~6e-8), so its clip at zero comes back from the scaler as a rounding error
ZERO_SNAP = 4 * float(np.finfo(np.float32).eps)


def snap_to_zero(out, data_min, data_max):
    """``out`` (n, C, T) with values near zero set to exactly zero on the channels whose
    training values (``data_min``/``data_max``, (C,)) are all >= 0 or all <= 0, where zero
    is the bound of the draws (:meth:`ChannelScaler.clip_bounds`)."""
    one_sided = (data_min >= 0) | (data_max <= 0)
    tol = ZERO_SNAP * (data_max - data_min)
    near = np.abs(out) <= tol[None, :, None]
    return np.where(one_sided[None, :, None] & near, 0.0, out)


class ChannelScaler:
    """Per-channel standardisation with an exact inverse.

    Statistics are computed over every valid (unpadded) time point of every series.
    A channel with zero variance is stored with scale 0: it is modelled as zeros and
    restored exactly to its constant value.
    """

    def fit(self, values, lengths):
        n, c, t = values.shape
        mask = step_mask(lengths, t)  # (n, t)
        count = mask.sum()
        m = mask[:, None, :]
        self.mean_ = (values * m).sum(axis=(0, 2)) / count
        centred = (values - self.mean_[None, :, None]) * m
        var = (centred**2).sum(axis=(0, 2)) / count
        std = np.sqrt(var)
        magnitude = np.maximum(np.abs(self.mean_), np.finfo(np.float64).tiny)
        constant = std <= 1e-13 * magnitude  # below float64 resolution of the values
        constant |= std == 0
        self.scale_ = np.where(constant, 0.0, std)
        self.data_min_ = np.where(m, values, np.inf).min(axis=(0, 2))
        self.data_max_ = np.where(m, values, -np.inf).max(axis=(0, 2))
        return self

    def divisor(self):
        """What scaled values are divided by: the scale, 1 for a constant channel."""
        return np.where(self.scale_ == 0, 1.0, self.scale_)

    def transform(self, values):
        return (values - self.mean_[None, :, None]) / self.divisor()[None, :, None]

    def inverse_transform(self, scaled, clip=True):
        out = scaled * self.scale_[None, :, None] + self.mean_[None, :, None]
        return self.bounded(out) if clip else out

    def bounded(self, out, n_channels=None):
        """Data-unit values ``out`` (n, C, T) clipped to :meth:`clip_bounds`, with draws at
        a zero bound made exact zeros (:func:`snap_to_zero`). With ``n_channels``, the
        scaler's channels are consecutive phases of that many data channels (folded
        draws, already unfolded): each data channel gets its phases' widest bounds."""
        (lo, hi), data_min, data_max = self.clip_bounds(), self.data_min_, self.data_max_
        if n_channels is not None:
            lo, data_min = (v.reshape(n_channels, -1).min(1) for v in (lo, data_min))
            hi, data_max = (v.reshape(n_channels, -1).max(1) for v in (hi, data_max))
        out = np.clip(out, lo[None, :, None], hi[None, :, None])
        return snap_to_zero(out, data_min, data_max)

    def clip_bounds(self):
        """Synthetic values are kept within a quarter of the training range beyond it, and
        on the training values' side of zero: a channel with no negative value (counts,
        amounts, magnitudes) gets no negative draw, one with no positive value no positive
        draw."""
        span = self.data_max_ - self.data_min_
        lo, hi = self.data_min_ - 0.25 * span, self.data_max_ + 0.25 * span
        return self._keep_sign(lo, hi, 0.0, 0.0)

    def _keep_sign(self, lo, hi, zero_lo, zero_hi):
        """``lo``/``hi`` raised to ``zero_lo`` on channels with no negative training value
        and lowered to ``zero_hi`` on channels with no positive one (zero in the bounds'
        units; the bounds of other channels are returned unchanged)."""
        lo = np.where(self.data_min_ >= 0, np.maximum(lo, zero_lo), lo)
        hi = np.where(self.data_max_ <= 0, np.minimum(hi, zero_hi), hi)
        return lo, hi

    def scaled_bounds(self):
        """The training range in scaled units, per channel (for clipping the generator)."""
        d = self.divisor()
        return (self.data_min_ - self.mean_) / d, (self.data_max_ - self.mean_) / d

    def generator_clip(self):
        """The range the generator's output is clipped to, in scaled units: :meth:`clip_bounds`
        per channel, as float32 arrays (lo, hi)."""
        lo, hi = self.scaled_bounds()
        span = hi - lo
        zero = -self.mean_ / self.divisor()  # data value 0 in scaled units
        lo, hi = self._keep_sign(lo - 0.25 * span, hi + 0.25 * span, zero, zero)
        return lo.astype(np.float32), hi.astype(np.float32)

    def get_state(self):
        return {k: getattr(self, k).tolist() for k in ("mean_", "scale_", "data_min_", "data_max_")}

    @classmethod
    def from_state(cls, state):
        self = cls()
        for k, v in state.items():
            setattr(self, k, np.asarray(v, dtype=np.float64))
        return self


def pick_per_class(codes, pool_of, rng):
    """For each class code, a uniform draw from ``pool_of(code)`` (an int64 array)."""
    out = np.empty(len(codes), dtype=np.int64)
    for c in np.unique(codes):
        pool = pool_of(c)
        sel = codes == c
        out[sel] = pool[rng.randint(0, len(pool), size=sel.sum())]
    return out


def evenly_spaced(rows, cap):
    """``rows`` if there are at most ``cap`` of them, else ``cap`` of them evenly spaced
    (first and last included): the subset a calibration judges a large class on."""
    if len(rows) <= cap:
        return rows
    return rows[np.linspace(0, len(rows) - 1, cap).round().astype(np.int64)]


def check_n_samples(n_samples, name="n_samples"):
    if isinstance(n_samples, (bool, np.bool_)) or not isinstance(n_samples, Integral):
        raise TypeError(f"{name} must be a positive integer; got {n_samples!r}.")
    if n_samples < 1:
        raise ValueError(f"{name} must be a positive integer; got {n_samples}.")
    return int(n_samples)


def machine_memory():
    """This machine's physical memory in bytes, or None where the OS does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return None


def _output_bytes(n_series, n_channels, n_timepoints, dtype):
    """Bytes of an output array of ``n_series`` series (the longest length for lists)."""
    return int(n_series) * int(n_channels) * int(n_timepoints) * np.dtype(dtype).itemsize


def check_disk_space(path, n_series, n_channels, n_timepoints, dtype, hint):
    """Refuse, before any work, a file of ``n_series`` series that the free space of the
    folder of ``path`` cannot hold: a write would otherwise fill the disk for hours and
    then fail."""
    need = _output_bytes(n_series, n_channels, n_timepoints, dtype)
    folder = os.path.dirname(os.fspath(path)) or "."
    free = shutil.disk_usage(folder).free
    if need > free:
        raise ValueError(f"{os.path.basename(os.fspath(path))} would take {need / 2**30:,.1f} GiB "
                         f"and {folder} has {free / 2**30:,.1f} GiB free; {hint}")


def check_output_fits(n_series, n_channels, n_timepoints, dtype, what, limit=None,
                      hint="Ask for fewer, or draw them in parts with sample_batches()."):
    """Refuse, before any work, a request whose output array alone would not fit in
    this machine's memory (``limit`` bytes; by default its physical memory): such a
    request would otherwise run until numpy fails to allocate, or the OS kills it."""
    limit = machine_memory() if limit is None else limit
    need = _output_bytes(n_series, n_channels, n_timepoints, dtype)
    if limit is not None and need > limit:
        raise ValueError(
            f"{what} asks for {n_series:,} series of {n_channels} channel(s) x "
            f"{n_timepoints} steps: {need / 2**30:,.1f} GiB as {np.dtype(dtype)}, more than "
            f"this machine's memory ({limit / 2**30:,.1f} GiB). {hint}")
