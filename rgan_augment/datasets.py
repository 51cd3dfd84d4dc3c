"""Generated data sets (nothing is downloaded)."""

from __future__ import annotations

import numpy as np


def make_sines(n_instances, n_timepoints=24, n_channels=5, random_state=None):
    """TimeGAN's "Sines" data: per series and channel, ``x_j = sin(f * j + phase)`` with
    ``f`` and ``phase`` drawn from U(0, 0.1), rescaled from [-1, 1] to [0, 1].

    Returns an array ``(n_instances, n_channels, n_timepoints)``; ``random_state`` is
    anything ``numpy.random.default_rng`` accepts.
    """
    rng = np.random.default_rng(random_state)
    f = rng.uniform(0, 0.1, size=(n_instances, n_channels, 1))
    phase = rng.uniform(0, 0.1, size=(n_instances, n_channels, 1))
    return (np.sin(f * np.arange(n_timepoints) + phase) + 1) / 2
