"""Fit ydata-synthetic's TimeGAN on a saved array for several training lengths, timing each.

Runs inside the TimeGAN virtual environment made by ``benchmarks/peers/setup_timegan.sh``
(TensorFlow; never the project's environment): it imports nothing from rgan_augment.
TimeGAN trains in three phases of ``train_steps`` iterations each (embedder, supervisor,
joint), so its quality cannot be snapshotted part-way; instead one fit is run per entry of
``--steps`` and its training seconds are recorded. Input: an ``.npy`` of shape
``(n, n_channels, n_timepoints)`` with values in [0, 1] (TimeGAN's sigmoid output range;
quick Sines is). Output in ``--out``: ``timegan_<steps>.npy`` (n synthetic series, same
layout) and ``timegan.json``. Model parameters: ydata-synthetic's own TimeGAN example
(hidden 24, noise 32, batch 128, learning rate 5e-4, gamma 1).

    venv-timegan/bin/python benchmarks/peers/timegan_run.py DATA.npy --out DIR --steps 100 300
"""

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from ydata_synthetic.synthesizers import ModelParameters  # noqa: E402
from ydata_synthetic.synthesizers.timeseries.timegan.model import TimeGAN  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--out", required=True)
    parser.add_argument("--steps", type=int, nargs="+", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    X = np.load(args.data).transpose(0, 2, 1).astype(np.float32)  # (n, steps, channels)
    if X.min() < 0 or X.max() > 1:
        raise SystemExit("TimeGAN's generator ends in a sigmoid: scale the data to [0, 1] first")
    n, length, channels = X.shape
    snapshots = []
    for steps in sorted(args.steps):
        tf.keras.utils.set_random_seed(args.seed)
        model = TimeGAN(ModelParameters(batch_size=128, lr=5e-4, noise_dim=32, layers_dim=128,
                                        latent_dim=24, gamma=1))
        model.seq_len, model.n_seq = length, channels
        t0 = time.perf_counter()
        model.train(data=X, train_steps=steps)
        train_s = time.perf_counter() - t0
        z = next(model.get_batch_noise(size=n))
        synth = np.asarray(model.generator(z)).transpose(0, 2, 1)
        name = f"timegan_{steps}.npy"
        np.save(out / name, synth)
        snapshots.append(dict(file=name, train_s=train_s, train_steps=steps))
        print(f"TimeGAN {steps} steps per phase: {train_s:.1f} s", flush=True)
    meta = dict(tensorflow=tf.__version__, threads=tf.config.threading.get_intra_op_parallelism_threads(),
                seed=args.seed, snapshots=snapshots)
    (out / "timegan.json").write_text(json.dumps(meta, indent=1))


if __name__ == "__main__":
    main()
