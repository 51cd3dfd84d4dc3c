"""Batch job: fit and save in one process, load in another and sample a million series.

    python examples/batch_job.py fit  MODEL       # fit on BasicMotions, save MODEL
    python examples/batch_job.py sample MODEL OUT.npy --n 1000000 --label walking
    python examples/batch_job.py                  # both steps in two processes, 100,000 series,
                                                  # for each model format (about 2 minutes)
    python examples/batch_job.py --fast           # the same, small

`fit` writes the model with joblib (MODEL ending .joblib: trusted files) or in the
safe format (MODEL ending .npz: no pickle, for files that cross a trust boundary).
`sample` streams batches into a .npy file, so memory stays flat however many series
are drawn, and shows a progress bar.
"""

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np


def fit(model_path, fast):
    from sktime.datasets import load_basic_motions

    from rgan_augment import RecurrentGANAugmenter

    X, y = load_basic_motions(split="train", return_type="numpy3D")
    params = dict(n_steps=30, hidden_size=16) if fast else {}
    aug = RecurrentGANAugmenter(random_state=0, **params).fit(X, y)
    if str(model_path).endswith(".npz"):
        aug.save(model_path)
    else:
        joblib.dump(aug, model_path)
    print(f"fitted on BasicMotions {X.shape} in {aug.fit_seconds_:.1f} s; saved {model_path}")


def sample(model_path, out_path, n, label, batch_size):
    from rgan_augment import RecurrentGANAugmenter
    from rgan_augment.cli import NpyStream

    if str(model_path).endswith(".npz"):
        aug = RecurrentGANAugmenter.load(model_path)
    else:
        aug = joblib.load(model_path)
    shape = (n, aug.n_channels_, aug.n_timepoints_)
    t0, done = time.perf_counter(), 0
    # the .npy header, then each batch appended: only one batch is ever in memory
    # (a memory map would keep the written pages resident and grow the RSS)
    with NpyStream(out_path, n) as sink:
        for batch in aug.sample_batches(n, label, batch_size=batch_size):
            sink.write(np.asarray(batch, dtype=np.float32))
            done += len(batch)
            frac = done / n
            sys.stderr.write(f"\rsample [{'#' * int(30 * frac):<30}] {done:,}/{n:,}")
            sys.stderr.flush()
    sys.stderr.write("\n")
    seconds = time.perf_counter() - t0
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"sampled {n:,} series of class {label!r} {shape[1:]} in {seconds:.1f} s "
          f"({n / seconds:,.0f}/s) into {out_path}; peak RSS {peak_mib:.0f} MiB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", choices=["fit", "sample"])
    parser.add_argument("model", nargs="?")
    parser.add_argument("out", nargs="?")
    parser.add_argument("--n", type=int, default=None,
                        help="series to sample (default: 1,000,000 for `sample`, 100,000 for the "
                             "two-process demonstration)")
    parser.add_argument("--label", default="walking")
    parser.add_argument("--batch-size", type=int, default=8192)
    parser.add_argument("--fast", action="store_true", help="small fit and 20,000 samples, two processes")
    args = parser.parse_args()
    if args.command == "fit":
        fit(args.model, args.fast)
    elif args.command == "sample":
        sample(args.model, args.out, args.n or 1_000_000, args.label, args.batch_size)
    else:  # demonstrate the whole job: each step in its own process, like a scheduler would
        n = 20_000 if args.fast else (args.n or 100_000)
        with tempfile.TemporaryDirectory() as tmp:
            for suffix in (".joblib", ".npz"):
                model = Path(tmp) / f"model{suffix}"
                fit_cmd = [sys.executable, __file__, "fit", str(model)] + (["--fast"] if args.fast else [])
                subprocess.run(fit_cmd, check=True)
                subprocess.run([sys.executable, __file__, "sample", str(model), str(Path(tmp) / "out.npy"),
                                "--n", str(n), "--label", args.label], check=True)
                data = np.load(Path(tmp) / "out.npy", mmap_mode="r")
                assert data.shape[0] == n and np.isfinite(data[:1000]).all()


if __name__ == "__main__":
    main()
