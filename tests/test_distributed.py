"""Many fits go through joblib's n_jobs, so they run unchanged on a dask cluster."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

import joblib  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from rgan_augment import RecurrentGANAugmenter  # noqa: E402
from rgan_augment.integrations.sklearn import AugmentedClassifier  # noqa: E402

from _toy import sine_vs_sawtooth, tiny  # noqa: E402

TINY = tiny(10, random_state=0)


def test_grid_search_on_a_local_dask_cluster():
    X, y = sine_vs_sawtooth(n_per_class=24, length=16, n_minority=6)
    X = X[:, 0, :]
    grid_params = {"augmenter__hidden_size": [4, 8], "classifier__C": [0.5, 1.0]}
    model = AugmentedClassifier(LogisticRegression(), RecurrentGANAugmenter(**TINY))
    serial = GridSearchCV(model, grid_params, cv=2).fit(X, y)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with joblib.parallel_backend("dask"):
            remote = GridSearchCV(model, grid_params, cv=2, n_jobs=-1).fit(X, y)
        assert len(client.scheduler_info()["workers"]) == 2
    # the same seeds give the same scores, wherever the fits ran
    np.testing.assert_allclose(remote.cv_results_["mean_test_score"],
                               serial.cv_results_["mean_test_score"])


# ------------------------------------------------- sampling in partitions
@pytest.fixture(scope="module")
def sampler():
    X, y = sine_vs_sawtooth(n_per_class=16, length=16, n_channels=2, n_minority=6)
    return RecurrentGANAugmenter(**TINY).fit(X, y)


def test_blocks_make_the_draw_independent_of_the_partitions(sampler, tmp_path):
    """The series depend on (random_state, block_size) alone: any grouping of the blocks
    into partitions, and the lazy dask array, give the same file."""
    from rgan_augment.distributed import draw_block, sample_blocks, sample_dask_array, sample_to_npy

    blocks = sample_blocks(50, block_size=12, random_state=3)
    assert [(b.start, b.stop) for b in blocks] == [(0, 12), (12, 24), (24, 36), (36, 48), (48, 50)]
    draws = [np.load(sample_to_npy(sampler, tmp_path / f"p{k}.npy", 50, "saw", block_size=12,
                                   random_state=3, n_partitions=k)) for k in (1, 2, 5)]
    for other in draws[1:]:
        np.testing.assert_array_equal(other, draws[0])
    lazy = sample_dask_array(sampler, 50, "saw", block_size=12, random_state=3)
    assert lazy.shape == (50, 2, 16) and lazy.numblocks[0] == 5
    np.testing.assert_array_equal(lazy.compute(), draws[0])
    np.testing.assert_array_equal(draw_block(sampler, blocks[2], "saw"), draws[0][24:36])
    assert np.isfinite(draws[0]).all()
    other_seed = sample_dask_array(sampler, 50, "saw", block_size=12, random_state=4).compute()
    assert not np.array_equal(other_seed, draws[0])


def test_labels_per_sample_and_bad_requests(sampler, tmp_path):
    from rgan_augment.distributed import draw_block, sample_blocks, sample_dask_array, sample_to_npy

    labels = np.array(["saw", "sine"] * 10)
    mixed = sample_dask_array(sampler, 20, labels, block_size=7, random_state=0).compute()
    blocks = sample_blocks(20, block_size=7, random_state=0)  # each block gets its own labels
    np.testing.assert_array_equal(mixed, np.concatenate(
        [draw_block(sampler, b, labels[b.start:b.stop]) for b in blocks]))
    np.testing.assert_array_equal(mixed, np.load(sample_to_npy(
        sampler, tmp_path / "mixed.npy", 20, labels, block_size=7, random_state=0, n_partitions=2)))
    with pytest.raises(ValueError, match="one label per sample"):
        sample_dask_array(sampler, 21, labels)
    with pytest.raises(ValueError, match="Unknown label"):
        sample_to_npy(sampler, tmp_path / "x.npy", 5, "cat")
    assert not (tmp_path / "x.npy").exists()  # a failed draw leaves no partial file
    # more than the disk holds is refused before the file or the blocks are made
    with pytest.raises(ValueError, match="GiB free; ask for fewer series"):
        sample_to_npy(sampler, tmp_path / "huge.npy", 10**15, "saw")
    assert not (tmp_path / "huge.npy").exists()
    with pytest.raises(ValueError, match="100,000,000 blocks, more than 100,000"):
        sample_dask_array(sampler, 10**12, "saw")  # planned at once, not block by block


def test_partitions_on_a_local_cluster_of_processes(sampler, tmp_path):
    """1 and 2 worker processes write the same series into one .npy file."""
    from rgan_augment.distributed import sample_to_npy

    written = {}
    for n_workers in (1, 2):
        with distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                      host="127.0.0.1", dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            path = sample_to_npy(sampler, tmp_path / f"w{n_workers}.npy", 60, "sine",
                                 block_size=10, random_state=5, n_partitions=2 * n_workers)
            assert len(client.scheduler_info()["workers"]) == n_workers
            written[n_workers] = np.load(path)
    np.testing.assert_array_equal(written[1], written[2])
    assert written[1].shape == (60, 2, 16) and np.isfinite(written[1]).all()
    local = np.load(sample_to_npy(sampler, tmp_path / "local.npy", 60, "sine", block_size=10,
                                  random_state=5))
    np.testing.assert_allclose(local, written[1], rtol=0, atol=1e-4)  # torch threads differ
