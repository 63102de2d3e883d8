"""Extraction and boilerplate removal on real pages: our extract+boilerplate stages vs trafilatura alone.

For every set, side by side in one run: word 4-gram shingle precision/recall/F1 (micro and macro), snippet
checks (trafilatura-eval), metadata accuracy (title, date, authors) where labelled, and ms per page. The
plain-text case feeds each page's visible text (one block a line) through the same stages and scores which
lines survive against the gold main text.
"""
from __future__ import annotations

import ast
import collections
import difflib
import glob
import json
import multiprocessing as mp
import os
import re
import time
import unicodedata
from typing import Any, Dict, List, Optional, Tuple

from evaluation.data import MissingData, data_dir, read_maybe_gz, say
from evaluation.scoring import aggregate, f1, prf_counts, shingles, tokens

# ---------------------------------------------------------------------------------------------- datasets
# A page: {"id", "path" (the HTML file, maybe .gz), "gold" (main text or None), "with"/"without" (snippets),
#          "meta": {"title", "date", "authors"} (only labelled keys), "url"}


def _decode_gold(raw: bytes) -> str:
    """Gold files come in several encodings: UTF-16 with a BOM (some Dragnet files), UTF-8, or cp1252."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16", "replace")
    if raw[:3] == b"\xef\xbb\xbf":
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def _gold_cleaneval(raw: bytes) -> str:
    text = _decode_gold(raw)
    lines = text.splitlines()
    if lines and lines[0].startswith("URL:"):
        lines = lines[1:]
    text = "\n".join(lines)
    return re.sub(r"<(p|h|l)>", "\n", text)


# Dragnet's "Corrected" gold holds the article and then, after this marker line, the page's user comments
# (about 30% of the pages). Both sides here extract without comments, so the comparison scores against the
# article part only. The marker is "!@#$%^&*()  COMMENTS" but a dozen files carry a garbled copy ("!@ $%^&*()",
# "  #$%^&*()", "!@#$%^&**()"): any run of these symbols (spaces allowed) before COMMENTS on a line of its own.
DRAGNET_COMMENTS_MARKER = re.compile(r"^[ \t]*[!@#$%^&*()][!@#$%^&*() \t]{4,}COMMENTS[ \t\r]*$", re.M)


def _gold_dragnet(raw: bytes) -> str:
    text = _decode_gold(raw)
    return DRAGNET_COMMENTS_MARKER.split(text, 1)[0]


_GOLD_DATE = re.compile(r"^\s*(\d{4})\D(\d{1,2})\D(\d{1,2})(?!\d)")


def _gold_date(value: Any) -> str:
    """A labelled date as "YYYY-MM-DD": a few trafilatura-eval labels are written "2022-11-1", "2022-01.26" or
    day before month ("2022-29-11"); a plain string compare with an ISO date could never match those. The
    month and day are zero-padded and swapped when the month cannot be one (> 12); else the first 10 characters."""
    s = str(value)
    m = _GOLD_DATE.match(s)
    if not m:
        return s[:10]
    y, a, b = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if a > 12 >= b:
        a, b = b, a
    return f"{y:04d}-{a:02d}-{b:02d}"


def load_scrapinghub(base: str) -> List[Dict[str, Any]]:
    d = data_dir(base, "extraction", "scrapinghub-article-extraction-benchmark")
    truth = json.load(open(os.path.join(d, "ground-truth.json"), encoding="utf-8"))
    return [{"id": k, "path": os.path.join(d, "html", f"{k}.html.gz"), "gold": v["articleBody"], "url": v["url"],
             "meta": {}} for k, v in sorted(truth.items())]


def load_cleaneval(base: str, sub: str) -> List[Dict[str, Any]]:
    d = data_dir(base, "extraction", "cleaneval-cleanportaleval-dragnet", sub)
    pages = []
    for gold in sorted(glob.glob(os.path.join(d, "GoldStandard", "*.txt.gz"))):
        pid = os.path.basename(gold)[:-len(".txt.gz")]
        html = os.path.join(d, "input", pid + ".html.gz")
        if os.path.exists(html):
            raw = read_maybe_gz(gold)
            text = _gold_cleaneval(raw) if sub != "dragnet_data" else _gold_dragnet(raw)
            pages.append({"id": pid, "path": html, "gold": text, "url": None, "meta": {}})
    return pages


def _fundus_body(body: Any) -> str:
    if isinstance(body, str):
        body = ast.literal_eval(body)
    parts = list(body.get("summary") or [])
    for sec in body.get("sections") or []:
        parts += list(sec.get("headline") or []) + list(sec.get("paragraphs") or [])
    return "\n\n".join(parts)


def _maybe_literal(v):
    if isinstance(v, str) and v[:1] in "[{":
        try:
            return ast.literal_eval(v)
        except (ValueError, SyntaxError):
            return v
    return v


def load_fundus(base: str) -> List[Dict[str, Any]]:
    d = data_dir(base, "extraction", "fundus-parser-testdata", "test_data")
    pages = []
    for country in sorted(os.listdir(d)):
        cdir = os.path.join(d, country)
        if not os.path.isdir(cdir):
            continue
        meta_info = {}
        if os.path.exists(os.path.join(cdir, "meta.info")):
            meta_info = json.load(open(os.path.join(cdir, "meta.info"), encoding="utf-8"))
        for jf in sorted(glob.glob(os.path.join(cdir, "*.json"))):
            pub = os.path.basename(jf)[:-5]
            versions = json.load(open(jf, encoding="utf-8"))
            htmls = sorted(glob.glob(os.path.join(cdir, f"{pub}_*.html.gz")),
                           key=lambda p: (meta_info.get(os.path.basename(p), {}).get("crawl_date", ""), p))
            keys = sorted(versions, key=lambda k: [int(x) for x in re.findall(r"\d+", k)])
            if len(keys) != len(htmls):
                continue
            for key, html in zip(keys, htmls):
                v = versions[key]
                meta = {}
                if v.get("title"):
                    meta["title"] = v["title"]
                if v.get("publishing_date"):
                    meta["date"] = _gold_date(v["publishing_date"])
                authors = _maybe_literal(v.get("authors"))
                if authors:
                    meta["authors"] = authors if isinstance(authors, list) else [authors]
                pages.append({"id": f"{country}/{os.path.basename(html)}", "path": html,
                              "gold": _fundus_body(v.get("body") or {}),
                              "url": meta_info.get(os.path.basename(html), {}).get("url"), "meta": meta})
    return pages


def load_newspaper4k(base: str) -> List[Dict[str, Any]]:
    d = data_dir(base, "extraction", "newspaper4k-testdata")
    pages = []
    for html in sorted(glob.glob(os.path.join(d, "html", "*.html.gz"))):
        name = os.path.basename(html)[:-len(".html.gz")]
        txt = os.path.join(d, "txt", name + ".txt")
        if not os.path.exists(txt):
            continue
        meta = {}
        mpath = os.path.join(d, "metadata", name + ".json")
        url = None
        if os.path.exists(mpath):
            m = json.load(open(mpath, encoding="utf-8"))
            url = m.get("url")
            if m.get("title"):
                meta["title"] = m["title"]
            if m.get("publish_date"):
                meta["date"] = _gold_date(m["publish_date"])
            if m.get("authors"):
                meta["authors"] = list(m["authors"])
        pages.append({"id": name, "path": html, "gold": open(txt, encoding="utf-8").read(), "url": url,
                      "meta": meta})
    return pages


def load_trafilatura_eval(base: str) -> List[Dict[str, Any]]:
    d = data_dir(base, "extraction", "trafilatura-eval")
    data = json.load(open(os.path.join(d, "evaldata.json"), encoding="utf-8"))
    pages = []
    for url, v in sorted(data.items()):
        path = None
        for sub in ("eval", "cache"):
            cand = os.path.join(d, sub, v["file"] + ".gz")
            if os.path.exists(cand):
                path = cand
                break
        if path is None:
            continue
        meta = {}
        if v.get("title"):
            meta["title"] = v["title"]
        if v.get("date"):
            meta["date"] = _gold_date(v["date"])
        if v.get("author"):
            names = v["author"] if isinstance(v["author"], list) else re.split(r";|\band\b|,", v["author"])
            meta["authors"] = [a.strip() for a in names if a and a.strip()]
        pages.append({"id": v["file"], "path": path, "gold": None, "url": url, "meta": meta,
                      "with": v.get("with") or [], "without": v.get("without") or []})
    return pages


SETS = {
    "scrapinghub": lambda b: load_scrapinghub(b),
    "fundus": lambda b: load_fundus(b),
    "cleaneval-dev": lambda b: load_cleaneval(b, "cleaneval-dev"),
    "cleaneval-final": lambda b: load_cleaneval(b, "cleaneval-final"),
    "cleanportaleval": lambda b: load_cleaneval(b, "CleanPortalEval-master"),
    "dragnet": lambda b: load_cleaneval(b, "dragnet_data"),
    "newspaper4k": lambda b: load_newspaper4k(b),
    "trafilatura-eval": lambda b: load_trafilatura_eval(b),
}
PLAIN_TEXT_SETS = ("cleaneval-final", "dragnet", "scrapinghub")

# ------------------------------------------------------------------------------------------- per page work

_STAGES = None


def _init_worker(config: Optional[str] = None):
    """The stages of one worker, from the default config or the user file ``config`` over it."""
    global _STAGES
    from pipeline.config import load_config
    from transforms.boilerplate import Boilerplate
    from transforms.extract import Extract
    cfg = load_config(config)
    cfg["extract"]["timeout_seconds"] = 0.0  # measure the work itself; the limit is tested elsewhere
    _STAGES = (Extract(cfg), Boilerplate(cfg), cfg)


def _raw_record(page) -> Optional[Dict[str, Any]]:
    from pipeline.readers import read_file
    for rec in read_file(page["path"], _STAGES[2]):
        if "_raw" in rec:
            if page.get("url") and not rec.get("url"):
                rec["url"] = page["url"]
            return rec
    return None


def _ours(rec: Dict[str, Any]) -> Tuple[str, Dict[str, Any]]:
    from transforms.base import Reject
    extract, boiler, _ = _STAGES
    try:
        out = boiler(extract(dict(rec)))
        return out["text"], out
    except Reject:
        return "", {}


def visible_lines(html: str) -> List[str]:
    """All visible text of a page, one block a line (what a crawler's text dump looks like)."""
    import lxml.html
    from lxml import etree
    html = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", html)  # lxml refuses control characters in text
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    for bad in doc.xpath("//script|//style|//noscript|//template|//head|//svg|//iframe"):
        bad.drop_tree()
    blocks = {"p", "div", "section", "article", "header", "footer", "nav", "aside", "li", "ul", "ol", "h1", "h2",
              "h3", "h4", "h5", "h6", "tr", "table", "br", "blockquote", "pre", "figure", "figcaption", "form",
              "dd", "dt", "dl", "main", "address", "td", "th", "hr", "title", "option", "label", "button"}
    parts: List[str] = []

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in blocks:
            parts.append("\n")
        if el.text and isinstance(el.tag, str):
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in blocks:
            parts.append("\n")

    walk(doc)
    lines = [re.sub(r"\s+", " ", ln).strip() for ln in "".join(parts).split("\n")]
    return [ln for ln in lines if ln]


def _norm_line(s: str) -> str:
    return " ".join(tokens(s))


def _aligned_shares(lines: List[str], ref: str) -> List[float]:
    """Share of each line's words matched by a monotone word alignment of all the lines with ``ref``
    (difflib's matching blocks, no junk heuristic)."""
    a: List[str] = []
    owner: List[int] = []
    for i, ln in enumerate(lines):
        toks = tokens(ln)
        a.extend(toks)
        owner.extend([i] * len(toks))
    hit = [0] * len(lines)
    for blk in difflib.SequenceMatcher(None, a, tokens(ref), autojunk=False).get_matching_blocks():
        for k in range(blk.a, blk.a + blk.size):
            hit[owner[k]] += 1
    return [hit[i] / max(1, len(tokens(ln))) for i, ln in enumerate(lines)]


def _judge_lines(lines: List[str], ref: str, long_line) -> List[bool]:
    """Each line judged against ``ref``: an empty line is False; a short line (under four words) by whether
    most of its words are matched by an in-order word alignment of all the lines with ``ref`` (a short line
    cannot be judged alone: "More", "Home", "(5)" or "2012" occur somewhere in most texts), and so is a
    longer line that the page has more than once word for word (a gallery's slide titles, a headline in the
    menu and above the article: ``ref`` may hold it only once, and the alignment tells which copy); any other
    line by ``long_line(line, tokens)``."""
    aligned: Optional[List[float]] = None
    keys = [" ".join(tokens(ln)) for ln in lines]
    twice = {k for k, n in collections.Counter(keys).items() if n > 1}
    out = []
    for ln, key in zip(lines, keys):
        toks = key.split()
        if not toks:
            out.append(False)
        elif len(toks) < 4 or key in twice:
            if aligned is None:
                aligned = _aligned_shares(lines, ref)
            out.append(aligned[len(out)] >= 0.5)
        else:
            out.append(long_line(ln, toks))
    return out


def _line_labels(lines: List[str], gold: str) -> List[bool]:
    """A line is main text when most of its 4-gram shingles are in gold; a short line, or a repeat of an
    earlier line, by the in-order alignment of :func:`_judge_lines` (a substring test would call most menu
    items main text, and every copy of a line main text)."""
    gold_sh = set(shingles(gold, 4))

    def mostly_in_gold(ln, _toks):
        sh = shingles(ln, 4)
        return sum(1 for s in sh if s in gold_sh) / max(1, len(sh)) >= 0.5

    return _judge_lines(lines, gold, mostly_in_gold)


def _kept_lines(lines: List[str], kept_text: str) -> List[bool]:
    """Which dump lines survive in ``kept_text``: a line's words in order in the kept text (the text path may
    join hard-wrapped lines or strip a metadata prefix, so exact line equality would undercount); a short
    line, or a repeat of an earlier line, by the same alignment as :func:`_line_labels`, so that a removed
    "More" does not count as kept because the word occurs in the article, nor a removed second copy of a
    line because the first one is kept."""
    kept = " " + " ".join(tokens(kept_text)) + " "
    return _judge_lines(lines, kept_text, lambda _ln, toks: (" " + " ".join(toks) + " ") in kept)


def _same_title(a: Optional[str], b: Optional[str]) -> bool:
    """Same title: the same words (NFKC, case and punctuation ignored, soft hyphens dropped: "Deutsch\u00adland" is
    "Deutschland"), or a difflib ratio of at least 0.9 between them."""
    if not a or not b:
        return False
    na, nb = (_norm_line(unicodedata.normalize("NFKC", x).replace("\u00ad", "")) for x in (a, b))
    return na == nb or difflib.SequenceMatcher(None, na, nb).ratio() >= 0.9


def _same_authors(got: List[str], want: List[str]) -> bool:
    g = {_norm_line(x) for x in got or [] if _norm_line(x)}
    w = {_norm_line(x) for x in want or [] if _norm_line(x)}
    return bool(w) and g == w


_CACHES: Optional[List[Any]] = None
_CACHES_SEEN = 0


def _clear_caches() -> None:
    """Empty the lru caches of trafilatura, htmldate, courlan and our stages, so that no timed extraction of
    a page reuses what another one just computed on the same page (trafilatura caches its line processing
    and htmldate its date checks by string: the second run of a page would get them for free)."""
    global _CACHES, _CACHES_SEEN
    import sys
    if _CACHES is None or _CACHES_SEEN != len(sys.modules):  # again after lazy imports
        _CACHES_SEEN = len(sys.modules)
        _CACHES = [v for name, mod in list(sys.modules.items())
                   if name.split(".")[0] in ("trafilatura", "htmldate", "courlan", "justext", "transforms")
                   for v in list(vars(mod).values()) if callable(getattr(v, "cache_clear", None))]
    for c in _CACHES:
        c.cache_clear()


def evaluate_page(page: Dict[str, Any]) -> Dict[str, Any]:
    import logging
    import trafilatura
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    rec = _raw_record(page)
    res: Dict[str, Any] = {"id": page["id"]}
    if rec is None:
        res["error"] = "unreadable"
        return res
    html = rec["_raw"]
    # The three extractions run in a rotating order (by page) so that none is always the first to touch a
    # page (lazy imports), each after the string caches are emptied: each median then carries the same
    # share of first-call costs.
    timed: Dict[str, float] = {}
    outs: Dict[str, Any] = {}
    runs = [("ours", lambda: _ours(rec)),
            ("base", lambda: trafilatura.extract(html, include_comments=False) or ""),
            ("base_meta", lambda: trafilatura.bare_extraction(html, include_comments=False, with_metadata=True))]
    k = sum(map(ord, str(page["id"]))) % 3
    for name, fn in runs[k:] + runs[:k]:
        _clear_caches()
        t = time.perf_counter()
        outs[name] = fn()
        timed[name] = (time.perf_counter() - t) * 1000
    (ours, out), base, base_meta = outs["ours"], outs["base"], outs["base_meta"]
    base_meta = base_meta.as_dict() if hasattr(base_meta, "as_dict") else (base_meta or {})
    res["ms_ours"], res["ms_base"], res["ms_base_meta"] = timed["ours"], timed["base"], timed["base_meta"]
    if page.get("gold") is not None:
        res["ours"], res["base"] = prf_counts(ours, page["gold"]), prf_counts(base, page["gold"])
        res["text"], res["site"] = ours, out.get("site")
    if "with" in page:
        res["snip"] = {name: (sum(1 for s in page["with"] if s in text), len(page["with"]),
                              sum(1 for s in page["without"] if s not in text), len(page["without"]))
                       for name, text in (("ours", ours), ("base", base))}
    meta = page.get("meta") or {}
    res["meta"], res["meta_values"] = {}, {}
    for key in ("title", "date", "authors"):
        if key not in meta:
            continue
        if key == "title":
            got = (out.get("title"), base_meta.get("title"))
            res["meta"][key] = (_same_title(got[0], meta[key]), _same_title(got[1], meta[key]))
        elif key == "date":
            got = (out.get("published"), base_meta.get("date"))
            res["meta"][key] = ((got[0] or "")[:10] == meta[key], (got[1] or "")[:10] == meta[key])
        else:
            got = (out.get("authors") or [],
                   [a.strip() for a in (base_meta.get("author") or "").split(";") if a.strip()])
            res["meta"][key] = (_same_authors(got[0], meta[key]), _same_authors(got[1], meta[key]))
        res["meta_values"][key] = {"label": meta[key], "ours": got[0], "base": got[1]}
    if page.get("plain") and page.get("gold") is not None:
        lines = visible_lines(html)
        if lines:
            trec = {"id": rec["id"], "source": rec["source"], "url": None, "title": None, "published": None,
                    "authors": [], "site": None, "_format": "text", "_raw": "\n".join(lines)}
            kept_text, _ = _ours(trec)
            labels = _line_labels(lines, page["gold"])
            keep = _kept_lines(lines, kept_text)
            res["plain"] = {
                "tp": sum(1 for k, m in zip(keep, labels) if k and m),
                "kept": sum(keep), "main": sum(labels), "lines": len(lines),
                "text": prf_counts(kept_text, page["gold"]),
                "all": prf_counts("\n".join(lines), page["gold"]),
            }
    return res


# ------------------------------------------------------------------------------------------------- report

def _fmt(x: float) -> str:
    return f"{x:.3f}"


def page_row(name: str, row: Dict[str, Any]) -> Dict[str, Any]:
    """One page's figures for ``--rows``: shingle P/R/F1 of ours and of trafilatura and their difference,
    metadata right/wrong with the values (ours, trafilatura's, the label), ms, and the plain-text line counts."""
    out: Dict[str, Any] = {"set": name, "id": row.get("id")}
    if "error" in row:
        out["error"] = row["error"]
        return out
    for who in ("ours", "base"):
        if who in row:
            tp, got, want = row[who]
            p, r = tp / got if got else 0.0, tp / want if want else 0.0
            out[who] = {"p": round(p, 4), "r": round(r, 4), "f1": round(f1(p, r), 4), "tp": tp, "got": got,
                        "want": want}
    if "ours" in out and "base" in out:
        out["d_f1"] = round(out["ours"]["f1"] - out["base"]["f1"], 4)
    if row.get("meta_values"):
        out["meta"] = {k: dict(v, ours_ok=row["meta"][k][0], base_ok=row["meta"][k][1])
                       for k, v in row["meta_values"].items()}
    if "snip" in row:
        out["snippets"] = row["snip"]
    if "plain" in row:
        out["plain"] = {k: row["plain"][k] for k in ("tp", "kept", "main", "lines")}
    out["ms"] = {"ours": round(row["ms_ours"], 1), "base": round(row["ms_base"], 1),
                 "base_meta": round(row["ms_base_meta"], 1)}
    return out


def run(base: str, sets: Optional[List[str]] = None, limit: int = 0, workers: int = 2,
        config: Optional[str] = None, rows_path: Optional[str] = None) -> Dict[str, Any]:
    """The extraction figures of ``sets`` (default all); ``config``: a config file (as for the pipeline's
    ``--config``) for our stages, so that a setting's effect can be measured ("ours" changes, base does not);
    ``rows_path``: also write every page's figures there, a JSON line a page (:func:`page_row`), to find the
    pages we lose on."""
    names = sets or list(SETS)
    results: Dict[str, Any] = {}
    ctx = mp.get_context("fork")
    rows_out = open(rows_path, "w", encoding="utf-8") if rows_path else None
    with ctx.Pool(workers, initializer=_init_worker, initargs=(config,)) as pool:
        for name in names:
            try:
                pages = SETS[name](base)
            except MissingData as exc:
                say(f"[extraction:{name}] {exc}")
                continue
            if limit:
                pages = pages[:limit]
            for p in pages:
                p["plain"] = name in PLAIN_TEXT_SETS
            t0 = time.time()
            rows = pool.map(evaluate_page, pages, chunksize=4)
            if rows_out:
                for row in rows:
                    rows_out.write(json.dumps(page_row(name, row), ensure_ascii=False, default=str) + "\n")
            results[name] = summarise(rows)
            rep = repeated_demo(pages, rows, config)
            if rep:
                results[name]["repeated"] = rep
            results[name]["seconds"] = time.time() - t0
            say(f"[extraction:{name}] {len(rows)} pages in {results[name]['seconds']:.0f} s")
    if rows_out:
        rows_out.close()
        say(f"[extraction] per-page figures written to {rows_path}")
    print_report(results)
    return results


def repeated_demo(pages: List[Dict[str, Any]], rows: List[Dict[str, Any]],
                  config: Optional[str] = None) -> Optional[Dict[str, Any]]:
    """The corpus-level repeated-lines pass (transforms/repeated.py, default settings) over all pages of a set,
    grouped by the site our extract stage found: lines removed and the F1 change against the gold."""
    from pipeline.config import load_config
    from transforms import repeated as rp
    rc = rp.settings(load_config(config))
    gold = {p["id"]: p["gold"] for p in pages if p.get("gold") is not None}
    docs = [r for r in rows if r.get("id") in gold and "text" in r]
    if not docs:
        return None
    sites: Dict[str, int] = {}
    for r in docs:
        if r.get("site"):
            sites[r["site"]] = sites.get(r["site"], 0) + 1
    reps = rp.find_repeated([(r.get("site"), r["text"]) for r in docs], rc)
    before, after, removed, touched = [], [], 0, 0
    for r in docs:
        hashes = set(reps.get(rp.RUN_KEY, ()))
        if r.get("site"):
            hashes |= reps.get(r["site"], set())
        text, n = rp.remove_repeated(r["text"], hashes, rc)
        removed += n
        touched += 1 if n else 0
        before.append(prf_counts(r["text"], gold[r["id"]]))
        after.append(prf_counts(text, gold[r["id"]]))
    return {"docs": len(docs), "sites_3plus": sum(1 for n in sites.values() if n >= 3),
            "docs_in_sites_3plus": sum(n for n in sites.values() if n >= 3),
            "lines_removed": removed, "docs_changed": touched,
            "before": aggregate(before), "after": aggregate(after)}


def summarise(rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    ok = [r for r in rows if "error" not in r]
    out: Dict[str, Any] = {"pages": len(rows), "unreadable": len(rows) - len(ok)}
    if ok and "ours" in ok[0]:
        out["ours"] = aggregate([r["ours"] for r in ok if "ours" in r])
        out["base"] = aggregate([r["base"] for r in ok if "base" in r])
    snips = [r["snip"] for r in ok if "snip" in r]
    if snips:
        for who in ("ours", "base"):
            w = sum(s[who][0] for s in snips), sum(s[who][1] for s in snips)
            wo = sum(s[who][2] for s in snips), sum(s[who][3] for s in snips)
            out.setdefault("snippets", {})[who] = {"with_found": w[0] / max(1, w[1]),
                                                    "without_absent": wo[0] / max(1, wo[1])}
    meta: Dict[str, Any] = {}
    for key in ("title", "date", "authors"):
        vals = [r["meta"][key] for r in ok if key in r.get("meta", {})]
        if vals:
            meta[key] = {"n": len(vals), "ours": sum(v[0] for v in vals) / len(vals),
                         "base": sum(v[1] for v in vals) / len(vals)}
    out["meta"] = meta
    out["ms_ours"] = sorted(r["ms_ours"] for r in ok)[len(ok) // 2] if ok else 0.0
    out["ms_base"] = sorted(r["ms_base"] for r in ok)[len(ok) // 2] if ok else 0.0
    out["ms_ours_mean"] = sum(r["ms_ours"] for r in ok) / max(1, len(ok))
    out["ms_base_mean"] = sum(r["ms_base"] for r in ok) / max(1, len(ok))
    out["ms_base_meta"] = sorted(r["ms_base_meta"] for r in ok)[len(ok) // 2] if ok else 0.0
    # our time against trafilatura's with metadata (the same work before our cleaning): the median of the
    # per-page ratios, and all pages' time together
    ratios = sorted(r["ms_ours"] / r["ms_base_meta"] for r in ok if r["ms_base_meta"] > 0)
    out["ms_ratio_median"] = ratios[len(ratios) // 2] if ratios else 0.0
    total_meta = sum(r["ms_base_meta"] for r in ok)
    out["ms_ratio_total"] = sum(r["ms_ours"] for r in ok) / total_meta if total_meta else 0.0
    plain = [r["plain"] for r in ok if "plain" in r]
    if plain:
        tp, kept, main = (sum(p[k] for p in plain) for k in ("tp", "kept", "main"))
        lp, lr = tp / max(1, kept), tp / max(1, main)
        out["plain"] = {"pages": len(plain), "line_p": lp, "line_r": lr, "line_f1": f1(lp, lr),
                        "text": aggregate([p["text"] for p in plain]),
                        "keep_all": aggregate([p["all"] for p in plain])}
    return out


def print_report(results: Dict[str, Any]) -> None:
    say("")
    say("Extraction (HTML): word 4-gram shingles; ours = extract+boilerplate stages, base = trafilatura.extract "
        "(include_comments=False)")
    say(f"{'set':<17}{'pages':>6} | {'ours P':>7}{'R':>7}{'F1':>7} | {'base P':>7}{'R':>7}{'F1':>7} | "
        f"{'dF1':>7} | {'macro F1 ours/base':>19} | {'ms/page median ours/base/base+meta':>34} | "
        f"{'ours vs base+meta: page median/total':>36}")
    for name, r in results.items():
        if "ours" not in r:
            continue
        o, b = r["ours"], r["base"]
        say(f"{name:<17}{r['pages']:>6} | {_fmt(o['micro_p']):>7}{_fmt(o['micro_r']):>7}{_fmt(o['micro_f1']):>7} | "
            f"{_fmt(b['micro_p']):>7}{_fmt(b['micro_r']):>7}{_fmt(b['micro_f1']):>7} | "
            f"{o['micro_f1'] - b['micro_f1']:>+7.3f} | {_fmt(o['macro_f1']):>9}/{_fmt(b['macro_f1']):<9} | "
            f"{r['ms_ours']:>12.1f}/{r['ms_base']:.1f}/{r['ms_base_meta']:<8.1f} | "
            f"{r['ms_ratio_median'] - 1:>+21.0%}/{r['ms_ratio_total'] - 1:<+.0%}")
    for name, r in results.items():
        if "snippets" in r:
            s = r["snippets"]
            say(f"{name}: 'with' snippets found ours {_fmt(s['ours']['with_found'])} / base "
                f"{_fmt(s['base']['with_found'])}; 'without' snippets absent ours {_fmt(s['ours']['without_absent'])}"
                f" / base {_fmt(s['base']['without_absent'])}; ms/page {r['ms_ours']:.1f}/{r['ms_base']:.1f}")
    say("(base+meta = trafilatura.bare_extraction(with_metadata=True), the same work as our extract stage does "
        "before our own cleaning)")
    say("")
    say("Metadata accuracy (ours / trafilatura): title = normalised match, date = same day, authors = same set")
    for name, r in results.items():
        if r.get("meta"):
            say(f"  {name:<17}" + "  ".join(f"{k} {_fmt(v['ours'])}/{_fmt(v['base'])} (n={v['n']})"
                                             for k, v in r["meta"].items()))
    reps = {n: r["repeated"] for n, r in results.items() if "repeated" in r}
    if reps:
        say("")
        say("Repeated lines (corpus-level pass, boilerplate.repeated defaults, over the set's pages grouped by site; "
            "applied after ours above)")
        say(f"{'set':<17}{'pages':>6} | {'sites 3+':>8}{'(pages)':>8} | {'lines rm':>8}{'pages chg':>10} | "
            f"{'P before':>8}{'after':>7} | {'R before':>8}{'after':>7} | {'F1 before':>9}{'after':>7}")
        for name, q in reps.items():
            b, a = q["before"], q["after"]
            say(f"{name:<17}{q['docs']:>6} | {q['sites_3plus']:>8}{q['docs_in_sites_3plus']:>8} | "
                f"{q['lines_removed']:>8}{q['docs_changed']:>10} | {_fmt(b['micro_p']):>8}{_fmt(a['micro_p']):>7} | "
                f"{_fmt(b['micro_r']):>8}{_fmt(a['micro_r']):>7} | {_fmt(b['micro_f1']):>9}{_fmt(a['micro_f1']):>7}")
    plain = {n: r["plain"] for n, r in results.items() if "plain" in r}
    if plain:
        say("")
        say("Plain text (visible text of each page, one block a line, through the same stages)")
        say(f"{'set':<17}{'pages':>6} | {'line P':>7}{'R':>7}{'F1':>7} | {'text P':>7}{'R':>7}{'F1':>7} | "
            f"{'keep-all P':>10}{'R':>7}{'F1':>7}")
        for name, p in plain.items():
            t, a = p["text"], p["keep_all"]
            say(f"{name:<17}{p['pages']:>6} | {_fmt(p['line_p']):>7}{_fmt(p['line_r']):>7}{_fmt(p['line_f1']):>7} | "
                f"{_fmt(t['micro_p']):>7}{_fmt(t['micro_r']):>7}{_fmt(t['micro_f1']):>7} | "
                f"{_fmt(a['micro_p']):>10}{_fmt(a['micro_r']):>7}{_fmt(a['micro_f1']):>7}")
