"""Faults during fit: divergence is rolled back or reported; Ctrl-C keeps the best state."""

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.gan import training

from _toy import sine_vs_sawtooth, tiny

PARAMS = tiny(60, random_state=0)


@pytest.fixture(scope="module")
def data():
    return sine_vs_sawtooth(n_per_class=15, length=16)


def test_one_nan_loss_is_rolled_back(data, monkeypatch, caplog):
    real_loss = training._loss_g
    calls = {"n": 0}

    def flaky(kind, fake):
        calls["n"] += 1
        loss = real_loss(kind, fake)
        return loss * float("nan") if calls["n"] == 25 else loss

    monkeypatch.setattr(training, "_loss_g", flaky)
    with caplog.at_level("WARNING"):
        aug = RecurrentGANAugmenter(**PARAMS).fit(*data)
    assert "rolling back" in caplog.text
    # the averaged generator is rolled back too: every evaluation, also those after the
    # rollback, scored a finite average
    assert len(aug.history_["mmd"]) >= 3 and np.isfinite(aug.history_["mmd"]).all()
    out = aug.sample(20, "saw")
    assert np.isfinite(out).all()
    assert all(torch.isfinite(p).all() for p in aug.generator_.parameters())


def test_persistent_divergence_raises_clearly(data, monkeypatch):
    monkeypatch.setattr(training, "_loss_g", lambda kind, fake: fake.mean() * float("nan"))
    aug = RecurrentGANAugmenter(**PARAMS)
    with pytest.raises(FloatingPointError, match="diverged"):
        aug.fit(*data)
    with pytest.raises(NotFittedError):
        aug.sample(2, "saw")


def test_keyboard_interrupt_keeps_best_state(data, monkeypatch):
    real_call = training.MMDMonitor.__call__
    calls = {"n": 0}

    def interrupt_third(self, *args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_call(self, *args)

    monkeypatch.setattr(training.MMDMonitor, "__call__", interrupt_third)
    aug = RecurrentGANAugmenter(**PARAMS)
    with pytest.warns(RuntimeWarning, match="interrupted"):
        aug.fit(*data)
    assert aug.interrupted_ and aug.n_steps_ < 60
    assert np.isfinite(aug.sample(5, "sine")).all()


def test_keyboard_interrupt_before_any_evaluation_leaves_it_unfitted(data, monkeypatch):
    def interrupt(self, *args):
        raise KeyboardInterrupt

    monkeypatch.setattr(training.MMDMonitor, "__call__", interrupt)
    aug = RecurrentGANAugmenter(**PARAMS)
    with pytest.raises(KeyboardInterrupt):
        aug.fit(*data)
    with pytest.raises(NotFittedError):
        aug.sample(2, "saw")


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("where", ["training", "calibration", "validation"])
@pytest.mark.parametrize("method", ["fit", "fit_resample"])
def test_failed_refit_leaves_the_previous_model_whole(data, monkeypatch, where, method):
    """A refit on other data (other classes, channels, length) that is interrupted or
    fails part-way leaves the previous fit as it was: same classes, same draws; never
    the new scaling beside the old generator (which used to raise numpy's broadcast
    error or draw garbage)."""
    X, y = data
    aug = RecurrentGANAugmenter(**PARAMS).fit(X, y)
    before = aug.sample(4, "saw", random_state=3)
    rng = np.random.default_rng(1)
    X_new = rng.normal(size=(24, 3, 20))
    y_new = np.repeat(["a", "b", "c"], 8)
    if where == "training":
        monkeypatch.setattr(training.MMDMonitor, "__call__", _interrupt)
        expected = KeyboardInterrupt
    elif where == "calibration":
        monkeypatch.setattr(RecurrentGANAugmenter, "_fit_smoothing", _interrupt)
        expected = KeyboardInterrupt
    else:
        X_new[3, 1, 5] = np.nan
        expected = ValueError
    with pytest.raises(expected):
        getattr(aug, method)(X_new, y_new)
    assert aug.classes_.tolist() == ["saw", "sine"] and aug.n_channels_ == 1
    np.testing.assert_array_equal(aug.sample(4, "saw", random_state=3), before)


def test_interrupt_after_training_leaves_a_fresh_estimator_unfitted(data, monkeypatch):
    """Ctrl-C in the calibration that follows training: not a model without its
    smoothing widths, but cleanly unfitted."""
    monkeypatch.setattr(RecurrentGANAugmenter, "_fit_smoothing", _interrupt)
    aug = RecurrentGANAugmenter(**PARAMS)
    with pytest.raises(KeyboardInterrupt):
        aug.fit(*data)
    with pytest.raises(NotFittedError):
        aug.sample(2, "saw")
    assert not [k for k in vars(aug) if k.endswith("_") and not k.startswith("_")]


def test_failed_refit_of_the_sklearn_adapter_keeps_its_pair(data, monkeypatch):
    from sklearn.neighbors import KNeighborsClassifier

    from rgan_augment.integrations.sklearn import AugmentedClassifier

    X, y = data
    model = AugmentedClassifier(KNeighborsClassifier(1), RecurrentGANAugmenter(**PARAMS))
    model.fit(X[:, 0], y)
    aug_before, clf_before = model.augmenter_, model.classifier_
    monkeypatch.setattr(RecurrentGANAugmenter, "_fit_smoothing", _interrupt)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X[:, 0, :12], y)
    assert model.augmenter_ is aug_before and model.classifier_ is clf_before
    assert model.predict(X[:, 0]).shape == (len(y),)
