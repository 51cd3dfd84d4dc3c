"""The GAN against the oversamplers built for time series (aeon's OHIT and ESMOTE) and
the flattened ones, in the few-shot and imbalanced regimes.

    python benchmarks/ts_oversamplers.py --quick
    python benchmarks/ts_oversamplers.py --regimes three five eighth tenth2 \\
        --datasets GunPoint ArrowHead ItalyPowerDemand OSULeaf UnitTest --seeds 0 1 2 3 4

Data: the equal-length classification sets that sktime and aeon bundle (``--datasets``
choices), the unequal-length PickupGestureWiimoteZ and JapaneseVowels in the archive's
equal-length versions that aeon bundles beside them (see ``imbalanced_classification.load``).

Protocol, per data set, regime and seed: sktime's train and test parts merged and split
stratified 50/50 (the test half untouched); in the training half
- ``three`` / ``five``: one class (the seed picks which, cycling) cut to exactly 3 / 5 series;
- ``eighth``: one class cut to 1/8 of the largest (at least 3);
- ``tenth2``: two classes cut to 1/10 of the largest (at least 3; data sets of 3+ classes).
Every oversampler brings every class up to the majority count: none, random
oversampling (ROS), SMOTE and ADASYN (imbalanced-learn, on flattened series), jittering,
aeon's OHIT and ESMOTE (TWE distance; both univariate only: 'n/a' on multivariate
data), and the GAN with its defaults. Neighbour counts are capped by the smallest cut
class (SMOTE/ADASYN/ESMOTE ``k <= n - 1``; OHIT ``k``, ``kapa`` at most ``n - 1``).
Classifiers: MiniRocket + ridge, 1-NN (Euclidean), and a small fully convolutional
network (Wang et al. 2017, narrowed) trained briefly in torch on the CPU.

Per cell: balanced accuracy, macro-F1, recall of the cut class(es). Per regime and
classifier: mean, average rank (1 = best), and a Wilcoxon signed-rank test of the GAN
against each peer over the cells. Novelty: the distance of each method's synthetic
series of a cut class to the nearest training series of that class, divided by the same
distance for the real held-out series of the class (median over series; below 1 means
closer to the training data than unseen real data are: copying). Critical-difference
diagrams (aeon.visualisation) are saved as PNGs.

Writes benchmarks/results/ts_oversamplers[_quick].{md,json} and ..._cd_*.png.
"""

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.stats import rankdata, wilcoxon
from sklearn.metrics import balanced_accuracy_score, f1_score, recall_score
from sklearn.model_selection import train_test_split

from _machine import machine, recorded_cpus
from imbalanced_classification import (CLASSIFIERS, LOADERS, flat_resampler, gan, jitter, load,
                                       mean_std_cells)

warnings.filterwarnings("ignore")

QUICK = dict(datasets=["GunPoint", "ItalyPowerDemand", "ArrowHead"], regimes=["three"],
             seeds=[0, 1, 2])


# ------------------------------------------------------------------ splits
# the regimes make_split knows: one class cut to 3 or 5 series or to 1/8 of the largest,
# or two classes cut to 1/10
REGIMES = ("three", "five", "eighth", "tenth2")


def make_split(X, y, seed, regime):
    """(X_train, y_train, X_test, y_test, cut classes) for a regime; None where the regime
    does not apply to the data set (two cut classes of a binary set)."""
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.5, stratify=y, random_state=seed)
    classes, counts = np.unique(y_tr, return_counts=True)
    if regime == "tenth2":
        if len(classes) < 3:
            return None
        cuts = [classes[(seed + i) % len(classes)] for i in range(2)]
        n_keep = max(3, counts.max() // 10)
    else:
        cuts = [classes[seed % len(classes)]]
        n_keep = {"three": 3, "five": 5, "eighth": max(3, counts.max() // 8)}[regime]
    rng = np.random.default_rng(seed)
    keep = [np.flatnonzero(~np.isin(y_tr, cuts))]
    for cut in cuts:
        members = np.flatnonzero(y_tr == cut)
        keep.append(rng.choice(members, min(n_keep, len(members)), replace=False))
    keep = np.sort(np.concatenate(keep))
    return X_tr[keep], y_tr[keep], X_te, y_te, [str(c) for c in cuts]


# ------------------------------------------------------------ oversamplers
def splits(datasets, regimes, seeds):
    """(data set, regime, seed, split) for every cell of the protocol that exists (a
    regime a data set cannot hold, such as two cut classes of a binary set, is skipped)."""
    for dataset in datasets:
        X, y = load(dataset)
        for regime in regimes:
            for seed in seeds:
                split = make_split(X, y, seed, regime)
                if split is not None:
                    yield dataset, regime, seed, split


def _smallest(y):
    return int(np.unique(y, return_counts=True)[1].min())


def _imblearn(kind):
    def make(seed, y):
        from imblearn.over_sampling import ADASYN, SMOTE

        k = max(1, min(5, _smallest(y) - 1))
        if kind == "ADASYN":
            return ADASYN(n_neighbors=k, random_state=seed)
        return SMOTE(k_neighbors=k, random_state=seed)
    return flat_resampler(make)


def _ros(seed, y):
    from imblearn.over_sampling import RandomOverSampler

    return RandomOverSampler(random_state=seed)


def _aeon(kind):
    def run(X, y, seed):
        if X.shape[1] != 1:
            return None  # univariate only
        from aeon.transformations.collection.imbalance import ESMOTE, OHIT

        n = _smallest(y)
        if kind == "OHIT":
            k = min(int(np.ceil(1.25 * n ** 0.5)), n - 1)
            kapa = min(int(np.ceil(n ** 0.5)), n - 1)
            sampler = OHIT(k=max(1, k), kapa=max(1, kapa), random_state=seed)
        else:
            sampler = ESMOTE(n_neighbors=max(1, min(5, n - 1)), random_state=seed)
        return sampler.fit_transform(X, y)
    return run


OVERSAMPLERS = {
    "none": lambda X, y, seed: (X, y),
    "ROS": flat_resampler(_ros),
    "SMOTE": _imblearn("SMOTE"),
    "ADASYN": _imblearn("ADASYN"),
    "jitter": jitter,
    "OHIT": _aeon("OHIT"),
    "ESMOTE": _aeon("ESMOTE"),
    "GAN": gan,
}


# ------------------------------------------------------- deep classifier
def fcn(X, y, X_test, seed, steps=300, batch=32, sample_weight=None):
    """A fully convolutional network (Wang et al. 2017, filters 32/64/32 instead of
    128/256/128), Adam for ``steps`` steps on per-series z-normalised input; with
    ``sample_weight``, each batch's cross-entropy is the weighted mean."""
    import torch
    from torch import nn

    g = torch.Generator().manual_seed(seed)
    classes, codes = np.unique(y, return_inverse=True)

    def prep(A):
        A = (A - A.mean(2, keepdims=True)) / (A.std(2, keepdims=True) + 1e-8)
        return torch.as_tensor(A, dtype=torch.float32)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layers, width = [], X.shape[1]
        for out, k in ((32, 7), (64, 5), (32, 3)):
            layers += [nn.Conv1d(width, out, k, padding=k // 2), nn.BatchNorm1d(out), nn.ReLU()]
            width = out
        model = nn.Sequential(*layers, nn.AdaptiveAvgPool1d(1), nn.Flatten(),
                              nn.Linear(width, len(classes)))
    Xt, yt = prep(X), torch.as_tensor(codes)
    wt = None if sample_weight is None else torch.as_tensor(sample_weight, dtype=torch.float32)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for _ in range(steps):
        idx = torch.randint(len(Xt), (min(batch, len(Xt)),), generator=g)
        if wt is None:
            loss = nn.functional.cross_entropy(model(Xt[idx]), yt[idx])
        else:
            each = nn.functional.cross_entropy(model(Xt[idx]), yt[idx], reduction="none")
            loss = (each * wt[idx]).sum() / wt[idx].sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(prep(X_test)).argmax(1).numpy()
    return classes[pred]


ALL_CLASSIFIERS = {**CLASSIFIERS, "FCN": fcn}


# ----------------------------------------------------------------- novelty
def novelty(X_res, y_res, n_real, X_tr, y_tr, X_te, y_te, cuts):
    """Median nearest-training distance of the synthetic series of the cut classes over
    that of the held-out real series of those classes (None without synthetic rows)."""
    ratios = []
    synth_X, synth_y = np.asarray(X_res[n_real:]), np.asarray(y_res[n_real:])
    for cut in cuts:
        train = X_tr[y_tr.astype(str) == cut].reshape((y_tr.astype(str) == cut).sum(), -1)
        new = synth_X[synth_y.astype(str) == cut]
        held = X_te[y_te.astype(str) == cut]
        if len(new) == 0 or len(held) == 0:
            continue

        def nearest(A):
            A = A.reshape(len(A), -1)
            d = ((A[:, None, :] - train[None, :, :]) ** 2).sum(-1)
            return np.sqrt(d.min(1))
        ratios.append(np.median(nearest(new)) / max(np.median(nearest(held)), 1e-12))
    return float(np.mean(ratios)) if ratios else None


def score_rows(X_res, y_res, split, classifiers, seed, sample_weight=None, **keys):
    """One result row per classifier trained on (X_res, y_res): its balanced accuracy,
    macro F1 and recall of the cut classes on the split's test set, and the novelty of
    the added rows (``sample_weight``: per row of X_res, for the classifiers that take
    weights); ``keys`` (data set, regime, method, ...) go into every row."""
    X_tr, y_tr, X_te, y_te, cuts = split
    X_res = np.asarray(X_res, dtype=np.float64)
    nov = novelty(X_res, y_res, len(X_tr), X_tr, y_tr, X_te, y_te, cuts)
    rows = []
    for clf_name, clf in classifiers.items():
        weights = {} if sample_weight is None else {"sample_weight": sample_weight}
        pred = np.asarray(clf(X_res, y_res, X_te, seed, **weights)).astype(y_te.dtype)
        rows.append(dict(
            **keys, seed=seed, cuts=cuts, classifier=clf_name, novelty=nov,
            balanced_accuracy=balanced_accuracy_score(y_te, pred),
            macro_f1=f1_score(y_te, pred, average="macro"),
            cut_recall=recall_score(y_te, pred, labels=cuts, average="macro")))
    return rows


# -------------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true",
                        help=f"the quick subset: {QUICK}")
    parser.add_argument("--datasets", nargs="+", choices=list(LOADERS))
    parser.add_argument("--regimes", nargs="+", choices=REGIMES)
    parser.add_argument("--seeds", type=int, nargs="+")
    parser.add_argument("--no-fcn", action="store_true", help="skip the deep classifier")
    parser.add_argument("--methods", nargs="+", choices=list(OVERSAMPLERS),
                        default=list(OVERSAMPLERS),
                        help="the oversamplers to run (default: all; e.g. all but GAN to "
                             "give downstream_levers.py its peers)")
    parser.add_argument("--name", help="results file name (default: ts_oversamplers, or "
                                       "ts_oversamplers_quick with --quick)")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the report from the stored results (.json) of the run "
                             "named by the same options, keeping its list of failures; with "
                             "--merge, one report over the stored runs named there")
    parser.add_argument("--merge", nargs="+", default=[],
                        help="stored results (.json) of earlier runs on other seeds, added "
                             "to this run's cells of the same data sets and regimes before "
                             "the report (e.g. seeds 3 4 run after seeds 0 1 2)")
    parser.add_argument("--drop-merged", nargs="+", choices=list(OVERSAMPLERS), default=[],
                        help="methods whose rows in the --merge files are left out, because "
                             "this run runs them again (e.g. --methods GAN --drop-merged GAN "
                             "after a change of the GAN's defaults: the peers' stored cells "
                             "with new GAN cells on the same splits)")
    args = parser.parse_args()
    for key, value in QUICK.items():
        if getattr(args, key) is None:
            setattr(args, key, value if args.quick else {
                "datasets": ["GunPoint", "ArrowHead", "ItalyPowerDemand", "BasicMotions",
                             "OSULeaf", "UnitTest"],
                "regimes": list(REGIMES),
                "seeds": [0, 1, 2, 3, 4]}[key])
    classifiers = {k: v for k, v in ALL_CLASSIFIERS.items() if not (args.no_fcn and k == "FCN")}
    name = args.name or ("ts_oversamplers_quick" if args.quick else "ts_oversamplers")
    out = Path(__file__).resolve().parent / "results" / name
    if args.report_only:
        rewrite_report(args, classifiers, out)
        return
    rows, failures = [], []
    for dataset, regime, seed, split in splits(args.datasets, args.regimes, args.seeds):
        X_tr, y_tr = split[:2]
        for sampler_name in args.methods:
            sampler = OVERSAMPLERS[sampler_name]
            t0 = time.perf_counter()
            try:
                result = sampler(X_tr, y_tr, seed)
            except Exception as exc:  # e.g. ADASYN finding no neighbours to use
                failures.append(f"{dataset} {regime} seed {seed} {sampler_name}: "
                                f"{type(exc).__name__}: {str(exc)[:120]}")
                print(failures[-1], flush=True)
                continue
            seconds = time.perf_counter() - t0
            if result is None:
                print(f"{dataset} {regime} seed {seed} {sampler_name}: n/a", flush=True)
                continue
            rows += score_rows(result[0], np.asarray(result[1]), split, classifiers,
                               seed, dataset=dataset, regime=regime,
                               oversampler=sampler_name, seconds=seconds, cpu=machine())
            print(f"{dataset} {regime} seed {seed} {sampler_name:<7} {seconds:6.1f}s "
                  + "  ".join(f"{r['classifier']} {r['balanced_accuracy']:.3f}"
                              for r in rows[-len(classifiers):]), flush=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        Path(str(out) + ".json").write_text(json.dumps(rows, indent=1))
    if args.merge:
        rows = merged(rows, args)
        Path(str(out) + ".json").write_text(json.dumps(rows, indent=1))
    tail = ("\n## Failures\n\n" + "\n".join(f"- {f}" for f in failures) + "\n"
            if failures else "") + (
        "\nFailures of the merged runs' cells are listed in their own reports.\n"
        if args.merge else "")
    Path(str(out) + ".md").write_text(report(rows, args, classifiers, out) + tail)
    print(Path(str(out) + ".md").read_text())


def rewrite_report(args, classifiers, out):
    """The report of a stored run (``out``.json, merged rows included) written again by
    this code; the failures that run listed (not in the .json) are carried over from its
    report. With ``--merge``, the stored runs named there (their cells on the chosen data
    sets and regimes) make up ``out``.json instead: one report over several runs."""
    if args.merge:
        rows = merged([], args)
        Path(str(out) + ".json").write_text(json.dumps(rows, indent=1))
    else:
        rows = json.loads(Path(str(out) + ".json").read_text())
    md = Path(str(out) + ".md")
    old = md.read_text() if md.exists() else ""
    tail = old[old.index("\n## Failures"):] if "\n## Failures" in old else (
        "\nFailures of the merged runs' cells are listed in their own reports.\n"
        if args.merge else "")
    md.write_text(report(rows, args, classifiers, out) + tail)
    print(md.read_text())


def merged(rows, args):
    """This run's rows and those of the ``--merge`` files on its data sets and regimes,
    less the ``--drop-merged`` methods' rows; a method's cell (data set, regime, seed) in
    both is refused, not counted twice."""
    def key(r):
        return r["dataset"], r["regime"], r["seed"], r["oversampler"]
    earlier = [r for path in args.merge for r in json.loads(Path(path).read_text())
               if r["dataset"] in args.datasets and r["regime"] in args.regimes
               and r["oversampler"] not in args.drop_merged]
    twice = {key(r) for r in rows} & {key(r) for r in earlier}
    if twice:
        raise SystemExit(f"--merge: cells run again in this run: {sorted(twice)}")
    return earlier + rows


def _cells(rows, regime, clf, metric, names):
    """(cell keys, matrix cells x names) over the cells where every method ran."""
    keys = sorted({(r["dataset"], r["seed"]) for r in rows if r["regime"] == regime})
    table = {(r["dataset"], r["seed"], r["oversampler"]): r[metric] for r in rows
             if r["regime"] == regime and r["classifier"] == clf}
    keys = [k for k in keys if all((*k, s) in table for s in names)]
    return keys, np.array([[table[(*k, s)] for s in names] for k in keys])


def _table(rows, regime, clf, metric):
    """{(data set, seed): {method: value}} of one regime and classifier."""
    table = {}
    for r in rows:
        if r["regime"] == regime and r["classifier"] == clf:
            table.setdefault((r["dataset"], r["seed"]), {})[r["oversampler"]] = r[metric]
    return table


def paired_p(a, b):
    """Wilcoxon signed-rank p of scores ``a`` against ``b`` (same cells); 1.0 where they
    are equal in every cell (the test is undefined there)."""
    a, b = np.asarray(a), np.asarray(b)
    return wilcoxon(a, b).pvalue if np.any(a != b) else 1.0


def paired_summary(a, b):
    """Cell-by-cell comparison of scores ``a`` and ``b`` (same cells): the report cells
    'mean difference | wins / ties / losses | Wilcoxon p' of a minus b."""
    diff = np.asarray(a) - np.asarray(b)
    p = paired_p(a, b)
    return (f"{diff.mean():+.3f} | {(diff > 0).sum()} / {(diff == 0).sum()} / "
            f"{(diff < 0).sum()} | {p:.3f}")


def _gan_against_each(rows, regime, clf, metric, names):
    """Report lines: the GAN against each peer over every cell where both ran, so that a
    method that failed or cannot run in some cells (ADASYN on OSULeaf, aeon's univariate
    samplers on multivariate data) drops only those cells from its own comparison; and the
    average rank among the methods that ran in every cell the GAN ran in."""
    table = {k: v for k, v in _table(rows, regime, clf, metric).items() if "GAN" in v}
    if not table:
        return []
    lines = ["", f"GAN against each peer over every cell where both ran ({len(table)} cells "
             "with the GAN): cells, GAN minus peer (mean), GAN wins / ties / losses, Wilcoxon p:", "",
             "| peer | cells | GAN minus peer | wins / ties / losses | p |",
             "| --- | --- | --- | --- | --- |"]
    for peer in names:
        if peer == "GAN":
            continue
        pairs = np.array([(v["GAN"], v[peer]) for v in table.values() if peer in v])
        if not len(pairs):
            lines.append(f"| {peer} | 0 | - | - | - |")
            continue
        lines.append(f"| {peer} | {len(pairs)} | {paired_summary(pairs[:, 0], pairs[:, 1])} |")
    everywhere = [s for s in names if all(s in v for v in table.values())]
    if len(everywhere) > 1:
        M = np.array([[v[s] for s in everywhere] for v in table.values()])
        ranks = np.array([rankdata(-row) for row in M]).mean(0)
        lines += ["", f"Average rank among the {len(everywhere)} methods that ran in all "
                  f"{len(table)} cells: " + ", ".join(
                      f"{s} {r:.2f}" for s, r in sorted(zip(everywhere, ranks), key=lambda t: t[1]))
                  + "."]
    return lines


def report(rows, args, classifiers, out):
    command = "python benchmarks/ts_oversamplers.py " + ("--quick " if args.quick else "") + (
        f"--datasets {' '.join(args.datasets)} --regimes {' '.join(args.regimes)} "
        f"--seeds {' '.join(map(str, args.seeds))}") + (" --no-fcn" if args.no_fcn else "") + (
        "" if args.methods == list(OVERSAMPLERS) else " --methods " + " ".join(args.methods)) + (
        f" --name {args.name}" if args.name else "") + (
        " --report-only" if args.report_only and args.merge else "") + (
        " --merge " + " ".join(f"benchmarks/results/{Path(p).name}" for p in args.merge)
        if args.merge else "") + (
        " --drop-merged " + " ".join(args.drop_merged) if args.drop_merged else "")
    names = [s for s in OVERSAMPLERS if any(r["oversampler"] == s for r in rows)]
    lines = ["# The GAN against time-series and flattened oversamplers", "",
             f"Command: `{command}`. Machine: {'; '.join(recorded_cpus(rows))}, 2 CPU cores. "
             "Mean (std) over seeds; 'n/a': the method cannot run on the data "
             "(aeon's OHIT and ESMOTE are univariate only).", ""]
    for regime in args.regimes:
        lines += [f"## Regime `{regime}`", ""]
        for clf in classifiers:
            for metric in ("balanced_accuracy", "macro_f1", "cut_recall"):
                lines += [f"### {clf}: {metric}", "", "| dataset | " + " | ".join(names) + " |",
                          "| --- |" + " --- |" * len(names)]
                for ds in args.datasets:
                    cells = mean_std_cells(rows, names, metric, dataset=ds, regime=regime,
                                           classifier=clf)
                    if any(c != "n/a" for c in cells):
                        lines.append(f"| {ds} | " + " | ".join(cells) + " |")
                keys, M = _cells(rows, regime, clf, metric, names)
                if len(keys):
                    lines.append(f"| **mean over the {len(keys)} cells all ran** | " + " | ".join(
                        f"**{m:.3f}**" for m in M.mean(0)) + " |")
                    ranks = np.array([rankdata(-row) for row in M])
                    lines.append("| avg rank | " + " | ".join(f"{m:.2f}" for m in ranks.mean(0)) + " |")
                    if metric == "balanced_accuracy" and "GAN" in names:
                        g = M[:, names.index("GAN")]
                        tests = []
                        for j, s in enumerate(names):
                            if s == "GAN":
                                continue
                            diff = g - M[:, j]
                            p = paired_p(g, M[:, j])
                            tests.append(f"{s} {diff.mean():+.3f} (p={p:.3f})")
                        lines.append("")
                        lines.append("GAN minus peer, mean over cells (Wilcoxon signed-rank p): "
                                     + "; ".join(tests) + ".")
                        _cd_diagram(M, names, Path(f"{out}_cd_{regime}_{clf.replace('+', '_')}.png"))
                if metric == "balanced_accuracy" and "GAN" in names:
                    lines += _gan_against_each(rows, regime, clf, metric, names)
                lines.append("")
        nov = {s: [r["novelty"] for r in rows if r["regime"] == regime and r["oversampler"] == s
                   and r["classifier"] == next(iter(classifiers)) and r["novelty"] is not None]
               for s in names}
        lines += ["### Novelty (synthetic nearest-training distance / held-out real's; < 1: "
                  "closer than unseen real series, copying)", "",
                  "| " + " | ".join(s for s in names if nov[s]) + " |",
                  "|" + " --- |" * sum(1 for s in names if nov[s]),
                  "| " + " | ".join(f"{np.median(nov[s]):.2f}" for s in names if nov[s]) + " |", ""]
        secs = {s: np.mean([r["seconds"] for r in rows if r["regime"] == regime
                            and r["oversampler"] == s]) for s in names}
        lines += ["Seconds per oversampling (mean): " + ", ".join(
            f"{s} {secs[s]:.2f}" for s in names) + ".", ""]
    return "\n".join(lines) + "\n"


def _cd_diagram(M, names, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        from aeon.visualisation import plot_critical_difference

        fig, _ = plot_critical_difference(M, names, test="wilcoxon", correction="holm")
        fig.savefig(path, bbox_inches="tight", dpi=120)
        import matplotlib.pyplot as plt

        plt.close(fig)
    except Exception as exc:  # a diagram is a picture of the table, never a reason to stop
        print(f"critical-difference diagram {path.name} not drawn: {exc}")


if __name__ == "__main__":
    main()
