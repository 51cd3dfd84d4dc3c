"""The rgan-augment command line, run through its installed entry point."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from _toy import sine_vs_sawtooth

EXE = shutil.which("rgan-augment", path=str(Path(sys.executable).parent)) or "rgan-augment"
FAST = ["--n-steps", "10", "--verbose", "0"]


def run(*args, ok=True):
    proc = subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=300)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    X, y = sine_vs_sawtooth(n_per_class=20, length=16, n_minority=5)
    np.savez(d / "data.npz", X=X, y=y)
    np.save(d / "X.npy", X)
    (d / "labels.txt").write_text("\n".join(y))
    import pandas as pd

    frame = pd.DataFrame(X[:, 0, :], columns=[f"t{i}" for i in range(16)])
    frame["cls"] = y
    frame.to_csv(d / "data.csv", index=False)
    return d


def test_help_for_every_command():
    for cmd in ("fit", "sample", "resample", "evaluate", "info"):
        assert "usage: rgan-augment " + cmd in run(cmd, "--help").stdout
    assert "usage: rgan-augment" in run("--help").stdout


def test_fit_sample_info_round_trip(files):
    model = files / "model.npz"
    run("fit", files / "data.npz", model, *FAST, "--precision", "float32")
    info = json.loads(run("info", model).stdout)
    assert info["classes"] == ["saw", "sine"] and info["n_timepoints"] == 16
    assert info["precision"] == "float32"
    assert info["cycle_length"] is None and info["per_series_scale_channels"] is None
    assert info["cycles_folded"] is False
    assert info["z_normalised_channels"] is None  # sine_vs_sawtooth is not z-normalised
    out = files / "saw.npy"
    run("sample", model, out, "--n", 25, "--label", "saw", "--random-state", 1)
    assert np.load(out).shape == (25, 1, 16)
    run("sample", model, files / "saw.csv", "--n", 5, "--label", "saw")
    run("sample", model, files / "saw.ts", "--n", 5, "--label", "saw")
    from sktime.datasets import load_from_tsfile

    X_ts, y_ts = load_from_tsfile(str(files / "saw.ts"), return_data_type="numpy3D")
    assert X_ts.shape == (5, 1, 16) and set(y_ts) == {"saw"}


def test_sample_streams_npy_in_batches(files):
    """Several batches written one at a time give the same file as the gathered draw."""
    model = files / "model_stream.npz"
    run("fit", files / "data.npz", model, *FAST)
    small, whole = files / "streamed.npy", files / "gathered.npz"
    run("sample", model, small, "--n", 23, "--label", "sine", "--batch-size", 5, "--random-state", 3)
    run("sample", model, whole, "--n", 23, "--label", "sine", "--batch-size", 5, "--random-state", 3)
    streamed = np.load(small)
    assert streamed.shape == (23, 1, 16) and np.isfinite(streamed).all()
    assert np.array_equal(streamed, np.load(whole)["X"])


def test_sample_larger_than_disk_or_memory_is_refused_at_once(files):
    """A typo in --n (10^12 series) fails before a row is drawn, naming the size, and
    leaves no file behind: not after hours of filling the disk."""
    model = files / "model_huge.npz"
    run("fit", files / "data.npz", model, *FAST)
    for out, limit in (("huge.npy", "GiB free"), ("huge.npz", "machine's memory")):
        proc = run("sample", model, files / out, "--n", 10**12, "--label", "sine", ok=False)
        assert proc.returncode == 2 and limit in proc.stderr and "Traceback" not in proc.stderr
        assert not (files / out).exists()
    assert not list(files.glob(".huge*"))


@pytest.mark.parametrize("source, extra", [
    ("data.npz", []), ("X.npy", ["--labels", "labels.txt"]), ("data.csv", ["--label-column", "cls"]),
])
def test_resample_from_each_input_format(files, source, extra):
    extra = [str(files / e) if e.endswith(".txt") else e for e in extra]
    out = files / f"res_{source}.npz"
    run("resample", files / source, out, *extra, *FAST)
    with np.load(out) as data:
        labels, counts = np.unique(data["y"], return_counts=True)
    assert dict(zip(labels, counts)) == {"saw": 20, "sine": 20}


def test_evaluate_prints_metrics(files):
    model = files / "model_eval.joblib"
    run("fit", files / "data.npz", model, *FAST)
    report = json.loads(run("evaluate", model, files / "data.npz", "--n", 40, "--disc-steps", 20).stdout)
    assert {"tstr_balanced_accuracy", "discriminative_score", "mmd"} <= set(report)


def test_fit_takes_any_estimator_parameter(files):
    model = files / "gru.npz"
    run("fit", files / "data.npz", model, *FAST, "--params", '{"cell": "gru", "hidden_size": 8}')
    info = json.loads(run("info", model).stdout)
    assert info["params"]["cell"] == "'gru'" and info["params"]["hidden_size"] == "8"  # reprs


@pytest.mark.parametrize("args, message", [
    (["fit", "missing.npz", "m.npz"], "no such file"),
    (["info", "missing.npz"], "no such model file"),
    (["fit", "{d}/bad.npz", "{d}/m.npz"], "could not read"),
    (["fit", "{d}/data.csv", "{d}/m.npz", "--label-column", "nope"], "has no column"),
    (["sample", "{d}/model.npz", "{d}/o.npy", "--n", "3", "--label", "triangle"], "unknown label"),
    (["sample", "{d}/model.npz", "{d}/o.npy", "--n", "0", "--label", "saw"], "positive integer"),
    (["info", "{d}/bad.npz"], "could not load model"),
    (["info", "{d}/bad.npz"], "not an .npz archive"),  # never numpy's "load it unsafely"
    (["fit", "{d}/data.csv", "{d}/m.npz"], "pass --label-column cls"),
    (["evaluate", "{d}/model.npz", "{d}/wide.npz"], "the model draws (1, 16)"),
    (["fit", "{d}/data.npz", "{d}/m.pkl", "--n-steps", "2", "--verbose", "0"], "model files end in"),
    (["fit", "{d}/data.npz", "{d}/m.npz", "--params", "{{nope"], "not valid JSON"),
    (["fit", "{d}/data.npz", "{d}/m.npz", "--params", "[1]"], "must be a JSON object"),
    (["fit", "{d}/data.npz", "{d}/m.npz", "--params", '{{"hiden_size": 8}}'], "unknown parameter(s) hiden_size"),
    (["fit", "{d}/data.npz", "{d}/m.npz", "--n-steps", "2", "--params", '{{"n_steps": 3}}'], "both"),
    (["fit", "{d}/data.npz", "{d}/m.npz", "--params", '{{"cell": "rnn"}}'], "'cell' parameter of RecurrentGANAugmenter must be"),
])
def test_bad_files_and_arguments_exit_nonzero(files, args, message):
    (files / "bad.npz").write_bytes(b"garbage")
    np.savez(files / "wide.npz", X=np.zeros((4, 3, 16)), y=np.array(["saw", "sine"] * 2))
    if not (files / "model.npz").exists():
        run("fit", files / "data.npz", files / "model.npz", *FAST)
    proc = run(*[a.format(d=files) for a in args], ok=False)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_failed_stream_keeps_the_previous_output(files, monkeypatch):
    """A streamed write that stops before all rows leaves the output that was there."""
    from rgan_augment.cli import NpyStream

    target = files / "kept.npy"
    np.save(target, np.arange(3.0))
    with pytest.raises(KeyboardInterrupt):
        with NpyStream(target, 10) as sink:
            sink.write(np.zeros((4, 1, 5)))
            raise KeyboardInterrupt
    with NpyStream(target, 10) as sink:  # fewer rows than announced: not kept either
        sink.write(np.zeros((4, 1, 5)))
    np.testing.assert_array_equal(np.load(target), np.arange(3.0))
    with NpyStream(target, 4) as sink:
        sink.write(np.ones((4, 1, 5)))
    assert np.load(target).shape == (4, 1, 5)
    assert not list(files.glob(".kept.npy.*"))


def _digest(path):
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def model(files):
    path = files / "model_inputs.npz"
    run("fit", files / "data.npz", path, *FAST)
    return path


@pytest.mark.parametrize("args, message", [
    (["sample", "{m}", "{m}", "--n", "3", "--label", "saw"], "the series output"),
    (["fit", "{d}/data.npz", "{d}/data.npz", *FAST], "the model output"),
    (["resample", "{d}/data.npz", "{d}/out.npz", "--model", "{d}/data.npz", *FAST], "the model output"),
    (["resample", "{d}/data.npz", "{d}/data.npz", *FAST], "the series output"),
    (["resample", "{d}/X.npy", "{d}/labels.txt", "--labels", "{d}/labels.txt", *FAST], "labels input"),
    (["resample", "{d}/data.npz", "{d}/same.npz", "--model", "{d}/same.npz", *FAST], "outputs are one file"),
    (["sample", "{m}", "{d}/link.npz", "--n", "3", "--label", "saw"], "is the model input"),
])
def test_no_command_writes_over_its_input(files, model, args, message):
    """A slip of the argument order (data and models share .npz) is refused before
    anything is read or written; the inputs are unchanged, also through a link."""
    link = files / "link.npz"
    if not link.exists():
        link.symlink_to(model)
    before = {p: _digest(p) for p in (model, files / "data.npz", files / "labels.txt")}
    proc = run(*[a.format(d=files, m=model) for a in args], ok=False)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert {p: _digest(p) for p in before} == before


@pytest.mark.parametrize("target, message", [
    ("missing/m.npz", "no such folder"), ("folder", "is a folder"),
    ("data.npz/m.npz", "no such folder"), ("m.pkl", "model files end in")])
def test_an_unwritable_model_output_fails_before_the_fit(files, target, message):
    (files / "folder").mkdir(exist_ok=True)
    import time

    t0 = time.perf_counter()
    proc = run("fit", files / "data.npz", files / target, "--n-steps", "3000", "--verbose", "0",
               ok=False)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert time.perf_counter() - t0 < 60  # 3,000 steps would take minutes: no fit ran
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_folder_without_write_permission(files, model):
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    locked = files / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        proc = run("sample", model, locked / "o.npy", "--n", "3", "--label", "saw", ok=False)
    finally:
        locked.chmod(0o700)
    assert proc.returncode == 2 and "cannot write" in proc.stderr


def test_file_system_errors_are_one_line(files):
    (files / "labels_dir").mkdir(exist_ok=True)
    proc = run("fit", files / "X.npy", files / "m_dir.npz", "--labels", files / "labels_dir",
               *FAST, ok=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_csv_header_is_read_as_the_file_has_it(files):
    """A CSV of numbers only has no header row: its first series is data, not column
    names; a first row of column numbers is ambiguous and the user is asked."""
    X, y = sine_vs_sawtooth(n_per_class=20, length=16, n_minority=5)
    np.savetxt(files / "plain.csv", X[:, 0, :], delimiter=",")
    (files / "plain_labels.txt").write_text("\ufeff" + "\n".join(y))  # with a byte-order mark
    out = files / "plain_out.npz"
    run("resample", files / "plain.csv", out, "--labels", files / "plain_labels.txt", *FAST)
    with np.load(out) as data:
        np.testing.assert_allclose(data["X"][: len(X)], X[:, 0, :])  # no series lost
        assert sorted(set(data["y"])) == ["saw", "sine"]  # no bogus '\ufeffsine' class
    numbered = files / "numbered.csv"
    numbered.write_text(",".join(map(str, range(16))) + "\n" + "\n".join(
        ",".join(f"{v:.5f}" for v in row) for row in X[:, 0, :]))
    proc = run("resample", numbered, out, "--labels", files / "plain_labels.txt", *FAST, ok=False)
    assert proc.returncode == 2 and "--header" in proc.stderr
    run("resample", numbered, out, "--labels", files / "plain_labels.txt", "--header", "yes", *FAST)
    with np.load(out) as data:
        np.testing.assert_allclose(data["X"][: len(X)], X[:, 0, :], atol=1e-5)


@pytest.mark.parametrize("args, message", [
    (["evaluate", "{m}", "{d}/data.npz", "--disc-steps", "0"], "positive integer"),
    (["resample", "{d}/data.npz", "{d}/o.npz", "--sampling-strategy", "true", *FAST],
     "sampling_strategy must be"),
    (["resample", "{d}/data.npz", "{d}/o.npz", "--sampling-strategy", '{{"cat": 30}}', *FAST],
     "that the data does not have"),
])
def test_arguments_take_the_python_api_types(files, model, args, message):
    proc = run(*[a.format(d=files, m=model) for a in args], ok=False)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr


def test_dict_strategy_keys_match_integer_labels(files):
    X, y = sine_vs_sawtooth(n_per_class=20, length=16, n_minority=5)
    np.savez(files / "int_labels.npz", X=X, y=(y == "saw").astype(int))
    out = files / "int_out.npz"
    run("resample", files / "int_labels.npz", out, "--sampling-strategy", '{"1": 12}', *FAST)
    with np.load(out) as data:
        assert np.bincount(data["y"]).tolist() == [20, 12]


def test_unequal_length_series_in_and_out(files):
    """Series of unequal length go out as .npz (NaN-padded X and lengths) or .csv (rows
    ending in empty cells) and come back in as the same series; .npy says why not."""
    X, y = sine_vs_sawtooth(n_per_class=12, length=16, n_minority=5)
    lengths = np.array([10 + i % 7 for i in range(len(X))])
    padded = np.full(X.shape, np.nan)
    for i, n in enumerate(lengths):
        padded[i, :, :n] = X[i, :, :n]
    np.savez(files / "ragged.npz", X=padded, lengths=lengths, y=y)
    model = files / "ragged_model.npz"
    run("fit", files / "ragged.npz", model, *FAST)
    from rgan_augment.cli import read_data

    drawn = {}
    for suffix in (".npz", ".csv", ".ts"):
        out = files / f"ragged_draws{suffix}"
        run("sample", model, out, "--n", 6, "--label", "saw", "--random-state", 1)
        drawn[suffix], labels = read_data(out, label_column="label" if suffix == ".csv" else None)
        assert list(labels) == ["saw"] * 6
    assert len({s.shape[-1] for s in drawn[".npz"]}) > 1  # unequal lengths, kept as drawn
    for a, b, c in zip(drawn[".npz"], drawn[".csv"], drawn[".ts"]):
        assert 10 <= a.shape[-1] <= 16 and np.isfinite(a).all()
        np.testing.assert_allclose(np.ravel(a), np.ravel(b), rtol=1e-6)
        np.testing.assert_allclose(a, c, rtol=1e-6)
    # and a .ts file of unequal lengths (sktime's @equalLength false) is read as such
    run("fit", files / "ragged_draws.ts", files / "from_ts.npz", *FAST)
    assert json.loads(run("info", files / "from_ts.npz").stdout)["classes"] == ["saw"]
    # a series whose channels differ in length is refused with its number, not a traceback
    (files / "uneven_channels.ts").write_text(
        "@problemName uneven\n@timeStamps false\n@univariate false\n@dimensions 2\n"
        "@equalLength false\n@classLabel true a b\n@data\n"
        "1,2,3,4:1,2,3,4:a\n1,2,3:1,2:b\n")
    proc = run("fit", files / "uneven_channels.ts", files / "never.npz", *FAST, ok=False)
    assert proc.returncode == 2 and "channels of series 1 differ in length" in proc.stderr
    assert not (files / "never.npz").exists()
    proc = run("sample", model, files / "ragged.npy", "--n", 3, "--label", "saw", ok=False)
    assert proc.returncode == 2 and "unequal length" in proc.stderr
