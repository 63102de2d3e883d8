"""Tests of the dedup keys stage and of near-duplicate resolution (pure logic and the Beam transform)."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import numpy as np
import pytest

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from pipeline.config import load_config
from transforms.dedup import (DedupKeys, ResolveDuplicates, apply_mapping, band_keys, bucket_keys,
                              estimate_jaccard, hamming, is_duplicate, make_node, normalize,
                              resolve_clusters, shingle_hashes, verified_pairs)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_VOCAB = ("harbour council budget storm ferry market teacher village bridge winter farmer police "
          "election museum station train river minister festival hospital nurse road bakery tower "
          "garden orchestra library factory strike vote tax school flood fire mayor court judge "
          "island mountain forest lake airport coast port ship cargo price wheat coffee energy "
          "solar wind battery engine worker union contract league match goal coach player season").split()


def words(seed: int, n: int = 300) -> list:
    rnd = random.Random(seed)
    return [rnd.choice(_VOCAB) + str(rnd.randrange(40)) for _ in range(n)]


def true_jaccard(a: str, b: str, k: int) -> float:
    def sh(t):
        w = normalize(t).split()
        return {tuple(w[i:i + k]) for i in range(len(w) - k + 1)} if len(w) >= k else {tuple(w)}
    sa, sb = sh(a), sh(b)
    return len(sa & sb) / len(sa | sb)


@pytest.fixture(scope="module")
def cfg():
    return load_config()


@pytest.fixture(scope="module")
def stage(cfg):
    return DedupKeys(cfg)


def keys(stage, text, rid="r"):
    return stage({"id": rid, "source": rid, "text": text})


# ------------------------------------------------------------------------------------------------ keys


def test_record_shape(stage, cfg):
    rec = keys(stage, " ".join(words(1)), "doc-1")
    d = rec["dedup"]
    assert set(d) == {"exact", "simhash", "minhash_bands", "cluster", "duplicate_of", "similarity"}
    assert len(d["exact"]) == 40 and int(d["exact"], 16) >= 0
    assert len(d["simhash"]) == 16 and int(d["simhash"], 16) >= 0
    assert len(d["minhash_bands"]) == cfg["dedup"]["bands"]
    assert all(k.startswith(f"{i}:") and len(k.split(":")[1]) == 16 for i, k in enumerate(d["minhash_bands"]))
    assert d["cluster"] == "doc-1" and d["duplicate_of"] is None and d["similarity"] is None
    assert isinstance(rec["_minhash"], bytes) and len(rec["_minhash"]) == 4 * cfg["dedup"]["num_perm"]
    json.dumps(d)


def test_identical_and_variant_texts_same_exact(stage):
    base = "The Mayor said: the new bridge will open in May, not in June!"
    variants = [base, "  the mayor SAID the new bridge will open in may not in june  ",
                "The\u00a0Mayor said:\n\nthe new bridge will open in May,\tnot in June!",
                "The Ｍayor said — the new brid\u00adge will open in May... not in June?"]
    digests = {keys(stage, v)["dedup"]["exact"] for v in variants}
    assert len(digests) == 1
    assert keys(stage, base + " Later.")["dedup"]["exact"] not in digests


def test_normalize():
    assert normalize("Hello,World!  Foo\u200b-bar") == "hello world foo bar"
    assert normalize("") == "" and normalize(None) == ""
    assert normalize("ÉCOLE ﬁne") == "école fine"


def _normalize_reference(text):
    # the definition, character by character (normalize() is vectorized over code points)
    import unicodedata
    t = unicodedata.normalize("NFKC", text).lower()
    out = []
    for ch in t:
        cat = unicodedata.category(ch)
        if ch.isspace() or cat[0] == "P":
            out.append(" ")
        elif cat != "Cf":
            out.append(ch)
    return " ".join("".join(out).split())


def test_normalize_matches_reference():
    rnd = random.Random(3)
    pool = [chr(c) for c in range(0x20, 0x3000)] + ["\U0001F600", "\U00010400", "\u00ad", "\u200b", " ", "\n"]
    for _ in range(400):
        s = "".join(rnd.choice(pool) for _ in range(rnd.randrange(0, 40)))
        assert normalize(s) == _normalize_reference(s), repr(s)
    for cp in range(0, 0x10000, 97):
        s = "a" + chr(cp) + "b"
        if not 0xD800 <= cp < 0xE000:
            assert normalize(s) == _normalize_reference(s), hex(cp)


def test_simhash_matches_bit_majority():
    from transforms.dedup import simhash
    rng = np.random.default_rng(8)
    for n in (1, 2, 3, 10, 301):
        h = rng.integers(0, 2 ** 63, size=n, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        want = sum(1 << i for i in range(64) if 2 * sum((int(x) >> i) & 1 for x in h) > n)
        assert simhash(h) == want


def test_empty_text_fixed_signature(stage):
    a, b = keys(stage, ""), keys(stage, "!!! ...")
    assert a["dedup"]["minhash_bands"] == [] and b["dedup"]["minhash_bands"] == []
    assert a["_minhash"] == b["_minhash"]
    assert bucket_keys(a) == []


def test_short_text_one_shingle(stage):
    a = keys(stage, "two words")
    assert len(a["dedup"]["minhash_bands"]) > 0
    assert len(shingle_hashes("two words", 5)) == 1
    assert keys(stage, "Two, words.")["_minhash"] == a["_minhash"]
    assert keys(stage, "two other words")["_minhash"] != a["_minhash"]


def test_shingle_hashes_match_content():
    # equal shingles hash equal wherever they occur; different ones differ
    h = shingle_hashes("a b c a b c", 3)
    assert len(h) == 4 and h[0] == h[3] and len(set(h.tolist())) == 3


def _near_dup(seed, change_at):
    w = words(seed)
    a = " ".join(w)
    w2 = list(w)
    for pos in change_at:
        w2[pos] = "changed" + str(pos)
    return a, " ".join(w2)


@pytest.mark.parametrize("seed,changes", [(10, [150]), (11, [7]), (12, [40, 200]), (13, [100, 101, 250])])
def test_near_duplicates_share_band_and_estimate(stage, cfg, seed, changes):
    a, b = _near_dup(seed, changes)
    ka, kb = keys(stage, a, "a"), keys(stage, b, "b")
    assert set(ka["dedup"]["minhash_bands"]) & set(kb["dedup"]["minhash_bands"])
    est = estimate_jaccard(ka["_minhash"], kb["_minhash"])
    assert abs(est - true_jaccard(a, b, cfg["dedup"]["shingle_size"])) < 0.1
    assert hamming(ka["dedup"]["simhash"], kb["dedup"]["simhash"]) <= 10


@pytest.mark.parametrize("seed", [20, 21, 22])
def test_partial_overlap_estimate(stage, cfg, seed):
    # half-shared texts: estimate tracks the true Jaccard away from 0 and 1 too
    w1, w2 = words(seed), words(seed + 100)
    a = " ".join(w1)
    b = " ".join(w1[:200] + w2[:100])
    est = estimate_jaccard(keys(stage, a)["_minhash"], keys(stage, b)["_minhash"])
    assert abs(est - true_jaccard(a, b, cfg["dedup"]["shingle_size"])) < 0.1


def test_unrelated_texts_share_no_band(stage):
    recs = [keys(stage, " ".join(words(s)), str(s)) for s in range(30, 40)]
    for i in range(len(recs)):
        for j in range(i + 1, len(recs)):
            assert not set(recs[i]["dedup"]["minhash_bands"]) & set(recs[j]["dedup"]["minhash_bands"])
            assert estimate_jaccard(recs[i]["_minhash"], recs[j]["_minhash"]) < 0.1
            assert hamming(recs[i]["dedup"]["simhash"], recs[j]["dedup"]["simhash"]) >= 16


def test_keys_stable_across_processes(stage):
    text = " ".join(words(5))
    here = keys(stage, text)
    code = ("import sys, json; sys.path.insert(0, sys.argv[1]);"
            "from pipeline.config import load_config; from transforms.dedup import DedupKeys;"
            "r = DedupKeys(load_config())({'id': 'r', 'text': sys.stdin.read()});"
            "print(json.dumps([r['dedup'], r['_minhash'].hex()]))")
    env = dict(os.environ, PYTHONHASHSEED="777")
    out = subprocess.run([sys.executable, "-c", code, ROOT], input=text, capture_output=True, text=True,
                         env=env, timeout=120, check=True)
    d, mh = json.loads(out.stdout.strip().splitlines()[-1])
    assert d == here["dedup"] and mh == here["_minhash"].hex()


def test_band_keys_from_signature():
    sig = np.arange(16, dtype=np.uint32)
    k1 = band_keys(sig, 4, 4)
    sig2 = sig.copy()
    sig2[5] = 99
    k2 = band_keys(sig2, 4, 4)
    assert [a == b for a, b in zip(k1, k2)] == [True, False, True, True]


def test_estimate_jaccard():
    a = np.array([1, 2, 3, 4], dtype=np.uint32)
    b = np.array([1, 2, 0, 0], dtype=np.uint32)
    assert estimate_jaccard(a, b) == 0.5
    assert estimate_jaccard(a.tobytes(), a.tobytes()) == 1.0


# ---------------------------------------------------------------------------------- resolution (pure)


def node(source, rid=None, published="", length=100, exact="", sig=None):
    sig = np.zeros(8, dtype=np.uint32) if sig is None else np.asarray(sig, dtype=np.uint32)
    return (source, rid if rid is not None else source, published, length, exact or "e-" + source,
            sig.astype("<u4").tobytes())


def test_verified_pairs_threshold():
    s = np.arange(10, dtype=np.uint32)
    near = s.copy()
    near[0] = 100                                     # 0.9 similar
    far = s.copy()
    far[:5] = 200                                     # 0.5 similar
    nodes = [node("c", sig=far), node("a", sig=s), node("b", sig=near)]
    assert verified_pairs(nodes, 0.8) == [("a", "b")]
    assert verified_pairs(list(reversed(nodes)), 0.8) == [("a", "b")]
    assert sorted(verified_pairs(nodes, 0.5)) == [("a", "b"), ("a", "c")]
    # equal exact digests count as 1.0 even with different signatures
    ex = [node("x", exact="same", sig=s), node("y", exact="same", sig=far)]
    assert verified_pairs(ex, 0.99) == [("x", "y")]


def test_resolve_rule_earliest_published():
    nodes = [node("s1", "id1", "2024-03-02", 500), node("s2", "id2", "2024-03-01", 10),
             node("s3", "id3", "", 9000)]
    mapping, stats = resolve_clusters([("s1", "s2"), ("s3", "s2")], nodes)
    assert mapping["s2"] == ("id2", None, None)
    assert mapping["s1"][:2] == ("id2", "id2") and mapping["s3"][:2] == ("id2", "id2")
    assert stats == {"clusters": 1, "duplicates": 2, "merged": {}}


def test_resolve_rule_missing_dates_last():
    nodes = [node("s1", "id1", "", 9000), node("s2", "id2", "2030-01-01", 10)]
    mapping, _ = resolve_clusters([("s1", "s2")], nodes)
    assert mapping["s2"] == ("id2", None, None) and mapping["s1"][1] == "id2"


def test_resolve_rule_longest_text():
    nodes = [node("s1", "id1", "2024-01-01", 100), node("s2", "id2", "2024-01-01", 300),
             node("s3", "id3", "2024-01-01", 200)]
    mapping, _ = resolve_clusters([("s1", "s2"), ("s2", "s3")], nodes)
    assert mapping["s2"] == ("id2", None, None)
    assert mapping["s1"][1] == mapping["s3"][1] == "id2"


def test_resolve_rule_smallest_id_then_source():
    nodes = [node("s1", "b", "", 100), node("s2", "a", "", 100)]
    mapping, _ = resolve_clusters([("s1", "s2")], nodes)
    assert mapping["s2"] == ("a", None, None) and mapping["s1"][1] == "a"
    nodes = [node("z", "same", "", 100), node("y", "same", "", 100)]
    mapping, _ = resolve_clusters([("z", "y")], nodes)
    assert mapping["y"] == ("same", None, None) and mapping["z"][1] == "same"


def test_resolve_similarity_to_representative():
    s = np.arange(10, dtype=np.uint32)
    m = s.copy()
    m[:2] = 77
    nodes = [node("rep", published="2020-01-01", sig=s), node("mem", published="2021-01-01", sig=m),
             node("ex", published="2022-01-01", exact="e-rep", sig=m)]
    mapping, _ = resolve_clusters([("mem", "rep"), ("ex", "rep")], nodes)
    assert mapping["mem"] == ("rep", "rep", 0.8)
    assert mapping["ex"] == ("rep", "rep", 1.0)


def test_resolve_independent_of_order():
    rnd = random.Random(4)
    nodes = [node(f"s{i:02d}", f"id{i % 7}", rnd.choice(["", "2024-01-01", "2024-01-02"]), rnd.randrange(50),
                  sig=[rnd.randrange(3) for _ in range(8)]) for i in range(40)]
    edges = [tuple(sorted((f"s{rnd.randrange(40):02d}", f"s{rnd.randrange(40):02d}"))) for _ in range(30)]
    edges = [e for e in edges if e[0] != e[1]]
    ref = resolve_clusters(edges, nodes)
    for k in range(5):
        rnd.shuffle(nodes)
        rnd.shuffle(edges)
        flipped = [(b, a) if rnd.random() < 0.5 else (a, b) for a, b in edges] + edges[:5]
        assert resolve_clusters(flipped, nodes) == ref
    assert ref[1]["clusters"] >= 2


def test_apply_mapping_and_is_duplicate():
    rec = {"id": "x", "source": "sx", "dedup": {"cluster": "x"}, "_minhash": b"\0"}
    out = apply_mapping(rec, {"sx": ("r", "r", 0.9)})
    assert out["dedup"] == {"cluster": "r", "duplicate_of": "r", "similarity": 0.9}
    assert "_minhash" not in out and is_duplicate(out)
    solo = apply_mapping(rec, {})
    assert solo["dedup"]["cluster"] == "x" and not is_duplicate(solo)


# --------------------------------------------------------------------------------------- Beam transform


def _records(stage):
    a = words(50)
    b = words(51)
    a2 = list(a)
    a2[120] = "different"
    a3 = list(a)
    a3[10] = "other"
    b2 = list(b)
    b2[200] = "changed"
    raw = [
        {"id": "A1", "source": "f#1", "published": "2024-05-02", "text": " ".join(a)},
        {"id": "A2", "source": "f#2", "published": "2024-05-01", "text": " ".join(a2)},
        {"id": "A3", "source": "f#3", "published": None, "text": " ".join(a3) + " extra words here"},
        {"id": "B1", "source": "g#1", "published": "2024-06-01", "text": " ".join(b)},
        {"id": "B2", "source": "g#2", "published": "2024-06-01", "text": " ".join(b2) + " and more"},
        {"id": "C1", "source": "h#1", "published": None, "text": " ".join(words(52))},
    ]
    return [stage(dict(r)) for r in raw]


def _summary(rec):
    d = rec["dedup"]
    return (rec["id"], d["cluster"], d["duplicate_of"], d["similarity"], "_minhash" in rec)


def test_beam_resolution(stage, cfg):
    recs = _records(stage)
    sig = {r["id"]: r["_minhash"] for r in recs}
    sim = lambda x, y: round(estimate_jaccard(sig[x], sig[y]), 4)  # noqa: E731
    expected = [("A1", "A2", "A2", sim("A1", "A2"), False), ("A2", "A2", None, None, False),
                ("A3", "A2", "A2", sim("A3", "A2"), False), ("B1", "B2", None, None, False),
                ("B2", "B2", "B2", None, False), ("C1", "C1", None, None, False)]
    # B1 and B2 share a date; B2 is longer, so it is the representative
    expected[3] = ("B1", "B2", "B2", sim("B1", "B2"), False)
    expected[4] = ("B2", "B2", None, None, False)
    # estimates of near (not exact) duplicates: at or above the threshold (64 permutations may estimate 1.0)
    assert all(cfg["dedup"]["threshold"] <= e[3] <= 1.0 for e in expected if e[3] is not None)
    rnd = random.Random(9)
    shuffled = list(recs)
    rnd.shuffle(shuffled)
    with beam.Pipeline(runner="FnApiRunner") as p:
        out = p | beam.Create(shuffled, reshuffle=True) | ResolveDuplicates(cfg)
        assert_that(out["docs"] | beam.Map(_summary), equal_to(expected), label="docs")
        assert_that(out["stats"], equal_to([{"clusters": 2, "duplicates": 3, "merged": {}, "capped_buckets": 0}]),
                    label="stats")


def test_beam_empty_input(cfg):
    with beam.Pipeline(runner="FnApiRunner") as p:
        out = p | beam.Create([]) | ResolveDuplicates(cfg)
        assert_that(out["docs"], equal_to([]), label="docs")
        assert_that(out["stats"], equal_to([{"clusters": 0, "duplicates": 0, "merged": {}, "capped_buckets": 0}]),
                    label="stats")


def test_beam_oversized_bucket_capped(stage, cfg):
    small = dict(cfg, dedup=dict(cfg["dedup"], max_bucket_size=3))
    text = " ".join(words(60))
    recs = [stage({"id": f"T{i}", "source": f"t#{i}", "published": None, "text": text}) for i in range(4)]
    recs.append(stage({"id": "U", "source": "u#1", "published": None, "text": " ".join(words(61))}))
    # 4 identical texts: all 16 band buckets and the exact bucket have 4 members > 3
    with beam.Pipeline(runner="FnApiRunner") as p:
        out = p | beam.Create(recs) | ResolveDuplicates(small)
        assert_that(out["docs"] | beam.Map(_summary),
                    equal_to([(f"T{i}", f"T{i}", None, None, False) for i in range(4)]
                             + [("U", "U", None, None, False)]), label="docs")
        assert_that(out["stats"], equal_to([{"clusters": 0, "duplicates": 0, "merged": {},
                                             "capped_buckets": small["dedup"]["bands"] + 1}]), label="stats")


def test_make_node_small(stage):
    rec = _records(stage)[0]
    n = make_node(rec)
    assert n[0] == "f#1" and n[1] == "A1" and n[2] == "2024-05-02" and n[3] == len(rec["text"])
    assert n[4] == rec["dedup"]["exact"] and n[5] == rec["_minhash"]


def _corpus(stage, n_groups=6, per_group=4, singles=8):
    rnd = random.Random(77)
    recs = []
    for g in range(n_groups):
        base = words(300 + g, 250)
        for m in range(per_group):
            w = list(base)
            for _ in range(m * 2):
                w[rnd.randrange(len(w))] = "edit" + str(rnd.randrange(1000))
            recs.append({"id": f"g{g}m{m}", "source": f"corpus#{g * per_group + m + 1}",
                         "published": rnd.choice([None, "2024-02-01", "2024-02-02"]), "text": " ".join(w)})
    for k in range(singles):
        recs.append({"id": f"solo{k}", "source": f"solo#{k}", "published": None, "text": " ".join(words(900 + k))})
    recs.append({"id": "dupe-exact", "source": "exact#1", "published": "2023-01-01",
                 "text": recs[0]["text"].upper()})
    return [stage(r) for r in recs]


def _reference(records, threshold, cap):
    buckets = {}
    for r in records:
        for k in bucket_keys(r):
            buckets.setdefault(k, []).append(make_node(r))
    edges, nodes = set(), {}
    for members in buckets.values():
        if len(members) > cap:
            continue
        by = {m[0]: m for m in members}
        for a, b in verified_pairs(members, threshold):
            edges.add((a, b))
            nodes[a], nodes[b] = by[a], by[b]
    mapping, _ = resolve_clusters(edges, nodes.values())
    return sorted(_summary(apply_mapping(r, mapping)) for r in records)


# Multi-process runs are compared in tests/test_cli.py (worker processes cannot import test modules).
@pytest.mark.parametrize("options", [{"runner": "FnApiRunner"}])
def test_beam_matches_pure_logic(stage, cfg, options):
    from apache_beam.options.pipeline_options import PipelineOptions
    recs = _corpus(stage)
    expected = _reference(recs, cfg["dedup"]["threshold"], cfg["dedup"]["max_bucket_size"])
    assert sum(1 for e in expected if e[2] is not None) >= 10       # the corpus does have duplicates
    shuffled = list(recs)
    random.Random(5).shuffle(shuffled)
    opts = dict(options)
    runner = opts.pop("runner")
    with beam.Pipeline(runner=runner, options=PipelineOptions(**opts)) as p:
        out = p | beam.Create(shuffled, reshuffle=True) | ResolveDuplicates(cfg)
        assert_that(out["docs"] | beam.Map(_summary), equal_to(expected))


def test_long_text_windows_consistent():
    # hashing in windows (long texts) gives the same shingle hashes as in one piece
    import transforms.dedup as D
    text = " ".join(words(70, 30000))
    assert len(text.encode()) > D._WINDOW_BYTES
    long_h = shingle_hashes(text, 5)
    old = D._WINDOW_BYTES
    try:
        D._WINDOW_BYTES = 1 << 30
        one = shingle_hashes(text, 5)
    finally:
        D._WINDOW_BYTES = old
    assert long_h.shape[0] == 30000 - 4 and np.array_equal(long_h, one)
    tail = " ".join(text.split()[-50:])
    assert set(shingle_hashes(tail, 5).tolist()) <= set(long_h.tolist())


def test_benchmark_generator_variants():
    # the evaluation's near-duplicate generator (evaluation/dedup.py): deterministic, kinds as labelled
    from evaluation.dedup import jaccard, make_variant, pair_kind, shingle_set
    text = "\n\n".join(" ".join(words(600 + i, 40)) for i in range(8))
    others = [" ".join(words(700 + i, 60)) for i in range(3)]
    vocab = sorted(set(" ".join(others).split()))
    heads = ["Another story headline here"]
    base = shingle_set(normalize(text))
    for kind in ("chrome", "edit", "para_add", "para_drop", "truncate"):
        v1 = make_variant(kind, text, random.Random(kind), others, vocab, heads)
        assert v1 == make_variant(kind, text, random.Random(kind), others, vocab, heads)
        assert v1 != text
        j = jaccard(base, shingle_set(normalize(v1)))
        assert (0.25 if kind == "truncate" else 0.4) < j < 1.0, (kind, j)
    assert pair_kind("original", "chrome") == "chrome" and pair_kind("chrome", "chrome") == "chrome"
    assert pair_kind("chrome", "edit") == "edit" and pair_kind("edit", "para_add") == "mixed"
    assert pair_kind("truncate", "original") == "truncate"
