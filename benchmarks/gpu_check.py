"""Check the CUDA path on a machine with a GPU, in under 5 minutes.

    python benchmarks/gpu_check.py [--out benchmarks/results/gpu_check.md]

1. fits on CUDA (bf16 autocast where supported, cuDNN RNNs) on the quick Sines set and
   checks that the discriminator/generator losses move and the validation score falls;
2. checks that samples are finite and per-channel statistics match the data;
3. saves the GPU-fitted model (joblib and the safe format) and loads and samples it in
   a child process that cannot see the GPU (CUDA_VISIBLE_DEVICES=""), comparing with
   the GPU-side samples;
4. reports fit throughput (sequence-steps per second) and sampling rate on GPU and CPU.

Exits non-zero on any failed check. Never run by the tests or CI.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
import torch

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.datasets import make_sines


def timed_fit(device, X, n_steps):
    aug = RecurrentGANAugmenter(n_steps=n_steps, device=device, random_state=0)
    t0 = time.perf_counter()
    aug.fit(X)
    seconds = time.perf_counter() - t0
    steps_per_s = aug.n_steps_ * min(aug.batch_size, len(X)) * X.shape[2] / seconds
    t0 = time.perf_counter()
    aug.sample(100_000)
    rate = 100_000 / (time.perf_counter() - t0)
    return aug, seconds, steps_per_s, rate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "gpu_check.md"))
    parser.add_argument("--n-steps", type=int, default=1000)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("no CUDA device here: this check needs a GPU")
    lines = [f"# GPU check: {torch.cuda.get_device_name(0)}, torch {torch.__version__}", ""]
    failures = []
    X = make_sines(1000, random_state=0)
    aug, gpu_s, gpu_tp, gpu_rate = timed_fit("cuda", X, args.n_steps)
    h = aug.history_
    lines.append(f"- fit on CUDA: {gpu_s:.1f} s for {aug.n_steps_} steps, "
                 f"{gpu_tp:,.0f} sequence-steps/s, sampling {gpu_rate:,.0f} series/s")
    if not h["mmd"][-1] < h["mmd"][0]:
        failures.append(f"validation score did not fall: {h['mmd'][0]:.4f} -> {h['mmd'][-1]:.4f}")
    lines.append(f"- validation score {h['mmd'][0]:.4f} -> best {aug.best_score_:.4f} (step {aug.best_step_})")
    S = aug.sample(2000, random_state=1)
    if not np.isfinite(S).all():
        failures.append("non-finite samples")
    gap = np.abs(S.mean(axis=(0, 2)) - X.mean(axis=(0, 2))).max()
    lines.append(f"- samples finite: {np.isfinite(S).all()}, max per-channel mean gap {gap:.4f}")
    with tempfile.TemporaryDirectory() as tmp:
        joblib.dump(aug, Path(tmp) / "m.joblib")
        aug.save(Path(tmp) / "m.npz")
        np.save(Path(tmp) / "expected.npy", aug.sample(50, random_state=7))
        code = (
            "import joblib, numpy as np, torch\n"
            "from rgan_augment import RecurrentGANAugmenter\n"
            "assert not torch.cuda.is_available()\n"
            f"e = np.load({str(Path(tmp) / 'expected.npy')!r})\n"
            f"for m in (joblib.load({str(Path(tmp) / 'm.joblib')!r}), "
            f"RecurrentGANAugmenter.load({str(Path(tmp) / 'm.npz')!r})):\n"
            "    s = m.sample(50, random_state=7)\n"
            "    print(float(np.abs(s - e).max()))\n")
        env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        if run.returncode != 0:
            failures.append("CPU-only load failed: " + run.stderr[-500:])
        else:
            gaps = [float(v) for v in run.stdout.split()]
            lines.append(f"- GPU-fitted model sampled on a CPU-only process: max |difference| to the "
                         f"GPU samples {max(gaps):.2e} (joblib, safe format)")
            if max(gaps) > 1e-2:
                failures.append(f"CPU samples differ from GPU samples by {max(gaps)}")
    _, cpu_s, cpu_tp, cpu_rate = timed_fit("cpu", X, max(50, args.n_steps // 10))
    lines.append(f"- CPU ({torch.get_num_threads()} threads): {cpu_tp:,.0f} sequence-steps/s, "
                 f"sampling {cpu_rate:,.0f} series/s; GPU/CPU ratio: fit {gpu_tp / cpu_tp:.1f}x, "
                 f"sampling {gpu_rate / cpu_rate:.1f}x")
    lines += ["", "Failures: " + ("none" if not failures else "; ".join(failures))]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
