"""Sampling across a dask cluster: series per second with 1 and 2 worker processes.

    python benchmarks/cluster_sampling.py [--n 40000] [--block-size 5000] [--steps 300]

Fits the default augmenter (``n_steps`` shortened: sampling speed does not depend on
how long it trained) on BasicMotions (6 channels x 100 steps, four classes), then draws
``--n`` series of one class with :func:`rgan_augment.distributed.sample_to_npy` into one
``.npy`` file: in this process (dask's default threaded scheduler, one partition per
block), and on a
``distributed.LocalCluster`` on 127.0.0.1 with 1 and then 2 worker processes of one
thread each. Reports series/s (the cluster's start-up not counted, the first draw on
each cluster counted: a worker loads the model with its first task), each worker's peak
RSS, and whether every run wrote the same series. Writes
benchmarks/results/cluster_sampling.md.
"""

import argparse
import hashlib
import os
import tempfile
import time
import warnings
from pathlib import Path


from rgan_augment import RecurrentGANAugmenter
from rgan_augment.distributed import sample_to_npy

warnings.filterwarnings("ignore")


def worker_peak_rss():
    """This process's peak resident memory in MiB (VmHWM: unlike ru_maxrss, not carried
    over from the process that started it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(augmenter, path, args, n_partitions):
    t0 = time.perf_counter()
    sample_to_npy(augmenter, path, args.n, "walking", block_size=args.block_size,
                  random_state=1, n_partitions=n_partitions)
    seconds = time.perf_counter() - t0
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    return seconds, digest


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=40_000)
    parser.add_argument("--block-size", type=int, default=5_000)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    import distributed
    import torch
    from sktime.datasets import load_basic_motions

    X, y = load_basic_motions(return_X_y=True, return_type="numpy3D")
    aug = RecurrentGANAugmenter(n_steps=args.steps, random_state=0).fit(X, y)
    folder = tempfile.mkdtemp(prefix="cluster_sampling.")
    rows = []
    path = os.path.join(folder, "local.npy")
    seconds, digest = timed(aug, path, args, None)
    rows.append(("this process (dask's default threaded scheduler)", torch.get_num_threads(), seconds,
                 digest, worker_peak_rss()))
    for n_workers in (1, 2):
        with distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                      host="127.0.0.1", dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            path = os.path.join(folder, f"workers{n_workers}.npy")
            seconds, digest = timed(aug, path, args, 2 * n_workers)
            peaks = client.run(worker_peak_rss)
            rows.append((f"LocalCluster, {n_workers} worker process(es) x 1 thread", 1, seconds,
                         digest, max(peaks.values())))
    lines = ["# Sampling across a dask cluster", "",
             f"`python benchmarks/cluster_sampling.py --n {args.n} --block-size {args.block_size} "
             f"--steps {args.steps}` on {os.cpu_count()} cores; the default augmenter (sample "
             "filter on) fitted on BasicMotions; one class drawn into one .npy file by "
             "`rgan_augment.distributed.sample_to_npy`, two partitions per worker.", "",
             "| where | torch threads per process | seconds | series/s | file sha256 | peak RSS per worker (MiB) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for where, threads, seconds, digest, rss in rows:
        lines.append(f"| {where} | {threads} | {seconds:.1f} | {args.n / seconds:,.0f} | "
                     f"{digest} | {rss:.0f} |")
    same = len({r[3] for r in rows[1:]}) == 1
    local = rows[0][3] == rows[1][3]
    lines += ["", f"The cluster runs wrote {'the same' if same else 'DIFFERENT'} series (file "
              f"digests); the run in this process, with torch's default thread count, "
              f"{'the same too' if local else 'differs in float32 rounding'}. Peak RSS of this "
              "process includes the data set and the fit."]
    out = Path(__file__).parent / "results" / "cluster_sampling.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
