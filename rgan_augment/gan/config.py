"""The GAN's configuration, the automatic sizes derived from the data (steps per
recurrent step, hidden units) and the automatic training budget."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from .networks import Discriminator, Generator


@dataclass
class GANConfig:
    n_channels: int
    n_timepoints: int
    n_classes: int  # 0 = unconditional
    chunk: int
    cell: str = "lstm"
    hidden_size: int = 64
    num_layers: int = 2
    latent_dim: int = 16
    noise_dim: int = 8
    loss: str = "ns"
    feature_matching: float = 1.0
    class_loss: float = 1.0
    mmd_weight: float = 1.0
    batch_size: int = 64
    n_steps: int = 1000
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    d_steps: int = 1
    eval_every: int = 50
    max_time: float | None = None
    reference: bool = False  # DAGAN: condition the generator on a real series of the class
    ema: float = 0.0  # decay of the generator's weight average (0: no averaging)
    augment: float = 0.0  # probability of each augmentation of the judged series (0: none)
    even_inputs: bool = False  # recurrent input sizes padded to even (bf16 fits; see even_pad)

    @property
    def n_chunks(self):
        return math.ceil(self.n_timepoints / self.chunk)

    def build_generator(self):
        # torch's layer constructors draw initial weights from the global RNG; keep it
        # untouched (our own initialisation from a private generator follows)
        with torch.random.fork_rng(devices=[]):
            return Generator(n_channels=self.n_channels, chunk=self.chunk, n_chunks=self.n_chunks,
                         n_classes=self.n_classes, latent_dim=self.latent_dim,
                         noise_dim=self.noise_dim, hidden_size=self.hidden_size,
                         num_layers=self.num_layers, cell=self.cell, reference=self.reference,
                         even_inputs=self.even_inputs)

    def build_discriminator(self):
        with torch.random.fork_rng(devices=[]):
            return Discriminator(n_channels=self.n_channels, chunk=self.chunk,
                             n_chunks=self.n_chunks, n_classes=self.n_classes,
                             hidden_size=self.hidden_size, num_layers=1, cell=self.cell,
                             reference=self.reference, even_inputs=self.even_inputs)


def auto_chunk(n_timepoints):
    """Steps emitted per recurrent step: keeps the recurrence at most ~32 steps long."""
    return max(1, math.ceil(n_timepoints / 32))


LONG_CHUNK = 8  # above this many steps per recurrent step, 'auto' doubles the hidden size


def auto_hidden(chunk):
    """Hidden units for ``hidden_size='auto'``: 64, or 128 for chunks above 8 steps."""
    return 128 if chunk > LONG_CHUNK else 64


#: generator updates for ``n_steps='auto'``, at every data size: a budget that grew with
#: the log of the number of series (to 2,000) bought no measured quality on the large sets
#: (benchmarks/README.md, "A step count by data size")
AUTO_STEPS = 1000
