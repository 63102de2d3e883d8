"""The native streaming graph (pipeline/windowed.py) under TestStream: event time, windows, panes, lateness."""
from __future__ import annotations

import glob
import json
import os

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Timestamp

from pipeline.config import ConfigError, load_config
from pipeline.readers import _json_record
from pipeline.windowed import FromMessages, WindowedGraph, published_timestamp, record_from_message
from tests.conftest import CORPUS

T0 = 1714521600  # 2024-05-01T00:00:00Z
W1 = "20240501T000000Z_20240501T010000Z"
W2 = "20240501T010000Z_20240501T020000Z"


def _text(name):
    with open(os.path.join(CORPUS, "text", name), encoding="utf-8") as fh:
        return fh.read()


def _raw(cfg, rid, name, published=None):
    obj = {"id": rid, "text": _text(name)}
    if published:
        obj["published"] = published
    tag, rec = _json_record(obj, f"stream/{rid}", cfg)
    assert tag == "doc"
    return rec


def test_published_timestamp_forms():
    assert published_timestamp("2024-05-01") == Timestamp(T0)
    assert published_timestamp("2024-05-01T00:10:00Z") == Timestamp(T0 + 600)
    assert published_timestamp("2024-05-01T02:10:00+02:00") == Timestamp(T0 + 600)
    assert published_timestamp("2024-05-01T00:10:00") == Timestamp(T0 + 600)  # naive = UTC
    for bad in (None, "", "yesterday", "2024-13-01", 20240501):
        assert published_timestamp(bad) is None


def test_window_config_keys_are_checked():
    cfg = load_config()
    assert cfg["streaming"]["window_seconds"] >= 1 and cfg["streaming"]["allowed_lateness_seconds"] >= 0
    with pytest.raises(ConfigError, match="streaming.window_seconds"):
        load_config(overrides={"streaming": {"window_seconds": 0}})


def test_record_from_message_is_a_raw_record_or_a_read_reject():
    cfg = load_config()
    rec = record_from_message(json.dumps({"id": "m1", "text": "Hello there.", "published": "2024-05-01"}).encode(),
                              cfg, "pubsub")
    assert (rec["source"], rec["id"], rec["published"], rec["_format"]) == ("pubsub:m1", "m1", "2024-05-01", "text")
    bad = record_from_message(b"{not json", cfg)
    assert (bad["stage"], bad["reason"]) == ("read", "invalid_json")


def test_windows_panes_and_late_data_with_teststream(tmp_path):
    """On-time records in two windows, a late-but-allowed copy, an undated record (arrival time) and a record
    later than the allowed lateness: where each lands, and that the too-late one is a counted reject."""
    cfg = load_config(overrides={"streaming": {"window_seconds": 3600, "allowed_lateness_seconds": 1800}})
    a = _raw(cfg, "a", "baltische-zeitung-finnland-chile-telefonat.txt", "2024-05-01T00:10:00Z")
    b = _raw(cfg, "b", "bogotahoy-jornada-vacunacion.txt", "2024-05-01T01:20:00Z")
    c = _raw(cfg, "c", "northsea-energy-esbjerg-wind-farm.txt")  # no published field: arrival time
    a_copy = _raw(cfg, "a-copy", "baltische-zeitung-finnland-chile-telefonat.txt", "2024-05-01T00:40:00Z")
    d = _raw(cfg, "d", "wetenschapsnieuws-nieuwe-keversoort.txt", "2024-05-01T00:50:00Z")
    # too late too, in a window no record was seen for (a later window's lateness is over)
    e = _raw(cfg, "e", "nabreview-iceland-central-bank-holds.txt", "2024-04-30T22:30:00Z")
    stream = (TestStream()
              .advance_watermark_to(T0)
              .add_elements([TimestampedValue(a, T0 + 60), TimestampedValue(b, T0 + 60),
                             TimestampedValue(c, T0 + 1800)])
              .advance_watermark_to(T0 + 3900)           # window 1 (00:00-01:00) fires on time
              .add_elements([TimestampedValue(a_copy, T0 + 3900)])   # 15 min late, lateness 30 min: allowed
              .advance_watermark_to(T0 + 9600)           # window 2 fires; window 1's lateness is over
              .add_elements([TimestampedValue(d, T0 + 9600),          # 1 h 40 min late: too late
                             TimestampedValue(e, T0 + 9600)])
              .advance_watermark_to_infinity())
    out_dir = str(tmp_path / "out")
    options = PipelineOptions([])
    options.view_as(StandardOptions).streaming = True
    p = TestPipeline(options=options)
    res = p | stream | WindowedGraph(cfg, out_dir)

    def check_panes(panes):
        got = sorted((tuple(x["window"]), x["pane"], x["timing"], tuple(x["sources"])) for x in panes)
        assert got == [
            (("2024-05-01T00:00:00Z", "2024-05-01T01:00:00Z"), 0, "on_time", ("stream/a", "stream/c")),
            (("2024-05-01T00:00:00Z", "2024-05-01T01:00:00Z"), 1, "late", ("stream/a-copy",)),
            (("2024-05-01T01:00:00Z", "2024-05-01T02:00:00Z"), 0, "on_time", ("stream/b",)),
        ], got

    def check_rejects(rejects):
        assert sorted((r["source"], r["stage"], r["reason"]) for r in rejects) == [
            ("stream/d", "stream", "late"), ("stream/e", "stream", "late")]

    def check_docs(docs):
        by_id = {r["id"]: r for r in docs}
        assert sorted(by_id) == ["a", "a-copy", "b", "c"]
        # the late copy is resolved against its window's earlier pane
        assert by_id["a-copy"]["dedup"]["duplicate_of"] == "a"
        assert by_id["a"]["dedup"]["duplicate_of"] is None
        # c's date (found in its text) is later than its arrival: not trusted, the arrival time is used
        assert [by_id[k]["_event_time"] for k in ("a", "b", "c")] == ["published", "published", "arrival"]
        assert all(r["event"].get("id") for r in docs)

    assert_that(res["panes"], check_panes, label="Panes")
    assert_that(res["rejects"], check_rejects, label="Rejects")
    assert_that(res["docs"], check_docs, label="Docs")
    p.run().wait_until_finish()

    # files: one per pane under its window's folder, complete under its final name; no temporary file left
    def lines(path):
        with open(path, encoding="utf-8") as fh:
            return [json.loads(x) for x in fh]
    assert [r["id"] for r in lines(os.path.join(out_dir, "windows", W1, "docs-00000.jsonl"))] == ["a", "c"]
    assert [r["id"] for r in lines(os.path.join(out_dir, "windows", W1, "docs-00001.jsonl"))] == ["a-copy"]
    assert [r["id"] for r in lines(os.path.join(out_dir, "windows", W2, "docs-00000.jsonl"))] == ["b"]
    assert all(not k.startswith("_") for r in lines(os.path.join(out_dir, "windows", W1, "docs-00000.jsonl"))
               for k in r)
    rejects = [r for f in glob.glob(os.path.join(out_dir, "rejects", "rejects-*.jsonl")) for r in lines(f)]
    assert sorted((r["id"], r["reason"]) for r in rejects) == [("d", "late"), ("e", "late")]
    assert glob.glob(os.path.join(out_dir, ".tmp-windows", "*")) == []


def test_messages_source_feeds_the_windowed_graph(tmp_path):
    """What a Pub/Sub or Kafka reader delivers (JSON payloads) goes through the same graph; a bad payload is
    a read reject."""
    cfg = load_config(overrides={"streaming": {"window_seconds": 60, "allowed_lateness_seconds": 0}})
    good = json.dumps({"id": "m1", "text": _text("bogotahoy-jornada-vacunacion.txt"),
                       "published": "2024-05-01T00:00:30Z"}).encode("utf-8")
    stream = (TestStream()
              .advance_watermark_to(T0)
              .add_elements([TimestampedValue(good, T0 + 40), TimestampedValue(b"{oops", T0 + 40)])
              .advance_watermark_to_infinity())
    options = PipelineOptions([])
    options.view_as(StandardOptions).streaming = True
    out_dir = str(tmp_path / "out")
    p = TestPipeline(options=options)
    res = p | stream | FromMessages(cfg, out_dir, "pubsub")
    def check_panes(panes):
        assert [(x["pane"], x["timing"], x["sources"]) for x in panes] == [(0, "on_time", ["pubsub:m1"])], panes

    def check_rejects(rejects):
        assert [(r["stage"], r["reason"]) for r in rejects] == [("read", "invalid_json")], rejects

    assert_that(res["panes"], check_panes, label="Panes")
    assert_that(res["rejects"], check_rejects, label="Rejects")
    p.run().wait_until_finish()
    assert os.path.exists(os.path.join(out_dir, "windows", "20240501T000000Z_20240501T000100Z", "docs-00000.jsonl"))


def test_one_window_gives_the_batch_records(tmp_path):
    """Everything in one window: the windowed graph writes the records a batch run writes (text, language,
    duplicates, event groups) and the same rejects. The corpus-level repeated-lines pass, which the windowed
    graph does not run, is off in both."""
    from apache_beam.testing.test_pipeline import TestPipeline as BatchPipeline
    from pipeline.graph import build
    from pipeline.readers import DOC, expand_patterns, read_file_tagged
    from tests.test_graph import _corpus

    cfg = load_config(overrides={"boilerplate": {"repeated": {"enabled": False}},
                                 "streaming": {"window_seconds": 4_000_000_000, "allowed_lateness_seconds": 0}})
    files = expand_patterns([_corpus(tmp_path)], cfg)
    batch_out = str(tmp_path / "batch")
    os.makedirs(batch_out)
    with BatchPipeline(runner="FnApiRunner") as p:
        build(p, files, cfg, batch_out, {"version": "test"})

    tagged = [t for f in files for t in read_file_tagged(f, cfg)]
    stream = (TestStream().advance_watermark_to(T0)
              .add_elements([TimestampedValue(rec, T0) for tag, rec in tagged if tag == DOC])
              .advance_watermark_to_infinity())
    options = PipelineOptions([])
    options.view_as(StandardOptions).streaming = True
    p = TestPipeline(options=options)
    read_rejects = p | "ReadRejects" >> beam.Create([rec for tag, rec in tagged if tag != DOC])
    stream_out = str(tmp_path / "stream")
    p | stream | WindowedGraph(cfg, stream_out, read_rejects=read_rejects)
    p.run().wait_until_finish()

    def lines(paths):
        return [json.loads(x) for path in paths for x in open(path, encoding="utf-8")]

    def view(d):
        return (d["text"], d["lang"], d["dedup"]["cluster"], d["dedup"]["duplicate_of"], d["event"]["id"])

    batch_docs = {d["source"]: view(d) for d in lines(glob.glob(os.path.join(batch_out, "docs-*.jsonl")))}
    stream_docs = {d["source"]: view(d) for d in lines(glob.glob(os.path.join(stream_out, "windows", "*", "*.jsonl")))}
    assert len(batch_docs) == 3 and stream_docs == batch_docs

    def rej(paths):
        return sorted((r["source"], r["stage"], r["reason"]) for r in lines(paths))
    assert rej(glob.glob(os.path.join(stream_out, "rejects", "*.jsonl"))) == \
        rej(glob.glob(os.path.join(batch_out, "rejects-*.jsonl")))
