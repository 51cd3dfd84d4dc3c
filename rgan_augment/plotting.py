"""Pictures of what the GAN learned (matplotlib, an optional extra: ``pip install rgan-augment[plot]``).

* :func:`plot_real_vs_synthetic`: a few real and synthetic series per class.
* :func:`plot_embedding`: PCA or t-SNE of real vs synthetic series, as in the TimeGAN
  paper (each series is reduced to its per-time-step mean over channels, as there).
* :func:`plot_training`: the losses and the validation score over training steps.

Each returns the matplotlib Figure; pass ``path`` to save a PNG as well.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._data import check_series


def _plt():
    try:
        import matplotlib

        if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
            import os

            if not os.environ.get("DISPLAY"):
                matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plotting needs matplotlib: pip install rgan-augment[plot]") from None
    return plt


def _finish(fig, path):
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=90)
    return fig


def plot_real_vs_synthetic(augmenter, X, y=None, *, n_per_class=8, channel=0, path=None,
                           random_state=0):
    """Top row: real series of each class; bottom row: synthetic ones of that class."""
    check_is_fitted(augmenter, "generator_")
    values, lengths, _ = check_series(X)
    classes = [None] if augmenter.classes_ is None else list(augmenter.classes_)
    y = None if y is None else np.asarray(y)
    if classes != [None] and (y is None or y.shape != (len(values),)):
        raise ValueError("This augmenter is conditional: pass y, one label per series of X, "
                         "to show the real series of each class.")
    if not (isinstance(channel, (int, np.integer)) and 0 <= channel < values.shape[1]):
        raise ValueError(f"channel must be an integer in [0, {values.shape[1]}); got {channel!r}.")
    plt = _plt()
    fig, axes = plt.subplots(2, len(classes), figsize=(4 * len(classes), 5), squeeze=False,
                             sharey=True)
    for j, label in enumerate(classes):
        idx = np.arange(len(values)) if label is None else np.flatnonzero(y == label)
        for i in idx[:n_per_class]:
            axes[0, j].plot(values[i, channel, : lengths[i]], color="black", alpha=0.5)
        synth = augmenter.sample(n_per_class, label, random_state=random_state)
        for s in synth:
            s = np.asarray(s)
            axes[1, j].plot(s[channel] if s.ndim == 2 else s, color="tab:red", alpha=0.6)
        name = "all" if label is None else label
        axes[0, j].set_title(f"real, class {name} (n={len(idx)})")
        axes[1, j].set_title(f"synthetic, class {name}")
    fig.suptitle(f"real vs synthetic (channel {channel})")
    return _finish(fig, path)


def plot_embedding(real, synthetic, *, method="pca", path=None, random_state=0, max_points=1000):
    """2D PCA or t-SNE of real (black) and synthetic (red) series."""
    plt = _plt()
    if method not in ("pca", "tsne"):
        raise ValueError(f"method must be 'pca' or 'tsne'; got {method!r}.")
    r, lr, _ = check_series(real)
    s, ls, _ = check_series(synthetic)
    if r.shape[2] != s.shape[2] or (lr != r.shape[2]).any() or (ls != s.shape[2]).any():
        raise ValueError("plot_embedding needs equal-length real and synthetic series.")
    rng = np.random.default_rng(random_state)
    r = r[rng.permutation(len(r))[:max_points]].mean(axis=1)
    s = s[rng.permutation(len(s))[:max_points]].mean(axis=1)
    both = np.concatenate([r, s])
    if method == "pca":
        from sklearn.decomposition import PCA

        emb = PCA(n_components=2, random_state=random_state).fit_transform(both)
    else:
        from sklearn.manifold import TSNE

        perplexity = min(30.0, max(2.0, (len(both) - 1) / 3))
        emb = TSNE(n_components=2, perplexity=perplexity, random_state=random_state,
                   init="pca").fit_transform(both)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.scatter(*emb[: len(r)].T, s=8, color="black", alpha=0.5, label="real")
    ax.scatter(*emb[len(r):].T, s=8, color="tab:red", alpha=0.5, label="synthetic")
    ax.legend()
    ax.set_title(f"{'PCA' if method == 'pca' else 't-SNE'}: real vs synthetic")
    return _finish(fig, path)


def plot_training(augmenter, *, path=None):
    """Discriminator and generator losses and the validation score per evaluation."""
    check_is_fitted(augmenter, "history_")
    plt = _plt()
    h = augmenter.history_
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax1.plot(h["step"], h["loss_d"], label="discriminator")
    ax1.plot(h["step"], h["loss_g"], label="generator")
    ax1.set_xlabel("step")
    ax1.set_title("losses")
    ax1.legend()
    scores = [np.nan if v is None else v for v in h["mmd"]]
    ax2.plot(h["step"], scores, color="tab:green")
    ax2.axvline(augmenter.best_step_, color="gray", linestyle="--", label="step kept")
    ax2.set_xlabel("step")
    ax2.set_title("validation score (per-class MMD; lower is better)")
    ax2.legend()
    return _finish(fig, path)
