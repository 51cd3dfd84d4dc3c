"""``rgan-augment``: the command line for batch jobs.

    rgan-augment fit DATA MODEL [--labels FILE | --label-column NAME] [--n-steps N] ...
    rgan-augment sample MODEL OUT --n N [--label L]
    rgan-augment resample DATA OUT [--labels ...] [--model MODEL] [--sampling-strategy S]
    rgan-augment evaluate MODEL REAL [--labels ...] [--n N]
    rgan-augment info MODEL

DATA and REAL: ``.ts`` (sktime's format, labels inside), ``.npy`` (X; labels from
``--labels``), ``.npz`` (arrays ``X`` and, optionally, ``y``) or ``.csv`` (one
univariate series per row; ``--label-column`` names the label column). MODEL: ``.npz``
is the safe format (no code runs on load), ``.joblib`` is joblib (trusted files only).
OUT: ``.npy``, ``.npz``, ``.csv`` or ``.ts``. Errors go to stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from .persistence import atomic_write

EXIT_USAGE = 2


class CLIError(Exception):
    """A problem with the user's files or arguments: printed without a traceback."""


# ------------------------------------------------------------------ reading
def read_data(path, labels=None, label_column=None):
    path = Path(path)
    if not path.exists():
        raise CLIError(f"no such file: {path}")
    suffix = path.suffix.lower()
    y = None
    try:
        if suffix == ".ts":
            from sktime.datasets import load_from_tsfile

            X, y = load_from_tsfile(str(path), return_data_type="numpy3D")
        elif suffix == ".npy":
            X = np.load(path, allow_pickle=False)
        elif suffix == ".npz":
            with np.load(path, allow_pickle=False) as data:
                if "X" not in data.files:
                    raise CLIError(f"{path} holds no array named 'X' (found {data.files}).")
                X = data["X"]
                y = data["y"] if "y" in data.files else None
        elif suffix == ".csv":
            import pandas as pd

            frame = pd.read_csv(path)
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
        else:
            raise CLIError(f"unsupported data file type {suffix!r}: use .ts, .npy, .npz or .csv.")
    except CLIError:
        raise
    except Exception as exc:  # a damaged file: say which and why, without a traceback
        raise CLIError(f"could not read {path}: {exc}") from None
    if labels is not None:
        y = read_labels(labels)
    return X, y


def read_labels(path):
    path = Path(path)
    if not path.exists():
        raise CLIError(f"no such labels file: {path}")
    if path.suffix.lower() == ".npy":
        return np.load(path, allow_pickle=False)
    return np.array([line.strip() for line in path.read_text().splitlines() if line.strip()])


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


def write_data(path, X, y=None):
    path = Path(path)
    suffix = path.suffix.lower()
    X = np.asarray(X)
    if suffix == ".npy":
        with atomic_write(path) as fh:
            np.save(fh, X)
    elif suffix == ".npz":
        labels = None if y is None else np.asarray(y)
        if labels is not None and labels.dtype == object:
            labels = labels.astype(str)  # object arrays would need pickle to read back
        with atomic_write(path) as fh:
            np.savez(fh, X=X, **({} if labels is None else {"y": labels}))
    elif suffix == ".csv":
        import pandas as pd

        if X.ndim == 3 and X.shape[1] != 1:
            raise CLIError("CSV output holds univariate series only; use .npz or .ts for "
                           f"{X.shape[1]} channels.")
        frame = pd.DataFrame(X.reshape(len(X), -1), columns=[f"t{i}" for i in range(X.shape[-1])])
        if y is not None:
            frame["label"] = np.asarray(y)
        with atomic_write(path) as fh:
            frame.to_csv(fh, index=False)
    elif suffix == ".ts":
        from sktime.datasets import write_panel_to_tsfile

        X3 = X if X.ndim == 3 else X[:, None, :]
        labels = None if y is None else np.asarray(y).astype(str)
        # sktime writes <folder>/<name>/<name>.ts: into a private folder beside the
        # target, renamed into place once complete (a failure leaves the old file)
        with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=path.parent) as tmp:
            write_panel_to_tsfile(X3, tmp, target=labels, problem_name=path.stem,
                                  header="generated by rgan-augment")
            (Path(tmp) / path.stem / f"{path.stem}.ts").replace(path)
    else:
        raise CLIError(f"unsupported output type {suffix!r}: use .npy, .npz, .csv or .ts.")


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
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text  # 'auto', 'minority', ...
    return float(value) if isinstance(value, (int, float)) else value


def cmd_fit(args):
    X, y = read_data(args.data, args.labels, args.label_column)
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
    aug = load_model(args.model)
    label = args.label
    if label is not None and aug.classes_ is not None:
        label = _match_labels(aug, [label])[0]
    stream = Path(args.out).suffix.lower() == ".npy" and aug.layout_.kind not in ("list", "list1d")
    batches, done = [], 0
    with NpyStream(args.out, args.n) if stream else contextlib.nullcontext() as sink:
        for batch in aug.sample_batches(args.n, label, batch_size=args.batch_size,
                                        random_state=args.random_state):
            if stream:  # one batch in memory at a time, however many series are asked for
                sink.write(np.asarray(batch))
            else:
                batches.append(np.asarray(batch))
            done += len(batch)
            if args.n > args.batch_size and args.verbose:
                sys.stderr.write(f"\rsampled {done:,}/{args.n:,}")
    if args.n > args.batch_size and args.verbose:
        sys.stderr.write("\n")
    if not stream:
        X = np.concatenate(batches)
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
    X, y = read_data(args.data, args.labels, args.label_column)
    if y is None:
        raise CLIError("resample needs labels: a .ts file, y in the .npz, --labels or --label-column.")
    aug = _augmenter_from(args)
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
    X, y = read_data(args.real, args.labels, args.label_column)
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


def build_parser():
    parser = argparse.ArgumentParser(prog="rgan-augment", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def data_args(p, name="data"):
        p.add_argument(name, help=".ts, .npy, .npz (X, y) or .csv file of series")
        p.add_argument("--labels", help="labels file (.npy, or text with one label per line)")
        p.add_argument("--label-column", help="name of the label column of a .csv file")

    def train_args(p):
        p.add_argument("--n-steps", type=int, help="generator updates (default: auto)")
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
    p.add_argument("--n", type=int, required=True, help="number of series")
    p.add_argument("--label", help="class to draw (required for a conditional model)")
    p.add_argument("--batch-size", type=int, default=10000)
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
    p.add_argument("--n", type=int, default=500, help="synthetic series to draw")
    p.add_argument("--disc-steps", type=int, default=2000, help="training steps of the post-hoc GRU")
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
    except (CLIError, ValueError, TypeError) as exc:
        print(f"rgan-augment {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
