"""``RecurrentGANAugmenter``: the estimator layer around the GAN core.

It validates input, scales each channel, picks data-dependent defaults, owns the
random state, resolves ``sampling_strategy`` and turns the core's tensors back into
the user's container kind and dtype.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import time
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _safe_format, persistence
from ._data import (ChannelScaler, check_labels, check_n_samples, check_output_fits,
                    check_series, like_input, nan_padding_hint, panel_frame_to_list, to_output)
from ._strategy import resolve_sampling_strategy
from ._filter import ClassFilter
from ._cycles import detect_cycle
from ._folding import fold, folded_lengths
from ._progress import ProgressBar, lines_shown
from ._sampler import Sampler
from ._series_norm import detect_znorm
from ._series_scale import detect_scale_spread, unit_scales
from ._smoothing import fit_smoothing_widths
from ._spread import PROBE_DRAWS, fit_noise_scales
from .gan.masks import step_mask
from .gan.config import AUTO_STEPS, GANConfig, auto_chunk, auto_hidden
from .gan.precision import PRECISIONS, autocast_dtype
from .gan.training import resolve_device, train_gan

try:  # scikit-learn >= 1.9: report per-evaluation progress to sklearn.callback callbacks
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # pragma: no cover - older scikit-learn
    class CallbackSupportMixin:  # noqa: D101
        pass

    def with_callbacks(method):
        return method

logger = logging.getLogger(__name__)

__all__ = ["RecurrentGANAugmenter"]


_MAX_REFERENCES = 512  # training series kept per class for conditioning='example'
# What a fitted augmenter holds (besides generator_): a pickle lacking any of it was
# written by another build and is refused on load
_FITTED_STATE = _safe_format.FITTED_KEYS + (
    "classes_", "layout_", "lengths_by_class_", "scaler_", "config_", "clip_", "references_",
    "reference_lengths_", "reference_codes_", "smoothing_sigma_", "cycle_length_",
    "cycle_sigma_", "cycles_folded_", "znorm_channels_", "znorm_ddof_",
    "series_scale_channels_", "series_scales_", "filter_scaler_", "class_filter_",
    "noise_scale_", "_sample_rng")
# Fitted state added after pickles were written without it, and what such a pickle reads
# as (the behaviour of the build that wrote it; the parameters: _safe_format.LATER_PARAMS).
_LATER_FITTED_STATE = {"noise_scale_": None}
# With max_time, the training loop gets this share of the budget (less what the fit spent
# before it); the roughness calibration after it gets the rest, up to the deadline.
_TRAINING_SHARE = 0.8
# the two bounds most parameters share (``_parameter_constraints``)
_AT_LEAST_ONE = Interval(Integral, 1, None, closed="left")
_NON_NEGATIVE = Interval(Real, 0, None, closed="left")


class RecurrentGANAugmenter(CallbackSupportMixin, BaseEstimator):
    """Oversample time series with a conditional recurrent GAN.

    One GAN (a GRU/LSTM generator and a bidirectional recurrent discriminator) is
    trained on all classes at once, conditioned on the label, so a class with a few
    examples borrows the shape of the others. New series of any class are drawn with
    :meth:`sample`; :meth:`fit_resample` balances a data set with imbalanced-learn's
    ``sampling_strategy`` semantics.

    Draws stay within a quarter of each channel's training range beyond it, and on the
    side of zero its training values keep: a channel with no negative value (counts,
    amounts) gets no negative draw, and exact zeros where the generator reaches that bound.

    There is deliberately no ``transform``: scikit-learn's ``transform`` may not change
    the number of rows.  Use :meth:`fit_resample` (an imbalanced-learn sampler step),
    or the adapters in :mod:`rgan_augment.integrations`.

    Parameters
    ----------
    sampling_strategy : str, float, dict or callable, default='auto'
        How many series :meth:`fit_resample` generates, exactly as in
        imbalanced-learn: ``'auto'`` (= ``'not majority'``), ``'minority'``,
        ``'not minority'``, ``'all'``, a float (binary only: the wanted
        minority/majority ratio), a dict ``{class: target total}`` or a callable
        ``y -> dict``.
    cell : {'lstm', 'gru'}, default='lstm'
        Recurrent cell of both networks. LSTM is the default because PyTorch's fused
        CPU kernel for it trains about twice as fast as its GRU.
    hidden_size : int or 'auto', default='auto'
        Hidden units of the recurrent layers. 'auto': 64, or 128 when each recurrent
        step emits more than 8 time steps (``chunk_length`` above 8: series longer than
        256 steps with the automatic chunk), since one hidden state then has to
        describe a long stretch of the series (for folded cycles, ``fold_cycles``: the
        data steps a recurrent step covers, chunk x cycle). Measured in
        benchmarks/README.md, "Model size by series length".
    num_layers : int, default=2
        Stacked recurrent layers in the generator (the discriminator has one,
        bidirectional).
    latent_dim : int, default=16
        Size of the per-series latent vector held across all time steps.
    noise_dim : int, default=8
        Size of the fresh noise fed at every recurrent step.
    chunk_length : int or 'auto', default='auto'
        Time steps emitted per recurrent step. 'auto' keeps the recurrence at most 32
        steps long (``ceil(n_timepoints / 32)``), so long series train fast. For
        folded cycles (``fold_cycles``) a recurrent step emits whole cycles: 'auto'
        counts the folded length, a number is rounded up to whole cycles
        (``config_.chunk`` is then in cycles).
    loss : {'ns', 'hinge', 'lsgan'}, default='ns'
        Adversarial objective: non-saturating, hinge or least squares.
    feature_matching : float, default=1.0
        Weight of the feature-matching term in the generator's loss.
    class_loss : float, default=5.0
        Weight of the auxiliary classification loss (AC-GAN): the discriminator also
        predicts the class, and the generator is rewarded when its series are
        recognised as the class they were drawn for.
    mmd_loss : float, default=1.0
        Weight of a class-conditional kernel MMD between each real batch and the fake
        batch with the same labels, added to the generator's loss: a moment-matching
        signal that guides the generator from the first step. The kernel compares the
        values, their first and their second differences (the latter weighted from the
        training data, at most 8), so excess step-to-step wiggle is penalised; the
        same measure on fixed noise picks the checkpoint kept.
    conditioning : {'example', 'label'}, default='example'
        What the generator is given besides noise. 'label': the class only.
        'example' (DAGAN, Antoniou et al. 2017): the class and a real training series
        of that class, drawn at random for every synthetic series, of which the
        generator learns to make variations; the discriminator judges pairs (series,
        example), a real pair being two different series of one class, so a copy of
        the example is spotted like any other fake. A class with a handful of series
        then gets new members that look like it rather than like the other classes.
        The fitted model keeps up to 512 scaled training series per class
        (``references_``) to draw examples from: it contains training data, so share
        it as you would share the data.
    filter_samples : bool, default=False
        Keep only synthetic series that a classifier trained on the real training
        series assigns to the class they were drawn for (random dilated convolution
        features + ridge, ROCKET-style, fitted at ``fit`` time in about a second). A
        series is drawn again until the classifier's margin for its class (own score
        minus the best other; 2 is a perfect fit) exceeds 0.25, up to 16 draws in all;
        where none passes, the draw the classifier finds most like its class is kept.
        A fit-time choice: it decides whether ``class_filter_`` is built. Only for
        models with two or more classes. Off by default: it raises the share of draws
        that a MiniRocket judge gives their own class, but the classifiers after the
        augmenter scored as well or better without it, and sampling runs about twice
        as fast (benchmarks/README.md, "Sample filter").
    match_spread : bool, default=False
        After training (and the roughness calibration), scale the generator's noise
        inputs per class (``noise_scale_``: one of 1, 1.25, 1.5 or 2) so that each
        class's draws, as ``sample`` returns them, are at least as spread out (mean
        pairwise distance, each channel in units of its spread in the training data) as
        the class's training series, or as near as a scale of 2 brings them. A GAN
        fitted on a class of a handful of series draws variations that hug the class's
        centre, narrower than the class and closer to its training series than unseen
        series of the class are; with this option they sit nearly as far from them as
        unseen series do. The sample filter (where on) still judges every draw. Not the default:
        what a classifier trained with the draws gets out of them moved by less than a
        fresh draw moves it, and a classifier trained on the real series puts fewer of
        them in their class (benchmarks/README.md, "Spread matching").
    match_roughness : bool, default=True
        After training, calibrate a Gaussian smoothing of the generator's output per
        class and channel (``smoothing_sigma_``, in time steps) so that each class's
        synthetic series are no rougher (mean absolute second difference) than its
        training series; channels whose draws are within 1.25x the class's roughness
        are left alone (smoothing also damps fast structure the data has), and so are
        channels that even the widest smoothing allowed (a tenth of the length) cannot
        bring down to it (the excess is then shape, not wiggle); a class keeps its
        widths only where they bring its draws closer to its series (kernel MMD, as the
        checkpoint score measures it). The generator's step-to-step wiggle is what a
        classifier trained on real data most often reads as another class. Applied
        before the sample filter. Data that repeat an exact cycle (``cycle_length_``,
        found in the training series; e.g. mains-powered appliances) also get a
        smoothing *across* cycles (``cycle_sigma_``) calibrated the same way on the
        mean change over one cycle. Measured in benchmarks/README.md, "Roughness
        matching" and "Cycle matching". With
        ``fold_cycles`` (the default) such data are folded instead, and the step-to-step
        smoothing of the folded series already runs across cycles.
    fold_cycles : bool, default=True
        Where the training series repeat an exact cycle of P steps (``cycle_length_``),
        the networks see each channel as P channels, one per phase of the cycle, at 1/P
        of the length (``cycles_folded_``; step k of channel c * P + p is step k * P + p
        of channel c); draws are unfolded, cut to their drawn lengths and z-normalised
        (``preserve_znorm``) over the data's own steps. The recurrence, the
        discriminator's differences and the roughness matching then run from one cycle
        to the next, where such data change slowly, instead of from phase to phase.
        The sample filter is trained on, and judges, series in the data's own layout
        (``filter_scaler_``), as a downstream classifier sees them. Data without an
        exact cycle are not affected.
    scale_series : bool, default=True
        Where the training series of a channel differ in size by orders of magnitude
        (90th / 10th percentile of the per-series root mean square above 1,000, as in
        PLAID's appliance currents), divide each series by its own root mean square on
        that channel before training, and multiply each draw by the root mean square of
        a training series of its class, drawn at random (``series_scale_channels_``,
        ``series_scales_``): without it the small series sit at the generator's error
        floor (benchmarks/README.md, "Per-series scales"). Data whose sizes differ less
        are left as they are.
    preserve_znorm : bool, default=True
        Where every training series is z-normalised on a channel (mean 0 and standard
        deviation 1 per series, within 1e-3, as the UCR/UEA archive stores its data),
        z-normalise each synthetic series on that channel the same way (with the
        ``ddof``, 0 or 1, that fits the data closer), over its valid steps, after the
        roughness smoothing and before the sample filter (``znorm_channels_``). Data
        without the property is left untouched.
    ema_decay : float in [0, 1), default=0.98
        The generator scored at each evaluation, kept and sampled from is an
        exponential moving average of the trained generator's weights with this decay
        per generator step (Yazici et al. 2019, "The unusual effectiveness of averaging
        in GAN training"; 0.98 averages over the last ~50 steps): it evens out the
        step-to-step swings of adversarial training. 0 turns averaging off. Measured in
        benchmarks/README.md, "Weight averaging".
    augment_discriminator : float in [0, 1], default=0.5
        During training, every series the discriminator judges, real or drawn alike, is
        shifted in time by up to 1/8 of its length (its edge value repeated) with this
        probability and, independently, scaled in amplitude (log-normal, sd 0.2) with
        this probability (differentiable augmentation: Zhao et al. 2020, "DiffAugment";
        Karras et al. 2020, "ADA"). With a class of a handful of series the
        discriminator otherwise learns those series by heart and the generator draws
        near-copies of them; judged through the augmentation, it learns the class.
        Since real and drawn series pass through the same transformations, matching
        the augmented data is matching the data: they are not copied into the draws.
        0 turns it off (model files written before this parameter load with 0).
        Measured in benchmarks/README.md, "Augmented discriminator".
    n_steps : int or 'auto', default='auto'
        Generator updates. 'auto': 1,000 at every data size (measured in
        benchmarks/README.md, "A step count by data size").
    batch_size : int, default=64
    learning_rate : float, default=2e-3
        Adam learning rate of both networks.
    max_time : float or None, default=None
        A budget in seconds for the whole fit. The training loop gets 80 % of it (less
        what the fit spent before training), checked at each evaluation, so it runs at
        least to the first one; the roughness calibration after it gets the rest, and a
        class whose widths are not found by then is not smoothed (with a warning); so
        does the spread calibration (``match_spread``) after that, a class not reached
        keeping scale 1 (with a warning). The sample filter's fit (about a second) is
        not cut.
    device : {'auto', 'cpu', 'cuda', 'cuda:N'}, default='auto'
        'auto' uses CUDA when available, else the CPU.
    precision : {'auto', 'float32', 'bfloat16'}, default='auto'
        Number format of the networks' matrix products, in training and in sampling
        (bf16 autocast; weights, optimiser state, losses and the output layer stay
        float32). 'auto': bfloat16 on a CUDA card that supports it, float32 elsewhere,
        the CPU included. 'bfloat16' on a CPU with bf16 matrix units (Intel AMX) is
        faster, but its class fidelity came out lower on every data set compared, so it
        is not the CPU default (benchmarks/README.md, "Number format").
        On a CPU that cannot run the recurrent cell in bf16 (no bf16 instructions; asked
        of the CPU, see :mod:`rgan_augment.gan.precision`) 'bfloat16' warns and fits and
        samples in float32. The format a fit used is in ``precision_``.
    random_state : None, int or RandomState, default=None
        Seeds weights, training and sampling. Seeded CPU runs are bit-for-bit
        repeatable; torch's global random state is never touched.
    verbose : int, default=0
        0 silent, 1 a progress bar with the losses and the validation MMD, 2 a line
        per evaluation.

    Attributes
    ----------
    classes_ : ndarray or None
        Sorted class labels (None for an unconditional model).
    sampling_strategy_ : dict
        Number of series generated per class by the last :meth:`fit_resample`.
    n_channels_, n_timepoints_ : int
        Channels and (maximum) length of the training series.
    n_features_in_ : int
        As scikit-learn counts it: time points for 2D input, channels for 3D input.
    history_ : dict
        Per-evaluation losses, MMD and elapsed seconds.
    best_step_, n_steps_ : int
        The generator step kept (best validation MMD) and the steps run.
    precision_ : {'float32', 'bfloat16'}
        The number format training ran in (see ``precision``).
    smoothing_sigma_ : ndarray of shape (n_classes, n_channels) or None
        Gaussian width per class and channel (time steps) applied to every draw of
        that class ((1, n_channels) for an unconditional model); 0 where the class's
        draws were within 1.25x its series' roughness or the widest smoothing could
        not reach it; None with ``match_roughness=False``.
    noise_scale_ : ndarray of shape (n_classes,) or None
        The factor on the generator's noise inputs for each class's draws ((1,) for an
        unconditional model); None with ``match_spread=False``.
    series_scale_channels_ : ndarray of shape (n_channels,) or None
        The channels modelled at unit size per series (bool); None when none is (or
        with ``scale_series=False``).
    series_scales_ : list of ndarray of shape (n_series_of_class, n_channels) or None
        Per class, the sizes (root mean square, 1 on other channels) of its training
        series that draws are multiplied by.
    cycle_length_ : int
        The exact cycle (in steps) that the training series share, 0 for none (or with
        ``match_roughness=False`` and ``fold_cycles=False``); see
        :func:`rgan_augment._cycles.detect_cycle`.
    cycles_folded_ : bool
        Whether the networks see the series folded by ``cycle_length_`` (see
        ``fold_cycles``); ``smoothing_sigma_`` then has ``n_channels * cycle_length_``
        columns (channel c's phase p in column c * cycle_length_ + p).
    filter_scaler_ : ChannelScaler or None
        For folded cycles with the sample filter: the per-channel scaling of the
        filter's input, in the data's own layout; None otherwise.
    cycle_sigma_ : ndarray of shape (n_classes, n_channels) or None
        Width (in cycles) of the smoothing across cycles per class and channel, applied
        after ``smoothing_sigma_``; None when there is no cycle or it is folded.
    znorm_channels_, znorm_ddof_ : ndarray of shape (n_channels,) or None
        The channels on which every training series was z-normalised (bool) and the
        degrees of freedom of their standard deviation (0 or 1); each draw is
        z-normalised on those channels. None when no channel is (or with
        ``preserve_znorm=False``).

    Examples
    --------
    >>> import numpy as np
    >>> from rgan_augment import RecurrentGANAugmenter
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 2, 24)).cumsum(axis=2)
    >>> y = np.array([0] * 34 + [1] * 6)
    >>> aug = RecurrentGANAugmenter(n_steps=20, random_state=0)
    >>> X_res, y_res = aug.fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((68, 2, 24), [34, 34])
    """

    def __init__(self, sampling_strategy="auto", *, cell="lstm", hidden_size="auto", num_layers=2,
                 latent_dim=16, noise_dim=8, chunk_length="auto", loss="ns",
                 feature_matching=1.0, class_loss=5.0, mmd_loss=1.0, conditioning="example",
                 filter_samples=False, match_spread=False, match_roughness=True, preserve_znorm=True,
                 scale_series=True, fold_cycles=True, ema_decay=0.98, augment_discriminator=0.5,
                 n_steps="auto", batch_size=64,
                 learning_rate=2e-3, max_time=None, device="auto", precision="auto",
                 random_state=None, verbose=0):
        self.sampling_strategy = sampling_strategy
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.latent_dim = latent_dim
        self.noise_dim = noise_dim
        self.chunk_length = chunk_length
        self.loss = loss
        self.feature_matching = feature_matching
        self.class_loss = class_loss
        self.mmd_loss = mmd_loss
        self.conditioning = conditioning
        self.filter_samples = filter_samples
        self.match_spread = match_spread
        self.match_roughness = match_roughness
        self.preserve_znorm = preserve_znorm
        self.scale_series = scale_series
        self.fold_cycles = fold_cycles
        self.ema_decay = ema_decay
        self.augment_discriminator = augment_discriminator
        self.n_steps = n_steps
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.max_time = max_time
        self.device = device
        self.precision = precision
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ tags
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = False
        tags.target_tags.required = False
        tags.non_deterministic = False
        return tags

    # ------------------------------------------------------------ validation
    _parameter_constraints = {
        # resolved against the labels by resolve_sampling_strategy (imbalanced-learn's
        # semantics and messages), at fit_resample
        "sampling_strategy": "no_validation",
        "cell": [StrOptions({"lstm", "gru"})],
        "hidden_size": [_AT_LEAST_ONE, StrOptions({"auto"})],
        "num_layers": [_AT_LEAST_ONE],
        "latent_dim": [_AT_LEAST_ONE],
        "noise_dim": [_AT_LEAST_ONE],
        "chunk_length": [_AT_LEAST_ONE, StrOptions({"auto"})],
        "loss": [StrOptions({"ns", "hinge", "lsgan"})],
        "feature_matching": [_NON_NEGATIVE],
        "class_loss": [_NON_NEGATIVE],
        "mmd_loss": [_NON_NEGATIVE],
        "conditioning": [StrOptions({"example", "label"})],
        "filter_samples": ["boolean"],
        "match_spread": ["boolean"],
        "match_roughness": ["boolean"],
        "preserve_znorm": ["boolean"],
        "scale_series": ["boolean"],
        "fold_cycles": ["boolean"],
        "ema_decay": [Interval(Real, 0, 1, closed="left")],
        "augment_discriminator": [Interval(Real, 0, 1, closed="both")],
        "n_steps": [_AT_LEAST_ONE, StrOptions({"auto"})],
        "batch_size": [_AT_LEAST_ONE],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
        "device": "no_validation",  # resolved (and checked) by resolve_device
        "precision": [StrOptions(set(PRECISIONS))],
        "random_state": ["random_state"],
        "verbose": [Interval(Integral, 0, None, closed="left")],
    }

    def _check_params(self):
        """The parameters against ``_parameter_constraints``, and what those constraints
        let through but the fit cannot use: a bool where a number is due (True is an
        Integral to Python), an infinite number."""
        self._validate_params()
        for name, constraints in self._parameter_constraints.items():
            value = getattr(self, name)
            numeric = [c for c in constraints if isinstance(c, Interval)] \
                if isinstance(constraints, list) else []
            if not numeric or isinstance(value, str) or value is None:
                continue
            if isinstance(value, (bool, np.bool_)) or not math.isfinite(value):
                raise ValueError(f"The {name!r} parameter of {type(self).__name__} must be "
                                 f"{numeric[0]}; got {value!r}.")

    def _validated(self, X, y, reset=True):
        """X and y checked and converted, for ``fit`` and ``fit_resample`` alike: the
        series as (values, lengths, layout), X as read (a panel frame as a list of
        series) and y as a 1D array (None for an unconditional fit)."""
        self._check_params()
        X = panel_frame_to_list(X)  # sktime's pandas panels: read as a list of series
        values, lengths, layout = self._validate_X(X, reset=reset)
        if y is not None:
            y = check_labels(y, values.shape[0])
        return values, lengths, layout, X, y

    def _validate_X(self, X, reset):
        if isinstance(X, (list, tuple)) and len(X) and all(np.ndim(x) == 1 for x in X) and \
                len({len(x) for x in X}) == 1:
            X = np.asarray(X)  # rows of equal length: a 2D array of univariate series
        if not isinstance(X, (list, tuple)) or (len(X) and np.ndim(X[0]) == 0):
            # arrays and frames go through scikit-learn's own checks (feature names,
            # n_features_in_, standard error messages) before our own conversion
            try:
                X = validate_data(self, X, reset=reset, allow_nd=True, dtype="numeric",
                                  ensure_all_finite=True, ensure_2d=True)
            except ValueError as exc:
                if "Expected 2D array" in str(exc) or "Found array with dim" in str(exc):
                    raise ValueError(
                        f"X must be 2D (n_instances, n_timepoints) or 3D (n_instances, "
                        f"n_channels, n_timepoints); got {np.ndim(X)} dimension(s).") from None
                hint = nan_padding_hint(X) if "NaN" in str(exc) else ""
                if hint:
                    raise ValueError(f"Input X contains NaN.{hint}") from None
                raise
        elif reset:
            self.n_features_in_ = None  # set below from the channel count
        return check_series(X)

    # ------------------------------------------------------------------- fit
    @contextlib.contextmanager
    def _all_or_nothing(self):
        """A fit either completes or leaves the estimator as it was before the call
        (unfitted, or fitted on the data of the previous fit): an error or a Ctrl-C
        part-way (in validation, before the first evaluation, in the calibration after
        training) must not leave new scaling beside an old generator, or a generator
        without its smoothing widths. Fit only ever assigns new objects to attributes,
        so the attributes themselves are the snapshot."""
        before = dict(self.__dict__)
        try:
            yield
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise

    @with_callbacks
    def fit(self, X, y=None):
        """Train the GAN on series X, conditioned on labels y (unconditional if None)."""
        with self._all_or_nothing():
            return self._fit_series(*self._validated(X, y))

    def _fit_series(self, values, lengths, layout, X, y):
        """Train on already validated series: the shared body of fit and fit_resample.

        The stages, in order: the labels; the data's conventions (per-series scales,
        z-normalisation, an exact cycle); the networks' view of the series (folded,
        scaled, padded); the configuration; training; then the parts fitted on the
        trained generator: the class filter, the stored examples, the smoothing widths."""
        started = time.perf_counter()
        deadline = None if self.max_time is None else started + float(self.max_time)
        if getattr(self, "n_features_in_", None) is None:
            self.n_features_in_ = values.shape[1]
        codes, labels = self._learn_labels(y, len(values))
        self.layout_ = layout
        self.n_channels_, self.n_timepoints_ = values.shape[1], values.shape[2]
        self.equal_length_ = bool((lengths == self.n_timepoints_).all())
        self.lengths_by_class_ = [np.sort(lengths[codes == c]) for c in range(codes.max() + 1)]
        series_values = self._detect_conventions(values, lengths, codes)
        net_values, net_lengths = series_values, lengths
        if self.cycles_folded_:  # the networks see one channel per phase of the cycle
            net_values = fold(series_values, lengths, self.cycle_length_)
            net_lengths = folded_lengths(lengths, self.cycle_length_)
        self.scaler_ = ChannelScaler().fit(net_values, net_lengths)
        config, device, precision = self._configure(net_values.shape, time.perf_counter() - started)
        padded = np.zeros((len(values), config.n_chunks * config.chunk, config.n_channels),
                          dtype=np.float32)
        padded[:, : config.n_timepoints, :] = self.scaler_.transform(net_values).transpose(0, 2, 1)
        padded *= step_mask(net_lengths, padded.shape[1])[:, :, None]
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(0, 2**31 - 2))
        self._sample_rng = np.random.RandomState(rng.randint(0, 2**31 - 1))
        clip = tuple(torch.from_numpy(bound) for bound in self.scaler_.generator_clip())
        result = self._train(padded, net_lengths, labels, config, seed, device, precision, clip,
                             X, y)
        self.config_ = config
        self._fit_filter(padded, net_lengths, series_values, lengths, codes, seed)
        self._keep_references(padded, net_lengths, codes, rng)
        self.clip_ = tuple(c.numpy().tolist() for c in clip)
        self.generator_ = config.build_generator()
        self.generator_.load_state_dict(result.generator_state)
        self.generator_.eval()
        self.generator_.to(device)
        self.smoothing_sigma_ = self.cycle_sigma_ = self.noise_scale_ = None
        if self.match_roughness:
            self.smoothing_sigma_, self.cycle_sigma_ = self._fit_smoothing(
                padded[:, : config.n_timepoints], net_lengths, codes, seed, lengths, deadline)
        if self.match_spread:
            self.noise_scale_ = self._fit_noise_scales(values, lengths, codes, seed, deadline)
        self.history_ = result.history
        self.best_step_, self.n_steps_ = result.best_step, result.n_steps
        self.best_score_ = result.best_score
        self.fit_seconds_ = result.seconds
        self.device_ = str(device)
        self.precision_ = precision
        self.interrupted_ = result.interrupted
        return self

    def _learn_labels(self, y, n):
        """``classes_``, and the class code of each series with the labels as a tensor
        (all code 0 and no tensor for an unconditional fit)."""
        if y is None:
            self.classes_ = None
            return np.zeros(n, dtype=np.int64), None
        self.classes_, codes = np.unique(y, return_inverse=True)
        counts = np.bincount(codes, minlength=len(self.classes_))
        single = self.classes_[counts == 1]
        if len(single):
            shown = ", ".join(map(repr, single[:5].tolist())) + (" ..." if len(single) > 5 else "")
            warnings.warn(
                f"{len(single)} class(es) ({shown}) have a single training series: the GAN "
                "can only learn them from what they share with the other classes.",
                UserWarning, stacklevel=5)
        return codes, torch.as_tensor(codes, dtype=torch.long)

    def _detect_conventions(self, values, lengths, codes):
        """What the data hold to, each where its parameter asks: channels whose series
        differ in size by orders of magnitude (returned divided by each series' scale),
        channels z-normalised per series, an exact shared cycle (and whether to fold it)."""
        self.series_scale_channels_ = self.series_scales_ = None
        if self.scale_series:
            flags, rms = detect_scale_spread(values, lengths)
            if flags.any():
                divisors = unit_scales(rms, flags)
                values = values / divisors[:, :, None]  # a copy: the caller's X is untouched
                self.series_scale_channels_ = flags
                self.series_scales_ = [divisors[codes == c] for c in range(codes.max() + 1)]
        self.znorm_channels_ = self.znorm_ddof_ = None
        if self.preserve_znorm:  # on the series as given (a folded series is not z-normalised)
            flags, ddof = detect_znorm(values, lengths)
            if flags.any():
                self.znorm_channels_, self.znorm_ddof_ = flags, ddof
        self.cycle_length_ = detect_cycle(values, lengths) \
            if self.match_roughness or self.fold_cycles else 0
        self.cycles_folded_ = bool(self.fold_cycles and self.cycle_length_)
        return values

    def _configure(self, net_shape, spent):
        """The GAN's configuration for series of the networks' shape ``net_shape`` (n,
        channels, steps) with the automatic sizes resolved, the device, and the precision
        it runs at; ``spent``: seconds the fit took before training (off ``max_time``)."""
        n, n_channels, n_timepoints = net_shape
        if self.chunk_length == "auto":
            chunk = auto_chunk(n_timepoints)
        elif self.cycles_folded_:  # given in the data's steps: whole cycles, rounded up
            chunk = -(-int(self.chunk_length) // self.cycle_length_)
        else:
            chunk = int(self.chunk_length)
        chunk = min(chunk, n_timepoints)
        n_steps = AUTO_STEPS if self.n_steps == "auto" else int(self.n_steps)
        covered = chunk * (self.cycle_length_ if self.cycles_folded_ else 1)  # data steps
        hidden = auto_hidden(covered) if self.hidden_size == "auto" else int(self.hidden_size)
        device = resolve_device(self.device)
        precision = "float32" if autocast_dtype(device, self.precision, self.cell) is None \
            else "bfloat16"
        if self.precision == "bfloat16" and precision == "float32":
            warnings.warn(
                f"precision='bfloat16' was asked for, but this CPU cannot run the {self.cell.upper()} "
                "in bf16 (no bf16 instructions for oneDNN's kernel): training in float32 "
                "(precision_='float32').", UserWarning, stacklevel=5)
        config = GANConfig(
            n_channels=n_channels, n_timepoints=n_timepoints,
            n_classes=0 if self.classes_ is None else len(self.classes_), chunk=chunk,
            cell=self.cell, hidden_size=hidden, num_layers=self.num_layers,
            latent_dim=self.latent_dim, noise_dim=self.noise_dim, loss=self.loss,
            feature_matching=float(self.feature_matching), class_loss=float(self.class_loss),
            mmd_weight=float(self.mmd_loss), batch_size=self.batch_size,
            n_steps=n_steps, lr_g=float(self.learning_rate), lr_d=float(self.learning_rate),
            eval_every=max(10, 10 * round(n_steps / 200)),
            max_time=None if self.max_time is None else max(
                1e-3, _TRAINING_SHARE * self.max_time - spent),
            reference=self.conditioning == "example", ema=float(self.ema_decay),
            augment=float(self.augment_discriminator),
            even_inputs=precision == "bfloat16")
        return config, device, precision

    def _train(self, padded, lengths, labels, config, seed, device, precision, clip, X, y):
        """The training loop, reporting progress to the bar (``verbose=1``), the log
        (``verbose=2``) and scikit-learn's callbacks."""
        bar = ProgressBar(config.n_steps) if self.verbose == 1 else None
        context = None
        if hasattr(self, "_init_callback_context"):  # scikit-learn's callback API
            context = self._init_callback_context(
                max_subtasks=math.ceil(config.n_steps / config.eval_every))
            context.call_on_fit_task_begin(estimator=self, X=X, y=y)

        def progress(step, total, history):
            if bar is not None:
                bar(step, total, history)
            if context is not None:
                task = context.subcontext(task_name="training steps")
                task.call_on_fit_task_begin(estimator=self)
                task.call_on_fit_task_end(estimator=self, metadata={
                    "step": step, "loss_d": history["loss_d"][-1],
                    "loss_g": history["loss_g"][-1], "validation_score": history["mmd"][-1]})

        with lines_shown(self.verbose):
            result = train_gan(torch.from_numpy(padded), torch.from_numpy(lengths), labels,
                               config, seed=seed, device=device, precision=precision,
                               verbose=self.verbose, progress=progress, clip=clip)
        if context is not None:
            context.call_on_fit_task_end(estimator=self, X=X, y=y)
        return result

    def _fit_filter(self, padded, net_lengths, series_values, series_lengths, codes, seed):
        """The class filter (``filter_samples``), trained on the series in the data's own
        layout, as a user's classifier reads them (``filter_scaler_`` scales folded data)."""
        self.class_filter_ = self.filter_scaler_ = None
        if not (self.filter_samples and self.classes_ is not None and len(self.classes_) > 1):
            return
        filter_input, filter_lengths = padded[:, : self.config_.n_timepoints], net_lengths
        if self.cycles_folded_:
            self.filter_scaler_ = ChannelScaler().fit(series_values, series_lengths)
            steps = step_mask(series_lengths, self.n_timepoints_)
            filter_input = (self.filter_scaler_.transform(series_values).transpose(0, 2, 1)
                            * steps[:, :, None]).astype(np.float32)
            filter_lengths = series_lengths
        self.class_filter_ = ClassFilter(seed=seed).fit(
            torch.from_numpy(filter_input), torch.from_numpy(filter_lengths),
            codes, len(self.classes_))

    def _keep_references(self, padded, lengths, codes, rng):
        """For ``conditioning='example'``: the scaled training series to draw examples
        from, at most ``_MAX_REFERENCES`` per class (a random subset of a larger class)."""
        self.references_ = self.reference_lengths_ = self.reference_codes_ = None
        if not self.config_.reference:
            return
        keep = np.concatenate([
            np.sort(rng.permutation(np.flatnonzero(codes == c))[:_MAX_REFERENCES])
            for c in range(codes.max() + 1)])
        self.references_ = padded[keep]
        self.reference_lengths_ = lengths[keep].astype(np.int64)
        self.reference_codes_ = codes[keep].astype(np.int64)

    def _fit_smoothing(self, scaled, lengths, codes, seed, series_lengths, deadline):
        """The smoothing widths (``match_roughness``) from draws of the trained generator:
        ``smoothing_sigma_`` and ``cycle_sigma_`` (see :func:`fit_smoothing_widths`)."""
        n_classes = int(codes.max()) + 1
        draws = functools.partial(Sampler(self).draw_scaled, smoothed=False)
        sigma, cycle_sigma, late = fit_smoothing_widths(
            draws, scaled, lengths, codes, seed, series_lengths,
            cycle=0 if self.cycles_folded_ else self.cycle_length_, deadline=deadline)
        if late:
            warnings.warn(
                f"max_time={self.max_time} ran out before the roughness calibration of {late} "
                f"of {n_classes} class(es): their draws are not smoothed (widths 0). Give the "
                "fit more time to calibrate them.", UserWarning, stacklevel=5)
        for widths in (sigma, cycle_sigma):
            if widths is not None:  # constant channels: restored exactly anyway
                widths[:, self.scaler_.scale_ == 0] = 0.0
        return sigma, cycle_sigma

    def _fit_noise_scales(self, values, lengths, codes, seed, deadline):
        """The noise scale of each class (``match_spread``), from probes of the fitted
        augmenter's own draws (see :func:`fit_noise_scales`)."""
        n_groups = int(codes.max()) + 1

        def draw_class(code, scales):  # every scale of a class probed on the same noise
            self.noise_scale_ = scales
            return Sampler(self).generate(np.full(PROBE_DRAWS, code, dtype=np.int64),
                                          np.random.RandomState((seed + 7 + code) % 2**31))

        try:
            scales, late = fit_noise_scales(draw_class, values, lengths, codes, n_groups,
                                            deadline)
        finally:
            self.noise_scale_ = None
        if late:
            warnings.warn(
                f"max_time={self.max_time} ran out before the spread calibration of {late} "
                f"of {n_groups} class(es): their noise is not scaled (scale 1). Give the "
                "fit more time to calibrate them.", UserWarning, stacklevel=5)
        return scales

    # ---------------------------------------------------------------- sample
    def _label_codes(self, y, n_samples):
        if self.classes_ is None:
            if y is not None:
                raise ValueError("This augmenter was fitted without labels (unconditional); "
                                 "sample() takes y=None.")
            return np.zeros(n_samples, dtype=np.int64)
        if y is None:
            raise ValueError(
                "This augmenter was fitted with labels: pass y, one label for all samples or "
                f"one per sample, from classes_ = {self.classes_.tolist()}.")
        y_arr = np.asarray(y)
        if y_arr.ndim == 0:
            y_arr = np.full(n_samples, y_arr.item(), dtype=object if y_arr.dtype.kind in "OUS" else y_arr.dtype)
        elif y_arr.ndim != 1 or len(y_arr) != n_samples:
            raise ValueError(f"y must be one label or one label per sample ({n_samples}); "
                             f"got shape {y_arr.shape}.")
        known = {c: i for i, c in enumerate(self.classes_.tolist())}
        try:
            codes = np.array([known[v] for v in y_arr.tolist()], dtype=np.int64)
        except (KeyError, TypeError):
            unknown = sorted({repr(v) for v in y_arr.tolist() if v not in known})
            raise ValueError(f"Unknown label(s) {', '.join(unknown)} in y; this augmenter knows "
                             f"classes_ = {self.classes_.tolist()}.") from None
        return codes

    def sample(self, n_samples, y=None, *, random_state=None):
        """Draw ``n_samples`` new series (of class(es) ``y`` for a conditional model).

        Returns X only, in the container kind and dtype of the training X (a list of
        arrays for unequal-length data). With ``random_state=None`` successive calls
        continue one seeded stream; an int gives the same draw every time.
        """
        check_is_fitted(self, "generator_")
        n_samples = check_n_samples(n_samples)
        self._check_output_fits(n_samples, "sample()")
        codes = self._label_codes(y, n_samples)
        rng = self._sample_rng if random_state is None else check_random_state(random_state)
        values, lengths = Sampler(self).generate(codes, rng)
        return to_output(values, lengths, self.layout_)

    def sample_batches(self, n_samples, y=None, *, batch_size=10000, random_state=None):
        """Yield ``n_samples`` new series in batches of ``batch_size``.

        Memory stays flat in ``n_samples``: only one batch exists at a time. For a
        given ``random_state`` and ``batch_size`` the draw is reproducible; it equals
        ``sample(n_samples, y)`` only when ``batch_size >= n_samples`` (each batch
        draws its own seed).
        """
        check_is_fitted(self, "generator_")
        n_samples = check_n_samples(n_samples)
        batch_size = check_n_samples(batch_size, "batch_size")
        self._check_output_fits(min(batch_size, n_samples), "One batch of sample_batches()")
        y_arr = None if y is None else np.asarray(y)
        if y_arr is not None and y_arr.ndim == 1 and len(y_arr) != n_samples:
            raise ValueError(f"y must be one label or one label per sample ({n_samples}); "
                             f"got {len(y_arr)} labels.")
        rng = self._sample_rng if random_state is None else check_random_state(random_state)
        for start in range(0, n_samples, batch_size):
            stop = min(start + batch_size, n_samples)
            part = y_arr if y_arr is None or y_arr.ndim == 0 else y_arr[start:stop]
            codes = self._label_codes(part, stop - start)
            values, lengths = Sampler(self).generate(codes, rng)
            yield to_output(values, lengths, self.layout_)

    def _check_output_fits(self, n_series, what):
        check_output_fits(n_series, self.n_channels_, self.n_timepoints_, self.layout_.dtype, what)

    # ----------------------------------------------------------- persistence
    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: never strip the live object
        state["_rgan_version"] = persistence.library_version()
        if state.get("generator_") is not None:
            state["generator_"] = None
            state["_generator_bytes"] = persistence.state_dict_to_bytes(self.generator_)
        return state

    def __setstate__(self, state):
        state = dict(state)
        persistence.check_version(state.pop("_rgan_version", None), "This pickled augmenter")
        blob = state.pop("_generator_bytes", None)
        for name, value in _safe_format.LATER_PARAMS.items():
            state.setdefault(name, value)
        if "generator_" in state:
            for name, value in _LATER_FITTED_STATE.items():
                state.setdefault(name, value)
        super().__setstate__(state)
        missing = [name for name in self._get_param_names() if name not in state]
        if "generator_" in state:
            missing += [name for name in _FITTED_STATE if name not in state]
        if missing:  # pickled by a build with other parameters or fitted state
            raise persistence.ModelFileError(
                f"This pickled augmenter lacks {', '.join(missing)}: it was written by a build of "
                "rgan-augment with other state; refit it.")
        if blob is not None:
            weights = persistence.state_dict_from_bytes(blob, "cpu")
            self.generator_ = self._restore_generator(weights)

    def _restore_generator(self, weights):
        generator = self.config_.build_generator()
        try:
            generator.load_state_dict(weights)
        except (RuntimeError, KeyError) as exc:
            raise persistence.ModelFileError(
                f"the stored generator weights do not fit the stored configuration ({exc}).") from None
        generator.eval()
        device = torch.device("cpu")
        if self.device != "cpu" and torch.cuda.is_available():
            device = resolve_device(self.device)
        return generator.to(device)

    def save(self, path):
        """Write the fitted augmenter to ``path`` in the safe format (no pickle).

        The file is an ``.npz`` archive with a JSON document and the generator's
        tensors; :meth:`load` reads it without executing any code. A callable
        ``sampling_strategy`` (or a RandomState ``random_state``) cannot be stored: it is
        saved as its default, with a warning.
        """
        check_is_fitted(self, "generator_")
        _safe_format.write(self, path)

    @classmethod
    def load(cls, path):
        """Read an augmenter written by :meth:`save`. Never executes code from the file,
        and validates all of it first: a damaged or edited file raises
        :class:`~rgan_augment.persistence.ModelFileError` naming the problem."""
        return _safe_format.read(cls, path)

    # ---------------------------------------------------------- fit_resample
    @with_callbacks
    def fit_resample(self, X, y):
        """Fit on (X, y), then return the original rows followed by synthetic ones.

        The number generated per class follows ``sampling_strategy`` (kept in
        ``sampling_strategy_``). Original rows come first and unchanged.
        """
        if y is None:
            raise ValueError("fit_resample needs labels y: oversampling balances classes.")
        X_in, y_in = X, y
        with self._all_or_nothing():
            values, lengths, layout, X, y = self._validated(X, y)
            # resolved before training, so that a bad strategy fails at once
            strategy = resolve_sampling_strategy(self.sampling_strategy, y)
            check_output_fits(len(values) + sum(strategy.values()), values.shape[1],
                              values.shape[2], layout.dtype,
                              "fit_resample (the originals and sampling_strategy's draws)")
            self._fit_series(values, lengths, layout, X, y)
            self.sampling_strategy_ = strategy
        # the fit is complete here: a Ctrl-C while sampling keeps the fitted model
        # pandas in, pandas out (as imbalanced-learn's samplers do)
        return like_input(X_in, y_in, *self._append_synthetic(X, y, strategy))

    def _append_synthetic(self, X, y, strategy):
        labels = [cls for cls, n in strategy.items() for _ in range(n)]
        y_arr = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
        if not labels:
            X_out = list(X) if isinstance(X, (list, tuple)) else np.asarray(
                X.to_numpy() if hasattr(X, "to_numpy") else X)
            return X_out, y_arr.copy()
        synth = self.sample(len(labels), np.array(labels, dtype=y_arr.dtype))
        y_new = np.concatenate([y_arr, np.asarray(labels, dtype=y_arr.dtype)])
        if self.layout_.kind in ("list", "list1d"):
            return [np.asarray(x) for x in X] + synth, y_new
        X_arr = np.asarray(X.to_numpy() if hasattr(X, "to_numpy") else X)
        if X_arr.dtype != synth.dtype:
            X_arr = X_arr.astype(synth.dtype)
        return np.concatenate([X_arr, synth]), y_new
