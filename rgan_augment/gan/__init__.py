"""The GAN core: networks and the training loop. Knows tensors, not scikit-learn."""

from .networks import Discriminator, Generator
from .config import GANConfig
from .training import TrainResult, train_gan

__all__ = ["Discriminator", "Generator", "GANConfig", "TrainResult", "train_gan"]
