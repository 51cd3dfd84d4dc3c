"""``rgan-augment``: the command line for batch jobs.

    rgan-augment fit DATA MODEL [--labels FILE | --label-column NAME] [--n-steps N] ...
    rgan-augment sample MODEL OUT --n N [--label L]
    rgan-augment resample DATA OUT [--labels ...] [--model MODEL] [--sampling-strategy S]
    rgan-augment evaluate MODEL REAL [--labels ...] [--n N]
    rgan-augment info MODEL

DATA and REAL: ``.ts`` (sktime's format, labels inside), ``.npy`` (X; labels from
``--labels``), ``.npz`` (arrays ``X`` and, optionally, ``y``; unequal lengths as a
NaN-padded ``X`` with ``lengths``) or ``.csv`` (one univariate series per row, shorter
series ending in empty cells; a header row is recognised, or set with ``--header``;
``--label-column`` names the label column). MODEL: ``.npz`` is the safe format (no code
runs on load), ``.joblib`` is joblib (trusted files only). OUT: ``.npy``, ``.npz``,
``.csv`` or ``.ts`` (series of unequal length: ``.npz``, ``.csv`` or ``.ts``).

No command writes over one of its own inputs (the same file, also through a link), and
every output is checked to be writable before any training starts. Errors, file
system errors included, go to stderr as one line with exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from ._data import check_disk_space, check_output_fits
from .gan.masks import step_mask
from .persistence import atomic_write

EXIT_USAGE = 2


class CLIError(Exception):
    """A problem with the user's files or arguments: printed without a traceback."""


DATA_SUFFIXES = (".npy", ".npz", ".csv", ".ts")
MODEL_SUFFIXES = (".npz", ".joblib")


# --------------------------------------------------------- files in and out
def _same_file(a, b):
    """Whether paths ``a`` and ``b`` name one file (links and hard links included)."""
    a, b = Path(a), Path(b)
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return os.path.realpath(a) == os.path.realpath(b)


def check_outputs(outputs, inputs):
    """Refuse an output that is one of the inputs, or another output; ``outputs`` and
    ``inputs`` map a role ('model', 'labels', ...) to a path (or None)."""
    inputs = {k: v for k, v in inputs.items() if v is not None}
    outputs = {k: v for k, v in outputs.items() if v is not None}
    for role, out in outputs.items():
        for other, path in inputs.items():
            if _same_file(out, path):
                raise CLIError(f"the {role} output {out} is the {other} input {path}: writing "
                               "it would destroy what is read; choose another file name.")
    roles = list(outputs)
    for i, first in enumerate(roles):
        for second in roles[i + 1:]:
            if _same_file(outputs[first], outputs[second]):
                raise CLIError(f"the {first} and {second} outputs are one file, "
                               f"{outputs[first]}; give each its own name.")


def check_writable(path, suffixes, what):
    """Fail now, not after a fit, where ``path`` cannot be written as a ``what`` file."""
    path = Path(path)
    if path.is_dir():
        raise CLIError(f"{path} is a folder; give a file name to write the {what} to.")
    if path.suffix.lower() not in suffixes:
        if what == "model":
            raise CLIError(f"model files end in .npz (safe format) or .joblib; got {path.name}.")
        raise CLIError(f"unsupported output type {path.suffix.lower()!r}: use "
                       f"{', '.join(suffixes)}.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CLIError(f"no such folder to write {path.name} into: {folder}")
    try:  # permissions, a read-only file system, quotas: ask the file system itself
        with tempfile.TemporaryFile(dir=folder, prefix=f".{path.name}.", suffix=".probe"):
            pass
    except OSError as exc:
        raise CLIError(f"cannot write {path} ({exc.strerror or exc}).") from None


# ------------------------------------------------------------------ reading
def read_data(path, labels=None, label_column=None, header="auto"):
    path = Path(path)
    if not path.exists():
        raise CLIError(f"no such file: {path}")
    suffix = path.suffix.lower()
    y = None
    try:
        if suffix == ".ts":
            X, y = _read_ts(path)
        elif suffix == ".npy":
            X = np.load(path, allow_pickle=False)
        elif suffix == ".npz":
            with np.load(path, allow_pickle=False) as data:
                if "X" not in data.files:
                    raise CLIError(f"{path} holds no array named 'X' (found {data.files}).")
                X = data["X"]
                y = data["y"] if "y" in data.files else None
                if "lengths" in data.files:  # unequal lengths, as write_data stores them
                    X = _unpadded(X, data["lengths"], path)
        elif suffix == ".csv":
            X, y = _read_csv(path, label_column, header)
        else:
            raise CLIError(f"unsupported data file type {suffix!r}: use .ts, .npy, .npz or .csv.")
    except CLIError:
        raise
    except Exception as exc:  # a damaged file: say which and why, without a traceback
        raise CLIError(f"could not read {path}: {exc}") from None
    if labels is not None:
        y = read_labels(labels)
    return X, y


def _read_ts(path):
    """X and y of a ``.ts`` file: a 3D array, or a list of ``(n_channels, length_i)``
    arrays where the series differ in length (``@equalLength false``)."""
    from sktime.datasets import load_from_tsfile

    try:
        return load_from_tsfile(str(path), return_data_type="numpy3D")
    except ValueError:  # sktime's 3D reading refuses series of unequal length
        nested, y = load_from_tsfile(str(path), return_data_type="nested_univ")
    series = [_series_of_row(path, i, row) for i, row in enumerate(nested.itertuples(index=False))]
    if len({s.shape[1] for s in series}) > 1:
        return series, y
    return np.stack(series), y


def _series_of_row(path, i, row):
    """Series ``i`` of a nested .ts panel (one ``pd.Series`` per channel) as a
    ``(n_channels, length)`` array."""
    if len({len(channel) for channel in row}) > 1:
        raise CLIError(f"{path}: the channels of series {i} differ in length "
                       f"({[len(channel) for channel in row]}); a series' channels must "
                       "have one length.")
    return np.stack([np.asarray(channel, dtype=float) for channel in row])


def _unpadded(X, lengths, path):
    """The list of series a NaN-padded X and its ``lengths`` stand for."""
    lengths = np.asarray(lengths)
    if X.ndim != 3 or lengths.shape != (len(X),) or lengths.dtype.kind not in "iu" or \
            len(X) and (lengths.min() < 1 or lengths.max() > X.shape[2]):
        raise CLIError(f"{path}: 'lengths' must give each series of the 3D X a length in "
                       f"[1, {X.shape[-1]}].")
    return [X[i, :, : lengths[i]] for i in range(len(X))]


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_csv(path, label_column, header):
    """X (a 2D array, or a list of 1D series where rows end in empty cells) and y.

    ``header`` 'auto' reads the first row as column names unless every cell of it is a
    number; a first row of column numbers (0, 1, 2, ... or 1, 2, 3, ...) could be
    either, and is refused with a request to say which (``--header yes`` or ``no``)."""
    import pandas as pd

    first = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False,
                        encoding="utf-8-sig").iloc[0].tolist()
    if header == "auto":
        cells = [c.strip() for c in first if c.strip() != ""]
        numeric = bool(cells) and all(_is_number(c) for c in cells)
        if numeric and len(cells) > 2 and cells in (
                [str(i) for i in range(len(cells))], [str(i) for i in range(1, len(cells) + 1)]):
            raise CLIError(f"cannot tell whether the first row of {path} ({', '.join(cells[:4])}, "
                           "...) names the columns or is a series: pass --header yes or --header no.")
        header = "no" if numeric else "yes"
    if header == "no" and label_column is not None:
        raise CLIError(f"{path} has no header row, so --label-column cannot name a column; "
                       "add a header row, or give the labels with --labels.")
    frame = pd.read_csv(path, header=0 if header == "yes" else None, encoding="utf-8-sig")
    y = None
    if label_column is not None:
        if label_column not in frame.columns:
            raise CLIError(f"{path} has no column {label_column!r}; columns: "
                           f"{list(frame.columns)[:10]}...")
        y = frame.pop(label_column).to_numpy()
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if text:  # most often the labels: say how to pass them
        raise CLIError(f"{path} has non-numeric column(s) {text[:3]}; if one holds the "
                       f"labels, pass --label-column {text[0]}.")
    X = frame.to_numpy(dtype=float)
    missing = np.isnan(X)
    if missing.any():  # shorter series end in empty cells; a gap inside one is an error
        ends = (~missing).sum(1)
        bad = (missing & step_mask(ends, X.shape[1])).any(1) | (ends < 1)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise CLIError(f"{path}: series {row} has an empty cell before its last value "
                           "(or no value at all); only the end of a row may be empty.")
        X = [X[i, : ends[i]] for i in range(len(X))]
    return X, y


def read_labels(path):
    path = Path(path)
    if not path.exists():
        raise CLIError(f"no such labels file: {path}")
    if path.suffix.lower() == ".npy":
        return np.load(path, allow_pickle=False)
    text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is no part of a label
    return np.array([line.strip() for line in text.splitlines() if line.strip()])


def load_model(path):
    from rgan_augment import RecurrentGANAugmenter

    path = Path(path)
    if not path.exists():
        raise CLIError(f"no such model file: {path}")
    try:
        if path.suffix.lower() == ".joblib":
            import joblib

            return joblib.load(path)
        return RecurrentGANAugmenter.load(path)
    except Exception as exc:
        raise CLIError(f"could not load model {path}: {exc}") from None


def save_model(aug, path):
    path = Path(path)
    if path.suffix.lower() == ".joblib":
        import joblib

        with atomic_write(path) as fh:
            joblib.dump(aug, fh)
    elif path.suffix.lower() == ".npz":
        aug.save(path)
    else:
        raise CLIError(f"model files end in .npz (safe format) or .joblib; got {path.name}.")


def _padded(series):
    """A list of (n_channels, length) or (length,) series as a NaN-padded 3D array and
    the lengths."""
    series = [np.asarray(s) for s in series]
    series = [s[None, :] if s.ndim == 1 else s for s in series]
    lengths = np.array([s.shape[1] for s in series], dtype=np.int64)
    out = np.full((len(series), series[0].shape[0], lengths.max()), np.nan,
                  dtype=np.result_type(*series))
    for i, s in enumerate(series):
        out[i, :, : s.shape[1]] = s
    return out, lengths


def _nested(series):
    """sktime's nested layout (a data frame of one ``pd.Series`` per channel and series)
    of a list of ``(n_channels, length_i)`` arrays."""
    import pandas as pd

    n_channels = np.shape(series[0])[0]
    return pd.DataFrame({f"dim_{c}": [pd.Series(np.asarray(s)[c]) for s in series]
                         for c in range(n_channels)})


def write_data(path, X, y=None):
    path = Path(path)
    suffix = path.suffix.lower()
    ragged = isinstance(X, list) and len({np.shape(x)[-1] for x in X}) > 1
    if ragged and suffix not in (".npz", ".csv", ".ts"):
        raise CLIError(f"series of unequal length cannot be written as {suffix}; use .npz "
                       "(X padded with NaN, and lengths), .csv (rows ending in empty cells) "
                       "or .ts.")
    extra = {}  # the .npz file's arrays besides X and y
    if ragged and suffix != ".ts":
        X, extra["lengths"] = _padded(X)  # NaN after each end: empty cells in a .csv
    if suffix == ".ts":
        _write_ts(path, _nested(X) if ragged else np.asarray(X), y)
        return
    X = np.asarray(X)
    if suffix == ".npy":
        with atomic_write(path) as fh:
            np.save(fh, X)
    elif suffix == ".npz":
        labels = _plain_labels(y)
        with atomic_write(path) as fh:
            np.savez(fh, X=X, **extra, **({} if labels is None else {"y": labels}))
    elif suffix == ".csv":
        import pandas as pd

        if X.ndim == 3 and X.shape[1] != 1:
            raise CLIError("CSV output holds univariate series only; use .npz or .ts for "
                           f"{X.shape[1]} channels.")
        frame = pd.DataFrame(X.reshape(len(X), -1), columns=[f"t{i}" for i in range(X.shape[-1])])
        if y is not None:
            frame["label"] = np.asarray(y)
        with atomic_write(path) as fh:
            frame.to_csv(fh, index=False)  # NaN (after a shorter series' end): empty cells
    else:
        raise CLIError(f"unsupported output type {suffix!r}: use .npy, .npz, .csv or .ts.")


def _write_ts(path, X, y):
    """A ``.ts`` file of a 2D or 3D array, or of sktime's nested data frame (unequal
    lengths), written whole or not at all."""
    from sktime.datasets import write_panel_to_tsfile

    if isinstance(X, np.ndarray) and X.ndim == 2:
        X = X[:, None, :]
    labels = None if y is None else np.asarray(y).astype(str)
    # sktime writes <folder>/<name>/<name>.ts: into a private folder beside the
    # target, renamed into place once complete (a failure leaves the old file)
    with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=path.parent) as tmp:
        write_panel_to_tsfile(X, tmp, target=labels, problem_name=path.stem,
                              header="generated by rgan-augment")
        (Path(tmp) / path.stem / f"{path.stem}.ts").replace(path)


def _plain_labels(y):
    labels = None if y is None else np.asarray(y)
    if labels is not None and labels.dtype == object:
        labels = labels.astype(str)  # object arrays would need pickle to read back
    return labels


# ------------------------------------------------------------------ commands
def _augmenter_from(args):
    from rgan_augment import RecurrentGANAugmenter

    params = dict(random_state=args.random_state, verbose=args.verbose)
    if args.n_steps is not None:
        params["n_steps"] = args.n_steps
    if args.device is not None:
        params["device"] = args.device
    if args.precision is not None:
        params["precision"] = args.precision
    if getattr(args, "sampling_strategy", None) is not None:
        params["sampling_strategy"] = _parse_strategy(args.sampling_strategy)
    if getattr(args, "params", None):
        try:
            extra = json.loads(args.params)
        except json.JSONDecodeError as exc:
            raise CLIError(f"--params is not valid JSON ({exc.msg}): {args.params!r}") from None
        if not isinstance(extra, dict):
            raise CLIError("--params must be a JSON object, e.g. '{\"hidden_size\": 128}'.")
        known = set(RecurrentGANAugmenter().get_params())
        unknown = sorted(set(extra) - known)
        if unknown:
            raise CLIError(f"--params names unknown parameter(s) {', '.join(unknown)}; "
                           f"known: {', '.join(sorted(known))}.")
        clash = sorted(k for k in extra if k in params and k not in ("random_state", "verbose"))
        if clash:
            raise CLIError(f"{', '.join(clash)} given both as an option and in --params.")
        params.update(extra)
    return RecurrentGANAugmenter(**params)


def _parse_strategy(text):
    """A name ('auto', 'minority', ...) as given, anything else as JSON: a number, or an
    object of target counts. The estimator then checks it as the Python API does (so
    ``true`` is refused, not read as 1.0)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _strategy_for(strategy, y):
    """JSON object keys are strings: give a dict strategy the data's own labels."""
    if not isinstance(strategy, dict):
        return strategy
    labels = {str(v): v for v in np.unique(np.asarray(y)).tolist()}
    unknown = sorted(k for k in strategy if k not in labels)
    if unknown:
        raise CLIError(f"--sampling-strategy names label(s) {unknown} that the data does not "
                       f"have; its labels: {sorted(labels)}.")
    return {labels[k]: v for k, v in strategy.items()}


def cmd_fit(args):
    check_outputs({"model": args.model}, {"data": args.data, "labels": args.labels})
    check_writable(args.model, MODEL_SUFFIXES, "model")
    X, y = read_data(args.data, args.labels, args.label_column, args.header)
    aug = _augmenter_from(args).fit(X, y)
    save_model(aug, args.model)
    print(f"fitted on {len(X)} series in {aug.fit_seconds_:.1f} s "
          f"({aug.n_steps_} steps, kept step {aug.best_step_}); saved {args.model}")


def _match_labels(aug, labels):
    """Labels read from text files are strings: map them to the model's classes."""
    known = {str(c): c for c in aug.classes_.tolist()}
    unknown = sorted({str(v) for v in labels} - set(known))
    if unknown:
        raise CLIError(f"unknown label(s) {unknown}; the model knows {sorted(known)}.")
    return np.array([known[str(v)] for v in labels], dtype=aug.classes_.dtype)


def cmd_sample(args):
    check_outputs({"series": args.out}, {"model": args.model})
    check_writable(args.out, DATA_SUFFIXES, "series")
    aug = load_model(args.model)
    label = args.label
    if label is not None and aug.classes_ is not None:
        label = _match_labels(aug, [label])[0]
    ragged = aug.layout_.kind in ("list", "list1d")
    stream = Path(args.out).suffix.lower() == ".npy" and not ragged
    size = (args.n, aug.n_channels_, aug.n_timepoints_, aug.layout_.dtype)
    if stream:  # the rows go to disk as they come: the disk must hold them all
        check_disk_space(args.out, *size, "ask for fewer series (--n).")
    else:  # the rows are gathered in memory before the file is written
        check_output_fits(*size, f"--n {args.n}", hint="Ask for fewer, or write them to a "
                          ".npy file, which is written batch by batch.")
    batches, done = [], 0
    with NpyStream(args.out, args.n) if stream else contextlib.nullcontext() as sink:
        for batch in aug.sample_batches(args.n, label, batch_size=args.batch_size,
                                        random_state=args.random_state):
            if stream:  # one batch in memory at a time, however many series are asked for
                sink.write(np.asarray(batch))
            elif ragged:
                batches.extend(batch)
            else:
                batches.append(np.asarray(batch))
            done += len(batch)
            if args.n > args.batch_size and args.verbose:
                sys.stderr.write(f"\rsampled {done:,}/{args.n:,}")
    if args.n > args.batch_size and args.verbose:
        sys.stderr.write("\n")
    if not stream:
        X = batches if ragged else np.concatenate(batches)
        write_data(args.out, X, None if label is None else np.full(len(X), label))
    print(f"wrote {done} synthetic series to {args.out}")


class NpyStream:
    """Write an .npy file of ``n`` rows batch by batch: the header first (from the first
    batch's shape and dtype), then each batch's bytes, so only one batch is ever in
    memory. The rows go to a temporary file beside ``path`` that replaces it only when
    all ``n`` are written: a failure, or fewer rows, leaves what was at ``path`` before.

    >>> with NpyStream("out.npy", n) as sink:  # doctest: +SKIP
    ...     for batch in augmenter.sample_batches(n, label):
    ...         sink.write(batch)
    """

    def __init__(self, path, n):
        self.path, self.n, self.fh, self.written = Path(path), n, None, 0
        self._target = None

    def __enter__(self):
        return self

    def write(self, batch):
        if self.fh is None:
            self._target = atomic_write(self.path)
            self.fh = self._target.__enter__()
            header = {"descr": np.lib.format.dtype_to_descr(batch.dtype), "fortran_order": False,
                      "shape": (self.n, *batch.shape[1:])}
            np.lib.format.write_array_header_1_0(self.fh, header)
        self.fh.write(np.ascontiguousarray(batch).tobytes())
        self.written += len(batch)

    def __exit__(self, exc_type, exc, tb):
        if self._target is None:
            return False
        if exc_type is None and self.written != self.n:
            exc_type = RuntimeError
            exc = RuntimeError(f"{self.written} of {self.n} rows written")
        # atomic_write replaces the file on success, removes the temporary one else (an
        # exception thrown into it comes back as False, not raised again)
        self._target.__exit__(exc_type, exc, tb)
        return False


def cmd_resample(args):
    check_outputs({"series": args.out, "model": args.model},
                  {"data": args.data, "labels": args.labels})
    check_writable(args.out, DATA_SUFFIXES, "series")
    if args.model:
        check_writable(args.model, MODEL_SUFFIXES, "model")
    X, y = read_data(args.data, args.labels, args.label_column, args.header)
    if y is None:
        raise CLIError("resample needs labels: a .ts file, y in the .npz, --labels or --label-column.")
    aug = _augmenter_from(args)
    aug.set_params(sampling_strategy=_strategy_for(aug.sampling_strategy, y))
    X_res, y_res = aug.fit_resample(X, y)
    write_data(args.out, X_res, y_res)
    if args.model:
        save_model(aug, args.model)
    added = {str(k): int(v) for k, v in aug.sampling_strategy_.items()}
    print(f"wrote {len(X_res)} series ({len(X)} original + {len(X_res) - len(X)} synthetic: "
          f"{added}) to {args.out}")


def cmd_evaluate(args):
    from rgan_augment.metrics import discriminative_score, mmd_score, tstr_score

    aug = load_model(args.model)
    if not aug.equal_length_:
        raise CLIError("evaluate compares equal-length series; this model draws series of "
                       "unequal lengths.")
    X, y = read_data(args.real, args.labels, args.label_column, args.header)
    try:
        X = np.asarray(X, dtype=float)
    except ValueError:
        raise CLIError(f"{args.real}: evaluate takes equal-length series (one array).") from None
    if X.ndim == 2:
        X = X[:, None, :]
    model_shape = (aug.n_channels_, aug.n_timepoints_)
    if X.ndim != 3 or X.shape[1:] != model_shape:
        raise CLIError(f"{args.real} holds series of shape {X.shape[1:]} (channels, steps); the "
                       f"model draws {model_shape}.")
    report = {}
    if aug.classes_ is not None:
        if y is None:
            raise CLIError("this model is conditional: give the real data's labels.")
        y = _match_labels(aug, y)
        classes, counts = np.unique(y, return_counts=True)
        y_syn = np.repeat(classes, np.maximum(counts, args.n // len(classes)))
        X_syn = np.asarray(aug.sample(len(y_syn), y_syn, random_state=args.random_state))
        report["tstr_balanced_accuracy"] = tstr_score(X_syn.reshape(len(X_syn), *X.shape[1:]), y_syn, X, y)
    else:
        X_syn = np.asarray(aug.sample(max(args.n, len(X)), random_state=args.random_state))
    X_syn = X_syn.reshape(len(X_syn), *X.shape[1:])
    report["discriminative_score"] = discriminative_score(X, X_syn[: len(X)], n_steps=args.disc_steps)
    report["mmd"] = mmd_score(X, X_syn)
    print(json.dumps(report, indent=2))


def _channels(flags):
    """Indices of the flagged channels, or None."""
    return None if flags is None else [int(i) for i in np.flatnonzero(flags)]


def cmd_info(args):
    aug = load_model(args.model)
    info = {
        "classes": None if aug.classes_ is None else [str(c) for c in aug.classes_],
        "n_channels": aug.n_channels_, "n_timepoints": aug.n_timepoints_,
        "equal_length": aug.equal_length_, "fit_seconds": round(aug.fit_seconds_, 2),
        "steps_run": aug.n_steps_, "step_kept": aug.best_step_,
        "validation_mmd": aug.best_score_ if np.isfinite(aug.best_score_) else None,
        "trained_on": aug.device_, "precision": aug.precision_,
        # what fit read from the data (see the estimator's fitted attributes)
        "z_normalised_channels": _channels(aug.znorm_channels_),
        "per_series_scale_channels": _channels(aug.series_scale_channels_),
        "cycle_length": int(aug.cycle_length_) or None,
        "cycles_folded": bool(aug.cycles_folded_),
        "params": {k: repr(v) for k, v in aug.get_params().items()},
    }
    print(json.dumps(info, indent=2))


def positive_int(text):
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {value}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(prog="rgan-augment", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def data_args(p, name="data"):
        p.add_argument(name, help=".ts, .npy, .npz (X, y) or .csv file of series")
        p.add_argument("--labels", help="labels file (.npy, or text with one label per line)")
        p.add_argument("--label-column", help="name of the label column of a .csv file")
        p.add_argument("--header", choices=["auto", "yes", "no"], default="auto",
                       help="whether a .csv file's first row names the columns (default: "
                            "auto, yes unless it holds only numbers)")

    def train_args(p):
        p.add_argument("--n-steps", type=positive_int, help="generator updates (default: auto)")
        p.add_argument("--device", help="auto, cpu, cuda or cuda:N")
        p.add_argument("--precision", choices=["auto", "float32", "bfloat16"],
                       help="number format of training and sampling (default: auto)")
        p.add_argument("--random-state", type=int, default=0)
        p.add_argument("--verbose", type=int, default=1, help="0 silent, 1 progress bar, 2 lines")
        p.add_argument("--params", help="any other estimator parameters as a JSON object, "
                                        "e.g. '{\"hidden_size\": 128, \"cell\": \"gru\"}'")

    p = sub.add_parser("fit", help="train an augmenter and save it")
    data_args(p)
    p.add_argument("model", help="output model file: .npz (safe) or .joblib")
    train_args(p)
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser("sample", help="draw synthetic series from a saved model")
    p.add_argument("model")
    p.add_argument("out", help="output file: .npy, .npz, .csv or .ts")
    p.add_argument("--n", type=positive_int, required=True, help="number of series")
    p.add_argument("--label", help="class to draw (required for a conditional model)")
    p.add_argument("--batch-size", type=positive_int, default=10000)
    p.add_argument("--random-state", type=int, default=None)
    p.add_argument("--verbose", type=int, default=1)
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("resample", help="balance a labelled data set (originals first)")
    data_args(p)
    p.add_argument("out", help="output file: .npy, .npz, .csv or .ts")
    p.add_argument("--sampling-strategy", help="auto, minority, not minority, not majority, all, "
                   "a float, or a JSON dict of target counts")
    p.add_argument("--model", help="also save the fitted model here")
    train_args(p)
    p.set_defaults(func=cmd_resample)

    p = sub.add_parser("evaluate", help="quality of a model against real data")
    p.add_argument("model")
    data_args(p, "real")
    p.add_argument("--n", type=positive_int, default=500, help="synthetic series to draw")
    p.add_argument("--disc-steps", type=positive_int, default=2000,
                   help="training steps of the post-hoc GRU")
    p.add_argument("--random-state", type=int, default=0)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("info", help="what a model file holds")
    p.add_argument("model")
    p.set_defaults(func=cmd_info)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except (CLIError, ValueError, TypeError, OSError) as exc:
        # one line: file system errors (a full disk, a vanished folder) included
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"rgan-augment {args.command}: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
