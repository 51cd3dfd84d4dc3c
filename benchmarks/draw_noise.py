"""How much one draw of a fitted augmenter moves the classifier after it.

    python benchmarks/draw_noise.py --seeds 0 1 2 3 4 [--datasets ...] [--regime five]
    python benchmarks/draw_noise.py --report-only --runs NAME ...

Per cell of ``ts_oversamplers.py``'s protocol (data set, regime, seed: the same split), the
augmenter is fitted once with its defaults (``sampling_strategy='not majority'``,
``random_state=seed``); ``fit_resample``'s own draw (``GAN``, the row every benchmark
reports) is then set beside ``--streams`` fresh draws of the same model,
``sample(n, labels, random_state=1000 + k)``, the labels in ``sampling_strategy_``'s
order, and ``--reordered`` of those streams again with the labels sorted (``np.unique``
order, as ``downstream_levers.py`` draws them): the same draw must score the same
whatever the order. Classifiers: 1-NN (Euclidean) and MiniRocket + ridge, as in
``imbalanced_classification.py``; balanced accuracy on the split's untouched test half.

The report gives, per classifier: the rank of ``fit_resample``'s draw among all the
draws of its cell (1 = best; with no difference between streams its mean is the middle
rank), its mean minus the fresh streams' mean, the spread of a cell's score from draw to
draw, and the spread of the mean over the cells from one stream to another (how far a
benchmark's single-draw mean can move by the draw alone); and, against each peer of a
stored ``ts_oversamplers.py`` run on the same splits (``--peers``), the GAN's lead with its
``fit_resample`` draw (what that benchmark reports) and with the mean over the fresh
draws (the GAN's expected score on the cell), each with a Wilcoxon p over the cells where
the peer ran. Writes
benchmarks/results/draw_noise_NAME.{md,json} (NAME from ``--name``, default the seeds);
``--report-only --runs NAME ...`` puts stored runs in one report, draw_noise.md, with each
later run set against the first cell by cell (expected scores: an ablation's effect).
``--params`` fits the augmenter with other parameters; ``--recurrent-steps R`` sets each
data set's ``chunk_length`` so that the recurrence runs R steps (a speed lever);
``--lever NAME`` patches one of ``step_levers.py``'s training levers in; ``--fcn`` scores
every draw with ``ts_oversamplers.py``'s small FCN as well.
"""

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import balanced_accuracy_score

from imbalanced_classification import minirocket_ridge, one_nn
from rgan_augment import RecurrentGANAugmenter
from rgan_augment.gan.config import auto_chunk, auto_hidden
from _machine import machine, recorded_cpus
from _variant import variant_params
import step_levers
from ts_oversamplers import REGIMES, fcn, novelty, paired_p, paired_summary, splits

RESULTS = Path(__file__).resolve().parent / "results"
CLASSIFIERS = {"1-NN": one_nn, "MiniRocket+ridge": minirocket_ridge}
WITH_FCN = {**CLASSIFIERS, "FCN": fcn}  # ``--fcn``: the deep classifier of ts_oversamplers.py too
QUICK = ["GunPoint", "ItalyPowerDemand", "ArrowHead"]
STREAMS, REORDERED = 10, 5  # fresh draws per fit, and those drawn again with sorted labels


def cell_scores(split, seed, n_streams, n_reordered, params=None, classifiers=CLASSIFIERS):
    """{draw name: {classifier: balanced accuracy}} for one cell, the fit's seconds and
    the novelty of ``fit_resample``'s draw (``ts_oversamplers.novelty``: its nearest-training
    distance over the held-out real series'; ``params``: augmenter parameters other than
    the defaults, for an ablation; ``classifiers``: {name: classifier} scoring each draw)."""
    X_tr, y_tr, X_te, y_te, cuts = split
    aug = RecurrentGANAugmenter(sampling_strategy="not majority", random_state=seed,
                                **(params or {}))
    t0 = time.perf_counter()
    X_gan, y_gan = aug.fit_resample(X_tr, y_tr)
    seconds = time.perf_counter() - t0
    closeness = novelty(X_gan, y_gan, len(X_tr), X_tr, y_tr, X_te, y_te, cuts)
    in_order = np.array([c for c, n in aug.sampling_strategy_.items() for _ in range(n)],
                        dtype=y_tr.dtype)
    in_unique_order = np.sort(in_order, kind="stable")
    draws = {"GAN": (X_gan[len(X_tr):], in_order)}
    for k in range(n_streams):
        draws[f"stream{k}"] = (aug.sample(len(in_order), in_order, random_state=1000 + k), in_order)
    for k in range(n_reordered):
        draws[f"reordered{k}"] = (aug.sample(len(in_order), in_unique_order,
                                             random_state=1000 + k), in_unique_order)
    scores = {name: balanced_accuracies(np.concatenate([X_tr, synthetic]),
                                        np.concatenate([y_tr, labels]), split, seed, classifiers)
              for name, (synthetic, labels) in draws.items()}
    return scores, seconds, closeness


def balanced_accuracies(X_res, y_res, split, seed, classifiers=CLASSIFIERS):
    """{classifier: balanced accuracy on the split's test half} of each of ``classifiers``
    trained on (X_res, y_res) with the cell's ``seed``."""
    _, _, X_te, y_te, _ = split
    X_res = np.asarray(X_res, dtype=np.float64)
    return {name: balanced_accuracy_score(y_te, np.asarray(clf(X_res, y_res, X_te, seed)).astype(y_te.dtype))
            for name, clf in classifiers.items()}


def shorter_recurrence(n_timepoints, recurrent_steps):
    """Parameters of the ``--recurrent-steps`` lever: each recurrent step emits
    ``ceil(n_timepoints / recurrent_steps)`` steps (the default's ``chunk_length='auto'``
    keeps the recurrence at ~32 steps), at the hidden size the default gives that length."""
    return {"chunk_length": math.ceil(n_timepoints / recurrent_steps),
            "hidden_size": auto_hidden(auto_chunk(n_timepoints))}


def run(args, out):
    rows, params = [], variant_params(args)
    classifiers = WITH_FCN if args.fcn else CLASSIFIERS
    for dataset, regime, seed, split in splits(args.datasets, [args.regime], args.seeds):
        cell_params = params
        if args.recurrent_steps:
            cell_params = {**params, **shorter_recurrence(split[0].shape[-1], args.recurrent_steps)}
        scores, seconds, closeness = cell_scores(split, seed, args.streams, args.reordered,
                                                 cell_params, classifiers)
        rows.append(dict(dataset=dataset, regime=regime, seed=seed, seconds=seconds,
                         params=params, recurrent_steps=args.recurrent_steps,
                         cell_params=cell_params, lever=args.lever, cpu=machine(),
                         novelty=closeness,
                         scores=scores))
        print(dataset, regime, seed, f"{seconds:.0f} s",
              "  ".join(f"{c} GAN {scores['GAN'][c]:.3f}" for c in classifiers), flush=True)
        out.with_suffix(".json").write_text(json.dumps(rows, indent=1))
    return rows


def _draws(row, clf, kind):
    """One cell's scores under ``clf`` of its draws of ``kind`` ('stream': the fresh
    draws; 'reordered': the same seeds with the labels sorted), in stream order."""
    return [row["scores"][f"{kind}{k}"][clf]
            for k in range(sum(name.startswith(kind) for name in row["scores"]))]


def scored_classifiers(rows):
    """The classifiers that scored the draws of the stored ``rows`` (``--fcn`` adds one)."""
    return [clf for clf in WITH_FCN if clf in rows[0]["scores"]["GAN"]]


def summary(rows, clf):
    """The figures of one classifier over ``rows`` (cells)."""
    own = np.array([r["scores"]["GAN"][clf] for r in rows])
    fresh = np.array([_draws(r, clf, "stream") for r in rows])
    reordered = np.array([_draws(r, clf, "reordered") for r in rows])
    n_streams = fresh.shape[1]
    ranks = np.array([1 + (f > g).sum() + 0.5 * (f == g).sum() for g, f in zip(own, fresh)])
    diff = own - fresh.mean(1)
    order_gap = reordered - fresh[:, : reordered.shape[1]] if reordered.size else np.zeros(1)
    return dict(cells=len(rows), own=own.mean(), fresh=fresh.mean(), diff=diff.mean(),
                p=paired_p(own, fresh.mean(1)), rank=ranks.mean(),
                middle=(n_streams + 2) / 2, rank_sd=np.sqrt(((n_streams + 1) ** 2 - 1) / 12 / len(rows)),
                cell_sd=np.median(fresh.std(1, ddof=1)), cell_sd_max=fresh.std(1, ddof=1).max(),
                mean_sd=fresh.mean(0).std(ddof=1), mean_range=np.ptp(fresh.mean(0)),
                order_gap=np.abs(order_gap).max())


def _against_peers(runs, peer_rows, source):
    """Report lines: the GAN's lead over each stored peer, its own draw and its fresh
    draws' mean, over the cells of ``runs`` where the peer ran."""
    stored = {(r["dataset"], r["regime"], r["seed"], r["classifier"], r["oversampler"]):
              r["balanced_accuracy"] for r in peer_rows}
    peers = sorted({r["oversampler"] for r in peer_rows} - {"GAN"})
    lines = ["", f"Against the peers of `{Path(source).name}` (same splits and classifier seeds; "
             "GAN's lead, mean over the cells where the peer ran, Wilcoxon p):", "",
             "| run | classifier | peer | cells | with `fit_resample`'s draw (p) | with the fresh draws' mean (p) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, rows in runs.items():
        for clf in scored_classifiers(rows):
            for peer in peers:
                own, fresh, theirs = [], [], []
                for r in rows:
                    key = (r["dataset"], r["regime"], r["seed"], clf, peer)
                    if key not in stored:
                        continue
                    theirs.append(stored[key])
                    own.append(r["scores"]["GAN"][clf])
                    fresh.append(np.mean(_draws(r, clf, "stream")))
                if not theirs:
                    continue
                d_own, d_fresh = np.subtract(own, theirs), np.subtract(fresh, theirs)
                p = [paired_p(mine, theirs) for mine in (own, fresh)]
                lines.append(f"| {name} | {clf} | {peer} | {len(theirs)} | {d_own.mean():+.3f} "
                             f"({p[0]:.3f}) | {d_fresh.mean():+.3f} ({p[1]:.3f}) |")
    return lines


def _median_novelty(rows):
    """The median novelty of ``fit_resample``'s draws over ``rows`` ('-' where the rows were
    stored before it was recorded): below 1, the draws sit closer to the training series
    of their class than held-out real series of it do."""
    values = [r["novelty"] for r in rows if r.get("novelty") is not None]
    return f"{np.median(values):.2f}" if len(values) == len(rows) else "-"


def _against_first_run(runs):
    """Report lines: each later run's expected score (the fresh draws' mean) minus the
    first run's, cell by cell over the cells both fitted, with its fit time."""
    (base_name, base_rows), *others = runs.items()
    base = {(r["dataset"], r["regime"], r["seed"]): r for r in base_rows}
    lines = ["", f"Each run against `{base_name}`, cell by cell (expected scores: the mean "
             "over a fit's fresh draws):", "",
             "| run | classifier | data set | cells | first run | this run | this minus first "
             "| wins / ties / losses | Wilcoxon p | fit s (first, this) | novelty (first, this) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, rows in others:
        pairs = [(base[k], r) for r in rows if (k := (r["dataset"], r["regime"], r["seed"])) in base]
        if not pairs:
            lines.append(f"| {name} | - | - | 0 (no cell in common) | | | | | | | |")
            continue
        for clf in [c for c in scored_classifiers(rows) if c in scored_classifiers(base_rows)]:
            for dataset in ["all", *dict.fromkeys(r["dataset"] for _, r in pairs)]:
                chosen = [(a, b) for a, b in pairs if dataset in ("all", b["dataset"])]
                first = np.array([np.mean(_draws(a, clf, "stream")) for a, _ in chosen])
                this = np.array([np.mean(_draws(b, clf, "stream")) for _, b in chosen])
                seconds = [np.mean([x["seconds"] for x in side]) for side in zip(*chosen)]
                closeness = ", ".join(_median_novelty(side) for side in zip(*chosen))
                lines.append(f"| {name} | {clf} | {dataset} | {len(chosen)} | {first.mean():.3f} | "
                             f"{this.mean():.3f} | {paired_summary(this, first)} | "
                             f"{seconds[0]:.1f}, {seconds[1]:.1f} | {closeness} |")
    return lines


def run_command(name, rows):
    """The command that made the stored run ``rows``: options at their defaults left out."""
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    draws = {kind: sum(key.startswith(kind) for key in rows[0]["scores"])
             for kind in ("stream", "reordered")}
    return ("`python benchmarks/draw_noise.py"
            + (f" --datasets {' '.join(datasets)}" if datasets != QUICK else "")
            + f" --regime {rows[0]['regime']} --seeds "
            + " ".join(str(s) for s in sorted({r['seed'] for r in rows}))
            + (f" --streams {draws['stream']}" if draws["stream"] != STREAMS else "")
            + (f" --reordered {draws['reordered']}" if draws["reordered"] != REORDERED else "")
            + (f" --params '{json.dumps(rows[0]['params'])}'" if rows[0].get("params") else "")
            + (f" --recurrent-steps {rows[0]['recurrent_steps']}" if rows[0].get("recurrent_steps")
               else "")
            + (f" --lever {rows[0]['lever']}" if rows[0].get("lever") else "")
            + (" --fcn" if "FCN" in scored_classifiers(rows) else "")
            + f" --name {name}`")


def _machines(runs):
    """The machines the stored runs were fitted on (rows written before the CPU model was
    recorded say only that)."""
    everyone = recorded_cpus([r for rows in runs.values() for r in rows])
    if len(everyone) == 1:
        return everyone[0]
    return "; ".join(f"{name}: {', '.join(recorded_cpus(rows))}" for name, rows in runs.items())


def report(runs, args, out):
    commands = [run_command(name, rows) for name, rows in runs.items()]
    lines = ["# How much one draw moves the classifier", "",
             "Commands: " + "; ".join(commands) + (f"; then `--report-only --runs {' '.join(runs)}"
             + (f" --peers {args.peers}" if args.peers else "") + "`" if len(runs) > 1 else "")
             + f". Data sets: {', '.join(dict.fromkeys(r['dataset'] for rows in runs.values() for r in rows))}. "
             f"Machine: {_machines(runs)}, 2 CPU cores. One default fit per cell; "
             "`fit_resample`'s draw against fresh draws of the same model (`sample(..., "
             "random_state=1000 + k)`); balanced accuracy on the untouched test half.", "",
             "| run | classifier | cells | `fit_resample` draw | fresh draws | difference (p) "
             "| its rank (middle, sd) | draw-to-draw sd of a cell (median, max) "
             "| sd (range) of the cells' mean over streams | label order moves a draw by |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, rows in runs.items():
        for clf in scored_classifiers(rows):
            s = summary(rows, clf)
            lines.append(
                f"| {name} | {clf} | {s['cells']} | {s['own']:.3f} | {s['fresh']:.3f} | "
                f"{s['diff']:+.4f} ({s['p']:.3f}) | {s['rank']:.2f} ({s['middle']:.1f}, {s['rank_sd']:.2f}) | "
                f"{s['cell_sd']:.3f}, {s['cell_sd_max']:.3f} | {s['mean_sd']:.4f} ({s['mean_range']:.3f}) | "
                f"{s['order_gap']:.3f} |")
    if len(runs) > 1:
        lines += _against_first_run(runs)
    if args.peers:
        lines += _against_peers(runs, json.loads(Path(args.peers).read_text()), args.peers)
    fits = [r["seconds"] for rows in runs.values() for r in rows]
    lines += ["", f"Fits: {np.mean(fits):.1f} s mean over {len(fits)} (each cell's draws "
              "come from that one fit)."]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", nargs="+", default=QUICK)
    parser.add_argument("--regime", default="five", choices=REGIMES)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--streams", type=int, default=STREAMS)
    parser.add_argument("--reordered", type=int, default=REORDERED)
    parser.add_argument("--name", help="results file suffix (default: the seeds)")
    parser.add_argument("--params", default="{}",
                        help="augmenter parameters other than the defaults, as JSON (an ablation)")
    parser.add_argument("--recurrent-steps", type=int, default=None,
                        help="a speed lever: per data set, chunk_length so that the recurrence "
                             "runs this many steps, at the default's hidden size")
    parser.add_argument("--lever", type=step_levers.lever_name, default=None,
                        help="a training lever of step_levers.py patched in (e.g. augment)")
    parser.add_argument("--fcn", action="store_true",
                        help="score every draw with ts_oversamplers.py's FCN as well (slower)")
    parser.add_argument("--peers", help="a stored ts_oversamplers.py results .json on the same splits")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the report from the stored runs named by --runs")
    parser.add_argument("--runs", nargs="+", default=[],
                        help="stored runs (results/draw_noise_NAME.json) to report together")
    args = parser.parse_args()
    name = args.name or "seeds" + "-".join(map(str, args.seeds))
    out = RESULTS / f"draw_noise_{name}"
    runs = {n: json.loads((RESULTS / f"draw_noise_{n}.json").read_text()) for n in args.runs}
    if args.report_only:  # the stored runs in one report: draw_noise[_NAME].md
        out = RESULTS / ("draw_noise" + (f"_{args.name}" if args.name else ""))
    else:
        if args.lever:
            step_levers.apply(args.lever)
        runs[name] = run(args, out)
    report(runs, args, out)


if __name__ == "__main__":
    main()
