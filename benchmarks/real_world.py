"""Unequal lengths (JapaneseVowels) and long series (ACSF1), default parameters.

    python benchmarks/real_world.py [--skip-acsf1] [--skip-vowels] [--params JSON]

JapaneseVowels (12 channels, lengths 7-29, 9 classes): fit on the training split given
as a list of unequal-length arrays; compare each class's synthetic length distribution
with the real one (mean, and the share of lengths never seen in that class), and the
class fidelity: a classifier trained on the real training split (summary features of
unequal-length series: per-channel mean, std, min, max, first and last value, length;
then a random forest) labels synthetic series of each class; TimeGAN's discriminative
and predictive scores on the unequal-length series, with the real test split as floor.

ACSF1 (1,460 steps, 10 classes): fit time, and the same class fidelity with MiniRocket
+ ridge trained on the real training split; GunPoint's number is in
benchmarks/results/gunpoint_fidelity.md for comparison.

Writes benchmarks/results/real_world.md.
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.ensemble import RandomForestClassifier

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.metrics import discriminative_score, predictive_score

warnings.filterwarnings("ignore")


def summary(series):
    rows = []
    for s in series:
        s = np.asarray(s, dtype=float)
        rows.append(np.concatenate([s.mean(1), s.std(1), s.min(1), s.max(1), s[:, 0], s[:, -1],
                                    [s.shape[1]]]))
    return np.asarray(rows)


def nested_to_list(X):
    """sktime's nested DataFrame (a pd.Series per cell) as a list of (channels, length) arrays."""
    return [np.stack([X.iloc[i, j].to_numpy() for j in range(X.shape[1])]) for i in range(len(X))]


def _vowels(split):
    from sktime.datasets import load_japanese_vowels

    X, y = load_japanese_vowels(split=split, return_X_y=True)
    return nested_to_list(X), np.asarray(y)


def japanese_vowels(lines, params):
    series, y = _vowels("train")
    aug = RecurrentGANAugmenter(random_state=0, **params)
    t0 = time.perf_counter()
    aug.fit(series, y)
    fit_s = time.perf_counter() - t0
    judge = RandomForestClassifier(n_estimators=300, random_state=0).fit(summary(series), y)
    lines += ["## JapaneseVowels (unequal lengths 7-29, 12 channels, 9 classes)", "",
              f"Fit: {fit_s:.1f} s on {len(series)} series.", "",
              "| class | real mean length | synthetic mean length | unseen lengths | fidelity |",
              "| --- | --- | --- | --- | --- |"]
    fids = []
    for c in aug.classes_:
        real_len = np.array([s.shape[1] for s, lab in zip(series, y) if lab == c])
        synth = aug.sample(300, c, random_state=1)
        syn_len = np.array([s.shape[1] for s in synth])
        unseen = np.mean(~np.isin(syn_len, real_len))
        fid = np.mean(judge.predict(summary(synth)) == c)
        fids.append(fid)
        lines.append(f"| {c} | {real_len.mean():.1f} | {syn_len.mean():.1f} | {unseen:.2f} | {fid:.3f} |")
    lines += ["", f"Mean fidelity {np.mean(fids):.3f}, min {np.min(fids):.3f}.", ""]
    # TimeGAN's scores on the unequal-length series (packed GRUs), all classes pooled;
    # the real test split against the real training split gives the floor
    test, _ = _vowels("test")
    synth = aug.sample(len(series), y, random_state=2)
    disc = (discriminative_score(series, synth), discriminative_score(series, test))
    pred = (predictive_score(series, synth), predictive_score(series, test))
    lines += ["| TimeGAN score | synthetic vs real train | real test vs real train (floor) |",
              "| --- | --- | --- |",
              f"| discriminative (lower is better) | {disc[0]:.3f} | {disc[1]:.3f} |",
              f"| predictive MAE (train on the first, test on real train) | {pred[0]:.3f} | {pred[1]:.3f} |",
              ""]
    print("\n".join(lines), flush=True)


def acsf1(lines, params):
    from sklearn.linear_model import RidgeClassifierCV
    from sktime.datasets import load_acsf1
    from sktime.transformations.panel.rocket import MiniRocket

    X, y = load_acsf1(split="train", return_type="numpy3D")
    aug = RecurrentGANAugmenter(random_state=0, **params)
    t0 = time.perf_counter()
    aug.fit(X, y)
    fit_s = time.perf_counter() - t0
    rocket = MiniRocket(random_state=0).fit(X)
    judge = RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)).fit(rocket.transform(X), y)
    fids = {c: float(np.mean(judge.predict(rocket.transform(aug.sample(100, c, random_state=1))) == c))
            for c in aug.classes_}
    # how much this judge tolerates: the real test split with a little white noise
    # (series are z-normalised, so sd 0.005 is half a percent of each series' spread)
    X_test, y_test = load_acsf1(split="test", return_type="numpy3D")
    noise_rng = np.random.default_rng(0)
    sensitivity = []
    for sd in (0.0, 0.005, 0.02):
        noisy = X_test + noise_rng.normal(scale=sd, size=X_test.shape) if sd else X_test
        pred = judge.predict(rocket.transform(noisy))
        per = ", ".join(f"{c}: {np.mean(pred[y_test == c] == c):.1f}" for c in aug.classes_)
        sensitivity.append(f"| {sd} | {np.mean(pred == y_test):.2f} | {per} |")
    unit = aug.cycle_length_ if aug.cycles_folded_ else 1
    folding = f"folded by its {unit}-step cycle, " if aug.cycles_folded_ else ""
    lines += ["## ACSF1 (1,460 steps, 10 classes, 100 training series)", "",
              f"Fit: {fit_s:.1f} s (target < 180 s), {folding}{aug.config_.chunk * unit} steps "
              f"per recurrent step ({aug.config_.n_chunks} recurrent steps), {aug.n_steps_} "
              "training steps.",
              "Fidelity per class (MiniRocket + ridge trained on real): "
              + ", ".join(f"{c}: {v:.2f}" for c, v in fids.items()),
              f"Mean fidelity {np.mean(list(fids.values())):.3f}, min {min(fids.values()):.3f}.", "",
              "The same judge on the real test split, plain and with white noise added "
              "(sd in units of each z-normalised series' spread; seeded):", "",
              "| noise sd | accuracy | per class |", "| --- | --- | --- |", *sensitivity, ""]
    print("\n".join(lines[-14:]), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-acsf1", action="store_true")
    parser.add_argument("--skip-vowels", action="store_true")
    parser.add_argument("--params", default="{}",
                        help="augmenter parameters other than the defaults, as JSON (an ablation)")
    args = parser.parse_args()
    params = json.loads(args.params)
    command = " ".join(["python benchmarks/real_world.py"] + sys.argv[1:])
    lines = ["# Real-world data: unequal lengths and long series", "",
             f"Command: `{command}`, 2 CPU cores.", ""]
    if not args.skip_vowels:
        japanese_vowels(lines, params)
    if not args.skip_acsf1:
        acsf1(lines, params)
    name = "real_world.md" if not params and not args.skip_vowels and not args.skip_acsf1 else \
        "real_world_ablation.md"
    out = Path(__file__).resolve().parent / "results" / name
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
