"""One method's scores in two stored ``ts_oversamplers.py`` runs, cell by cell: what a
change of defaults moved on the same splits and seeds.

    python benchmarks/compare_runs.py benchmarks/results/ts_oversamplers_three_nine.json \\
        benchmarks/results/ts_oversamplers_three_nine_nofilter.json --regime three

Per classifier: the cells both runs scored, the mean of (second minus first), wins /
ties / losses of the second, and a Wilcoxon signed-rank p over the cells; then the same
mean per data set. Prints a Markdown table; writes nothing.
"""

import argparse
import json
from pathlib import Path

from ts_oversamplers import REGIMES, paired_summary


def scores(path, method, regime, metric):
    """{(data set, seed, classifier): score} of ``method`` in one stored run."""
    return {(r["dataset"], r["seed"], r["classifier"]): r[metric]
            for r in json.loads(Path(path).read_text())
            if r["oversampler"] == method and r["regime"] == regime}


def paired_lines(first, second):
    """Markdown rows: per classifier, then per classifier and data set."""
    classifiers = dict.fromkeys(k[2] for k in second)
    lines = ["| classifier | data set | cells | second minus first | wins / ties / losses | p |",
             "| --- | --- | --- | --- | --- | --- |"]
    for clf in classifiers:
        keys = sorted(k for k in second if k[2] == clf and k in first)
        groups = [("all", keys)] + [
            (ds, [k for k in keys if k[0] == ds]) for ds in dict.fromkeys(k[0] for k in keys)]
        for name, group in groups:
            summary = paired_summary([second[k] for k in group], [first[k] for k in group])
            lines.append(f"| {clf} | {name} | {len(group)} | {summary} |")
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("first", help="stored run (.json), e.g. before a change")
    parser.add_argument("second", help="stored run (.json) on the same splits, after it")
    parser.add_argument("--regime", required=True,
                        choices=REGIMES)
    parser.add_argument("--method", default="GAN")
    parser.add_argument("--metric", default="balanced_accuracy",
                        choices=["balanced_accuracy", "macro_f1", "cut_recall"])
    args = parser.parse_args()
    first = scores(args.first, args.method, args.regime, args.metric)
    second = scores(args.second, args.method, args.regime, args.metric)
    if not set(first) & set(second):
        raise SystemExit(f"no cell of {args.method} in regime {args.regime} is in both runs")
    print("\n".join(paired_lines(first, second)))


if __name__ == "__main__":
    main()
