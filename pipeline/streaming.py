"""``newsbeam run --streaming``: watch the inputs and process new files as they land (local micro-batches).

The local runner only emits the results of a windowed GroupByKey at the end of a run, so an unbounded Beam
pipeline on it would write nothing until stopped. Streaming here is therefore a loop of small batch runs on
top of the incremental-run state (``--state``, see pipeline/state.py); the native windowed graph for runners
with unbounded sources (Pub/Sub, Kafka on Dataflow or Flink) is pipeline/windowed.py:

1. every ``streaming.poll_seconds`` the input patterns are listed again (a pattern that matches nothing yet
   is fine: the inbox may be empty);
2. files that changed within the last ``streaming.settle_seconds`` are left for the next poll (a file still
   being written is not read half-way), and files already in the state with the same size and mtime (or
   content hash) are skipped;
3. the new files (at most ``streaming.max_batch_files``) go through the same graph as a batch run, against
   the state: a copy arriving an hour after its original points at it (``dedup.duplicate_of``), a later
   report joins the existing event id;
4. the micro-batch writes its own output folder ``OUTPUT/<run id>/`` (``docs-*``, ``rejects-*``,
   ``manifest.json``; run ids sort by time), each shard written under a temporary name and renamed, and
   the state is committed atomically. Then ``OUTPUT/manifest.json`` (written to a temporary name and
   renamed) is brought up to date: every batch, summed counts, accounting.

SIGINT or SIGTERM stops the loop cleanly: a batch in progress finishes (its records and state are
committed), the top-level manifest is written with ``stopped_by``, and the process exits 0. A batch that
fails stops the loop with exit 1; its files stay unprocessed in the state and are retried by the next start.

The state directory is ``--state DIR`` when given, else ``OUTPUT/_state``. Records of different batches
are never in the same output file; the union of all batches equals one batch run over the same files
(modulo event clusters merged later, listed in each batch manifest's ``events.merged``).
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import threading
import time
from typing import Any, Dict, List, Optional

from pipeline.cli import RunFailed, check_output, public_config, check_state_dir, plan_state_run, run_pipeline
from pipeline.options import runner_description
from pipeline.options import UsageError
from pipeline.writers import write_json_atomic

STATE_SUBDIR = "_state"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def list_inputs(patterns: List[str], cfg: Dict[str, Any]) -> List[str]:
    """Every file the patterns name now; a pattern that matches nothing yet gives nothing (no error)."""
    from pipeline.readers import _expand_one
    skip = tuple(cfg["input"]["skip_prefixes"])
    found = set()
    for pattern in patterns:
        found.update(_expand_one(pattern, skip))
    return sorted(found)


def settled(files: List[str], settle_seconds: float, now: Optional[float] = None) -> List[str]:
    """The files whose last change is at least ``settle_seconds`` old (vanished files are left out)."""
    now = time.time() if now is None else now
    out = []
    for path in files:
        try:
            if now - os.stat(path).st_mtime >= settle_seconds:
                out.append(path)
        except OSError:
            continue
    return out


class StopFlag:
    """Set by SIGINT/SIGTERM (the handlers are installed by :meth:`install`, restored by :meth:`restore`)."""

    def __init__(self):
        self.event = threading.Event()
        self.signal_name: Optional[str] = None
        self._old: Dict[int, Any] = {}

    def _handler(self, signum, frame):
        if self.event.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt  # a second Ctrl-C: stop now
        self.signal_name = signal.Signals(signum).name
        self.event.set()
        print(f"newsbeam: {self.signal_name} received: finishing the current batch, then stopping",
              file=sys.stderr, flush=True)

    def install(self) -> "StopFlag":
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handler)
        return self

    def restore(self) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)
        self._old.clear()


def _summary_line(batch: Dict[str, Any]) -> str:
    c = batch["counts"]
    return (f"newsbeam: batch {batch['run']}: {batch['files']} files, {c['read']} records -> {c['docs']} docs, "
            f"{c['rejects']} rejects ({batch['seconds']:.1f} s)")


def top_manifest(out_dir: str, state_dir: str, started: str, batches: List[Dict[str, Any]],
                 stopped_by: Optional[str], version: str, run_info: Optional[Dict[str, Any]] = None,
                 ended: bool = False) -> Dict[str, Any]:
    """The top-level manifest: the contract's run fields (``run_info``: config, runner) with counts, counts
    per stage and rejects per stage and reason summed over the batches; ``end`` once ``ended``."""
    totals = {k: sum(b["counts"][k] for b in batches) for k in ("read", "docs", "rejects")}
    stages: Dict[str, int] = {}
    rejects: Dict[str, Dict[str, int]] = {}
    for b in batches:
        for stage, n in (b.get("stages") or {}).items():
            stages[stage] = stages.get(stage, 0) + n
        for stage, reasons in (b.get("rejects_by_stage") or {}).items():
            into = rejects.setdefault(stage, {})
            for reason, n in reasons.items():
                into[reason] = into.get(reason, 0) + n
    now = _now()
    return {
        **(run_info or {}),
        "version": version,
        "mode": "streaming",
        "output": out_dir,
        "state": state_dir,
        "start": started,
        "updated": now,
        "end": now if ended else None,
        "stopped_by": stopped_by,
        "batches": batches,
        "counts": totals,
        "stages": stages,
        "rejects_by_stage": rejects,
        "accounting_ok": all(b["accounting_ok"] for b in batches),
    }


def stream(args, cfg: Dict[str, Any], opts, stop: Optional[StopFlag] = None,
           max_batches: Optional[int] = None) -> int:
    """The streaming loop (see the module doc). Returns the exit code."""
    from pipeline import __version__
    sc = cfg["streaming"]
    poll, settle, max_files = float(sc["poll_seconds"]), float(sc["settle_seconds"]), int(sc["max_batch_files"])
    out_dir = check_output(args.output)
    if "://" in out_dir:
        raise UsageError("--streaming writes to a local output directory")
    # proves the state directory usable before anything runs (exit 2 otherwise)
    state_dir = check_state_dir(args.state or os.path.join(out_dir, STATE_SUBDIR))
    own_stop = stop is None
    stop = (stop or StopFlag()).install() if own_stop else stop
    started = _now()
    run_info = {"config": public_config(cfg), "config_file": cfg.get("_source"), "inputs": list(args.input),
                **runner_description(opts)}
    batches: List[Dict[str, Any]] = []
    manifest_path = os.path.join(out_dir, "manifest.json")
    code = 0
    if not args.quiet:
        print(f"newsbeam: streaming from {', '.join(args.input)} into {out_dir} (state {state_dir}); "
              f"stop with Ctrl-C or SIGTERM", flush=True)
    try:
        write_json_atomic(manifest_path, top_manifest(out_dir, state_dir, started, batches, None, __version__, run_info))
        while not stop.event.is_set():
            files = settled(list_inputs(args.input, cfg), settle)
            todo, state_run = plan_state_run(state_dir, files, max_files)
            if not todo:
                stop.event.wait(poll)
                continue
            batch_dir = os.path.join(out_dir, state_run["run"])
            os.makedirs(batch_dir, exist_ok=True)
            t0 = time.monotonic()
            try:
                m = run_pipeline(todo, cfg, opts, batch_dir, args.input, state_run)
            except RunFailed as exc:
                print(f"newsbeam: run failed: batch {state_run['run']}: {exc}", file=sys.stderr)
                code = 1
                break
            batch = {"run": state_run["run"], "dir": os.path.relpath(batch_dir, out_dir), "files": len(todo),
                     "counts": {k: m["counts"][k] for k in ("read", "docs", "rejects")},
                     "stages": m.get("stages", {}), "rejects_by_stage": m.get("rejects_by_stage", {}),
                     "accounting_ok": m["accounting_ok"], "seconds": round(time.monotonic() - t0, 3),
                     "end": _now()}
            batches.append(batch)
            write_json_atomic(manifest_path, top_manifest(out_dir, state_dir, started, batches, None, __version__, run_info))
            if not args.quiet:
                print(_summary_line(batch), flush=True)
            if not m["accounting_ok"]:
                print("newsbeam: accounting mismatch: records read != docs + rejects", file=sys.stderr)
                code = 1
                break
            if max_batches is not None and len(batches) >= max_batches:
                break
    except KeyboardInterrupt:
        print("newsbeam: interrupted", file=sys.stderr)
        code = 1
    finally:
        if own_stop:
            stop.restore()
        final = top_manifest(out_dir, state_dir, started, batches, stop.signal_name, __version__,
                             run_info, ended=True)
        write_json_atomic(manifest_path, final)
    if not args.quiet:
        c = final["counts"]
        print(f"newsbeam {__version__}: streaming stopped ({stop.signal_name or 'end'}): {len(batches)} batches, "
              f"{c['read']} records read -> {c['docs']} docs, {c['rejects']} rejects "
              f"(accounting {'ok' if final['accounting_ok'] else 'MISMATCH'})", flush=True)
    if code == 0 and not final["accounting_ok"]:
        code = 1
    return code
