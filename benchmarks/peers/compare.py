"""Time to quality against the peers, on the same data, scored by the same scorer.

    bash benchmarks/peers/setup_dgan.sh        # once: DGAN's own virtual environment
    bash benchmarks/peers/setup_timegan.sh     # once: ydata-synthetic's TimeGAN (TensorFlow)
    python benchmarks/peers/compare.py [--seeds 0 1] [--budgets 15 30 60 120 240]

Quick Sines (TimeGAN's recipe, 1,000 x 24 steps x 5 channels) on 2 CPU cores. For each
seed one training set is drawn and written to disk; every model fits that same array:

- rgan-augment, in this process: one fit per budget with ``max_time=budget`` (what a user
  with that much time would run), plus one fit with the defaults (no time cap);
- gretel-synthetics' DGAN and ydata-synthetic's TimeGAN, each in its own virtual
  environment (benchmark-only), snapshotting 1,000 samples when their training time reaches
  each budget (generation time not counted as training).

Every sample set is scored here with ``rgan_augment.metrics.discriminative_score`` (mean of
``--score-reps`` scorer runs, ``speed.mean_discriminative_score``) against
the training set (TimeGAN's protocol, as in ``benchmarks/sines.py``); the floor is a second
real draw. Writes ``benchmarks/results/peers.md``. Run it alone: the machine has 2 cores.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from rgan_augment.datasets import make_sines

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))
from speed import fit_timed, mean_discriminative_score  # noqa: E402  (benchmarks/speed.py)
TARGET = 0.10


def run_peer(name, python, data, out, extra, seed):
    script = HERE / f"{name}_run.py"
    cmd = [str(python), str(script), str(data), "--out", str(out), "--seed", str(seed), *extra]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        raise RuntimeError(f"{name} failed (exit {proc.returncode}); command: {' '.join(cmd)}")
    meta = json.loads((out / f"{name}.json").read_text())
    print(f"{name}: {time.perf_counter() - t0:.0f} s wall", flush=True)
    return [(snap, np.load(out / snap["file"])) for snap in meta["snapshots"]], meta


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--budgets", type=float, nargs="+", default=[15, 30, 60, 120, 240])
    parser.add_argument("--timegan-steps", type=int, nargs="+", default=[50, 200],
                        help="TimeGAN fits, iterations per phase (it cannot be snapshotted)")
    parser.add_argument("--peers", nargs="*", default=["dgan", "timegan"])
    parser.add_argument("--score-reps", type=int, default=3,
                        help="scorer runs averaged per sample set (TimeGAN's code averages 10)")
    parser.add_argument("--keep", default=None,
                        help="folder to keep the training sets and peer samples in")
    parser.add_argument("--venvs", default=str(ROOT / "benchmarks" / "output"),
                        help="folder holding venv-dgan and venv-timegan")
    args = parser.parse_args()

    def score(real, synth, seed):
        return mean_discriminative_score(real, synth, args.score_reps, first_seed=100 * seed)

    rows = []  # (seed, model, budget, train_s, score, detail)
    metas = {}
    for seed in args.seeds:
        real = make_sines(1000, random_state=seed).astype(np.float32)
        floor = score(real, make_sines(1000, random_state=1000 + seed), seed)
        rows.append((seed, "real vs real (floor)", None, 0.0, floor, ""))
        print(f"seed {seed}: floor {floor:.3f}", flush=True)
        default_s = None
        for budget in [None, *args.budgets]:  # the uncapped fit first: longer caps are moot
            if budget is not None and budget >= default_s:
                continue
            aug, seconds = fit_timed(real, random_state=seed, max_time=budget)
            default_s = default_s or seconds
            value = score(real, aug.sample(1000, random_state=seed), seed)
            rows.append((seed, "rgan-augment", budget, seconds, value,
                         f"{aug.n_steps_} steps"))
            print(f"seed {seed}: rgan-augment budget {budget}: {seconds:.1f} s, {value:.3f}",
                  flush=True)
        with tempfile.TemporaryDirectory() as scratch:
            workdir = Path(args.keep) / f"seed{seed}" if args.keep else Path(scratch)
            workdir.mkdir(parents=True, exist_ok=True)
            data = workdir / "real.npy"
            np.save(data, real)
            for peer in args.peers:
                python = Path(args.venvs) / f"venv-{peer}" / "bin" / "python"
                if not python.exists():
                    raise SystemExit(f"{python} not found: run benchmarks/peers/setup_{peer}.sh")
                extra = (["--steps", *map(str, args.timegan_steps)] if peer == "timegan"
                         else ["--budgets", *map(str, args.budgets)])
                snaps, metas[peer] = run_peer(peer, python, data, workdir / peer, extra, seed)
                for snap, synth in snaps:
                    value = score(real, synth, seed)
                    budget = snap.get("budget_s")
                    detail = ", ".join(f"{k} {v}" for k, v in snap.items()
                                       if k not in ("budget_s", "train_s", "file"))
                    rows.append((seed, peer, budget, snap["train_s"], value, detail))
                    print(f"seed {seed}: {peer} {detail or budget}: {snap['train_s']:.1f} s, "
                          f"{value:.3f}", flush=True)
    write(rows, metas, args)


def write(rows, metas, args):
    names = {"rgan-augment": "rgan-augment", "dgan": "DGAN (gretel-synthetics 0.22.20)",
             "timegan": "TimeGAN (ydata-synthetic 1.4.0)"}
    command = ("python benchmarks/peers/compare.py --seeds " + " ".join(map(str, args.seeds))
               + " --budgets " + " ".join(f"{b:g}" for b in args.budgets)
               + " --timegan-steps " + " ".join(map(str, args.timegan_steps))
               + " --peers " + " ".join(args.peers) + f" --score-reps {args.score_reps}")
    lines = ["# Time to quality against the peers: quick Sines (1,000 x 24 x 5), 2 CPU cores", "",
             f"Command: `{command}` (after `bash benchmarks/peers/setup_<peer>.sh`).", "",
             f"Discriminative score (TimeGAN protocol, this project's scorer, against the training "
             f"set, mean of {args.score_reps} scorer runs; lower is better, 0.5 = told apart "
             "perfectly). rgan-augment: one fit per budget "
             "with `max_time=budget` for the budgets shorter than its default fit, and one with the "
             "defaults (budget 'default', no cap). Peers: one "
             "long fit per seed (DGAN), sampled when its training time reached each budget; "
             "TimeGAN: one fit per listed number of iterations per phase (its three phases "
             "cannot be cut by time), timed.", "",
             "| seed | model | budget s | training s | discriminative score | detail |",
             "| --- | --- | --- | --- | --- | --- |"]
    for seed, model, budget, seconds, score, detail in rows:
        b = ("-" if model.startswith("real") or (budget is None and model != "rgan-augment")
             else "default" if budget is None else f"{budget:g}")
        lines.append(f"| {seed} | {names.get(model, model)} | {b} | {seconds:.1f} | {score:.3f} | {detail} |")
    lines += ["", f"## Seconds of training until the score is <= {TARGET:.2f}", "",
              "First budget (or the default fit) at which it was reached, per seed; ratios are "
              "peer / rgan-augment within the same run.", "",
              "| seed | " + " | ".join(names[m] for m in ["rgan-augment", *args.peers]) + " |",
              "| --- " * (2 + len(args.peers)) + "|"]
    for seed in args.seeds:
        cells = []
        ours = None
        for model in ["rgan-augment", *args.peers]:
            hits = sorted(s for sd, m, b, s, sc, _ in rows if sd == seed and m == model and sc <= TARGET)
            best = min(sc for sd, m, b, s, sc, _ in rows if sd == seed and m == model)
            longest = max(s for sd, m, b, s, sc, _ in rows if sd == seed and m == model)
            if hits:
                if model == "rgan-augment":
                    ours = hits[0]
                ratio = f" ({hits[0] / ours:.1f}x)" if ours and model != "rgan-augment" else ""
                cells.append(f"{hits[0]:.0f} s{ratio}")
            else:
                cells.append(f"not in {longest:.0f} s (best {best:.3f})"
                             + (f", > {longest / ours:.1f}x" if ours else ""))
        lines.append(f"| {seed} | " + " | ".join(cells) + " |")
    lines += ["", "Peer environments:", ""]
    for peer, meta in metas.items():
        lines.append(f"- {names[peer]}: " + ", ".join(f"{k} {v}" for k, v in meta.items()
                                                     if k != "snapshots"))
    out = ROOT / "benchmarks" / "results" / "peers.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
