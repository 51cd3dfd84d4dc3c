"""Number formats: float32 on the CPU unless bf16 is asked for, bf16 autocast on CUDA,
the even recurrent input sizes that make bf16 fast, and the float32 fallback on a CPU
that cannot run bf16."""

import numpy as np
import pytest
import torch

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.gan import precision as precision_module
from rgan_augment.gan.precision import cpu_runs_bf16
from rgan_augment.gan.config import GANConfig
from rgan_augment.gan.training import autocast, autocast_dtype

from _toy import sine_vs_sawtooth, tiny
from conftest import skip_without_cpu_bf16

TINY = tiny(10, random_state=0)


@pytest.mark.parametrize("precision, expected", [
    ("auto", "float32"), ("float32", "float32"), ("bfloat16", "bfloat16")])
def test_auto_is_float32_on_the_cpu_and_only_bf16_fits_pad(precision, expected):
    """'auto' trains a CPU fit in float32 (bf16 is asked for explicitly); only bf16 fits
    pad their recurrent inputs, so float32 models keep their layout."""
    skip_without_cpu_bf16(precision)
    X, y = sine_vs_sawtooth(n_per_class=8, length=16)
    aug = RecurrentGANAugmenter(**TINY, precision=precision, device="cpu").fit(X, y)
    assert aug.precision_ == expected
    assert aug.config_.even_inputs == (expected == "bfloat16")
    assert np.isfinite(aug.sample(20, "saw")).all()


def test_autocast_dtype_rule():
    cpu = torch.device("cpu")
    assert autocast_dtype(cpu, "float32") is None
    assert autocast_dtype(cpu, "bfloat16") is (torch.bfloat16 if cpu_runs_bf16("lstm") else None)
    assert autocast_dtype(cpu, "auto") is None
    if torch.cuda.is_available():
        cuda = torch.device("cuda")
        expected = torch.bfloat16 if torch.cuda.is_bf16_supported() else None
        assert autocast_dtype(cuda, "auto") is expected


def _config(even_inputs):
    # recurrent input sizes, both odd: generator 3 noise + 4 latent + 2 class embedding +
    # 1 position + (2 + 1) reference = 13; discriminator 2 * 2 series and differences +
    # 2 class embedding + 2 (valid, position) + (2 * 2 + 1) reference = 13
    return GANConfig(n_channels=1, n_timepoints=16, n_classes=2, chunk=2, hidden_size=8,
                     latent_dim=4, noise_dim=3, reference=True, even_inputs=even_inputs)


def test_recurrent_inputs_are_padded_to_even_sizes():
    for even in (True, False):
        cfg = _config(even)
        sizes = [cfg.build_generator().rnn.input_size, cfg.build_discriminator().rnn.input_size]
        assert sizes == ([14, 14] if even else [13, 13])


def test_series_are_not_rounded_to_bf16(needs_cpu_bf16):
    """Under bf16 autocast the generator's output layer still runs in float32: the values
    are not confined to bf16's 8-bit mantissa (a staircase in the series)."""
    cfg = GANConfig(n_channels=2, n_timepoints=12, n_classes=0, chunk=3, hidden_size=16,
                    latent_dim=4, noise_dim=2, even_inputs=True)
    gen = cfg.build_generator().eval()
    g = torch.Generator().manual_seed(0)
    latent, noise = torch.randn(64, 4, generator=g), torch.randn(64, cfg.n_chunks, 2, generator=g)
    with torch.no_grad(), autocast(torch.device("cpu"), torch.bfloat16):
        out = gen(latent, noise)
    assert out.dtype == torch.float32
    assert (out.bfloat16().float() != out).float().mean() > 0.9


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_checkpoints_are_scored_in_the_sampling_format(monkeypatch, precision):
    """The validation MMD that picks the kept generator scores draws made in the format
    sampling will use (bf16 autocast for a bf16 fit), not always in float32."""
    from rgan_augment.gan import training

    skip_without_cpu_bf16(precision)
    seen = []
    real_draw = training.draw

    def spy(generator, *args, **kwargs):
        if not generator.training:  # the monitor's draws (training draws: train mode)
            seen.append(torch.is_autocast_enabled("cpu"))
        return real_draw(generator, *args, **kwargs)

    monkeypatch.setattr(training, "draw", spy)
    X, y = sine_vs_sawtooth(n_per_class=8, length=16)
    RecurrentGANAugmenter(**TINY, precision=precision).fit(X, y)
    assert seen and all(s == (precision == "bfloat16") for s in seen)


def test_bf16_on_a_cpu_without_it_trains_in_float32_with_a_warning(monkeypatch):
    """Where the CPU cannot run the LSTM in bf16, precision='bfloat16' warns and fits in
    float32 (as 'float32' would: the same draws); sampling runs in float32 too."""
    monkeypatch.setattr(precision_module, "cpu_runs_bf16", lambda cell="lstm": False)
    X, y = sine_vs_sawtooth(n_per_class=8, length=16)
    with pytest.warns(UserWarning, match="cannot run the LSTM in bf16"):
        aug = RecurrentGANAugmenter(**TINY, precision="bfloat16").fit(X, y)
    assert aug.precision_ == "float32" and not aug.config_.even_inputs
    plain = RecurrentGANAugmenter(**TINY, precision="float32").fit(X, y)
    np.testing.assert_array_equal(aug.sample(6, "saw", random_state=2),
                                  plain.sample(6, "saw", random_state=2))


_PROBE_UNDER_AVX2 = """
import warnings, numpy as np
from rgan_augment import RecurrentGANAugmenter
from rgan_augment.gan.precision import cpu_runs_bf16
print("probe", cpu_runs_bf16("lstm"))
X = np.random.default_rng(0).normal(size=(12, 1, 16)); y = np.array([0, 1] * 6)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    aug = RecurrentGANAugmenter(n_steps=4, hidden_size=8, precision="bfloat16",
                                random_state=0).fit(X, y)
print("precision", aug.precision_, "warned", any("bf16" in str(w.message) for w in caught))
print("finite", bool(np.isfinite(aug.sample(4, 1)).all()))
"""


def test_the_probe_finds_a_cpu_without_bf16_kernels():
    """The capability is asked of the CPU, not assumed: with oneDNN held to AVX2 (what a
    CPU without bf16 instructions offers), the probe says no and a bf16 fit trains and
    samples in float32 instead of failing in oneDNN."""
    import platform
    import subprocess
    import sys

    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("ONEDNN_MAX_CPU_ISA=AVX2 emulates a bf16-less CPU on x86-64 only")
    env = dict(__import__("os").environ, ONEDNN_MAX_CPU_ISA="AVX2")
    run = subprocess.run([sys.executable, "-c", _PROBE_UNDER_AVX2], capture_output=True,
                         text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "probe False" in run.stdout
    assert "precision float32 warned True" in run.stdout and "finite True" in run.stdout
