"""parallel.processes > 1: the per-record stages in a pool of worker processes give the same files as one."""
from __future__ import annotations

import filecmp
import json
import os
import shutil

import pytest

from pipeline.cli import main
from tests.conftest import CORPUS


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_extract_pool_gives_the_same_output(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(os.path.join(CORPUS, "html"), src / "html")
    shutil.copytree(os.path.join(CORPUS, "broken"), src / "broken")  # rejects at read and at extract/boilerplate
    # a page slower than the time limit: rejected with reason `timeout` inside the pool worker, run goes on
    (src / "html" / "pathological.html").write_text(
        "<html><body><article>" + "".join(f"<p>Paragraph {i} says the council met again on the ferry timetable.</p>"
                                          for i in range(40000)) + "</article></body></html>")
    outs = {}
    for n in (1, 2):
        cfg = tmp_path / f"p{n}.yaml"
        cfg.write_text(f"parallel:\n  processes: {n}\n  batch_per_process: 3\nextract:\n  timeout_seconds: 1.0\n")
        outs[n] = tmp_path / f"out{n}"
        assert main(["run", "--input", str(src), "--output", str(outs[n]), "--quiet", "--config", str(cfg)]) == 0
    names = sorted(x for x in os.listdir(outs[1]) if x != "manifest.json")
    assert names == sorted(x for x in os.listdir(outs[2]) if x != "manifest.json")
    for name in names:
        assert filecmp.cmp(outs[1] / name, outs[2] / name, shallow=False), name
    rejects = [json.loads(line) for line in (outs[2] / "rejects-00000-of-00001.jsonl").read_text().splitlines()]
    assert {"source": str(src / "html" / "pathological.html"), "reason": "timeout"}.items() <= \
        next(r for r in rejects if r["source"].endswith("pathological.html")).items()
    m1, m = (json.loads((outs[n] / "manifest.json").read_text()) for n in (1, 2))
    assert m["accounting_ok"] and m["counts"]["docs"] > 5
    assert m["stages"] == m1["stages"] and m["rejects_by_stage"] == m1["rejects_by_stage"]
    assert set(m["stages"]) >= {"extract", "boilerplate", "repeated", "langid", "dedup", "events"}


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_pool_keeps_each_records_window():
    """Results of a batch are emitted while the next batch is processed (pipelining): they must keep their
    own window, not take the current element's. (Batching itself stamps a batch with its window's end.)"""
    import apache_beam as beam
    from apache_beam.testing.test_pipeline import TestPipeline
    from apache_beam.testing.util import assert_that, equal_to
    from apache_beam.transforms import window

    from pipeline.config import load_config
    from transforms.base import ApplyChain
    from transforms.langid import LangId

    cfg = load_config()
    texts = {"en": "The council met on Tuesday to discuss the new ferry timetable for the islands.",
             "de": "Der Stadtrat hat am Dienstag über den neuen Fahrplan der Fähren zu den Inseln beraten."}
    # 3 windows of 10 s, 5 records each; batches of 2 records cross window boundaries in input order
    recs = [{"id": f"r{i}", "source": f"s{i}", "text": texts["en" if i % 2 else "de"], "t": 10 * (i // 5) + 1}
            for i in range(15)]
    with TestPipeline(runner="FnApiRunner") as p:
        res = (p | beam.Create(recs) | beam.Map(lambda r: window.TimestampedValue(r, r["t"]))
               | beam.WindowInto(window.FixedWindows(10))
               | ApplyChain([(LangId, "langid")], cfg, processes=2, batch_per_process=1))

        class Where(beam.DoFn):
            def process(self, rec, ts=beam.DoFn.TimestampParam, win=beam.DoFn.WindowParam):
                yield rec["id"], rec["lang"], int(win.start), int(ts) // 10

        expected = [(r["id"], "en" if i % 2 else "de", 10 * (i // 5), i // 5) for i, r in enumerate(recs)]
        assert_that(res["docs"] | beam.ParDo(Where()), equal_to(expected))
        assert_that(res["passed"] | "Windows" >> beam.ParDo(
            type("W", (beam.DoFn,), {"process": lambda self, n, win=beam.DoFn.WindowParam: [int(win.start)]})())
            | beam.combiners.Count.PerElement(), equal_to([(0, 5), (10, 5), (20, 5)]), label="PassedPerWindow")


def test_pool_warm_builds_each_stage_once(monkeypatch):
    """The pool builds the next chain's stages while it waits for their records (``_pool_warm``): each
    stage once, with what its first record would load (``warm()``), and later records reuse it."""
    import transforms.base as B
    from pipeline.config import load_config

    built = []

    class Stage:
        def __init__(self, cfg):
            built.append("init")

        def warm(self):
            built.append("warm")

        def __call__(self, rec):
            return dict(rec, seen=True)

    monkeypatch.setattr(B, "_POOL_STAGES", {})
    monkeypatch.setattr(B, "_POOL_CFG", load_config())
    assert B._pool_warm([Stage]) == 1 and built == ["init", "warm"]
    assert B._pool_warm([Stage]) == 0
    out, rej, passed = B._pool_chain(([(Stage, "s")], {"id": "a"}))
    assert out == {"id": "a", "seen": True} and rej is None and passed == ["s"] and built == ["init", "warm"]
