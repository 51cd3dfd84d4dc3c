"""sktime adapter: a composite classifier that oversamples in ``_fit``.

sktime pipelines cannot change the number of cases, so the sktime way to oversample
is a classifier that balances its own training data: :class:`SktimeAugmentedClassifier`
wraps any sktime classifier, accepts every sktime panel mtype (sktime converts them to
``numpy3D`` before ``_fit``), balances with the augmenter, and fits the wrapped
classifier on the result.
"""

from __future__ import annotations

import pandas as pd
from sklearn.base import clone as sk_clone
from sklearn.utils.validation import check_memory
from sktime.classification.base import BaseClassifier

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.integrations.sklearn import _fit_resample_clone

__all__ = ["SktimeAugmentedClassifier"]


class SktimeAugmentedClassifier(BaseClassifier):
    """Oversample the training data with a recurrent GAN, then fit an sktime classifier.

    Parameters
    ----------
    classifier : sktime classifier
        The classifier to train on the balanced data (cloned in ``fit``; the fitted
        copy is ``classifier_``).
    augmenter : RecurrentGANAugmenter, default=None
        The oversampler (cloned in ``fit``; fitted copy ``augmenter_``). ``None`` means
        ``RecurrentGANAugmenter()``.
    memory : str, path or joblib.Memory, default=None
        Where to cache the augmenter's fit, as in
        :class:`~rgan_augment.integrations.sklearn.AugmentedClassifier`: a fit on the same
        series with the same augmenter parameters is loaded instead of trained again, so
        that ``TSCGridSearchCV`` over the classifier's parameters fits the augmenter once
        per fold. A cached fit is reused whatever the augmenter's ``random_state``. The
        cache holds pickles: point it only at a directory you trust, and clear it when
        the package is upgraded.

    Examples
    --------
    >>> from sktime.classification.dummy import DummyClassifier
    >>> from sktime.datasets import load_unit_test
    >>> from rgan_augment import RecurrentGANAugmenter
    >>> from rgan_augment.integrations.sktime import SktimeAugmentedClassifier
    >>> X, y = load_unit_test(split="train", return_type="numpy3D")
    >>> clf = SktimeAugmentedClassifier(
    ...     DummyClassifier(), RecurrentGANAugmenter(n_steps=10, random_state=0))
    >>> clf.fit(X[:15], y[:15]).predict(X[:3]).shape
    (3,)
    """

    _tags = {
        "authors": ["rgan-augment developers"],
        "maintainers": ["rgan-augment developers"],
        "python_dependencies": ["torch"],
        "X_inner_mtype": ["df-list", "numpy3D"],  # unequal-length panels arrive as df-list
        "y_inner_mtype": "numpy1D",
        "capability:multivariate": True,
        "capability:unequal_length": False,
        "capability:missing_values": False,
        "capability:categorical_in_X": False,
        "capability:predict_proba": True,
    }

    def __init__(self, classifier, augmenter=None, memory=None):
        self.classifier = classifier
        self.memory = memory
        self.augmenter = augmenter
        super().__init__()
        # the composite can do what the wrapped classifier can (the augmenter handles
        # multivariate and unequal-length series); missing values are refused
        if hasattr(classifier, "get_tag"):
            tags = {}
            for tag in ("capability:multivariate", "capability:unequal_length"):
                tags[tag] = bool(classifier.get_tag(tag, False, raise_error=False))
            self.set_tags(**tags)
            if not tags["capability:unequal_length"]:
                self.set_tags(**{"X_inner_mtype": "numpy3D"})

    def _check_capabilities(self, X_metadata):
        # sktime only warns when a composite sees data its tags say it cannot handle;
        # unequal lengths that the wrapped classifier cannot take would then die in
        # sktime's conversion to numpy3D with numpy's "all input arrays must have the
        # same shape": say what is wrong instead
        if not X_metadata.get("is_equal_length", True) and \
                not self.get_tag("capability:unequal_length", False, raise_error=False):
            raise ValueError(
                f"The series have unequal lengths, which the wrapped "
                f"{type(self.classifier).__name__} cannot handle (its "
                "'capability:unequal_length' tag is False), so neither can this "
                f"{type(self).__name__}: wrap a classifier that takes unequal lengths, or "
                "bring the series to one length first (e.g. sktime's PaddingTransformer).")
        super()._check_capabilities(X_metadata)

    def _fit(self, X, y):
        augmenter = RecurrentGANAugmenter() if self.augmenter is None else self.augmenter
        fit_resample = check_memory(self.memory).cache(_fit_resample_clone)
        if isinstance(X, list):  # df-list: unequal lengths, one (time x channel) frame each
            columns = X[0].columns
            series = [frame.to_numpy(dtype=float).T for frame in X]
            self.augmenter_, S_res, y_res = fit_resample(sk_clone(augmenter), series, y)
            X_res = X + [pd.DataFrame(s.T, columns=columns) for s in S_res[len(X):]]
        else:
            self.augmenter_, X_res, y_res = fit_resample(sk_clone(augmenter), X, y)
        self.classifier_ = self.classifier.clone()
        self.classifier_.fit(X_res, y_res)
        return self

    def _predict(self, X):
        return self.classifier_.predict(X)

    def _predict_proba(self, X):
        return self.classifier_.predict_proba(X)

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        from sktime.classification.dummy import DummyClassifier
        from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier

        tiny = dict(n_steps=10, hidden_size=8, latent_dim=4, noise_dim=2, batch_size=16,
                    random_state=0)
        return [
            {"classifier": DummyClassifier(), "augmenter": RecurrentGANAugmenter(**tiny)},
            {"classifier": KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="euclidean"),
             "augmenter": RecurrentGANAugmenter(**tiny)},
        ]
