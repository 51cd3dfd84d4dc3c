"""Progress of a fit: a progress bar (``verbose=1``) and log lines that are seen
(``verbose=2``)."""

from __future__ import annotations

import contextlib
import logging
import sys
import time


@contextlib.contextmanager
def lines_shown(verbose):
    """``verbose >= 2`` logs a line per evaluation through this package's loggers; where
    the application has set up no logging at all (no handler on them or the root), a
    stderr handler at INFO is attached for the fit, so the lines are seen rather than
    dropped by logging's WARNING default. Configured logging is left as configured."""
    package = logging.getLogger("rgan_augment")
    if verbose < 2 or package.hasHandlers():
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    level = package.level
    package.addHandler(handler)
    package.setLevel(logging.INFO)
    try:
        yield
    finally:
        package.removeHandler(handler)
        package.setLevel(level)


class ProgressBar:
    """A dependency-free progress bar over training steps on stderr (verbose=1)."""

    def __init__(self, total, stream=None):
        self.total, self.stream, self.t0 = total, stream or sys.stderr, time.perf_counter()

    def __call__(self, step, total, history):
        frac = step / max(total, 1)
        bar = "#" * int(30 * frac)
        mmd = history["mmd"][-1]
        msg = (f"\rfit [{bar:<30}] {step}/{total}  loss_d {history['loss_d'][-1]:.3f}  "
               f"loss_g {history['loss_g'][-1]:.3f}  mmd {'n/a' if mmd is None else f'{mmd:.4f}'}"
               f"  {time.perf_counter() - self.t0:.0f}s")
        self.stream.write(msg)
        if step >= total:
            self.stream.write("\n")
        self.stream.flush()
