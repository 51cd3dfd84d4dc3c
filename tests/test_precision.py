"""Number formats: float32 on the CPU unless bf16 is asked for, bf16 autocast on CUDA,
the even recurrent input sizes that make bf16 fast, and model files from before them."""

import numpy as np
import pytest
import torch

from rgan_augment import RecurrentGANAugmenter, persistence
from rgan_augment.gan.training import GANConfig, autocast, autocast_dtype

from _toy import sine_vs_sawtooth

TINY = dict(n_steps=10, hidden_size=8, latent_dim=4, noise_dim=2, batch_size=16, random_state=0)


def test_auto_is_float32_on_the_cpu_and_only_bf16_fits_pad():
    """'auto' trains a CPU fit in float32 (bf16 is asked for explicitly); only bf16 fits
    pad their recurrent inputs, so float32 models keep their layout."""
    X, y = sine_vs_sawtooth(n_per_class=8, length=16)
    for precision, expected in (("auto", "float32"), ("float32", "float32"),
                                ("bfloat16", "bfloat16")):
        aug = RecurrentGANAugmenter(**TINY, precision=precision, device="cpu").fit(X, y)
        assert aug.precision_ == expected
        assert aug.config_.even_inputs == (expected == "bfloat16")
        assert np.isfinite(aug.sample(20, "saw")).all()


def test_autocast_dtype_rule():
    cpu = torch.device("cpu")
    assert autocast_dtype(cpu, "float32") is None
    assert autocast_dtype(cpu, "bfloat16") is torch.bfloat16
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


def test_model_saved_before_the_padding_still_loads(tmp_path):
    """A file from before the padding (no ``even_inputs`` in its config, odd-sized input
    weights, no ``precision_``) loads and samples; new fits record ``even_inputs``."""
    X, y = sine_vs_sawtooth(n_per_class=8, length=16)
    aug = RecurrentGANAugmenter(**TINY, precision="bfloat16").fit(X, y)  # input 11 -> 12
    assert aug.config_.even_inputs and aug.generator_.rnn.input_size == 12
    path = tmp_path / "new.npz"
    aug.save(path)
    doc, weights, data = persistence.load_npz(path)
    del doc["config"]["even_inputs"], doc["fitted"]["precision_"]
    # the older layout: the same weights without the (always zero-fed) padding column
    weights["rnn.weight_ih_l0"] = weights["rnn.weight_ih_l0"][:, :11]
    persistence.save_npz(tmp_path / "old.npz", doc, weights, data)
    old = RecurrentGANAugmenter.load(tmp_path / "old.npz")
    assert old.generator_.rnn.input_size == 11 and old.precision_ == "float32"
    # the padding column only ever sees zeros, so dropping it changes nothing (up to the
    # float32 kernels' summation order)
    for est in (old, aug):
        est.set_params(precision="float32")
    np.testing.assert_allclose(old.sample(5, "sine", random_state=3),
                               aug.sample(5, "sine", random_state=3), rtol=0, atol=1e-5)
    assert RecurrentGANAugmenter.load(path).precision_ == aug.precision_


def test_series_are_not_rounded_to_bf16():
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
