"""Are the GAN's draws of a rare class too far out, or out of their class? Post-hoc rules
that keep them near the class or in it, and a held-out judge's view of whose draws stay in
their class (issue 24, part 3).

    python benchmarks/draw_envelope.py --regime five --seeds 0 1 2 3 4 [--datasets ...]

Per cell of ``ts_oversamplers.py``'s protocol (data set, regime, seed: the same split) the
augmenter is fitted once with its defaults (``sampling_strategy='not majority'``,
``random_state=seed``), and ``CANDIDATES`` fresh draws of every added row are made,
``sample(n, labels, random_state=1000 + k)`` (``k = 0`` is ``draw_noise.py``'s first
stream, so its scores can be checked against a stored run of that script). Variants of
what is added, each judged by the classifiers after it (1-NN and MiniRocket + ridge,
balanced accuracy on the untouched test half):

- ``stream0``: the first candidate (the default's draw);
- ``envelope_max`` / ``envelope_median``: per row, the first candidate whose distance to
  the nearest training series of its class is at most the largest / the median of the
  class's own leave-one-out nearest-neighbour distances (a radius the training data
  gives; the nearest candidate where none is inside);
- ``pull`` / ``pull_half``: the first candidate moved towards its nearest training series
  of the class, ``t + u (draw - t)`` with ``u`` uniform in [0, 1] / [0.5, 1]: SMOTE's
  segment between a real series and a GAN draw;
- ``judged``: per row, the first candidate that MiniRocket + ridge trained on the
  *training* split (what a fit knows) labels with its class, the first candidate where
  none is: a class filter with the strongest cheap judge and the mildest rule (argmax).

The judge: MiniRocket + ridge and 1-NN trained on the *test half* (every class, real
series the augmenter never saw) label each method's added rows of the cut class; the share
labelled with the cut class is the draws' class fidelity, for the GAN's first candidate
and for SMOTE, OHIT and ESMOTE (``ts_oversamplers.py``'s settings) on the same split.
The report also gives how often the training-split judge agrees with the held-out one on
the first candidates of the cut class (could a fit have told the off-class draws?).
Distances are Euclidean on the flattened series, in the data's units.
Writes benchmarks/results/draw_envelope_NAME.{md,json}.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from draw_noise import CLASSIFIERS, QUICK, balanced_accuracies
from imbalanced_classification import minirocket_ridge, one_nn
from rgan_augment import RecurrentGANAugmenter
from _machine import machine
from ts_oversamplers import OVERSAMPLERS, REGIMES, paired_p, splits

RESULTS = Path(__file__).resolve().parent / "results"
CANDIDATES = 6
VARIANTS = ["stream0", "envelope_max", "envelope_median", "pull", "pull_half", "judged"]
JUDGED_PEERS = ["SMOTE", "OHIT", "ESMOTE"]
JUDGES = {"MiniRocket": minirocket_ridge, "1-NN": one_nn}


def _flat(X):
    return np.asarray(X, dtype=np.float64).reshape(len(X), -1)


def nearest_training(A, T):
    """(distance, index) of each row of ``A``'s nearest row of ``T``."""
    d = ((_flat(A)[:, None, :] - _flat(T)[None]) ** 2).sum(-1)
    return np.sqrt(d.min(1)), d.argmin(1)


def leave_one_out_radii(T):
    """Each training series' distance to its nearest other series of the class."""
    F = _flat(T)
    d = np.sqrt(((F[:, None] - F[None]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    return d.min(1)


def selected(candidates, distance, radius):
    """Per row, the first candidate within ``radius``, else the nearest one."""
    inside = distance <= radius[None, :]
    first = np.where(inside.any(0), inside.argmax(0), distance.argmin(0))
    return candidates[first, np.arange(candidates.shape[1])]


def variants(X_tr, y_tr, labels, candidates, seed):
    """{variant: added rows} from the candidates (K, n, ...) of ``labels``."""
    n = len(labels)
    distance = np.zeros((len(candidates), n))
    radius_max, radius_median = np.zeros(n), np.zeros(n)
    anchor = np.empty_like(candidates[0])
    for c in np.unique(labels):
        rows, members = labels == c, X_tr[y_tr == c]
        for k, cand in enumerate(candidates):
            distance[k, rows], index = nearest_training(cand[rows], members)
            if k == 0:
                anchor[rows] = members[index]
        radii = leave_one_out_radii(members) if len(members) > 1 else np.array([np.inf])
        radius_max[rows], radius_median[rows] = radii.max(), np.median(radii)
    u = np.random.default_rng(seed).uniform(size=(n,) + (1,) * (candidates.ndim - 2))
    return {"stream0": candidates[0],
            "envelope_max": selected(candidates, distance, radius_max),
            "envelope_median": selected(candidates, distance, radius_median),
            "pull": anchor + u * (candidates[0] - anchor),
            "pull_half": anchor + (0.5 + 0.5 * u) * (candidates[0] - anchor)}


def training_judge_labels(X_tr, y_tr, candidates, seed):
    """(K, n) labels that MiniRocket + ridge trained on the training split gives the
    candidates (K, n, ...)."""
    K, n = candidates.shape[:2]
    flat = np.asarray(candidates, dtype=np.float64).reshape((K * n,) + candidates.shape[2:])
    return np.asarray(minirocket_ridge(np.asarray(X_tr, dtype=np.float64), y_tr, flat,
                                       seed)).reshape(K, n)


def judged(candidates, verdicts, labels):
    """Per row, the first candidate the training-split judge labels with the row's class
    (the first candidate where none is)."""
    inside = verdicts.astype(str) == np.asarray(labels).astype(str)[None, :]
    first = np.where(inside.any(0), inside.argmax(0), 0)
    return candidates[first, np.arange(candidates.shape[1])]


def held_out_verdicts(added, split, seed):
    """{method: (its cut-class rows' labels, {judge: the labels the held-out judges give
    those rows})} for ``added`` ({method: (rows, labels)}): each judge is trained once on
    the test half (every class, real series the augmenter never saw) and labels every
    method's rows of the cut classes in one call."""
    _, _, X_te, y_te, cuts = split
    cut_rows = {}
    for method, (rows, labels) in added.items():
        labels = np.asarray(labels).astype(str)
        keep = np.isin(labels, cuts)
        cut_rows[method] = (np.asarray(rows, dtype=np.float64)[keep], labels[keep])
    stacked = np.concatenate([rows for rows, _ in cut_rows.values()])
    verdicts = {name: np.asarray(judge(np.asarray(X_te, dtype=np.float64), y_te, stacked,
                                       seed)).astype(str)
                for name, judge in JUDGES.items()} if len(stacked) else {}
    out, start = {}, 0
    for method, (rows, truth) in cut_rows.items():
        out[method] = (truth, {name: v[start:start + len(rows)] for name, v in verdicts.items()})
        start += len(rows)
    return out


def fidelity(truth, verdicts):
    """{judge: share of the rows it labels with their class}; None without rows."""
    if not len(truth):
        return None
    return {name: float(np.mean(labels == truth)) for name, labels in verdicts.items()}


def judges_agreement(truth, held_out_minirocket, train_verdicts):
    """Counts over the cut classes' added rows (``truth``: their classes) of what the
    training-split judge (``train_verdicts``) and the held-out MiniRocket judge call
    them: {'in/in', 'in/off', 'off/in', 'off/off'}, the training judge first."""
    held_in = held_out_minirocket == truth
    train_in = np.asarray(train_verdicts).astype(str) == truth
    word = {True: "in", False: "off"}
    return {f"{word[a]}/{word[b]}": int(np.sum((train_in == a) & (held_in == b)))
            for a in (True, False) for b in (True, False)}


def cell(split, seed):
    X_tr, y_tr = split[0], split[1]
    aug = RecurrentGANAugmenter(sampling_strategy="not majority", random_state=seed)
    t0 = time.perf_counter()
    aug.fit_resample(X_tr, y_tr)
    seconds = time.perf_counter() - t0
    labels = np.array([c for c, n in aug.sampling_strategy_.items() for _ in range(n)],
                      dtype=y_tr.dtype)
    candidates = np.stack([aug.sample(len(labels), labels, random_state=1000 + k)
                           for k in range(CANDIDATES)])
    train_verdicts = training_judge_labels(X_tr, y_tr, candidates, seed)
    added = variants(X_tr, y_tr, labels, candidates, seed)
    added["judged"] = judged(candidates, train_verdicts, labels)
    scores = {name: balanced_accuracies(np.concatenate([X_tr, rows]),
                                        np.concatenate([y_tr, labels]), split, seed)
              for name, rows in added.items()}
    judged_rows = {"GAN": (candidates[0], labels), "GAN judged": (added["judged"], labels)}
    for peer in JUDGED_PEERS:
        out = OVERSAMPLERS[peer](X_tr, y_tr, seed)
        if out is not None:
            judged_rows[peer] = (out[0][len(X_tr):], out[1][len(y_tr):])
    verdicts_of = held_out_verdicts(judged_rows, split, seed)
    fidelities = {method: fidelity(*v) for method, v in verdicts_of.items()}
    truth, held_out = verdicts_of["GAN"]
    cut = np.isin(labels.astype(str), split[4])
    agreement = judges_agreement(truth, held_out["MiniRocket"], train_verdicts[0][cut])
    return dict(seconds=seconds, scores=scores, fidelity=fidelities, agreement=agreement)


def report(rows, args):
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    lines = [f"# Draws kept in, and whose draws stay in their class ({args.regime})", "",
             f"Machine: {machine()}. Command: `python benchmarks/draw_envelope.py --regime "
             f"{args.regime} --seeds {' '.join(map(str, args.seeds))} --datasets "
             f"{' '.join(args.datasets)} --name {args.name}`; {len(rows)} cells, the default "
             f"augmenter, {CANDIDATES} candidate draws per added row.", "",
             "Variant minus `stream0` (the default's draw), balanced accuracy: mean over the "
             "cells (Wilcoxon p), then per data set.", "",
             "| variant | classifier | all cells | " + " | ".join(datasets) + " |",
             "| --- | --- | --- | " + " | ".join("---" for _ in datasets) + " |"]
    for variant in [v for v in VARIANTS[1:] if v in rows[0]["scores"]]:
        for clf in CLASSIFIERS:
            ours = [r["scores"][variant][clf] for r in rows]
            base = [r["scores"]["stream0"][clf] for r in rows]
            d = np.subtract(ours, base)
            per = [np.mean([r["scores"][variant][clf] - r["scores"]["stream0"][clf]
                            for r in rows if r["dataset"] == ds]) for ds in datasets]
            lines.append(f"| {variant} | {clf} | {d.mean():+.4f} (p={paired_p(ours, base):.2f}) | "
                         + " | ".join(f"{x:+.3f}" for x in per) + " |")
    methods = [m for m in ["GAN", "GAN judged"] + JUDGED_PEERS if m in rows[0]["fidelity"]]
    lines += ["", "Class fidelity of the cut class's added rows: the share a judge trained on "
              "the test half labels with the class (MiniRocket / 1-NN), mean over the seeds.",
              "", "| data set | " + " | ".join(methods) + " |",
              "| --- | " + " | ".join("---" for _ in methods) + " |"]
    for ds in datasets:
        cells = []
        for method in methods:
            got = [r["fidelity"].get(method) for r in rows if r["dataset"] == ds]
            got = [g for g in got if g]
            cells.append(" / ".join(f"{np.mean([g[j] for g in got]):.2f}" for j in JUDGES)
                         + f" (min {min(g['MiniRocket'] for g in got):.2f})" if got else "-")
        lines.append(f"| {ds} | " + " | ".join(cells) + " |")
    if "agreement" in rows[0]:
        lines += ["", "The training-split judge (what a fit knows) against the held-out "
                  "MiniRocket judge on the cut class's first candidates, rows summed over the "
                  "seeds (training judge first: in = labelled with the class):", "",
                  "| data set | in/in | in/off | off/in | off/off |", "| --- | --- | --- | --- | --- |"]
        for ds in datasets:
            counts = [sum(r["agreement"][k] for r in rows if r["dataset"] == ds)
                      for k in ("in/in", "in/off", "off/in", "off/off")]
            lines.append(f"| {ds} | " + " | ".join(map(str, counts)) + " |")
    lines += ["", f"Fit seconds, mean: {np.mean([r['seconds'] for r in rows]):.1f}.", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", nargs="+", default=QUICK)
    parser.add_argument("--regime", choices=REGIMES, default="five")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--name", default="five_seeds0-4")
    args = parser.parse_args()
    out = RESULTS / f"draw_envelope_{args.name}"
    rows = []
    for dataset, regime, seed, split in splits(args.datasets, [args.regime], args.seeds):
        rows.append(dict(dataset=dataset, regime=regime, seed=seed, cpu=machine(),
                         **cell(split, seed)))
        r = rows[-1]
        print(dataset, seed, f"{r['seconds']:.0f} s", {k: v["1-NN"] for k, v in r["scores"].items()},
              r["fidelity"], flush=True)
        out.with_suffix(".json").write_text(json.dumps(rows, indent=1))
    out.with_suffix(".md").write_text(report(rows, args))
    print(out.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
