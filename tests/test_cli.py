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
    (["fit", "{d}/data.npz", "{d}/m.npz", "--params", '{{"cell": "rnn"}}'], "cell must be"),
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
