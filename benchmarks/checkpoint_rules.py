"""Does the kept checkpoint limit few-shot fidelity? Checkpoint rules replayed on recorded fits.

    python benchmarks/checkpoint_rules.py [--seeds 0 1 ... 9] [--lever base]
    python benchmarks/checkpoint_rules.py --replay-only

The fit keeps the weight-averaged generator state with the lowest validation MMD
(``MMDMonitor``). On the GunPoint few-shot task (``gunpoint_fidelity.py``'s protocol: each
class of the training split cut to 3 series in turn) this records, for every 50th
evaluated state of each fit and the state kept: the validation MMD (mean and per class),
the share of 200 unfiltered draws per class that the augmenter's own sample filter
accepts (margin above its bar; known at fit time, judged by a classifier trained on the
real training series only), and the cut class's fidelity of filtered draws as users get
them (200 series) under the benchmark's MiniRocket judge and its 1-NN judge (neither is
known to the fit). Then it replays rules that pick a state from what the fit knows:

- ``mmd``: the package's rule (the lowest MMD, on its 10-step evaluation grid);
- ``last``: the last state;
- ``accmax``: the highest least-accepted class's acceptance, then the lowest MMD;
- ``acc>=A``: the lowest MMD among states whose every class's acceptance is at least A;
- ``rel F``: ... at least F times the best least-accepted acceptance seen;
- ``mul L``: the lowest MMD x (1 + L x (1 - least acceptance)).

``--lever`` patches one of ``step_levers.py``'s levers in first (e.g. to record fits
whose kept state failed). Writes benchmarks/results/checkpoint_rules[_LEVER].{md,json}.
"""

import argparse
import copy
import json
import platform
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.neighbors import KNeighborsClassifier
from sktime.datasets import load_gunpoint
from sktime.transformations.panel.rocket import MiniRocket

import rgan_augment.gan.training as training
import step_levers
from gunpoint_fidelity import cut_to_few, ridge_judge
from rgan_augment import RecurrentGANAugmenter
from rgan_augment._sampler import FILTER_MARGIN, Sampler

warnings.filterwarnings("ignore")
RESULTS = Path(__file__).resolve().parent / "results"
N_DRAWS = 200
RULES = ["mmd", "last", "accmax", "acc>=0.3", "acc>=0.5", "acc>=0.7", "rel0.5", "rel0.7",
         "rel0.9", "mul0.5", "mul1", "mul2"]


class StateRecorder:
    """Patches the trainer so that every evaluated state is kept with its per-class MMDs."""

    def __init__(self):
        self.states, self._per_class = [], []
        mmd, evaluate, recorder = training.mmd, training._Trainer.evaluate, self

        def recorded_mmd(a, b):
            value = mmd(a, b)
            recorder._per_class.append(value)
            return value

        def recorded_evaluate(trainer, step, *args):
            score = evaluate(trainer, step, *args)
            n = len(trainer.monitor.groups)
            recorder.states.append((step, score, copy.deepcopy(trainer.G_eval.state_dict()),
                                    recorder._per_class[-n:]))
            return score

        training.mmd = recorded_mmd
        training._Trainer.evaluate = recorded_evaluate


def acceptance(aug):
    """Share of unfiltered draws per class that the fitted sample filter accepts."""
    sampler = Sampler(aug)
    torch_gen, rng = torch.Generator().manual_seed(0), np.random.RandomState(0)
    shares = []
    with torch.no_grad():
        for code in range(len(aug.classes_)):
            codes, lengths = np.full(N_DRAWS, code), np.full(N_DRAWS, aug.n_timepoints_)
            x = sampler.draw_scaled(codes, lengths, rng, torch_gen, lengths)
            t_len = torch.from_numpy(lengths)
            margin = sampler.filter.margin(sampler.view.filter_view(x, t_len), t_len,
                                           torch.from_numpy(codes))
            shares.append(float((margin > FILTER_MARGIN).float().mean()))
    return shares


def record(seeds, lever):
    step_levers.apply(lever)
    X, y = load_gunpoint(split="train", return_type="numpy3D")
    rocket = MiniRocket(random_state=0).fit(X)
    judge = ridge_judge().fit(rocket.transform(X), y)
    nn_judge = KNeighborsClassifier(n_neighbors=1).fit(X[:, 0], y)
    recorder = StateRecorder()
    runs = []
    for seed in seeds:
        for cut in np.unique(y):
            recorder.states.clear()
            keep, _ = cut_to_few(y, cut, seed, 3)
            aug = RecurrentGANAugmenter(random_state=seed).fit(X[keep], y[keep])
            run = {"seed": seed, "cut": str(cut), "best": aug.best_step_, "states": []}
            for step, score, state, per_class in recorder.states:
                if step % 50 and step != aug.best_step_:
                    continue
                aug.generator_.load_state_dict(state)
                S = aug.sample(N_DRAWS, cut, random_state=seed)
                run["states"].append({
                    "step": step, "mmd": score, "mmd_per_class": per_class,
                    "acceptance": acceptance(aug),
                    "fidelity": float(np.mean(judge.predict(rocket.transform(S)) == cut)),
                    "fidelity_1nn": float(np.mean(nn_judge.predict(S[:, 0]) == cut))})
            runs.append(run)
            kept = next(s for s in run["states"] if s["step"] == run["best"])
            print(f"seed {seed} cut {cut}: kept step {run['best']}, fidelity "
                  f"{kept['fidelity']:.3f}, acceptance {kept['acceptance']}", flush=True)
    return runs


def pick(run, rule):
    states = run["states"]
    least = lambda s: min(s["acceptance"])  # noqa: E731
    if rule == "mmd":
        return next(s for s in states if s["step"] == run["best"])
    if rule == "last":
        return states[-1]
    if rule == "accmax":
        return max(states, key=lambda s: (least(s), -s["mmd"]))
    if rule.startswith("acc>="):
        ok = [s for s in states if least(s) >= float(rule[5:])] or [max(states, key=least)]
        return min(ok, key=lambda s: s["mmd"])
    if rule.startswith("rel"):
        bar = float(rule[3:]) * max(least(s) for s in states)
        return min((s for s in states if least(s) >= bar), key=lambda s: s["mmd"])
    if rule.startswith("mul"):
        lam = float(rule[3:])
        return min(states, key=lambda s: s["mmd"] * (1 + lam * (1 - least(s))))
    raise ValueError(rule)


def report(runs, lever, seeds):
    lines = ["# Checkpoint rules replayed on recorded few-shot fits", "",
             "Command: `python benchmarks/checkpoint_rules.py --seeds "
             f"{' '.join(map(str, seeds))}" + (f" --lever {lever}" if lever != "base" else "")
             + "`", f"Machine: {platform.machine()}, {torch.get_num_threads()} torch threads, "
             f"torch {torch.__version__}", "",
             f"{len(runs)} fits (GunPoint, each class cut to 3 series in turn); fidelity of the "
             f"cut class, {N_DRAWS} filtered draws of the state each rule picks.", "",
             "| rule | fidelity mean | min | fits below 0.9 | 1-NN judge mean | min | MMD of the state (mean) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for rule in RULES:
        chosen = [pick(r, rule) for r in runs]
        f = np.array([s["fidelity"] for s in chosen])
        f_nn = np.array([s["fidelity_1nn"] for s in chosen])
        lines.append(f"| {rule} | {f.mean():.3f} | {f.min():.3f} | {(f < 0.9).sum()} | "
                     f"{f_nn.mean():.3f} | {f_nn.min():.3f} | "
                     f"{np.mean([s['mmd'] for s in chosen]):.4f} |")
    best = np.array([max(s["fidelity"] for s in r["states"]) for r in runs])
    lines += ["", f"Best state of each fit by the judge itself (not known to a fit): mean "
              f"{best.mean():.3f}, min {best.min():.3f}."]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--lever", type=step_levers.lever_name, default="base")
    parser.add_argument("--replay-only", action="store_true",
                        help="replay the rules on the stored recordings")
    args = parser.parse_args()
    name = "checkpoint_rules" + ("" if args.lever == "base" else "_" + args.lever.replace("+", "_"))
    stored = RESULTS / f"{name}.json"
    if args.replay_only:
        runs = json.loads(stored.read_text())
    else:
        runs = record(args.seeds, args.lever)
        stored.write_text(json.dumps(runs))
    text = report(runs, args.lever, args.seeds)
    (RESULTS / f"{name}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
