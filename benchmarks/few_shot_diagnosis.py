"""Why a few-shot class fails the fidelity judge: filter, noise and judge, on one model.

    python benchmarks/few_shot_diagnosis.py [--seed 3] [--cut 2]

GunPoint, the class ``--cut`` of the training split cut to 3 series as in
``gunpoint_fidelity.py`` (same seed, same choice), the augmenter fitted with defaults.
The MiniRocket + ridge judge is trained on the full real training split. Reported:

- the judge's decision value (positive = the cut class, binary) for the three real examples,
  each also with itself left out of the judge's training;
- for raw (unfiltered) synthetic draws of the cut class, with the generator's noise scaled by
  1, 0.5 and 0 (0: its plain mapping of each conditioning example): judge agreement and the
  median decision value;
- the sample filter: share of raw draws it passes (margin > the rule's bar) and judge
  agreement among them, and the ROC AUC of its margin for the judge's verdict.
"""

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from sktime.datasets import load_gunpoint
from sktime.transformations.panel.rocket import MiniRocket

from rgan_augment._sampler import FILTER_MARGIN
from rgan_augment import RecurrentGANAugmenter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gunpoint_fidelity import cut_to_few, ridge_judge  # noqa: E402  (the same cut and judge)

warnings.filterwarnings("ignore")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--cut", default="2")
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    X, y = load_gunpoint(split="train", return_type="numpy3D")
    rocket = MiniRocket(random_state=0).fit(X)
    F = np.asarray(rocket.transform(X))
    judge = ridge_judge().fit(F, y)
    sign = 1 if judge.classes_[1] == args.cut else -1  # decision > 0: the cut class
    keep, few = cut_to_few(y, args.cut, args.seed, 3)
    aug = RecurrentGANAugmenter(random_state=args.seed).fit(X[keep], y[keep])
    loo = []
    for i in few:
        m = np.arange(len(y)) != i
        loo.append(sign * ridge_judge().fit(F[m], y[m]).decision_function(F[i:i + 1])[0])
    print(f"seed {args.seed}, class {args.cut} cut to 3 (rows {few.tolist()})")
    print("judge decision, real examples:", np.round(sign * judge.decision_function(F[few]), 2),
          "left out:", np.round(loo, 2))
    filt, aug.class_filter_ = aug.class_filter_, None
    forward = aug.generator_.forward
    for scale in (1.0, 0.5, 0.0):
        aug.generator_.forward = (lambda lat, noise, *a, s=scale: forward(lat * s, noise * s, *a))
        S = aug.sample(args.n, args.cut, random_state=1)
        d = sign * judge.decision_function(rocket.transform(S))
        print(f"raw draws, noise x{scale}: judge agrees {np.mean(d > 0):.3f}, "
              f"median decision {np.median(d):+.2f}")
        if scale == 1.0:
            ok = d > 0
            x = aug.scaler_.transform(S).transpose(0, 2, 1).astype(np.float32)
            code = int(np.flatnonzero(aug.classes_ == args.cut)[0])
            margin = filt.margin(torch.from_numpy(x), torch.full((len(S),), S.shape[2]),
                                 torch.full((len(S),), code)).numpy()
            passed = margin > FILTER_MARGIN
            print(f"filter: passes {passed.mean():.3f} of raw draws; judge agrees with "
                  f"{ok[passed].mean() if passed.any() else float('nan'):.3f} of those; "
                  f"AUC of its margin for the judge's verdict "
                  f"{roc_auc_score(ok, margin) if 0 < ok.mean() < 1 else float('nan'):.3f}")
    aug.generator_.forward = forward
    aug.class_filter_ = filt
    S = aug.sample(args.n, args.cut, random_state=1)
    print(f"filtered samples (the defaults): judge agrees "
          f"{np.mean(judge.predict(rocket.transform(S)) == args.cut):.3f}")


if __name__ == "__main__":
    main()
