"""Fit gretel-synthetics' DGAN on a saved array and snapshot its samples at wall-clock budgets.

Runs inside the DGAN virtual environment made by ``benchmarks/peers/setup_dgan.sh`` (never the
project's): it imports nothing from rgan_augment. Input: an ``.npy`` of shape
``(n, n_channels, n_timepoints)`` (the project's layout). Output, in ``--out``: for each budget
in seconds, ``dgan_<budget>.npy`` (n synthetic series in the same layout) and ``dgan.json``
with the training seconds actually reached at each snapshot (time spent generating is not
counted as training time).

    venv-dgan/bin/python benchmarks/peers/dgan_run.py DATA.npy --out DIR --budgets 15 30 60 120
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from gretel_synthetics.timeseries_dgan.config import DGANConfig
from gretel_synthetics.timeseries_dgan.dgan import DGAN


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--out", required=True)
    parser.add_argument("--budgets", type=float, nargs="+", required=True)
    parser.add_argument("--sample-len", type=int, default=None,
                        help="steps per LSTM cell (default: the smallest divisor of the "
                             "length giving at most 20 cell steps)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    X = np.load(args.data)
    n, _, length = X.shape
    sample_len = args.sample_len or min(d for d in range(1, length + 1)
                                        if length % d == 0 and length // d <= 20)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    budgets = sorted(args.budgets)
    # epochs far beyond the largest budget: training is stopped at the last snapshot
    config = DGANConfig(max_sequence_len=length, sample_len=sample_len, epochs=100_000,
                        batch_size=min(1024, n), cuda=False)
    model = DGAN(config)
    state = dict(train_s=0.0, last=time.perf_counter(), next=0, batches=0, snapshots=[])

    class Done(Exception):
        pass

    def on_batch(info):
        now = time.perf_counter()
        state["train_s"] += now - state["last"]
        state["batches"] += 1
        while state["next"] < len(budgets) and state["train_s"] >= budgets[state["next"]]:
            budget = budgets[state["next"]]
            with torch.no_grad():
                _, features = model.generate_numpy(n)
            model._set_mode(True)  # generate_numpy leaves the networks in eval mode
            synth = np.stack(features).transpose(0, 2, 1).astype(np.float32)
            name = f"dgan_{budget:g}.npy"
            np.save(out / name, synth)
            state["snapshots"].append(dict(file=name, budget_s=budget, train_s=state["train_s"],
                                           epochs=info.epoch + 1, batches=state["batches"]))
            print(f"DGAN snapshot at {state['train_s']:.1f} s training, epoch {info.epoch + 1}",
                  flush=True)
            state["next"] += 1
        if state["next"] == len(budgets):
            raise Done
        state["last"] = time.perf_counter()

    try:
        model.train_numpy(X.transpose(0, 2, 1), progress_callback=on_batch)
    except Done:
        pass
    meta = dict(sample_len=sample_len, batch_size=config.batch_size, seed=args.seed,
                torch=torch.__version__, threads=torch.get_num_threads(),
                snapshots=state["snapshots"])
    (out / "dgan.json").write_text(json.dumps(meta, indent=1))


if __name__ == "__main__":
    main()
