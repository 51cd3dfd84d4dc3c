"""Example conditioning (DAGAN pairs) and the class filter on synthetic samples."""

import numpy as np
import pytest
import torch

from rgan_augment import RecurrentGANAugmenter
from rgan_augment._filter import ClassFilter
from rgan_augment.gan.training import ReferencePicker

from _toy import sine_vs_sawtooth, tiny

TINY = tiny(20)


def test_reference_partner_is_another_series_of_the_same_class():
    labels = torch.tensor([0] * 5 + [1] * 2 + [2] * 1 + [0] * 3)
    picker = ReferencePicker(labels, len(labels), torch.device("cpu"))
    g = torch.Generator().manual_seed(0)
    idx = torch.arange(len(labels)).repeat(200)
    partner = picker(idx, g)
    assert torch.equal(labels[partner], labels[idx])
    single = labels[idx] == 2  # the only series of its class can only pair with itself
    assert torch.equal(partner[single], idx[single])
    assert not torch.any(partner[~single] == idx[~single])
    # every other member of a class is drawn as a partner
    for i in range(len(labels)):
        seen = set(partner[idx == i].tolist())
        others = set(torch.nonzero(labels == labels[i]).squeeze(1).tolist()) - {i}
        assert seen == (others or {i})


def test_class_filter_learns_the_real_classes():
    X, y = sine_vs_sawtooth(30, 32, seed=1)
    codes = (y == "saw").astype(np.int64)
    x = torch.as_tensor(X.transpose(0, 2, 1), dtype=torch.float32)
    lengths = torch.full((len(X),), 32)
    filt = ClassFilter(seed=0).fit(x, lengths, codes, 2)
    X_new, y_new = sine_vs_sawtooth(30, 32, seed=2)
    x_new = torch.as_tensor(X_new.transpose(0, 2, 1), dtype=torch.float32)
    right = torch.as_tensor((y_new == "saw").astype(np.int64))
    assert (filt.margin(x_new, lengths, right) > 0).float().mean() > 0.9
    assert (filt.margin(x_new, lengths, 1 - right) > 0).float().mean() < 0.1
    meta, arrays = filt.get_state()
    again = ClassFilter.from_state(meta, arrays)
    assert torch.allclose(again.margin(x_new, lengths, right), filt.margin(x_new, lengths, right))


def test_class_filter_features_do_not_depend_on_how_many_series_are_scored():
    # features are computed in padded blocks of BLOCK_ROWS series (bounded memory in the
    # convolution backend): any batch size, equal or unequal lengths, gives each series
    # the features it gets alone
    from rgan_augment import _filter

    X, y = sine_vs_sawtooth(40, 32, seed=1)
    x = torch.as_tensor(X.transpose(0, 2, 1), dtype=torch.float32)
    lengths = torch.full((len(X),), 32)
    filt = ClassFilter(seed=0).fit(x, lengths, (y == "saw").astype(np.int64), 2)
    big = torch.cat([x] * 9)[: _filter.BLOCK_ROWS + 37]
    for lens in (torch.full((len(big),), 32), torch.randint(20, 33, (len(big),))):
        masked = big * (torch.arange(32)[None, :, None] < lens[:, None, None])
        together = filt._features(masked, lens)
        assert together.shape[0] == len(big)
        for i in (0, 5, _filter.BLOCK_ROWS, len(big) - 1):
            alone = filt._features(masked[i:i + 1], lens[i:i + 1])
            assert torch.allclose(together[i], alone[0], atol=1e-5)


def test_generator_runs_only_on_bucketed_batch_sizes_while_sampling():
    # the filter redraws subsets of every size; the generator must see a bounded set of
    # batch shapes (memory flat in the number sampled), and its padding rows never leak
    from rgan_augment._sampler import bucket_size as _bucket_size

    sizes = {_bucket_size(n) for n in range(1, 8193)}
    assert len(sizes) <= 40 and all(_bucket_size(n) >= n for n in range(1, 8193))
    assert _bucket_size(1) == 1 and _bucket_size(3) == 4 and _bucket_size(257) == 512

    X, y = sine_vs_sawtooth(20, 24, n_minority=5)
    aug = RecurrentGANAugmenter(random_state=0, **TINY).fit(X, y)
    seen = []
    hook = aug.generator_.register_forward_hook(lambda m, args, out: seen.append(out.shape[0]))
    try:
        S = aug.sample(301, "saw", random_state=0)
    finally:
        hook.remove()
    assert S.shape == (301, 1, 24) and np.isfinite(S).all()
    assert seen and all(b == _bucket_size(b) for b in seen)
    assert seen[0] == 512  # 301 rows padded, then cut back to 301


@pytest.mark.parametrize("conditioning, filter_samples", [("label", False), ("label", True),
                                                            ("example", False)])
def test_other_settings_fit_and_sample(conditioning, filter_samples):
    X, y = sine_vs_sawtooth(20, 24, n_minority=5)
    aug = RecurrentGANAugmenter(conditioning=conditioning, filter_samples=filter_samples,
                                random_state=0, **TINY).fit(X, y)
    assert (aug.references_ is not None) == (conditioning == "example")
    assert (aug.class_filter_ is not None) == filter_samples
    S = aug.sample(30, "saw", random_state=0)
    assert S.shape == (30, 1, 24) and np.isfinite(S).all()
    assert np.array_equal(S, aug.sample(30, "saw", random_state=0))


def test_example_model_keeps_references_per_class_and_does_not_copy_them():
    X, y = sine_vs_sawtooth(20, 24, n_minority=4)
    aug = RecurrentGANAugmenter(random_state=0, n_steps=60, hidden_size=16).fit(X, y)
    assert np.bincount(aug.reference_codes_).tolist() == [4, 20]  # classes_ = ['saw', 'sine']
    S = aug.sample(50, "saw", random_state=1)
    real = X[y == "saw"]
    nearest = np.min(np.abs(S[:, None] - real[None]).reshape(50, len(real), -1).max(2), axis=1)
    assert nearest.min() > 1e-3  # no synthetic series is a copy of a training series


def test_unconditional_model_draws_examples_from_all_series():
    X, _ = sine_vs_sawtooth(10, 16)
    aug = RecurrentGANAugmenter(random_state=0, **TINY).fit(X)
    assert aug.class_filter_ is None and len(aug.references_) == len(X)
    assert np.isfinite(aug.sample(7)).all()


@pytest.mark.parametrize("param, value", [("conditioning", "prototype"), ("filter_samples", "yes")])
def test_bad_conditioning_parameters(param, value):
    X, y = sine_vs_sawtooth(5, 16)
    with pytest.raises(ValueError, match=param):
        RecurrentGANAugmenter(**{param: value}, **TINY).fit(X, y)


def test_filter_redraws_until_a_draw_clears_the_margin(monkeypatch):
    """A stand-in generator that returns a real series of the wrong class 70 % of the
    time: unfiltered, 30 % of draws are right; filtered (up to 16 draws), nearly all."""
    from rgan_augment import _sampler as module

    X, y = sine_vs_sawtooth(30, 32, seed=3)
    aug = RecurrentGANAugmenter(**{**TINY, "n_steps": 2}, filter_samples=True,
                                random_state=0).fit(X, y)
    scaled = torch.as_tensor(aug.scaler_.transform(X.transpose(0, 2, 1)), dtype=torch.float32)
    pad = aug.config_.n_chunks * aug.config_.chunk - scaled.shape[1]
    scaled = torch.nn.functional.pad(scaled, (0, 0, 0, pad))
    by_code = [scaled[torch.as_tensor(y == c)] for c in aug.classes_]
    draws = []

    def stand_in(self, codes, lengths, rng, torch_gen, series_lengths=None, smoothed=True):
        right = rng.uniform(size=len(codes)) < 0.3
        use = np.where(right, codes, 1 - codes)
        draws.append(len(codes))
        return torch.stack([by_code[c][rng.randint(len(by_code[c]))] for c in use])

    monkeypatch.setattr(module.Sampler, "draw_scaled", stand_in)
    code = list(aug.classes_).index("saw")
    x = torch.as_tensor(aug.scaler_.transform(aug.sample(300, "saw", random_state=0).transpose(0, 2, 1)),
                        dtype=torch.float32)
    kept = aug.class_filter_.margin(x, torch.full((300,), 32), torch.full((300,), code))
    assert (kept > module.FILTER_MARGIN).float().mean() > 0.98
    assert 1 < len(draws) <= module.FILTER_DRAWS and draws[0] == 300 and draws[-1] < 30
    draws.clear()
    aug.class_filter_ = None
    aug.sample(300, "saw", random_state=0)
    assert draws == [300]  # no filter: one draw
