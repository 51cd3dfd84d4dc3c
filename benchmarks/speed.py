"""Speed on this machine: fit throughput, sampling rate, memory, time to quality, scaling.

    python benchmarks/speed.py [--quick]

On the quick Sines set (1,000 x 24 steps x 5 channels, TimeGAN's recipe) and GunPoint:
seconds per training step, fit throughput (sequence-steps per second), time to sample
1,000 and 100,000 series, peak RSS; time to quality: the discriminative score (TimeGAN
protocol) after fits of growing budgets on quick Sines; scaling of step time with
n_instances, length and channels. Run it alone: the machine has 2 cores.

Writes benchmarks/results/speed.md.
"""

import argparse
import copy
import resource
import time
from pathlib import Path

import numpy as np
import torch

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.datasets import make_sines
from rgan_augment.gan.training import autocast, autocast_dtype
from rgan_augment.metrics import discriminative_score


def cpu_has_bf16_matrix_units():
    """Whether /proc/cpuinfo lists Intel AMX bf16 (``amx_bf16``); None where unreadable."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return "amx_bf16" in line.split()
    except OSError:
        pass
    return None


def fit_timed(X, y=None, random_state=0, **params):
    aug = RecurrentGANAugmenter(random_state=random_state, **params)
    t0 = time.perf_counter()
    aug.fit(X, y)
    return aug, time.perf_counter() - t0


def mean_discriminative_score(real, synthetic, runs=3, first_seed=0):
    """The discriminative score averaged over ``runs`` scorer seeds: one run alone swings
    by about +-0.04 on the same samples (TimeGAN's code averages 10)."""
    return float(np.mean([discriminative_score(real, synthetic, random_state=first_seed + r)
                          for r in range(runs)]))


def rnn_flops_per_series_step(rnn):
    """Forward FLOPs of a torch LSTM/GRU for one series and one time step:
    2 * gates * H * (input + H) per layer and direction (gates: 4 LSTM, 3 GRU)."""
    gates = 4 if isinstance(rnn, torch.nn.LSTM) else 3
    dirs = 2 if rnn.bidirectional else 1
    h = rnn.hidden_size
    return sum(dirs * 2 * gates * h * ((rnn.input_size if layer == 0 else h * dirs) + h)
               for layer in range(rnn.num_layers))


def count_fit_flops(X, y=None, **params):
    """Floating-point operations of a whole fit, counted on a repeat of the same seeded run.

    torch's FlopCounterMode counts matrix products (forward and backward) but not the
    fused RNN kernels, so every LSTM/GRU call is added analytically: 2 * 4H(I+H)
    (LSTM; 3H(I+H) GRU) per layer, direction, series and step, times 3 when gradients
    flow (forward + backward). Element-wise work is not counted (a lower bound)."""
    from torch.utils.flop_counter import FlopCounterMode

    rnn_flops = [0]

    def hook(module, args, output):
        if not isinstance(module, (torch.nn.LSTM, torch.nn.GRU)):
            return
        b, t = args[0].shape[0], args[0].shape[1]
        rnn_flops[0] += rnn_flops_per_series_step(module) * b * t * (3 if torch.is_grad_enabled() else 1)

    handle = torch.nn.modules.module.register_module_forward_hook(hook)
    try:
        with FlopCounterMode(display=False) as counter:
            RecurrentGANAugmenter(random_state=0, **params).fit(X, y)
    finally:
        handle.remove()
    return counter.get_total_flops() + rnn_flops[0]


def current_rss_mib():
    """Resident memory now (not the peak), from /proc; None where there is no /proc."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return None


def rss_while_sampling(aug, label, n_total=60_000, batch=5_000):
    """Current RSS (MiB) after each ``sample_batches`` batch: flat means memory does not
    grow with the number sampled."""
    out = []
    for _ in aug.sample_batches(n_total, label, batch_size=batch, random_state=0):
        out.append(current_rss_mib())
    return out


def memory_section():
    """GunPoint, an under-trained 300-step model (its draws are often rejected by the
    filter, so redraw batches of every size occur), 60,000 series in batches of 5,000,
    with and without the sample filter."""
    from sktime.datasets import load_gunpoint

    X_gp, y_gp = load_gunpoint(split="train", return_type="numpy3D")
    aug, _ = fit_timed(X_gp, y_gp, n_steps=300)
    lines = ["", "## Memory in the number sampled (GunPoint, 300-step model)", "",
             "Current RSS (MiB, /proc/self/statm) after batches 1, 2, 4, 8 and 12 of "
             "`sample_batches(60_000, '2', batch_size=5_000)`.", "",
             "| sampling | batch 1 | 2 | 4 | 8 | 12 | growth 1 -> 12 | seconds |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    filt = aug.class_filter_
    for name, f in (("filtered (default)", filt), ("unfiltered", None)):
        aug.class_filter_ = f
        t0 = time.perf_counter()
        rss = rss_while_sampling(aug, "2")
        seconds = time.perf_counter() - t0
        picks = [rss[i - 1] for i in (1, 2, 4, 8, 12)]
        lines.append(f"| {name} | " + " | ".join(f"{r:.0f}" for r in picks)
                     + f" | {picks[-1] - picks[0]:+.0f} | {seconds:.1f} |")
        print(lines[-1], flush=True)
    aug.class_filter_ = filt
    return lines


def matmul_rate(n=2048, repeats=10, dtype=torch.float32):
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    torch.mm(a, b)
    t0 = time.perf_counter()
    for _ in range(repeats):
        torch.mm(a, b)
    return 2 * n**3 * repeats / (time.perf_counter() - t0)


def rnn_kernel_rate(aug, n_instances, repeats=20):
    """FLOP/s of torch's fused RNN kernels alone, forward + backward, at the shapes of one
    training step of the fitted ``aug`` (generator: a batch; discriminator: real + fake
    together): the ceiling of the whole training step, which the recurrences dominate."""
    cfg = aug.config_
    batch = min(cfg.batch_size, max(n_instances, 2))
    cpu = torch.device("cpu")
    amp = autocast_dtype(cpu, aug.precision_)
    flops, seconds = 0, 0.0

    def step(rnn, x):
        with autocast(cpu, amp):
            out = rnn(x)[0]
        out.float().sum().backward()

    for rnn, b in ((copy.deepcopy(aug.generator_.rnn).train(), batch),
                   (cfg.build_discriminator().rnn, 2 * batch)):
        x = torch.randn(b, cfg.n_chunks, rnn.input_size, requires_grad=True)
        step(rnn, x)  # warm-up
        t0 = time.perf_counter()
        for _ in range(repeats):
            step(rnn, x)
        seconds += time.perf_counter() - t0
        # 3x the forward count: the backward pass costs about twice the forward
        flops += 3 * rnn_flops_per_series_step(rnn) * b * cfg.n_chunks * repeats
    return flops / seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer budgets and sizes")
    parser.add_argument("--only-memory", action="store_true",
                        help="only the memory-in-the-number-sampled table (printed, not written)")
    args = parser.parse_args()
    if args.only_memory:
        memory_section()
        return
    lines = ["# Speed (2 CPU cores, torch threads: %d)" % torch.get_num_threads(), "",
             "Command: `python benchmarks/speed.py" + (" --quick" if args.quick else "") + "`", ""]
    X_sines = make_sines(1000, random_state=0)
    from sktime.datasets import load_gunpoint

    X_gp, y_gp = load_gunpoint(split="train", return_type="numpy3D")
    amx = {True: "yes", False: "no", None: "unknown"}[cpu_has_bf16_matrix_units()]
    runs = [(name, X, y, precision)
            for name, X, y in (("Sines 1000x5x24", X_sines, None), ("GunPoint 50x1x150", X_gp, y_gp))
            for precision in ("float32", "bfloat16")]
    lines += ["Each data set with `precision='float32'` (what the default 'auto' picks on a "
              "CPU) and with `precision='bfloat16'` (bf16 autocast; this CPU has AMX bf16 "
              f"matrix units: {amx}), in the same run.", "",
              "| data | precision | steps | fit s | s/step | sequence-steps/s | sample 1k s | "
              "sample 100k s | peak RSS MiB |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, X, y, precision in runs:
        aug, seconds = fit_timed(X, y, n_steps=300, precision=precision)
        per_step = seconds / aug.n_steps_
        throughput = aug.n_steps_ * min(64, len(X)) * X.shape[2] / seconds
        t0 = time.perf_counter()
        aug.sample(1000, None if y is None else y[0])
        s1k = time.perf_counter() - t0
        t0 = time.perf_counter()
        aug.sample(100_000, None if y is None else y[0])
        s100k = time.perf_counter() - t0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        lines.append(f"| {name} | {precision} ({aug.precision_}) | {aug.n_steps_} | {seconds:.1f} | "
                     f"{per_step:.3f} | {throughput:,.0f} | {s1k:.2f} | {s100k:.1f} | {rss:.0f} |")
        print(lines[-1], flush=True)
    lines += memory_section()
    mm = {"float32": matmul_rate(), "bfloat16": matmul_rate(dtype=torch.bfloat16)}
    lines += ["", "## Arithmetic rate of training against the machine's matrix multiply", "",
              "A large `torch.mm` (2,048 x 2,048) on the same threads: float32 "
              f"{mm['float32'] / 1e9:.0f} GFLOP/s, bf16 {mm['bfloat16'] / 1e9:.0f} GFLOP/s. "
              "A fit's share is against the mm of the format it trained in (and, for bf16, "
              "against float32's too). The last two columns: torch's fused RNN kernels alone "
              "(forward + backward, in the fit's format) at the shapes of one training step, "
              "the ceiling of the whole step.", "",
              "| data | precision | fit s (300 steps) | GFLOP counted | GFLOP/s | share of mm "
              "(of float32 mm) | RNN kernels GFLOP/s | kernels' share |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, X, y, precision in runs:
        aug, seconds = fit_timed(X, y, n_steps=300, precision=precision)
        flops = count_fit_flops(X, y, n_steps=300, precision=precision)
        kernels = rnn_kernel_rate(aug, len(X))
        rate, own = flops / seconds, mm[aug.precision_]
        lines.append(f"| {name} | {precision} ({aug.precision_}) | {seconds:.1f} | "
                     f"{flops / 1e9:.1f} | {rate / 1e9:.1f} | {rate / own:.0%} "
                     f"({rate / mm['float32']:.0%}) | {kernels / 1e9:.0f} | {kernels / own:.0%} |")
        print(lines[-1], flush=True)
    lines += ["", "## Time to quality on quick Sines (discriminative score, lower is better)", "",
              "One fit per time budget (`max_time`, what a user with that much time runs) and "
              "one with the defaults; score: mean of 3 runs of the TimeGAN-protocol scorer "
              "against the training set (one run swings by +-0.04). "
              "`benchmarks/peers/compare.py` runs the same against DGAN and TimeGAN.", "",
              "| max_time s | fit s | steps | discriminative score |", "| --- | --- | --- | --- |"]
    for budget in ([15, None] if args.quick else [15, 30, None]):
        aug, seconds = fit_timed(X_sines, max_time=budget)
        synth = aug.sample(1000, random_state=1)
        score = mean_discriminative_score(X_sines, synth)
        lines.append(f"| {budget or 'none (defaults)'} | {seconds:.1f} | {aug.n_steps_} | {score:.3f} |")
        print(lines[-1], flush=True)
    lines += ["", "## Scaling: seconds per training step (100 steps, defaults)", "",
              "| n_instances | length | channels | hidden | precision | s/step |",
              "| --- | --- | --- | --- | --- | --- |"]
    base = dict(n=256, length=64, channels=2)
    grid = [base, dict(base, n=1024), dict(base, length=256), dict(base, length=1024),
            dict(base, channels=8), dict(base, channels=32)]
    for g in grid:
        X = np.random.default_rng(0).normal(size=(g["n"], g["channels"], g["length"])).cumsum(axis=2)
        aug, seconds = fit_timed(X, n_steps=100)
        lines.append(f"| {g['n']} | {g['length']} | {g['channels']} | {aug.config_.hidden_size} | "
                     f"{aug.precision_} | {seconds / 100:.3f} |")
        print(lines[-1], flush=True)
    out = Path(__file__).resolve().parent / "results" / "speed.md"
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
