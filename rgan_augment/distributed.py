"""Drawing many series in parallel partitions (a dask cluster, or any executor),
reproducibly.

The draw is cut into fixed *blocks* of ``block_size`` series. Block ``i`` draws from its
own random stream, ``numpy.random.SeedSequence(random_state, spawn_key=(i,))`` (the
stream ``SeedSequence(random_state).spawn(...)`` gives its ``i``-th child), so a block's
series depend only on ``(random_state, block_size, i)``: the result is the same however
the blocks are grouped into partitions, whichever worker draws them and in which order.
A partition draws its blocks one at a time, so a worker holds one block in memory
whatever ``n_samples`` is.

* :func:`sample_blocks` plans the blocks; :func:`draw_block` draws one (what a worker runs);
* :func:`sample_dask_array` gives the draw as a lazy ``dask.array`` (one chunk per block);
* :func:`sample_to_npy` writes it into one ``.npy`` file, each partition filling its own
  rows of a memory-mapped file on a shared file system.

Only models of equal-length series (one array) are drawn this way. The fitted augmenter
travels to the workers as a pickle (its generator as ``state_dict`` bytes, see
:mod:`rgan_augment.persistence`); on a cluster, ``client.scatter(augmenter,
broadcast=True)`` sends it once. Bit-for-bit equality across machines needs the same
torch build and thread count on each worker (float32 reductions depend on both).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from ._data import check_disk_space, check_n_samples

__all__ = ["Block", "sample_blocks", "draw_block", "sample_dask_array", "sample_to_npy"]


@dataclass(frozen=True)
class Block:
    """Rows ``start:stop`` of the draw and the seed of their stream."""

    index: int
    start: int
    stop: int
    seed: np.random.SeedSequence

    @property
    def size(self):
        return self.stop - self.start


#: at most this many blocks in one draw: each is a task of the dask graph, and planning
#: them costs ~10 us each (a typo of 10**12 series would plan 10**8 blocks for minutes)
MAX_BLOCKS = 100_000


def sample_blocks(n_samples, *, block_size=10_000, random_state=0):
    """The blocks of a draw of ``n_samples`` series, in order (at most ``MAX_BLOCKS``)."""
    n_samples = check_n_samples(n_samples)
    block_size = check_n_samples(block_size, "block_size")
    n_blocks = -(-n_samples // block_size)
    if n_blocks > MAX_BLOCKS:
        raise ValueError(f"{n_samples:,} series in blocks of {block_size:,} make {n_blocks:,} "
                         f"blocks, more than {MAX_BLOCKS:,} (one dask task each): raise "
                         "block_size, or ask for fewer series.")
    if isinstance(random_state, bool) or not isinstance(random_state, Integral) or random_state < 0:
        raise ValueError("random_state must be a non-negative integer (the root of every "
                         f"block's seed); got {random_state!r}.")
    return [Block(i, start, min(start + block_size, n_samples),
                  np.random.SeedSequence(int(random_state), spawn_key=(i,)))
            for i, start in enumerate(range(0, n_samples, block_size))]


def _labels_of(y, block):
    """The labels of a block's rows: y itself for one label (or None), else its slice."""
    if y is None or np.ndim(y) == 0:
        return y
    return np.asarray(y)[block.start:block.stop]


def draw_block(augmenter, block, y=None):
    """The series of one block: ``augmenter.sample`` on the block's own stream; ``y`` is
    one label (or None) or the block's own ``block.size`` labels."""
    rng = np.random.RandomState(np.random.MT19937(block.seed))
    return np.asarray(augmenter.sample(block.size, y, random_state=rng))


def _check(augmenter, n_samples, y):
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(augmenter, "generator_")
    if augmenter.layout_.kind in ("list", "list1d"):
        raise ValueError("this augmenter draws series of unequal lengths (a list); sample "
                         "them with sample_batches, one batch at a time.")
    if y is not None and np.ndim(y) == 1 and len(y) != n_samples:
        raise ValueError(f"y must be one label or one label per sample ({n_samples}); got "
                         f"{len(y)} labels.")
    if y is not None and np.ndim(y) > 1:
        raise ValueError(f"y must be one label or a 1D array of labels; got shape {np.shape(y)}.")


def _row_shape(augmenter):
    if augmenter.layout_.kind == "2d":
        return (augmenter.n_timepoints_,)
    return (augmenter.n_channels_, augmenter.n_timepoints_)


def sample_dask_array(augmenter, n_samples, y=None, *, block_size=10_000, random_state=0):
    """The draw as a lazy ``dask.array`` of shape ``(n_samples, *row)``: one chunk per
    block, computed where dask schedules it (a ``distributed.Client`` when one is
    active). ``row`` is ``(n_channels, n_timepoints)``, or ``(n_timepoints,)`` for a
    model fitted on a 2D array; the dtype is the training data's."""
    import dask
    import dask.array as da

    _check(augmenter, n_samples, y)
    row, dtype = _row_shape(augmenter), augmenter.layout_.dtype
    model = dask.delayed(augmenter, pure=True, traverse=False)  # sent once, not per block
    chunks = [da.from_delayed(dask.delayed(draw_block, pure=True)(model, b, _labels_of(y, b)),
                              shape=(b.size, *row), dtype=dtype)
              for b in sample_blocks(n_samples, block_size=block_size, random_state=random_state)]
    return da.concatenate(chunks, axis=0)


def _fill_rows(augmenter, path, blocks, labels):
    """A partition's task: draw ``blocks`` one by one (with their ``labels``) into their
    rows of the .npy file."""
    out = np.lib.format.open_memmap(path, mode="r+")
    for block, y in zip(blocks, labels):
        out[block.start:block.stop] = draw_block(augmenter, block, y)
    out.flush()
    del out
    return sum(b.size for b in blocks)


def sample_to_npy(augmenter, path, n_samples, y=None, *, block_size=10_000, random_state=0,
                  n_partitions=None):
    """Draw ``n_samples`` series into the ``.npy`` file ``path``, partition by partition
    through ``dask.compute`` (a ``distributed.Client`` when one is active; the file must
    then lie on a file system every worker sees). ``n_partitions`` (default: one per
    block) groups consecutive blocks; it changes the scheduling, never the series.

    The header is written first and each partition fills its own rows of the memory-
    mapped file; the file is complete when this returns (on an error, the partial file
    is removed). Returns ``path``."""
    import dask

    _check(augmenter, n_samples, y)
    check_disk_space(path, check_n_samples(n_samples), augmenter.n_channels_,
                     augmenter.n_timepoints_, augmenter.layout_.dtype,
                     "ask for fewer series (n_samples).")
    blocks = sample_blocks(n_samples, block_size=block_size, random_state=random_state)
    n_partitions = len(blocks) if n_partitions is None else check_n_samples(
        n_partitions, "n_partitions")
    groups = [g.tolist() for g in np.array_split(np.arange(len(blocks)), min(n_partitions,
                                                                             len(blocks)))]
    path = os.fspath(path)
    out = np.lib.format.open_memmap(path, mode="w+", dtype=augmenter.layout_.dtype,
                                    shape=(n_samples, *_row_shape(augmenter)))
    del out  # the header and the file's full size are on disk; the workers fill the rows
    model = dask.delayed(augmenter, pure=True, traverse=False)
    tasks = [dask.delayed(_fill_rows, pure=True)(
        model, path, [blocks[i] for i in g], [_labels_of(y, blocks[i]) for i in g])
        for g in groups]
    try:
        written = sum(dask.compute(*tasks))
        if written != n_samples:
            raise RuntimeError(f"the partitions wrote {written} of {n_samples} rows")
    except BaseException:
        os.remove(path)
        raise
    return path
