"""Two CPU settings the speed issue asks about, measured: torch's thread count and
``torch.compile``.

    python benchmarks/threads_and_compile.py [--steps 150] [--sample 20000]

For quick Sines (1,000 x 5 x 24) and GunPoint (50 x 1 x 150), in one run:

* threads: seconds per training step (``n_steps`` steps, sample filter and roughness
  matching off, so ``fit_seconds_`` is the training loop alone) and unfiltered sampling
  rate with ``torch.set_num_threads`` at 1 and at the machine's default (the number of
  cores torch sees), interleaved twice so that a busy moment of the shared machine
  shows as disagreement between the repetitions;
* ``torch.compile`` (inductor, default mode): the generator's and the discriminator's
  ``forward`` compiled for training, and the fitted generator's ``forward`` for
  sampling; reported as the compile time (first call) and the steady rate after it,
  against the eager rate in the same run.

Writes benchmarks/results/threads_and_compile.md.
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.datasets import make_sines
from rgan_augment.gan import networks

warnings.filterwarnings("ignore")


def load_data():
    from sktime.datasets import load_UCR_UEA_dataset

    X, y = load_UCR_UEA_dataset("GunPoint", split="train", return_X_y=True,
                                return_type="numpy3D")
    return {"Sines 1000x5x24": (make_sines(1000, random_state=0), None),
            "GunPoint 50x1x150": (X, np.asarray(y))}


def step_seconds(X, y, steps):
    aug = RecurrentGANAugmenter(n_steps=steps, filter_samples=False, match_roughness=False,
                                random_state=0).fit(X, y)
    return aug.fit_seconds_ / steps, aug


def sample_rate(aug, y, n):
    label = None if y is None else y[0]
    aug.sample(min(n, 2048), label, random_state=0)  # warm: plans for the batch shapes
    t0 = time.perf_counter()
    aug.sample(n, label, random_state=1)
    return n / (time.perf_counter() - t0)


def with_threads(n, fn):
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        return fn()
    finally:
        torch.set_num_threads(before)


def compiled_training(X, y, steps):
    """Steady step time with both networks' forward compiled, and the compile overhead:
    history_'s timestamps from the second evaluation on give the steady rate (compiling
    is over by then), the excess before it the overhead."""
    eager_g, eager_f = networks.Generator.forward, networks.Discriminator.features
    networks.Generator.forward = torch.compile(eager_g)
    networks.Discriminator.features = torch.compile(eager_f)
    try:
        aug = RecurrentGANAugmenter(n_steps=steps, filter_samples=False, match_roughness=False,
                                    random_state=0).fit(X, y)
    finally:
        networks.Generator.forward, networks.Discriminator.features = eager_g, eager_f
    steps_at, seconds_at = aug.history_["step"], aug.history_["seconds"]
    # steady rate: from the second evaluation on (compilation is over by then)
    steady = (seconds_at[-1] - seconds_at[1]) / (steps_at[-1] - steps_at[1])
    return steady, seconds_at[1] - steady * steps_at[1]


def compiled_sampling(aug, y, n):
    label = None if y is None else y[0]
    gen = aug.generator_
    gen.forward = torch.compile(gen.forward)
    try:
        t0 = time.perf_counter()
        aug.sample(min(n, 2048), label, random_state=0)
        first = time.perf_counter() - t0
        rate = sample_rate(aug, y, n)
    finally:
        del gen.forward
    return rate, first


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--sample", type=int, default=20000)
    args = parser.parse_args()
    default_threads = torch.get_num_threads()
    data = load_data()
    lines = ["# Threads and torch.compile on the CPU", "",
             f"Command: `python benchmarks/threads_and_compile.py --steps {args.steps} "
             f"--sample {args.sample}`; torch {torch.__version__}, default threads "
             f"{default_threads}, float32.", ""]
    lines += ["## Threads (two interleaved repetitions)", "",
              "| data | threads | s/step (rep 1, rep 2) | unfiltered series/s (rep 1, rep 2) |",
              "| --- | --- | --- | --- |"]
    for name, (X, y) in data.items():
        results = {1: [], default_threads: []}
        for _ in range(2):
            for n in results:
                sec, aug = with_threads(n, lambda: step_seconds(X, y, args.steps))
                rate = with_threads(n, lambda: sample_rate(aug, y, args.sample))
                results[n].append((sec, rate))
                print(name, n, f"{sec:.4f} s/step", f"{rate:,.0f}/s", flush=True)
        for n, reps in results.items():
            lines.append(f"| {name} | {n} | {reps[0][0]:.4f}, {reps[1][0]:.4f} | "
                         f"{reps[0][1]:,.0f}, {reps[1][1]:,.0f} |")
    lines += ["", "## torch.compile (inductor), default threads", "",
              "| data | eager s/step | compiled s/step (steady) | compile overhead s | "
              "eager series/s | compiled series/s | first compiled sample call s |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, (X, y) in data.items():
        eager_sec, aug = step_seconds(X, y, args.steps)
        eager_rate = sample_rate(aug, y, args.sample)
        try:
            steady, overhead = compiled_training(X, y, args.steps)
            comp_rate, first = compiled_sampling(aug, y, args.sample)
        except Exception as exc:  # the measurement says so rather than crash
            lines.append(f"| {name} | {eager_sec:.4f} | failed: {type(exc).__name__}: "
                         f"{str(exc)[:120]} | | {eager_rate:,.0f} | | |")
            continue
        print(name, "compile", f"{steady:.4f} s/step", f"overhead {overhead:.1f}s",
              f"{comp_rate:,.0f}/s", flush=True)
        lines.append(f"| {name} | {eager_sec:.4f} | {steady:.4f} | {overhead:.1f} | "
                     f"{eager_rate:,.0f} | {comp_rate:,.0f} | {first:.1f} |")
    out = Path(__file__).parent / "results" / "threads_and_compile.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
