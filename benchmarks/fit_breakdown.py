"""Where a default fit's time goes, and what the recurrence length costs per step.

    python benchmarks/fit_breakdown.py [--dataset PLAID]

Default: GunPoint with class 1 cut to 3 series (seed 0), the speed issue's few-shot task;
``--dataset PLAID``: PLAID's training split (537 series of 100-1,344 steps, 11 classes).
1. One default fit, with the training loop's stages and the estimator's stages timed from
   outside (their methods wrapped, nothing else changed): discriminator steps, generator
   steps, batch drawing, weight averaging, evaluations, checkpointing; the detections
   before training, the class filter, the stored examples and the roughness calibration
   after it.
2. (GunPoint only) Short fits (200 steps) at three chunk lengths, interleaved over two
   rounds: the milliseconds of one discriminator and one generator step. 'auto' keeps the
   recurrence at most ~32 steps (5 data steps per recurrent step on GunPoint).
Writes benchmarks/results/fit_breakdown.md (fit_breakdown_plaid.md for PLAID).
"""

import argparse
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
ESTIMATOR_STAGES = ["_detect_conventions", "_train", "_fit_filter", "_keep_references",
                    "_fit_smoothing"]
CHUNKS = ["auto", 10, 3]
SHORT_STEPS = 200


def few_shot_gunpoint(seed=0, n_few=3):
    """GunPoint's training split with class '1' cut to ``n_few`` series."""
    X, y = load_gunpoint(split="train", return_type="numpy3D")
    rng = np.random.default_rng(seed)
    few = rng.choice(np.flatnonzero(y == "1"), n_few, replace=False)
    keep = np.concatenate([np.flatnonzero(y != "1"), few])
    return X[keep], y[keep]


def plaid():
    """PLAID's training split: unequal lengths, as a list of (1, length) arrays."""
    from sktime.datasets import load_plaid

    X, y = load_plaid(split="train", return_type="nested_univ")
    return [np.asarray(s, dtype=np.float64)[None, :] for s in X.iloc[:, 0]], np.asarray(y)


class StageTimer:
    """Wraps stage methods of ``owner`` and adds up their seconds."""

    def __init__(self, owner=training._Trainer, stages=STAGES):
        self.stages = stages
        self.seconds = dict.fromkeys(stages, 0.0)
        for name in stages:
            setattr(owner, name, self._timed(name, getattr(owner, name)))

    def _timed(self, name, method):
        def timed(trainer, *args, **kwargs):
            start = time.perf_counter()
            result = method(trainer, *args, **kwargs)
            self.seconds[name] += time.perf_counter() - start
            return result
        return timed

    def reset(self):
        self.seconds = dict.fromkeys(self.stages, 0.0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", choices=["GunPoint", "PLAID"], default="GunPoint")
    args = parser.parse_args()
    X, y = few_shot_gunpoint() if args.dataset == "GunPoint" else plaid()
    task = ("GunPoint, class 1 cut to 3 series (seed 0)" if args.dataset == "GunPoint"
            else "PLAID's training split (537 series, 100-1,344 steps, 11 classes)")
    timer = StageTimer()
    estimator_timer = StageTimer(RecurrentGANAugmenter, ESTIMATOR_STAGES)
    start = time.perf_counter()
    RecurrentGANAugmenter(random_state=0).fit(X, y)
    total = time.perf_counter() - start
    lines = ["# Where a default fit's time goes", "",
             "Command: `python benchmarks/fit_breakdown.py"
             + ("`" if args.dataset == "GunPoint" else " --dataset PLAID`"),
             f"Machine: {platform.machine()} ({platform.processor() or 'cpu'}), "
             f"{torch.get_num_threads()} torch threads, torch {torch.__version__}", "",
             f"{task}, all defaults: fit {total:.1f} s.", "",
             "Inside the training loop:", "",
             "| stage | seconds | share of the fit |", "| --- | --- | --- |"]
    for name in STAGES:
        lines.append(f"| {name} | {timer.seconds[name]:.2f} | {timer.seconds[name] / total:.1%} |")
    rest = total - sum(timer.seconds.values())
    lines += [f"| the rest (the loop's set-up and bookkeeping, the stages before and after it) | {rest:.2f} | {rest / total:.1%} |",
              "", "The estimator's stages (`_train` holds the loop above):", "",
              "| stage | seconds | share of the fit |", "| --- | --- | --- |"]
    for name in ESTIMATOR_STAGES:
        seconds = estimator_timer.seconds[name]
        lines.append(f"| {name} | {seconds:.2f} | {seconds / total:.1%} |")
    rest = total - sum(estimator_timer.seconds.values())
    lines.append(f"| the rest (validation, scaling, configuration) | {rest:.2f} | {rest / total:.1%} |")
    out = Path(__file__).parent / "results" / (
        "fit_breakdown.md" if args.dataset == "GunPoint" else "fit_breakdown_plaid.md")
    if args.dataset == "PLAID":
        out.write_text("\n".join(lines) + "\n")
        print(out.read_text())
        return
    lines += ["", f"Per-step cost by chunk length ({SHORT_STEPS}-step fits, two interleaved "
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
    out.write_text("\n".join(lines) + "\n")
    print(out.read_text())


if __name__ == "__main__":
    main()
