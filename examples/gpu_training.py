"""Train on a GPU when there is one, then sample on the CPU (as a batch job elsewhere would).

    python examples/gpu_training.py [--fast]

device='auto' picks CUDA when available (bf16 autocast where the card supports it,
cuDNN recurrent kernels) and the CPU otherwise, so this script runs anywhere. The
fitted model is saved in the safe format and loaded back with the CPU as its device.
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from sktime.datasets import load_basic_motions

from rgan_augment import RecurrentGANAugmenter


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fast", action="store_true")
    args = parser.parse_args()
    X, y = load_basic_motions(split="train", return_type="numpy3D")
    if not torch.cuda.is_available():
        print("no CUDA device here: training on the CPU (the same code uses a GPU when present)")
    aug = RecurrentGANAugmenter(device="auto", n_steps=30 if args.fast else "auto", random_state=0)
    t0 = time.perf_counter()
    aug.fit(X, y)
    print(f"fitted on {aug.device_} in {time.perf_counter() - t0:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "basic_motions.npz"
        aug.save(path)
        on_cpu = RecurrentGANAugmenter.load(path)  # loads onto the CPU if CUDA is absent
        same = np.allclose(on_cpu.sample(5, "walking", random_state=1),
                           aug.sample(5, "walking", random_state=1), atol=1e-3)
        print(f"saved and reloaded; samples match the original: {same}")


if __name__ == "__main__":
    main()
