"""Check the CUDA path on a machine with a GPU, in under 5 minutes.

    python benchmarks/gpu_check.py [--out benchmarks/results/gpu_check.md]

Each section runs on its own, so one failure does not hide the others:

1. environment: card, torch, cuDNN, whether bf16 autocast is used;
2. unconditional quick Sines, default parameters, on CUDA: losses move, the validation
   score falls, samples are finite with the data's per-channel statistics, the TimeGAN
   discriminative score of the result (time to quality on a GPU);
3. labelled data, the defaults (example conditioning + sample filter), fit_resample on
   CUDA: counts, a real-data classifier's agreement with the requested labels;
4. the other code paths on CUDA: label conditioning without the filter, unequal-length
   list input;
5. persistence: GPU-fitted models saved (joblib and the safe format), loaded and sampled
   in a child process that cannot see the GPU, compared with the GPU-side samples;
6. throughput: GPU fit at several batch sizes, and the same machine's CPU, as ratios.

Writes the report as it goes; exits non-zero on any failed check. Never run by tests/CI.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import joblib
import numpy as np
import torch

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.datasets import make_sines
from rgan_augment.gan.training import autocast_dtype
from rgan_augment.metrics import discriminative_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _toy import shape_features, sine_vs_sawtooth  # noqa: E402
from speed import fit_timed  # noqa: E402  (benchmarks/, beside this script)


class Report:
    def __init__(self, path, device):
        self.path, self.device = Path(path), device
        self.lines, self.failures = [], []

    def add(self, line):
        self.lines.append(line)
        print(line, flush=True)
        self.write()

    def fail(self, what):
        self.failures.append(what)
        self.add(f"- **FAILED**: {what}")

    def section(self, title, fn):
        self.add("")
        self.add(f"## {title}")
        t0 = time.perf_counter()
        try:
            fn()
        except Exception:  # noqa: BLE001 -- a check script reports every failure
            self.fail(f"{title}: exception\n\n```\n{traceback.format_exc()[-2500:]}```")
        self.add(f"- ({time.perf_counter() - t0:.0f} s)")

    def write(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tail = ["", "Failures: " + ("none" if not self.failures else str(len(self.failures)))]
        self.path.write_text("\n".join(self.lines + tail) + "\n")


def rate(aug, n, y=None):
    t0 = time.perf_counter()
    aug.sample(n, y, random_state=3)
    return n / (time.perf_counter() - t0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "gpu_check.md"))
    parser.add_argument("--device", default="cuda", help="cuda (the check); cpu only to try the script")
    parser.add_argument("--small", action="store_true", help="tiny budgets, to try the script")
    args = parser.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        sys.exit("no CUDA device here: this check needs a GPU")
    dev = args.device
    steps = (lambda n: max(20, n // 20)) if args.small else (lambda n: n)
    rep = Report(args.out, dev)
    models = {}
    X_sines = make_sines(1000, random_state=0)
    X_test = make_sines(1000, random_state=1)

    def environment():
        name = torch.cuda.get_device_name(0) if dev.startswith("cuda") else "CPU"
        rep.lines.insert(0, f"# GPU check: {name}")
        rep.add(f"- torch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN "
                f"{torch.backends.cudnn.version()}, CPU threads {torch.get_num_threads()}")
        amp = autocast_dtype(torch.device(dev))
        rep.add(f"- autocast dtype on {dev}: {amp}; cudnn.enabled {torch.backends.cudnn.enabled}")
        rep.add(f"- command: `python benchmarks/gpu_check.py{' --small' if args.small else ''}`")

    def sines():
        aug, seconds = fit_timed(X_sines, device=dev, n_steps=steps(1000))
        models["sines"] = aug
        h = aug.history_
        tp = aug.n_steps_ * min(aug.batch_size, len(X_sines)) * X_sines.shape[2] / seconds
        rep.add(f"- fit: {seconds:.1f} s for {aug.n_steps_} steps ({seconds / aug.n_steps_ * 1e3:.1f} ms/step), "
                f"{tp:,.0f} sequence-steps/s; device_ {aug.device_}")
        rep.add(f"- losses first/last evaluation: D {h['loss_d'][0]:.3f} -> {h['loss_d'][-1]:.3f}, "
                f"G {h['loss_g'][0]:.3f} -> {h['loss_g'][-1]:.3f}; validation MMD "
                f"{h['mmd'][0]:.4f} -> best {aug.best_score_:.4f} (step {aug.best_step_})")
        if not aug.best_score_ < h["mmd"][0]:
            rep.fail("validation score did not fall")
        if not all(np.isfinite(h["loss_d"])) or not all(np.isfinite(h["loss_g"])):
            rep.fail("non-finite recorded loss")
        S = aug.sample(2000, random_state=1)
        gap_mean = np.abs(S.mean(axis=(0, 2)) - X_sines.mean(axis=(0, 2))).max()
        gap_std = np.abs(S.std(axis=(0, 2)) - X_sines.std(axis=(0, 2))).max()
        rep.add(f"- samples finite: {np.isfinite(S).all()}; max per-channel gap: mean {gap_mean:.4f}, "
                f"std {gap_std:.4f} (data std {X_sines.std():.3f})")
        if not np.isfinite(S).all():
            rep.fail("non-finite samples")
        if gap_mean > 0.1:
            rep.fail(f"per-channel mean off by {gap_mean:.3f}")
        score = discriminative_score(X_test, aug.sample(1000, random_state=2))
        rep.add(f"- discriminative score (TimeGAN protocol, lower is better): {score:.3f} after "
                f"{seconds:.1f} s of fitting (target <= 0.10 within 60 s)")
        rep.add(f"- sampling on {dev}: {rate(aug, 100_000):,.0f} series/s (100,000 series, 24 x 5)")

    def labelled():
        X, y = sine_vs_sawtooth(n_per_class=60, length=48, n_minority=6, seed=0)
        aug = RecurrentGANAugmenter(device=dev, n_steps=steps(600), random_state=0)
        t0 = time.perf_counter()
        X_res, y_res = aug.fit_resample(X, y)
        seconds = time.perf_counter() - t0
        models["labelled"] = aug
        counts = dict(zip(*np.unique(y_res, return_counts=True)))
        rep.add(f"- fit_resample (conditioning={aug.conditioning}, filter_samples={aug.filter_samples}): "
                f"{seconds:.1f} s, counts {counts}, first rows unchanged: "
                f"{np.array_equal(X_res[:len(X)], X)}")
        if len(set(counts.values())) != 1 or not np.array_equal(X_res[:len(X)], X):
            rep.fail("fit_resample counts or original rows wrong")
        from sklearn.linear_model import LogisticRegression

        X_big, y_big = sine_vs_sawtooth(n_per_class=200, length=48, seed=1)
        clf = LogisticRegression(max_iter=2000).fit(shape_features(X_big), y_big)
        for label in ("sine", "saw"):
            S = aug.sample(300, label, random_state=4)
            agree = float(np.mean(clf.predict(shape_features(S)) == label))
            rep.add(f"- class {label!r}: a real-data classifier agrees with the requested label on "
                    f"{agree:.2f} of 300 synthetic series; finite {np.isfinite(S).all()}")
            if not np.isfinite(S).all() or agree < 0.8:
                rep.fail(f"class {label}: agreement {agree:.2f} or non-finite")
        rep.add(f"- sampling with the filter on {dev}: {rate(aug, 20_000, 'saw'):,.0f} series/s")

    def other_paths():
        X, y = sine_vs_sawtooth(n_per_class=40, length=40, seed=2)
        aug, seconds = fit_timed(X, y, device=dev, n_steps=steps(300), conditioning="label",
                                 filter_samples=False)
        S = aug.sample(500, "saw", random_state=0)
        rep.add(f"- label conditioning, no filter: {seconds:.1f} s, samples finite {np.isfinite(S).all()}")
        if not np.isfinite(S).all():
            rep.fail("label conditioning: non-finite samples")
        rng = np.random.default_rng(0)
        lengths = np.where(y == "sine", rng.integers(20, 30, len(y)), rng.integers(32, 40, len(y)))
        X_list = [x[:, :n] for x, n in zip(X, lengths)]
        aug, seconds = fit_timed(X_list, y, device=dev, n_steps=steps(300))
        models["unequal"] = aug
        out = aug.sample(400, np.repeat(["sine", "saw"], 200), random_state=0)
        got = np.array([o.shape[1] for o in out])
        finite = all(np.isfinite(o).all() for o in out)
        rep.add(f"- unequal lengths (list input): {seconds:.1f} s; sampled lengths sine "
                f"{got[:200].min()}-{got[:200].max()} (train 20-29), saw {got[200:].min()}-"
                f"{got[200:].max()} (train 32-39); finite {finite}")
        if not finite or got[:200].max() > 29 or got[200:].min() < 32:
            rep.fail("unequal lengths: lengths outside the class's training range or non-finite")

    def persistence():
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            plan = []
            for name, aug in models.items():
                y = None if name == "sines" else ("saw" if name == "labelled" else "sine")
                joblib.dump(aug, tmp / f"{name}.joblib")
                aug.save(tmp / f"{name}.npz")
                expected = aug.sample(200, y, random_state=7)
                joblib.dump(expected, tmp / f"{name}.expected")
                plan.append((name, y))
            code = (
                "import joblib, json, sys, numpy as np, torch\n"
                "from rgan_augment import RecurrentGANAugmenter\n"
                "assert not torch.cuda.is_available()\n"
                f"tmp, plan = {str(tmp)!r}, {plan!r}\n"
                "res = {}\n"
                "for name, y in plan:\n"
                "    e = joblib.load(f'{tmp}/{name}.expected')\n"
                "    for kind, m in (('joblib', joblib.load(f'{tmp}/{name}.joblib')),\n"
                "                    ('safe', RecurrentGANAugmenter.load(f'{tmp}/{name}.npz'))):\n"
                "        dev = next(m.generator_.parameters()).device.type\n"
                "        s = m.sample(200, y, random_state=7)\n"
                "        d = np.array([np.abs(np.asarray(a, float) - np.asarray(b, float)).max()\n"
                "                      if np.shape(a) == np.shape(b) else np.inf for a, b in zip(s, e)])\n"
                "        res[f'{name}/{kind}'] = [dev, float(np.median(d)), float((d > 1e-2).mean()),\n"
                "                                 bool(all(np.isfinite(np.asarray(a, float)).all() for a in s))]\n"
                "print(json.dumps(res))\n")
            env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
            run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        if run.returncode != 0:
            rep.fail("CPU-only load failed:\n\n```\n" + run.stderr[-1500:] + "```")
            return
        import json

        res = json.loads(run.stdout.strip().splitlines()[-1])
        rep.add("| model | format | loaded on | median max-abs gap per series | share of series off by > 1e-2 | finite |")
        rep.add("| --- | --- | --- | --- | --- | --- |")
        for key, (where, med, share, finite) in res.items():
            name, kind = key.split("/")
            rep.add(f"| {name} | {kind} | {where} | {med:.2e} | {share:.3f} | {finite} |")
            if where != "cpu" or not finite or med > 1e-2:
                rep.fail(f"{key}: loaded on {where}, median gap {med}, finite {finite}")
        rep.add("- a filtered model may keep a different redraw where the filter's margin sits on "
                "the edge and float rounding differs between GPU and CPU: a small share off is expected")

    def throughput():
        if not dev.startswith("cuda"):
            return
        rep.add("| device | batch_size | steps | ms/step | sequence-steps/s | ratio to CPU |")
        rep.add("| --- | --- | --- | --- | --- | --- |")
        n_cpu = max(20, steps(100))
        aug, seconds = fit_timed(X_sines, device="cpu", n_steps=n_cpu, batch_size=64)
        cpu_tp = n_cpu * 64 * 24 / seconds
        rep.add(f"| cpu ({torch.get_num_threads()} threads) | 64 | {n_cpu} | {seconds / n_cpu * 1e3:.1f} | "
                f"{cpu_tp:,.0f} | 1.0 |")
        cpu_rate = rate(aug, 20_000)
        for batch in (64, 256, 1024):
            n = max(20, steps(200))
            aug, seconds = fit_timed(X_sines, device=dev, n_steps=n, batch_size=batch)
            tp = n * min(batch, len(X_sines)) * 24 / seconds
            rep.add(f"| {dev} | {batch} | {n} | {seconds / n * 1e3:.1f} | {tp:,.0f} | {tp / cpu_tp:.1f} |")
        gpu_rate = rate(models.get("sines", aug), 100_000)
        rep.add(f"- sampling (unconditional Sines, no filter): {dev} {gpu_rate:,.0f} series/s, "
                f"CPU {cpu_rate:,.0f} series/s, ratio {gpu_rate / cpu_rate:.1f}")

    rep.section("Environment", environment)
    rep.section("Unconditional quick Sines, default parameters", sines)
    rep.section("Labelled, defaults (example conditioning + filter), fit_resample", labelled)
    rep.section("Other code paths", other_paths)
    rep.section("Persistence: fitted on the GPU, sampled in a CPU-only process", persistence)
    rep.section("Throughput", throughput)
    rep.write()
    print("Failures:", rep.failures or "none")
    sys.exit(1 if rep.failures else 0)


if __name__ == "__main__":
    main()
