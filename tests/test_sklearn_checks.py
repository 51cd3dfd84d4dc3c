"""scikit-learn's own estimator checks on RecurrentGANAugmenter (2D input = univariate)."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from rgan_augment import RecurrentGANAugmenter

# Expected failures, each with its reason (none needed at present).
EXPECTED_FAILED = {}


@parametrize_with_checks(
    [RecurrentGANAugmenter(n_steps=10, hidden_size=8, latent_dim=4, noise_dim=2, batch_size=16,
                           random_state=0)],
    expected_failed_checks=lambda est: EXPECTED_FAILED,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
