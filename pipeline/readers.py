"""Read stage: input files, directories and globs -> raw records or read rejects.

Plain Python first (tested directly), a small Beam wrapper last.

Public API
----------
- :func:`expand_patterns` ``(patterns, cfg) -> [path]``: files, directories (walked) and globs, sorted and
  de-duplicated; a pattern matching nothing raises :class:`InputError` (the CLI turns it into exit 2).
- :func:`read_file_tagged` ``(path, cfg) -> Iterator[(tag, record)]``: ``tag`` is :data:`DOC` or
  :data:`REJECT`. Never raises.
- :func:`read_file` ``(path, cfg) -> Iterator[record]``: the same records without tags; tell rejects apart
  with :func:`is_reject`.
- :class:`ReadInputs` ``(files, cfg)``: Beam transform, ``pipeline | ReadInputs(files, cfg)`` gives
  ``{"docs": PCollection, "rejects": PCollection}``.

A raw record is ``{"id", "source", "url", "title", "published", "authors": [], "site": None,
"_format": "html"|"text"|"markdown", "_raw": str}``; a reject is ``transforms.base.reject_record(...)`` with
stage ``read`` and one of the reasons ``unreadable``, ``binary``, ``empty``, ``invalid_json``,
``missing_field``, ``too_large`` (``error`` only for a bug in this module).

``source`` is the path as given, plus ``#N`` inside JSONL/JSON and WARC/ARC files. For JSONL, N counts the
non-blank lines (1-based); for a JSON array it is the index + 1 (a single JSON object is ``#1``). For WARC/ARC,
N is the 1-based position of the record among *all* records of the archive (warcinfo, request, ...), so it
points at the record in the file; only ``response`` records with HTML content become documents, every other
record is skipped silently (it is neither a doc nor a reject: it is not an input document). A damaged archive
keeps the records read before the damage and gives one ``unreadable`` reject whose source is
``path#N`` of the first record that could not be read completely.
"""
from __future__ import annotations

import codecs
import glob
import gzip
import hashlib
import json
import os
import re
import zlib
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Tuple

import apache_beam as beam
from apache_beam import pvalue

from transforms.base import REJECTS, Reject, TaggedOutputs, reject_record

STAGE = "read"
DOC = "doc"
REJECT = "reject"

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 64 * 1024      # decompressed bytes looked at to guess a format
META_BYTES = 4096            # <meta charset> is looked for in this many leading bytes
HTML_TYPES = ("text/html", "application/xhtml+xml")

Record = Dict[str, Any]
Tagged = Tuple[str, Record]


class InputError(ValueError):
    """An input pattern that matches no file; one-line message (exit 2 in the CLI)."""


# --------------------------------------------------------------------------------------------- patterns

def expand_patterns(patterns: List[str], cfg: Dict[str, Any]) -> List[str]:
    """Every file named by ``patterns`` (files, directories walked recursively, globs), sorted, unique.

    Paths stay as the user gave them (relative stays relative), normalised with ``os.path.normpath``.
    When a directory is walked, names starting with ``input.skip_prefixes`` are skipped.
    """
    skip = tuple(cfg["input"]["skip_prefixes"])
    found = set()
    for pattern in patterns:
        files = _expand_one(pattern, skip)
        if not files:
            raise InputError(f"input pattern matches no files: {pattern}")
        found.update(files)
    return sorted(found)


def _expand_one(pattern: str, skip: Tuple[str, ...]) -> List[str]:
    if os.path.isfile(pattern):
        return [os.path.normpath(pattern)]
    if os.path.isdir(pattern):
        return _walk(pattern, skip)
    files: List[str] = []
    for match in glob.glob(pattern, recursive=True):
        if os.path.isdir(match):
            files.extend(_walk(match, skip))
        elif os.path.isfile(match):
            files.append(os.path.normpath(match))
    return files


def _walk(top: str, skip: Tuple[str, ...]) -> List[str]:
    """All files below ``top``, sorted, skipping names (files and directories) starting with ``skip``."""
    out = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not (skip and d.startswith(skip)))
        for name in filenames:
            if skip and name.startswith(skip):
                continue
            path = os.path.join(dirpath, name)
            if os.path.isfile(path):
                out.append(os.path.normpath(path))
    return sorted(out)


# ---------------------------------------------------------------------------------------------- records

def stable_id(source: str) -> str:
    """The id of a record without its own id: ``"nb-" + sha1(source)[:16]``."""
    return "nb-" + hashlib.sha1(source.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def is_reject(record: Record) -> bool:
    """True for a reject record (it has ``stage`` and ``reason``)."""
    return "reason" in record and "stage" in record


def _doc(source: str, fmt: str, raw: str, rid: Optional[str] = None, url: Optional[str] = None,
         title: Optional[str] = None, published: Optional[str] = None) -> Tagged:
    return DOC, {"id": rid or stable_id(source), "source": source, "url": url, "title": title,
                 "published": published, "authors": [], "site": None, "_format": fmt, "_raw": raw}


def _reject(source: str, reason: str, message: str, rid: Optional[str] = None) -> Tagged:
    return REJECT, reject_record({"source": source, "id": rid or stable_id(source)}, STAGE, reason, message)


# ------------------------------------------------------------------------------------------- entry point

def read_file(path: str, cfg: Dict[str, Any]) -> Iterator[Record]:
    """Raw records and reject records of one file (see the module doc); never raises."""
    for _tag, record in read_file_tagged(path, cfg):
        yield record


def read_file_tagged(path: str, cfg: Dict[str, Any]) -> Iterator[Tagged]:
    """``(DOC, raw record)`` and ``(REJECT, reject record)`` pairs of one file; never raises."""
    try:
        yield from _read_any(path, cfg)
    except (OSError, EOFError, zlib.error) as exc:
        yield _reject(path, "unreadable", _io_message(exc))
    except Exception as exc:  # a bug here must not fail the run
        yield _reject(path, "error", f"reader failed: {type(exc).__name__}: {exc}")


def _read_any(path: str, cfg: Dict[str, Any]) -> Iterator[Tagged]:
    if os.path.getsize(path) == 0:
        yield _reject(path, "empty", "empty file (0 bytes)")
        return
    fmt = _format_by_extension(path, cfg) or _sniff_format(_peek(path))
    if fmt == "archive":
        yield from _read_archive(path, cfg)
    elif fmt == "jsonl":
        yield from _read_json(path, cfg)
    else:
        yield _read_single(path, fmt, cfg)


def _format_by_extension(path: str, cfg: Dict[str, Any]) -> Optional[str]:
    """``html``, ``text``, ``markdown``, ``jsonl`` or ``archive`` from the name (a trailing .gz ignored)."""
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    ext = os.path.splitext(name)[1]
    inp = cfg["input"]
    for key, fmt in (("html_extensions", "html"), ("text_extensions", "text"),
                     ("markdown_extensions", "markdown"), ("jsonl_extensions", "jsonl"),
                     ("warc_extensions", "archive")):
        if ext and ext in inp[key]:
            return fmt
    return None


# ----------------------------------------------------------------------------------- opening and sniffing

@contextmanager
def _open(path: str):
    """The file as a binary stream, gunzipped on the fly when it starts with the gzip magic bytes."""
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        if gzipped:
            with gzip.GzipFile(fileobj=raw, mode="rb") as gz:
                yield gz
        else:
            yield raw


def _peek(path: str) -> bytes:
    """The first decompressed bytes of a file, without failing on a truncated or corrupt gzip."""
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head[:2] != GZIP_MAGIC:
        return head
    try:
        return zlib.decompressobj(wbits=47).decompress(head, SNIFF_BYTES)
    except zlib.error:
        return b""


def _head_text(head: bytes) -> str:
    enc = _bom_encoding(head)
    return head.decode(enc or "utf-8", "replace")


_HTML_RE = re.compile(r"<\s*(!doctype\s+html|html|head|body|meta|title)[\s>/]", re.I)


def _looks_like_html(head: bytes) -> bool:
    text = _head_text(head[:META_BYTES]).lstrip("\ufeff \t\r\n")
    return text.startswith("<") and bool(_HTML_RE.search(text))


def _looks_like_json(head: bytes) -> bool:
    """The first non-blank line is a JSON object, or the file starts a JSON array of objects."""
    text = _head_text(head).lstrip("\ufeff \t\r\n")
    if re.match(r"\[\s*(\{|\])", text):
        return True
    if not text.startswith("{"):
        return False
    line, newline, _ = text.partition("\n")
    if not newline:
        return text.rstrip().endswith("}") or len(head) >= SNIFF_BYTES
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _sniff_format(head: bytes) -> str:
    """Format of a file with an unknown extension, from its first bytes."""
    start = head.lstrip()
    if start.startswith((b"WARC/1.", b"WARC/0.", b"filedesc://")):
        return "archive"
    if _looks_like_html(head):
        return "html"
    if _looks_like_json(head):
        return "jsonl"
    return "text"


# ------------------------------------------------------------------------------------------- decoding

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_RE = re.compile(rb"<meta[^>]{0,512}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
# WHATWG: these labels mean windows-1252 in practice.
_CP1252_LABELS = {"iso8859-1", "latin-1", "ascii", "cp1252"}


def _bom_encoding(data: bytes) -> Optional[str]:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    return None


def _codecs_for(label: Optional[str], from_meta: bool) -> List[str]:
    """Python codecs to try for a declared charset label (none when the label is unknown)."""
    if not label:
        return []
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return []
    if from_meta and name.startswith(("utf-16", "utf-32")):
        return ["utf-8"]  # a meta tag readable as ASCII cannot be UTF-16 (WHATWG rule)
    if name in _CP1252_LABELS:
        return ["cp1252", name]
    return [name]


def _meta_charset(data: bytes) -> Optional[str]:
    m = _META_RE.search(data[:META_BYTES])
    return m.group(1).decode("ascii", "replace") if m else None


def _is_multibyte_utf8(data: bytes) -> bool:
    """True when ``data`` is not pure ASCII and decodes as strict UTF-8."""
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _strict(data: bytes, encodings: List[str]) -> Optional[str]:
    for enc in encodings:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return None


def _detect(data: bytes) -> Optional[str]:
    """charset_normalizer's best guess, or None."""
    from charset_normalizer import from_bytes
    best = from_bytes(data).best()
    return str(best) if best is not None else None


def _garbage_ratio(text: str) -> float:
    sample = text[:8192]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ch == "\x7f")
    return bad / len(sample)


def decode_bytes(data: bytes, html: bool = False, declared: Optional[str] = None) -> str:
    """Bytes of one document -> text. Raises :class:`Reject` (``binary`` or ``empty``), never a decode error.

    Order: byte order mark; ``declared`` charset (HTTP Content-Type); ``<meta charset>`` / ``http-equiv`` in
    the first 4 KB when ``html``; UTF-8; charset_normalizer's guess; UTF-8 with replacement characters.
    Exception: bytes that are valid UTF-8 and not pure ASCII are read as UTF-8 even when a single-byte charset
    is declared (a stale label on a re-encoded page; see :func:`_is_multibyte_utf8`).
    Binary: NUL bytes in the first 8 KB (unless a BOM or the declared charset says UTF-16/32), or more than
    10% replacement/control characters in the result.
    """
    if not data.strip():
        raise Reject("empty", "no content (only whitespace)")
    enc = _bom_encoding(data)
    if enc:
        text = data.decode(enc, "replace")
    else:
        declared_codecs = _codecs_for(declared, from_meta=False)
        wide = any(c.startswith(("utf-16", "utf-32")) for c in declared_codecs)
        if b"\x00" in data[:8192] and not wide:
            raise Reject("binary", "NUL bytes in the first 8 KB: not a text document")
        candidates = declared_codecs + (_codecs_for(_meta_charset(data), from_meta=True) if html else [])
        if candidates and not wide and _is_multibyte_utf8(data):
            # Bytes that are valid UTF-8 with multi-byte sequences are UTF-8 whatever a single-byte label says
            # (pages re-saved as UTF-8 keep their old "iso-8859-1" meta tag; real Latin-1/cp1252 text almost
            # never forms valid UTF-8 sequences). Decoding them as Latin-1 would turn "für" into "fÃ¼r".
            candidates = ["utf-8"]
        text = _strict(data, candidates + ["utf-8"])
        if text is None:
            text = _detect(data)
        if text is None:
            text = data.decode("utf-8", "replace")
    if _garbage_ratio(text) > 0.10:
        raise Reject("binary", "mostly undecodable or control characters: not a text document")
    if not text.strip():
        raise Reject("empty", "no content (only whitespace)")
    return text


# ------------------------------------------------------------------------------------ single documents

def _too_large_message(limit: int) -> str:
    return f"document larger than input.max_document_bytes ({limit} bytes)"


def _read_single(path: str, fmt: str, cfg: Dict[str, Any]) -> Tagged:
    """One HTML, text or markdown file -> one record."""
    limit = cfg["input"]["max_document_bytes"]
    try:
        with _open(path) as fh:
            data = fh.read(limit + 1)  # never more than limit + 1 bytes, even from gzip
    except (OSError, EOFError, zlib.error) as exc:
        return _reject(path, "unreadable", _io_message(exc))
    if len(data) > limit:
        return _reject(path, "too_large", _too_large_message(limit))
    try:
        text = decode_bytes(data, html=(fmt == "html"))
    except Reject as exc:
        return _reject(path, exc.reason, exc.message)
    return _doc(path, fmt, text)


def _io_message(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return f"truncated gzip stream: {exc}"
    if isinstance(exc, (gzip.BadGzipFile, zlib.error)):
        return f"corrupt gzip stream: {exc}"
    return f"cannot read file: {type(exc).__name__}: {exc}"


# ----------------------------------------------------------------------------------------- JSONL / JSON

def _read_json(path: str, cfg: Dict[str, Any]) -> Iterator[Tagged]:
    """JSON lines (one object a line), or a whole-file JSON array of objects / single object."""
    head = _head_text(_peek(path)).lstrip("\ufeff \t\r\n")
    if not head.startswith(("{", "[")) and not _any_json_object_line(head):
        yield _reject(path, "invalid_json", "not JSON: no line of the file's start is a JSON object")
        return
    if head.startswith("["):
        yield from _read_json_whole(path, cfg)
        return
    if head.startswith("{"):
        first = head.partition("\n")[0]
        try:
            json.loads(first)
        except ValueError:  # not one object a line: maybe one pretty-printed object
            whole = list(_read_json_whole(path, cfg, quiet=True))
            if whole:
                yield from whole
                return
    yield from _read_json_lines(path, cfg)


def _any_json_object_line(head: str) -> bool:
    for line in head.splitlines()[:-1]:  # the last line of the head may be cut
        if line.lstrip().startswith("{"):
            try:
                if isinstance(json.loads(line), dict):
                    return True
            except ValueError:
                pass
    return False


def _read_json_lines(path: str, cfg: Dict[str, Any]) -> Iterator[Tagged]:
    limit = cfg["input"]["max_document_bytes"]
    n = 0
    try:
        with _open(path) as fh:
            for line in _capped_lines(fh, limit):
                if line is not None and not line.strip():
                    continue
                n += 1
                source = f"{path}#{n}"
                if line is None:
                    yield _reject(source, "too_large", _too_large_message(limit))
                    continue
                yield _json_line(line, source, cfg)
    except (OSError, EOFError, zlib.error) as exc:
        yield _reject(f"{path}#{n + 1}", "unreadable", f"after line record {n}: {_io_message(exc)}")


def _capped_lines(fh, limit: int) -> Iterator[Optional[bytes]]:
    """Lines of a binary stream; None for a line longer than ``limit`` bytes (whose rest is skipped)."""
    while True:
        line = fh.readline(limit + 2)
        if not line:
            return
        if len(line.rstrip(b"\r\n")) > limit:
            while not line.endswith(b"\n"):
                line = fh.readline(1 << 20)
                if not line:
                    break
            yield None
        else:
            yield line


def _json_line(line: bytes, source: str, cfg: Dict[str, Any]) -> Tagged:
    text = line.decode("utf-8", "replace").lstrip("\ufeff")
    try:
        obj = json.loads(text)
    except ValueError as exc:
        return _reject(source, "invalid_json", f"not valid JSON: {exc}")
    return _json_record(obj, source, cfg)


def _read_json_whole(path: str, cfg: Dict[str, Any], quiet: bool = False) -> Iterator[Tagged]:
    """A file holding one JSON value: an array of objects (``#index+1``) or one object (``#1``).

    With ``quiet``, a file that does not parse yields nothing (the caller falls back to JSON lines).
    """
    limit = cfg["input"].get("max_json_file_bytes", 500_000_000)
    with _open(path) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        if not quiet:
            yield _reject(path, "too_large", f"JSON file larger than input.max_json_file_bytes ({limit} bytes)")
        return
    try:
        value = json.loads(data.decode("utf-8", "replace").lstrip("\ufeff"))
    except ValueError as exc:
        if not quiet:
            yield _reject(path, "invalid_json", f"not valid JSON: {exc}")
        return
    items = value if isinstance(value, list) else [value]
    for i, obj in enumerate(items):
        yield _json_record(obj, f"{path}#{i + 1}", cfg)


def _json_record(obj: Any, source: str, cfg: Dict[str, Any]) -> Tagged:
    """One decoded JSON value -> raw record, mapped by ``input.jsonl_fields``."""
    if not isinstance(obj, dict):
        return _reject(source, "invalid_json", f"a JSON {type(obj).__name__}, not an object")
    fields = cfg["input"]["jsonl_fields"]
    rid = obj.get(fields["id"])
    rid = str(rid) if rid is not None and not isinstance(rid, (dict, list)) and str(rid).strip() else None
    html, text = obj.get(fields["html"]), obj.get(fields["text"])
    if isinstance(html, str) and html.strip():
        fmt, raw = "html", html
    elif isinstance(text, str) and text.strip():
        fmt, raw = "text", text
    elif isinstance(html, str) or isinstance(text, str):
        return _reject(source, "empty", f"fields '{fields['html']}'/'{fields['text']}' are blank", rid)
    else:
        return _reject(source, "missing_field",
                       f"no string field '{fields['html']}' or '{fields['text']}'", rid)
    limit = cfg["input"]["max_document_bytes"]
    if len(raw.encode("utf-8", "surrogatepass")) > limit:
        return _reject(source, "too_large", _too_large_message(limit), rid)
    return _doc(source, fmt, raw, rid, url=_str_or_none(obj.get(fields["url"])),
                title=_str_or_none(obj.get(fields["title"])),
                published=_str_or_none(obj.get(fields["published"])))


def _str_or_none(value: Any) -> Optional[str]:
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


# ------------------------------------------------------------------------------------------ WARC / ARC

class _Truncated(Exception):
    """An archive record whose block ends before its declared length."""


def _archive_iterator(fh):
    """warcio's ArchiveIterator (ARC records converted to WARC), tolerant of ARCs without blank lines
    between records (e.g. Common Crawl 2008-2010 ARCs): warcio would swallow the next record's header line.
    """
    from warcio.archiveiterator import ArchiveIterator

    class _Lenient(ArchiveIterator):
        def _consume_blanklines(self):
            empty_size = 0
            while True:
                line = self.reader.readline()
                if not line:
                    return None, empty_size
                if line.strip():
                    return line, empty_size
                empty_size += len(line)

    return _Lenient(fh, arc2warc=True)


class _Read1:
    """A gzip stream whose ``read(n)`` returns what is decompressed so far (``read1``), so that read-ahead
    does not report damage at the end of the file while an earlier, intact record is being read."""

    def __init__(self, gz: gzip.GzipFile):
        self._gz = gz

    def read(self, size: int = -1) -> bytes:
        return self._gz.read(size) if size is None or size < 0 else self._gz.read1(size)

    def __getattr__(self, name):
        return getattr(self._gz, name)


def _read_archive(path: str, cfg: Dict[str, Any]) -> Iterator[Tagged]:
    """HTML response records of a WARC/ARC (plain or gzip); a damaged archive ends with one reject."""
    limit = cfg["input"]["max_document_bytes"]
    done = 0
    fh = None
    try:
        fh = open(path, "rb")
        gzipped = fh.read(2) == GZIP_MAGIC
        fh.seek(0)
        # warcio refuses whole-file (not per-record) gzip; gunzipping here reads both kinds.
        stream = _Read1(gzip.GzipFile(fileobj=fh, mode="rb")) if gzipped else fh
        for rec in _archive_iterator(stream):
            out = _archive_record(rec, f"{path}#{done + 1}", limit)
            _finish_record(rec)
            done += 1
            if out is not None:
                yield out
    except Exception as exc:  # warcio raises many kinds on damaged input
        where = fh.tell() if fh is not None and not fh.closed else "?"
        yield _reject(f"{path}#{done + 1}", "unreadable",
                      f"archive damaged at record {done + 1} (after {done} complete records, "
                      f"near byte {where}): {type(exc).__name__}: {str(exc).strip()[:200]}")
    finally:
        if fh is not None:
            fh.close()


def _finish_record(rec) -> None:
    """Read the rest of a record's block; raise :class:`_Truncated` when it is shorter than declared."""
    stream = rec.raw_stream
    while stream.read(1 << 16):
        pass
    missing = getattr(stream, "limit", 0)
    if missing and missing > 0:
        raise _Truncated(f"record cut short: {missing} of {rec.length} bytes missing")


def _archive_record(rec, source: str, limit: int) -> Optional[Tagged]:
    """A response record with HTML content -> record or reject; anything else -> None (skipped)."""
    if rec.rec_type != "response":
        return None
    headers = rec.http_headers if rec.http_headers is not None else rec.rec_headers
    ctype = headers.get_header("Content-Type") or ""
    media = ctype.split(";")[0].strip().lower()
    if media and media not in HTML_TYPES:
        return None
    url = rec.rec_headers.get_header("WARC-Target-URI")
    data = rec.content_stream().read(limit + 1)
    if len(data) > limit:
        return _reject(source, "too_large", _too_large_message(limit))
    if not media and not _looks_like_html(data[:SNIFF_BYTES]):
        return None
    charset = _CHARSET_RE.search(ctype)
    try:
        text = decode_bytes(data, html=True, declared=charset.group(1) if charset else None)
    except Reject as exc:
        return _reject(source, exc.reason, exc.message)
    return _doc(source, "html", text, url=url)


# ------------------------------------------------------------------------------------------------- Beam

def _emit(path: str, cfg: Dict[str, Any]):
    for tag, record in read_file_tagged(path, cfg):
        yield record if tag == DOC else pvalue.TaggedOutput(REJECTS, record)


class ReadInputs(beam.PTransform):
    """``files`` (already expanded) -> ``{"docs": raw records, "rejects": read rejects}``.

    Files are spread over workers with a Reshuffle, then each is read by :func:`read_file_tagged`.
    """

    def __init__(self, files: List[str], cfg: Dict[str, Any], label: str = "Read"):
        super().__init__(label=label)
        self._files = sorted(files)
        self._cfg = cfg

    def expand(self, pbegin):
        return (pbegin
                | "Files" >> beam.Create(self._files)
                | "Spread" >> beam.Reshuffle()
                | "ReadFiles" >> TaggedOutputs(_emit, [REJECTS], "docs", self._cfg))
