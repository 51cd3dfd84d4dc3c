"""Cycle folding: data repeating an exact cycle are modelled one channel per phase.

The layout functions against a direct loop, and the fitted augmenter: folded only where
there is a cycle, draws in the data's own layout and lengths, z-normalised over the
data's steps, as steady across cycles as the data, kept by both file formats."""

import io

import joblib
import numpy as np
import pytest
import torch

from rgan_augment import RecurrentGANAugmenter
from rgan_augment._cycles import cycle_roughness
from rgan_augment._sampler import NetworkView
from rgan_augment._folding import fold, fold_steps, folded_lengths, unfold, unfold_steps
from rgan_augment.persistence import ModelFileError

from _toy import rewrite_document
from test_cycles import TINY, _cyclic, _jitter_cycles


def _padded(rng, lengths, channels=2, t=None):
    t = t or int(lengths.max())
    v = rng.normal(size=(len(lengths), channels, t))
    return v * (np.arange(t)[None, :] < lengths[:, None])[:, None, :]


def test_fold_is_one_channel_per_phase_and_completes_the_last_cycle():
    rng = np.random.default_rng(0)
    lengths = np.array([23, 20, 13, 3, 17])
    v, p = _padded(rng, lengths), 4
    f = fold(v, lengths, p)
    assert f.shape == (5, 2 * p, 6)
    np.testing.assert_array_equal(folded_lengths(lengths, p), [6, 5, 4, 1, 5])
    for i, n in enumerate(lengths):
        for c in range(2):
            for t in range(n):  # step k of channel c * P + p is step k * P + p of channel c
                assert f[i, c * p + t % p, t // p] == v[i, c, t]
            for t in range(n, -(-n // p) * p):  # the partial last cycle: one cycle earlier
                expected = v[i, c, t - p] if n >= p else v[i, c, n - 1]
                assert f[i, c * p + t % p, t // p] == expected
        assert not f[i, :, -(-n // p):].any()  # zero after the folded end
    u = unfold(f, p)
    for i, n in enumerate(lengths):
        np.testing.assert_array_equal(u[i, :, :n], v[i, :, :n])


def test_torch_layout_functions_agree_with_fold():
    rng = np.random.default_rng(1)
    lengths = np.array([24, 21, 2, 9])
    v, p = _padded(rng, lengths, channels=3, t=24), 4
    f = fold(v, lengths, p)
    x = torch.from_numpy(v.transpose(0, 2, 1).copy())
    x[1, 21:] = 99.0  # whatever lies after a series' end does not matter
    folded = fold_steps(x, torch.from_numpy(lengths), p)
    np.testing.assert_array_equal(folded.numpy().transpose(0, 2, 1), f)
    back = unfold_steps(torch.from_numpy(f.transpose(0, 2, 1).copy()), p)
    np.testing.assert_array_equal(back.numpy().transpose(0, 2, 1), unfold(f, p))


def _znormed(X):
    return (X - X.mean(-1, keepdims=True)) / X.std(-1, keepdims=True)


def test_cyclic_data_are_folded_and_drawn_in_their_own_layout():
    X, y = _cyclic(n=30, length=130, period=4, noise=0.01)
    X = _znormed(X)
    aug = RecurrentGANAugmenter(**TINY).fit(X, y)
    assert aug.cycle_length_ == 4 and aug.cycles_folded_ and aug.cycle_sigma_ is None
    assert (aug.config_.n_channels, aug.config_.n_timepoints) == (4, 33)
    assert aug.smoothing_sigma_.shape == (2, 4)
    S = aug.sample(20, 1, random_state=0)
    assert S.shape == (20, 1, 130) and np.isfinite(S).all()
    # z-normalised over the 130 steps of the data, not over the folded 132
    np.testing.assert_allclose(S.mean(-1), 0, atol=1e-6)
    np.testing.assert_allclose(S.std(-1), 1, atol=1e-6)
    X_res, y_res = aug.fit_resample(X[:24], y[:24] * 0 + (np.arange(24) < 6))
    assert X_res.shape[1:] == (1, 130) and np.bincount(y_res).tolist() == [18, 18]


def test_the_filter_reads_draws_in_the_data_layout():
    """The sample filter is trained on the series as the user gave them (the layout a
    downstream classifier sees), and reads folded draws converted back to it."""
    X, y = _cyclic(n=30, length=130, period=4, noise=0.01)
    rng = np.random.default_rng(2)
    series = [x[:, :n] for x, n in zip(_znormed(X), rng.integers(110, 131, size=len(X)))]
    aug = RecurrentGANAugmenter(**TINY, filter_samples=True).fit(series, y)
    assert aug.cycles_folded_ and aug.class_filter_ is not None
    lengths = np.array([s.shape[1] for s in series])
    padded = np.zeros((len(series), 1, 130))
    for i, s in enumerate(series):
        padded[i, :, : s.shape[1]] = s
    folded = aug.scaler_.transform(fold(padded, lengths, 4))  # as the networks emit
    net = torch.from_numpy(folded.transpose(0, 2, 1).astype(np.float32))
    view = NetworkView(aug).filter_view(net, torch.from_numpy(lengths)).numpy()
    expected = aug.filter_scaler_.transform(padded).transpose(0, 2, 1)
    expected *= (np.arange(130)[None, :] < lengths[:, None])[:, :, None]
    np.testing.assert_allclose(view, expected, atol=1e-5)
    margin = aug.class_filter_.margin(torch.from_numpy(view), torch.from_numpy(lengths),
                                      torch.from_numpy(y))
    assert (margin > 0).float().mean() > 0.9  # it knows the training series' classes


def test_unequal_lengths_keep_their_class_lengths_and_znorm():
    X, y = _cyclic(n=30, length=160, period=4, noise=0.01)
    rng = np.random.default_rng(3)
    series = [_znormed(x[:, :n]) for x, n in zip(X, rng.integers(100, 161, size=len(X)))]
    aug = RecurrentGANAugmenter(**TINY).fit(series, y)
    assert aug.cycles_folded_
    draws = aug.sample(40, 0, random_state=1)
    real_lengths = {s.shape[1] for s, c in zip(series, y) if c == 0}
    assert isinstance(draws, list) and {d.shape[1] for d in draws} <= real_lengths
    assert any(d.shape[1] % 4 for d in draws)  # partial last cycles are cut back
    for d in draws:
        assert abs(d.mean()) < 1e-6 and abs(d.std() - 1) < 1e-6


def test_folded_draws_are_as_steady_across_cycles_as_the_data(monkeypatch):
    _jitter_cycles(monkeypatch, amount=0.3)  # draws = a real series + white noise
    X, y = _cyclic(n=40, length=400, period=4, noise=0.02)
    params = dict(TINY, filter_samples=False, preserve_znorm=False)
    aug = RecurrentGANAugmenter(**params).fit(X, y)
    assert aug.cycles_folded_ and (aug.smoothing_sigma_ > 0).all()

    def steadiness(S):
        t = torch.from_numpy(np.asarray(S, dtype=np.float32)).transpose(1, 2)
        return cycle_roughness(t, torch.full((len(S),), S.shape[2]), 4).item()

    # the widths match second differences across cycles; the change over one cycle
    # follows to within 2x (measured 1.5x) of the data's, from 5x without them
    real = steadiness(X[y == 1])
    assert steadiness(aug.sample(100, 1, random_state=1)) <= 2 * real
    raw = RecurrentGANAugmenter(**params, match_roughness=False).fit(X, y)
    assert raw.cycles_folded_ and raw.smoothing_sigma_ is None
    assert steadiness(raw.sample(100, 1, random_state=1)) > 4 * real


def test_without_a_cycle_folding_changes_nothing():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2, 64)).cumsum(2), np.arange(20) % 2
    a = RecurrentGANAugmenter(**TINY).fit(X, y)
    b = RecurrentGANAugmenter(**TINY, fold_cycles=False).fit(X, y)
    assert not a.cycles_folded_ and a.cycle_length_ == 0
    np.testing.assert_array_equal(a.sample(10, 1, random_state=2), b.sample(10, 1, random_state=2))


def test_fold_cycles_false_keeps_the_cycle_smoothing():
    X, y = _cyclic(n=30, length=128, period=4)
    aug = RecurrentGANAugmenter(**TINY, fold_cycles=False).fit(X, y)
    assert aug.cycle_length_ == 4 and not aug.cycles_folded_
    assert aug.config_.n_channels == 1 and aug.cycle_sigma_.shape == (2, 1)
    # found only to be folded: without either use there is no cycle
    off = RecurrentGANAugmenter(**TINY, fold_cycles=False, match_roughness=False).fit(X, y)
    assert off.cycle_length_ == 0
    only_fold = RecurrentGANAugmenter(**TINY, match_roughness=False).fit(X, y)
    assert only_fold.cycle_length_ == 4 and only_fold.cycles_folded_


@pytest.mark.parametrize("chunk_length, cycles", [(8, 2), (10, 3), (1, 1)])
def test_a_given_chunk_length_counts_the_data_steps(chunk_length, cycles):
    X, y = _cyclic(n=20, length=128, period=4)
    aug = RecurrentGANAugmenter(**TINY, chunk_length=chunk_length).fit(X, y)
    assert aug.cycles_folded_ and aug.config_.chunk == cycles
    assert aug.sample(3, 0, random_state=0).shape == (3, 1, 128)


def test_auto_hidden_size_counts_the_data_steps_a_recurrent_step_covers():
    X, y = _cyclic(n=20, length=320, period=16)  # folded: 20 steps, one cycle per step
    aug = RecurrentGANAugmenter(**{**TINY, "hidden_size": "auto"}).fit(X, y)
    assert aug.cycles_folded_ and aug.config_.chunk == 1
    assert aug.config_.hidden_size == 128  # 16 data steps per recurrent step


def test_fold_cycles_must_be_a_bool():
    X, y = _cyclic()
    with pytest.raises(ValueError, match="fold_cycles"):
        RecurrentGANAugmenter(**TINY, fold_cycles="yes").fit(X, y)


def _folded_model():
    """A folded model with the sample filter on (its scaler is part of what is stored)."""
    X, y = _cyclic(n=30, length=130, period=4, noise=0.01)
    return RecurrentGANAugmenter(**TINY, filter_samples=True).fit(_znormed(X), y)


def test_both_formats_keep_the_folding(tmp_path):
    aug = _folded_model()
    expected = aug.sample(8, 0, random_state=5)
    path = tmp_path / "aug.npz"
    aug.save(path)
    loaded = RecurrentGANAugmenter.load(path)
    assert loaded.cycles_folded_ and loaded.cycle_length_ == 4
    np.testing.assert_array_equal(loaded.filter_scaler_.mean_, aug.filter_scaler_.mean_)
    np.testing.assert_array_equal(loaded.sample(8, 0, random_state=5), expected)
    buffer = io.BytesIO()
    joblib.dump(aug, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(joblib.load(buffer).sample(8, 0, random_state=5), expected)


@pytest.mark.parametrize("damage", ["length", "missing", "type", "filter"])
def test_safe_format_bad_folding(tmp_path, damage):
    path = tmp_path / "aug.npz"
    _folded_model().save(path)

    def edit(doc):
        if damage == "length":
            doc["calibrations"]["fold"]["cycle"] = 3  # the networks hold 4 phases per channel
        elif damage == "missing":
            doc["calibrations"]["fold"] = None  # the networks' 4 channels read as the data's 1
        elif damage == "filter":
            doc["calibrations"]["filter_scaler"] = None  # the filter could not read the draws
        else:
            doc["calibrations"]["fold"]["cycle"] = "4"

    rewrite_document(path, edit)
    with pytest.raises(ModelFileError):
        RecurrentGANAugmenter.load(path)
