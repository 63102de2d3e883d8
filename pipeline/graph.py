"""Assembly of the Beam graph: read -> five stages -> sharded JSONL + manifest.

``build(pipeline, files, cfg, out_dir, run_info)`` adds every step to ``pipeline``; nothing here depends on
the runner, so the same graph runs on the local runner and on distributed ones.
"""
from __future__ import annotations

import collections
import os
import datetime as dt
import uuid
from typing import Any, Dict, List, Optional

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from pipeline import state as state_store
from pipeline import writers
from pipeline.readers import ReadInputs
from transforms.base import PASSED, ApplyChain, ApplyStage, SumCombineFn, reject_record
from transforms.boilerplate import Boilerplate
from transforms.dedup import DedupKeys, ResolveDuplicates, history_entry
from transforms.events import ClusterEvents, EventFeatures, history_signature, set_event_unit
from transforms.extract import Extract
from transforms.langid import LangId
from transforms.repeated import RemoveRepeated

# Per-record stages in order: (factory, name). The name is the `stage` of their rejects.
PER_RECORD_BEFORE_DEDUP = [(Extract, "extract"), (Boilerplate, "boilerplate"), (LangId, "langid"),
                           (DedupKeys, "dedup")]


class DocStats(beam.CombineFn):
    """Small run statistics over the written documents: languages, duplicates, events."""

    def create_accumulator(self):
        return {"docs": 0, "langs": collections.Counter(), "duplicates": 0,
                "dup_clusters": set(), "events": collections.Counter()}

    def add_input(self, acc, rec):
        acc["docs"] += 1
        acc["langs"][rec.get("lang") or "und"] += 1
        dedup = rec.get("dedup") or {}
        if dedup.get("duplicate_of") is not None:
            acc["duplicates"] += 1
            acc["dup_clusters"].add(dedup.get("cluster"))
        event_id = (rec.get("event") or {}).get("id")
        if event_id:
            acc["events"][event_id] += 1
        return acc

    def merge_accumulators(self, accs):
        out = self.create_accumulator()
        for a in accs:
            out["docs"] += a["docs"]
            out["langs"].update(a["langs"])
            out["duplicates"] += a["duplicates"]
            out["dup_clusters"] |= a["dup_clusters"]
            out["events"].update(a["events"])
        return out

    def extract_output(self, acc):
        return {
            "docs": acc["docs"],
            "langs": dict(sorted(acc["langs"].items())),
            "duplicates": acc["duplicates"],
            "duplicate_clusters": len(acc["dup_clusters"]),
            "events": len(acc["events"]),
            "events_with_several_records": sum(1 for n in acc["events"].values() if n > 1),
        }


class RejectStats(beam.CombineFn):
    def create_accumulator(self):
        return collections.Counter()

    def add_input(self, acc, rej):
        acc[(rej.get("stage") or "?", rej.get("reason") or "?")] += 1
        return acc

    def merge_accumulators(self, accs):
        out = collections.Counter()
        for a in accs:
            out.update(a)
        return out

    def extract_output(self, acc):
        by_stage: Dict[str, Dict[str, int]] = {}
        for (stage, reason), n in sorted(acc.items()):
            by_stage.setdefault(stage, {})[reason] = n
        return by_stage


class _WriteManifest(beam.DoFn):
    def __init__(self, out_dir: str, tmp_dir: str, run_info: Dict[str, Any],
                 state_run: Optional[Dict[str, Any]] = None):
        self._out_dir = out_dir
        self._tmp_dir = tmp_dir
        self._run_info = run_info
        self._state_run = state_run

    def _commit_state(self, state_shards, docs_written: int, merges: Dict[str, Dict[str, str]]) -> Dict[str, Any]:
        """Makes this run's state segments part of the state (atomic replace of state.json)."""
        sr = self._state_run
        segments: Dict[str, List[str]] = {}
        for s in sorted(state_shards, key=lambda s: (s["kind"], s["shard"])):
            segments.setdefault(s["kind"], []).append(s["file"])
        run = {"run": sr["run"], "dir": sr["run_dir"], "start": self._run_info.get("start"),
               "end": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               "docs": docs_written, "files": len(sr["prints"]), "segments": segments}
        seg_tmp = writers.join(sr["run_dir"], ".tmp")
        if FileSystems.exists(seg_tmp):
            FileSystems.delete([seg_tmp])
        size = state_store.commit(sr["dir"], sr["state"], run, sr["prints"], merges)
        before = sum(r.get("docs", 0) for r in sr["state"]["runs"])
        records = before + docs_written
        return {"dir": sr["dir"], "run": sr["run"], "skipped_unchanged_files": sr["skipped"],
                "history_records_before": before, "records": records, "bytes": size, "bytes_per_record": round(size / records, 1) if records else None}

    def process(self, _, stage_counts, doc_stats, reject_stats, shards, dedup_stats, event_merges, state_shards):
        files = sorted(shards, key=lambda s: (s["kind"], s["shard"]))
        written = {k: sum(s["records"] for s in files if s["kind"] == k) for k in (writers.DOCS, writers.REJECTS)}
        counts = dict(stage_counts)
        read = counts.get("read", 0)
        dropped = (reject_stats.get("dedup") or {}).get("duplicate", 0)
        manifest = dict(self._run_info)
        manifest.update({
            "end": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "counts": {
                "read": read,
                "docs": written[writers.DOCS],
                "rejects": written[writers.REJECTS],
                "duplicates_dropped": dropped,
            },
            "accounting_ok": read == written[writers.DOCS] + written[writers.REJECTS],
            "stages": counts,
            "rejects_by_stage": reject_stats,
            "langs": doc_stats["langs"],
            "dedup": {"duplicates": doc_stats["duplicates"] + dropped,
                      "clusters_with_duplicates": dedup_stats.get("clusters", doc_stats["duplicate_clusters"]),
                      "capped_buckets": dedup_stats.get("capped_buckets", 0),
                      # incremental runs: earlier clusters found to be one ({absorbed id: surviving id})
                      "merged": dedup_stats.get("merged", {})},
            "events": {"events": doc_stats["events"],
                       "events_with_several_records": doc_stats["events_with_several_records"],
                       # incremental runs: earlier events found to be one ({absorbed id: surviving id})
                       "merged": event_merges},
            "files": [{"file": s["file"], "records": s["records"]} for s in files],
        })
        if self._state_run:
            manifest["state"] = self._commit_state(state_shards, written[writers.DOCS],
                                                   {"events": event_merges, "dedup": dedup_stats.get("merged", {})})
        manifest["stale_files_removed"] = writers.remove_stale(self._out_dir, [s["file"] for s in files])
        writers.write_json_atomic(writers.join(self._out_dir, "manifest.json"), manifest)
        if FileSystems.exists(self._tmp_dir):
            FileSystems.delete([self._tmp_dir])
        yield manifest


def _count(pcoll, name: str):
    return pcoll | f"Count{name}" >> beam.combiners.Count.Globally() | f"Key{name}" >> beam.Map(lambda n, k=name: (k, n))


def _per_record(docs, chain, cfg, processes: int, batch: int, rejects: list, counts: Optional[list],
                uncounted=(), warm=()):
    """Per-record stages ``chain`` over ``docs``: one Beam step each (``processes`` 1), or the whole chain in
    the process pool (ApplyChain). Appends the rejects and the ``(stage, docs after it)`` counts of the
    stages not in ``uncounted``."""
    counted = [name for _, name in chain if name not in uncounted]
    if processes <= 1:
        for factory, name in chain:
            res = docs | ApplyStage(factory, name, cfg)
            docs = res["docs"]
            rejects.append(res["rejects"])
            if counts is not None and name in counted:
                counts.append(_count(docs, name))
        return docs
    label = "+".join(name for _, name in chain)
    res = docs | ApplyChain(chain, cfg, processes, batch, label=label, warm=[f for f, _ in warm])
    rejects.append(res["rejects"])
    if counts is None or not counted:
        return res["docs"]
    seeds = docs.pipeline | f"Zero[{label}]" >> beam.Create([(name, 0) for name in counted])
    passed = res[PASSED]
    if len(counted) < len(chain):
        passed = passed | f"Counted[{label}]" >> beam.Filter(lambda n, keep=frozenset(counted): n in keep)
    counts.append((passed | f"One[{label}]" >> beam.Map(lambda n: (n, 1)), seeds)
                  | f"Passed[{label}]" >> beam.Flatten()
                  | f"Count[{label}]" >> beam.CombinePerKey(SumCombineFn()))
    return res["docs"]


def _duplicate_to_reject(rec: Dict[str, Any]) -> Dict[str, Any]:
    d = rec["dedup"]
    return reject_record(rec, "dedup", "duplicate",
                         f"near-duplicate of {d['duplicate_of']} (similarity {d['similarity']})")


def _history(p: beam.Pipeline, state_run: Dict[str, Any], kind: str):
    """Entries of earlier runs' ``kind`` segments whose input file was not reprocessed by this run."""
    segments = state_store.live_segments(state_run["state"], kind)
    live = state_run["live"]
    aliases = state_run["state"].get(f"{kind}_aliases", {})
    return (p | f"History{kind}" >> beam.Create(segments)
            | f"ReadHistory{kind}" >> beam.FlatMap(state_store.read_segment)
            | f"LiveHistory{kind}" >> beam.Filter(lambda e, live=live: live.get(e.get("file")) == e.get("run"))
            | f"Aliases{kind}" >> beam.Map(state_store.apply_aliases, aliases))


def _stamped(entry: Dict[str, Any], rec: Dict[str, Any], run: str) -> Dict[str, Any]:
    """A state entry with what later runs filter it by: the run, the input file and the source."""
    entry.update(run=run, file=state_store.source_file(rec["source"]), source=rec["source"])
    return entry


def _dedup_entry(rec: Dict[str, Any], run: str) -> Dict[str, Any]:
    return _stamped(history_entry(rec), rec, run)


def _events_entry(rec: Dict[str, Any], run: str, max_terms: int) -> Dict[str, Any]:
    return _stamped(history_signature(rec, max_terms), rec, run)


def build(p: beam.Pipeline, files: List[str], cfg: Dict[str, Any], out_dir: str,
          run_info: Dict[str, Any], state_run: Optional[Dict[str, Any]] = None) -> beam.PCollection:
    """Adds the whole pipeline to ``p``; returns the PCollection holding the manifest dict.

    ``state_run`` (incremental runs, ``--state``): ``{"dir", "run", "run_dir", "state" (as loaded), "prints"
    (fingerprints of the files processed now), "live" ({file: run} of earlier records that still count),
    "skipped"}``. Earlier records' keys join the cross-record stages; this run's keys are written as new
    segments and committed with the manifest."""
    tmp_dir = writers.join(out_dir, f".newsbeam-tmp-{uuid.uuid4().hex[:12]}")
    out_cfg = cfg["output"]
    # records waiting for a cross-record result are spilled here, not held in memory (removed at the end)
    spill_dir = writers.join(tmp_dir, "spill")

    read = p | "Read" >> ReadInputs(files, cfg)
    rejects = [read["rejects"]]
    counts = [_count(read["docs"], "read_docs"), _count(read["rejects"], "read_rejects")]
    docs = read["docs"]

    processes = int(cfg["parallel"]["processes"]) or (os.cpu_count() or 1)
    batch = int(cfg["parallel"]["batch_per_process"])
    # Event features need the resolved dedup cluster only as their signature's clustering unit: unless
    # duplicates are dropped (then their features would be wasted work), they are computed in the same chain
    # as the dedup keys (one pool pass, no idle pool over a barrier) and the unit is set after resolution.
    events_early = not out_cfg["drop_duplicates"]
    chain = PER_RECORD_BEFORE_DEDUP[2:] + ([(EventFeatures, "events")] if events_early else [])
    later = chain if events_early else chain + [(EventFeatures, "events")]
    docs = _per_record(docs, PER_RECORD_BEFORE_DEDUP[:2], cfg, processes, batch, rejects, counts, warm=later)
    # corpus-level pass: lines repeated across many documents of a site (boilerplate.repeated)
    res = docs | "RemoveRepeated" >> RemoveRepeated(cfg, spill_dir=spill_dir)
    docs = res["docs"]
    rejects.append(res["rejects"])
    counts.append(_count(docs, "repeated"))
    docs = _per_record(docs, chain, cfg, processes, batch, rejects, counts, uncounted=("events",))

    dedup_history = _history(p, state_run, "dedup") if state_run else None
    resolved = docs | "ResolveDuplicates" >> ResolveDuplicates(cfg, history=dedup_history,
                                                              keep_signatures=bool(state_run), spill_dir=spill_dir)
    docs, dedup_stats = resolved["docs"], resolved["stats"]
    if state_run:
        dedup_entries = docs | "StateDedup" >> beam.Map(_dedup_entry, state_run["run"])
    if out_cfg["drop_duplicates"]:
        split = docs | "SplitDuplicates" >> beam.Partition(
            lambda r, n: 1 if r["dedup"].get("duplicate_of") is not None else 0, 2)
        docs = split[0]
        rejects.append(split[1] | "DuplicateRejects" >> beam.Map(_duplicate_to_reject))

    if events_early:
        docs = docs | "EventUnits" >> beam.Map(set_event_unit)
    else:
        docs = _per_record(docs, [(EventFeatures, "events")], cfg, processes, batch, rejects, None)
    event_history = _history(p, state_run, "events") if state_run else None
    cluster_events = ClusterEvents(cfg, history=event_history, spill_dir=spill_dir)
    docs = docs | "ClusterEvents" >> cluster_events
    counts.append(_count(docs, "events"))

    if state_run:
        run, max_terms = state_run["run"], int(cfg["events"]["max_terms"])
        seg_tmp = writers.join(state_run["run_dir"], ".tmp")
        state_shards = [
            docs | "StateEvents" >> beam.Map(_events_entry, run, max_terms)
            | writers.WriteShards("events", state_run["run_dir"], seg_tmp, 1, "gzip"),
            dedup_entries | writers.WriteShards("dedup", state_run["run_dir"], seg_tmp, 1, "gzip"),
        ]
        state_shards = state_shards | "AllStateShards" >> beam.Flatten()
    else:
        state_shards = p | "NoState" >> beam.Create([])

    all_rejects = rejects | "AllRejects" >> beam.Flatten()
    shards = [
        docs | writers.WriteShards(writers.DOCS, out_dir, tmp_dir, out_cfg["shards"], out_cfg["compression"]),
        all_rejects | writers.WriteShards(writers.REJECTS, out_dir, tmp_dir, out_cfg["shards"],
                                          out_cfg["compression"]),
    ]
    shard_info = shards | "AllShards" >> beam.Flatten()

    def stage_counts(pairs):
        d = dict(pairs)
        out = {"read": d.pop("read_docs", 0) + d.pop("read_rejects", 0)}
        out.update({k: v for k, v in d.items()})
        return out

    stage_counts_pc = counts | "AllCounts" >> beam.Flatten() | "CountsList" >> beam.combiners.ToList() \
        | "CountsDict" >> beam.Map(stage_counts)
    doc_stats = docs | "DocStats" >> beam.CombineGlobally(DocStats())
    reject_stats = all_rejects | "RejectStats" >> beam.CombineGlobally(RejectStats())
    dedup_stats_one = dedup_stats | "DedupStats" >> beam.combiners.ToList() \
        | "DedupStatsOne" >> beam.Map(lambda xs: xs[0] if xs else {})

    return (p | "ManifestTrigger" >> beam.Create([None])
            | "Manifest" >> beam.ParDo(
                _WriteManifest(out_dir, tmp_dir, run_info, state_run),
                stage_counts=beam.pvalue.AsSingleton(stage_counts_pc),
                doc_stats=beam.pvalue.AsSingleton(doc_stats),
                reject_stats=beam.pvalue.AsSingleton(reject_stats),
                shards=beam.pvalue.AsList(shard_info),
                dedup_stats=beam.pvalue.AsSingleton(dedup_stats_one),
                event_merges=beam.pvalue.AsSingleton(cluster_events.merges),
                state_shards=beam.pvalue.AsList(state_shards)))
