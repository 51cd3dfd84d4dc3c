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

import torch

from plateau_stopping import gunpoint_few_shot
from rgan_augment import RecurrentGANAugmenter
from rgan_augment.gan import training
from unseen_datasets import load

warnings.filterwarnings("ignore")

STAGES = ["discriminator_step", "generator_step", "real_batch", "update_average",
          "evaluate", "keep_good"]
ESTIMATOR_STAGES = ["_detect_conventions", "_train", "_fit_filter", "_keep_references",
                    "_fit_smoothing"]
CHUNKS = ["auto", 10, 3]
SHORT_STEPS = 200


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
    X, y = gunpoint_few_shot(0, "1") if args.dataset == "GunPoint" else load("PLAID")
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
    lines += [f"| the rest (the loop's set-up and bookkeeping, the stages before and after "
              f"it) | {rest:.2f} | {rest / total:.1%} |",
              "", "The estimator's stages (`_train` holds the loop above):", "",
              "| stage | seconds | share of the fit |", "| --- | --- | --- |"]
    for name in ESTIMATOR_STAGES:
        seconds = estimator_timer.seconds[name]
        lines.append(f"| {name} | {seconds:.2f} | {seconds / total:.1%} |")
    rest = total - sum(estimator_timer.seconds.values())
    lines.append(f"| the rest (validation, scaling, configuration) | {rest:.2f} | "
                 f"{rest / total:.1%} |")
    if args.dataset == "GunPoint":
        lines += chunk_costs(X, y, timer)
    out = Path(__file__).parent / "results" / (
        "fit_breakdown.md" if args.dataset == "GunPoint" else "fit_breakdown_plaid.md")
    out.write_text("\n".join(lines) + "\n")
    print(out.read_text())


def chunk_costs(X, y, timer):
    """Table lines: ms per discriminator and generator step of short fits at each chunk
    length in ``CHUNKS``, two interleaved rounds."""
    lines = ["", f"Per-step cost by chunk length ({SHORT_STEPS}-step fits, two interleaved "
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
    return lines


if __name__ == "__main__":
    main()
