"""Imbalanced time-series classification: none vs ROS vs SMOTE vs jitter vs the GAN.

    python benchmarks/imbalanced_classification.py [--seeds 0 1 2 3 4] [--datasets ...]

Protocol (issue 3), per data set and seed: merge sktime's train and test parts, split
stratified 50/50; in the training half cut one class (the seed picks which, cycling
through the classes) to 1/8 of the largest class (at least 3 series); the test half
stays as it is. Each oversampler balances every class to the majority count; each
classifier (MiniRocket + ridge, chained by hand; 1-NN Euclidean) is trained on the
result and scored on the test half: balanced accuracy, macro-F1 and recall of the cut
class. All oversamplers see the same splits. The GAN runs with default parameters.

Writes benchmarks/results/imbalanced_classification.md (and .json with every number).
"""

import argparse
import json
import platform
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.stats import rankdata
from imblearn.over_sampling import SMOTE, RandomOverSampler
from sklearn.linear_model import RidgeClassifierCV
from sklearn.metrics import balanced_accuracy_score, f1_score, recall_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sktime.transformations.panel.rocket import MiniRocket

from rgan_augment import RecurrentGANAugmenter

warnings.filterwarnings("ignore")

LOADERS = {
    "GunPoint": "load_gunpoint",
    "ArrowHead": "load_arrow_head",
    "BasicMotions": "load_basic_motions",
    "ItalyPowerDemand": "load_italy_power_demand",
    # not in the default set, none used to choose any default: held-out checks
    "OSULeaf": "load_osuleaf",
    "UnitTest": "load_unit_test",
    "ACSF1": "load_acsf1",
}
# Bundled sets of unequal length, in the equal-length versions that aeon bundles beside
# them (the UCR/UEA archive's own: PickupGestureWiimoteZ padded to its longest series with
# low-amplitude noise, JapaneseVowels brought to 25 steps), so that the flattened and aeon
# oversamplers and every classifier get the same arrays as the GAN. PLAID has no bundled
# equal-length version and is left out.
EQUAL_LENGTH_VERSIONS = {
    "PickupGestureWiimoteZ": "PickupGestureWiimoteZ_eq",
    "JapaneseVowels": "JapaneseVowels_eq",
}
# Classification sets only aeon bundles, by their aeon names. Covid3Month_disc (daily
# COVID-19 deaths per country over 84 days, the regression target cut into 3 classes) was
# added after every default had been chosen: a set no lever was ever tried on.
AEON_ONLY = {"Covid3Month_disc": "Covid3Month_disc"}
AEON_NAMES = {**EQUAL_LENGTH_VERSIONS, **AEON_ONLY}
LOADERS.update({name: None for name in AEON_NAMES})
DEFAULT_DATASETS = ["GunPoint", "ArrowHead", "BasicMotions", "ItalyPowerDemand"]


def load(name):
    """Train and test parts merged, as (n, channels, length) float64 and labels."""
    if name in AEON_NAMES:
        from aeon.datasets import load_classification

        parts = [load_classification(AEON_NAMES[name], split=split)
                 for split in ("train", "test")]
        return (np.concatenate([X for X, _ in parts]).astype(np.float64),
                np.concatenate([y for _, y in parts]))
    import sktime.datasets as ds

    loader = getattr(ds, LOADERS[name])
    Xa, ya = loader(split="train", return_type="numpy3D")
    Xb, yb = loader(split="test", return_type="numpy3D")
    return np.concatenate([Xa, Xb]).astype(np.float64), np.concatenate([ya, yb])


def make_split(X, y, seed):
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.5, stratify=y, random_state=seed)
    classes, counts = np.unique(y_tr, return_counts=True)
    cut = classes[seed % len(classes)]
    n_keep = max(3, counts.max() // 8)
    rng = np.random.default_rng(seed)
    idx_cut = rng.choice(np.flatnonzero(y_tr == cut), n_keep, replace=False)
    keep = np.sort(np.concatenate([np.flatnonzero(y_tr != cut), idx_cut]))
    return X_tr[keep], y_tr[keep], X_te, y_te, cut


def flat_resampler(sampler):
    def run(X, y, seed):
        n, c, t = X.shape
        Xr, yr = sampler(seed, y).fit_resample(X.reshape(n, c * t), y)
        return Xr.reshape(-1, c, t), yr
    return run


def smote(seed, y):
    k = max(1, min(5, np.unique(y, return_counts=True)[1].min() - 1))
    return SMOTE(k_neighbors=k, random_state=seed)


def jitter(X, y, seed, sigma=0.03):
    """Random oversampling plus Gaussian noise of sigma x the channel's std."""
    Xr, yr = flat_resampler(lambda s, _: RandomOverSampler(random_state=s))(X, y, seed)
    rng = np.random.default_rng(seed)
    extra = np.arange(len(X), len(Xr))
    std = X.std(axis=(0, 2), keepdims=True)
    Xr = Xr.copy()
    Xr[extra] += rng.normal(size=Xr[extra].shape) * sigma * std
    return Xr, yr


GAN_PARAMS = {}  # --params: an ablation; the benchmark itself uses the defaults


def gan(X, y, seed):
    aug = RecurrentGANAugmenter(sampling_strategy="not majority", random_state=seed, **GAN_PARAMS)
    t0 = time.perf_counter()
    Xr, yr = aug.fit_resample(X, y)
    gan.last_fit_s = time.perf_counter() - t0
    return Xr, yr


OVERSAMPLERS = {
    "none": lambda X, y, seed: (X, y),
    "ROS": flat_resampler(lambda s, _: RandomOverSampler(random_state=s)),
    "SMOTE": flat_resampler(smote),
    "jitter": jitter,
    "GAN": gan,
}


def minirocket_ridge(X, y, X_test, seed, sample_weight=None):
    rocket = MiniRocket(random_state=seed).fit(X)
    ridge = RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)).fit(
        rocket.transform(X), y, sample_weight=sample_weight)
    return ridge.predict(rocket.transform(X_test))


def one_nn(X, y, X_test, seed, sample_weight=None):  # a nearest neighbour takes no weights
    knn = KNeighborsClassifier(n_neighbors=1).fit(X.reshape(len(X), -1), y)
    return knn.predict(X_test.reshape(len(X_test), -1))


CLASSIFIERS = {"MiniRocket+ridge": minirocket_ridge, "1-NN": one_nn}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--datasets", nargs="+", default=DEFAULT_DATASETS, choices=list(LOADERS))
    parser.add_argument("--out", default=None,
                        help="output path without suffix (default: results/imbalanced_"
                             "classification for the full default run, results/"
                             "imbalanced_ablation for any other, so an ablation never "
                             "overwrites the benchmark's own results)")
    parser.add_argument("--params", default="{}",
                        help="augmenter parameters other than the defaults, as JSON (ablations)")
    parser.add_argument("--only", nargs="+", choices=list(OVERSAMPLERS),
                        help="run only these oversamplers (ablations)")
    args = parser.parse_args()
    if args.out is None:
        full = (json.loads(args.params) == {} and not args.only
                and args.seeds == [0, 1, 2, 3, 4] and args.datasets == DEFAULT_DATASETS)
        args.out = str(Path(__file__).resolve().parent / "results"
                       / ("imbalanced_classification" if full else "imbalanced_ablation"))
    GAN_PARAMS.update(json.loads(args.params))
    rows = []
    for name in args.datasets:
        X, y = load(name)
        for seed in args.seeds:
            X_tr, y_tr, X_te, y_te, cut = make_split(X, y, seed)
            for sampler_name, sampler in OVERSAMPLERS.items():
                if args.only and sampler_name not in args.only:
                    continue
                Xr, yr = sampler(X_tr, y_tr, seed)
                for clf_name, clf in CLASSIFIERS.items():
                    pred = clf(Xr, yr, X_te, seed)
                    row = dict(dataset=name, seed=seed, cut=str(cut), oversampler=sampler_name,
                               classifier=clf_name,
                               balanced_accuracy=balanced_accuracy_score(y_te, pred),
                               macro_f1=f1_score(y_te, pred, average="macro"),
                               minority_recall=recall_score(y_te, pred, labels=[cut], average="macro"))
                    if sampler_name == "GAN":
                        row["gan_fit_s"] = gan.last_fit_s
                    rows.append(row)
                print(f"{name} seed {seed} {sampler_name:<6} " + "  ".join(
                    f"{r['classifier']}: {r['balanced_accuracy']:.3f}" for r in rows[-2:]), flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out + ".json").write_text(json.dumps(rows, indent=1))
    Path(args.out + ".md").write_text(report(rows, args))
    print(report(rows, args))


def mean_std_cells(rows, names, metric, **match):
    """'mean (std)' of ``metric`` for each oversampler in ``names`` over the rows whose
    fields equal ``match``; 'n/a' for one with no such row."""
    cells = []
    for name in names:
        v = [r[metric] for r in rows if r["oversampler"] == name
             and all(r[k] == want for k, want in match.items())]
        cells.append(f"{np.mean(v):.3f} ({np.std(v):.3f})" if v else "n/a")
    return cells


def report(rows, args):
    names = [s for s in OVERSAMPLERS if any(r["oversampler"] == s for r in rows)]
    extra = (f" --params '{args.params}'" if args.params != "{}" else "") + \
        (f" --only {' '.join(args.only)}" if args.only else "")
    lines = ["# Imbalanced time-series classification: oversamplers compared", "",
             f"Command: `python benchmarks/imbalanced_classification.py --seeds "
             f"{' '.join(map(str, args.seeds))} --datasets {' '.join(args.datasets)}{extra}`",
             f"Machine: {platform.machine()}, 2 CPU cores. Mean (std) over seeds.", ""]
    for clf in CLASSIFIERS:
        for metric in ("balanced_accuracy", "macro_f1", "minority_recall"):
            lines += [f"## {clf}: {metric}", "", "| dataset | " + " | ".join(names) + " |",
                      "| --- |" + " --- |" * len(names)]
            for ds in args.datasets:
                cells = mean_std_cells(rows, names, metric, dataset=ds, classifier=clf)
                lines.append(f"| {ds} | " + " | ".join(cells) + " |")
            means = [np.mean([r[metric] for r in rows if r["oversampler"] == s and r["classifier"] == clf])
                     for s in names]
            lines.append("| **mean** | " + " | ".join(f"**{m:.3f}**" for m in means) + " |")
            # average rank over (dataset, seed) cells, 1 = best
            ranks = []
            for ds in args.datasets:
                for seed in args.seeds:
                    vals = [next(r[metric] for r in rows if r["dataset"] == ds and r["seed"] == seed
                                 and r["oversampler"] == s and r["classifier"] == clf) for s in names]
                    ranks.append(rankdata(-np.asarray(vals)))  # ties share the mean rank
            lines.append("| avg rank | " + " | ".join(f"{m:.2f}" for m in np.mean(ranks, axis=0)) + " |")
            lines.append("")
    fits = [r["gan_fit_s"] for r in rows if "gan_fit_s" in r]
    if fits:
        lines.append(f"GAN fit time per data set and seed: mean {np.mean(fits):.1f} s, max {np.max(fits):.1f} s.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
