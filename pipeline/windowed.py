"""Native Beam streaming graph: event time, fixed windows, allowed lateness, per-window work, windowed files.

``--streaming`` on the local runner is a loop of micro-batches (pipeline/streaming.py). This module is the
graph for runners that run unbounded input themselves (Dataflow with ``--streaming``, Flink): a composable
:class:`WindowedGraph` that takes *any* PCollection of raw input records (what the file reader emits, or
what :func:`record_from_message` makes of a Pub/Sub or Kafka message) and returns its outputs. Wiring:

    raw records
      | per-record stages (extract, boilerplate, langid, dedup keys: ApplyStage, as in pipeline/graph.py)
      | AssignEventTime      event time = the record's ``published`` date; else the arrival time
      | LateGate             records later than the allowed lateness -> rejects (stage ``stream``, ``late``)
      | WindowInto           FixedWindows(streaming.window_seconds), AfterWatermark(late=AfterCount(1)),
                             accumulation DISCARDING
      | GroupByKey           one pane of records per window firing (on time, then one per late arrival)
      | ResolvePane          per window: near-duplicates resolved against the pane and the window's earlier
                             panes, event features, event clustering likewise; writes the pane's file
    -> {"docs", "rejects", "panes"}

Event time. ``published`` (``YYYY-MM-DD`` or full ISO 8601; a date without a time is its midnight UTC) is the
record's timestamp. Records without a usable published date (none, unparsable, or more than a day after the
arrival time) keep the timestamp their source gave them (Pub/Sub: the publish time or the
``timestamp_attribute``; Kafka: the record's create/log-append time; TestStream: the event's timestamp), i.e.
their arrival time; a record with no source timestamp at all gets the processing time. The internal field
``_event_time`` says which (``published`` or ``arrival``); it is not written.

Lateness. Beam's GroupByKey drops, without a trace, elements that arrive after their window's end plus the
allowed lateness. So the decision is made before it, by :class:`_LateGate`, a stateful step in the global
window that sets one event-time timer per window at ``window end + streaming.allowed_lateness_seconds``; once
a window's timer (or a later window's) has fired, the watermark is past that point and a record of it is
rejected with reason ``late`` (counted: Beam counter ``stream/late`` and the rejects). The GroupByKey itself
is given an allowed lateness that never expires, so whatever the gate lets through is always written: in the
window's on-time pane, or in a late pane of its own. (A record of a window no record was seen for, arriving
after the watermark passed that window but before any later window's timer fired, cannot be told from an
allowed one and is written in a late pane: never lost.) The gate keeps one key, so it is one sequential step
per pipeline: fine at news rates (thousands of records a second), and its state is one timestamp.

Output. Each pane is one file ``OUT/windows/<start>_<end>/docs-<pane index>.jsonl[.gz]`` (UTC times as
``YYYYMMDDTHHMMSSZ``), records in ``source`` order, written under a temporary name in ``OUT/.tmp-windows/``
and then renamed, so no file under a final name is ever half-written. Rejects are written per bundle to
``OUT/rejects/rejects-<content hash>.jsonl[.gz]`` the same way. Per-window state (the earlier panes' dedup
nodes and event signatures, small) is dropped once the watermark is ``2 * lateness + window`` past the window's
end (a margin after the gate has closed it).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any, Dict, List, Optional, Tuple

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms import trigger as beam_trigger
from apache_beam.transforms import window as beam_window
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import BagStateSpec, ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import MIN_TIMESTAMP, Duration, Timestamp

from pipeline import writers
from pipeline.readers import _json_record
from transforms.base import REJECTS, reject_record, run_stage
from transforms.dedup import (apply_mapping, bucket_keys, history_bucket_keys, history_entry, history_node,
                              make_node, resolve_clusters, verified_pairs)
from transforms.events import EventFeatures, apply_event_id, cluster_local, cluster_settings, history_signature

STAGE = "stream"
LATE = "late"
PANES = "panes"
# GroupByKey lateness: never expires (the gate decides what is too late; see the module doc).
_NEVER = Duration(seconds=100 * 365 * 86400)
# A published date later than this after the arrival time is not trusted as event time.
_MAX_FUTURE = Duration(seconds=86400)

_late_counter = Metrics.counter(STAGE, LATE)


def settings(cfg: Dict[str, Any]) -> Tuple[int, int]:
    """``(window_seconds, allowed_lateness_seconds)`` from ``cfg["streaming"]``."""
    s = cfg["streaming"]
    return int(s["window_seconds"]), int(s["allowed_lateness_seconds"])


def published_timestamp(published: Any) -> Optional[Timestamp]:
    """``published`` (``YYYY-MM-DD`` or ISO 8601, ``Z`` allowed; naive = UTC) as a Beam timestamp, or None."""
    if not isinstance(published, str) or not published.strip():
        return None
    text = published.strip()
    try:
        if len(text) == 10:
            d = dt.date.fromisoformat(text)
            when = dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc)
        else:
            when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.timezone.utc)
    except (ValueError, OverflowError):
        return None
    try:
        return Timestamp.from_utc_datetime(when.astimezone(dt.timezone.utc))
    except (ValueError, OverflowError):
        return None


class AssignEventTime(beam.DoFn):
    """Re-stamps each record with its event time (see the module doc); sets ``_event_time``."""

    def process(self, record, timestamp=beam.DoFn.TimestampParam):
        arrival = timestamp if timestamp is not None and timestamp > MIN_TIMESTAMP else Timestamp.now()
        ts = published_timestamp(record.get("published"))
        rec = dict(record)
        if ts is not None and ts <= arrival + _MAX_FUTURE:
            rec["_event_time"] = "published"
        else:
            ts, rec["_event_time"] = arrival, "arrival"
        yield beam_window.TimestampedValue(rec, ts)


def _window_start(ts: Timestamp, size: int) -> int:
    secs = ts.micros // 1_000_000
    return secs - secs % size


class _LateGate(beam.DoFn):
    """``(key, record)`` in the global window -> the record, or ``(REJECTS, reject)`` when too late."""

    CLOSED = ReadModifyWriteStateSpec("closed_until", PickleCoder())
    EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)

    def __init__(self, window_seconds: int, lateness_seconds: int):
        self._size, self._lateness = int(window_seconds), int(lateness_seconds)

    def process(self, kv, timestamp=beam.DoFn.TimestampParam, closed=beam.DoFn.StateParam(CLOSED),
                expiry=beam.DoFn.TimerParam(EXPIRY)):
        record = kv[1]
        start = _window_start(timestamp, self._size)
        deadline = Timestamp(seconds=start + self._size + self._lateness)
        closed_until = closed.read()
        if closed_until is not None and deadline <= closed_until:
            yield REJECTS, reject_record(record, STAGE, LATE,
                                         f"event time {timestamp.to_rfc3339()} ({record.get('_event_time')}) is "
                                         f"more than {self._lateness} s behind the end of its window")
            return
        expiry.set(deadline, dynamic_timer_tag=str(start))
        yield "docs", record

    @on_timer(EXPIRY)
    def expired(self, fire=beam.DoFn.TimestampParam, closed=beam.DoFn.StateParam(CLOSED)):
        closed_until = closed.read()
        if closed_until is None or fire > closed_until:
            closed.write(fire)


def _count_late(rej):
    """Counts a late reject (here, not in the stateful gate: the Python direct runner loses the metrics of
    stateful steps)."""
    _late_counter.inc()
    return rej


def _window_name(w) -> str:
    def fmt(t):
        return t.to_utc_datetime().strftime("%Y%m%dT%H%M%SZ")
    return f"{fmt(w.start)}_{fmt(w.end)}"


def resolve_window_duplicates(records: List[Dict[str, Any]], history: List[Dict[str, Any]],
                              threshold: float, max_bucket_size: int) -> List[Dict[str, Any]]:
    """Near-duplicates among ``records`` and against ``history`` (``history_entry`` of earlier panes of the
    window, whose clusters are fixed): the batch resolution (transforms/dedup.py) in one place. Returns the
    records with ``dedup.cluster/duplicate_of/similarity`` filled (``_minhash`` kept)."""
    nodes = {str(r.get("source")): make_node(r) for r in records}
    for e in history:
        nodes[e["key"]] = history_node(e)
    buckets: Dict[str, List[str]] = {}
    for r in records:
        for k in bucket_keys(r):
            buckets.setdefault(k, []).append(str(r.get("source")))
    for e in history:
        for k in history_bucket_keys(e):
            buckets.setdefault(k, []).append(e["key"])
    edges = set()
    for members in buckets.values():
        members = sorted(set(members))
        if 2 <= len(members) <= max_bucket_size:
            edges.update(verified_pairs([nodes[m] for m in members], threshold))
    mapping, _ = resolve_clusters(sorted(edges), list(nodes.values()), {e["key"]: e.get("cluster") for e in history})
    return [apply_mapping(r, mapping, keep_signature=True) for r in records]


class _ResolvePane(beam.DoFn):
    """One pane ``(key, records)`` of one window -> ``("docs", record)``, ``(REJECTS, reject)`` and one
    ``(PANES, summary)``; writes the pane's file. Earlier panes' small keys are kept in per-window state."""

    DEDUP = BagStateSpec("dedup", PickleCoder())
    EVENTS = BagStateSpec("events", PickleCoder())
    CLEANUP = TimerSpec("cleanup", TimeDomain.WATERMARK)

    def __init__(self, cfg: Dict[str, Any], out_dir: str, window_seconds: int, lateness_seconds: int):
        self._cfg, self._out_dir = cfg, out_dir
        # kept a while after the gate closes the window: a pane it let through just before may still be on its way
        self._keep = Duration(seconds=2 * int(lateness_seconds) + int(window_seconds))
        self._events = None

    def setup(self):
        self._events = EventFeatures(self._cfg)

    def process(self, kv, win=beam.DoFn.WindowParam, pane=beam.DoFn.PaneInfoParam,
                dedup_state=beam.DoFn.StateParam(DEDUP), events_state=beam.DoFn.StateParam(EVENTS),
                cleanup=beam.DoFn.TimerParam(CLEANUP)):
        cfg = self._cfg
        records = sorted(kv[1], key=lambda r: writers.sort_key(str(r.get("source"))))
        cleanup.set(win.end + self._keep)
        resolved = resolve_window_duplicates(records, list(dedup_state.read()), float(cfg["dedup"]["threshold"]),
                                             int(cfg["dedup"]["max_bucket_size"]))
        docs, rejects = [], []
        for rec in resolved:
            dedup_state.add(history_entry(rec))
            rec.pop("_minhash", None)
            d = rec["dedup"]
            if cfg["output"]["drop_duplicates"] and d.get("duplicate_of") is not None:
                rejects.append(reject_record(rec, "dedup", "duplicate",
                                             f"near-duplicate of {d['duplicate_of']} (similarity {d['similarity']})"))
                continue
            out, rej = run_stage(self._events, "events", rec)
            if rej is not None:
                rejects.append(rej)
            else:
                docs.append(out)
        sigs = [r.get("_event") or {} for r in docs] + list(events_state.read())
        mapping = cluster_local([s for s in sigs if s.get("key")], **cluster_settings(cfg))
        docs = [apply_event_id(r, mapping) for r in docs]
        max_terms = int(cfg["events"]["max_terms"])
        for r in docs:
            events_state.add(history_signature(r, max_terms))
        timing = {0: "early", 1: "on_time", 2: "late"}.get(int(pane.timing), str(pane.timing))
        compression = cfg["output"]["compression"]
        ext = ".jsonl.gz" if compression == "gzip" else ".jsonl"
        folder = writers.join(self._out_dir, "windows", _window_name(win))
        name = f"docs-{int(pane.index):05d}{ext}"
        tmp = writers.join(self._out_dir, ".tmp-windows", f"{uuid.uuid4().hex}{ext}")
        count = writers.write_lines_atomic(writers.join(folder, name), tmp,
                                           (writers.to_line(writers.public_record(r)) for r in docs), compression)
        for r in docs:
            yield "docs", r
        for r in rejects:
            yield REJECTS, r
        yield PANES, {"window": [win.start.to_rfc3339(), win.end.to_rfc3339()], "pane": int(pane.index),
                      "timing": timing, "file": f"windows/{_window_name(win)}/{name}", "records": count,
                      "sources": [r.get("source") for r in docs], "rejects": len(rejects)}

    @on_timer(CLEANUP)
    def clean(self, dedup_state=beam.DoFn.StateParam(DEDUP), events_state=beam.DoFn.StateParam(EVENTS)):
        dedup_state.clear()
        events_state.clear()


class _WriteRejects(beam.DoFn):
    """Rejects of a bundle -> one file named by the hash of its content (a retried bundle writes the same)."""

    def __init__(self, out_dir: str, compression: str):
        self._out_dir, self._compression = out_dir, compression

    def start_bundle(self):
        self._lines: List[Tuple[str, str]] = []

    def process(self, rej):
        self._lines.append((writers.sort_key(str(rej.get("source") or "")),
                            writers.to_line({k: rej.get(k) for k in writers.REJECT_FIELDS})))

    def finish_bundle(self):
        if not self._lines:
            return
        lines = [line for _, line in sorted(self._lines)]
        digest = hashlib.sha1("\n".join(lines).encode("utf-8")).hexdigest()[:16]
        ext = ".jsonl.gz" if self._compression == "gzip" else ".jsonl"
        writers.write_lines_atomic(writers.join(self._out_dir, "rejects", f"rejects-{digest}{ext}"),
                                   writers.join(self._out_dir, ".tmp-windows", f"{uuid.uuid4().hex}{ext}"),
                                   lines, self._compression)
        self._lines = []


def _pick(kv, tag):
    if kv[0] == tag:
        yield kv[1]


def _split(pairs, prefix: str, tags):
    return {t: pairs | f"{prefix}[{t}]" >> beam.FlatMap(_pick, t) for t in tags}


def record_from_message(data: Any, cfg: Dict[str, Any], source_prefix: str = "msg") -> Dict[str, Any]:
    """A message payload (bytes or str: one JSON object with the ``input.jsonl_fields``, as one line of a
    JSONL input) -> a raw record, or a read reject (``stage`` ``read``). ``source`` is ``<prefix>:<id>``
    (the message's id field, else a hash of the payload), so it is stable across redeliveries."""
    if isinstance(data, (bytes, bytearray)):
        text = bytes(data).decode("utf-8", "replace")
    else:
        text = str(data)
    try:
        obj = json.loads(text.lstrip("\ufeff"))
    except ValueError:
        obj = None
    rid = obj.get(cfg["input"]["jsonl_fields"]["id"]) if isinstance(obj, dict) else None
    key = str(rid) if rid is not None and str(rid).strip() else hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    source = f"{source_prefix}:{key}"
    if obj is None:
        return reject_record({"source": source, "id": None}, "read", "invalid_json", "message is not valid JSON")
    return _json_record(obj, source, cfg)[1]


def _tag_message(data, cfg, prefix):
    rec = record_from_message(data, cfg, prefix)
    yield (REJECTS if "reason" in rec and "stage" in rec else "docs"), rec


class FromMessages(beam.PTransform):
    """Message payloads (bytes: one JSON object each, e.g. ``ReadFromPubSub(...)`` or the values of
    ``ReadFromKafka(...)``) -> :class:`WindowedGraph`'s outputs; bad messages are read rejects."""

    def __init__(self, cfg: Dict[str, Any], out_dir: str, source_prefix: str = "msg", label: str = "FromMessages"):
        super().__init__(label=label)
        self._cfg, self._out_dir, self._prefix = cfg, out_dir, source_prefix

    def expand(self, messages):
        tagged = messages | "Parse" >> beam.FlatMap(_tag_message, self._cfg, self._prefix)
        parsed = _split(tagged, "Parsed", ["docs", REJECTS])
        return parsed["docs"] | WindowedGraph(self._cfg, self._out_dir, read_rejects=parsed[REJECTS])


class WindowedGraph(beam.PTransform):
    """Raw input records (any PCollection, bounded or not) -> ``{"docs", "rejects", "panes"}``, files written
    under ``out_dir`` (see the module doc). ``rejects`` also carries the per-record stages' rejects; pass the
    reader's rejects as ``read_rejects`` to have them written with the others."""

    def __init__(self, cfg: Dict[str, Any], out_dir: str, read_rejects=None, label: str = "Windowed"):
        super().__init__(label=label)
        self._cfg, self._out_dir, self._read_rejects = cfg, out_dir, read_rejects

    def expand(self, records):
        from pipeline.graph import PER_RECORD_BEFORE_DEDUP, _per_record  # the batch graph's per-record stages
        cfg = self._cfg
        size, lateness = settings(cfg)
        rejects = [self._read_rejects] if self._read_rejects is not None else []
        docs = _per_record(records, PER_RECORD_BEFORE_DEDUP, cfg, 1, 1, rejects, None)
        gated = (docs
                 | "EventTime" >> beam.ParDo(AssignEventTime())
                 | "GateKey" >> beam.Map(lambda r: ("all", r))
                 | "LateGate" >> beam.ParDo(_LateGate(size, lateness)))
        gate = _split(gated, "Gate", ["docs", REJECTS])
        rejects.append(gate[REJECTS] | "CountLate" >> beam.Map(_count_late))
        panes = (gate["docs"]
                 | "Window" >> beam.WindowInto(
                     beam_window.FixedWindows(size),
                     trigger=beam_trigger.AfterWatermark(late=beam_trigger.AfterCount(1)),
                     accumulation_mode=beam_trigger.AccumulationMode.DISCARDING,
                     allowed_lateness=_NEVER)
                 | "PaneKey" >> beam.Map(lambda r: ("all", r))
                 | "Panes" >> beam.GroupByKey()
                 | "ResolvePane" >> beam.ParDo(_ResolvePane(cfg, self._out_dir, size, lateness)))
        out = _split(panes, "Pane", ["docs", REJECTS, PANES])
        rejects.append(out[REJECTS])
        rejects = ([r | f"RejectsGlobal{i}" >> beam.WindowInto(beam_window.GlobalWindows())
                    for i, r in enumerate(rejects)] | "AllRejects" >> beam.Flatten())
        rejects | "WriteRejects" >> beam.ParDo(_WriteRejects(self._out_dir, cfg["output"]["compression"]))
        return {"docs": out["docs"], "rejects": rejects, PANES: out[PANES]}
