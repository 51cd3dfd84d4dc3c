"""Generator weight averaging: the state kept is the moving average of the live weights."""

import numpy as np
import pytest
import torch
from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.gan.config import GANConfig
from rgan_augment.gan.training import average_decay, train_gan

from _toy import sine_vs_sawtooth, tiny

TINY = tiny(20)


def _toy_tensors():
    X, y = sine_vs_sawtooth(n_per_class=10, length=16)
    x = torch.as_tensor(X.transpose(0, 2, 1), dtype=torch.float32)
    lengths = torch.full((len(x),), 16, dtype=torch.long)
    labels = torch.as_tensor((y == "saw").astype(np.int64))
    return x, lengths, labels


def _train_recording_live_weights(ema, n_steps=6):
    """Train a tiny GAN; return the kept state and the generator's weights before its
    first update and after every update (read through optimizer step hooks)."""
    x, lengths, labels = _toy_tensors()
    config = GANConfig(n_channels=1, n_timepoints=16, n_classes=2, chunk=2, hidden_size=8,
                       latent_dim=4, noise_dim=2, batch_size=8, n_steps=n_steps,
                       eval_every=n_steps, ema=ema)
    built, snapshots = [], []
    build = GANConfig.build_generator

    def build_and_remember(self):
        built.append(build(self))
        return built[-1]

    def remember(opt, args, kwargs):
        params = opt.param_groups[0]["params"]
        if built and params[0] is next(built[0].parameters()):  # the generator's optimizer
            snapshots.append([p.detach().clone() for p in params])

    GANConfig.build_generator = build_and_remember
    hooks = [register_optimizer_step_pre_hook(
                 lambda o, a, k: remember(o, a, k) if not snapshots else None),
             register_optimizer_step_post_hook(remember)]
    try:
        result = train_gan(x, lengths, labels, config, seed=0, device=torch.device("cpu"))
    finally:
        GANConfig.build_generator = build
        for h in hooks:
            h.remove()
    return result, snapshots


def test_kept_state_is_the_moving_average_of_the_live_weights():
    result, snaps = _train_recording_live_weights(ema=0.9)
    assert len(snaps) == 1 + 6  # initial weights, then one per generator update
    expected = [p.clone() for p in snaps[0]]
    for step, live in enumerate(snaps[1:], start=1):
        d = average_decay(0.9, step)
        expected = [d * e + (1 - d) * w for e, w in zip(expected, live)]
    kept = list(result.generator_state.values())
    assert len(kept) == len(expected)
    for k, e, w in zip(kept, expected, snaps[-1]):
        torch.testing.assert_close(k, e, rtol=1e-5, atol=1e-6)
    # and it is not simply the last live state
    assert any(not torch.allclose(k, w) for k, w in zip(kept, snaps[-1]))


def test_without_averaging_the_last_live_state_is_kept():
    result, snaps = _train_recording_live_weights(ema=0.0)
    for k, w in zip(result.generator_state.values(), snaps[-1]):
        torch.testing.assert_close(k, w)


def test_decay_ramps_up_to_the_asked_value():
    assert average_decay(0.98, 1) == pytest.approx(2 / 11)
    assert average_decay(0.98, 10_000) == 0.98
    assert average_decay(0.0, 5) == 0.0


@pytest.mark.parametrize("bad", [1.0, -0.1, 1.5, "0.9", True, float("nan")])
def test_bad_ema_decay(bad):
    X, y = sine_vs_sawtooth(n_per_class=6, length=16)
    with pytest.raises(ValueError, match="ema_decay"):
        RecurrentGANAugmenter(ema_decay=bad, **TINY).fit(X, y)
