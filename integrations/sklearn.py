"""scikit-learn adapter: a classifier that oversamples its training data first.

A step of ``sklearn.pipeline.Pipeline`` may not change the number of rows, so
oversampling cannot be a middle step there.  :class:`AugmentedClassifier` is a
meta-estimator for the *last* step: in ``fit`` it balances (X, y) with the augmenter,
then fits the wrapped classifier on the result; prediction is delegated unchanged.
It works with ``clone``, ``GridSearchCV`` over nested parameters
(``augmenter__hidden_size``, ``classifier__C``) and ``cross_val_score``.
"""

from __future__ import annotations

from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

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
        ``fit``, and the fitted copy is kept as ``augmenter_``.

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

    def __init__(self, classifier, augmenter=None):
        self.classifier = classifier
        self.augmenter = augmenter

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = False
        return tags

    def fit(self, X, y):
        """Balance (X, y) with a clone of the augmenter, then fit a clone of the classifier."""
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
        fitted_augmenter = clone(augmenter)
        X_res, y_res = fitted_augmenter.fit_resample(X, y)
        classifier = clone(self.classifier).fit(X_res, y_res)
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

