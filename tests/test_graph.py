"""The assembled graph under TestPipeline: manifest contents checked with assert_that, outputs on disk."""
import json
import os

from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import BeamAssertException, assert_that

from pipeline.config import load_config
from pipeline.graph import build
from pipeline.readers import expand_patterns

ARTICLE = ("<html><head><title>{title}</title><meta property='article:published_time' content='2025-05-0{day}'>"
           "</head><body><article><h1>{title}</h1><p>{body}</p><p>Share this article</p></article></body></html>")
BODY = ("The regional council of Tampere approved a new tram line on Monday after a long debate about costs, "
        "routes and the timetable for construction work in the city centre, officials said. ") * 3


def _corpus(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.html").write_text(ARTICLE.format(title="Tampere approves tram line", day=5, body=BODY))
    (d / "b.html").write_text(ARTICLE.format(title="Council backs new tram", day=6, body=BODY))
    (d / "c.txt").write_text("Storm closes ferry routes\n\nHigh winds closed ferry routes between the islands "
                             "and the mainland on Sunday, the coast guard said, and crossings would resume once "
                             "the storm passes later in the week.\n")
    (d / "d.jsonl").write_text('{"id": "j1", "text": ""}\nnot json\n')
    (d / "e.html").write_bytes(b"")
    return str(d)


def _check_manifest(manifests):
    if len(manifests) != 1:
        raise BeamAssertException(f"expected one manifest, got {len(manifests)}")
    m = manifests[0]
    want = {"read": 6, "docs": 3, "rejects": 3, "duplicates_dropped": 0}
    if m["counts"] != want or not m["accounting_ok"]:
        raise BeamAssertException(f"counts {m['counts']} != {want}")
    if m["rejects_by_stage"] != {"read": {"empty": 2, "invalid_json": 1}}:
        raise BeamAssertException(f"rejects {m['rejects_by_stage']}")
    if m["dedup"]["duplicates"] != 1 or m["langs"] != {"en": 3}:
        raise BeamAssertException(f"dedup/langs {m['dedup']} {m['langs']}")


def test_graph_manifest_and_outputs(tmp_path):
    cfg = load_config()
    files = expand_patterns([_corpus(tmp_path)], cfg)
    out = str(tmp_path / "out")
    os.makedirs(out)
    with BeamTestPipeline(runner="FnApiRunner") as p:
        manifest = build(p, files, cfg, out, {"version": "test"})
        assert_that(manifest, _check_manifest)
    assert sorted(os.listdir(out)) == ["docs-00000-of-00001.jsonl", "manifest.json", "rejects-00000-of-00001.jsonl"]
    docs = [json.loads(line) for line in open(os.path.join(out, "docs-00000-of-00001.jsonl"))]
    by_name = {os.path.basename(d["source"]): d for d in docs}
    a, b = by_name["a.html"], by_name["b.html"]
    # the earlier-published copy is the representative; the copy points at it
    assert a["dedup"]["duplicate_of"] is None and b["dedup"]["duplicate_of"] == a["id"]
    assert a["event"]["id"] == b["event"]["id"] != by_name["c.txt"]["event"]["id"]
    assert "Share this article" not in a["text"] and a["boilerplate"]["reasons"].get("share") == 1
    assert json.load(open(os.path.join(out, "manifest.json")))["version"] == "test"
