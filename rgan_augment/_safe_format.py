"""The safe model file (format 2): a fitted augmenter written as plain data, and read
back from a file that anyone may have made or edited.

The file is an uncompressed ``.npz`` (zip) archive of ``.npy`` members: ``document``
(UTF-8 JSON: parameters, configuration and the small fitted state), ``weight::NAME``
(the generator's tensors) and ``data::NAME`` (reference series, per-series scales, the
sample filter's arrays). Reading never unpickles and never trusts a size it has not
derived itself:

1. the archive's directory is checked first: only the three kinds of member, each
   stored uncompressed (so no member expands beyond the bytes it occupies in the file),
   no name twice, the document at most ``MAX_DOCUMENT_BYTES``;
2. the document is validated against the schema below: every key of a closed list,
   every value's type and range, every configuration size within ``LIMITS``, and the
   calibrations consistent with the configuration and with each other;
3. from the validated document alone the exact set of array members is derived, with
   each one's shape and dtype (the generator's by building it on torch's ``meta``
   device, which allocates nothing); a missing or unknown member is refused, and each
   member's ``.npy`` header is compared with what is expected before its data is read;
4. every array is checked for what sampling relies on: finite values, weights of a
   trained size, references within the scaled data range and zero after their ends,
   positive scales.

Anything wrong raises :class:`~rgan_augment.persistence.ModelFileError` naming the
problem; what passes loads and samples finite series. Files of format 1 (written before
this schema) are refused with a request to refit.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import warnings
import zipfile
from numbers import Integral, Real

import numpy as np
import torch

from . import persistence
from ._data import ChannelScaler, SeriesLayout
from ._filter import ClassFilterRecord, FilterScalerRecord
from ._folding import FoldRecord
from ._series_norm import ZNormRecord
from ._series_scale import SeriesScaleRecord
from ._smoothing import CycleSmoothingRecord, SmoothingRecord
from ._spread import NoiseScaleRecord
from ._strategy import STRATEGY_NAMES
from .gan.config import GANConfig
from .gan.masks import step_mask
from .persistence import ModelFileError

FORMAT = "rgan-augment/2"
MAX_DOCUMENT_BYTES = 64 * 2**20
MAX_MEMBERS = 100_000
# Sizes a configuration may state: far beyond any model this library fits (its defaults
# are 64-128 hidden units and 2 layers), small enough that a file cannot make the
# loader build networks of billions of weights before reading them.
LIMITS = {"n_channels": 100_000, "n_timepoints": 10_000_000, "n_classes": 100_000,
          "hidden_size": 4096, "num_layers": 16, "latent_dim": 4096, "noise_dim": 4096,
          "batch_size": 1_000_000, "n_steps": 100_000_000, "eval_every": 100_000_000,
          "d_steps": 1000, "generator_weights": 100_000_000, "history": 1_000_000,
          "label_chars": 10_000}
# Trained weights stay within a few units (Adam moves a weight by at most about the
# learning rate per step); a weight beyond this is damage, and would overflow float32
# inside the networks.
MAX_WEIGHT = 1e6
LAYOUT_KINDS = ("2d", "3d", "list", "list1d")
FITTED_KEYS = ("n_features_in_", "n_channels_", "n_timepoints_", "equal_length_", "history_",
               "best_step_", "n_steps_", "best_score_", "fit_seconds_", "device_",
               "precision_", "interrupted_")
HISTORY_KEYS = ("step", "loss_d", "loss_g", "mmd", "seconds")
# Each calibration's entry of the document's "calibrations" (its Record lives beside its
# fit), in the order they are read: the folding first (the others' shapes depend on it).
RECORDS = (FoldRecord(), SmoothingRecord(), CycleSmoothingRecord(), ZNormRecord(),
           SeriesScaleRecord(), ClassFilterRecord(), FilterScalerRecord(), NoiseScaleRecord())
# Parameters added after files were written without them, and the value such a file
# reads as (the behaviour of the library that wrote it).
LATER_PARAMS = {"match_spread": False, "augment_discriminator": 0.0}
# Configuration fields added later, likewise (training-only: sampling does not read them).
LATER_CONFIG = {"augment": 0.0}
CALIBRATION_KEYS = tuple(record.key for record in RECORDS)
DOCUMENT_KEYS = ("format", "version", "params", "classes", "layout", "lengths_by_class",
                 "config", "scaler", "fitted", "sample_rng", "sampling_strategy_",
                 "calibrations")
_LABEL_DTYPE = re.compile(r"^[<>|=]?(b1|[iu][1248]|f[248]|U\d{1,5}|O)$")


# =================================================================== writing
def write(est, path):
    """Write the fitted augmenter ``est`` to ``path`` (replaced atomically)."""
    codes = None if est.classes_ is None else {c: i for i, c in enumerate(est.classes_.tolist())}
    document = {
        "format": FORMAT,
        "version": persistence.library_version(),
        "params": _params_document(est.get_params(), codes),
        "classes": persistence.encode_labels(est.classes_),
        "layout": {"kind": est.layout_.kind, "dtype": est.layout_.dtype.str},
        "lengths_by_class": [a.tolist() for a in est.lengths_by_class_],
        # every field, a pickled config from before a field was added included (asdict reads
        # the class default for it)
        "config": dataclasses.asdict(est.config_),
        "scaler": est.scaler_.get_state(),
        "fitted": {k: getattr(est, k) for k in FITTED_KEYS},
        "sample_rng": _rng_document(est._sample_rng),
        "sampling_strategy_": None,
        "calibrations": {},
    }
    fitted = document["fitted"]
    fitted["best_score_"] = float(est.best_score_) if math.isfinite(est.best_score_) else None
    fitted["n_features_in_"] = int(est.n_features_in_)
    strategy = getattr(est, "sampling_strategy_", None)
    if strategy is not None and codes is not None:
        document["sampling_strategy_"] = [[codes[k], int(v)] for k, v in strategy.items()]
    data = {}
    if est.references_ is not None:
        data.update(references=est.references_.astype(np.float32),
                    reference_lengths=est.reference_lengths_.astype(np.int64),
                    reference_codes=est.reference_codes_.astype(np.int64))
    for record in RECORDS:
        document["calibrations"][record.key], arrays = record.write(est)
        data.update(arrays)
    persistence.save_npz(path, document, est.generator_.state_dict(), data)


def _params_document(params, codes):
    """``get_params()`` as JSON. A dict ``sampling_strategy`` is stored by class index; a
    callable one cannot be, nor a RandomState: those are stored as their defaults, with
    a warning (they only matter for a refit of the loaded model)."""
    out = {}
    for k, v in params.items():
        if k == "random_state" and not (v is None or isinstance(v, Integral)):
            warnings.warn("save(): a RandomState random_state is not stored (the sampling "
                          "stream is); the loaded model has random_state=None.",
                          UserWarning, stacklevel=4)
            v = None
        if k == "sampling_strategy" and isinstance(v, dict):
            if codes is not None and all(key in codes for key in v):
                v = {"targets": [[codes[key], n] for key, n in v.items()]}
            else:
                warnings.warn("save(): the dict sampling_strategy names classes this model "
                              "does not have; it is stored as 'auto'.", UserWarning, stacklevel=4)
                v = "auto"
        elif k == "sampling_strategy" and not isinstance(v, (str, Real)):
            warnings.warn("save(): a callable sampling_strategy cannot be stored in the safe "
                          "format; the loaded model has sampling_strategy='auto' (use joblib "
                          "to keep it).", UserWarning, stacklevel=4)
            v = "auto"
        if isinstance(v, Integral) and not isinstance(v, bool):
            v = int(v)
        elif isinstance(v, Real) and not isinstance(v, bool):
            v = float(v)
        out[k] = v
    return out


def _rng_document(rng):
    name, keys, pos, has_gauss, cached = rng.get_state()
    return [name, keys.tolist(), int(pos), int(has_gauss), float(cached)]


# =================================================================== reading
def read(cls, path):
    """A fitted ``cls`` (RecurrentGANAugmenter) from the safe file at ``path``."""
    with _Archive(path) as archive:
        check = _Checker(path)
        model = check.document(archive.document())
        archive.refuse_unknown(model.members)
        for name, (shape, dtype) in model.members.items():
            model.arrays[name] = archive.array(name, shape, dtype)
    check.arrays(model)
    return model.build(cls)


class _Archive:
    """An ``.npz`` file read member by member, each checked before it is read."""

    def __init__(self, path):
        self.path = os.fspath(path)
        if not os.path.exists(self.path):
            raise FileNotFoundError(f"no such model file: {self.path}")
        if not os.path.isfile(self.path):
            raise ModelFileError(f"{self.path} is not a file.")
        try:
            self.zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
            raise self._error(f"not an .npz archive ({exc})") from None
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise self._error(f"{len(infos)} members, more than any model has")
        self.infos = {}
        for info in infos:
            name = info.filename
            if not name.endswith(".npy") or not (name == "document.npy" or name.startswith(
                    ("weight::", "data::"))):
                raise self._error(f"unknown member {name[:80]!r}")
            if name in self.infos:
                raise self._error(f"member {name[:80]!r} appears twice")
            if info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
                raise self._error(f"member {name[:80]!r} is compressed (save() stores members "
                                  "as they are)")
            self.infos[name] = info
        # stored members lie in the file side by side: together they cannot be larger
        # than it, unless the directory points several of them at the same bytes
        if sum(i.file_size for i in infos) > os.path.getsize(self.path):
            raise self._error("its members overlap")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.zip.close()
        return False

    def _error(self, why):
        return ModelFileError(f"{self.path} is not a readable rgan-augment model file ({why}).")

    def document(self):
        info = self.infos.get("document.npy")
        if info is None:
            raise self._error("no document member")
        if info.file_size > MAX_DOCUMENT_BYTES:
            raise self._error(f"a document of {info.file_size:,} bytes")
        raw = self._read("document", None, np.dtype(np.uint8))  # its size checked just above
        try:
            doc = json.loads(raw.tobytes().decode("utf-8"))
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise self._error(f"the document is not JSON: {str(exc)[:200]}") from None
        if not isinstance(doc, dict):
            raise self._error("the document is not a JSON object")
        if doc.get("format") == persistence.FORMAT_1:
            raise ModelFileError(
                f"{self.path} was written in the first file format (before rgan-augment "
                "validated model files fully); refit the model and save it again.")
        if doc.get("format") != FORMAT:
            raise self._error(f"format {str(doc.get('format'))[:40]!r}, expected {FORMAT!r}")
        persistence.check_version(doc.get("version"), self.path)
        return doc

    def array(self, name, shape, dtype):
        return self._read(name, tuple(shape), np.dtype(dtype))

    def refuse_unknown(self, expected):
        unknown = sorted(set(self.infos) - {f"{n}.npy" for n in expected} - {"document.npy"})
        if unknown:
            raise self._error(f"unexpected member(s) {', '.join(u[:60] for u in unknown[:5])}")

    def _read(self, name, shape, dtype):
        info = self.infos.get(f"{name}.npy")
        if info is None:
            raise self._error(f"member {name!r} is missing")
        try:
            with self.zip.open(info) as fh:
                version = np.lib.format.read_magic(fh)
                if version == (1, 0):
                    got_shape, fortran, got_dtype = np.lib.format.read_array_header_1_0(fh)
                elif version in ((2, 0), (3, 0)):
                    got_shape, fortran, got_dtype = np.lib.format.read_array_header_2_0(fh)
                else:
                    raise ValueError(f"npy version {version}")
                if got_dtype != dtype or len(got_shape) != (1 if shape is None else len(shape)):
                    raise ModelFileError(
                        f"{self.path}: member {name!r} holds a {got_dtype} array of shape "
                        f"{got_shape}; expected {dtype} of shape {shape or '(n,)'}.")
                if shape is not None and tuple(got_shape) != shape:
                    raise ModelFileError(
                        f"{self.path}: member {name!r} has shape {tuple(got_shape)}; the "
                        f"model's configuration implies {shape}.")
                nbytes = math.prod(got_shape) * dtype.itemsize
                if info.file_size != fh.tell() + nbytes:
                    raise ModelFileError(f"{self.path}: member {name!r} is {info.file_size:,} "
                                         f"bytes; its header implies {fh.tell() + nbytes:,}.")
                data = fh.read(nbytes)
        except ModelFileError:
            raise
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, SyntaxError) as exc:
            raise self._error(f"member {name!r}: {str(exc)[:200]}") from None
        if len(data) != nbytes:
            raise self._error(f"member {name!r} is truncated")
        return np.ascontiguousarray(np.frombuffer(bytearray(data), dtype=dtype).reshape(
            got_shape, order="F" if fortran else "C"))


class _Model:
    """What the checks have established: the validated document's parts, the array
    members expected (name -> (shape, dtype)) and, once read, the arrays themselves;
    ``entries`` are the raw calibration entries, ``calibrations`` the fitted
    attributes each record read from its entry (record key -> {attribute: value})."""

    def __init__(self):
        self.members, self.arrays, self.calibrations = {}, {}, {}

    @property
    def n_groups(self):
        return 1 if self.classes is None else len(self.classes)

    @property
    def folded(self):
        return self.entries["fold"] is not None

    def expect_data(self, name, shape, dtype):
        """Declare the array member ``data::name``."""
        self.members[f"data::{name}"] = (tuple(shape), dtype)

    def data(self):
        """The ``data::`` arrays read, by their names without the prefix."""
        return {k.split("::", 1)[1]: v for k, v in self.arrays.items() if k.startswith("data::")}

    def build(self, cls):
        est = cls(**self.params)
        est.classes_, est.layout_ = self.classes, self.layout
        est.lengths_by_class_ = self.lengths_by_class
        est.scaler_, est.config_ = self.scaler, self.config
        for k, v in self.fitted.items():
            setattr(est, k, v)
        est.clip_ = tuple(bound.tolist() for bound in self.scaler.generator_clip())
        est._sample_rng = self.sample_rng
        if self.sampling_strategy_ is not None:
            est.sampling_strategy_ = self.sampling_strategy_
        a = self.arrays
        est.references_ = est.reference_lengths_ = est.reference_codes_ = None
        if self.config.reference:
            est.references_ = a["data::references"]
            est.reference_lengths_ = a["data::reference_lengths"]
            est.reference_codes_ = a["data::reference_codes"]
        for attributes in self.calibrations.values():  # in RECORDS order
            for k, v in attributes.items():
                setattr(est, k, v)
        weights = {k.split("::", 1)[1]: torch.from_numpy(v) for k, v in a.items()
                   if k.startswith("weight::")}
        est.generator_ = est._restore_generator(weights)
        return est


class _Checker:
    """The schema: each method checks one part of the document and returns its value."""

    def __init__(self, path):
        self.path = os.fspath(path)

    def fail(self, where, why):
        raise ModelFileError(f"{self.path}: {where} {why}")

    # ------------------------------------------------------------- values
    def keys(self, obj, keys, where):
        if not isinstance(obj, dict):
            self.fail(where, f"must be a JSON object; got {type(obj).__name__}.")
        missing, extra = set(keys) - set(obj), set(obj) - set(keys)
        if missing:
            self.fail(where, f"lacks {', '.join(sorted(missing))}.")
        if extra:
            self.fail(where, f"has unknown entries {', '.join(sorted(map(str, extra))[:5])}.")
        return obj

    def integer(self, v, where, lo, hi):
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            self.fail(where, f"must be an integer in [{lo}, {hi}]; got {str(v)[:40]}.")
        return v

    def number(self, v, where, lo=-math.inf, hi=math.inf, none=False):
        if v is None and none:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                or not lo <= v <= hi:
            self.fail(where, f"must be a finite number in [{lo}, {hi}]; got {str(v)[:40]}.")
        return float(v)

    def boolean(self, v, where):
        if not isinstance(v, bool):
            self.fail(where, f"must be true or false; got {str(v)[:40]}.")
        return v

    def choice(self, v, where, options):
        if not isinstance(v, str) or v not in options:
            self.fail(where, f"must be one of {', '.join(options)}; got {str(v)[:40]!r}.")
        return v

    def numbers(self, v, where, shape, lo=-math.inf, hi=math.inf):
        """A nested list of finite numbers of exactly ``shape``, as float64."""
        try:
            arr = np.asarray(v, dtype=np.float64)
        except (ValueError, TypeError, OverflowError):
            self.fail(where, "must be an array of numbers.")
        if arr.shape != tuple(shape):
            self.fail(where, f"has shape {arr.shape}; expected {tuple(shape)}.")
        if not np.all(np.isfinite(arr)) or (arr.size and (arr.min() < lo or arr.max() > hi)):
            self.fail(where, f"must hold finite numbers in [{lo}, {hi}].")
        return arr

    def flags(self, v, where, n):
        if not isinstance(v, list) or len(v) != n or not all(isinstance(f, bool) for f in v):
            self.fail(where, f"must be a list of {n} true/false values.")
        return np.asarray(v, dtype=bool)

    # ------------------------------------------------------------ document
    def document(self, doc):
        self.keys(doc, DOCUMENT_KEYS, "the document")
        m = _Model()
        m.config = self.config(doc["config"])
        m.classes = self.classes(doc["classes"], m.config.n_classes)
        m.layout = self.layout(doc["layout"])
        m.fitted = self.fitted(doc["fitted"], m.layout)
        n_channels, n_timepoints = m.fitted["n_channels_"], m.fitted["n_timepoints_"]
        m.lengths_by_class = self.lengths(doc["lengths_by_class"], m.n_groups, n_timepoints,
                                          m.fitted["equal_length_"])
        m.n_channels, m.n_timepoints = n_channels, n_timepoints
        entries = doc["calibrations"]
        if isinstance(entries, dict):  # a calibration added later: absent from older files
            entries = {**{r.key: None for r in RECORDS if r.optional}, **entries}
        m.entries = self.keys(entries, CALIBRATION_KEYS, "calibrations")
        m.scaler = self.scaler(doc["scaler"], "scaler", m.config.n_channels)
        m.params = self.params(doc["params"], m)
        m.sample_rng = self.sample_rng(doc["sample_rng"])
        m.sampling_strategy_ = self.strategy_counts(doc["sampling_strategy_"], m.classes)
        for record in RECORDS:
            entry = m.entries[record.key]
            record.check_presence(self, entry, m)
            m.calibrations[record.key] = (record.absent() if entry is None
                                          else record.read(self, entry, m))
        self.expect_members(m)
        return m

    def config(self, raw):
        fields = [f for f in GANConfig.__dataclass_fields__]
        if isinstance(raw, dict):
            raw = {**LATER_CONFIG, **raw}
        c = self.keys(raw, fields, "config")
        w = lambda k: f"config.{k}"  # noqa: E731
        out = {}
        for k in ("n_channels", "n_timepoints", "hidden_size", "num_layers", "latent_dim",
                  "noise_dim", "batch_size", "d_steps"):
            out[k] = self.integer(c[k], w(k), 1, LIMITS[k])
        out["n_classes"] = self.integer(c["n_classes"], w("n_classes"), 0, LIMITS["n_classes"])
        out["n_steps"] = self.integer(c["n_steps"], w("n_steps"), 1, LIMITS["n_steps"])
        out["eval_every"] = self.integer(c["eval_every"], w("eval_every"), 1, LIMITS["eval_every"])
        out["chunk"] = self.integer(c["chunk"], w("chunk"), 1, out["n_timepoints"])
        out["cell"] = self.choice(c["cell"], w("cell"), ("lstm", "gru"))
        out["loss"] = self.choice(c["loss"], w("loss"), ("ns", "hinge", "lsgan"))
        for k in ("feature_matching", "class_loss", "mmd_weight"):
            out[k] = self.number(c[k], w(k), 0.0)
        for k in ("lr_g", "lr_d"):
            out[k] = self.number(c[k], w(k), 1e-300)
        out["max_time"] = self.number(c["max_time"], w("max_time"), 1e-300, none=True)
        out["ema"] = self.number(c["ema"], w("ema"), 0.0, 1.0)
        out["augment"] = self.number(c["augment"], w("augment"), 0.0, 1.0)
        if out["ema"] >= 1:
            self.fail(w("ema"), "must be below 1.")
        out["reference"] = self.boolean(c["reference"], w("reference"))
        out["even_inputs"] = self.boolean(c["even_inputs"], w("even_inputs"))
        config = GANConfig(**out)
        if config.chunk * config.n_channels > LIMITS["n_channels"]:
            self.fail("config", "asks for more output values per recurrent step than any model has.")
        return config

    def classes(self, raw, n_classes):
        if raw is None:
            if n_classes:
                self.fail("classes", "are missing for a conditional model.")
            return None
        self.keys(raw, ("dtype", "values"), "classes")
        dtype_str, values = raw["dtype"], raw["values"]
        if not isinstance(dtype_str, str) or not _LABEL_DTYPE.match(dtype_str):
            self.fail("classes.dtype", f"must be a bool, integer, float, string or object "
                      f"dtype; got {str(dtype_str)[:40]!r}.")
        dtype = np.dtype(dtype_str)
        if not isinstance(values, list) or len(values) != n_classes:
            self.fail("classes.values", f"must list the model's {n_classes} classes.")
        kind = dtype.kind
        scalar = (lambda v: isinstance(v, bool)) if kind == "b" else \
            (lambda v: isinstance(v, int) and not isinstance(v, bool)) if kind in "iu" else \
            (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
             and math.isfinite(v)) if kind == "f" else \
            (lambda v: isinstance(v, str) and len(v) <= LIMITS["label_chars"]) if kind == "U" else \
            None
        if kind == "O":
            ok = all(isinstance(v, str) and len(v) <= LIMITS["label_chars"] for v in values) or \
                all(isinstance(v, (int, float)) and not isinstance(v, bool)
                    and math.isfinite(v) for v in values) or \
                all(isinstance(v, bool) for v in values)
        else:
            ok = all(scalar(v) for v in values)
        if not ok:
            self.fail("classes.values", f"must all be labels of dtype {dtype}.")
        if kind == "U" and dtype.itemsize != 4 * max(1, max(len(v) for v in values)):
            self.fail("classes.dtype", "must be as wide as the longest label, as fit leaves it.")
        try:
            classes = np.asarray(values, dtype=dtype) if kind != "O" else _object_array(values)
        except (OverflowError, ValueError):
            self.fail("classes.values", f"do not fit dtype {dtype}.")
        if classes.tolist() != values or len(np.unique(classes)) != len(classes) or \
                not np.array_equal(np.unique(classes), classes):
            self.fail("classes.values", "must be distinct and sorted, as fit leaves classes_.")
        return classes

    def layout(self, raw):
        self.keys(raw, ("kind", "dtype"), "layout")
        kind = self.choice(raw["kind"], "layout.kind", LAYOUT_KINDS)
        dtype = raw["dtype"]
        if not isinstance(dtype, str) or not re.fullmatch(r"[<>=]f(2|4|8|16)", dtype):
            self.fail("layout.dtype", f"must be a float dtype (f2, f4, f8); got {str(dtype)[:40]!r}.")
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            self.fail("layout.dtype", f"{dtype!r} is not a float type on this machine.")
        return SeriesLayout(kind, dtype)

    def fitted(self, raw, layout):
        f = self.keys(raw, FITTED_KEYS, "fitted")
        out = {"n_channels_": self.integer(f["n_channels_"], "fitted.n_channels_", 1,
                                           LIMITS["n_channels"]),
               "n_timepoints_": self.integer(f["n_timepoints_"], "fitted.n_timepoints_", 1,
                                             LIMITS["n_timepoints"])}
        out["equal_length_"] = self.boolean(f["equal_length_"], "fitted.equal_length_")
        features = out["n_timepoints_"] if layout.kind == "2d" else out["n_channels_"]
        if layout.kind in ("2d", "list1d") and out["n_channels_"] != 1:
            self.fail("fitted.n_channels_", f"must be 1 for a {layout.describe()}.")
        if layout.kind in ("2d", "3d") and not out["equal_length_"]:
            self.fail("fitted.equal_length_", f"must be true for a {layout.describe()}.")
        out["n_features_in_"] = self.integer(f["n_features_in_"], "fitted.n_features_in_",
                                             features, features)
        out["history_"] = self.history(f["history_"])
        out["n_steps_"] = self.integer(f["n_steps_"], "fitted.n_steps_", 0, LIMITS["n_steps"])
        out["best_step_"] = self.integer(f["best_step_"], "fitted.best_step_", 0, out["n_steps_"])
        score = self.number(f["best_score_"], "fitted.best_score_", none=True)
        out["best_score_"] = math.inf if score is None else score
        out["fit_seconds_"] = self.number(f["fit_seconds_"], "fitted.fit_seconds_", 0.0)
        device = f["device_"]
        if not isinstance(device, str) or not re.fullmatch(r"cpu|cuda(:\d{1,3})?", device):
            self.fail("fitted.device_", f"must be 'cpu' or 'cuda[:N]'; got {str(device)[:40]!r}.")
        out["device_"] = device
        out["precision_"] = self.choice(f["precision_"], "fitted.precision_",
                                        ("float32", "bfloat16"))
        out["interrupted_"] = self.boolean(f["interrupted_"], "fitted.interrupted_")
        return out

    def history(self, raw):
        h = self.keys(raw, HISTORY_KEYS, "fitted.history_")
        n = None
        for k in HISTORY_KEYS:
            v = h[k]
            if not isinstance(v, list) or len(v) > LIMITS["history"] or (n is not None and len(v) != n):
                self.fail(f"fitted.history_.{k}", "must be a list as long as the others.")
            n = len(v)
            if not all(x is None or (isinstance(x, (int, float)) and not isinstance(x, bool))
                       for x in v):
                self.fail(f"fitted.history_.{k}", "must hold numbers.")
        return {k: list(h[k]) for k in HISTORY_KEYS}

    def lengths(self, raw, n_groups, n_timepoints, equal):
        if not isinstance(raw, list) or len(raw) != n_groups:
            self.fail("lengths_by_class", f"must hold one list of lengths per class ({n_groups}).")
        out = []
        for c, lengths in enumerate(raw):
            if not isinstance(lengths, list) or not lengths or not all(
                    isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= n_timepoints
                    for v in lengths):
                self.fail(f"lengths_by_class[{c}]", f"must be a non-empty list of lengths in "
                          f"[1, {n_timepoints}].")
            arr = np.asarray(lengths, dtype=np.int64)
            if np.any(np.diff(arr) < 0):
                self.fail(f"lengths_by_class[{c}]", "must be sorted.")
            out.append(arr)
        longest = max(int(a[-1]) for a in out)
        if longest != n_timepoints or equal != all(bool((a == n_timepoints).all()) for a in out):
            self.fail("lengths_by_class", "do not agree with fitted.n_timepoints_ and "
                      "fitted.equal_length_.")
        return out

    def scaler(self, raw, where, n_channels):
        s = self.keys(raw, ("mean_", "scale_", "data_min_", "data_max_"), where)
        big = 1e300  # fit refuses data beyond it
        state = {k: self.numbers(s[k], f"{where}.{k}", (n_channels,), -big, big) for k in s}
        if np.any(state["scale_"] < 0) or np.any(state["data_min_"] > state["data_max_"]):
            self.fail(where, "must have scales >= 0 and data_min_ <= data_max_.")
        scaler = ChannelScaler.from_state(state)
        with np.errstate(all="ignore"):
            lo, hi = scaler.generator_clip()
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))
                and np.abs(np.concatenate([lo, hi])).max() <= 1e12):
            self.fail(where, "implies a scaled data range no fit gives (scale too small for "
                      "the data's range).")
        return scaler

    def params(self, raw, m):
        from .augmenter import RecurrentGANAugmenter

        names = sorted(RecurrentGANAugmenter().get_params())
        if isinstance(raw, dict):
            raw = {**LATER_PARAMS, **raw}
        p = dict(self.keys(raw, names, "params"))
        strategy = p["sampling_strategy"]
        if isinstance(strategy, dict):
            self.keys(strategy, ("targets",), "params.sampling_strategy")
            pairs = strategy["targets"]
            n = 0 if m.classes is None else len(m.classes)
            if not isinstance(pairs, list) or not all(
                    isinstance(q, list) and len(q) == 2 and all(
                        isinstance(v, int) and not isinstance(v, bool) for v in q)
                    and 0 <= q[0] < n and q[1] >= 0 for q in pairs):
                self.fail("params.sampling_strategy.targets", "must be [class index, total] pairs.")
            p["sampling_strategy"] = {m.classes[i].item() if hasattr(m.classes[i], "item")
                                      else m.classes[i]: total for i, total in pairs}
        elif not (isinstance(strategy, str) and strategy in STRATEGY_NAMES) and not (
                isinstance(strategy, float) and math.isfinite(strategy)):
            self.fail("params.sampling_strategy", "must be a strategy name, a float or class "
                      "targets.")
        if not isinstance(p["device"], str) or not re.fullmatch(r"auto|cpu|cuda(:\d{1,3})?",
                                                                p["device"]):
            self.fail("params.device", "must be 'auto', 'cpu', 'cuda' or 'cuda:N'.")
        rs = p["random_state"]
        if rs is not None and (isinstance(rs, bool) or not isinstance(rs, int)
                               or not 0 <= rs < 2**32):
            self.fail("params.random_state", "must be null or an integer in [0, 2**32).")
        try:
            RecurrentGANAugmenter(**p)._check_params()
        except (TypeError, ValueError) as exc:
            self.fail("params", f"are not valid parameters: {exc}")
        c = m.config
        if (p["cell"], p["num_layers"], p["latent_dim"], p["noise_dim"],
                p["conditioning"] == "example") != (c.cell, c.num_layers, c.latent_dim,
                                                    c.noise_dim, c.reference):
            self.fail("params", "disagree with the configuration the networks were built with.")
        return p

    def sample_rng(self, raw):
        if not isinstance(raw, list) or len(raw) != 5:
            self.fail("sample_rng", "must be a MT19937 state [name, keys, pos, has_gauss, cached].")
        name, keys, pos, has_gauss, cached = raw
        if name != "MT19937" or not isinstance(keys, list) or len(keys) != 624 or not all(
                isinstance(k, int) and not isinstance(k, bool) and 0 <= k < 2**32 for k in keys):
            self.fail("sample_rng", "must be a MT19937 state of 624 32-bit keys.")
        self.integer(pos, "sample_rng.pos", 0, 624)
        self.integer(has_gauss, "sample_rng.has_gauss", 0, 1)
        self.number(cached, "sample_rng.cached")
        rng = np.random.RandomState()
        rng.set_state((name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, float(cached)))
        return rng

    def strategy_counts(self, raw, classes):
        if raw is None:
            return None
        n = 0 if classes is None else len(classes)
        if not isinstance(raw, list) or not all(
                isinstance(q, list) and len(q) == 2 and all(
                    isinstance(v, int) and not isinstance(v, bool) for v in q)
                and 0 <= q[0] < n and q[1] >= 0 for q in raw):
            self.fail("sampling_strategy_", "must be [class index, count] pairs.")
        return {classes[i].item() if hasattr(classes[i], "item") else classes[i]: count
                for i, count in raw}

    def expect_members(self, m):
        """The generator's weights and the references (the calibrations' records declare
        their own arrays)."""
        c = m.config
        with torch.device("meta"):
            generator = c.build_generator()
        shapes = {k: tuple(v.shape) for k, v in generator.state_dict().items()}
        if sum(math.prod(s) for s in shapes.values()) > LIMITS["generator_weights"]:
            self.fail("config", "describes a generator larger than any model this library fits.")
        m.members.update({f"weight::{k}": (s, np.float32) for k, s in shapes.items()})
        counts = [len(a) for a in m.lengths_by_class]
        if c.reference:
            n_ref = sum(min(k, _max_refs()) for k in counts)
            m.members.update({"data::references": ((n_ref, c.n_chunks * c.chunk, c.n_channels),
                                                   np.float32),
                              "data::reference_lengths": ((n_ref,), np.int64),
                              "data::reference_codes": ((n_ref,), np.int64)})

    # -------------------------------------------------------------- arrays
    def arrays(self, m):
        a = m.arrays
        for name, arr in a.items():
            if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
                self.fail(f"member {name!r}", "holds NaN or infinite values.")
        for name, arr in a.items():
            if name.startswith("weight::") and arr.size and np.abs(arr).max() > MAX_WEIGHT:
                self.fail(f"member {name!r}", f"holds weights beyond {MAX_WEIGHT:g}, which no "
                          "training gives.")
        c = m.config
        if c.reference:
            refs, lengths, codes = (a["data::references"], a["data::reference_lengths"],
                                    a["data::reference_codes"])
            per_class = [min(len(x), _max_refs()) for x in m.lengths_by_class]
            if not np.array_equal(codes, np.repeat(np.arange(len(per_class)), per_class)):
                self.fail("member 'data::reference_codes'", "must list each class's references "
                          "in turn, as fit stores them.")
            if lengths.min() < 1 or lengths.max() > c.n_timepoints:
                self.fail("member 'data::reference_lengths'", f"must be in [1, {c.n_timepoints}].")
            lo, hi = m.scaler.generator_clip()
            after_end = ~step_mask(lengths, refs.shape[1])
            valid = refs[~after_end]  # (n valid steps, channels)
            if np.any(refs[after_end] != 0) or np.any(valid < lo) or np.any(valid > hi):
                self.fail("member 'data::references'", "must be scaled series within the "
                          "training range, zero after their ends.")
        data = m.data()
        for record in RECORDS:
            if m.entries[record.key] is not None:
                m.calibrations[record.key] = record.finish(self, m.calibrations[record.key],
                                                           data, m)


def _max_refs():
    """Training series a fit keeps per class as references (imported late: the
    estimator imports this module)."""
    from .augmenter import _MAX_REFERENCES

    return _MAX_REFERENCES


def _object_array(values):
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
