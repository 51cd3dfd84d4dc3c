"""The plotting helpers draw and save figures (looked at by eye in examples/figures/)."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from rgan_augment import RecurrentGANAugmenter  # noqa: E402
from rgan_augment.plotting import plot_embedding, plot_real_vs_synthetic, plot_training  # noqa: E402

from _toy import sine_vs_sawtooth  # noqa: E402


@pytest.fixture(scope="module")
def fitted():
    X, y = sine_vs_sawtooth(n_per_class=15, length=16)
    aug = RecurrentGANAugmenter(n_steps=20, hidden_size=8, random_state=0).fit(X, y)
    return aug, X, y


def test_figures_are_drawn_and_saved(fitted, tmp_path):
    aug, X, y = fitted
    fig = plot_real_vs_synthetic(aug, X, y, n_per_class=4, path=tmp_path / "rvs.png")
    assert len(fig.axes) == 4 and all(ax.lines for ax in fig.axes)
    synth = aug.sample(30, np.array(["sine", "saw"] * 15))
    for method in ("pca", "tsne"):
        fig = plot_embedding(X, synth, method=method, path=tmp_path / f"{method}.png")
        assert len(fig.axes[0].collections) == 2
    fig = plot_training(aug, path=tmp_path / "training.png")
    assert fig.axes[0].lines
    for name in ("rvs", "pca", "tsne", "training"):
        assert (tmp_path / f"{name}.png").stat().st_size > 5000


def test_embedding_rejects_unknown_method(fitted):
    aug, X, _ = fitted
    with pytest.raises(ValueError, match="pca"):
        plot_embedding(X, X, method="umap")


def test_bad_arguments_get_clear_errors(fitted):
    from sklearn.exceptions import NotFittedError

    aug, X, y = fitted
    with pytest.raises(NotFittedError):
        plot_real_vs_synthetic(RecurrentGANAugmenter(), X, y)
    with pytest.raises(NotFittedError):
        plot_training(RecurrentGANAugmenter())
    with pytest.raises(ValueError, match="pass y"):  # used to draw no real series silently
        plot_real_vs_synthetic(aug, X)
    with pytest.raises(ValueError, match="channel must be"):  # was numpy's IndexError
        plot_real_vs_synthetic(aug, X, y, channel=3)
