"""Persistence of fitted augmenters.

Two formats, for two situations:

* **joblib / pickle** (``joblib.dump(aug, path)``): any fitted object, including the
  adapters in :mod:`rgan_augment.integrations` and whole pipelines. The generator is
  stored as ``state_dict`` bytes and loaded with ``map_location`` and
  ``weights_only=True``, so a model fitted on a GPU loads on a CPU-only machine.
  Pickle runs code on load: use it only for files you trust.
* **the safe format** (``aug.save(path)`` / ``RecurrentGANAugmenter.load(path)``): an
  uncompressed ``.npz`` archive holding a JSON document (parameters and fitted state)
  and the generator's tensors as plain arrays; loading never executes code and checks
  the whole file against a schema before it allocates anything the file asks for (see
  :mod:`rgan_augment._safe_format`). Use it for files that cross a trust boundary.

Both carry the library version. A safe-format file that is damaged, edited, of another
major version or of the first format raises :class:`ModelFileError`; so does a pickled
augmenter of another major version or with damaged weights (a pickle that is itself
truncated fails inside pickle, before this library's code runs).

This module holds what both formats share: the version check, the weights as bytes,
the atomic write.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile

import numpy as np
import torch

FORMAT_1 = "rgan-augment/1"  # the first safe format: refused on load (refit the model)


class ModelFileError(ValueError):
    """A model file or pickled state that cannot be read back."""


def library_version():
    from . import __version__

    return __version__


def check_version(version, where):
    current = library_version()
    if not isinstance(version, str):
        raise ModelFileError(f"{where} carries no rgan-augment version: not a file of this library.")
    major = lambda v: v.split(".")[0]  # noqa: E731
    if major(version) != major(current):
        raise ModelFileError(
            f"{where} was written by rgan-augment {version}, which is incompatible with the "
            f"installed {current}; refit the model or install rgan-augment=={version}.")


def state_dict_to_bytes(module):
    buf = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in module.state_dict().items()}, buf)
    return buf.getvalue()


def state_dict_from_bytes(blob, device="cpu"):
    try:
        return torch.load(io.BytesIO(blob), map_location=device, weights_only=True)
    except Exception as exc:  # torch raises many kinds here; the user needs one message
        # torch's message goes on for lines of advice about weights_only: keep its first
        why = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise ModelFileError(f"the stored generator weights are corrupted or unreadable ({why}).") from None


# ----------------------------------------------------------- the safe format
def encode_labels(classes):
    if classes is None:
        return None
    kind = classes.dtype.kind
    if kind == "O":  # labels from pandas or object arrays: strings or numbers, kept as objects
        values = [v.item() if isinstance(v, np.generic) else v for v in classes.tolist()]
        if all(isinstance(v, str) for v in values) or all(
                isinstance(v, (bool, int, float)) for v in values):
            return {"dtype": classes.dtype.str, "values": values}
    if kind not in "biufU":
        raise TypeError(
            "The safe format stores labels of type bool, int, float or str; these classes_ "
            f"have dtype {classes.dtype}. Use joblib for such a model (trusted files only).")
    return {"dtype": classes.dtype.str, "values": classes.tolist()}


def decode_labels(doc):
    if doc is None:
        return None
    return np.asarray(doc["values"], dtype=np.dtype(doc["dtype"]))


def save_npz(path, document, tensors, data=None):
    """Write a JSON document, named float tensors and named plain arrays (``data``,
    e.g. reference series) to ``path`` (an .npz archive)."""
    arrays = {f"weight::{k}": v.detach().cpu().float().contiguous().numpy()
              for k, v in tensors.items()}
    arrays.update({f"data::{k}": np.ascontiguousarray(v) for k, v in (data or {}).items()})
    arrays["document"] = np.frombuffer(json.dumps(document).encode("utf-8"), dtype=np.uint8)
    with atomic_write(path) as fh:
        np.savez(fh, **arrays)


@contextlib.contextmanager
def atomic_write(path):
    """A binary file handle whose content replaces ``path`` only once the block has
    completed: a write that fails or is interrupted part-way (a full disk, Ctrl-C)
    leaves the file that was there before intact (or no file), never a truncated one.
    The temporary file lies beside ``path`` (same file system, so the final rename is
    atomic) and is removed on failure."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):  # else the rename would name the temporary file, not the target
        raise IsADirectoryError(f"{path} is a folder; give a file name to write to.")
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"no such folder to write {os.path.basename(path)} into: {folder}")
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if os.path.exists(path):  # keep the permissions of the file being replaced
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        else:  # mkstemp makes 0600 files; a new file gets the umask's mode as open() would
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


