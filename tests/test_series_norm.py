"""Per-series z-normalisation: detected in the training data and kept in every draw."""


import numpy as np
import pytest
import torch

from rgan_augment import RecurrentGANAugmenter
from rgan_augment._series_norm import detect_znorm, znormalise
from rgan_augment.persistence import ModelFileError

from _toy import rewrite_document, tiny

TINY = tiny(20, random_state=0)


def _walks(n=30, channels=2, length=40, seed=0):
    return np.random.default_rng(seed).normal(size=(n, channels, length)).cumsum(axis=2)


def _znorm(a, ddof):
    return (a - a.mean(-1, keepdims=True)) / a.std(-1, ddof=ddof, keepdims=True)


@pytest.mark.parametrize("ddof", [0, 1])
def test_detects_each_convention_per_channel(ddof):
    X = _walks()
    X[:, 1] = _znorm(X[:, 1], ddof)
    flags, found = detect_znorm(X, np.full(len(X), X.shape[2]))
    assert flags.tolist() == [False, True]
    assert found.tolist() == [0, ddof]


@pytest.mark.parametrize("ddof", [0, 1])
def test_long_series_get_the_closer_convention(ddof):
    # at 2,000 steps the two conventions differ by 2.5e-4, inside the tolerance
    X = _znorm(_walks(n=5, channels=1, length=2000), ddof)
    assert detect_znorm(X, np.full(len(X), X.shape[2]))[1].tolist() == [ddof]


def test_no_detection_without_the_property():
    X = _znorm(_walks(), 1)
    lengths = np.full(len(X), X.shape[2])
    shifted = X.copy()
    shifted[3, 0] += 0.01  # one series off by more than the tolerance
    assert detect_znorm(shifted, lengths)[0].tolist() == [False, True]
    assert not detect_znorm(X[:2], lengths[:2])[0].any()  # two series say too little
    assert not detect_znorm(X * 1.01, lengths)[0].any()


def test_detection_reads_valid_steps_only():
    X = _walks()
    lengths = np.random.default_rng(1).integers(10, 41, size=len(X))
    for i, n in enumerate(lengths):
        X[i, :, :n] = _znorm(X[i, :, :n], 0)
        X[i, :, n:] = 0.0
    flags, ddof = detect_znorm(X, lengths)
    assert flags.all() and (ddof == 0).all()


def test_znormalise_in_scaled_units():
    rng = np.random.default_rng(2)
    mean, scale = np.array([3.0, -1.0]), np.array([2.0, 0.5])
    x = torch.from_numpy(rng.normal(size=(5, 12, 2)) * 0.7 + 0.2).float()
    lengths = torch.tensor([12, 12, 8, 5, 12])
    x = x * (torch.arange(12)[None, :, None] < lengths[:, None, None])
    x[4, :, 0] = 0.25  # a constant draw: no spread to rescale, left as it is
    out = znormalise(x, lengths, np.array([True, False]), np.array([1, 0]), mean, scale)
    data = out.double().numpy() * scale + mean
    for i, n in enumerate(lengths.tolist()[:4]):
        assert abs(data[i, :n, 0].mean()) < 1e-5
        assert abs(data[i, :n, 0].std(ddof=1) - 1.0) < 1e-5
        assert np.all(out[i, n:].numpy() == 0)  # padding stays zero
    assert torch.equal(out[:, :, 1], x[:, :, 1])  # an unflagged channel is untouched
    assert torch.allclose(out[4, :, 0], x[4, :, 0])


def test_draws_of_a_znormalised_channel_are_znormalised():
    X = _walks()
    X[:, 0] = _znorm(X[:, 0], 1)
    y = np.array([0] * 20 + [1] * 10)
    aug = RecurrentGANAugmenter(**TINY).fit(X, y)
    assert aug.znorm_channels_.tolist() == [True, False]
    S = aug.sample(60, 1, random_state=0)
    err_mean = np.abs(S[:, 0].mean(1))
    err_std = np.abs(S[:, 0].std(1, ddof=1) - 1.0)
    # exact up to float32, except a draw the output clip (training range +- 25 %) cut
    assert np.median(err_mean) < 1e-5 and np.median(err_std) < 1e-5
    assert err_mean.max() < 0.05 and err_std.max() < 0.05
    assert np.median(np.abs(S[:, 1].std(1) - 1.0)) > 1e-3  # the other channel: as drawn
    off = RecurrentGANAugmenter(preserve_znorm=False, **TINY).fit(X, y)
    assert off.znorm_channels_ is None and off.znorm_ddof_ is None


def test_unequal_lengths_are_normalised_over_their_own_steps():
    rng = np.random.default_rng(3)
    X = [_znorm(a[:, : rng.integers(12, 41)], 0) for a in _walks()]
    y = np.array([0] * 20 + [1] * 10)
    aug = RecurrentGANAugmenter(**TINY).fit(X, y)
    assert aug.znorm_channels_.all() and (aug.znorm_ddof_ == 0).all()
    S = aug.sample(30, 0, random_state=1)
    means = np.array([np.abs(s.mean(1)).max() for s in S])
    stds = np.array([np.abs(s.std(1) - 1.0).max() for s in S])
    assert np.median(means) < 1e-5 and np.median(stds) < 1e-5


def test_bad_parameter():
    with pytest.raises(ValueError, match="preserve_znorm"):
        RecurrentGANAugmenter(preserve_znorm="yes").fit(_walks(), np.array([0, 1] * 15))


def test_safe_format_keeps_flags(tmp_path):
    X = _znorm(_walks(), 1)
    y = np.array([0] * 20 + [1] * 10)
    aug = RecurrentGANAugmenter(**TINY).fit(X, y)
    path = tmp_path / "aug.npz"
    aug.save(path)
    loaded = RecurrentGANAugmenter.load(path)
    assert loaded.znorm_channels_.tolist() == [True, True]
    assert loaded.znorm_ddof_.tolist() == [1, 1]
    np.testing.assert_array_equal(loaded.sample(5, 1, random_state=4), aug.sample(5, 1, random_state=4))
    rewrite_document(path, lambda doc: doc["calibrations"].pop("znorm"))
    with pytest.raises(ModelFileError, match="lacks znorm"):
        RecurrentGANAugmenter.load(path)


@pytest.mark.parametrize("damage", ["length", "ddof", "not_bool"])
def test_safe_format_bad_flags(tmp_path, damage):
    X = _znorm(_walks(), 1)
    aug = RecurrentGANAugmenter(**TINY).fit(X, np.array([0] * 20 + [1] * 10))
    path = tmp_path / "aug.npz"
    aug.save(path)

    def edit(doc):
        if damage == "length":
            doc["calibrations"]["znorm"]["channels"] += [True]
        elif damage == "ddof":
            doc["calibrations"]["znorm"]["ddof"] = [2, 1]
        else:
            doc["calibrations"]["znorm"]["channels"] = [1, 1]

    rewrite_document(path, edit)
    with pytest.raises(ModelFileError):
        RecurrentGANAugmenter.load(path)
