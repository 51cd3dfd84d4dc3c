"""Quality measures for synthetic time series.

* :func:`discriminative_score` and :func:`predictive_score` follow the TimeGAN
  protocols (Yoon et al., 2019), so numbers compare with the published ones.
* :func:`tstr_score`: train on synthetic, test on real, for labelled data.
* :func:`mmd_score`: a cheap kernel distance, the one the augmenter uses to pick its
  checkpoint during training.

All take ``(n_instances, n_channels, n_timepoints)`` arrays (2D = univariate). The two
TimeGAN scores also take lists of unequal-length ``(n_channels, length_i)`` arrays: their
GRUs then read each series to its own end (packed sequences), as TimeGAN's code does
with its ``seq_len``. Both first scale every channel with the *real* data's min and
max to [0, 1] (as TimeGAN's data loader does), so the scores are unit-free; on data
already in [0, 1], such as the Sines benchmark, this changes nothing.
"""

from __future__ import annotations

import functools
from numbers import Integral

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils import check_random_state
from torch import nn

from ._data import check_series
from .gan.masks import step_mask
from .gan.mmd import mmd, mmd_features, roughness_weight

__all__ = ["discriminative_score", "predictive_score", "tstr_score", "mmd_score"]


def _as_3d(X, name):
    values, lengths, _ = check_series(X)
    if (lengths != values.shape[2]).any():
        raise ValueError(f"{name}: these metrics need equal-length series.")
    return values


def _pair(real, synthetic):
    """Both sets min-max scaled by the real data, as (n, T, C) float32 padded with zeros
    to a common length, with each series' length."""
    (real, r_len, _), (synth, s_len, _) = check_series(real), check_series(synthetic)
    equal = (r_len == real.shape[2]).all() and (s_len == synth.shape[2]).all()
    if real.shape[1] != synth.shape[1] or (equal and real.shape[2] != synth.shape[2]):
        raise ValueError(f"real and synthetic series differ in shape: {real.shape[1:]} vs "
                         f"{synth.shape[1:]} (channels, time points).")
    valid = step_mask(r_len, real.shape[2])[:, None, :]
    lo = np.where(valid, real, np.inf).min(axis=(0, 2), keepdims=True)
    span = np.where(valid, real, -np.inf).max(axis=(0, 2), keepdims=True) - lo
    span[span == 0] = 1.0
    t = max(real.shape[2], synth.shape[2])

    def scale(a, lengths):
        out = np.zeros((len(a), t, a.shape[1]), dtype=np.float32)
        out[:, : a.shape[2]] = ((a - lo) / span).transpose(0, 2, 1)
        out[~step_mask(lengths, t)] = 0.0
        return out

    return (scale(real, r_len), torch.from_numpy(r_len)), (scale(synth, s_len), torch.from_numpy(s_len))


class _GRUHead(nn.Module):
    def __init__(self, n_in, hidden, n_out, per_step):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_out)
        self.per_step = per_step

    def forward(self, x, lengths=None):
        """x: (b, T, n_in); lengths: (b,) steps to read of each series (None: all T)."""
        if lengths is None or bool((lengths == x.shape[1]).all()):
            h, last = self.gru(x)
        else:
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True,
                                                       enforce_sorted=False)
            h, last = self.gru(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=x.shape[1])
        return self.out(h) if self.per_step else self.out(last[-1])


def _single_threaded(func):
    """Run ``func`` on one torch thread: these post-hoc networks are tiny, and one thread
    runs them several times faster than two (measured 7.7 vs 37 ms per step on a busy
    2-core machine)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return func(*args, **kwargs)
        finally:
            torch.set_num_threads(threads)

    return wrapper


def _check_training(n_steps, batch_size):
    """The post-hoc networks' budget: positive integers (0 steps would score an untrained
    network, which reads as a perfect score)."""
    for name, value in (("n_steps", n_steps), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}.")


def _seeded(random_state):
    rs = check_random_state(random_state)
    return torch.Generator().manual_seed(int(rs.randint(0, 2**31 - 1))), rs


def _build(gen, *args):
    with torch.random.fork_rng(devices=[]):  # keep torch's global RNG untouched
        torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))
        return _GRUHead(*args)


@_single_threaded
def discriminative_score(real, synthetic, *, n_steps=2000, batch_size=128, random_state=0):
    """TimeGAN's discriminative score: ``|accuracy - 0.5|`` of a post-hoc classifier.

    Protocol: real and synthetic series are labelled 1 and 0, each set is split 80/20
    into train and test; a one-layer GRU (hidden size ``n_channels // 2``, at least 1)
    with a linear output on its last state is trained for ``n_steps`` Adam steps on
    batches of ``batch_size`` (half real, half synthetic), then classifies the test
    series. 0 means indistinguishable; 0.5 means perfectly told apart.
    """
    _check_training(n_steps, batch_size)
    (real, r_len), (synth, s_len) = _pair(real, synthetic)
    gen, rs = _seeded(random_state)
    n_channels = real.shape[2]

    def split(a, lengths):
        idx = rs.permutation(len(a))
        cut = int(0.8 * len(a))
        a = torch.from_numpy(a)
        return (a[idx[:cut]], lengths[idx[:cut]]), (a[idx[cut:]], lengths[idx[cut:]])

    ((r_tr, rl_tr), (r_te, rl_te)), ((s_tr, sl_tr), (s_te, sl_te)) = (
        split(real, r_len), split(synth, s_len))
    if min(len(r_tr), len(s_tr), len(r_te), len(s_te)) < 1:
        raise ValueError("discriminative_score needs at least 5 real and 5 synthetic series.")
    model = _build(gen, n_channels, max(1, n_channels // 2), 1, False)
    opt = torch.optim.Adam(model.parameters())
    loss_fn = nn.BCEWithLogitsLoss()
    half = max(1, batch_size // 2)
    for _ in range(n_steps):
        ri = torch.randint(len(r_tr), (half,), generator=gen)
        si = torch.randint(len(s_tr), (half,), generator=gen)
        x = torch.cat([r_tr[ri], s_tr[si]])
        target = torch.cat([torch.ones(half), torch.zeros(half)])
        loss = loss_fn(model(x, torch.cat([rl_tr[ri], sl_tr[si]])).squeeze(1), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        pred = (model(torch.cat([r_te, s_te]), torch.cat([rl_te, sl_te])).squeeze(1) > 0).numpy()
    truth = np.r_[np.ones(len(r_te)), np.zeros(len(s_te))]
    return float(abs(np.mean(pred == truth) - 0.5))


@_single_threaded
def predictive_score(real, synthetic, *, n_steps=5000, batch_size=128, random_state=0):
    """TimeGAN's predictive score: train on synthetic, predict real; MAE (lower is better).

    Protocol: a one-layer GRU (hidden ``n_channels // 2``, at least 1) reads all
    channels but the last at steps ``0..T-2`` and predicts the last channel at steps
    ``1..T-1``; it is trained on the synthetic series (``n_steps`` Adam steps, batch
    ``batch_size``, L1 loss) and scored by the mean absolute error on all real series.
    For univariate data the single channel is both input and target.
    """
    _check_training(n_steps, batch_size)
    (real, r_len), (synth, s_len) = _pair(real, synthetic)
    gen, _ = _seeded(random_state)
    n_channels = real.shape[2]
    inputs = slice(0, n_channels - 1) if n_channels > 1 else slice(0, 1)
    if min(r_len.min(), s_len.min()) < 2:
        raise ValueError("predictive_score needs series of at least 2 time points.")

    def xy(a, lengths):  # inputs at steps 0..len-2, targets at 1..len-1, and their mask
        a = torch.from_numpy(a)
        mask = step_mask(lengths - 1, a.shape[1] - 1)
        return a[:, :-1, inputs], a[:, 1:, n_channels - 1:], lengths - 1, mask.unsqueeze(2)

    def mae(model, x, y, lengths, mask):
        err = (model(x, lengths) - y).abs() * mask
        return err.sum() / mask.sum()

    sx, sy, sl, sm = xy(synth, s_len)
    model = _build(gen, sx.shape[2], max(1, n_channels // 2), 1, True)
    opt = torch.optim.Adam(model.parameters())
    for _ in range(n_steps):
        i = torch.randint(len(sx), (min(batch_size, len(sx)),), generator=gen)
        loss = mae(model, sx[i], sy[i], sl[i], sm[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return float(mae(model, *xy(real, r_len)))


def tstr_score(X_synthetic, y_synthetic, X_real, y_real, *, classifier=None,
               scoring=balanced_accuracy_score):
    """Train on synthetic, test on real: ``scoring(y_real, predictions)``.

    ``classifier`` is any scikit-learn classifier (default: 1-nearest neighbour,
    Euclidean); it gets the series flattened to ``(n_instances, n_channels *
    n_timepoints)``. A generator that captured each class scores close to a
    classifier trained on real data; one that mixed up the classes scores low.
    """
    Xs, Xr = _as_3d(X_synthetic, "X_synthetic"), _as_3d(X_real, "X_real")
    if Xs.shape[1:] != Xr.shape[1:]:
        raise ValueError("synthetic and real series differ in shape.")
    clf = KNeighborsClassifier(n_neighbors=1) if classifier is None else classifier
    clf.fit(Xs.reshape(len(Xs), -1), np.asarray(y_synthetic))
    return float(scoring(np.asarray(y_real), clf.predict(Xr.reshape(len(Xr), -1))))


def mmd_score(real, synthetic):
    """Kernel MMD^2 between real and synthetic series (0 = same distribution).

    Features are the standardised series (scaled by the real data's per-channel mean
    and std), their first differences and their second differences (weighted from the
    real data: ``roughness_weight``), with a mixture of RBF kernels around the median
    distance. Cheap: the augmenter uses it to choose its checkpoint.
    """
    real, synth = _as_3d(real, "real"), _as_3d(synthetic, "synthetic")
    if real.shape[1:] != synth.shape[1:]:
        raise ValueError(f"real and synthetic series differ in shape: {real.shape[1:]} vs "
                         f"{synth.shape[1:]} (channels, time points).")
    mean = real.mean(axis=(0, 2), keepdims=True)
    std = real.std(axis=(0, 2), keepdims=True)
    std[std == 0] = 1.0
    to_t = lambda a: torch.from_numpy(  # noqa: E731
        ((a - mean) / std).transpose(0, 2, 1).astype(np.float32))
    real_t = to_t(real)
    weight = roughness_weight(real_t)
    return float(mmd(mmd_features(real_t, weight), mmd_features(to_t(synth), weight)))
