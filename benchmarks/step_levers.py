"""What would the cheap per-step levers save of a training step, and what do they cost?

    python benchmarks/step_levers.py [--rounds 3] [--levers base unaugmented]
    python benchmarks/step_levers.py --fidelity reuse+fused+narrow [--seeds 0 1 2 3 4]

Patches candidate changes into the training loop from outside (the package is not
changed):

- ``reuse``: one generator pass per update instead of two; the discriminator's step sees
  it detached, the generator's step back-propagates through the same draws (the package
  draws once without gradients for the discriminator's step and again for the
  generator's);
- ``fused``: PyTorch's fused Adam (``torch.optim.Adam(fused=True)``) for both networks;
- ``narrow``: the discriminator's bidirectional layer at half the generator's hidden units
  (the package gives it as many); at equal width it is about two thirds of a step's
  recurrent work, since it runs in both directions, on real and fake rows;
- ``conv``: a small convolutional branch beside the discriminator's recurrent one
  (``ConvBranchDiscriminator``; a probe of issue 24's FCN gap, see synthetic_tell.py);
- ``augment``: differentiable augmentation of the discriminator's input (DiffAugment,
  Zhao et al. 2020; ADA, Karras et al. 2020): every series it judges, real or drawn, is
  independently shifted in time (by up to 1/8 of its length, edges repeated) and scaled
  in amplitude (log-normal, sd 0.2), each with probability 1/2, so that it cannot learn
  a class of 3 series by heart (a probe of issue 24's few-shot copying; the generator's
  gradients pass through the same augmentation); since adopted as the package's
  ``augment_discriminator=0.5`` (``rgan_augment/gan/augment.py``: one amplitude factor
  for all channels of a series, lengths exact rather than whole chunks), so this lever
  only repeats the runs recorded with it; it stacks on the package's own augmentation
  unless the run passes ``--params '{"augment_discriminator": 0}'``;
- ``cosine``: the learning rates follow a cosine from their start to a tenth of it over
  ``n_steps`` (the package keeps them constant); with fewer steps at a larger start rate,
  a candidate for a shorter budget at equal quality (``--params``);
- ``unaugmented``: the package's default without its augmentation of the discriminator's
  input (``augment_discriminator=0``), to time what the augmentation costs a step;
- names joined by ``+`` combine them (``narrow``, ``conv`` and ``augment`` replace each other).

Timing (the default): the default fit's training steps with each lever, roughness
calibration off so that the fit is the training loop, on GunPoint's training split with
class 2 cut to 3 series (seed 0, 200 steps) and Sines 1000x24x5 (100 steps); the levers
run interleaved for ``--rounds`` rounds; the table gives the median ms/step per lever and
its ratio to ``base`` from the same rounds. Writes benchmarks/results/step_levers.md.

Quality (``--fidelity LEVER``): ``gunpoint_fidelity.py``'s few-shot protocol (each class
of GunPoint cut to 3 series in turn, MiniRocket judge) with the lever patched in; writes
benchmarks/results/gunpoint_fidelity_lever_<LEVER>[_<seeds>].md. Every lever changes the
random stream or the arithmetic, so it changes every draw: its cost is read off the
fidelity of many seeds, not of one.
"""

import argparse
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

import gunpoint_fidelity
from gunpoint_fidelity import cut_to_few
import rgan_augment.gan.config as gan_config
import rgan_augment.gan.training as training
from rgan_augment import RecurrentGANAugmenter
from rgan_augment.datasets import make_sines
from rgan_augment.gan.networks import Discriminator

warnings.filterwarnings("ignore")
RESULTS = Path(__file__).resolve().parent / "results"
Trainer = training._Trainer
ORIGINAL = {"init": Trainer.__init__, "d_step": Trainer.discriminator_step,
            "g_step": Trainer.generator_step, "average": Trainer.update_average,
            "build_d": gan_config.GANConfig.build_discriminator}


def gunpoint_few_shot():
    from sktime.datasets import load_gunpoint

    X, y = load_gunpoint(split="train", return_type="numpy3D")
    keep, _ = cut_to_few(np.asarray(y), "2", 0, 3)
    return X[keep], np.asarray(y)[keep]


def fused_adam_init(self, *args, **kwargs):
    ORIGINAL["init"](self, *args, **kwargs)
    betas = (0.5, 0.99)
    self.opt_g = torch.optim.Adam(self.G.parameters(), lr=self.config.lr_g, betas=betas, fused=True)
    self.opt_d = torch.optim.Adam(self.D.parameters(), lr=self.config.lr_d, betas=betas, fused=True)


def unaugmented_init(self, *args, **kwargs):
    """The trainer without the discriminator's input augmentation (the package's default
    before ``augment_discriminator``)."""
    ORIGINAL["init"](self, *args, **kwargs)
    self.augment = None


def reuse_discriminator_step(self, b):
    with training.autocast(self.device, self.amp):
        self._shared_fake = self._fake(b)
    self._fake = lambda b: self._shared_fake.detach()
    try:
        return ORIGINAL["d_step"](self, b)
    finally:
        del self._fake


def reuse_generator_step(self, b, f_real):
    self._fake = lambda b: self._shared_fake
    try:
        return ORIGINAL["g_step"](self, b, f_real)
    finally:
        del self._fake


def _one_layer_discriminator(config, cls=Discriminator, hidden_size=None):
    """A one-layer ``cls`` shaped as ``config`` would build the package's discriminator
    (built under a forked RNG, so the draws after it are as without the patch)."""
    with torch.random.fork_rng(devices=[]):
        return cls(n_channels=config.n_channels, chunk=config.chunk, n_chunks=config.n_chunks,
                   n_classes=config.n_classes, hidden_size=hidden_size or config.hidden_size,
                   num_layers=1, cell=config.cell, reference=config.reference,
                   even_inputs=config.even_inputs)


def narrow_discriminator(self):
    return _one_layer_discriminator(self, hidden_size=max(1, self.hidden_size // 2))


class ConvBranchDiscriminator(Discriminator):
    """The package's discriminator plus a small convolutional branch over the series (two
    layers, masked mean and max pooling), whose features join the recurrent ones for the
    score, the class projection and the auxiliary classifier."""

    CONV = 32

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        c = kwargs["n_channels"]
        self.conv = torch.nn.Sequential(
            torch.nn.Conv1d(c, self.CONV, 7, padding=3), torch.nn.LeakyReLU(0.2),
            torch.nn.Conv1d(self.CONV, self.CONV, 5, padding=2), torch.nn.LeakyReLU(0.2))
        feat = self.features_dim + 2 * self.CONV
        self.features_dim = feat
        self.out = torch.nn.Linear(feat, 1)
        if self.project is not None:
            self.project = torch.nn.Embedding(kwargs["n_classes"], feat)
        if self.classify is not None:
            self.classify = torch.nn.Linear(feat, kwargs["n_classes"])

    def features(self, x, valid, labels=None, ref=None, ref_valid=None):
        recurrent = super().features(x, valid, labels, ref, ref_valid)
        h = self.conv(x.transpose(1, 2))  # (b, CONV, T)
        w = valid.to(h.dtype).repeat_interleave(self.chunk, dim=1).unsqueeze(1)
        mean = (h * w).sum(2) / w.sum(2).clamp_min(1.0)
        peak = h.masked_fill(w == 0, -1e4).amax(2)
        return torch.cat([recurrent, mean, peak], dim=1)


def conv_discriminator(self):
    return _one_layer_discriminator(self, ConvBranchDiscriminator)


class AugmentedDiscriminator(Discriminator):
    """The package's discriminator judging augmented series (the ``augment`` lever): each
    row of ``x``, real or drawn alike, is shifted by up to 1/8 of its valid length and
    scaled in amplitude, each with probability ``P``; its reference is left as it is."""

    P, SHIFT, LOG_SCALE = 0.5, 1 / 8, 0.2

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rng = torch.Generator().manual_seed(0)

    def augment(self, x, valid):
        b, t, c = x.shape
        rand = lambda *shape: torch.rand(*shape, generator=self.rng).to(x.device)
        length = (valid.sum(1) * self.chunk).clamp(1, t).to(torch.float32)
        shift = ((rand(b) * 2 - 1) * self.SHIFT * length).round() * (rand(b) < self.P)
        steps = torch.arange(t, device=x.device).unsqueeze(0) - shift.unsqueeze(1)
        index = torch.minimum(steps.clamp_min(0), length.unsqueeze(1) - 1).long()
        moved = torch.gather(x, 1, index.unsqueeze(2).expand(b, t, c))
        scale = torch.exp(torch.randn(b, 1, c, generator=self.rng).to(x.device) * self.LOG_SCALE)
        scale = torch.where((rand(b) < self.P).view(b, 1, 1), scale, torch.ones_like(scale))
        inside = (torch.arange(t, device=x.device).unsqueeze(0) < length.unsqueeze(1))
        return moved * scale.to(x.dtype) * inside.unsqueeze(2).to(x.dtype)

    def features(self, x, valid, labels=None, ref=None, ref_valid=None):
        return super().features(self.augment(x, valid), valid, labels, ref, ref_valid)


def augmented_discriminator(self):
    return _one_layer_discriminator(self, AugmentedDiscriminator)


def cosine_update_average(self, step):
    """The weight average's update, then the next step's learning rates on a cosine from
    the configured rate down to a tenth of it at ``n_steps``."""
    ORIGINAL["average"](self, step)
    progress = min(step / self.config.n_steps, 1.0)
    factor = 0.1 + 0.9 * 0.5 * (1.0 + np.cos(np.pi * progress))
    for opt, lr in ((self.opt_g, self.config.lr_g), (self.opt_d, self.config.lr_d)):
        for group in opt.param_groups:
            group["lr"] = lr * factor


PATCHES = {
    "reuse": {"d_step": reuse_discriminator_step, "g_step": reuse_generator_step},
    "fused": {"init": fused_adam_init},
    "narrow": {"build_d": narrow_discriminator},
    "conv": {"build_d": conv_discriminator},
    "augment": {"build_d": augmented_discriminator},
    "cosine": {"average": cosine_update_average},
    "unaugmented": {"init": unaugmented_init},
}
LEVERS = ["base", "reuse", "fused", "reuse+fused", "narrow", "reuse+fused+narrow"]


def apply(lever):
    """Patch the trainer (and the discriminator's size) for ``lever``; 'base' restores."""
    chosen = dict(ORIGINAL)
    for name in lever.split("+"):
        if name != "base":
            chosen.update(PATCHES[name])
    Trainer.__init__ = chosen["init"]
    Trainer.discriminator_step = chosen["d_step"]
    Trainer.generator_step = chosen["g_step"]
    Trainer.update_average = chosen["average"]
    gan_config.GANConfig.build_discriminator = chosen["build_d"]


def lever_name(text):
    names = text.split("+")
    if text != "base" and not all(n in PATCHES for n in names):
        raise argparse.ArgumentTypeError(f"levers are 'base' or {sorted(PATCHES)} joined by '+'")
    return text


def ms_per_step(data, steps):
    fit = RecurrentGANAugmenter(random_state=0, n_steps=steps, match_roughness=False).fit(*data)
    return fit.fit_seconds_ / steps * 1000


def timing(rounds, levers=LEVERS):
    tasks = {"GunPoint few-shot": (gunpoint_few_shot(), 200),
             "Sines 1000x24x5": ((make_sines(1000, 24, 5, random_state=100), None), 100)}
    times = {(task, lever): [] for task in tasks for lever in levers}
    for task, (data, _) in tasks.items():  # warm-up: first fits pay for kernel set-up
        RecurrentGANAugmenter(random_state=0, n_steps=20, match_roughness=False).fit(*data)
    for r in range(rounds):
        for lever in levers:
            apply(lever)
            for task, (data, steps) in tasks.items():
                times[task, lever].append(ms_per_step(data, steps))
                print(f"round {r} {task:18s} {lever:20s} {times[task, lever][-1]:6.1f} ms/step",
                      flush=True)
    apply("base")

    lines = ["# Per-step levers: ms per training step of the default fit", "",
             f"Command: `python benchmarks/step_levers.py --rounds {rounds}"
             + ("" if levers == LEVERS else f" --levers {' '.join(levers)}") + "`",
             f"Machine: {platform.machine()}, {torch.get_num_threads()} torch threads, "
             f"torch {torch.__version__}, Python {sys.version.split()[0]}", "",
             "Median over the rounds (all rounds in brackets); ratio to `base`'s median.", "",
             "| task | " + " | ".join(levers) + " |", "| --- |" + " --- |" * len(levers)]
    for task in tasks:
        base = np.median(times[task, "base"])
        cells = [f"{np.median(times[task, lever]):.1f} "
                 f"({', '.join(f'{t:.1f}' for t in times[task, lever])}) "
                 f"x{np.median(times[task, lever]) / base:.2f}" for lever in levers]
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    out = RESULTS / ("step_levers.md" if levers == LEVERS
                     else f"step_levers_{'_'.join(lever.replace('+', '-') for lever in levers)}.md")
    out.write_text("\n".join(lines) + "\n")
    print(out.read_text())


def fidelity(lever, seeds, params, name=None):
    """gunpoint_fidelity.py's run with ``lever`` patched in (and augmenter ``params``, a
    JSON object); the results file's command line names this script."""
    if name is None:
        name = lever.replace('+', '_')
        if seeds != [0, 1, 2, 3, 4]:
            name += "_seeds" + "-".join(map(str, seeds))
    out = f"gunpoint_fidelity_lever_{name}.md"
    apply(lever)
    sys.argv = ["gunpoint_fidelity.py", "--seeds", *map(str, seeds), "--out", out,
                "--params", params]
    gunpoint_fidelity.main()
    path = RESULTS / out
    command = (f"Command: `python benchmarks/step_levers.py --fidelity {lever} --seeds "
               f"{' '.join(map(str, seeds))}"
               + (f" --params '{params}'" if params != "{}" else "")
               + (f" --name {name}" if name != lever.replace('+', '_') else "")
               + "` (gunpoint_fidelity.py's protocol, the lever patched in)")
    path.write_text("\n".join(command if line.startswith("Command:") else line
                              for line in path.read_text().splitlines()) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fidelity", type=lever_name, metavar="LEVER",
                        help="run the few-shot fidelity protocol with this lever instead")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--params", default="{}",
                        help="with --fidelity: augmenter parameters as a JSON object")
    parser.add_argument("--name", help="with --fidelity: the results file's suffix")
    parser.add_argument("--levers", type=lever_name, nargs="+", default=LEVERS,
                        help="levers to time ('base' always first); other than the default "
                             "list, writes results/step_levers_<levers>.md")
    args = parser.parse_args()
    if args.fidelity:
        fidelity(args.fidelity, args.seeds, args.params, args.name)
    else:
        timing(args.rounds, ["base"] + [lv for lv in args.levers if lv != "base"])


if __name__ == "__main__":
    main()
