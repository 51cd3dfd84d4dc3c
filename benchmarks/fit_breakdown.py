"""Where a default fit's time goes, and what the recurrence length costs per step.

    python benchmarks/fit_breakdown.py

GunPoint with class 1 cut to 3 series (seed 0), the speed issue's few-shot task.
1. One default fit, with the training loop's stages timed from outside (the trainer's
   methods wrapped, nothing else changed): discriminator steps, generator steps, batch
   drawing, weight averaging, evaluations, checkpointing; the rest of the fit is the
   work before and after training (detections, configuration, calibration, filter).
2. Short fits (200 steps) at three chunk lengths, interleaved over two rounds: the
   milliseconds of one discriminator and one generator step. 'auto' keeps the
   recurrence at most ~32 steps (5 data steps per recurrent step on GunPoint).
Writes benchmarks/results/fit_breakdown.md.
"""

import platform
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sktime.datasets import load_gunpoint

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.gan import training

warnings.filterwarnings("ignore")

STAGES = ["discriminator_step", "generator_step", "real_batch", "update_average",
          "evaluate", "keep_good"]
CHUNKS = ["auto", 10, 3]
SHORT_STEPS = 200


def few_shot_gunpoint(seed=0, n_few=3):
    """GunPoint's training split with class '1' cut to ``n_few`` series."""
    X, y = load_gunpoint(split="train", return_type="numpy3D")
    rng = np.random.default_rng(seed)
    few = rng.choice(np.flatnonzero(y == "1"), n_few, replace=False)
    keep = np.concatenate([np.flatnonzero(y != "1"), few])
    return X[keep], y[keep]


class StageTimer:
    """Wraps the trainer's stage methods and adds up their seconds."""

    def __init__(self):
        self.seconds = dict.fromkeys(STAGES, 0.0)
        for name in STAGES:
            setattr(training._Trainer, name, self._timed(name, getattr(training._Trainer, name)))

    def _timed(self, name, method):
        def timed(trainer, *args, **kwargs):
            start = time.perf_counter()
            result = method(trainer, *args, **kwargs)
            self.seconds[name] += time.perf_counter() - start
            return result
        return timed

    def reset(self):
        self.seconds = dict.fromkeys(STAGES, 0.0)


def main():
    X, y = few_shot_gunpoint()
    timer = StageTimer()
    start = time.perf_counter()
    RecurrentGANAugmenter(random_state=0).fit(X, y)
    total = time.perf_counter() - start
    lines = ["# Where a default fit's time goes", "",
             "Command: `python benchmarks/fit_breakdown.py`",
             f"Machine: {platform.machine()} ({platform.processor() or 'cpu'}), "
             f"{torch.get_num_threads()} torch threads, torch {torch.__version__}", "",
             f"GunPoint, class 1 cut to 3 series (seed 0), all defaults: fit {total:.1f} s.", "",
             "| stage | seconds | share of the fit |", "| --- | --- | --- |"]
    for name in STAGES:
        lines.append(f"| {name} | {timer.seconds[name]:.2f} | {timer.seconds[name] / total:.1%} |")
    rest = total - sum(timer.seconds.values())
    lines += [f"| everything else (before and after training) | {rest:.2f} | {rest / total:.1%} |",
              "", f"Per-step cost by chunk length ({SHORT_STEPS}-step fits, two interleaved "
              "rounds, ms per step):", "",
              "| round | chunk_length | fit s | discriminator step | generator step |",
              "| --- | --- | --- | --- | --- |"]
    for round_ in range(2):
        for chunk in CHUNKS:
            timer.reset()
            start = time.perf_counter()
            RecurrentGANAugmenter(n_steps=SHORT_STEPS, chunk_length=chunk,
                                  random_state=0).fit(X, y)
            seconds = time.perf_counter() - start
            d_ms = 1000 * timer.seconds["discriminator_step"] / SHORT_STEPS
            g_ms = 1000 * timer.seconds["generator_step"] / SHORT_STEPS
            lines.append(f"| {round_} | {chunk} | {seconds:.1f} | {d_ms:.1f} | {g_ms:.1f} |")
            print(lines[-1], flush=True)
    out = Path(__file__).parent / "results" / "fit_breakdown.md"
    out.write_text("\n".join(lines) + "\n")
    print(out.read_text())


if __name__ == "__main__":
    main()
