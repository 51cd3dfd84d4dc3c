"""Default parameters on bundled data sets that no issue names: does it generalise?

    python benchmarks/unseen_datasets.py [--datasets OSULeaf PLAID] [--seed 0]

For each data set (sktime's bundled training split): fit the augmenter with default
parameters, draw 50 series per class, and ask a judge trained on the real training
series which class each synthetic series belongs to (fidelity: the share labelled as
the class it was drawn for). Judge: MiniRocket + ridge for equal-length data; for
unequal lengths (PLAID) a random forest on per-channel summaries (mean, std, min,
max, first, last value, length), as in ``real_world.py``. Also reported: the
synthetic series' mean |second difference| over the real one's (roughness; 1 = as
smooth as the data).

Writes benchmarks/results/unseen_datasets.md.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import RidgeClassifierCV

from rgan_augment import RecurrentGANAugmenter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _variant import add_variant_options, variant_params  # noqa: E402
from real_world import nested_to_list, summary  # noqa: E402

warnings.filterwarnings("ignore")


def load(name, split="train"):
    """A split as a 3D array (equal lengths) or a list of (C, T_i) arrays."""
    if name == "PLAID":
        from sktime.datasets import load_plaid

        X, y = load_plaid(split=split, return_X_y=True)
        return nested_to_list(X), np.asarray(y)
    from sktime.datasets import load_UCR_UEA_dataset

    return load_UCR_UEA_dataset(name, split=split, return_type="numpy3D")


def judge_for(X, y):
    if isinstance(X, np.ndarray):
        from sktime.transformations.panel.rocket import MiniRocket

        rocket = MiniRocket(random_state=0).fit(X)
        ridge = RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)).fit(rocket.transform(X), y)
        return "MiniRocket + ridge", lambda S: ridge.predict(rocket.transform(S))
    forest = RandomForestClassifier(500, random_state=0).fit(summary(X), y)
    return "random forest on summaries", lambda S: forest.predict(summary(S))


def mean_abs_second_difference(series):
    return float(np.mean(np.concatenate([np.abs(np.diff(np.asarray(s, dtype=float), 2, axis=-1)).ravel()
                                         for s in series])))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", nargs="+", default=["OSULeaf", "PLAID"])
    parser.add_argument("--seed", type=int, default=0)
    add_variant_options(parser, "unseen_datasets.md")
    args = parser.parse_args()
    params = variant_params(args)
    command = (f"python benchmarks/unseen_datasets.py --datasets {' '.join(args.datasets)} "
               f"--seed {args.seed}" + (f" --params '{args.params}'" if params else "")
               + (f" --out {args.out}" if args.out else ""))
    lines = [f"# {'Parameters ' + args.params if params else 'Default parameters'} on data sets "
             "no issue names", "", f"Command: `{command}`, 2 CPU cores.", "",
             "The judge's own accuracy on the real test split, per class and averaged over "
             "classes as the fidelity is, is the ceiling to read the fidelity against.", "",
             "| data set | series | classes | length | fit s | chunk | judge | judge on real test | "
             "fidelity mean | min | per class | roughness (synthetic / real) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in args.datasets:
        X, y = load(name)
        lengths = [np.shape(s)[-1] for s in X]
        judge_name, predict = judge_for(X, y)
        X_test, y_test = load(name, "test")
        pred_test = predict(X_test)
        real_test = np.mean([np.mean(pred_test[y_test == c] == c) for c in np.unique(y)])
        aug = RecurrentGANAugmenter(random_state=args.seed, **params)
        t0 = time.perf_counter()
        aug.fit(X, y)
        fit_s = time.perf_counter() - t0
        fids, drawn = {}, []
        for c in aug.classes_:
            S = aug.sample(50, c, random_state=args.seed + 1)
            drawn += list(S)
            fids[c] = float(np.mean(predict(S) == c))
        rough = mean_abs_second_difference(drawn) / mean_abs_second_difference(X)
        length = f"{min(lengths)}-{max(lengths)}" if min(lengths) != max(lengths) else str(lengths[0])
        lines.append(f"| {name} | {len(X)} | {len(aug.classes_)} | {length} | {fit_s:.0f} | "
                     f"{aug.config_.chunk} | {judge_name} | {real_test:.3f} | "
                     f"{np.mean(list(fids.values())):.3f} | "
                     f"{min(fids.values()):.2f} | "
                     + ", ".join(f"{c}: {v:.2f}" for c, v in fids.items()) + f" | {rough:.1f} |")
        print(lines[-1], flush=True)
    out = Path(__file__).resolve().parent / "results" / (args.out or "unseen_datasets.md")
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
