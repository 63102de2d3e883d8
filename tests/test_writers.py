import gzip
import json
import os
import random

import apache_beam as beam

from pipeline import writers


def records(n):
    return [{"id": f"r{i}", "source": f"in/f.jsonl#{i + 1}", "text": f"text {i}", "_minhash": b"x"}
            for i in range(n)]


def run_write(tmp_path, recs, shards, compression="none", kind=writers.DOCS):
    out = str(tmp_path / "out")
    tmp = os.path.join(out, ".tmp")
    with beam.Pipeline(runner="FnApiRunner") as p:
        _ = (p | beam.Create(recs, reshuffle=False) | writers.WriteShards(kind, out, tmp, shards, compression)
             | beam.Map(lambda d: None))
    return out


def read_lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_every_shard_written_sorted_and_complete(tmp_path):
    recs = records(250)
    random.Random(3).shuffle(recs)
    out = run_write(tmp_path, recs, shards=4)
    names = sorted(n for n in os.listdir(out) if not n.startswith("."))
    assert names == [f"docs-0000{i}-of-00004.jsonl" for i in range(4)]
    seen = []
    for name in names:
        lines = read_lines(os.path.join(out, name))
        keys = [writers.sort_key(r["source"]) for r in lines]
        assert keys == sorted(keys)
        for r in lines:
            assert writers.shard_of(r["source"], 4) == int(name[5:10])
            assert "_minhash" not in r
        seen += [r["id"] for r in lines]
    assert sorted(seen) == sorted(r["id"] for r in recs)
    # nothing left in the temporary folder but the folder itself
    assert not os.listdir(os.path.join(out, ".tmp"))


def test_same_bytes_whatever_the_input_order(tmp_path):
    recs = records(120)
    a = run_write(tmp_path / "a", recs, shards=3, compression="gzip")
    random.Random(7).shuffle(recs)
    b = run_write(tmp_path / "b", recs, shards=3, compression="gzip")
    for name in sorted(os.listdir(a)):
        if name.startswith("."):
            continue
        with open(os.path.join(a, name), "rb") as fa, open(os.path.join(b, name), "rb") as fb:
            assert fa.read() == fb.read(), name


def test_empty_input_still_writes_every_shard(tmp_path):
    out = run_write(tmp_path, [], shards=2, kind=writers.REJECTS)
    for i in range(2):
        assert read_lines(os.path.join(out, f"rejects-0000{i}-of-00002.jsonl")) == []


def test_rejects_keep_only_contract_fields(tmp_path):
    rej = [{"source": "a.html", "id": "x", "stage": "read", "reason": "empty", "message": "m", "extra": 1}]
    out = run_write(tmp_path, rej, shards=1, kind=writers.REJECTS)
    assert read_lines(os.path.join(out, "rejects-00000-of-00001.jsonl")) == [
        {"source": "a.html", "id": "x", "stage": "read", "reason": "empty", "message": "m"}]


def test_sort_key_orders_record_numbers_naturally():
    assert writers.sort_key("a.jsonl#2") < writers.sort_key("a.jsonl#10")
    assert writers.sort_key("a.html") == "a.html"


def test_remove_stale_only_touches_our_shards(tmp_path):
    for name in ["docs-00000-of-00002.jsonl", "docs-00001-of-00002.jsonl", "docs-00000-of-00001.jsonl",
                 "notes.txt", "manifest.json"]:
        (tmp_path / name).write_text("x")
    removed = writers.remove_stale(str(tmp_path), ["docs-00000-of-00001.jsonl"])
    assert removed == ["docs-00000-of-00002.jsonl", "docs-00001-of-00002.jsonl"]
    assert sorted(os.listdir(tmp_path)) == ["docs-00000-of-00001.jsonl", "manifest.json", "notes.txt"]


def test_write_json_atomic_replaces(tmp_path):
    path = str(tmp_path / "manifest.json")
    writers.write_json_atomic(path, {"a": 1})
    writers.write_json_atomic(path, {"a": 2})
    assert json.load(open(path)) == {"a": 2}
    assert os.listdir(tmp_path) == ["manifest.json"]
