"""State of incremental runs (``--state DIR``): which inputs were processed, and small keys of earlier records.

Layout of the state directory::

    state.json                      the committed state: {"version", "runs": [...], "files": {...}}
    runs/<run>/dedup-*.jsonl.gz     one small dedup node per record of that run (id, date, length, exact digest,
                                    MinHash signature, its cluster): what later runs match new records against
    runs/<run>/events-*.jsonl.gz    one event signature per record (terms, date, types, dup cluster, event id)

``files`` maps each processed input path to ``{"size", "mtime_ns", "sha1", "run"}``. A later run skips a file
whose size and mtime are unchanged (or whose content hash is unchanged), and reprocesses a changed one; the
records an earlier run made from a reprocessed file drop out of the history (their ``run`` no longer matches).

Segments are written by the pipeline under ``runs/<run>/`` and only become part of the state when
``state.json`` is replaced (written to a temporary name, then renamed) by the run's last step. A run that
crashes leaves at most an unreferenced ``runs/<run>/`` folder, ignored and removed by the next run. Texts are
never stored: about 1 KB of keys per record (see ``state_bytes`` in the manifest).
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import posixpath
import shutil
import uuid
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

VERSION = 1
STATE_FILE = "state.json"


class StateError(ValueError):
    """An unreadable or incompatible state directory (a usage error: exit 2)."""


def _join(*parts: str) -> str:
    return FileSystems.join(*parts)


def empty_state() -> Dict[str, Any]:
    return {"version": VERSION, "runs": [], "files": {}}


def load(state_dir: str) -> Dict[str, Any]:
    path = _join(state_dir, STATE_FILE)
    if not FileSystems.exists(path):
        return empty_state()
    try:
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as fh:
            state = json.loads(fh.read().decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise StateError(f"state file is unreadable: {path}: {exc}") from None
    if not isinstance(state, dict) or state.get("version") != VERSION:
        raise StateError(f"state file {path} has version {state.get('version') if isinstance(state, dict) else '?'}, "
                         f"this newsbeam reads version {VERSION}")
    return state


def file_sha1(path: str) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fingerprint(path: str) -> Dict[str, Any]:
    st = os.stat(path)
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def select_files(files: List[str], state: Dict[str, Any]) -> Tuple[List[str], List[str], Dict[str, Dict[str, Any]]]:
    """(files to process, files skipped as unchanged, fingerprints of the files to process)."""
    todo, skipped, prints = [], [], {}
    known = state.get("files", {})
    for path in files:
        key = os.path.abspath(path)
        try:
            fp = fingerprint(path)
        except OSError:
            todo.append(path)  # the reader will reject it with its reason
            continue
        old = known.get(key)
        if old and old.get("size") == fp["size"] and old.get("mtime_ns") == fp["mtime_ns"]:
            skipped.append(path)
            continue
        fp["sha1"] = file_sha1(path)
        if old and old.get("sha1") == fp["sha1"]:
            skipped.append(path)  # touched but not changed
            continue
        todo.append(path)
        prints[key] = fp
    return todo, skipped, prints


def live_segments(state: Dict[str, Any], kind: str) -> List[str]:
    """Segment files of ``kind`` (dedup or events) of every committed run, oldest first."""
    out = []
    for run in state.get("runs", []):
        out += [_join(run["dir"], name) for name in run.get("segments", {}).get(kind, [])]
    return out


def live_sources(state: Dict[str, Any], reprocessed: Iterable[str]) -> Dict[str, str]:
    """{absolute input path: run} for the files whose earlier records still count (not reprocessed now)."""
    again = {os.path.abspath(p) for p in reprocessed}
    return {path: meta["run"] for path, meta in state.get("files", {}).items() if path not in again}


def source_file(source: str) -> str:
    path, sep, num = str(source).rpartition("#")
    return os.path.abspath(path if sep and num.isdigit() else source)


def read_segment(path: str) -> Iterator[Dict[str, Any]]:
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as raw:
        with gzip.GzipFile(fileobj=raw) as fh:
            for line in io.TextIOWrapper(fh, encoding="utf-8"):
                if line.strip():
                    yield json.loads(line)


def new_run_id() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def resolve_alias(eid: Optional[str], aliases: Dict[str, str]) -> Optional[str]:
    seen = set()
    while eid in aliases and eid not in seen:
        seen.add(eid)
        eid = aliases[eid]
    return eid


def apply_aliases(entry: Dict[str, Any], aliases: Dict[str, str]) -> Dict[str, Any]:
    """A history entry with its event id (``eid``) or dedup cluster (``cluster``) mapped to the surviving id
    of later merges."""
    for field in ("eid", "cluster"):
        if aliases and entry.get(field) in aliases:
            entry = dict(entry, **{field: resolve_alias(entry[field], aliases)})
    return entry


def commit(state_dir: str, state: Dict[str, Any], run: Dict[str, Any], prints: Dict[str, Dict[str, Any]],
           merges: Optional[Dict[str, Dict[str, str]]] = None) -> int:
    """Adds ``run``, the processed files' fingerprints and the merges it found (``{"events"|"dedup":
    {absorbed: surviving}}``, kept as ``events_aliases`` / ``dedup_aliases``) to the state and replaces
    state.json atomically. Removes folders of runs that never committed. Returns the state's size in bytes
    on disk (local dirs)."""
    new = json.loads(json.dumps(state))
    new["runs"].append(run)
    for kind, found in (merges or {}).items():
        if found:
            new.setdefault(f"{kind}_aliases", {}).update(found)
    for path, fp in prints.items():
        new["files"][path] = dict(fp, run=run["run"])
    path = _join(state_dir, STATE_FILE)
    tmp = path + f".tmp-{uuid.uuid4().hex}"
    with FileSystems.create(tmp, compression_type=CompressionTypes.UNCOMPRESSED) as fh:
        fh.write(json.dumps(new, indent=1, sort_keys=True).encode("utf-8"))
    FileSystems.rename([tmp], [path])
    committed = {posixpath.basename(r["dir"].rstrip("/")) for r in new["runs"]}
    runs_dir = _join(state_dir, "runs")
    size = 0
    if "://" not in state_dir and os.path.isdir(runs_dir):
        for name in os.listdir(runs_dir):
            if name not in committed:
                shutil.rmtree(os.path.join(runs_dir, name), ignore_errors=True)
        for root, _, names in os.walk(state_dir):
            size += sum(os.path.getsize(os.path.join(root, n)) for n in names)
    return size


def check_writable(state_dir: str) -> str:
    if "://" in state_dir:
        return state_dir
    state_dir = os.path.abspath(state_dir)
    try:
        os.makedirs(os.path.join(state_dir, "runs"), exist_ok=True)
        probe = os.path.join(state_dir, f".probe-{uuid.uuid4().hex}")
        with open(probe, "w"):
            pass
        os.remove(probe)
    except OSError as exc:
        raise StateError(f"state directory is not writable: {state_dir}: {exc.strerror or exc}") from None
    return state_dir
