"""Corpus-level pass: removes lines and short blocks repeated across many documents of one site (and of the run).

In the style of C4's line deduplication and CCNet's paragraph hashes: a page template (menus, footers, "More
from X" teasers, newsletter boxes, legal lines) shows up verbatim on many pages of a site, while article text
does not. Runs after the per-record ``boilerplate`` stage, on its cleaned text; removed lines are counted in
``boilerplate.removed`` and ``boilerplate.reasons["repeated"]``.

Units: every line of the text (paragraphs are separated by blank lines, a paragraph may hold several lines)
and every multi-line paragraph as a whole, each with at most ``max_words`` words (long paragraphs are never
considered: real text repeated verbatim is rare, and syndicated or updated stories are the dedup stage's
business). A unit is hashed after normalisation (:func:`normalise`: NFKC, lower case, digits as 0, outer
punctuation and bullets stripped, single spaces), so "© 2024 Example" and "© 2025 Example" are one unit.

Decision (:func:`is_repeated_in_site`, :func:`is_repeated_in_run`), from counts of documents, each document
counting a unit once:

* site rule: in at least ``min_site_docs`` documents of the same site and in at least ``min_site_share``
  of that site's documents (documents without a site are only judged by the run rule);
* run rule: at most ``run_max_words`` words, in at least ``min_run_docs`` documents from at least
  ``min_run_sites`` different sites.

Beam: only small values are grouped: ``((site, hash), 1)`` per distinct unit per document and ``(site, 1)``
per document, summed per key; the repeated hashes (a small set) come back to the records as a side input
(``AsMultiMap`` site -> hashes). Counts do not depend on input order, bundles or workers, so neither does the
result. The pure functions are also used directly by the evaluation harness.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

import apache_beam as beam
from apache_beam import pvalue

from transforms.base import REJECTS, FromSpill, SpillRecords, SumCombineFn, TaggedOutputs, reject_record
from transforms.boilerplate import word_count

REASON = "repeated"
STAGE = "boilerplate"          # rejects (documents left without text) belong to the boilerplate stage
RUN_KEY = "\x00run"           # side-input key of the hashes repeated across the whole run
NO_SITE = ""

DEFAULTS = {
    "enabled": True,
    "max_words": 20,
    "min_site_docs": 3,
    "min_site_share": 0.05,
    "min_run_docs": 20,
    "min_run_sites": 10,
    "run_max_words": 8,
}

_DIGITS = re.compile(r"\d")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
_SPACES = re.compile(r"\s+")


def settings(cfg: Dict[str, Any]) -> Dict[str, Any]:
    """``boilerplate.repeated`` of a whole config (or the section itself), with defaults filled in."""
    rc = cfg.get("boilerplate", {}).get("repeated") if "boilerplate" in cfg else cfg
    out = dict(DEFAULTS)
    out.update(rc or {})
    return out


def normalise(line: str) -> str:
    """NFKC, lower case, digits as 0, leading/trailing punctuation and bullets removed, single spaces."""
    s = unicodedata.normalize("NFKC", line).lower()
    s = _DIGITS.sub("0", s)
    s = _SPACES.sub(" ", s).strip()
    return _EDGE.sub("", s)


def unit_hash(norm: str) -> str:
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=8).hexdigest()


def _paragraphs(text: str) -> List[List[str]]:
    return [[ln for ln in p.split("\n") if ln.strip()] for p in re.split(r"\n[ \t]*\n", (text or "").strip())]


def units(text: str, max_words: int) -> List[Tuple[int, Optional[int], str, int]]:
    """(paragraph index, line index or None for a whole paragraph, hash, word count) for every line and every
    multi-line paragraph with 1..``max_words`` words."""
    out = []
    for pi, para in enumerate(_paragraphs(text)):
        norms = [normalise(ln) for ln in para]
        for li, n in enumerate(norms):
            wc = word_count(n)
            if 0 < wc <= max_words:
                out.append((pi, li, unit_hash(n), wc))
        if len(para) > 1:
            joined = " ".join(n for n in norms if n)
            wc = word_count(joined)
            if 0 < wc <= max_words:
                out.append((pi, None, unit_hash(joined), wc))
    return out


def doc_hashes(text: str, rc: Dict[str, Any]) -> Dict[str, int]:
    """Distinct unit hashes of one document -> word count (each counted once per document)."""
    return {h: wc for _, _, h, wc in units(text, int(rc["max_words"]))}


def is_repeated_in_site(docs_with: int, site_docs: int, rc: Dict[str, Any]) -> bool:
    return docs_with >= int(rc["min_site_docs"]) and docs_with >= float(rc["min_site_share"]) * site_docs


def is_repeated_in_run(docs_with: int, sites_with: int, words: int, rc: Dict[str, Any]) -> bool:
    return (words <= int(rc["run_max_words"]) and docs_with >= int(rc["min_run_docs"])
            and sites_with >= int(rc["min_run_sites"]))


def remove_repeated(text: str, hashes: Set[str], rc: Dict[str, Any]) -> Tuple[str, int]:
    """Text without the lines (or whole paragraphs) whose hash is in ``hashes`` -> (text, lines removed)."""
    if not hashes:
        return text, 0
    paras = _paragraphs(text)
    drop_para: Set[int] = set()
    drop_line: Set[Tuple[int, int]] = set()
    for pi, li, h, _ in units(text, int(rc["max_words"])):
        if h in hashes:
            if li is None:
                drop_para.add(pi)
            else:
                drop_line.add((pi, li))
    removed = 0
    out = []
    for pi, para in enumerate(paras):
        kept = []
        for li, ln in enumerate(para):
            if pi in drop_para or (pi, li) in drop_line:
                removed += 1
            else:
                kept.append(ln)
        if kept:
            out.append("\n".join(kept))
    return "\n\n".join(out), removed


def find_repeated(docs: Iterable[Tuple[Optional[str], str]], rc: Dict[str, Any]) -> Dict[str, Set[str]]:
    """In memory, for a small corpus (tests, evaluation): [(site, text)] -> {site or RUN_KEY: repeated hashes}.
    The same decision as the Beam transform."""
    site_docs: Dict[str, int] = {}
    counts: Dict[Tuple[str, str], int] = {}
    words: Dict[str, int] = {}
    for site, text in docs:
        site = site or NO_SITE
        site_docs[site] = site_docs.get(site, 0) + 1
        for h, wc in doc_hashes(text, rc).items():
            counts[(site, h)] = counts.get((site, h), 0) + 1
            words[h] = wc
    out: Dict[str, Set[str]] = {}
    run: Dict[str, List[int]] = {}
    for (site, h), n in counts.items():
        if site != NO_SITE and is_repeated_in_site(n, site_docs[site], rc):
            out.setdefault(site, set()).add(h)
        acc = run.setdefault(h, [0, 0])
        acc[0] += n
        acc[1] += 1 if site != NO_SITE else 0
    for h, (n, s) in run.items():
        if is_repeated_in_run(n, s, words[h], rc):
            out.setdefault(RUN_KEY, set()).add(h)
    return out


def apply_to_record(record: Dict[str, Any], hashes: Set[str], rc: Dict[str, Any]) -> Dict[str, Any]:
    """Removes the repeated units from one record and updates its ``boilerplate`` counts (in place)."""
    text, removed = remove_repeated(record.get("text") or "", hashes, rc)
    if removed:
        record["text"] = text
        bp = dict(record.get("boilerplate") or {"removed": 0, "reasons": {}})
        reasons = dict(bp.get("reasons") or {})
        reasons[REASON] = reasons.get(REASON, 0) + removed
        bp["removed"] = int(bp.get("removed") or 0) + removed
        bp["reasons"] = dict(sorted(reasons.items()))
        record["boilerplate"] = bp
    return record


# ------------------------------------------------------------------------------------------------ Beam

def _site(record: Dict[str, Any]) -> str:
    return record.get("site") or NO_SITE


class _Apply(beam.DoFn):
    def __init__(self, rc: Dict[str, Any]):
        self._rc = rc

    def process(self, record, repeated):
        site = _site(record)
        hashes = set(repeated[RUN_KEY])
        if site != NO_SITE:
            hashes.update(repeated[site])
        before = record.get("text") or ""
        apply_to_record(record, hashes, self._rc)
        if before.strip() and not (record.get("text") or "").strip():
            removed = (record.get("boilerplate") or {}).get("reasons", {}).get(REASON, 0)
            yield pvalue.TaggedOutput(REJECTS, reject_record(
                record, STAGE, "no_text", f"nothing left after removing {removed} lines repeated across the site"))
        else:
            yield record


def _site_keys(record: Dict[str, Any], rc: Dict[str, Any]):
    site = _site(record)
    for h, wc in doc_hashes(record.get("text") or "", rc).items():
        yield (site, h, wc), 1


def _site_repeated(kv, site_docs, rc):
    (site, h, _), n = kv
    if site != NO_SITE and is_repeated_in_site(n, site_docs.get(site, 0), rc):
        yield site, h


def _run_repeated(kv, rc):
    (h, wc), (n, sites) = kv
    if is_repeated_in_run(n, sites, wc, rc):
        yield RUN_KEY, h


class RemoveRepeated(beam.PTransform):
    """``records | RemoveRepeated(cfg)`` -> ``{"docs", "rejects"}`` (``boilerplate.repeated`` settings)."""

    def __init__(self, cfg: Dict[str, Any], label: str = "RemoveRepeated", spill_dir: Optional[str] = None):
        """``spill_dir``: the records wait for the repeated lines in spill files there, not in memory
        (``transforms.base.apply_after``)."""
        super().__init__(label=label)
        self._rc = settings(cfg)
        self._spill_dir = spill_dir

    def expand(self, docs):
        rc = self._rc
        if not rc.get("enabled", True):
            return {"docs": docs, "rejects": docs | "NoRepeatedRejects" >> beam.FlatMap(lambda r: [])}
        site_docs = (docs | "SiteOfDoc" >> beam.Map(lambda r: (_site(r), 1))
                     | "DocsPerSite" >> beam.CombinePerKey(SumCombineFn()))
        counts = (docs | "UnitKeys" >> beam.FlatMap(_site_keys, rc)
                  | "DocsPerUnit" >> beam.CombinePerKey(SumCombineFn()))
        in_site = counts | "SiteRepeated" >> beam.FlatMap(_site_repeated, pvalue.AsDict(site_docs), rc)
        in_run = (counts
                  | "UnitOverSites" >> beam.Map(lambda kv: ((kv[0][1], kv[0][2]),
                                                              (kv[1], 1 if kv[0][0] != NO_SITE else 0)))
                  | "DocsAndSitesPerUnit" >> beam.CombinePerKey(SumCombineFn(2))
                  | "RunRepeated" >> beam.FlatMap(_run_repeated, rc))
        repeated = (in_site, in_run) | "AllRepeated" >> beam.Flatten()
        fn = _Apply(rc)
        if self._spill_dir:
            docs, fn = docs | SpillRecords(self._spill_dir, "repeated"), FromSpill(fn)
        return docs | "DropRepeated" >> TaggedOutputs(fn, [REJECTS], "docs", pvalue.AsMultiMap(repeated))
