"""scikit-learn adapter: a classifier that oversamples its training data first.

A step of ``sklearn.pipeline.Pipeline`` may not change the number of rows, so
oversampling cannot be a middle step there.  :class:`AugmentedClassifier` is a
meta-estimator for the *last* step: in ``fit`` it balances (X, y) with the augmenter,
then fits the wrapped classifier on the result; prediction is delegated unchanged.
It works with ``clone``, ``GridSearchCV`` over nested parameters
(``augmenter__hidden_size``, ``classifier__C``) and ``cross_val_score``; with
``memory`` a grid over the classifier's parameters fits the augmenter once per fold.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples, check_is_fitted, check_memory, has_fit_parameter

from rgan_augment import RecurrentGANAugmenter

__all__ = ["AugmentedClassifier"]


def _classifier_has(attr):
    def check(self):
        if hasattr(self, "classifier_"):
            return hasattr(self.classifier_, attr)
        return hasattr(self.classifier, attr)

    return check


class AugmentedClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Oversample with ``augmenter`` in ``fit``, then fit ``classifier``.

    Parameters
    ----------
    classifier : estimator
        Any scikit-learn classifier. It receives the data in the form the augmenter
        returns it: the same container kind as ``X`` (2D stays 2D).
    augmenter : object with ``fit_resample``, default=None
        The oversampler; ``None`` means ``RecurrentGANAugmenter()``. It is cloned in
        ``fit``, and the fitted copy is kept as ``augmenter_``. Its ``fit_resample`` must
        return the original rows first (as this package's and imbalanced-learn's
        oversamplers do): the rows after them are the synthetic ones.
    synthetic_weight : float, default=1.0
        How much each synthetic row counts in the classifier's fit, relative to a real
        row of its class: the classifier gets ``sample_weight`` with the real rows at
        their weight (1, or the ``sample_weight`` passed to ``fit``) and each synthetic
        row at ``synthetic_weight`` times the mean weight of its class's real rows. At
        1.0 with no ``sample_weight`` the classifier is fitted without weights. Values
        other than 1.0 need a classifier whose ``fit`` takes ``sample_weight`` (or a
        Pipeline whose last step does). No value is right for every regime: measured in
        ``benchmarks/README.md``, "Synthetic rows weighted below real ones".
    memory : str, path or joblib.Memory, default=None
        Where to cache the augmenter's fit: a fit on the same rows with the same
        augmenter parameters is loaded instead of trained again, as the ``memory`` of
        scikit-learn's ``Pipeline`` caches its transformers. In ``GridSearchCV`` over
        the classifier's parameters (or ``synthetic_weight``) the augmenter is then
        fitted once per fold, not once per fold and grid point. ``None`` caches nothing.
        A cached fit is reused whatever the augmenter's ``random_state``: with ``None``
        every grid point of a fold gets the same synthetic rows (which compares the
        classifier's settings on equal data). The cache directory holds pickles: point
        it only at a directory you trust, and clear it (``memory.clear()``) when the
        package is upgraded.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from rgan_augment import RecurrentGANAugmenter
    >>> from rgan_augment.integrations.sklearn import AugmentedClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 20)); y = np.array([0] * 42 + [1] * 8); X[y == 1] += 1
    >>> model = make_pipeline(StandardScaler(), AugmentedClassifier(
    ...     LogisticRegression(), RecurrentGANAugmenter(n_steps=20, random_state=0)))
    >>> model.fit(X, y).predict(X[:3]).shape
    (3,)
    """

    def __init__(self, classifier, augmenter=None, synthetic_weight=1.0, memory=None):
        self.classifier = classifier
        self.augmenter = augmenter
        self.synthetic_weight = synthetic_weight
        self.memory = memory

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = False
        return tags

    def fit(self, X, y, sample_weight=None):
        """Balance (X, y) with a clone of the augmenter, then fit a clone of the classifier.

        ``sample_weight`` (one weight per row of ``X``, optional) is passed on to the
        classifier for the real rows; synthetic rows are weighted as ``synthetic_weight``
        says. The augmenter itself is fitted on the rows unweighted."""
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        augmenter = RecurrentGANAugmenter() if self.augmenter is None else self.augmenter
        if not hasattr(augmenter, "fit_resample"):
            raise TypeError(f"augmenter must have a fit_resample method; got {type(augmenter).__name__}.")
        if not hasattr(self.classifier, "fit"):
            raise TypeError("classifier must be a scikit-learn classifier; got "
                            f"{type(self.classifier).__name__}.")
        # fitted into locals and assigned at the end: a failed or interrupted refit
        # leaves the previous augmenter_ and classifier_ together, never a mix
        weighted = sample_weight is not None or self._checked_synthetic_weight() != 1.0
        weight_key = self._sample_weight_key() if weighted else None
        n_real = _num_samples(X)
        real_weight = None if sample_weight is None else _checked_sample_weight(sample_weight, n_real)
        fit_resample = check_memory(self.memory).cache(_fit_resample_clone)
        fitted_augmenter, X_res, y_res = fit_resample(clone(augmenter), X, y)
        fit_params = {}
        if weighted:
            fit_params[weight_key] = _row_weights(np.asarray(y_res), n_real, real_weight,
                                                  float(self.synthetic_weight))
        classifier = clone(self.classifier).fit(X_res, y_res, **fit_params)
        if not hasattr(classifier, "classes_"):
            raise TypeError(f"classifier must be a classifier: the fitted "
                            f"{type(classifier).__name__} has no classes_ (a regressor?).")
        self.augmenter_, self.classifier_ = fitted_augmenter, classifier
        self.classes_ = classifier.classes_
        n_features = getattr(fitted_augmenter, "n_features_in_", None)
        if n_features is not None:
            self.n_features_in_ = n_features
        if hasattr(fitted_augmenter, "feature_names_in_"):
            self.feature_names_in_ = fitted_augmenter.feature_names_in_
        elif hasattr(self, "feature_names_in_"):  # refit on an array after a frame
            del self.feature_names_in_
        return self

    def _checked_synthetic_weight(self):
        w = self.synthetic_weight
        if (isinstance(w, bool) or not isinstance(w, Real) or not math.isfinite(w)
                or w <= 0):
            raise ValueError(f"synthetic_weight must be a finite number > 0; got {w!r}.")
        return float(w)

    def _sample_weight_key(self):
        """The fit parameter that carries the row weights to the classifier (the last
        step's ``<name>__sample_weight`` for a Pipeline), or a TypeError naming why none does."""
        clf = self.classifier
        target, key = clf, "sample_weight"
        if isinstance(clf, Pipeline):
            name, target = clf.steps[-1]
            key = f"{name}__sample_weight"
        if target == "passthrough" or not has_fit_parameter(target, "sample_weight"):
            raise TypeError(
                f"synthetic_weight={self.synthetic_weight!r} and sample_weight need a classifier "
                f"whose fit takes sample_weight; {type(target).__name__}.fit does not. Use "
                "synthetic_weight=1.0 and no sample_weight with it.")
        return key

    def predict(self, X):
        check_is_fitted(self, "classifier_")
        return self.classifier_.predict(X)

    @available_if(_classifier_has("predict_proba"))
    def predict_proba(self, X):
        check_is_fitted(self, "classifier_")
        return self.classifier_.predict_proba(X)

    @available_if(_classifier_has("predict_log_proba"))
    def predict_log_proba(self, X):
        check_is_fitted(self, "classifier_")
        return self.classifier_.predict_log_proba(X)

    @available_if(_classifier_has("decision_function"))
    def decision_function(self, X):
        check_is_fitted(self, "classifier_")
        return self.classifier_.decision_function(X)

    def score(self, X, y, sample_weight=None):
        check_is_fitted(self, "classifier_")
        if hasattr(self.classifier_, "score"):
            return self.classifier_.score(X, y, sample_weight=sample_weight)
        return super().score(X, y, sample_weight=sample_weight)

    @property
    def n_generated_(self):
        """Number of synthetic rows added in ``fit``, per class."""
        check_is_fitted(self, "augmenter_")
        return dict(getattr(self.augmenter_, "sampling_strategy_", {}))



def _fit_resample_clone(augmenter, X, y):
    """(fitted augmenter, X_res, y_res) from a fresh, unfitted ``augmenter``: the unit
    that ``memory`` caches, keyed on the augmenter's parameters and the rows."""
    X_res, y_res = augmenter.fit_resample(X, y)
    return augmenter, X_res, y_res


def _checked_sample_weight(sample_weight, n_rows):
    w = np.asarray(sample_weight, dtype=float)
    if w.shape != (n_rows,):
        raise ValueError(f"sample_weight must hold one weight per row of X ({n_rows}); "
                         f"got shape {w.shape}.")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("sample_weight must be finite and >= 0.")
    return w


def _row_weights(y_res, n_real, real_weight, synthetic_weight):
    """Weights of the resampled rows: the real rows' own (1 without ``real_weight``), then
    each synthetic row at ``synthetic_weight`` times the mean real weight of its class."""
    if len(y_res) < n_real:
        raise ValueError(f"the augmenter returned {len(y_res)} rows for {n_real} given: "
                         "synthetic_weight needs an oversampler that keeps every row.")
    real = np.ones(n_real) if real_weight is None else real_weight
    y_real, y_synth = y_res[:n_real], y_res[n_real:]
    synth = np.empty(len(y_synth))
    for cls in np.unique(y_synth):
        of_class = y_real == cls
        mean = real[of_class].mean() if of_class.any() else 1.0
        synth[y_synth == cls] = synthetic_weight * mean
    return np.concatenate([real, synth])
