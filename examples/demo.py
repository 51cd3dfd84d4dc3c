"""Main demo: oversample a rare class of GunPoint with the GAN, compare with SMOTE.

    python examples/demo.py            (about 1-2 minutes on 2 CPU cores)
    python examples/demo.py --fast     (a smoke run: tiny training budget)

GunPoint (bundled with sktime) has two classes. We cut class '2' of the training
split down to a few series, then train MiniRocket + ridge on
  - the imbalanced training set as it is,
  - the set balanced by SMOTE (imbalanced-learn, on flattened series),
  - the set balanced by RecurrentGANAugmenter,
and print the balanced accuracy on the untouched test split.  A figure of real vs
synthetic series per class, a PCA view of real vs synthetic test-sized sets and the
training curves are saved to examples/output/demo_*.png.
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.linear_model import RidgeClassifierCV
from sklearn.metrics import balanced_accuracy_score
from sktime.datasets import load_gunpoint
from sktime.transformations.panel.rocket import MiniRocket

from rgan_augment import RecurrentGANAugmenter

warnings.filterwarnings("ignore", category=FutureWarning)


def minirocket_ridge(X_train, y_train, X_test, seed=0):
    """MiniRocket features + ridge, chained by hand (sktime transformers do not sit in
    scikit-learn 1.9 Pipelines)."""
    rocket = MiniRocket(random_state=seed).fit(X_train)
    ridge = RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))
    ridge.fit(rocket.transform(X_train), y_train)
    return ridge.predict(rocket.transform(X_test))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="tiny training budget (smoke run)")
    parser.add_argument("--n-rare", type=int, default=5, help="training series kept of class 2")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    X_train, y_train = load_gunpoint(split="train", return_type="numpy3D")
    X_test, y_test = load_gunpoint(split="test", return_type="numpy3D")
    rng = np.random.default_rng(args.seed)
    rare = rng.choice(np.flatnonzero(y_train == "2"), size=args.n_rare, replace=False)
    keep = np.concatenate([np.flatnonzero(y_train == "1"), rare])
    X, y = X_train[keep], y_train[keep]
    print(f"GunPoint training set made imbalanced: { {str(k): int(v) for k, v in zip(*np.unique(y, return_counts=True))} }"
          f"; test set: {len(y_test)} series")

    results = {}
    results["none"] = balanced_accuracy_score(y_test, minirocket_ridge(X, y, X_test, args.seed))

    try:
        from imblearn.over_sampling import SMOTE

        n, c, t = X.shape
        Xs, ys = SMOTE(k_neighbors=min(5, args.n_rare - 1), random_state=args.seed).fit_resample(
            X.reshape(n, c * t), y)
        results["SMOTE"] = balanced_accuracy_score(
            y_test, minirocket_ridge(Xs.reshape(-1, c, t), ys, X_test, args.seed))
    except ImportError:
        print("(imbalanced-learn not installed: SMOTE skipped; pip install rgan-augment[imblearn])")

    params = dict(n_steps=60, hidden_size=16) if args.fast else {}
    aug = RecurrentGANAugmenter(random_state=args.seed, verbose=1, **params)
    t0 = time.perf_counter()
    X_gan, y_gan = aug.fit_resample(X, y)
    fit_s = time.perf_counter() - t0
    results["GAN"] = balanced_accuracy_score(y_test, minirocket_ridge(X_gan, y_gan, X_test, args.seed))

    print(f"\nGAN: fitted in {fit_s:.1f} s ({aug.n_steps_} steps, kept step {aug.best_step_}), "
          f"generated { {str(k): int(v) for k, v in aug.sampling_strategy_.items()} }")
    print("\nbalanced accuracy of MiniRocket + ridge on the test split")
    for name, score in results.items():
        print(f"  {name:<6} {score:.3f}")

    out = Path(__file__).resolve().parent / "output"
    out.mkdir(exist_ok=True)
    try:
        from rgan_augment.plotting import plot_embedding, plot_real_vs_synthetic, plot_training
    except ImportError:
        return
    try:
        plot_real_vs_synthetic(aug, X, y, path=out / "demo_real_vs_synthetic.png")
        synth = aug.sample(len(X_test), y_test, random_state=1)
        plot_embedding(X_test, synth, method="pca", path=out / "demo_pca.png")
        plot_training(aug, path=out / "demo_training.png")
    except ImportError as exc:
        print(f"({exc}: figures skipped)")
        return
    print(f"\nfigures saved to {out}/demo_*.png")


if __name__ == "__main__":
    main()
