"""Small synthetic data sets with a known answer, and helpers shared by the tests."""

import json

import numpy as np


def tiny(n_steps=20, **params):
    """Parameters of a tiny, fast model for tests (a few seconds' training at most):
    8 hidden units, small latent and noise, batches of 16, ``n_steps`` updates."""
    return dict(n_steps=n_steps, hidden_size=8, latent_dim=4, noise_dim=2, batch_size=16,
                **params)


def sine_vs_sawtooth(n_per_class=40, length=32, n_channels=1, noise=0.1, seed=0,
                     n_minority=None):
    """Class 'sine': noisy sines; class 'saw': noisy sawtooth waves; random phase.

    Both have period ~ length / 2, so a classifier has to see the shape, not the
    frequency. Returns X (n, n_channels, length) and string labels.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    n_saw = n_per_class if n_minority is None else n_minority
    X, y = [], []
    for label, n in (("sine", n_per_class), ("saw", n_saw)):
        for _ in range(n):
            period = length / 2 * rng.uniform(0.9, 1.1)
            phase = rng.uniform(0, 1, size=(n_channels, 1))
            u = t[None, :] / period + phase
            wave = np.sin(2 * np.pi * u) if label == "sine" else 2 * (u % 1.0) - 1
            X.append(wave + noise * rng.normal(size=(n_channels, length)))
            y.append(label)
    return np.asarray(X), np.asarray(y)


def shape_features(X):
    """Phase-invariant features: spectrum magnitudes of the series and its differences."""
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = X[:, None, :]
    spec = np.abs(np.fft.rfft(X, axis=2))
    dspec = np.abs(np.fft.rfft(np.diff(X, axis=2), axis=2))
    d = np.diff(X, axis=2)
    extra = np.stack([d.min(axis=2), d.max(axis=2), X.std(axis=2)], axis=2)
    return np.concatenate([spec, dspec, extra], axis=2).reshape(len(X), -1)


def rewrite_document(path, edit):
    """Apply ``edit`` to the JSON document of a safe-format model file, in place (to
    make older or damaged files)."""
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    doc = json.loads(bytes(arrays["document"]).decode())
    edit(doc)
    arrays["document"] = np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
