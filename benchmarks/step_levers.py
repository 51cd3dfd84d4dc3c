"""What would the cheap per-step levers save of a training step?

    python benchmarks/step_levers.py [--rounds 3]

Patches two candidate changes into the training loop from outside (the package is not
changed) and times the default fit's training steps with each, roughness calibration
off so that the fit is the training loop:

- ``reuse``: one generator pass per update instead of two; the discriminator's step sees
  it detached, the generator's step back-propagates through the same draws (today the
  discriminator's step draws once without gradients and the generator's step draws again);
- ``fused``: PyTorch's fused Adam (``torch.optim.Adam(fused=True)``) for both networks;
- ``reuse+fused``: both.

Tasks: GunPoint's training split with class 2 cut to 3 series (seed 0, 200 steps) and
Sines 1000x24x5 (100 steps). The levers run interleaved for ``--rounds`` rounds; the
table gives the median ms/step per lever, and its ratio to ``base`` from the same rounds.
Both levers change the random stream or the arithmetic, so either would change every
draw: adopting one is a behaviour change to be measured downstream.

Writes benchmarks/results/step_levers.md.
"""

import argparse
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

from gunpoint_fidelity import cut_to_few
import rgan_augment.gan.training as training
from rgan_augment import RecurrentGANAugmenter
from rgan_augment.datasets import make_sines

warnings.filterwarnings("ignore")
RESULTS = Path(__file__).resolve().parent / "results"
Trainer = training._Trainer
ORIGINAL = (Trainer.__init__, Trainer.discriminator_step, Trainer.generator_step)


def gunpoint_few_shot():
    from sktime.datasets import load_gunpoint

    X, y = load_gunpoint(split="train", return_type="numpy3D")
    keep, _ = cut_to_few(np.asarray(y), "2", 0, 3)
    return X[keep], np.asarray(y)[keep]


def fused_adam_init(self, *args, **kwargs):
    ORIGINAL[0](self, *args, **kwargs)
    betas = (0.5, 0.99)
    self.opt_g = torch.optim.Adam(self.G.parameters(), lr=self.config.lr_g, betas=betas, fused=True)
    self.opt_d = torch.optim.Adam(self.D.parameters(), lr=self.config.lr_d, betas=betas, fused=True)


def reuse_discriminator_step(self, b):
    with training.autocast(self.device, self.amp):
        self._shared_fake = self._fake(b)
    self._fake = lambda b: self._shared_fake.detach()
    try:
        return ORIGINAL[1](self, b)
    finally:
        del self._fake


def reuse_generator_step(self, b, f_real):
    self._fake = lambda b: self._shared_fake
    try:
        return ORIGINAL[2](self, b, f_real)
    finally:
        del self._fake


LEVERS = {
    "base": ORIGINAL,
    "reuse": (ORIGINAL[0], reuse_discriminator_step, reuse_generator_step),
    "fused": (fused_adam_init, ORIGINAL[1], ORIGINAL[2]),
    "reuse+fused": (fused_adam_init, reuse_discriminator_step, reuse_generator_step),
}


def ms_per_step(data, steps):
    fit = RecurrentGANAugmenter(random_state=0, n_steps=steps, match_roughness=False).fit(*data)
    return fit.fit_seconds_ / steps * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tasks = {"GunPoint few-shot": (gunpoint_few_shot(), 200),
             "Sines 1000x24x5": ((make_sines(1000, 24, 5, random_state=100), None), 100)}
    times = {(task, lever): [] for task in tasks for lever in LEVERS}
    for task, (data, _) in tasks.items():  # warm-up: first fits pay for kernel set-up
        RecurrentGANAugmenter(random_state=0, n_steps=20, match_roughness=False).fit(*data)
    for r in range(args.rounds):
        for lever, (init, d_step, g_step) in LEVERS.items():
            Trainer.__init__, Trainer.discriminator_step, Trainer.generator_step = init, d_step, g_step
            for task, (data, steps) in tasks.items():
                times[task, lever].append(ms_per_step(data, steps))
                print(f"round {r} {task:18s} {lever:12s} {times[task, lever][-1]:6.1f} ms/step",
                      flush=True)
    Trainer.__init__, Trainer.discriminator_step, Trainer.generator_step = ORIGINAL

    lines = ["# Per-step levers: ms per training step of the default fit", "",
             f"Command: `python benchmarks/step_levers.py --rounds {args.rounds}`",
             f"Machine: {platform.machine()}, {torch.get_num_threads()} torch threads, "
             f"torch {torch.__version__}, Python {sys.version.split()[0]}", "",
             "Median over the rounds (all rounds in brackets); ratio to `base`'s median.", "",
             "| task | " + " | ".join(LEVERS) + " |", "| --- |" + " --- |" * len(LEVERS)]
    for task in tasks:
        base = np.median(times[task, "base"])
        cells = [f"{np.median(times[task, lever]):.1f} "
                 f"({', '.join(f'{t:.1f}' for t in times[task, lever])}) "
                 f"x{np.median(times[task, lever]) / base:.2f}" for lever in LEVERS]
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    out = RESULTS / "step_levers.md"
    out.write_text("\n".join(lines) + "\n")
    print(out.read_text())


if __name__ == "__main__":
    main()
