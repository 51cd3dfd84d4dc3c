"""The machine a benchmark ran on, as its reports name it.

Fits are bit-for-bit repeatable on one CPU model and not across models (README,
"Reproducibility"), so the reports name the CPU model, not only the architecture."""

import platform
from pathlib import Path


def cpu_model():
    """The CPU's model name (Linux's /proc/cpuinfo), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine():
    """'CPU model (architecture)', for a report's Machine line."""
    return f"{cpu_model()} ({platform.machine()})"


def recorded_cpus(rows):
    """The CPU models stored result rows were fitted on, sorted ('CPU model not recorded'
    for rows stored before they carried one)."""
    return sorted({row.get("cpu", "CPU model not recorded") for row in rows})
