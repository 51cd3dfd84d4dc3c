"""The options of the benchmarks that also run the augmenter with other parameters."""

import json


def add_variant_options(parser, default_out):
    """``--params`` (augmenter parameters other than the defaults, as a JSON object) and
    ``--out`` (the results file's name in benchmarks/results; ``default_out`` says what
    the script writes without it)."""
    parser.add_argument("--params", default="{}",
                        help='augmenter parameters other than the defaults, as JSON, e.g. '
                             '\'{"n_steps": 1000}\' (an ablation)')
    parser.add_argument("--out", default=None,
                        help=f"results file name in benchmarks/results (default: {default_out})")


def variant_params(args):
    """The ``--params`` of parsed ``args`` as a dict of keyword arguments."""
    params = json.loads(args.params)
    if not isinstance(params, dict):
        raise SystemExit(f"--params: a JSON object of parameters is needed, got {args.params!r}")
    return params
