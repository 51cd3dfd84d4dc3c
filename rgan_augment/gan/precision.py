"""Number formats of the networks: which autocast dtype a device and a ``precision``
setting give, and whether this CPU can run a recurrent cell in bf16 at all.

oneDNN's bf16 LSTM kernel needs bf16 instructions (AVX512-BF16 or AMX); on a CPU
without them the first forward pass fails with "could not create a primitive
descriptor for the LSTM forward propagation primitive". So the CPU is asked, once per
process and cell, with a two-step pass through a tiny layer, instead of assuming.
"""

from __future__ import annotations

import functools

import torch

from .networks import _CELLS

PRECISIONS = ("auto", "float32", "bfloat16")


@functools.lru_cache(maxsize=None)
def cpu_runs_bf16(cell="lstm"):
    """Whether a bf16-autocast forward and backward pass of ``cell`` ('lstm' or 'gru')
    runs on this CPU (never touches torch's global random state)."""
    with torch.random.fork_rng(devices=[]):
        layer = _CELLS[cell](4, 4, batch_first=True)
    x = torch.zeros(2, 2, 4, requires_grad=True)
    try:
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
            out = layer(x)[0]
        out.float().sum().backward()
    except RuntimeError:
        return False
    return True


def autocast_dtype(device, precision="auto", cell="lstm"):
    """The autocast dtype of the matrix products (``None``: full float32).

    'auto': bf16 on a CUDA card that supports it, float32 elsewhere (on a CPU too: see
    the estimator's ``precision``); 'float32' forces float32; 'bfloat16' forces bf16
    where the device can run ``cell`` in it, and gives float32 on a CPU that cannot
    (see :func:`cpu_runs_bf16`; the estimator warns when a fit falls back)."""
    if precision == "float32":
        return None
    if precision == "bfloat16":
        if device.type == "cpu" and not cpu_runs_bf16(cell):
            return None
        return torch.bfloat16
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return None


def autocast(device, dtype):
    """An autocast context for ``dtype`` from ``autocast_dtype`` (disabled for None)."""
    if dtype is None:
        return torch.autocast(device_type=device.type, enabled=False)
    return torch.autocast(device_type=device.type, dtype=dtype)
