"""Behaviour of RecurrentGANAugmenter that a user relies on.

The "learned" tests train one small model (hidden 32, 300 steps, ~10 s on 2 cores)
on a two-class toy set: noisy sines vs noisy sawtooth waves with random phase.
"""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from rgan_augment import RecurrentGANAugmenter

from _toy import shape_features, sine_vs_sawtooth, tiny
from conftest import skip_without_cpu_bf16

TINY = tiny(20)


@pytest.fixture(scope="module")
def toy():
    return sine_vs_sawtooth(n_per_class=40, length=32)


@pytest.fixture(scope="module", params=["float32", "bfloat16"])
def fitted(toy, request):
    """The learned tests run on both number formats (a CPU's default is float32)."""
    skip_without_cpu_bf16(request.param)
    X, y = toy
    aug = RecurrentGANAugmenter(n_steps=300, hidden_size=32, precision=request.param,
                                random_state=0).fit(X, y)
    assert aug.precision_ == request.param
    return aug


def _lag1(A):
    a = A[:, 0, :]
    a = a - a.mean(axis=1, keepdims=True)
    return float(np.mean((a[:, :-1] * a[:, 1:]).sum(1) / (a * a).sum(1)))


def test_class_fidelity(toy, fitted):
    """A classifier trained on real data labels >= 90 % of synthetic series correctly."""
    X, y = toy
    clf = LogisticRegression(max_iter=2000).fit(shape_features(X), y)
    X_test, y_test = sine_vs_sawtooth(40, 32, seed=5)
    assert clf.score(shape_features(X_test), y_test) >= 0.95  # the judge itself is sound
    for label in ("sine", "saw"):
        synth = fitted.sample(200, label, random_state=1)
        fidelity = np.mean(clf.predict(shape_features(synth)) == label)
        assert fidelity >= 0.9, (label, fidelity)


def test_per_class_statistics_match(toy, fitted):
    """Mean, std and lag-1 autocorrelation of synthetic series are close to the real ones.

    Tolerances: |mean difference| <= 0.25 real std, std within 20 %, lag-1
    autocorrelation within 0.1. They allow for a 300-step model, yet fail a
    generator that outputs noise (autocorrelation ~0 instead of 0.6-0.9), a flat or
    collapsed series (std), or the other class (lag-1 0.90 vs 0.62).
    """
    X, y = toy
    for label in ("sine", "saw"):
        real = X[y == label]
        synth = fitted.sample(300, label, random_state=2)
        assert abs(synth.mean() - real.mean()) <= 0.25 * real.std()
        assert 0.8 <= synth.std() / real.std() <= 1.2
        assert abs(_lag1(synth) - _lag1(real)) <= 0.1, (label, _lag1(synth), _lag1(real))


def test_checkpoint_selection_recorded(fitted):
    h = fitted.history_
    assert len(h["step"]) == len(h["mmd"]) >= 2
    assert fitted.best_step_ in h["step"]
    assert fitted.best_score_ == pytest.approx(min(h["mmd"]))
    assert fitted.n_steps_ == 300


def test_same_seed_same_output_and_other_seed_differs(toy):
    X, y = toy
    a = RecurrentGANAugmenter(random_state=7, **TINY).fit(X, y).sample(10, "saw", random_state=0)
    b = RecurrentGANAugmenter(random_state=7, **TINY).fit(X, y).sample(10, "saw", random_state=0)
    c = RecurrentGANAugmenter(random_state=8, **TINY).fit(X, y).sample(10, "saw", random_state=0)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_fit_resample_same_seed_identical(toy):
    X, y = toy[0][:50], toy[1][:50]
    r1 = RecurrentGANAugmenter(random_state=3, **TINY).fit_resample(X, y)
    r2 = RecurrentGANAugmenter(random_state=3, **TINY).fit_resample(X, y)
    np.testing.assert_array_equal(r1[0], r2[0])
    np.testing.assert_array_equal(r1[1], r2[1])


def test_global_torch_rng_untouched(toy):
    import torch

    X, y = toy
    state = torch.random.get_rng_state().clone()
    aug = RecurrentGANAugmenter(random_state=0, **TINY).fit(X, y)
    aug.sample(5, "sine")
    assert torch.equal(state, torch.random.get_rng_state())


def test_sample_stream_continues_and_int_seed_repeats(toy):
    X, y = toy
    aug = RecurrentGANAugmenter(random_state=0, **TINY).fit(X, y)
    first, second = aug.sample(4, "sine"), aug.sample(4, "sine")
    assert not np.allclose(first, second)
    np.testing.assert_array_equal(aug.sample(4, "sine", random_state=5),
                                  aug.sample(4, "sine", random_state=5))


def test_sample_labels_and_errors(toy):
    X, y = toy
    aug = RecurrentGANAugmenter(random_state=0, **TINY).fit(X, y)
    out = aug.sample(6, ["sine", "saw", "saw", "sine", "sine", "saw"])
    assert out.shape == (6, 1, 32) and np.isfinite(out).all()
    with pytest.raises(ValueError, match="fitted with labels"):
        aug.sample(3)
    with pytest.raises(ValueError, match="Unknown label"):
        aug.sample(3, "triangle")
    with pytest.raises(ValueError, match="one label per sample"):
        aug.sample(3, ["sine", "saw"])
    for bad in (0, -2):
        with pytest.raises(ValueError, match="positive integer"):
            aug.sample(bad, "sine")
    for bad in (2.5, "3", True):
        with pytest.raises(TypeError, match="positive integer"):
            aug.sample(bad, "sine")
    with pytest.raises(ValueError, match="batch_size must be"):  # it said n_samples
        next(aug.sample_batches(5, "sine", batch_size=0))


def test_unconditional_model(toy):
    X, _ = toy
    aug = RecurrentGANAugmenter(random_state=0, **TINY).fit(X)
    assert aug.classes_ is None
    assert aug.sample(5).shape == (5, 1, 32)
    with pytest.raises(ValueError, match="unconditional"):
        aug.sample(5, "sine")


def test_unfitted_use_raises():
    aug = RecurrentGANAugmenter()
    with pytest.raises(NotFittedError):
        aug.sample(3, 0)


def test_containers_and_dtypes_are_kept(toy):
    X, y = toy
    X32 = X.astype(np.float32)
    aug = RecurrentGANAugmenter(random_state=0, **TINY)
    X_res, y_res = aug.fit_resample(X32[:45], y[:45])
    assert X_res.dtype == np.float32
    # 2D in, 2D out (univariate)
    X2 = X[:, 0, :]
    X_res2, _ = RecurrentGANAugmenter(random_state=0, **TINY).fit_resample(X2[:45], y[:45])
    assert X_res2.ndim == 2 and X_res2.shape[1] == 32
    # lists in, lists out
    X_list = [x for x in X[:45]]
    X_res3, y_res3 = RecurrentGANAugmenter(random_state=0, **TINY).fit_resample(X_list, y[:45])
    assert isinstance(X_res3, list) and len(X_res3) == len(y_res3) == 80
    assert all(a.shape == (1, 32) for a in X_res3)


def test_fit_resample_originals_first_and_unchanged(toy):
    X, y = toy
    X_in, y_in = X[:48].copy(), y[:48].copy()  # 40 sine, 8 saw
    X_res, y_res = RecurrentGANAugmenter(random_state=0, **TINY).fit_resample(X_in, y_in)
    np.testing.assert_array_equal(X_res[:48], X[:48])
    np.testing.assert_array_equal(y_res[:48], y[:48])
    np.testing.assert_array_equal(X_in, X[:48])  # input not modified
    assert list(y_res[48:]) == ["saw"] * 32
    assert np.isfinite(X_res).all()


def test_sklearn_callbacks_see_each_evaluation(toy):
    pytest.importorskip("sklearn.callback")
    X, y = toy

    class Recorder:
        def __init__(self):
            self.ends = []

        def setup(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context, **kwargs):
            pass

        def on_fit_task_end(self, estimator, context, *, metadata=None, **kwargs):
            if metadata and "step" in metadata:
                self.ends.append(metadata["step"])

        def teardown(self, estimator, context):
            pass

    recorder = Recorder()
    aug = RecurrentGANAugmenter(**{**TINY, "n_steps": 40}).set_callbacks(recorder)
    aug.fit(X, y)
    assert recorder.ends == aug.history_["step"] and recorder.ends[-1] == 40


def test_verbose_progress_bar(toy, capsys):
    X, y = toy
    RecurrentGANAugmenter(**{**TINY, "verbose": 1}).fit(X, y)
    err = capsys.readouterr().err
    assert "fit [" in err and "loss_d" in err and "20/20" in err


def test_verbose_2_prints_lines_without_any_logging_setup():
    """verbose=2 in a plain script (no logging configured) shows a line per evaluation
    (they used to be dropped by logging's WARNING default), and leaves logging as it was."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import logging, numpy as np
        from rgan_augment import RecurrentGANAugmenter
        X = np.random.default_rng(0).normal(size=(20, 1, 8)); y = [0] * 14 + [1] * 6
        RecurrentGANAugmenter(n_steps=20, hidden_size=8, verbose=2, random_state=0).fit(X, y)
        package = logging.getLogger("rgan_augment")
        print(len(package.handlers), package.level)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "step 10/20" in done.stderr and "step 20/20" in done.stderr and "mmd" in done.stderr
    assert done.stdout.split() == ["0", "0"]


@pytest.mark.parametrize("length, chunk, hidden", [(32, 1, 64), (256, 8, 64), (300, 10, 128)])
def test_auto_hidden_size_grows_for_long_chunks(length, chunk, hidden):
    """hidden_size='auto': 64 units, 128 once a recurrent step emits more than 8 steps."""
    X, y = sine_vs_sawtooth(n_per_class=4, length=length)
    aug = RecurrentGANAugmenter(n_steps=2, latent_dim=4, noise_dim=2, batch_size=8,
                                filter_samples=False, random_state=0).fit(X, y)
    assert (aug.config_.chunk, aug.config_.hidden_size) == (chunk, hidden)
    assert aug.generator_.rnn.hidden_size == hidden
    # an explicit size is used as given, also for long chunks
    aug = RecurrentGANAugmenter(n_steps=2, hidden_size=16, latent_dim=4, noise_dim=2,
                                batch_size=8, filter_samples=False, random_state=0).fit(X, y)
    assert aug.config_.hidden_size == 16
