"""joblib round trips (also across processes and from a 'CUDA' file), the safe format, bad files."""

import io
import pickle
import subprocess
import sys
import textwrap

import joblib
import numpy as np
import pytest
import torch

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.persistence import ModelFileError

from _toy import sine_vs_sawtooth, tiny

TINY = tiny(20, random_state=0)


@pytest.fixture(scope="module")
def data():
    return sine_vs_sawtooth(n_per_class=20, length=16, n_channels=2, n_minority=6)


@pytest.fixture(scope="module")
def fitted(data):
    return RecurrentGANAugmenter(**TINY).fit(*data)


def test_joblib_round_trip_in_a_fresh_process(tmp_path, fitted):
    path = tmp_path / "aug.joblib"
    joblib.dump(fitted, path)
    expected = fitted.sample(7, "saw", random_state=11)
    np.save(tmp_path / "expected.npy", expected)
    code = textwrap.dedent(f"""
        import joblib, numpy as np
        aug = joblib.load({str(path)!r})
        out = aug.sample(7, "saw", random_state=11)
        np.testing.assert_array_equal(out, np.load({str(tmp_path / 'expected.npy')!r}))
        print("same")
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "same" in run.stdout


def test_loaded_copy_continues_the_same_sample_stream(tmp_path, fitted):
    path = tmp_path / "aug.joblib"
    joblib.dump(fitted, path)
    twin = joblib.load(path)
    np.testing.assert_array_equal(fitted.sample(5, "sine"), twin.sample(5, "sine"))


def test_pickling_leaves_the_live_model_intact(fitted):
    pickle.dumps(fitted)
    assert fitted.generator_ is not None
    assert fitted.sample(2, "saw").shape == (2, 2, 16)


def _cuda_tagged_bytes(fitted, monkeypatch):
    """The generator's state_dict bytes as a GPU-fitted model would store them: every
    tensor tagged with location 'cuda:0' (torch's own location registry, patched)."""
    import torch.serialization as ser

    tag_cuda = (0, lambda storage: "cuda:0", lambda storage, location: None)
    monkeypatch.setattr(ser, "_package_registry", [tag_cuda] + list(ser._package_registry))
    try:
        return fitted.__getstate__()["_generator_bytes"]
    finally:
        monkeypatch.undo()


def test_model_stored_on_cuda_loads_on_cpu(fitted, monkeypatch):
    if torch.cuda.is_available():
        pytest.skip("CUDA present: the real GPU-to-CPU path is checked by benchmarks/gpu_check.py")
    cuda_bytes = _cuda_tagged_bytes(fitted, monkeypatch)
    # the fake is faithful: plain torch.load refuses it on a CPU-only machine
    with pytest.raises(RuntimeError, match="CUDA"):
        torch.load(io.BytesIO(cuda_bytes), weights_only=True)
    state = fitted.__getstate__()
    state["_generator_bytes"] = cuda_bytes
    loaded = RecurrentGANAugmenter.__new__(RecurrentGANAugmenter)
    loaded.__setstate__(state)
    assert next(loaded.generator_.parameters()).device.type == "cpu"
    np.testing.assert_array_equal(loaded.sample(3, "saw", random_state=1),
                                  fitted.sample(3, "saw", random_state=1))


def test_incompatible_version_and_corrupted_state(fitted):
    state = fitted.__getstate__()
    bad = dict(state, _rgan_version="99.0.0")
    clone = RecurrentGANAugmenter.__new__(RecurrentGANAugmenter)
    with pytest.raises(ModelFileError, match="incompatible"):
        clone.__setstate__(bad)
    broken = dict(state, _generator_bytes=state["_generator_bytes"][:100])
    with pytest.raises(ModelFileError, match="corrupted"):
        RecurrentGANAugmenter.__new__(RecurrentGANAugmenter).__setstate__(broken)


def test_truncated_joblib_file_gives_an_error(tmp_path, fitted):
    path = tmp_path / "aug.joblib"
    joblib.dump(fitted, path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises((EOFError, pickle.UnpicklingError, ValueError)):
        joblib.load(path)


def test_safe_format_round_trip(tmp_path, fitted):
    path = tmp_path / "aug.npz"
    fitted.save(path)
    loaded = RecurrentGANAugmenter.load(path)
    np.testing.assert_array_equal(loaded.sample(6, "saw", random_state=4),
                                  fitted.sample(6, "saw", random_state=4))
    np.testing.assert_array_equal(loaded.sample(3, "sine"), fitted.__class__.load(path).sample(3, "sine"))
    assert loaded.get_params() == fitted.get_params()
    assert list(loaded.classes_) == list(fitted.classes_)
    np.testing.assert_array_equal(loaded.smoothing_sigma_, fitted.smoothing_sigma_)


def test_safe_format_holds_no_pickle(tmp_path, fitted):
    path = tmp_path / "aug.npz"
    fitted.save(path)
    with np.load(path, allow_pickle=False) as data:  # would raise on any pickled object
        assert "document" in data.files


@pytest.mark.parametrize("damage", ["truncate", "garbage", "other_npz", "version",
                                    "sigma_negative", "sigma_rows"])
def test_safe_format_bad_files(tmp_path, fitted, damage):
    path = tmp_path / "aug.npz"
    fitted.save(path)
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "garbage":
        path.write_bytes(b"not a model at all")
    elif damage == "other_npz":
        np.savez(path, a=np.arange(3))
    else:
        import json

        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files}
        doc = json.loads(bytes(arrays["document"]).decode())
        cal = doc["calibrations"]
        if damage == "version":
            doc["version"] = "99.1.0"
        elif damage == "sigma_negative":
            cal["smoothing_sigma"] = [[-1.0] * len(row) for row in cal["smoothing_sigma"]]
        else:  # widths for more classes than the model has
            cal["smoothing_sigma"] = cal["smoothing_sigma"] * 2
        arrays["document"] = np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8)
        with open(path, "wb") as fh:
            np.savez(fh, **arrays)
    with pytest.raises(ModelFileError):
        RecurrentGANAugmenter.load(path)


def test_failed_save_keeps_the_previous_file(tmp_path, fitted, data, monkeypatch):
    """A save that fails part-way (here: the archive writer dies after some bytes, as
    on a full disk or a Ctrl-C) leaves the model file that was there, readable, and no
    temporary file behind."""
    path = tmp_path / "model.npz"
    fitted.save(path)
    expected = fitted.sample(3, "saw", random_state=2)
    other = RecurrentGANAugmenter(**{**TINY, "random_state": 1}).fit(*data)

    def dies_midway(fh, **arrays):
        fh.write(b"PK\x03\x04 partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", dies_midway)
    with pytest.raises(OSError, match="No space"):
        other.save(path)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]
    np.testing.assert_array_equal(RecurrentGANAugmenter.load(path).sample(3, "saw", random_state=2),
                                  expected)
    other.save(path)  # a save that completes replaces it, keeping the file's mode
    assert RecurrentGANAugmenter.load(path).sample(3, "saw", random_state=2).shape == (3, 2, 16)


def test_new_file_gets_the_usual_permissions(tmp_path, fitted):
    import os

    path = tmp_path / "fresh.npz"
    umask = os.umask(0o022)
    try:
        fitted.save(path)
    finally:
        os.umask(umask)
    assert (path.stat().st_mode & 0o777) == 0o644  # not mkstemp's private 0o600


@pytest.mark.parametrize("labels", ["pandas strings", "categorical", "object ints"])
def test_safe_format_takes_labels_from_pandas_and_object_arrays(tmp_path, labels):
    """y from pandas (or any object array) gives object classes_; the safe format used to
    refuse them ('use joblib'), though they are plain strings or numbers."""
    import pandas as pd

    X, y = sine_vs_sawtooth(n_per_class=10, length=12, n_minority=5)
    y_in = {"pandas strings": pd.Series(y), "categorical": pd.Series(pd.Categorical(y)),
            "object ints": (y == "saw").astype(int).astype(object)}[labels]
    aug = RecurrentGANAugmenter(**TINY).fit(X, y_in)
    assert aug.classes_.dtype == object
    aug.save(tmp_path / "m.npz")
    back = RecurrentGANAugmenter.load(tmp_path / "m.npz")
    assert back.classes_.tolist() == aug.classes_.tolist() and back.classes_.dtype == object
    label = aug.classes_[0]
    np.testing.assert_array_equal(back.sample(3, label, random_state=2),
                                  aug.sample(3, label, random_state=2))


def test_save_to_a_folder_or_into_a_missing_one_says_so(tmp_path, fitted):
    with pytest.raises(IsADirectoryError, match="is a folder"):
        fitted.save(tmp_path)
    with pytest.raises(FileNotFoundError, match="no such folder"):
        fitted.save(tmp_path / "missing" / "m.npz")
    assert list(tmp_path.iterdir()) == []  # no temporary file left anywhere near


def test_safe_format_keeps_a_dict_strategy_and_says_when_it_cannot(tmp_path, data):
    X, y = data
    aug = RecurrentGANAugmenter(**{**TINY, "sampling_strategy": {"saw": 15, "sine": 20}})
    aug.fit_resample(X, y)
    aug.save(tmp_path / "dict.npz")
    back = RecurrentGANAugmenter.load(tmp_path / "dict.npz")
    assert back.sampling_strategy == {"saw": 15, "sine": 20}
    assert back.sampling_strategy_ == aug.sampling_strategy_ == {"saw": 9, "sine": 0}
    aug.set_params(sampling_strategy=lambda labels: {"saw": 20})
    with pytest.warns(UserWarning, match="callable sampling_strategy"):
        aug.save(tmp_path / "callable.npz")
    assert RecurrentGANAugmenter.load(tmp_path / "callable.npz").sampling_strategy == "auto"


def test_damaged_pickled_weights_give_one_line(fitted):
    """torch's multi-line advice about weights_only does not reach the user."""
    state = fitted.__getstate__()
    broken = dict(state, _generator_bytes=b"PK\x03\x04" + state["_generator_bytes"][4:200])
    with pytest.raises(ModelFileError) as info:
        RecurrentGANAugmenter.__new__(RecurrentGANAugmenter).__setstate__(broken)
    assert "\n" not in str(info.value) and "corrupted" in str(info.value)


@pytest.mark.parametrize("name", ["fold_cycles", "cycles_folded_", "znorm_channels_"])
def test_a_pickle_lacking_a_parameter_or_fitted_state_is_refused(fitted, name):
    """A pickle from a build with other state (a parameter or a fitted attribute this one
    has) is refused by name instead of sampling with a guessed default."""
    state = fitted.__getstate__()
    del state[name]
    with pytest.raises(ModelFileError, match=f"lacks {name}.*refit"):
        RecurrentGANAugmenter.__new__(RecurrentGANAugmenter).__setstate__(state)


def test_a_pickle_from_before_spread_matching_loads_without_it(fitted):
    """Parameters and fitted state added later read as the behaviour of the build that
    wrote the pickle (as the safe format reads its files)."""
    state = fitted.__getstate__()
    del state["match_spread"], state["noise_scale_"]
    back = RecurrentGANAugmenter.__new__(RecurrentGANAugmenter)
    back.__setstate__(state)
    assert back.match_spread is False and back.noise_scale_ is None
    np.testing.assert_array_equal(back.sample(4, fitted.classes_[0], random_state=1),
                                  fitted.sample(4, fitted.classes_[0], random_state=1))


def test_a_pickle_from_before_discriminator_augmentation_loads_and_saves(fitted, tmp_path):
    """The parameter reads as 0 (no augmentation, the behaviour of the build that wrote
    it); its training configuration, lacking the field, still saves in the safe format."""
    import copy

    state = fitted.__getstate__()
    del state["augment_discriminator"]
    state["config_"] = copy.copy(state["config_"])
    del state["config_"].__dict__["augment"]
    back = RecurrentGANAugmenter.__new__(RecurrentGANAugmenter)
    back.__setstate__(state)
    assert back.augment_discriminator == 0.0
    back.save(tmp_path / "older.npz")
    again = RecurrentGANAugmenter.load(tmp_path / "older.npz")
    assert again.config_.augment == 0.0
    np.testing.assert_array_equal(again.sample(4, fitted.classes_[0], random_state=1),
                                  fitted.sample(4, fitted.classes_[0], random_state=1))


def test_every_fitted_attribute_is_in_the_pickle_check(fitted):
    from rgan_augment.augmenter import _FITTED_STATE

    held = {k for k in vars(fitted) if k.endswith("_") and not k.endswith("__")}
    assert held - {"generator_", "sampling_strategy_"} == set(_FITTED_STATE) - {"_sample_rng"}
