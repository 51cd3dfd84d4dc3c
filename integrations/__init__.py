"""Adapters of RecurrentGANAugmenter to other frameworks.

Installed as ``rgan_augment.integrations``; each module imports its framework only
when it is imported itself, so the core stays free of sktime and imbalanced-learn.
"""
