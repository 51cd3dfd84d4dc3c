"""Would ADA's adaptive augmentation probability rule fire? The discriminator's certainty
on real series during default fits, by class.

    python benchmarks/ada_signal.py [--seeds 0 1]

ADA (Karras et al. 2020) raises the augmentation probability while the discriminator's
mean logit sign on real series, r_t = E[sign D(x_real)], is above 0.6 (it calls 80 % of
them real) and lowers it otherwise. The augmenter's probability is fixed
(``augment_discriminator``); this measures r_t as a rule would read it. GunPoint, each
class in turn cut to 3 series (``gunpoint_fidelity.py``'s cut), default fits with the
augmentation off (0) and on (the default, 0.5). The discriminator's loss is wrapped from
outside (nothing in the fit changes) to record, at every step, the mean sign of its
logits on the real batch: over all of it (what ADA's rule reads), and over the rows of
the cut class alone. The rule is then replayed on the all-rows record as the package
would run it (every 10 steps, +-0.05, within [0, 0.8], from 0), to give the probability
it would have reached.
Writes benchmarks/results/ada_signal.md.
"""

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

from _machine import machine
from plateau_stopping import gunpoint_few_shot
from rgan_augment import RecurrentGANAugmenter
from rgan_augment.gan import training

warnings.filterwarnings("ignore")

TARGET, RATE, CAP, EVERY = 0.6, 0.05, 0.8, 10
WINDOW = 250  # steps per column of the report


class LogitSigns:
    """Wraps the training loop's batch draw and discriminator loss to record, per step,
    the mean sign of the real logits over the batch and over the cut class's rows."""

    def __init__(self):
        self.labels, self.rows = None, []
        self._batch, self._loss = training._Trainer.real_batch, training._loss_d

    def __enter__(self):
        record = self

        def real_batch(trainer):
            b = record._batch(trainer)
            record.labels = b["labels"]
            return b

        def loss_d(kind, real, fake):
            record.rows.append((record.labels, real.detach().sign()))
            return record._loss(kind, real, fake)

        training._Trainer.real_batch, training._loss_d = real_batch, loss_d
        return self

    def __exit__(self, *exc):
        training._Trainer.real_batch, training._loss_d = self._batch, self._loss

    def per_step(self, cut_index):
        """(all rows, the cut class's rows) mean sign at every step (nan: no cut row)."""
        every, cut = [], []
        for labels, signs in self.rows:
            every.append(signs.mean().item())
            mine = signs[labels == cut_index]
            cut.append(mine.mean().item() if len(mine) else np.nan)
        return np.array(every), np.array(cut)


def replay_rule(signs):
    """The probability ADA's rule reaches on a record of all-row mean signs, and its
    largest value on the way."""
    p, top = 0.0, 0.0
    for end in range(EVERY, len(signs) + 1, EVERY):
        step = RATE if signs[end - EVERY:end].mean() > TARGET else -RATE
        p = min(CAP, max(0.0, p + step))
        top = max(top, p)
    return p, top


def windows(values):
    return " / ".join(f"{np.nanmean(values[i:i + WINDOW]):.2f}"
                      for i in range(0, len(values), WINDOW))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    args = parser.parse_args()
    rows = []
    for seed in args.seeds:
        for cut in ("1", "2"):
            X, y = gunpoint_few_shot(seed, cut)
            for p in (0.0, 0.5):
                with LogitSigns() as record:
                    est = RecurrentGANAugmenter(random_state=seed, augment_discriminator=p).fit(X, y)
                every, mine = record.per_step(list(est.classes_).index(cut))
                final, top = replay_rule(every)
                rows.append(f"| {seed} | {cut} | {p} | {windows(every)} | {windows(mine)} | "
                            f"{(every > TARGET).mean():.2f} | {top:.2f} | {final:.2f} |")
                print(rows[-1], flush=True)
    header = [
        "# Would ADA's adaptive augmentation rule fire?", "",
        f"Command: `python {' '.join(sys.argv)}`. Machine: {machine()}, "
        "2 CPU cores. GunPoint, the class cut to 3 series, default fits with "
        "`augment_discriminator` 0 and 0.5. Mean sign of the discriminator's logits on the "
        f"real batch (ADA's r_t; its rule's target {TARGET}), per {WINDOW} steps; the share of "
        "steps above the target; the probability ADA's rule would reach, replayed on the "
        f"all-rows record (every {EVERY} steps, +-{RATE}, within [0, {CAP}], from 0).", "",
        "| seed | cut class | p | r_t, all rows | r_t, the cut class's rows | steps above target "
        "| rule's highest p | rule's final p |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    out = Path(__file__).parent / "results" / "ada_signal.md"
    out.write_text("\n".join(header + rows) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
