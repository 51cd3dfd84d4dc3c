"""rgan-augment: oversample rare classes of time series with a conditional recurrent GAN."""

__version__ = "0.1.0"

__all__ = ["RecurrentGANAugmenter", "resolve_sampling_strategy", "__version__"]


def __getattr__(name):
    # imported lazily, so that `rgan-augment --help` and `info` start without torch
    if name == "RecurrentGANAugmenter":
        from .augmenter import RecurrentGANAugmenter

        return RecurrentGANAugmenter
    if name == "resolve_sampling_strategy":  # {class: series to generate}, as imbalanced-learn
        from ._strategy import resolve_sampling_strategy

        return resolve_sampling_strategy
    raise AttributeError(f"module 'rgan_augment' has no attribute {name!r}")
