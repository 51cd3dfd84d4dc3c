"""``sampling_strategy`` resolution with imbalanced-learn's over-sampling semantics.

imbalanced-learn stays optional, so this module re-implements the over-sampling half
of ``imblearn.utils.check_sampling_strategy``; the test suite checks the counts
against imbalanced-learn's own function for every kind of strategy.  The result maps
each class to the number of synthetic series to generate for it.
"""

from __future__ import annotations

from collections import OrderedDict
from numbers import Integral, Real

import numpy as np

STRATEGY_NAMES = ("minority", "not minority", "not majority", "all", "auto")


def _counts(y):
    classes, counts = np.unique(y, return_counts=True)
    return dict(zip(classes.tolist() if classes.dtype.kind != "O" else list(classes), counts.tolist()))


def _majority(stats):
    return max(stats, key=stats.get)


def _minority(stats):
    return min(stats, key=stats.get)


def _from_name(name, stats):
    n_major = max(stats.values())
    if name == "all":
        return {k: n_major - v for k, v in stats.items()}
    if name in ("auto", "not majority"):
        cmaj = _majority(stats)
        return {k: n_major - v for k, v in stats.items() if k != cmaj}
    if name == "not minority":
        cmin = _minority(stats)
        return {k: n_major - v for k, v in stats.items() if k != cmin}
    if name == "minority":
        cmin = _minority(stats)
        return {k: n_major - v for k, v in stats.items() if k == cmin}
    raise AssertionError(name)


def _from_targets(targets, stats, where="'sampling_strategy'"):
    if not isinstance(targets, dict):
        raise TypeError(f"{where} must give a dict {{class: target number of samples}}; "
                        f"got {type(targets).__name__}.")
    bad = {k: v for k, v in targets.items()
           if isinstance(v, bool) or not isinstance(v, Integral)}
    if bad:  # a fractional target would be truncated silently; a bool read as 0 or 1
        raise TypeError(f"The target numbers of samples in {where} must be integers; got "
                        f"{bad}.")
    unknown = set(targets) - set(stats)
    if unknown:
        raise ValueError(f"The {unknown} target class is/are not present in the data.")
    if any(n < 0 for n in targets.values()):
        raise ValueError(
            "The number of samples in a class cannot be negative. "
            f"'sampling_strategy' contains some negative value: {targets}"
        )
    out = {}
    for cls, n in targets.items():
        if n < stats[cls]:
            raise ValueError(
                "With over-sampling methods, the number of samples in a class should be "
                f"greater or equal to the original number of samples. Originally, there "
                f"is {stats[cls]} samples and {n} samples are asked."
            )
        out[cls] = int(n) - stats[cls]
    return out


def _from_ratio(ratio, y, stats):
    if len(stats) != 2:
        raise ValueError(
            '"sampling_strategy" can be a float only when the type of target is '
            "binary. For multi-class, use a dict."
        )
    n_major = max(stats.values())
    cmaj = _majority(stats)
    out = {k: int(n_major * ratio - v) for k, v in stats.items() if k != cmaj}
    if any(n <= 0 for n in out.values()):
        raise ValueError(
            "The specified ratio required to remove samples from the minority class "
            "while trying to generate new samples. Please increase the ratio."
        )
    return out


def resolve_sampling_strategy(sampling_strategy, y, **kwargs):
    """Return an ordered ``{class: n_to_generate}`` as imbalanced-learn would."""
    stats = _counts(y)
    if len(stats) <= 1:
        raise ValueError(
            f"The target 'y' needs to have more than 1 class. Got {len(stats)} class instead"
        )
    if isinstance(sampling_strategy, str):
        if sampling_strategy == "majority":
            raise ValueError("'sampling_strategy'='majority' cannot be used with over-sampler.")
        if sampling_strategy not in STRATEGY_NAMES:
            raise ValueError(
                "When 'sampling_strategy' is a string, it needs to be one of "
                f"{('majority',) + STRATEGY_NAMES}. Got '{sampling_strategy}' instead."
            )
        result = _from_name(sampling_strategy, stats)
    elif isinstance(sampling_strategy, dict):
        result = _from_targets(sampling_strategy, stats)
    elif isinstance(sampling_strategy, list):
        raise ValueError(
            "'sampling_strategy' cannot be a list for samplers which are not cleaning methods."
        )
    elif isinstance(sampling_strategy, Real) and not isinstance(sampling_strategy, bool):
        if sampling_strategy <= 0 or sampling_strategy > 1:
            raise ValueError(
                "When 'sampling_strategy' is a float, it should be in the range (0, 1]. "
                f"Got {sampling_strategy} instead."
            )
        result = _from_ratio(float(sampling_strategy), y, stats)
    elif callable(sampling_strategy):
        result = _from_targets(sampling_strategy(y, **kwargs), stats,
                               "the 'sampling_strategy' callable")
    else:
        raise ValueError(
            "sampling_strategy must be a str, a float, a dict or a callable; got "
            f"{type(sampling_strategy).__name__}."
        )
    return OrderedDict(sorted(result.items()))
