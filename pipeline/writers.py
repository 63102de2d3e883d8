"""Sharded JSONL output without half-written files, and without shuffling whole documents.

Each bundle writes the lines it sees into sorted *run files* in a temporary folder inside the output
directory (one run per shard, flushed every ``RUN_LINES`` lines), and emits only ``(shard, run path)``.
Those small pairs are grouped per shard; one step per shard then merges its runs in order of the records'
``source`` (so the bytes of a shard do not depend on bundles, workers or input order) into a temporary
file that is renamed to its final name when complete. The manifest step comes last, after every shard is in
place, and then removes stale shards of earlier runs and the temporary folder.

File access goes through Beam's ``FileSystems``, so the output directory may be on any file system Beam
knows (local, gs://, s3://, hdfs://) and the same writer works on runners whose own text sinks do not.
"""
from __future__ import annotations

import gzip
import hashlib
import heapq
import io
import json
import os
import posixpath
import re
import uuid
from typing import Any, Dict, Iterable, Iterator, List, Tuple

import apache_beam as beam
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

DOCS = "docs"
REJECTS = "rejects"
RUN_LINES = 2000
REJECT_FIELDS = ("source", "id", "stage", "reason", "message")


def join(base: str, *parts: str) -> str:
    return FileSystems.join(base, *parts)


def shard_of(key: str, shards: int) -> int:
    """Stable shard of a record (blake2b of its source), the same in every process."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def sort_key(source: str) -> str:
    """Order of records inside a shard: by file, then by record number (``a.jsonl#2`` before ``#10``)."""
    path, sep, num = source.rpartition("#")
    if sep and num.isdigit():
        return f"{path}#{int(num):012d}"
    return source


def shard_name(kind: str, shard: int, shards: int, compression: str) -> str:
    ext = ".jsonl.gz" if compression == "gzip" else ".jsonl"
    return f"{kind}-{shard:05d}-of-{shards:05d}{ext}"


SHARD_RE = re.compile(r"^(docs|rejects)-\d{5}-of-\d{5}\.jsonl(\.gz)?$")


def public_record(record: Dict[str, Any]) -> Dict[str, Any]:
    """The record as written: internal ``_`` fields dropped."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def to_line(record: Dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=False, separators=(", ", ": "))


class _WriteRuns(beam.DoFn):
    """Buffers lines per shard and writes them as sorted run files; emits ``("kind:shard", path)``.

    Everything is emitted from ``process``, nothing from ``finish_bundle`` (some runners, e.g. Beam's
    DaskRunner, drop what a DoFn emits there): the first record of a shard in a bundle announces the
    bundle's tail run file of that shard, written by ``finish_bundle`` (possibly empty); full buffers are
    written to further run files announced as they are written.
    """

    def __init__(self, kind: str, tmp_dir: str, shards: int):
        self._kind = kind
        self._tmp_dir = tmp_dir
        self._shards = shards

    def start_bundle(self):
        self._buffers: Dict[int, List[Tuple[str, str]]] = {}
        self._tails: Dict[int, str] = {}
        self._bundle = uuid.uuid4().hex

    def _path(self, shard: int, suffix: str) -> str:
        return join(self._tmp_dir, f"run-{self._kind}-{shard:05d}-{self._bundle}-{suffix}.txt")

    def process(self, record: Dict[str, Any]):
        source = record.get("source") or ""
        shard = shard_of(source, self._shards)
        rec = {k: record.get(k) for k in REJECT_FIELDS} if self._kind == REJECTS else public_record(record)
        out = []
        if shard not in self._tails:
            self._tails[shard] = self._path(shard, "tail")
            out.append((f"{self._kind}:{shard}", self._tails[shard]))
        buf = self._buffers.setdefault(shard, [])
        buf.append((sort_key(source), to_line(rec)))
        if len(buf) >= RUN_LINES:
            path = self._path(shard, uuid.uuid4().hex)
            self._write(path, self._buffers.pop(shard))
            out.append((f"{self._kind}:{shard}", path))
        return out

    @staticmethod
    def _write(path: str, buf: List[Tuple[str, str]]) -> None:
        buf.sort()
        with FileSystems.create(path, compression_type=CompressionTypes.UNCOMPRESSED) as fh:
            out = io.TextIOWrapper(fh, encoding="utf-8", newline="\n")
            for key, line in buf:
                out.write(json.dumps(key))
                out.write("\t")
                out.write(line)
                out.write("\n")
            out.flush()
            out.detach()

    def finish_bundle(self):
        for shard in sorted(self._tails):
            self._write(self._tails[shard], self._buffers.pop(shard, []))
        self._tails = {}


def _read_run(path: str) -> Iterator[Tuple[str, str]]:
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as fh:
        for raw in io.TextIOWrapper(fh, encoding="utf-8", newline="\n"):
            key, _, line = raw.rstrip("\n").partition("\t")
            yield key, line


class _MergeShard(beam.DoFn):
    """Merges one shard's runs into its final file (written under a temporary name, then renamed)."""

    def __init__(self, out_dir: str, tmp_dir: str, shards: int, compression: str):
        self._out_dir = out_dir
        self._tmp_dir = tmp_dir
        self._shards = shards
        self._compression = compression

    def process(self, element):
        key, paths = element
        kind, shard = key.split(":")
        shard = int(shard)
        paths = sorted(p for p in paths if p)
        name = shard_name(kind, shard, self._shards, self._compression)
        tmp = join(self._tmp_dir, "final-" + name)
        count = 0
        with FileSystems.create(tmp, compression_type=CompressionTypes.UNCOMPRESSED) as raw:
            fh = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if self._compression == "gzip" else raw
            for _, line in heapq.merge(*(_read_run(p) for p in paths)):
                fh.write(line.encode("utf-8"))
                fh.write(b"\n")
                count += 1
            if fh is not raw:
                fh.close()
        final = join(self._out_dir, name)
        if FileSystems.exists(final):
            FileSystems.delete([final])
        FileSystems.rename([tmp], [final])
        if paths:
            FileSystems.delete(paths)
        yield {"kind": kind, "shard": shard, "file": name, "records": count}


class WriteShards(beam.PTransform):
    """Writes a PCollection of records (``kind`` docs) or rejects into ``kind-SSSSS-of-NNNNN`` shards.

    Output: one small dict per shard ``{"kind", "shard", "file", "records"}``.
    """

    def __init__(self, kind: str, out_dir: str, tmp_dir: str, shards: int, compression: str):
        super().__init__(label=f"Write{kind.capitalize()}")
        self._kind = kind
        self._out_dir = out_dir
        self._tmp_dir = tmp_dir
        self._shards = shards
        self._compression = compression

    def expand(self, pcoll):
        runs = pcoll | "Runs" >> beam.ParDo(_WriteRuns(self._kind, self._tmp_dir, self._shards))
        # Every shard exists, even an empty one, so a reader always finds the full set.
        every = (pcoll.pipeline | "AllShards" >> beam.Create(
            [(f"{self._kind}:{s}", "") for s in range(self._shards)]))
        return ((runs, every) | "Flatten" >> beam.Flatten()
                | "GroupRuns" >> beam.GroupByKey()
                | "Merge" >> beam.ParDo(_MergeShard(self._out_dir, self._tmp_dir, self._shards,
                                                    self._compression)))


def write_json_atomic(path: str, obj: Any) -> None:
    """Writes ``obj`` as pretty JSON to a temporary name beside ``path``, then renames it."""
    tmp = path + f".tmp-{uuid.uuid4().hex}"
    data = (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    if "://" not in path:  # local: one atomic replace, readers never see the file missing
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return
    with FileSystems.create(tmp, compression_type=CompressionTypes.UNCOMPRESSED) as fh:
        fh.write(data)
    if FileSystems.exists(path):
        FileSystems.delete([path])
    FileSystems.rename([tmp], [path])


def remove_stale(out_dir: str, keep: Iterable[str]) -> List[str]:
    """Deletes docs-/rejects- shards in ``out_dir`` that this run did not write (an earlier run's)."""
    keep = set(keep)
    stale = []
    for meta in FileSystems.match([join(out_dir, "*")])[0].metadata_list:
        name = posixpath.basename(meta.path.rstrip("/"))
        if SHARD_RE.match(name) and name not in keep:
            stale.append(meta.path)
    if stale:
        FileSystems.delete(stale)
    return sorted(posixpath.basename(p) for p in stale)


def write_lines_atomic(path: str, tmp_path: str, lines: Iterable[str], compression: str) -> int:
    """Writes ``lines`` (one JSON record each) to ``tmp_path``, then renames it to ``path``; returns the count.
    A reader never sees a half-written file under ``path``."""
    count = 0
    with FileSystems.create(tmp_path, compression_type=CompressionTypes.UNCOMPRESSED) as raw:
        fh = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if compression == "gzip" else raw
        for line in lines:
            fh.write(line.encode("utf-8"))
            fh.write(b"\n")
            count += 1
        if fh is not raw:
            fh.close()
    if "://" not in path:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        os.replace(tmp_path, path)
        return count
    if FileSystems.exists(path):
        FileSystems.delete([path])
    FileSystems.rename([tmp_path], [path])
    return count
