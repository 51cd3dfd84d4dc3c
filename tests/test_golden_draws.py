"""Golden draws: seeded tiny fits whose draws must not move when the code is reorganised.

Each case fits a small model (folded and unfolded cycles, z-normalised data, per-series
scales, the filter on and off, label and example conditioning, unequal lengths, an
unconditional model, GRU and LSTM) and draws from it; the draws, the fit_resample rows
and the draws of the safe-format round trip are compared with arrays stored in
``golden_draws.npz`` by ``np.array_equal``.

Floating-point results depend on the CPU's kernels (instruction set, cache-dependent
blocking, settings such as ``ONEDNN_MAX_CPU_ISA``) and on the thread count, so the stored
arrays are compared bit for bit only where those match the machine that made them
(:func:`fingerprint`); elsewhere the comparison is skipped with the reason. To remake
them from a commit whose draws are the reference:

    git worktree add /tmp/reference <commit>
    PYTHONPATH=/tmp/reference python tests/test_golden_draws.py --write

(the running code is imported from PYTHONPATH: the file then holds that commit's draws).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from _toy import tiny

# the smoothing cases cut a class to one series on purpose
pytestmark = pytest.mark.filterwarnings("ignore:.*single training series:UserWarning")
GOLDEN = Path(__file__).with_name("golden_draws.npz")
# the filter on and the discriminator's augmentation off: the stored draws were made
# when those were the defaults
TINY = tiny(6, random_state=3, filter_samples=True, augment_discriminator=0.0)


def _cpu_description():
    """The CPU's model name, flags and cache sizes: what selects and blocks its kernels."""
    keep = ("model name", "flags", "cache size")
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            lines = [line.strip() for line in fh if line.split(":")[0].strip() in keep]
    except OSError:
        lines = [platform.processor()]
    return "\n".join(sorted(set(lines)))


# environment variables that change which kernels run (an instruction-set cap, MKL's
# code path): set, they make the same CPU compute other bits
_KERNEL_SETTINGS = ("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "MKL_CBWR",
                    "MKL_ENABLE_INSTRUCTIONS")


def fingerprint():
    """What the bits of a draw depend on besides the code: CPU, kernel settings, threads,
    library versions."""
    settings = [f"{k}={os.environ.get(k, '')}" for k in _KERNEL_SETTINGS]
    parts = [_cpu_description(), platform.machine(), torch.backends.cpu.get_cpu_capability(),
             *settings, str(torch.get_num_threads()), torch.__version__, np.__version__]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------- data
def _shapes(n=24, length=32, seed=0):
    """Two classes of noisy waves (sine, sawtooth) with random phase: (n, 1, length)."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    y = np.where(np.arange(n) < n * 2 // 3, "sine", "saw")
    u = t[None, :] / (length / 2) + rng.uniform(0, 1, size=(n, 1))
    X = np.where((y == "sine")[:, None], np.sin(2 * np.pi * u), 2 * (u % 1.0) - 1)
    return (X + 0.1 * rng.normal(size=X.shape))[:, None, :], y


def _cyclic(n=24, length=64, period=4, seed=1):
    """Per-class cycles of ``period`` steps repeated exactly (folded by default)."""
    rng = np.random.default_rng(seed)
    shapes = rng.normal(size=(2, period))
    y = np.arange(n) % 2
    X = np.stack([np.tile(shapes[c], length // period) for c in y])[:, None, :]
    return X * rng.uniform(0.8, 1.2, size=(n, 1, 1)) + 0.01 * rng.normal(size=X.shape), y


def _znormed(X):
    return (X - X.mean(-1, keepdims=True)) / X.std(-1, keepdims=True)


def _two_channels(seed=2):
    """Two channels: the first z-normalised per series, the second sines whose sizes
    span 1e-3 .. 1e2 (per-series scales)."""
    X, y = _shapes(n=24, length=32, seed=seed)
    rng = np.random.default_rng(seed)
    exponent = np.where(y == "saw", rng.uniform(-3, -1, len(y)), rng.uniform(0, 2, len(y)))
    t = np.arange(X.shape[2])
    sizes = np.sin(t[None, :] * 0.4 + rng.uniform(0, 6, (len(y), 1))) * 10.0 ** exponent[:, None]
    return np.concatenate([_znormed(X), sizes[:, None, :]], axis=1), y


def _with_one_series(make):
    """``make``'s data with its second class cut to one series: that class keeps the
    smoothing widths it is calibrated to (the tiny fits' other widths are all zero)."""
    def cut():
        X, y = make()
        keep = np.r_[np.flatnonzero(y == y[0]), np.flatnonzero(y != y[0])[:1]]
        return X[keep], y[keep]
    return cut


def _smooth_waves(n=24, length=48, seed=0):
    rng = np.random.default_rng(seed)
    t, y = np.arange(length), np.arange(n) % 2
    u = (y + 1)[:, None] * t[None, :] / length + rng.uniform(0, 1, (n, 1))
    return (np.sin(2 * np.pi * u) + 0.002 * rng.normal(size=u.shape))[:, None, :], y


def _unequal(seed=4):
    X, y = _shapes(n=24, length=40, seed=seed)
    lengths = np.random.default_rng(seed).integers(24, 41, size=len(X))
    return [x[:, :m] for x, m in zip(X, lengths)], y


def _cyclic_unequal():
    X, y = _cyclic(n=24, length=96)
    lengths = np.random.default_rng(5).integers(60, 97, size=len(X))
    return [_znormed(x[:, :m]) for x, m in zip(X, lengths)], y


CASES = {
    "lstm_example_filter": (_shapes, {}),
    "lstm_label_no_filter": (_shapes, dict(conditioning="label", filter_samples=False)),
    "gru_example": (_shapes, dict(cell="gru")),
    "gru_label": (_shapes, dict(cell="gru", conditioning="label")),
    "unconditional": (lambda: (_shapes()[0], None), {}),
    "unsmoothed": (_shapes, dict(match_roughness=False)),
    "folded": (lambda: (_znormed(_cyclic()[0]), _cyclic()[1]), {}),
    "cycles_not_folded": (_cyclic, dict(fold_cycles=False)),
    "folded_unequal_znorm": (_cyclic_unequal, {}),
    "znorm_and_series_scales": (_two_channels, {}),
    "znorm_scales_off": (_two_channels, dict(preserve_znorm=False, scale_series=False)),
    "unequal_lengths": (_unequal, {}),
    "smoothed": (_with_one_series(_smooth_waves), dict(chunk_length=8)),
    "smoothed_across_cycles": (_with_one_series(lambda: _cyclic(length=128)),
                               dict(chunk_length=8, fold_cycles=False)),
    "folded_smoothed": (_with_one_series(lambda: _cyclic(length=128)), dict(chunk_length=8)),
}


def _stacked(series):
    """Draws as one float64 array: NaN after each end for a list of unequal series."""
    if isinstance(series, np.ndarray):
        return series.astype(np.float64)
    width = max(s.shape[-1] for s in series)
    out = np.full((len(series), series[0].shape[0], width), np.nan)
    for i, s in enumerate(series):
        out[i, :, : s.shape[-1]] = s
    return out


def draws_of(name, tmp_dir):
    """The arrays a case is judged on: {'<name>/<what>': float64 array}."""
    from rgan_augment import RecurrentGANAugmenter

    make, params = CASES[name]
    X, y = make()
    aug = RecurrentGANAugmenter(**{**TINY, **params}).fit(X, y)
    labels = None if y is None else np.resize(aug.classes_, 10)
    out = {"sample": aug.sample(10, labels, random_state=0),
           "stream": aug.sample(7, None if y is None else labels[:7])}
    if y is not None:
        out["resampled"] = RecurrentGANAugmenter(**{**TINY, **params}).fit_resample(X, y)[0]
    path = Path(tmp_dir) / f"{name}.npz"
    aug.save(path)
    out["loaded"] = RecurrentGANAugmenter.load(path).sample(10, labels, random_state=0)
    return {f"{name}/{what}": _stacked(a) for what, a in out.items()}


def all_draws(tmp_dir):
    arrays = {}
    for name in CASES:
        arrays.update(draws_of(name, tmp_dir))
    return arrays


def write(path=GOLDEN):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        arrays = all_draws(tmp)
    meta = {"fingerprint": fingerprint(), "python": sys.version.split()[0]}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(arrays) - 1} arrays to {path} (fingerprint {meta['fingerprint']})")


@pytest.fixture(scope="module")
def golden():
    """The stored arrays, or a skip reason (str) where this machine did not make them."""
    with np.load(GOLDEN) as data:
        stored = {k: data[k] for k in data.files}
    meta = json.loads(bytes(stored.pop("meta")).decode())
    if meta["fingerprint"] != fingerprint():
        return ("golden draws are compared bit for bit only on the CPU, kernel settings, "
                "thread count and library versions that made them (fingerprint "
                f"{meta['fingerprint']}, this machine {fingerprint()}); see this module's "
                "docstring to remake them")
    return stored


def test_the_cases_cover_every_stored_array():
    with np.load(GOLDEN) as data:
        names = {k.split("/")[0] for k in data.files if k != "meta"}
    assert names == set(CASES)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_draws_are_bit_identical_to_the_golden_ones(golden, name, tmp_path):
    got = draws_of(name, tmp_path)
    # on any machine: the safe-format round trip draws what the fitted model drew
    assert np.array_equal(got[f"{name}/sample"], got[f"{name}/loaded"], equal_nan=True)
    if isinstance(golden, str):
        pytest.skip(golden)
    expected = {k: v for k, v in golden.items() if k.startswith(name + "/")}
    assert set(got) == set(expected)
    for key, value in got.items():
        assert value.shape == expected[key].shape, key
        assert np.array_equal(value, expected[key], equal_nan=True), key


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    write()
