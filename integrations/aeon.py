"""aeon adapter: the augmenter as one of aeon's imbalance transformers.

In aeon (1.x) an oversampler *is* a transformer: the classes of
``aeon.transformations.collection.imbalance`` (SMOTE, ADASYN, OHIT, ESMOTE,
RandomOverSampler) are ``BaseCollectionTransformer``s that need ``y``, learn in ``fit``
how many series each class lacks (``sampling_strategy_``), and whose ``transform(X, y)``
(or ``fit_transform``) returns the resampled ``(X, y)``: the original series first,
then the new ones. :class:`RecurrentGANOverSampler` follows those conventions with the
recurrent GAN drawing the new series, so it takes the place of aeon's SMOTE wherever
that sits, and, unlike aeon's SMOTE, OHIT and ESMOTE, takes multivariate and
unequal-length collections.

The core estimator keeps no ``transform`` of its own: scikit-learn's ``transform`` may
not change the number of rows, and imbalanced-learn's Pipeline refuses a step with
both ``transform`` and ``fit_resample``. Only here, where aeon defines the contract,
does oversampling happen in ``transform``.
"""

from __future__ import annotations

import numpy as np
from aeon.transformations.collection import BaseCollectionTransformer
from sklearn.base import clone

from rgan_augment import RecurrentGANAugmenter, resolve_sampling_strategy

__all__ = ["RecurrentGANOverSampler"]


class RecurrentGANOverSampler(BaseCollectionTransformer):
    """Oversample a collection of time series with a recurrent GAN, as aeon's SMOTE does.

    Parameters
    ----------
    sampling_strategy : str, float, dict or callable, default='auto'
        How many series to add per class, with imbalanced-learn's semantics (see
        :class:`~rgan_augment.RecurrentGANAugmenter`); 'auto' brings every class up to
        the majority, as aeon's samplers do.
    augmenter : RecurrentGANAugmenter, default=None
        The GAN's settings (its own ``sampling_strategy`` is ignored); ``None`` means the
        defaults. A fitted clone is kept as ``augmenter_``.
    random_state : int, RandomState or None, default=None
        Seeds the augmenter's training and sampling (overrides ``augmenter``'s own
        ``random_state`` unless None).

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        The number of series generated per class, learned from ``y`` in ``fit``.
    augmenter_ : RecurrentGANAugmenter
        The fitted GAN.

    Examples
    --------
    >>> import numpy as np
    >>> from rgan_augment import RecurrentGANAugmenter
    >>> from rgan_augment.integrations.aeon import RecurrentGANOverSampler
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(30, 2, 16)).cumsum(axis=2)
    >>> y = np.array([0] * 24 + [1] * 6)
    >>> sampler = RecurrentGANOverSampler(
    ...     augmenter=RecurrentGANAugmenter(n_steps=10), random_state=0)
    >>> X_res, y_res = sampler.fit_transform(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((48, 2, 16), [24, 24])
    """

    _tags = {
        "requires_y": True,
        "capability:multivariate": True,
        "capability:unequal_length": True,
        "X_inner_type": ["numpy3D", "np-list"],
        "python_dependencies": "torch",
        "non_deterministic": False,
    }

    def __init__(self, sampling_strategy="auto", augmenter=None, random_state=None):
        self.sampling_strategy = sampling_strategy
        self.augmenter = augmenter
        self.random_state = random_state
        super().__init__()

    def _fit(self, X, y=None):
        augmenter = RecurrentGANAugmenter() if self.augmenter is None else self.augmenter
        if not isinstance(augmenter, RecurrentGANAugmenter):
            raise TypeError("augmenter must be a RecurrentGANAugmenter or None; got "
                            f"{type(augmenter).__name__}.")
        # checked before the fit, so that a bad strategy fails at once
        self.sampling_strategy_ = resolve_sampling_strategy(self.sampling_strategy, y)
        augmenter = clone(augmenter)
        if self.random_state is not None:
            augmenter.set_params(random_state=self.random_state)
        self.augmenter_ = augmenter.fit(X, y)
        return self

    def _transform(self, X, y=None):
        if y is None:
            raise ValueError(f"{type(self).__name__} resamples X and y together, so transform "
                             "needs the labels: pass y, or call fit_transform.")
        y = np.asarray(y)
        labels = [c for c, n in self.sampling_strategy_.items() for _ in range(n)]
        if not labels:
            return (X.copy() if isinstance(X, np.ndarray) else list(X)), y.copy()
        new = self.augmenter_.sample(len(labels), np.asarray(labels, dtype=y.dtype))
        y_res = np.concatenate([y, np.asarray(labels, dtype=y.dtype)])
        if isinstance(X, np.ndarray):
            return np.concatenate([X, np.asarray(new, dtype=X.dtype)]), y_res
        return [np.asarray(x) for x in X] + [np.atleast_2d(s) for s in new], y_res

    @classmethod
    def _get_test_params(cls, parameter_set="default"):
        """A GAN small enough for aeon's checks to fit it in well under a second."""
        tiny = RecurrentGANAugmenter(n_steps=4, hidden_size=8, latent_dim=4, noise_dim=2,
                                     batch_size=16, match_roughness=False, filter_samples=False)
        return {"augmenter": tiny, "random_state": 0}
