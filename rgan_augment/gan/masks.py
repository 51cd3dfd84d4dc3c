"""Padding masks: which steps of a batch of series lie before each series' end."""

from __future__ import annotations

import numpy as np
import torch


def step_mask(lengths, n_steps):
    """(n, n_steps) bool, True on the steps before each series' end: a tensor on
    ``lengths``' device for a tensor, a numpy array for anything else."""
    if isinstance(lengths, torch.Tensor):
        return torch.arange(n_steps, device=lengths.device)[None, :] < lengths[:, None]
    return np.arange(n_steps)[None, :] < np.asarray(lengths)[:, None]


def chunk_mask(lengths, chunk, n_chunks):
    """(n, n_chunks) bool tensor, True on the recurrent steps (of ``chunk`` series steps
    each) that start before each series' end."""
    return torch.arange(n_chunks, device=lengths.device)[None, :] * chunk < lengths[:, None]
