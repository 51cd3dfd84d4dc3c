"""Would stopping on a plateau of the validation score shorten the default fit?

    python benchmarks/plateau_stopping.py [--quick]

Fits the default augmenter on the speed issue's four tasks (GunPoint with one class cut
to 3 series, quick Sines, OSULeaf, ACSF1) and keeps each fit's ``history_`` (the
validation MMD at every evaluation and the seconds it was reached at). A stopping rule
that looks only at that history can then be replayed exactly: training up to the step
where the rule would stop is the same computation as the full fit up to there, so the
state a stopped fit keeps is the best one *before* the stop. For each rule this reports
the training time it saves, and whether (and by how much) the kept state differs from
the full fit's: where the full fit's best comes after the stop, the stopped fit keeps a
worse one.

Rules: stop once ``patience`` evaluations in a row have not improved the best score by
more than a relative ``tol``, never before ``min_share`` of the step budget.

Writes benchmarks/results/plateau_stopping.md and .json (the histories).
"""

import argparse
import json
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from gunpoint_fidelity import cut_to_few
from rgan_augment import RecurrentGANAugmenter
from rgan_augment.datasets import make_sines

warnings.filterwarnings("ignore")
RESULTS = Path(__file__).resolve().parent / "results"


def gunpoint_few_shot(seed, cut):
    """GunPoint's training split with class ``cut`` cut to 3 series, as in
    gunpoint_fidelity.py."""
    from sktime.datasets import load_gunpoint

    X, y = load_gunpoint(split="train", return_type="numpy3D")
    keep, _ = cut_to_few(y, cut, seed, 3)
    return X[keep], y[keep]


def bundled(name):
    from sktime import datasets

    return getattr(datasets, f"load_{name}")(split="train", return_type="numpy3D")


def tasks(quick):
    out = [(f"GunPoint few-shot (seed {s}, class {c} cut to 3)", s,
            lambda s=s, c=c: gunpoint_few_shot(s, c))
           for s in (0, 1) for c in ("1", "2")]
    out += [(f"Sines 1000x24x5 (seed {s})", s, lambda s=s: (make_sines(1000, 24, 5, random_state=s),
                                                            None)) for s in (0, 1)]
    if not quick:
        out += [("OSULeaf", 0, lambda: bundled("osuleaf")), ("ACSF1", 0, lambda: bundled("acsf1"))]
    return out


def replay(history, n_steps, patience, tol, min_share):
    """The evaluation index at which the rule stops (the last one if it never does)."""
    scores = history["mmd"]
    best, since = float("inf"), 0
    for i, (step, score) in enumerate(zip(history["step"], scores)):
        if score < best * (1 - tol):
            best, since = score, 0
        else:
            since += 1
        if since >= patience and step >= min_share * n_steps:
            return i
    return len(scores) - 1


RULES = [(p, t, m) for p in (3, 5, 8) for t in (0.0, 0.01) for m in (0.25, 0.5)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="GunPoint and Sines only")
    args = parser.parse_args()
    runs = []
    for name, seed, load in tasks(args.quick):
        X, y = load()
        aug = RecurrentGANAugmenter(random_state=seed)
        t0 = time.perf_counter()
        aug.fit(X, y)
        runs.append({"task": name, "fit_s": time.perf_counter() - t0, "n_steps": aug.n_steps_,
                     "best_step": aug.best_step_,
                     "history": {k: list(map(float, v)) for k, v in aug.history_.items()}})
        print(f"{name}: fit {runs[-1]['fit_s']:.1f} s, best step {aug.best_step_} of "
              f"{aug.n_steps_}", flush=True)
    lines = [
        "# Stopping on a plateau of the validation score, replayed on default fits",
        "",
        f"Command: `python benchmarks/plateau_stopping.py{' --quick' if args.quick else ''}`",
        f"Machine: {platform.machine()}, {torch.get_num_threads()} torch threads, torch "
        f"{torch.__version__}, Python {sys.version.split()[0]}",
        "",
        "Full default fits (the kept step is the one with the lowest validation MMD):",
        "",
        "| task | fit s | steps | kept step | kept at % of training time |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in runs:
        h = r["history"]
        at = h["seconds"][h["step"].index(r["best_step"])] / h["seconds"][-1] \
            if r["best_step"] in h["step"] else float("nan")
        lines.append(f"| {r['task']} | {r['fit_s']:.1f} | {r['n_steps']} | {r['best_step']} | "
                     f"{100 * at:.0f} % |")
    lines += [
        "",
        "Each rule replayed on those histories: training time saved (share of the full "
        "fit's training seconds, mean over the tasks), the tasks whose kept state would "
        "change, and the worst ratio of the kept validation MMD to the full fit's.",
        "",
        "| patience | tol | not before | time saved (mean) | time saved (min-max) | kept state changed | worst MMD ratio |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for patience, tol, min_share in RULES:
        saved, changed, ratios = [], 0, []
        for r in runs:
            h = r["history"]
            i = replay(h, r["n_steps"], patience, tol, min_share)
            saved.append(1 - h["seconds"][i] / h["seconds"][-1])
            kept = min(h["mmd"][: i + 1])
            full = min(h["mmd"])
            changed += kept > full
            ratios.append(kept / full)
        lines.append(f"| {patience} | {tol:g} | {min_share:.0%} | {np.mean(saved):.0%} | "
                     f"{min(saved):.0%}-{max(saved):.0%} | {changed} of {len(runs)} | "
                     f"{max(ratios):.3f} |")
    stem = "plateau_stopping_quick" if args.quick else "plateau_stopping"
    (RESULTS / f"{stem}.json").write_text(json.dumps(runs, indent=1))
    (RESULTS / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
