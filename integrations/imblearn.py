"""imbalanced-learn adapter.

``RecurrentGANAugmenter`` already works as a sampler step of
``imblearn.pipeline.Pipeline`` (it has ``fit_resample`` and no ``transform``).
:class:`GANOverSampler` is the thin adapter for code that wants a genuine
imbalanced-learn sampler: it subclasses ``BaseOverSampler`` (so imbalanced-learn's
tags, input/output conversions for lists, DataFrames and one-vs-all targets, and its
sampler checks all apply) and accepts 3D time-series arrays.
"""

from __future__ import annotations

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.base import clone
from sklearn.utils.validation import validate_data

from rgan_augment import RecurrentGANAugmenter

__all__ = ["GANOverSampler"]


class GANOverSampler(BaseOverSampler):
    """imbalanced-learn over-sampler that draws new series from a recurrent GAN.

    Parameters
    ----------
    sampling_strategy : str, float, dict or callable, default='auto'
        imbalanced-learn's usual meaning.
    augmenter : RecurrentGANAugmenter, default=None
        The GAN's settings (its own ``sampling_strategy`` is ignored); ``None`` means
        the defaults. A fitted clone is kept as ``augmenter_``.

    Examples
    --------
    >>> import numpy as np
    >>> from imblearn.pipeline import Pipeline
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from rgan_augment import RecurrentGANAugmenter
    >>> from rgan_augment.integrations.imblearn import GANOverSampler
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 2, 16)).cumsum(axis=2); y = np.array([0] * 32 + [1] * 8)
    >>> pipe = Pipeline([
    ...     ("gan", GANOverSampler(augmenter=RecurrentGANAugmenter(n_steps=20, random_state=0))),
    ...     ("flatten", FunctionTransformer(lambda A: A.reshape(len(A), -1))),
    ...     ("knn", KNeighborsClassifier(1))])
    >>> pipe.fit(X, y).predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "augmenter": [RecurrentGANAugmenter, None],
    }

    def __init__(self, sampling_strategy="auto", augmenter=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.augmenter = augmenter

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = False
        return tags

    def _check_X_y(self, X, y, accept_sparse=None):
        # the series themselves are checked once, by the augmenter's own fit
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if isinstance(X, (list, tuple)) and len(X) and np.ndim(X[0]) >= 1 and (
                np.ndim(X[0]) == 2 or len({len(x) for x in X}) > 1):
            # series as the augmenter takes them: (n_channels, length) arrays, or 1D series
            # of unequal lengths (arrays or lists); checked by the augmenter's own fit
            return list(X), y, binarize_y
        if hasattr(X, "dtypes") and any(str(d).startswith("Sparse") for d in getattr(X, "dtypes", [])):
            X = X.sparse.to_dense()  # a pandas frame of sparse columns; returned as it came
        X = validate_data(self, X, reset=True, allow_nd=True, dtype="numeric", ensure_all_finite=True)
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        augmenter = RecurrentGANAugmenter() if self.augmenter is None else self.augmenter
        # imbalanced-learn resolved the number to generate per class; the augmenter takes
        # the same request as target totals (its dict strategy, imbalanced-learn's meaning)
        labels, counts = np.unique(np.asarray(y), return_counts=True)
        have = dict(zip(labels.tolist(), counts.tolist()))
        totals = {c: have[c] + int(n) for c, n in self.sampling_strategy_.items()}
        self.augmenter_ = clone(augmenter).set_params(sampling_strategy=totals)
        X_res, y_res = self.augmenter_.fit_resample(X, y)
        if isinstance(X_res, list):
            # imbalanced-learn gives a list input its output back with ``.tolist()``: an
            # object array of the series, so that the list comes back as a list of arrays
            holder = np.empty(len(X_res), dtype=object)
            for i, series in enumerate(X_res):
                holder[i] = series
            X_res = holder
        return X_res, y_res
