"""Cycle matching: detection of an exact shared cycle, smoothing across cycles, and the
fitted augmenter's widths (saved, loaded, and absent for data without a cycle). The
smoothing across cycles is what models with ``fold_cycles=False`` use; folded models
(the default) are tested in test_folding.py."""


import numpy as np
import pytest
import torch

from rgan_augment import RecurrentGANAugmenter
from rgan_augment._cycles import _lagged_change, cycle_roughness, detect_cycle
from rgan_augment._smoothing import gaussian_smooth
from rgan_augment.persistence import ModelFileError

from _toy import rewrite_document, tiny

TINY = tiny(20, random_state=0)


def _cyclic(n=24, length=96, period=4, noise=0.003, seed=0, n_classes=2):
    """Series repeating a per-class cycle of ``period`` steps with slow level changes,
    plus a little noise; (n, 1, length) and integer labels."""
    rng = np.random.default_rng(seed)
    shapes = rng.normal(size=(n_classes, period))
    y = np.arange(n) % n_classes
    reps = -(-length // period)
    X = np.stack([np.tile(shapes[c], reps)[:length] for c in y])[:, None, :]
    X = X * rng.uniform(0.8, 1.2, size=(n, 1, 1)) + noise * rng.normal(size=X.shape)
    return X, y


def _lengths(values):
    return np.full(len(values), values.shape[2])


def test_detects_the_cycle_and_not_its_multiples():
    X, _ = _cyclic(period=4)
    assert detect_cycle(X, _lengths(X)) == 4
    X, _ = _cyclic(period=7, length=140)
    assert detect_cycle(X, _lengths(X)) == 7


def test_detects_the_cycle_in_unequal_lengths():
    X, _ = _cyclic(period=5, length=120)
    lengths = np.random.default_rng(1).integers(60, 121, size=len(X))
    X = X * (np.arange(120)[None, None, :] < lengths[:, None, None])
    assert detect_cycle(X, lengths) == 5


@pytest.mark.parametrize("kind", ["random walk", "white noise", "smooth sines", "noisy cycle"])
def test_no_cycle_where_there_is_none(kind):
    rng = np.random.default_rng(0)
    t = np.arange(200)
    if kind == "random walk":
        X = rng.normal(size=(30, 2, 200)).cumsum(2)
    elif kind == "white noise":
        X = rng.normal(size=(30, 2, 200))
    elif kind == "smooth sines":  # each series its own frequency: no shared cycle
        X = np.sin(t * rng.uniform(0.05, 0.3, size=(30, 1, 1)) + rng.uniform(0, 6, size=(30, 1, 1)))
    else:  # a shared cycle under noise of a third of its spread is not an exact cycle
        X, _ = _cyclic(n=30, length=200, period=6, noise=0.3)
    assert detect_cycle(X, _lengths(X)) == 0


def test_too_short_for_eight_cycles():
    X, _ = _cyclic(period=4, length=24)  # 6 cycles
    assert detect_cycle(X, _lengths(X)) == 0


def test_lagged_change_matches_a_direct_computation():
    rng = np.random.default_rng(2)
    lengths = np.array([9, 15, 12])
    X = rng.normal(size=(3, 2, 15)) * (np.arange(15) < lengths[:, None])[:, None, :]
    change, pairs, var = np.zeros(5), np.zeros(5), []
    for x, n in zip(X, lengths):
        x = x[:, :n] - x[:, :n].mean(1, keepdims=True)
        var.append((x ** 2).sum())
        for p in range(1, 6):
            change[p - 1] += ((x[:, p:] - x[:, :-p]) ** 2).sum()
            pairs[p - 1] += x[:, p:].size
    expected = change / pairs / (2 * sum(var) / (lengths.sum() * 2))
    np.testing.assert_allclose(_lagged_change(X, lengths, 5), expected, rtol=1e-10)


def test_cycle_roughness_and_dilated_smoothing():
    x = torch.tensor([1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.5, 2.0, 3.0]).view(1, 9, 1)
    lengths = torch.tensor([9])
    # |x_t - x_(t-3)|: 0 0 0 0.5 0 0 over six pairs
    assert cycle_roughness(x, lengths, 3).item() == pytest.approx(0.5 / 6)
    # smoothing across cycles mixes only steps 3 apart: phases 1 and 2 are untouched
    out = gaussian_smooth(x, lengths, torch.tensor([1.0]), dilation=3)
    np.testing.assert_allclose(out[0, [1, 2, 4, 5, 7, 8], 0].numpy(), [2, 3, 2, 3, 2, 3], atol=1e-6)
    assert 1.0 < out[0, 0, 0].item() < 1.5 and 1.0 < out[0, 6, 0].item() < 1.5
    # an exactly periodic series is left as it is, padding stays zero
    periodic = torch.tensor([1.0, -2.0] * 6 + [0.0] * 3).view(1, 15, 1)
    out = gaussian_smooth(periodic, torch.tensor([12]), torch.tensor([2.0]), dilation=2)
    np.testing.assert_allclose(out.numpy(), periodic.numpy(), atol=1e-6)


def _jitter_cycles(monkeypatch, amount):
    """A stand-in generator whose draws wander from cycle to cycle (what cycle matching
    is for): each draw is its reference series (a training series of its class) plus
    white noise on every valid step."""
    from rgan_augment import _sampler as module

    real_draw = module.draw

    def jittery(gen, labels, lengths, torch_gen, config, clip=None, ref=None, ref_lengths=None,
                noise_scale=None):
        x = real_draw(gen, labels, lengths, torch_gen, config, clip, ref, ref_lengths,
                      noise_scale=noise_scale)
        noise = amount * torch.randn(x.shape, generator=torch_gen)
        return (ref + noise) * (x != 0)

    monkeypatch.setattr(module, "draw", jittery)


def test_fitted_draws_are_as_steady_across_cycles_as_the_data(monkeypatch):
    _jitter_cycles(monkeypatch, amount=0.08)
    X, y = _cyclic(n=40, length=400, period=4, noise=0.02)
    aug = RecurrentGANAugmenter(**TINY, filter_samples=False, preserve_znorm=False,
                                fold_cycles=False).fit(X, y)
    assert aug.cycle_length_ == 4 and aug.cycle_sigma_.shape == (2, 1)
    assert (aug.cycle_sigma_ > 0).all()

    def steadiness(S):
        t = torch.from_numpy(np.asarray(S, dtype=np.float32)).transpose(1, 2)
        return cycle_roughness(t, torch.full((len(S),), S.shape[2]), 4).item()

    real = steadiness(X[y == 1])
    assert steadiness(aug.sample(100, 1, random_state=1)) <= 1.5 * real
    rough = RecurrentGANAugmenter(**TINY, filter_samples=False, preserve_znorm=False,
                                  match_roughness=False, fold_cycles=False).fit(X, y)
    assert rough.cycle_length_ == 0 and rough.cycle_sigma_ is None
    assert steadiness(rough.sample(100, 1, random_state=1)) > 2 * real


def test_data_without_a_cycle_get_none():
    rng = np.random.default_rng(0)
    aug = RecurrentGANAugmenter(**TINY).fit(rng.normal(size=(20, 1, 64)).cumsum(2), np.arange(20) % 2)
    assert aug.cycle_length_ == 0 and aug.cycle_sigma_ is None


def _fitted_with_cycle():
    X, y = _cyclic(n=40, length=128, period=4)
    aug = RecurrentGANAugmenter(**TINY, filter_samples=False, fold_cycles=False).fit(X, y)
    assert aug.cycle_length_ == 4
    aug.cycle_sigma_ = np.array([[1.5], [0.0]])  # widths as a calibration may leave them
    return aug


def test_safe_format_keeps_the_cycle_and_needs_its_entry(tmp_path):
    aug = _fitted_with_cycle()
    path = tmp_path / "aug.npz"
    aug.save(path)
    loaded = RecurrentGANAugmenter.load(path)
    assert loaded.cycle_length_ == 4
    np.testing.assert_array_equal(loaded.cycle_sigma_, aug.cycle_sigma_)
    np.testing.assert_array_equal(loaded.sample(5, 0, random_state=4), aug.sample(5, 0, random_state=4))
    rewrite_document(path, lambda doc: doc["calibrations"].pop("cycle"))
    with pytest.raises(ModelFileError, match="lacks cycle"):
        RecurrentGANAugmenter.load(path)


@pytest.mark.parametrize("damage", ["length", "shape", "negative"])
def test_safe_format_bad_cycle(tmp_path, damage):
    path = tmp_path / "aug.npz"
    _fitted_with_cycle().save(path)

    def edit(doc):
        if damage == "length":
            doc["calibrations"]["cycle"]["length"] = 1000
        elif damage == "shape":
            doc["calibrations"]["cycle"]["sigma"] = [[1.0, 2.0]]
        else:
            doc["calibrations"]["cycle"]["sigma"] = [[-1.0], [0.0]]

    rewrite_document(path, edit)
    with pytest.raises(ModelFileError):
        RecurrentGANAugmenter.load(path)
