"""A safe-format model file is untrusted input: every damaged or hostile file raises
ModelFileError naming the problem, bounded in time and memory; what loads samples
finite series of the model's shape."""

import copy
import io
import json
import math
import resource
import time
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rgan_augment import RecurrentGANAugmenter
from rgan_augment.persistence import ModelFileError

from _toy import sine_vs_sawtooth, tiny

# the sample filter on: its calibration is part of the schema every test here covers
TINY = tiny(12, random_state=0, filter_samples=True)


# ---------------------------------------------------------------- helpers
def read_archive(path):
    """(document, {member name without .npy: array}) of a model file (trusted here)."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: np.array(data[k]) for k in data.files}
    doc = json.loads(bytes(arrays.pop("document")).decode())
    return doc, arrays


def write_archive(path, doc, arrays, *, compressed=(), raw_members=None):
    """A model file from parts: ``arrays`` by member name, ``compressed`` the names to
    deflate, ``raw_members`` {name: bytes} written as they are."""
    members = dict(arrays)
    members["document"] = np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8)
    with zipfile.ZipFile(path, "w") as zf:
        for name, arr in members.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(arr), allow_pickle=False)
            kind = zipfile.ZIP_DEFLATED if name in compressed else zipfile.ZIP_STORED
            zf.writestr(f"{name}.npy", buf.getvalue(), compress_type=kind)
        for name, blob in (raw_members or {}).items():
            zf.writestr(name, blob)


def _unequal(X):
    return [x[:, : 12 + i % 5] for i, x in enumerate(X)]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Saved models covering every part of the schema: references, the sample filter,
    z-normalisation, per-series scales and roughness widths (a); cycle folding with the
    filter's own scaler (b); an unconditional model of unequal lengths (c); three classes,
    GRU, label conditioning (d)."""
    folder = tmp_path_factory.mktemp("models")
    X, y = sine_vs_sawtooth(n_per_class=12, length=16, n_channels=2, n_minority=5)
    X = (X - X.mean(2, keepdims=True)) / X.std(2, keepdims=True)  # z-normalised channels
    X[:, 1] *= np.geomspace(1e-3, 1e3, len(X))[:, None]  # sizes four decades apart
    a = RecurrentGANAugmenter(**TINY).fit(X, y)
    assert a.znorm_channels_ is not None and a.series_scale_channels_ is not None
    t = np.arange(32)
    phase = np.array([0.0, 1.0, -1.0, 0.5])[t % 4]
    Xc = phase[None, None, :] + 0.05 * np.random.default_rng(1).normal(size=(24, 1, 1)) \
        * np.ones((1, 1, 32))
    b = RecurrentGANAugmenter(**TINY).fit(Xc, np.array([0, 1] * 12))
    assert b.cycles_folded_ and b.filter_scaler_ is not None
    c = RecurrentGANAugmenter(**TINY, match_roughness=False).fit(_unequal(X))
    three = np.array(["x", "y", "z"])[np.arange(len(X)) % 3]  # a ridge of one row per class
    d = RecurrentGANAugmenter(**TINY, cell="gru", conditioning="label").fit(X, three)
    paths = {}
    for name, aug in (("a", a), ("b", b), ("c", c), ("d", d)):
        paths[name] = folder / f"{name}.npz"
        aug.save(paths[name])
    return paths


def _load_and_sample(path):
    """Load ``path``; if it loads, draw from every class and check the draws."""
    aug = RecurrentGANAugmenter.load(path)
    classes = [None] if aug.classes_ is None else aug.classes_.tolist()
    for label in classes:
        out = aug.sample(5, label, random_state=0)
        series = list(out) if isinstance(out, list) else list(np.asarray(out).reshape(
            5, aug.n_channels_, -1))
        for s in series:
            s = np.asarray(s).reshape(aug.n_channels_, -1)
            assert np.isfinite(s).all()
            assert 1 <= s.shape[1] <= aug.n_timepoints_
    return aug


def _outcome(path, seconds=20.0, megabytes=600):
    """'ok' or 'refused'; fails the test on any other exception, or beyond the caps."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    try:
        _load_and_sample(path)
        result = "ok"
    except ModelFileError as exc:
        assert str(exc), "an error must say what is wrong"
        result = "refused"
    elapsed = time.perf_counter() - t0
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert grown < megabytes, f"peak memory grew by {grown:.0f} MiB"
    return result


def _refused(path, match=None):
    with pytest.raises(ModelFileError, match=match):
        RecurrentGANAugmenter.load(path)


# ------------------------------------------------------- the attacks found
def test_every_saved_model_loads_and_samples(models):
    for path in models.values():
        assert _outcome(path) == "ok"


def test_a_fortran_ordered_member_reads_as_the_same_array(models, tmp_path):
    """np.save writes an F-contiguous array (a transposed ridge matrix) in Fortran order;
    the reader takes either order."""
    doc, arrays = read_archive(models["d"])
    coef = arrays["data::filter_coef"]
    arrays["data::filter_coef"] = np.asfortranarray(coef)
    path = tmp_path / "fortran.npz"
    write_archive(path, doc, arrays)
    loaded = RecurrentGANAugmenter.load(path)
    np.testing.assert_array_equal(loaded.class_filter_.coef.numpy(), coef)
    np.testing.assert_array_equal(loaded.sample(4, "z", random_state=1),
                                  RecurrentGANAugmenter.load(models["d"]).sample(4, "z", random_state=1))


def test_an_extra_deflated_member_is_refused_without_expanding_it(models, tmp_path):
    doc, arrays = read_archive(models["a"])
    arrays["data::bomb"] = np.zeros(2**27, dtype=np.uint8)  # 128 MiB of zeros, ~130 KB deflated
    path = tmp_path / "bomb.npz"
    write_archive(path, doc, arrays, compressed={"data::bomb"})
    assert path.stat().st_size < 2**20
    assert _outcome(path, seconds=2, megabytes=50) == "refused"
    _refused(path, "compressed")


def test_a_compressed_expected_member_is_refused(models, tmp_path):
    doc, arrays = read_archive(models["a"])
    path = tmp_path / "deflated.npz"
    write_archive(path, doc, arrays, compressed={"data::references"})
    _refused(path, "compressed")


@pytest.mark.parametrize("field, value", [
    ("hidden_size", 6000), ("hidden_size", 4000), ("num_layers", 100_000), ("num_layers", 16),
    ("n_timepoints", 10**12), ("chunk", 0), ("latent_dim", -1), ("cell", "rnn"),
    ("n_channels", 2.5), ("ema", 1.0), ("lr_g", float("nan"))])
def test_a_configuration_beyond_the_weights_is_refused_before_building(models, tmp_path,
                                                                       field, value):
    doc, arrays = read_archive(models["a"])
    doc["config"][field] = value
    path = tmp_path / "config.npz"
    write_archive(path, doc, arrays)
    assert _outcome(path, seconds=3, megabytes=50) == "refused"


def test_an_npy_header_claiming_a_huge_array_is_refused(models, tmp_path):
    doc, arrays = read_archive(models["a"])
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f4", "fortran_order": False,
                                               "shape": (10**12,)})
    path = tmp_path / "header.npz"
    del arrays["data::references"]
    write_archive(path, doc, arrays, raw_members={"data::references.npy": buf.getvalue()})
    assert _outcome(path, seconds=2, megabytes=50) == "refused"
    _refused(path, "references")


@pytest.mark.parametrize("value", [1e6, 1e300, float("inf")])
def test_huge_smoothing_widths_are_refused(models, tmp_path, value):
    doc, arrays = read_archive(models["a"])
    widths = doc["calibrations"]["smoothing_sigma"]
    doc["calibrations"]["smoothing_sigma"] = [[value] * len(row) for row in widths]
    path = tmp_path / "widths.npz"
    write_archive(path, doc, arrays)
    _refused(path, "smoothing_sigma")


@pytest.mark.parametrize("where", ["scaler", "weight", "references", "filter", "series_scales"])
def test_nan_anywhere_is_refused(models, tmp_path, where):
    doc, arrays = read_archive(models["a"])
    if where == "scaler":
        doc["scaler"]["mean_"][0] = float("nan")
    else:
        name = {"weight": "weight::head.weight", "references": "data::references",
                "filter": "data::filter_coef", "series_scales": "data::series_scales_0"}[where]
        arrays[name] = arrays[name].copy()
        arrays[name].flat[0] = np.nan
    path = tmp_path / "nan.npz"
    write_archive(path, doc, arrays)
    _refused(path)


def test_the_clip_range_is_derived_not_read(models, tmp_path):
    """The clip range is what the scaler implies: a file cannot widen it, or NaN it."""
    doc, arrays = read_archive(models["a"])
    assert "clip_" not in doc["fitted"]
    doc["fitted"]["clip_"] = [[float("nan")] * 2, [1e30] * 2]
    path = tmp_path / "clip.npz"
    write_archive(path, doc, arrays)
    _refused(path, "unknown entries clip_")


@pytest.mark.parametrize("lengths", [[0], [-3], [10**6], [5.5], []])
def test_bad_stored_lengths_are_refused(models, tmp_path, lengths):
    doc, arrays = read_archive(models["a"])
    doc["lengths_by_class"][0] = lengths + doc["lengths_by_class"][0][1:]
    if not lengths:
        doc["lengths_by_class"][0] = []
    path = tmp_path / "lengths.npz"
    write_archive(path, doc, arrays)
    _refused(path, "lengths_by_class")


@pytest.mark.parametrize("dtype", ["|i1", "|b1", "<U5", "|O", "('<f8', (1000, 1000))", "<c16",
                                   "<V8", "<f4"])
def test_the_output_dtype_is_a_float_type(models, tmp_path, dtype):
    doc, arrays = read_archive(models["a"])
    doc["layout"]["dtype"] = dtype
    path = tmp_path / "dtype.npz"
    write_archive(path, doc, arrays)
    if dtype == "<f4":
        assert _load_and_sample(path).sample(2, "saw").dtype == np.float32
    else:
        _refused(path, "layout.dtype")


@pytest.mark.parametrize("entry, value", [
    ("class_filter_", None), ("sample", "x"), ("_generate", 1), ("references_", None),
    ("__class__", "dict")])
def test_fitted_entries_are_a_closed_list(models, tmp_path, entry, value):
    """A file cannot switch off the sample filter or shadow a method through ``fitted``."""
    doc, arrays = read_archive(models["a"])
    doc["fitted"][entry] = value
    path = tmp_path / "fitted.npz"
    write_archive(path, doc, arrays)
    _refused(path, "unknown entries")


def test_the_filter_cannot_be_dropped_while_filter_samples_is_set(models, tmp_path):
    doc, arrays = read_archive(models["a"])
    doc["calibrations"]["class_filter"] = None
    arrays = {k: v for k, v in arrays.items() if not k.startswith("data::filter_")}
    path = tmp_path / "nofilter.npz"
    write_archive(path, doc, arrays)
    _refused(path, "class_filter")


# (section, key) pairs a file written before each later feature lacks, and what it reads as
OLDER_FILES = {
    "spread matching": ([("params", "match_spread"), ("calibrations", "noise_scale")],
                        lambda aug: aug.match_spread is False and aug.noise_scale_ is None),
    "discriminator augmentation": ([("params", "augment_discriminator"), ("config", "augment")],
                                   lambda aug: aug.augment_discriminator == 0.0
                                   and aug.config_.augment == 0.0),
}


@pytest.mark.parametrize("feature", sorted(OLDER_FILES))
def test_a_file_from_before_a_later_feature_loads_without_it(models, tmp_path, feature):
    missing, reads_as_before = OLDER_FILES[feature]
    doc, arrays = read_archive(models["a"])
    for section, key in missing:
        del doc[section][key]
    path = tmp_path / "older.npz"
    write_archive(path, doc, arrays)
    assert reads_as_before(_load_and_sample(path))


@pytest.mark.parametrize("value", [-0.1, 1.5, "half", None])
def test_the_augmentation_probability_is_checked(models, tmp_path, value):
    doc, arrays = read_archive(models["a"])
    doc["config"]["augment"] = value
    path = tmp_path / "augment.npz"
    write_archive(path, doc, arrays)
    _refused(path, "augment")


@pytest.mark.parametrize("scales, match_spread, outcome", [
    ([1.5, 1.0], True, "ok"), ([5.0, 1.0], True, "refused"), ([0.0, 1.0], True, "refused"),
    ([1.0], True, "refused"), ([1.5, 1.0], False, "refused"), (None, True, "refused")])
def test_noise_scales_are_checked(models, tmp_path, scales, match_spread, outcome):
    doc, arrays = read_archive(models["a"])
    doc["params"]["match_spread"] = match_spread
    doc["calibrations"]["noise_scale"] = scales
    path = tmp_path / "scales.npz"
    write_archive(path, doc, arrays)
    assert _outcome(path) == outcome
    if outcome == "refused":
        _refused(path, "noise_scale")


def test_unknown_and_missing_members_are_refused(models, tmp_path):
    doc, arrays = read_archive(models["a"])
    path = tmp_path / "members.npz"
    write_archive(path, doc, {**arrays, "data::extra": np.zeros(3)})
    _refused(path, "unexpected member")
    write_archive(path, doc, {k: v for k, v in arrays.items() if k != "data::reference_codes"})
    _refused(path, "missing")
    write_archive(path, doc, arrays, raw_members={"notes.txt": b"hello"})
    _refused(path, "unknown member")


def test_a_deeply_nested_document_is_refused(models, tmp_path):
    _, arrays = read_archive(models["a"])
    path = tmp_path / "deep.npz"
    members = dict(arrays)
    with zipfile.ZipFile(path, "w") as zf:
        for name, arr in members.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, arr)
            zf.writestr(f"{name}.npy", buf.getvalue())
        buf = io.BytesIO()
        np.lib.format.write_array(buf, np.frombuffer(b"[" * 100_000 + b"]" * 100_000,
                                                     dtype=np.uint8))
        zf.writestr("document.npy", buf.getvalue())
    _refused(path, "not JSON")


def test_a_file_of_the_first_format_asks_for_a_refit(models, tmp_path):
    doc, arrays = read_archive(models["a"])
    doc["format"] = "rgan-augment/1"
    path = tmp_path / "v1.npz"
    write_archive(path, doc, arrays)
    _refused(path, "refit")


@pytest.mark.parametrize("damage", ["empty", "folder", "truncated", "text"])
def test_unreadable_files(models, tmp_path, damage):
    path = tmp_path / "m.npz"
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "folder":
        path.mkdir()
    elif damage == "truncated":
        blob = models["a"].read_bytes()
        path.write_bytes(blob[: len(blob) - 300])
    else:
        path.write_text("hello")
    _refused(path)


# ------------------------------------------------------ mutate everything
_EVIL = [None, True, False, 0, -1, 1, 3, 2**31, 2**63, -(2**63), 0.5, -0.0, 1e308, -1e308,
         float("nan"), float("inf"), "", "x", "auto", "float32", [], [0], [[0]], {}, {"a": 1}]


def _paths(obj, prefix=()):
    """Every place in a JSON document: dict keys and list items, depth first."""
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list) and len(obj) <= 8:
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))
    elif isinstance(obj, list):  # long lists (lengths, rng keys, history): ends and middle
        for i in (0, len(obj) // 2, len(obj) - 1):
            yield from _paths(obj[i], prefix + (i,))


def _mutated(doc, path, how, value):
    doc = copy.deepcopy(doc)
    if not path:
        return value
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if how == "delete":
        del parent[key]
    elif how == "double" and isinstance(parent[key], (list, str)):
        parent[key] = parent[key] * 2
    elif how == "scale" and isinstance(parent[key], (int, float)) and not isinstance(
            parent[key], bool) and isinstance(value, (int, float)):
        parent[key] = parent[key] * value if math.isfinite(value) else value
    else:
        parent[key] = value
    return doc


_DOCS = {}


def _base(models, name):
    if name not in _DOCS:
        _DOCS[name] = read_archive(models[name])
    return _DOCS[name]


def _mutations(n):
    """Hypothesis settings for ``n`` mutants, the same ones on every run (CI included)."""
    return settings(max_examples=n, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@_mutations(300)
@given(data=st.data())
def test_any_mutation_of_the_document_loads_sanely_or_is_refused(models, tmp_path, data):
    name = data.draw(st.sampled_from(sorted(models)))
    doc, arrays = _base(models, name)
    places = list(_paths(doc))
    place = data.draw(st.sampled_from(places))
    how = data.draw(st.sampled_from(["set", "delete", "double", "scale"]))
    value = data.draw(st.sampled_from(_EVIL + [-1.0, 1e-9, 10.0, 1e9]))
    if how == "delete" and not place:
        how = "set"
    path = tmp_path / "mutant.npz"
    write_archive(path, _mutated(doc, place, how, value), arrays)
    _outcome(path)


@_mutations(200)
@given(data=st.data())
def test_any_mutation_of_a_member_loads_sanely_or_is_refused(models, tmp_path, data):
    name = data.draw(st.sampled_from(sorted(models)))
    doc, arrays = _base(models, name)
    member = data.draw(st.sampled_from(sorted(arrays)))
    how = data.draw(st.sampled_from(["drop", "float64", "int32", "row", "flat", "value",
                                     "transpose", "empty", "truncate", "rename", "deflate"]))
    arrays = dict(arrays)
    arr = arrays[member]
    raw, compressed = None, ()
    if how == "drop":
        del arrays[member]
    elif how == "float64":
        arrays[member] = arr.astype(np.float64)
    elif how == "int32":
        arrays[member] = arr.astype(np.int32)
    elif how == "row":
        arrays[member] = np.concatenate([arr, arr[:1]]) if arr.ndim and len(arr) else arr
    elif how == "flat":
        arrays[member] = arr.reshape(-1)
    elif how == "value":
        arr = arr.copy()
        if arr.size:
            arr.flat[data.draw(st.integers(0, arr.size - 1))] = data.draw(st.sampled_from(
                [0, -1, 1, 10**6, -(10**6)] + ([np.nan, np.inf, 1e30, -1e30, 1e-30]
                                              if arr.dtype.kind == "f" else [2**40])))
        arrays[member] = arr
    elif how == "transpose":
        arrays[member] = np.ascontiguousarray(arr.T)
    elif how == "empty":
        arrays[member] = arr[:0]
    elif how == "truncate":
        buf = io.BytesIO()
        np.lib.format.write_array(buf, arr)
        del arrays[member]
        raw = {f"{member}.npy": buf.getvalue()[: max(10, len(buf.getvalue()) // 2)]}
    elif how == "rename":
        arrays[member + "_x"] = arrays.pop(member)
    else:
        compressed = {member}
    path = tmp_path / "mutant.npz"
    write_archive(path, doc, arrays, compressed=compressed, raw_members=raw)
    _outcome(path)
