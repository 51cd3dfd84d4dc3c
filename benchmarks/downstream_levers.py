"""Which of the GAN's draws help the classifier after it (issue 24, part 3): variants of
what one fitted augmenter adds, on the splits of ``ts_oversamplers.py``.

    python benchmarks/downstream_levers.py [--regimes three] [--datasets ...] [--seeds 0 1 2]

Per data set, regime and seed (the same split as ``ts_oversamplers.py``), the augmenter is
fitted once with its defaults (``sampling_strategy='not majority'``); every variant then
brings each class up to the majority count from that one model:

- ``GAN``: the defaults (``fit_resample``): filtered draws, first margin above the bar;
- ``raw``: no sample filter;
- ``border``: of 8 unfiltered candidates per row, the one with the smallest positive
  filter margin (in the class but near its border, as Borderline-SMOTE picks), the best
  margin where none is positive;
- ``mixref``: example conditioning on a mixture of two stored examples of the class
  (weight uniform in [0, 1]) instead of one: draws between the references;
- ``GAN+real``: half of each class's added rows are GAN draws, half copies of its real
  series (random oversampling): the real series count more than any one draw;
- ``half``: default draws, but each class brought only halfway to the majority count
  (fewer variations of a few series; the classes stay partly imbalanced);
- ``weighted``: the default draws, each counting ``SYNTHETIC_WEIGHT`` of a real series
  in the classifier's fit (MiniRocket's ridge and the FCN; 1-NN takes no weights);
- ``perref``: default draws whose stored examples (``conditioning='example'``) are dealt
  out evenly over the class's examples in each generator pass (a random permutation,
  repeated) instead of picked at random per draw: diversity across the references;
- ``again``: the default draws on another random stream (``spread``'s control: the same
  stream, every scale 1): how far a fresh draw alone moves a cell;
- ``again2``: the default draws on a third random stream: with ``GAN`` and ``again``,
  three draws of the same model per cell, the yardstick of draw-to-draw noise;
- ``spread``: the augmenter's spread matching (``match_spread=True``: the generator's
  noise scaled per class so that its draws are as spread out as its training series) run
  on the same fitted model, then drawn on ``again``'s random stream;
- ``equalclass``: a second fit, whose real training batches give every class the same
  share (batch weights 1/class size instead of 1/sqrt(class size)): a class of 3 series
  is seen about as often as the majority, a longer schedule for the rare class in the
  same budget; then the default draws from it. Its table rows carry that fit's seconds.

Classifiers as in ``ts_oversamplers.py`` (MiniRocket + ridge, 1-NN, the small FCN). The
report puts the variants beside the peers of the stored ``ts_oversamplers`` results on the
same splits (``--peers``). Writes benchmarks/results/downstream_levers[_NAME].{md,json}.
"""

import argparse
import copy
import json
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from scipy.stats import rankdata

import rgan_augment._sampler as sampler_module
import rgan_augment.gan.training as training
from rgan_augment import RecurrentGANAugmenter
from rgan_augment._sampler import Sampler
from ts_oversamplers import ALL_CLASSIFIERS, REGIMES, paired_p, paired_summary, score_rows, splits

warnings.filterwarnings("ignore")

RESULTS = Path(__file__).resolve().parent / "results"
BORDER_CANDIDATES = 8
MIXTURES_PER_CLASS = 64
SYNTHETIC_WEIGHT = 0.5


class BorderSampler(Sampler):
    """Draws whose class-filter margin is the smallest positive one of a few candidates."""

    def _filtered(self, codes, net_lengths, lengths, rng, torch_gen):
        t_len, t_codes = torch.from_numpy(lengths), torch.from_numpy(codes)
        best = margin = None
        for _ in range(BORDER_CANDIDATES):
            x = self.draw_scaled(codes, net_lengths, rng, torch_gen, lengths)
            m = self.filter.margin(self.view.filter_view(x, t_len), t_len, t_codes)
            if best is None:
                best, margin = x, m
                continue
            # a positive margin beats a non-positive one; of two positive ones the
            # smaller wins, of two non-positive ones the larger
            take = torch.where((m > 0) == (margin > 0), torch.where(m > 0, m < margin, m > margin),
                               m > 0)
            best[take.to(best.device)] = x[take.to(best.device)]
            margin = torch.where(take, m, margin)
        return best


def _dealt_per_class(codes, pool_of, rng):
    """For each class code, rows of ``pool_of(code)`` dealt out evenly: a random
    permutation of the pool, repeated to the class's count (``pick_per_class`` draws
    each uniformly instead)."""
    out = np.empty(len(codes), dtype=np.int64)
    for c in np.unique(codes):
        pool, sel = pool_of(c), codes == c
        out[sel] = pool[np.resize(rng.permutation(len(pool)), int(sel.sum()))]
    return out


class PerReferenceSampler(Sampler):
    """Default draws with each generator pass's stored examples dealt out evenly over
    the class's examples."""

    def draw_scaled(self, *args, **kwargs):
        picked = sampler_module.pick_per_class
        sampler_module.pick_per_class = _dealt_per_class
        try:
            return super().draw_scaled(*args, **kwargs)
        finally:
            sampler_module.pick_per_class = picked


def with_spread_matched(aug, X, y, seed):
    """A copy of the default-fitted ``aug`` with the package's spread calibration
    (``match_spread=True``) run on it: ``noise_scale_`` per class."""
    spread = copy.deepcopy(aug)
    codes = np.searchsorted(aug.classes_, y).astype(np.int64)
    lengths = np.full(len(X), X.shape[2], dtype=np.int64)
    spread.noise_scale_ = spread._fit_noise_scales(np.asarray(X, dtype=np.float64), lengths,
                                                   codes, seed, None)
    return spread


def _fit_equal_class_shares(X, y, seed):
    """The default augmenter fitted with real batches weighted 1/class size, and the
    fit's seconds."""
    init = training._Trainer.__init__

    def equal_shares(self, *args, **kwargs):
        init(self, *args, **kwargs)
        if self.labels is not None:
            counts = torch.bincount(self.labels, minlength=self.config.n_classes).float()
            self.weights = counts[self.labels].reciprocal()

    training._Trainer.__init__ = equal_shares
    try:
        aug = RecurrentGANAugmenter(sampling_strategy="not majority", random_state=seed)
        t0 = time.perf_counter()
        aug.fit(X, y)
        return aug, time.perf_counter() - t0
    finally:
        training._Trainer.__init__ = init


def _labels(y, target, share=1.0):
    """The labels to add so that every class has ``target`` rows (with ``share`` < 1,
    that share of each class's gap, rounded down)."""
    classes, counts = np.unique(y, return_counts=True)
    return np.concatenate([np.repeat(c, int(share * (target - n))) for c, n in zip(classes, counts)])


def _codes(aug, labels):
    return np.searchsorted(aug.classes_, labels).astype(np.int64)


def _draw(sampler, aug, labels, seed):
    out, _ = sampler.generate(_codes(aug, labels), np.random.RandomState(seed))
    return out


def with_mixed_references(aug, seed):
    """A copy of ``aug`` whose stored examples are mixtures of two examples of a class
    (equal-length data: every stored example has the full length)."""
    mixed = copy.deepcopy(aug)
    rng = np.random.default_rng(seed)
    refs, codes = [], []
    for c in np.unique(aug.reference_codes_):
        rows = np.flatnonzero(aug.reference_codes_ == c)
        a, b = rng.choice(rows, MIXTURES_PER_CLASS), rng.choice(rows, MIXTURES_PER_CLASS)
        w = rng.uniform(size=(MIXTURES_PER_CLASS, 1, 1)).astype(np.float32)
        refs.append(w * aug.references_[a] + (1 - w) * aug.references_[b])
        codes.append(np.full(MIXTURES_PER_CLASS, c))
    mixed.references_ = np.concatenate(refs).astype(np.float32)
    mixed.reference_codes_ = np.concatenate(codes).astype(np.int64)
    mixed.reference_lengths_ = np.full(len(mixed.reference_codes_), aug.n_timepoints_, np.int64)
    return mixed


def variants(X_tr, y_tr, seed, names):
    """{name: (X_res, y_res)} for the variants ``names`` (``GAN`` always) from one fitted
    augmenter (``equalclass``: from its own fit), and {name: seconds} of the fit each
    variant's rows came from."""
    aug = RecurrentGANAugmenter(sampling_strategy="not majority", random_state=seed)
    t0 = time.perf_counter()
    X_gan, y_gan = aug.fit_resample(X_tr, y_tr)
    seconds = time.perf_counter() - t0
    target = np.unique(y_tr, return_counts=True)[1].max()
    labels = _labels(y_tr, target)
    out = {"GAN": (X_gan, y_gan)}
    unfiltered = copy.deepcopy(aug)
    unfiltered.class_filter_ = None
    samplers = {"raw": lambda: Sampler(unfiltered), "border": lambda: BorderSampler(aug),
                "mixref": lambda: Sampler(with_mixed_references(aug, seed))}
    for i, (name, sampler) in enumerate(samplers.items()):
        if name in names:
            out[name] = (np.concatenate([X_tr, _draw(sampler(), aug, labels, seed + 1 + i)]),
                         np.concatenate([y_tr, labels]))
    for name, offset in (("again", 8), ("again2", 9)):  # spread's control, and one more stream
        if name in names:
            out[name] = (np.concatenate([X_tr, _draw(Sampler(aug), aug, labels, seed + offset)]),
                         np.concatenate([y_tr, labels]))
    if "spread" in names:
        spread = with_spread_matched(aug, X_tr, y_tr, seed)
        print("noise scales", dict(zip(aug.classes_.tolist(), spread.noise_scale_.tolist())),
              flush=True)
        out["spread"] = (np.concatenate([X_tr, _draw(Sampler(spread), spread, labels, seed + 8)]),
                         np.concatenate([y_tr, labels]))
    if "weighted" in names:
        out["weighted"] = (X_gan, y_gan, np.where(np.arange(len(y_gan)) < len(y_tr), 1.0,
                                                  SYNTHETIC_WEIGHT))
    if "perref" in names:
        out["perref"] = (np.concatenate([X_tr, _draw(PerReferenceSampler(aug), aug, labels, seed + 6)]),
                         np.concatenate([y_tr, labels]))
    fit_seconds = {name: seconds for name in names}
    if "equalclass" in names:
        equal, fit_seconds["equalclass"] = _fit_equal_class_shares(X_tr, y_tr, seed)
        out["equalclass"] = (np.concatenate([X_tr, _draw(Sampler(equal), equal, labels, seed + 5)]),
                             np.concatenate([y_tr, labels]))
    if "half" in names:
        half = _labels(y_tr, target, share=0.5)
        out["half"] = (np.concatenate([X_tr, _draw(Sampler(aug), aug, half, seed + 4)]),
                       np.concatenate([y_tr, half]))
    if "GAN+real" not in names:
        return out, fit_seconds
    # half GAN draws (the default ones), half copies of the real series of the class
    rng = np.random.default_rng(seed)
    synth_X, synth_y = X_gan[len(X_tr):], y_gan[len(y_tr):]
    keep, copies = [], []
    for c in np.unique(labels):
        rows = np.flatnonzero(synth_y == c)
        keep.append(rows[: (len(rows) + 1) // 2])
        copies.append(rng.choice(np.flatnonzero(y_tr == c), len(rows) // 2))
    keep, copies = np.concatenate(keep), np.concatenate(copies)
    out["GAN+real"] = (np.concatenate([X_tr, synth_X[keep], X_tr[copies]]),
                       np.concatenate([y_tr, synth_y[keep], y_tr[copies]]))
    return out, fit_seconds


NAMES = ["GAN", "raw", "border", "mixref", "GAN+real", "half", "weighted", "perref", "equalclass",
         "again", "again2", "spread"]


def run(args):
    rows = []
    out = RESULTS / ("downstream_levers" + (f"_{args.name}" if args.name else ""))
    for dataset, regime, seed, split in splits(args.datasets, args.regimes, args.seeds):
        results, fit_seconds = variants(split[0], split[1], seed, args.variants)
        for name, (X_res, y_res, *weights) in results.items():
            rows += score_rows(X_res, y_res, split, ALL_CLASSIFIERS, seed,
                               sample_weight=weights[0] if weights else None,
                               dataset=dataset, regime=regime, oversampler=name,
                               seconds=fit_seconds.get(name, fit_seconds["GAN"]))
            print(f"{dataset} {regime} seed {seed} {name:<8} "
                  + "  ".join(f"{r['classifier']} {r['balanced_accuracy']:.3f}"
                              for r in rows[-len(ALL_CLASSIFIERS):]), flush=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        Path(str(out) + ".json").write_text(json.dumps(rows, indent=1))
    return rows, out


def _paired(rows, regimes, variant_names):
    """Each variant against the default draws (``GAN``) cell by cell, and ``spread`` and
    ``again2`` against ``again`` (spread's control: the same random stream), per regime
    and classifier."""
    pairs = [(n, "GAN") for n in variant_names if n != "GAN"]
    pairs += [(n, "again") for n in ("again2", "spread")
              if n in variant_names and "again" in variant_names]
    if not pairs:
        return []
    lines = ["## Variant against variant, cell by cell", "",
             "| regime | classifier | pair | cells | mean difference | wins / ties / losses | p |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for regime in regimes:
        for clf in ALL_CLASSIFIERS:
            table = {(r["dataset"], r["seed"], r["oversampler"]): r["balanced_accuracy"]
                     for r in rows if r["regime"] == regime and r["classifier"] == clf}
            for a, b in pairs:
                keys = sorted({(d, s) for d, s, n in table if n == a and (d, s, b) in table})
                if not keys:
                    continue
                summary = paired_summary([table[(*k, a)] for k in keys],
                                         [table[(*k, b)] for k in keys])
                lines.append(f"| {regime} | {clf} | {a} - {b} | {len(keys)} | {summary} |")
    return lines + [""]


def report(rows, peers, args):
    command = ("python benchmarks/downstream_levers.py --datasets " + " ".join(args.datasets)
               + " --regimes " + " ".join(args.regimes) + " --seeds "
               + " ".join(map(str, args.seeds)) + (f" --name {args.name}" if args.name else "")
               + ("" if args.variants == NAMES else " --variants " + " ".join(args.variants)))
    cells = {(r["dataset"], r["regime"], r["seed"]) for r in rows}
    peer_rows = [r for r in peers if (r["dataset"], r["regime"], r["seed"]) in cells
                 and r["oversampler"] != "GAN"]
    peer_names = list(dict.fromkeys(r["oversampler"] for r in peer_rows))
    variant_names = [n for n in NAMES if any(r["oversampler"] == n for r in rows)]
    names = peer_names + variant_names
    every = rows + peer_rows
    lines = ["# Which GAN draws help the classifier: variants of one fitted augmenter", "",
             f"Command: `{command}` (peers from {', '.join(f'`{Path(p).name}`' for p in args.peers)}, the same splits and "
             f"classifier seeds). Machine: {platform.machine()}, 2 CPU cores. Balanced "
             "accuracy, mean over the cells where every method ran; rank 1 = best; "
             "Wilcoxon signed-rank p of each variant against the best peer mean.", ""]
    for regime in args.regimes:
        for clf in ALL_CLASSIFIERS:
            table = {(r["dataset"], r["seed"], r["oversampler"]): r["balanced_accuracy"]
                     for r in every if r["regime"] == regime and r["classifier"] == clf}
            keys = sorted({(d, s) for d, s, _ in table})
            # a peer that failed in half the cells or more (ADASYN on OSULeaf) is left out rather
            # than taking those cells with it; one that failed in a few costs those cells
            ran = {n: sum((*k, n) in table for k in keys) for n in names}
            n_cells = len(keys)
            left_out = [n for n in peer_names if ran[n] <= n_cells / 2]
            shown = [n for n in names if n not in left_out]
            n_peers = len(peer_names) - len(left_out)
            keys = [k for k in keys if all((*k, n) in table for n in shown)]
            if not keys:
                continue
            M = np.array([[table[(*k, n)] for n in shown] for k in keys])
            ranks = np.array([rankdata(-row) for row in M]).mean(0)
            best = int(np.argmax(M[:, :n_peers].mean(0)))
            lines += [f"## Regime `{regime}`, {clf} ({len(keys)} cells)", ""]
            if left_out:
                lines += ["Left out, ran in at most half the cells: " + ", ".join(
                    f"{n} ({ran[n]} of {n_cells})" for n in left_out) + ".", ""]
            lines += ["| method | mean | avg rank | minus best peer | p |",
                      "| --- | --- | --- | --- | --- |"]
            for j, n in enumerate(shown):
                diff = M[:, j] - M[:, best]
                p = paired_p(M[:, j], M[:, best])
                lines.append(f"| {n} | {M[:, j].mean():.3f} | {ranks[j]:.2f} | "
                             f"{diff.mean():+.3f} | {p:.3f} |")
            lines.append("")
    lines += _paired(rows, args.regimes, variant_names)
    lines += ["## Novelty (median nearest-training distance of the cut class's synthetic "
              "series / held-out real series'; < 1: closer than unseen real series)", "",
              "| regime | " + " | ".join(variant_names) + " |",
              "| --- |" + " --- |" * len(variant_names)]
    for regime in args.regimes:
        vals = []
        for n in variant_names:
            v = [r["novelty"] for r in rows if r["regime"] == regime and r["oversampler"] == n
                 and r["classifier"] == "1-NN" and r["novelty"] is not None]
            vals.append(f"{np.mean(v):.2f}" if v else "n/a")
        lines.append(f"| {regime} | " + " | ".join(vals) + " |")
    def fit_seconds(name):
        return list({(r["dataset"], r["regime"], r["seed"]): r["seconds"] for r in rows
                     if r["oversampler"] == name}.values())

    fits = fit_seconds("GAN")
    lines += ["", f"GAN fit: {np.mean(fits):.1f} s mean, {max(fits):.1f} s max "
              f"({len(fits)} fits); the variants only draw again from it"
              + ("." if "equalclass" not in variant_names else
                 f", but for `equalclass`, fitted again: {np.mean(fit_seconds('equalclass')):.1f} s mean."), ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", nargs="+", default=["GunPoint", "ItalyPowerDemand",
                                                          "ArrowHead"])
    parser.add_argument("--regimes", nargs="+", default=["three"],
                        choices=REGIMES)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--peers", nargs="+", default=[
        str(RESULTS / "ts_oversamplers_quick.json"),
        str(RESULTS / "ts_oversamplers_quick_five_eighth.json")],
        help="stored ts_oversamplers results with the peers on these splits")
    parser.add_argument("--variants", nargs="+", default=NAMES, choices=NAMES)
    parser.add_argument("--name", help="suffix of the results file name")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the report from the stored results file")
    args = parser.parse_args()
    if args.report_only:
        out = RESULTS / ("downstream_levers" + (f"_{args.name}" if args.name else ""))
        rows = json.loads(Path(str(out) + ".json").read_text())
    else:
        rows, out = run(args)
    peers = [r for p in args.peers if Path(p).exists() for r in json.loads(Path(p).read_text())]
    text = report(rows, peers, args)
    Path(str(out) + ".md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
