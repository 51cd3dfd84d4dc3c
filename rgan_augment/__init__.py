"""rgan-augment: oversample rare classes of time series with a conditional recurrent GAN."""

from .augmenter import RecurrentGANAugmenter

__version__ = "0.1.0"

__all__ = ["RecurrentGANAugmenter", "__version__"]
