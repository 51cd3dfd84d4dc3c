"""Every method at its expected score: the peers' draws averaged as the GAN's are.

    python benchmarks/peer_draws.py --regime three --seeds 0 1 2 3 4 [--datasets ...] \
        --gan draw_noise_three_seeds0-4
    python benchmarks/peer_draws.py --report-only --runs NAME:GAN_RUN ... [--pooled] [--name NAME]

``draw_noise.py`` showed that one draw of the GAN moves a cell's balanced accuracy by about
0.01 and that the stored benchmarks report one draw per method; it compared the GAN's mean
over fresh draws with the peers' single draws. The peers' draws are random too (SMOTE's
neighbours and gaps, OHIT's Gaussian draws, ESMOTE's, ROS's copies, jitter's noise), so
here every peer of ``ts_oversamplers.py`` is run ``--draws`` times on each cell, with
``random_state=1000 + k`` (the classifier keeps the cell's seed, as everywhere), and the
GAN's fresh draws are read from a stored ``draw_noise.py`` run on the same splits
(``--gan``). A first draw with the cell's own seed replays the stored single-draw score
as a check (``replay``). Classifiers: 1-NN (Euclidean) and MiniRocket + ridge, as in
``draw_noise.py`` (``--fcn``: its FCN as well, the GAN's run made with ``--fcn`` too);
balanced accuracy on the split's untouched test half.

The report gives, per classifier, each method's mean over the cells of its draws' mean,
its average rank over the cells (by the draws' means), the median draw-to-draw sd of a
cell, and the GAN's lead over each peer with a Wilcoxon p over the cells where the peer
ran (aeon's OHIT and ESMOTE are univariate only); with ``--pooled``, the same tables
once more over the cells of all ``--runs`` together. Writes
benchmarks/results/peer_draws_NAME.{md,json}.
"""

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
from scipy.stats import rankdata

from draw_noise import CLASSIFIERS, QUICK, WITH_FCN, _draws, balanced_accuracies, scored_classifiers
from ts_oversamplers import OVERSAMPLERS, REGIMES, paired_p, splits

RESULTS = Path(__file__).resolve().parent / "results"
PEERS = ["none", "ROS", "SMOTE", "ADASYN", "jitter", "OHIT", "ESMOTE"]


def cell_scores(split, seed, n_draws, peers, classifiers=CLASSIFIERS):
    """{peer: {"replay": scores, "draws": [scores, ...]}} for one cell (scores: {clf: bac}
    for each of ``classifiers``),
    None for a peer that cannot run on the cell (it returns None or raises, as in
    ``ts_oversamplers.py``), and the seconds each peer took."""
    X_tr, y_tr = split[0], split[1]
    out, seconds = {}, {}
    for peer in peers:
        t0 = time.perf_counter()
        seeds = [seed] + ([] if peer == "none" else [1000 + k for k in range(n_draws)])
        results = []
        for s in seeds:
            try:
                res = OVERSAMPLERS[peer](X_tr, y_tr, s)
            except Exception:  # e.g. ADASYN finding no neighbours to use, as ts_oversamplers.py
                res = None
            if res is None:  # cannot run on this cell (ADASYN there, OHIT/ESMOTE multivariate)
                results = []
                break
            results.append(balanced_accuracies(*res, split, seed, classifiers))
        out[peer] = None if not results else {"replay": results[0],
                                              "draws": results[1:] or [results[0]]}
        seconds[peer] = time.perf_counter() - t0
    return out, seconds


def run(args, out):
    rows = []
    for dataset, regime, seed, split in splits(args.datasets, [args.regime], args.seeds):
        scores, seconds = cell_scores(split, seed, args.draws, PEERS,
                                      WITH_FCN if args.fcn else CLASSIFIERS)
        rows.append(dict(dataset=dataset, regime=regime, seed=seed, seconds=seconds,
                         scores=scores))
        print(dataset, regime, seed, f"{sum(seconds.values()):.0f} s", flush=True)
        out.with_suffix(".json").write_text(json.dumps(rows, indent=1))
    return rows


def _methods(row, gan_row, clf):
    """{method: (mean over its draws, draw-to-draw sd)} on one cell; the GAN's from its
    fresh draws in the matching ``draw_noise.py`` row."""
    found = {}
    for peer, entry in row["scores"].items():
        if entry is not None:
            vals = [d[clf] for d in entry["draws"]]
            found[peer] = (np.mean(vals), np.std(vals, ddof=1) if len(vals) > 1 else 0.0)
    fresh = _draws(gan_row, clf, "stream")
    found["GAN"] = (np.mean(fresh), np.std(fresh, ddof=1))
    return found


def report(runs, gan_runs, stored, args, out):
    lines = ["# Every method at its expected score (draws averaged for every method)", "",
             f"Machine: {platform.machine()}, 2 CPU cores. Per cell (data set, regime, seed: "
             "`ts_oversamplers.py`'s split), each peer drawn with `random_state=1000+k`, the GAN's "
             "fresh draws from `draw_noise.py` (one fit, `sample(..., random_state=1000+k)`); "
             "the classifier keeps the cell's seed; balanced accuracy on the untouched test half.",
             ""]
    pooled = {}  # classifier -> every run's cells
    pooled_datasets = []  # the data set of each pooled cell, in the same order
    for name, rows in runs.items():
        gan_rows = {(r["dataset"], r["regime"], r["seed"]): r for r in gan_runs[name]}
        rows = [r for r in rows if (r["dataset"], r["regime"], r["seed"]) in gan_rows]
        n_draws = max(len(e["draws"]) for r in rows for e in r["scores"].values() if e)
        n_gan = len(_draws(next(iter(gan_rows.values())), next(iter(CLASSIFIERS)), "stream"))
        datasets = ", ".join(dict.fromkeys(r["dataset"] for r in rows))
        lines += [f"## {name}: regime {rows[0]['regime']}, {datasets}, seeds "
                  f"{' '.join(str(s) for s in sorted({r['seed'] for r in rows}))} ({len(rows)} cells)",
                  "", f"Commands: `python benchmarks/peer_draws.py --datasets {' '.join(dict.fromkeys(r['dataset'] for r in rows))} "
                  f"--regime {rows[0]['regime']} --seeds {' '.join(str(s) for s in sorted({r['seed'] for r in rows}))} "
                  f"--draws {n_draws} --gan {args.gan_of[name]} --name {name}"
                  + (" --fcn" if "FCN" in _common_classifiers(rows, gan_runs[name]) else "")
                  + (" --peers " + " ".join(args.peers) if args.peers else "") + "`; "
                  f"the GAN's {n_gan} draws per cell from `results/{args.gan_of[name]}.json`.", ""]
        replay = _replay_check(rows, stored, args.peers)
        if replay:
            lines += [replay, ""]
        for clf in _common_classifiers(rows, gan_runs[name]):
            cells = [_methods(r, gan_rows[(r["dataset"], r["regime"], r["seed"])], clf) for r in rows]
            pooled.setdefault(clf, []).extend(cells)
            lines += _table(cells, clf)
        pooled_datasets += [r["dataset"] for r in rows]
        secs = {p: np.mean([r["seconds"][p] for r in rows]) for p in PEERS}
        lines += ["Seconds per cell (all its draws, classifiers included): "
                  + ", ".join(f"{p} {s:.1f}" for p, s in secs.items()) + ".", ""]
    if args.pooled and len(runs) > 1:
        lines += [f"## All {len(pooled[next(iter(CLASSIFIERS))])} cells of the runs above together",
                  "", "Each cell's scores as in its run's section; ranks over the methods that ran "
                  "on every cell of every run.", ""]
        everywhere = {clf: cells for clf, cells in pooled.items()
                      if len(cells) == len(pooled_datasets)}  # scored in every run
        for clf, cells in everywhere.items():
            lines += _table(cells, clf)
        for clf, cells in everywhere.items():
            lines += _by_dataset(cells, pooled_datasets, clf)
    out.with_suffix(".md").write_text("\n".join(lines))
    print("\n".join(lines))


def _common_classifiers(rows, gan_rows):
    """The classifiers that scored both the peers' draws in ``rows`` and the GAN's."""
    peers = [c for c in WITH_FCN
             if all(c in e["replay"] for r in rows for e in r["scores"].values() if e)]
    return [c for c in peers if c in scored_classifiers(gan_rows)]


def _table(cells, clf):
    """The report's table for one classifier over ``cells`` ({method: (mean, sd)} each)."""
    methods = ["GAN", *PEERS]
    everywhere = [m for m in methods if all(m in c for c in cells)]
    lines = [f"**{clf}**: mean of each method's draws, over the cells where it ran; its "
             f"average rank (1 = best) over all {len(cells)} cells among the methods that "
             "ran on every one ('-': a method that could not run on some); the GAN's lead "
             "(wins/ties/losses by 0.001, Wilcoxon p) over the cells where the peer ran.", "",
             "| method | cells | mean | rank | draw-to-draw sd of a cell (median) | GAN's lead (W/T/L, p) |",
             "| --- | --- | --- | --- | --- | --- |"]
    ranks = _ranks(cells, everywhere)
    for m in methods:
        have = [c for c in cells if m in c]
        if not have:
            lines.append(f"| {m} | 0 | n/a | - | - | - |")
            continue
        mean = np.mean([c[m][0] for c in have])
        sd = np.median([c[m][1] for c in have])
        lead = "-"
        if m != "GAN":
            gan = np.array([c["GAN"][0] for c in have])
            theirs = np.array([c[m][0] for c in have])
            d = gan - theirs
            lead = (f"{d.mean():+.3f} ({(d > 1e-3).sum()}/{(abs(d) <= 1e-3).sum()}/"
                    f"{(d < -1e-3).sum()}, p = {paired_p(gan, theirs):.3f})")
        rank = f"{ranks[m]:.2f}" if m in ranks else "-"
        lines.append(f"| {m} | {len(have)} | {mean:.3f} | {rank} | "
                     f"{sd:.3f} | {lead} |")
    complete = [c for c in cells if all(m in c for m in methods)]
    if complete and len(complete) < len(cells):
        ranks = _ranks(complete, methods)
        lines.append(f"\nAverage rank over the {len(complete)} cells where all {len(methods)} "
                     "methods ran: " + ", ".join(f"{m} {r:.2f}" for m, r in
                                                 sorted(ranks.items(), key=lambda kv: kv[1])) + ".")
    lines.append("")
    return lines


def _by_dataset(cells, datasets, clf):
    """Each method's mean over each data set's cells (where it ran on all of them), the
    best of a row in bold: where the GAN pays and where a peer does as well."""
    methods = ["GAN", *PEERS]
    lines = [f"**{clf}, by data set**: each method's mean over the data set's cells ('-': it "
             "could not run on every cell of it); the best of each row in bold.", "",
             "| data set | cells | " + " | ".join(methods) + " |",
             "| --- | --- | " + " | ".join("---" for _ in methods) + " |"]
    for dataset in dict.fromkeys(datasets):
        own = [c for c, d in zip(cells, datasets) if d == dataset]
        means = {m: np.mean([c[m][0] for c in own]) for m in methods if all(m in c for c in own)}
        best = max(means.values())
        shown = [("-" if m not in means else
                  f"**{means[m]:.3f}**" if means[m] >= best - 5e-4 else f"{means[m]:.3f}")
                 for m in methods]
        lines.append(f"| {dataset} | {len(own)} | " + " | ".join(shown) + " |")
    lines.append("")
    return lines


def _ranks(cells, methods):
    if not cells:
        return {}
    M = np.array([[c[m][0] for m in methods] for c in cells])
    r = np.mean([rankdata(-row) for row in M], axis=0)
    return dict(zip(methods, r))


def _replay_check(rows, stored, source):
    """A line saying whether the draws with the cell's own seed replay the stored
    ``ts_oversamplers.py`` scores (the same protocol, so they should)."""
    if stored is None:
        return ""
    table = {(r["dataset"], r["regime"], r["seed"], r["classifier"], r["oversampler"]):
             r["balanced_accuracy"] for r in stored}
    same = differ = 0
    worst = 0.0
    for r in rows:
        for peer, entry in r["scores"].items():
            if entry is None:
                continue
            for clf, v in entry["replay"].items():
                key = (r["dataset"], r["regime"], r["seed"], clf, peer)
                if key in table:
                    gap = abs(v - table[key])
                    worst = max(worst, gap)
                    same += gap < 1e-9
                    differ += gap >= 1e-9
    return (f"Replay check against the stored single draws "
            f"({', '.join(f'`{Path(f).name}`' for f in source)}): "
            f"{same} scores identical, {differ} differ (largest gap {worst:.3f}).")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", nargs="+", default=QUICK)
    parser.add_argument("--regime", default="three", choices=REGIMES)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--gan", help="the draw_noise.py run on the same splits (results/NAME.json)")
    parser.add_argument("--peers", nargs="+", default=[],
                        help="stored ts_oversamplers.py .json files to check the replays against")
    parser.add_argument("--name", help="results file suffix")
    parser.add_argument("--fcn", action="store_true",
                        help="score every draw with ts_oversamplers.py's FCN as well (slower)")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--pooled", action="store_true",
                        help="with several --runs, also one table over all their cells together")
    parser.add_argument("--runs", nargs="+", default=[],
                        help="stored runs NAME:GAN_RUN (results/peer_draws_NAME.json) to report together")
    args = parser.parse_args()
    stored = [row for f in args.peers for row in json.loads(Path(f).read_text())] or None
    runs, args.gan_of = {}, {}
    for spec in args.runs:
        name, gan = spec.split(":")
        runs[name] = json.loads((RESULTS / f"peer_draws_{name}.json").read_text())
        args.gan_of[name] = gan
    if args.report_only:
        out = RESULTS / ("peer_draws" + (f"_{args.name}" if args.name else ""))
    else:
        out = RESULTS / f"peer_draws_{args.name}"
        runs[args.name] = run(args, out)
        args.gan_of[args.name] = args.gan
    gan_runs = {n: json.loads((RESULTS / f"{g}.json").read_text()) for n, g in args.gan_of.items()}
    report(runs, gan_runs, stored, args, out)


if __name__ == "__main__":
    main()
