"""Shared test settings: the CPU's bf16 capability, asked once, and the `slow` marker."""

import pytest

from rgan_augment.gan.precision import cpu_runs_bf16

NO_BF16_REASON = ("this CPU cannot run oneDNN's bf16 LSTM kernel (no AVX512-BF16/AMX): "
                  "bf16 fits fall back to float32, tested in test_precision.py")


def skip_without_cpu_bf16(precision="bfloat16"):
    """Skip the calling test when it needs bf16 on a CPU that cannot run it."""
    if precision == "bfloat16" and not cpu_runs_bf16("lstm"):
        pytest.skip(NO_BF16_REASON)


@pytest.fixture
def needs_cpu_bf16():
    skip_without_cpu_bf16()


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: trains a model for seconds; CI runs these too")
