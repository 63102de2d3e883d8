"""Extract stage: raw document (``_raw``) -> main text and metadata.

* HTML is parsed once (trafilatura's loader); page widgets that trafilatura's own lists do not name (hover
  cards, tooltips, recirculation boxes: class or id matching ``extract.prune_tokens``; links never) are
  removed from the tree (:func:`_pruned_tree`), which then goes through trafilatura (``bare_extraction``,
  metadata on, no network, no cross-document dedup). Recirculation teasers trafilatura keeps inside the
  article are removed from the tree first (``extract.drop_link_blocks``: :func:`_drop_link_blocks`), and
  paragraphs equal to an image's alt text (its caption, ``extract.drop_alt_captions``) from its text.
  Its text has one paragraph a line; the stage joins them with one blank line. A first paragraph equal to
  the title is dropped (the title has its own field), as for text/markdown below. Tables are kept by default
  (``extract.include_tables``, trafilatura's own default). The site name that a page's <title> adds at
  either end ("Headline | Site", "Headline – Site – 13.06.2023") is stripped (:func:`clean_title`).
  Title and published date are then chosen with the page's own structured metadata (JSON-LD article headline
  and date, date meta tags, a related <h1>), read by a cheap regex scan: see :mod:`transforms.metadata` for
  the precedence and :meth:`Extract._pick_html_meta`. ``extract.date_fallback_search`` (off by default) runs htmldate's
  extensive search on pages where nothing else gave a date (copyright years discarded).
* Plain text and Markdown are passed through after normalisation, with header/footer metadata lines
  recognised and removed from the text (see :func:`parse_text_document`). In a page dump (menu first), fields
  still empty come from the header above its article (:func:`transforms.textdump.dump_metadata`).

Field precedence: ``url`` from the input record wins (an input hint such as a JSONL url or a WARC target
URI is where the document really came from); for ``title``, ``published``, ``authors`` and ``site`` a
non-empty input value wins over the extracted one.

Determinism: trafilatura's date search (htmldate) is given a fixed ``max_date`` (``extract.max_date``)
instead of its default "today", and ``extensive_search`` is off unless ``extract.extensive_date_search`` is
set (the extensive search may fall back to a copyright year as YYYY-01-01). Nothing reads the clock.

Time limit (``extract.timeout_seconds``, HTML only; text/markdown parsing is linear regex work):

* main thread (plain loops, the benchmark, tests): ``signal.setitimer`` + SIGALRM; a previous SIGALRM
  handler and timer (e.g. pytest-timeout's) are saved and restored. Cost: ~0.
* any other thread (Beam SDK harness bundles run in worker threads): the extraction runs in a persistent
  child process per stage instance (``python -c`` importing this module), fed through a pipe; on timeout the
  child is killed and restarted lazily for the next document. Cost: one interpreter start per worker
  (~0.3 s, once) plus pickling the page through a pipe (well under 1 ms a page).
* ``extract.timeout_mode`` forces ``signal`` (main thread only; falls back to ``process`` elsewhere) or
  ``process``; ``auto`` picks as above.

A signal cannot interrupt a single long C call (one huge lxml parse); the process mode can.
"""
from __future__ import annotations

import importlib
import os
import pickle
import re
import signal
import subprocess
import sys
import threading
import time
import unicodedata
from datetime import date, datetime
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from transforms.base import ApplyStage, Reject

NAME = "extract"
_PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Function run on each HTML page, "module:function"; the worker child imports it by name.
_HTML_TARGET = "transforms.extract:extract_html"


# --------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------

def extract_html(raw: str, url: Optional[str], opts: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """trafilatura on one page -> plain dict (picklable) or None when nothing was found."""
    import trafilatura  # imported lazily: the text/markdown path and the parent of a worker need not load it

    page = raw
    prune = opts.get("prune_tokens")
    drop: List[str] = []
    if prune or opts.get("drop_link_blocks") or opts.get("drop_alt_captions"):
        page = _pruned_tree(raw, prune or ())
        if page is None:  # trafilatura's loader refused the page: bare_extraction would find nothing either
            return None
        # before trafilatura, which cleans the tree in place
        if opts.get("drop_link_blocks"):
            _drop_link_blocks(page, int(opts.get("link_block_min_words", 4)))
        if opts.get("drop_alt_captions"):
            drop = _alt_captions(page, int(opts.get("alt_caption_min_words", 5)))
    kwargs = dict(
        url=url or None,
        favor_precision=opts.get("favor_precision", False),
        include_comments=opts.get("include_comments", False),
        include_tables=opts.get("include_tables", False),
        include_images=False,
        include_links=False,
        include_formatting=False,
        deduplicate=False,
        with_metadata=True,
        date_extraction_params={
            "original_date": True,
            "extensive_search": opts.get("extensive_date_search", False),
            "max_date": opts.get("max_date") or "2100-12-31",
        },
    )
    if page is raw:
        doc = trafilatura.bare_extraction(page, **kwargs)
    else:  # our own parsed tree: trafilatura's steps on it, without the copy and the unused metadata
        doc = trafilatura_on_tree(page, **kwargs)
    if doc is None:
        return None
    from transforms import metadata

    max_date = opts.get("max_date") or metadata.DEFAULT_MAX_DATE
    # the page's own structured metadata (JSON-LD, meta tags, <h1>): a regex scan, no second parse
    scan = metadata.scan_html(raw, max_date)
    if not (doc.date or scan["ld_published"] or scan["meta_published"] or scan["headline_date"]):
        # no date in the markup nor under the headline: the first date line of the visible text (regex only)
        scan["page_date"] = metadata.page_text_date(raw, max_date)
    elif not (scan["ld_published"] or scan["meta_published"] or scan["headline_date"]) and (
            metadata.has_publication_label(raw) or doc.date.endswith("-01-01")):
        # htmldate's date alone: a labelled date line of the text ("Veröffentlicht am ...") may overrule it
        scan["page_date"], scan["page_date_labelled"] = metadata.page_text_date_labelled(raw, max_date)
    fallback = None
    if (opts.get("date_fallback_search") and not opts.get("extensive_date_search") and not doc.date
            and not scan["ld_published"] and not scan["meta_published"] and not scan.get("page_date")):
        fallback = metadata.fallback_date(raw, url, max_date)
    return {
        "text": doc.text or "",
        "comments": (doc.comments or "") if opts.get("include_comments") else "",
        "title": doc.title,
        "author": doc.author or markup_author(raw),
        "date": doc.date,
        "sitename": doc.sitename,
        "hostname": doc.hostname,
        "url": doc.url,
        "scan": scan,
        "date_fallback": fallback,
        "drop": drop,
    }


# A by-line's author link in the markup, for pages where trafilatura finds no author: the first link marked
# rel="author", or the first link inside an element whose class names both "author" and "vcard" (WordPress's
# "By <span class="author vcard"><a>Ann</a></span>"). A comment's author ("comment-author vcard") is not one.
# (case-sensitive "rel" and "vcard": a literal first lets the search skip ahead, 10x faster than re.I)
_REL_AUTHOR = re.compile(r"""rel\s*=\s*["']?(?:[^"'>]*\s)?(?i:author)(?=[\s"'>])""")
_VCARD = re.compile(r"vcard")
_VCARD_AUTHOR_TAG = re.compile(r"""<(?:span|div|p|li|address)\b[^>]*?\bclass\s*=\s*["']"""
                               r"""(?=[^"']*(?<![\w-])author(?![\w-]))[^"']*(?<![\w-])vcard(?![\w-])""", re.I)
_A_INNER = re.compile(r"\s*(?:<(?!a\b|/)[^>]*>\s*)*<a\b[^>]*>(.*?)</a\s*>", re.I | re.S)
_LINK_WORDS = re.compile(r"(?i)(?:google|view|about|more|read|see|visit|all|my|profile|posts|website|home|contact|"
                         r"email|e-mail|follow|subscribe)\b")


def markup_author(raw: str) -> Optional[str]:
    """The author named by the page's by-line markup (see ``_REL_AUTHOR``), or None: one to six words, no
    address; the link text as shown ("View all posts by Ann" is cut by :func:`clean_authors`). Links to a
    Google+ profile ("Google+", "Google profile"), the authorship markup of the 2010s, are no by-line."""
    from transforms.metadata import clean_text

    def names():
        for m in _REL_AUTHOR.finditer(raw):  # <a ... rel="author" ...>NAME</a>
            start = raw.rfind("<", 0, m.start())
            end = raw.find(">", m.end())
            if start < 0 or end < 0 or not raw.startswith(("<a ", "<A ", "<a\n", "<a\t"), start):
                continue
            if "plus.google." in raw[start:end]:
                continue  # 2010s authorship markup: a link to the writer's Google+ profile
            close = raw.find("</a", end, end + 400)
            if close > 0:
                yield raw[end + 1:close]
        for m in _VCARD.finditer(raw):  # <span class="author vcard"><a ...>NAME</a>
            start = raw.rfind("<", max(0, m.start() - 300), m.start())
            end = raw.find(">", m.end())
            if start < 0 or end < 0 or not _VCARD_AUTHOR_TAG.match(raw, start, end + 1):
                continue
            a = _A_INNER.match(raw, end + 1, end + 600)
            if a:
                yield a.group(1)

    for inner in names():
        name = clean_text(inner) or ""
        if _LINK_WORDS.match(name):
            continue  # "Google+", "View Profile", "About Us": the link, not the name
        if name and len(name) <= 80 and 1 <= len(name.split()) <= 6 and "://" not in name and "@" not in name:
            return name
    return None


def trafilatura_on_tree(tree, **kwargs) -> Any:
    """``trafilatura.bare_extraction(tree, **kwargs)`` (same keyword arguments, ``with_metadata=True``; same
    Document, text and metadata) on a tree we parsed ourselves and no longer need, less two costs of
    bare_extraction that newsbeam has no use for:

    - the copy of the whole tree (bare_extraction copies a tree it is given, as it cleans the tree in place);
    - the categories, tags and license of its metadata (``extract_catstags``, ``extract_license``): two
      searches over every link of the page that newsbeam does not output (3-5 ms a page on scrapinghub, measured
      on a loaded machine: about as much as all of our own cleaning).

    The steps are trafilatura 2.3's own (``extract_metadata``, ``trafilatura_sequence``, ``xmltotxt``), in its
    order; the tree is changed in place. ``tests/test_extract.py`` checks the result against
    ``bare_extraction``. None where bare_extraction returns None (not HTML, text too short)."""
    from trafilatura import core
    from trafilatura import metadata as tm
    from trafilatura.settings import Extractor, set_date_params
    from trafilatura.utils import load_html
    from trafilatura.xml import xmltotxt

    assert kwargs.get("with_metadata"), "trafilatura_on_tree always extracts the metadata"
    options = Extractor(
        output_format="python", fast=False, precision=kwargs.get("favor_precision", False), recall=False,
        comments=kwargs.get("include_comments", True), formatting=kwargs.get("include_formatting", False),
        links=kwargs.get("include_links", False), images=kwargs.get("include_images", False),
        tables=kwargs.get("include_tables", True), dedup=False, lang=None, url=kwargs.get("url"),
        with_metadata=True, only_with_metadata=False, author_blacklist=None, url_blacklist=None,
        date_params=kwargs.get("date_extraction_params"))
    try:
        tree = load_html(tree, options.max_file_size)
        if tree is None:
            return None
        # trafilatura.metadata.extract_metadata, without categories, tags and license
        date_config = dict(options.date_params) if options.date_params else set_date_params(options.fast)
        doc = tm.examine_meta(tree)
        if doc.author and " " not in doc.author:
            doc.author = None
        try:
            doc = tm.extract_meta_json(tree, doc)
        except Exception:  # bugs in trafilatura's JSON-LD code, as it does
            pass
        if not doc.title:
            doc.title = tm.extract_title(tree)
        if not doc.author:
            doc.author = tm.extract_author(tree)
        if not doc.url:
            doc.url = tm.extract_url(tree, options.url)
        if doc.url:
            doc.hostname = tm.extract_domain(doc.url, fast=True)
        date_config["url"] = doc.url
        doc.date = tm.find_date(tree, **date_config)
        if not doc.sitename:
            doc.sitename = tm.extract_sitename(tree)
        if doc.sitename:
            doc.sitename = doc.sitename.lstrip("@")
            if doc.sitename and "." not in doc.sitename and not doc.sitename[0].isupper():
                doc.sitename = doc.sitename.title()
        elif doc.url:
            m = tm.META_URL.match(doc.url)
            if m:
                doc.sitename = m[1]
        doc.filedate = date_config.get("max_date")
        doc.clean_and_trim()
        # trafilatura.core.bare_extraction from here on
        postbody, text, commentsbody, comments = core.trafilatura_sequence(tree, options, options.url or doc.url)
        if len(text) < options.min_output_size and len(comments) < options.min_output_comm_size:
            return None
    except (TypeError, ValueError):
        return None
    doc.text = xmltotxt(postbody, options.formatting)
    if options.comments:
        doc.comments = xmltotxt(commentsbody, options.formatting)
        doc.commentsbody = commentsbody
    doc.raw_text = doc.text
    doc.body = postbody
    return doc


_PRUNE_CACHE: Dict[Tuple[str, ...], Tuple["re.Pattern", bool]] = {}
_PRUNE_KEEP = {"html", "body", "main", "article", "a"}
_ATTR_VALUES = None  # compiled XPath of every class and id value, built on first use
_ATTR_NODES = None  # the same, as strings that know their element


def _prune_regex(tokens) -> Tuple["re.Pattern", bool]:
    """(regex, lowercase): all-lowercase tokens are searched without re.I in lowercased values (several times
    faster than a case-insensitive search); others with re.I."""
    key = tuple(tokens)
    got = _PRUNE_CACHE.get(key)
    if got is None:
        src = "|".join(key)
        low = src == src.lower()
        got = _PRUNE_CACHE.setdefault(key, (re.compile(src) if low else re.compile(src, re.I), low))
    return got


_MODIFIER_PREFIXES = ("has-", "with-", "no-")


def _pruned_tree(raw: str, tokens) -> Any:
    """The page parsed once (trafilatura's own loader) with page widgets removed before extraction: elements
    whose class or id contains one of ``tokens`` (``extract.prune_tokens``: hover cards, tooltips,
    recirculation boxes, which trafilatura's own list does not name). The element goes, its tail text stays.
    <html>, <body>, <main> and <article> are never removed, nor links (a hover card's trigger is a link in the
    running text: "Rep. <a class=rollover-link>Name</a><span class=rollover-block>card</span>" keeps the name),
    nor an element that holds an <h1>; class names that state what a container has ("has-recommendations",
    "with-trending", "no-tooltip") do not count.
    None when trafilatura's loader refuses the page (not HTML)."""
    from trafilatura.utils import load_html

    global _ATTR_VALUES, _ATTR_NODES
    tree = load_html(raw)
    if tree is None:
        return None
    if not tokens:
        return tree
    rx, low = _prune_regex(tokens)
    if _ATTR_VALUES is None:
        from lxml import etree
        _ATTR_VALUES = etree.XPath("//@class|//@id", smart_strings=False)
        _ATTR_NODES = etree.XPath("//@class|//@id")
    # one search over all class and id values first (plain strings, the cheapest XPath result): most pages
    # have no match, and need no walk; on the others the same values again as "smart" strings, which know
    # their element (document order, an element once): a Python loop over the values, not over the elements
    values = _ATTR_VALUES(tree)
    blob = "\n".join(values)
    if not rx.search(blob.lower() if low else blob):
        return tree
    candidates = []
    seen: set = set()
    for v in _ATTR_NODES(tree):
        if rx.search(v.lower() if low else v):
            el = v.getparent()
            if id(el) not in seen:
                seen.add(id(el))
                candidates.append(el)
    doomed = []
    for el in candidates:
        cls = el.get("class")
        ident = el.get("id")
        if (cls or ident) and el.tag not in _PRUNE_KEEP and isinstance(el.tag, str):
            if low:
                cls, ident = cls and cls.lower(), ident and ident.lower()
            if cls and any(m in cls for m in _MODIFIER_PREFIXES):
                # "article has-recommendations": a state of the container, not a widget
                cls = " ".join(c for c in cls.split() if not c.startswith(_MODIFIER_PREFIXES))
            if ((cls and rx.search(cls)) or (ident and rx.search(ident))) and el.find(".//h1") is None:
                doomed.append(el)  # (an element holding the page's headline is the article, not a widget)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:  # an element inside an already removed one has no parent left in the tree
            el.drop_tree()
    return tree


# Recirculation teasers inside the article. Paragraphs and list items whose whole text is one link
# ("<p><a>Other headline</a></p>", "<li><a>..</a></li>") and headings inside a link (a teaser card:
# "<a href=..><img><h3>Other headline</h3></a>"); a heading that holds a link ("<h3><a>Product</a></h3>") is
# not one. XPath: libxml2 does the walking and the string compare; Python only sees the few matches.
_LINK_ONLY_P = "//p[count(.//a) = 1][not(ancestor::td)][normalize-space(.) = normalize-space(.//a)]"
_LINK_LIST_MAX_ITEMS = 4
# items of short lists only (the cheap sibling count first: menus have many items)
_LINK_ONLY_LI = ("//li[count(../*) <= %d][count(.//a) = 1][not(ancestor::td)]"
                 "[normalize-space(.) = normalize-space(.//a)]" % _LINK_LIST_MAX_ITEMS)
# (the headings first, then their ancestors: half the time of "//a//*[self::h2 or ...]", the same nodes)
_CARD_HEADINGS = "(//h2|//h3|//h4|//h5)[ancestor::a]"
_ALT_TEXTS = "//img/@alt"
_WS = re.compile(r"\s+")
_LIST_BULLET = re.compile(r"^- ")  # trafilatura writes a list item as "- text"


def _drop_link_blocks(tree, min_words: int) -> None:
    """Removes recirculation teasers of at least ``min_words`` words from the tree (their tail text stays):
    headings inside a link (:data:`_CARD_HEADINGS`); link-only paragraphs (:data:`_LINK_ONLY_P`) in capitals
    ("<p><a>MAYOR OPENS NEW LIBRARY</a></p>") or next to another one (a run of teasers); link-only items of a
    short list (at most :data:`_LINK_LIST_MAX_ITEMS` items, all of them link-only: "Related" links under the
    story). A single link-only paragraph in mixed case ("Storm prompts airlines to relax travel policies")
    and a long list of links or links in a table cell (a page of resources, an old table layout) are left to
    trafilatura: evaluation gold often keeps them. A shorter link ("Home", "Full results", a product name) may be the article's."""
    def long_enough(el):
        return len(el.text_content().split()) >= min_words

    doomed = [el for el in tree.xpath(_CARD_HEADINGS) if long_enough(el)]
    links = tree.xpath(_LINK_ONLY_P) + tree.xpath(_LINK_ONLY_LI)
    only = set(links)
    for el in links:
        if not long_enough(el):
            continue
        if el.tag == "p":
            text = el.text_content()
            prev, nxt = el.getprevious(), el.getnext()
            if (text.upper() == text and text.lower() != text) or prev in only or nxt in only:
                doomed.append(el)
        else:
            parent = el.getparent()
            items = [c for c in parent if isinstance(c.tag, str)] if parent is not None else []
            if len(items) <= _LINK_LIST_MAX_ITEMS and all(c in only for c in items):
                doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def _alt_captions(tree, min_words: int) -> List[str]:
    """Image alt texts (whitespace normalised) of at least ``min_words`` words: pages repeat them under the
    picture as its caption, which trafilatura keeps as a paragraph."""
    out = set()
    for alt in tree.xpath(_ALT_TEXTS):
        t = _WS.sub(" ", alt).strip()
        if len(t.split()) >= min_words:
            out.add(t)
    return sorted(out)


def _resolve(target: str):
    mod, _, fn = target.partition(":")
    return getattr(importlib.import_module(mod), fn)


# --------------------------------------------------------------------------------------------------
# Time limit
# --------------------------------------------------------------------------------------------------

class ExtractTimeout(BaseException):
    """Raised by the SIGALRM handler; a BaseException so that no ``except Exception`` inside trafilatura or
    htmldate can swallow it and let the extraction run on past the limit."""


SIGNAL_RETRY = 0.05  # seconds between repeated alarms once the limit has passed


def _call_with_signal(fn, args, timeout: float):
    """Run ``fn(*args)`` under an ITIMER_REAL limit (main thread only); restores any previous timer.

    The alarm repeats every ``SIGNAL_RETRY`` s after the limit: an exception raised while a C library (lxml)
    is calling back into Python can be swallowed there, and a one-shot alarm would then let the document run
    on. The handler raises only while armed; the two ``finally`` levels make sure the timer and the previous
    handler are restored even when an alarm lands in the inner one (two alarms are ``SIGNAL_RETRY`` apart)."""
    armed = [True]

    def _alarm(signum, frame):
        if armed[0]:
            raise ExtractTimeout()

    old_handler = signal.signal(signal.SIGALRM, _alarm)
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, timeout, SIGNAL_RETRY)
    start = time.monotonic()
    try:
        try:
            return fn(*args)
        finally:
            armed[0] = False
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_delay > 0:
            left = old_delay - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6), old_interval)


_WARMED = []


def warm_trafilatura() -> None:
    """Once per process, what trafilatura loads on its first page: the import (~0.3 s) and the union of
    jusText's stoplists that its jusText fallback builds lazily (~1.5 s). Done outside any document's time
    limit: the first page of a process would otherwise be timed with it (measured 1.6 s for a page that then
    takes 0.04 s, a `timeout` reject with a 1 s limit). Best effort: a failure leaves the lazy path."""
    if _WARMED:
        return
    _WARMED.append(True)
    try:
        import justext.core
        from trafilatura import external
        justext.core.define_stoplist(external.JT_STOPLIST or external.jt_stoplist_init())
    except Exception:  # another trafilatura version: it loads them on first use, as before
        pass


_WORKER_CODE = "import sys; sys.path[:0] = {paths!r}; from transforms.extract import _serve; _serve()"


def _serve() -> None:
    """Child side: read (target, args) requests, answer ("ok", result) or ("err", message)."""
    from multiprocessing.connection import Connection

    proto_out = os.dup(1)
    os.dup2(2, 1)  # anything printed by libraries goes to stderr, never into the protocol pipe
    rx, tx = Connection(0, writable=False), Connection(proto_out, readable=False)
    cache: Dict[str, Any] = {}
    warm_trafilatura()  # before saying ready: start-up time never counts against a document's limit
    tx.send_bytes(b"ready")
    while True:
        try:
            target, args = pickle.loads(rx.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            fn = cache.get(target) or cache.setdefault(target, _resolve(target))
            tx.send_bytes(pickle.dumps(("ok", fn(*args)), protocol=pickle.HIGHEST_PROTOCOL))
        except Exception as exc:  # reported to the parent, which turns it into an `error` reject
            tx.send_bytes(pickle.dumps(("err", f"{type(exc).__name__}: {exc}")))


class _Worker:
    """A persistent child process running extraction functions with a per-call time limit."""

    STARTUP_TIMEOUT = 120.0  # seconds for the child to start and import trafilatura (not a document's time)

    def __init__(self):
        self._proc: Optional[subprocess.Popen] = None
        self._rx = self._tx = None

    def _start(self) -> None:
        from multiprocessing.connection import Connection

        paths = [_PROJECT_ROOT] + [p for p in sys.path if p]
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER_CODE.format(paths=paths)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)
        self._tx = Connection(os.dup(self._proc.stdin.fileno()), readable=False)
        self._rx = Connection(os.dup(self._proc.stdout.fileno()), writable=False)
        self._proc.stdin.close()
        self._proc.stdout.close()
        if not self._rx.poll(self.STARTUP_TIMEOUT) or self._rx.recv_bytes() != b"ready":
            self.close()
            raise RuntimeError("extraction worker process did not start")

    def call(self, target: str, args: tuple, timeout: float):
        if self._proc is None or self._proc.poll() is not None:
            self.close()
            self._start()
        try:
            self._tx.send_bytes(pickle.dumps((target, args), protocol=pickle.HIGHEST_PROTOCOL))
            ready = self._rx.poll(timeout if timeout > 0 else None)
            if not ready:
                self.close()
                raise ExtractTimeout()
            status, value = pickle.loads(self._rx.recv_bytes())
        except (EOFError, OSError, BrokenPipeError) as exc:
            self.close()
            raise RuntimeError(f"extraction worker died: {exc}") from None
        if status != "ok":
            raise RuntimeError(value)
        return value

    def close(self) -> None:
        for conn in (self._tx, self._rx):
            if conn is not None:
                try:
                    conn.close()
                except OSError:
                    pass
        self._tx = self._rx = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self._proc = None


# --------------------------------------------------------------------------------------------------
# Text and Markdown
# --------------------------------------------------------------------------------------------------

_MONTHS = {
    # en
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
    # de
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "mai": 5, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12, "okt": 10, "dez": 12,
    # fr
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7, "août": 8,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12,
    "janv": 1, "févr": 2, "fevr": 2, "avr": 4, "juil": 7, "déc": 12,
    # es
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    "ene": 1, "abr": 4, "ago": 8, "dic": 12,
    # it
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7, "settembre": 9,
    "ottobre": 10, "dicembre": 12, "gen": 1, "mag": 5, "giu": 6, "lug": 7, "set": 9, "ott": 10,
    # ru, uk (the genitive of a date: "15 августа 2016", "3 березня 2022")
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7, "августа": 8,
    "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
    "січня": 1, "лютого": 2, "березня": 3, "квітня": 4, "травня": 5, "червня": 6, "липня": 7, "серпня": 8,
    "вересня": 9, "жовтня": 10, "листопада": 11, "грудня": 12,
}
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_DATE_PATTERNS: List[Tuple[re.Pattern, str]] = [
    (re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{4})/(\d{1,2})/(\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?!\d)"), "dmy"),
    (re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)"), "slash"),
    (re.compile(r"(?<!\w)(\d{1,2})(?:st|nd|rd|th|er|º|°)?\.?\s+(?:de\s+)?(" + _MONTH_RE
                + r")\.?,?\s+(?:de\s+|del\s+)?(\d{4})(?!\d)", re.I), "d_mon_y"),
    (re.compile(r"(?<!\w)(" + _MONTH_RE + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)", re.I),
     "mon_d_y"),
]
# Words that may surround a date on a date line (labels, weekdays, time zones) in en/de/fr/es/it.
_DATE_LABEL = re.compile(
    r"^\W*(published|posted|updated|last updated|date|dated|on|created|modified|veröffentlicht|"
    r"aktualisiert|datum|stand|publié|publie|mis à jour|mis a jour|date de publication|publicado|"
    r"actualizado|fecha|pubblicato|aggiornato|data)\b", re.I)
_DATE_FILLER = {
    "published", "posted", "updated", "last", "date", "dated", "on", "at", "am", "pm", "a.m.", "p.m.",
    "utc", "gmt", "cet", "cest", "est", "edt", "pst", "pdt", "bst", "created", "modified", "le", "el",
    "il", "the", "of", "de", "del", "um", "uhr", "à", "h", "veröffentlicht", "aktualisiert", "datum",
    "stand", "publié", "publie", "mis", "jour", "publicado", "actualizado", "fecha", "pubblicato",
    "aggiornato", "data", "ore", "alle", "las", "a", "y", "and", "und", "et", "e",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "lunes", "martes", "miércoles", "miercoles", "jueves", "viernes", "sábado", "sabado", "domingo",
    "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica",
}
_BYLINE = re.compile(
    r"^\W{0,3}(?:written by|words by|story by|reported by|by|von|par|por|di|da|autor(?:in)?\s*:|"
    r"auteur\s*:|autore\s*:|author\s*:|authors\s*:|byline\s*:)\s+(?P<names>.+)$", re.I)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\b(?:and|And|AND|und|et|y|e)\b(?!\.))\s*")
_SEPARATORS = re.compile(r"\s+[|•·–—-]\s+|\s*\|\s*")
_URL_LINE = re.compile(
    r"^\W{0,3}(?:original(?:ly)?\s+(?:url|link|article|source|published\s+(?:at|on|by|in))|"
    r"url|source|link|canonical(?:\s+url)?|quelle|fonte|fuente|lien|source\s+originale|"
    r"article\s+originale|originally\s+posted\s+(?:at|on))\s*:?\s*(?P<rest>.*)$", re.I)
_URL_IN = re.compile(r"https?://[^\s<>()\[\]\"']+")
_MD_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_HR = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_EXPLICIT_TITLE = re.compile(r"^(?:title|titel|titre|título|titolo|headline)\s*:\s*(.+)$", re.I)


def _valid_date(y: int, m: int, d: int) -> Optional[str]:
    try:
        return date(y, m, d).isoformat() if 1900 <= y <= 2100 else None
    except ValueError:
        return None


def date_of_match(m: "re.Match", kind: str, day_first: bool = False) -> Optional[str]:
    """A match of one of :data:`_DATE_PATTERNS` (of ``kind``) -> "YYYY-MM-DD", or None when no such day. An
    ambiguous "03/05/2022" is read day first when ``day_first``, else month first (US); a first number over 12
    is always the day."""
    a, b, c = m.groups()
    if kind == "ymd":
        return _valid_date(int(a), int(b), int(c))
    if kind == "dmy":
        return _valid_date(int(c), int(b), int(a))
    if kind == "slash":
        x, y = int(a), int(b)
        return _valid_date(int(c), y, x) if x > 12 or (day_first and y <= 12) else _valid_date(int(c), x, y)
    if kind == "d_mon_y":
        return _valid_date(int(c), _MONTHS[b.lower()], int(a))
    return _valid_date(int(c), _MONTHS[a.lower()], int(b))


def find_date(line: str) -> Optional[Tuple[str, Tuple[int, int]]]:
    """First explicit date in ``line`` -> ("YYYY-MM-DD", (start, end)) or None."""
    for rx, kind in _DATE_PATTERNS:
        m = rx.search(line)
        if not m:
            continue
        iso = date_of_match(m, kind)
        if iso:
            return iso, m.span()
    return None


def _dateutil_date(text: str) -> Optional[str]:
    """dateutil as a last resort on a labelled date line: accepted only with year, month and day present
    (parsed twice with different defaults; any difference means a part was guessed)."""
    from dateutil import parser as dparser

    try:
        a = dparser.parse(text, fuzzy=True, default=datetime(1901, 1, 1))
        b = dparser.parse(text, fuzzy=True, default=datetime(1902, 2, 2))
    except (ValueError, OverflowError, TypeError):
        return None
    if a.date() != b.date():
        return None
    return _valid_date(a.year, a.month, a.day)


def parse_date_line(line: str) -> Optional[str]:
    """A short line that is (essentially) only a date, optionally labelled -> ISO date."""
    if len(line) > 120 or len(line.split()) > 14:
        return None
    found = find_date(line)
    labelled = bool(_DATE_LABEL.match(line))
    if found is None:
        return _dateutil_date(line) if labelled else None
    iso, (s, e) = found
    if labelled:
        return iso
    rest = (line[:s] + " " + line[e:]).lower()
    rest = re.sub(r"\d{1,2}[:.h]\d{2}(?::\d{2})?", " ", rest)
    words = [w for w in re.split(r"[\s,;|:()\[\]/•·–—-]+", rest) if w and w not in _DATE_FILLER]
    return iso if not words else None


def parse_byline(line: str) -> Optional[List[str]]:
    """``By Jane Doe and John Roe`` (en/de/fr/es/it) -> ["Jane Doe", "John Roe"]; None if not a by-line."""
    if len(line) > 160:
        return None
    m = _BYLINE.match(line.strip())
    if not m:
        return None
    names_part = _SEPARATORS.split(m.group("names"))[0].strip().rstrip(".")
    names = []
    for part in _NAME_SPLIT.split(names_part):
        part = part.strip(" .,")
        if not part:
            continue
        words = part.split()
        if len(words) > 5 or not all(w[0].isupper() or w.lower() in ("de", "van", "von", "der", "da", "di",
                                                                         "del", "la", "le", "du", "dos")
                                     for w in words):
            return None
        names.append(part)
    return names or None


def _split_byline_parts(line: str) -> List[str]:
    return [p.strip() for p in _SEPARATORS.split(line) if p.strip()]


def parse_url_line(line: str) -> Optional[Optional[str]]:
    """``URL: https://...`` / ``Originally published at [Site](https://...)`` -> the URL; None if not one."""
    m = _URL_LINE.match(line.strip())
    if not m:
        return None
    u = _URL_IN.search(m.group("rest"))
    if not u or len(m.group("rest")) > 300:
        return None
    return u.group(0).rstrip(".,;:>")


def _md_inline(s: str) -> str:
    """Markdown inline markup -> plain text."""
    s = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", s)                    # images
    s = re.sub(r"!\[[^\]]*\]\[[^\]]*\]", "", s)
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s)                # links
    s = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", s)               # reference links
    s = re.sub(r"<(https?://[^>\s]+)>", r"\1", s)                 # autolinks
    s = re.sub(r"</?[A-Za-z][^>]{0,200}>", "", s)                 # inline html tags
    s = re.sub(r"`([^`]*)`", r"\1", s)                             # inline code
    s = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", s)         # strong
    s = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", s)  # emphasis *x*
    s = re.sub(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])", r"\1", s)    # emphasis _x_ (not snake_case)
    s = re.sub(r"~~(?=\S)(.+?)(?<=\S)~~", r"\1", s)
    s = re.sub(r"\\([\\`*_{}\[\]()#+\-.!>|])", r"\1", s)            # escapes
    return re.sub(r"[ \t]+", " ", s).strip()


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_BLOCKQUOTE = re.compile(r"^\s*>\s?")
_MD_REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _markdown_paragraphs(lines: List[str]) -> List[str]:
    """Markdown body lines -> plain-text paragraphs (headings, list items, code blocks each their own)."""
    paras: List[str] = []
    cur: List[str] = []

    def flush():
        if cur:
            txt = _md_inline(" ".join(x.strip() for x in cur))
            if txt:
                paras.append(txt)
            cur.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            flush()
            fence = _FENCE.match(line).group(1)
            code: List[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                code.append(lines[i])
                i += 1
            i += 1
            while code and not code[0].strip():
                code.pop(0)
            while code and not code[-1].strip():
                code.pop()
            if code:
                paras.append("\n".join(code))
            continue
        i += 1
        stripped = _BLOCKQUOTE.sub("", line) if _BLOCKQUOTE.match(line) else line
        s = stripped.strip()
        if not s:
            flush()
            continue
        if _HR.match(s) or _MD_REFDEF.match(s) or _TABLE_SEP.match(s):
            flush()
            continue
        if i < len(lines) and _SETEXT.match(lines[i]) and not cur and lines[i].strip():
            paras.append(_md_inline(s))
            i += 1
            continue
        h = _MD_HEADING.match(s)
        if h:
            flush()
            txt = _md_inline(h.group(1))
            if txt:
                paras.append(txt)
            continue
        li = _LIST_ITEM.match(s)
        if li:
            flush()
            txt = _md_inline(li.group(1))
            if txt:
                paras.append("- " + txt)
            continue
        if s.startswith("|") and s.endswith("|"):
            flush()
            cells = [_md_inline(c) for c in s.strip("|").split("|")]
            txt = " | ".join(c for c in cells if c)
            if txt:
                paras.append(txt)
            continue
        cur.append(s)
    flush()
    return paras


def _is_hard_wrapped(block: List[str]) -> bool:
    """A blank-line separated block whose lines are a hard-wrapped paragraph (joined with spaces) rather
    than one paragraph (or headline) per line: several lines, none longer than 100 characters, most
    non-last lines long-ish, and a fair share of continuation lines starting in lower case."""
    if len(block) < 2:
        return False
    lens = [len(x) for x in block]
    if max(lens) > 100:
        return False
    body = block[:-1]
    longish = sum(1 for x in body if len(x) >= 40 and len(x) >= 0.6 * max(lens))
    lower = sum(1 for x in block[1:] if x[:1].islower() or x[:1] in "(\"'“«,;")
    return longish >= 0.6 * len(body) and lower >= 0.3 * (len(block) - 1)


def _text_paragraphs(lines: List[str]) -> List[str]:
    """Plain-text body lines -> paragraphs.

    Blocks are separated by blank lines. A hard-wrapped block is joined into one paragraph; otherwise each
    non-empty line is its own paragraph (text dumps often have one paragraph a line without blank lines,
    and boilerplate removal works line by line)."""
    paras: List[str] = []
    block: List[str] = []

    def flush():
        if not block:
            return
        if _is_hard_wrapped(block):
            paras.append(" ".join(x.strip() for x in block))
        else:
            paras.extend(x.strip() for x in block)
        block.clear()

    for line in lines:
        if line.strip():
            block.append(re.sub(r"[ \t]+", " ", line.strip()))
        else:
            flush()
    flush()
    return paras


def _normalise(raw: str) -> List[str]:
    raw = raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    raw = raw.replace("\u00a0", " ").replace("\u200b", "")
    raw = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", raw)
    return [ln.rstrip() for ln in raw.split("\n")]


def _front_matter(lines: List[str], meta: Dict[str, Any]) -> List[str]:
    """YAML-style front matter (``---`` ... ``---``) at the top of Markdown: title/date/author/url keys."""
    if not lines or lines[0].strip() != "---":
        return lines
    for end in range(1, min(len(lines), 60)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return lines
    for ln in lines[1:end]:
        m = re.match(r"^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$", ln)
        if not m:
            continue
        key, val = m.group(1).lower(), m.group(2).strip("'\"")
        if not val:
            continue
        if key == "title" and "title" not in meta:
            meta["title"] = val
        elif key in ("date", "published", "pubdate", "publishdate") and "published" not in meta:
            f = find_date(val)
            if f:
                meta["published"] = f[0]
        elif key in ("author", "authors", "byline") and "authors" not in meta:
            names = [n.strip(" '\"") for n in re.split(r"[,;]|\band\b", val.strip("[]")) if n.strip(" '\"")]
            if names:
                meta["authors"] = names
        elif key in ("url", "link", "canonical_url", "canonical", "source_url", "original_url") \
                and "url" not in meta and _URL_IN.search(val):
            meta["url"] = _URL_IN.search(val).group(0)
    return lines[end + 1:]


HEADER_LINES = 10   # non-blank lines at the top scanned for title/by-line/date/url lines
FOOTER_LINES = 5    # non-blank lines at the bottom scanned for url ("Original url:") lines
_TITLE_MAX_CHARS = 200
_TITLE_MAX_WORDS = 25


def _is_title_like(s: str) -> bool:
    return (0 < len(s) <= _TITLE_MAX_CHARS and len(s.split()) <= _TITLE_MAX_WORDS
            and (not s.endswith((".", ",", ";", ":")) or s.endswith(("...", "…"))))


def parse_text_document(raw: str, markdown: bool) -> Dict[str, Any]:
    """Text or Markdown -> {"text", "title", "authors", "published", "url"} (metadata None/[] when absent).

    Recognised in the first ``HEADER_LINES`` non-blank lines (outside code fences): the title (a Markdown
    ``# Title``/setext heading, a ``Title:`` line, or a first short line followed by a blank line or by a
    by-line/date line), by-lines (``By``/``Von``/``Par``/``Por``/``Di``..., possibly with a date after a
    ``|``), date lines (labelled or bare) and url lines; url lines also in the last ``FOOTER_LINES``
    non-blank lines. Recognised lines are removed from the text."""
    lines = _normalise(raw)
    meta: Dict[str, Any] = {}
    if markdown:
        lines = _front_matter(lines, meta)
    # indices of non-blank lines outside code fences
    visible: List[int] = []
    in_fence = False
    for i, ln in enumerate(lines):
        if markdown and _FENCE.match(ln):
            in_fence = not in_fence
            continue
        if not in_fence and ln.strip():
            visible.append(i)
    drop: set = set()
    head = visible[:HEADER_LINES]
    has_h1 = markdown and any(_MD_H1.match(lines[i].strip()) for i in head)

    def next_nonblank(i: int) -> Optional[int]:
        for j in visible:
            if j > i:
                return j
        return None

    for n, i in enumerate(head):
        s = lines[i].strip()
        plain = _md_inline(s) if markdown else s
        if n == 0 or (markdown and "title" not in meta):
            h1 = _MD_H1.match(s) if markdown else None
            setext = (markdown and i + 1 < len(lines) and re.match(r"^=+\s*$", lines[i + 1]) is not None)
            et = _EXPLICIT_TITLE.match(plain)
            if h1 and "title" not in meta:
                meta["title"] = _md_inline(h1.group(1))
                drop.add(i)
                continue
            if setext and "title" not in meta:
                meta["title"] = plain
                drop.update((i, i + 1))
                continue
            if et and "title" not in meta:
                meta["title"] = et.group(1).strip()
                drop.add(i)
                continue
        u = parse_url_line(s)
        if u is not None:
            meta.setdefault("url", u)
            drop.add(i)
            continue
        by = None
        parts = _split_byline_parts(plain)
        if parts and parse_byline(parts[0]):
            by = parse_byline(parts[0])
            rest_dates = [parse_date_line(p) for p in parts[1:]]
            if all(rest_dates) or not parts[1:]:
                meta.setdefault("authors", by)
                for d in rest_dates:
                    meta.setdefault("published", d)
                drop.add(i)
                continue
            by = None
        d = parse_date_line(plain)
        if d:
            meta.setdefault("published", d)
            drop.add(i)
            continue
        if n == 0 and not has_h1 and "title" not in meta and not _LIST_ITEM.match(s) and _is_title_like(plain):
            nxt = i + 1
            blank_after = nxt < len(lines) and not lines[nxt].strip()
            j = next_nonblank(i)
            meta_after = False
            if j is not None:
                t = _md_inline(lines[j].strip()) if markdown else lines[j].strip()
                p0 = _split_byline_parts(t)
                meta_after = bool((p0 and parse_byline(p0[0])) or parse_date_line(t))
            if j is not None and (blank_after or meta_after):
                meta["title"] = plain
                drop.add(i)
                continue
    for i in visible[-FOOTER_LINES:]:
        if i in drop or i in head:
            continue
        u = parse_url_line(lines[i].strip())
        if u is not None:
            meta.setdefault("url", u)
            drop.add(i)
    body = ["" if i in drop else ln for i, ln in enumerate(lines)]
    paras = _markdown_paragraphs(body) if markdown else _text_paragraphs(body)
    return {
        "text": "\n\n".join(p for p in paras if p.strip()),
        "title": meta.get("title"),
        "authors": meta.get("authors") or [],
        "published": meta.get("published"),
        "url": meta.get("url"),
    }


# --------------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------------

def _hostname(url: Optional[str]) -> Optional[str]:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def _norm_cmp(s: Optional[str]) -> str:
    return re.sub(r"\W+", " ", (s or "").lower()).strip()


# scripts written without spaces between words (Chinese, Japanese): a title's size is counted in characters there
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _n_words(s: str) -> int:
    """Words of a title segment; in Chinese/Japanese text (no spaces) two characters count as one word."""
    return max(len(s.split()), len(_UNSPACED.findall(s)) // 2)


_TITLE_SEP = re.compile(r"\s+[|\u2013\u2014\u00b7•:-]\s+|\s*[\uff5c\uff1a|\u00bb\u203a]\s*|\s+::\s+")
_COLON_SITE = re.compile(r"^(.*[^\s:])\s*:\s+([^:]+?)\s*$", re.S)
_DATE_SEGMENT = re.compile(r"^[\d\s./:-]{6,}$")


_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa"})


def _squash(s: str) -> str:
    """Lower case, letters and digits only, German/Nordic letters transliterated and accents dropped, so
    that a site name and its host name compare equal ("Börsen-Zeitung" / boersen-zeitung.de, "Le Télégramme"
    / letelegramme.fr)."""
    s = unicodedata.normalize("NFKD", s.lower().translate(_TRANSLIT))
    return re.sub(r"\W+", "", "".join(ch for ch in s if not unicodedata.combining(ch)))


def _site_like(seg: str, names: List[str]) -> bool:
    """A title segment naming the site: it contains, or is contained in, the site name or the host name
    (compared without spaces and punctuation), e.g. "Globalnews.ca", "| DW", "- The Namibian"."""
    q = _squash(seg)
    if not q or len(seg.split()) > 8:
        return False
    for n in names:
        if n and (q == n or (len(q) >= 3 and q in n) or (len(n) >= 3 and n in q) or (len(q) >= 2 and n.startswith(q))):
            return True
    return False


def _site_names(sitename: Optional[str], hostname: Optional[str]) -> List[str]:
    """Squashed names a title segment is compared with: the site name, the host name and its longer labels."""
    names = [_squash(x) for x in (sitename, hostname) if x]
    if hostname:
        host = hostname.split(".")
        names += [_squash(h) for h in host[:-1] if len(h) >= 4 and h not in ("www", "news", "com")]
    return [n for n in names if n]


def clean_title(title: Optional[str], sitename: Optional[str], hostname: Optional[str]) -> Optional[str]:
    """Strips the site name the page's <title> adds at either end ("Headline | Site", "Site - Headline",
    "Headline – DW – 13.06.2023", "見出し：新聞名"), with a trailing date and a one- or two-word section name
    next to it ("Headline - National | Globalnews.ca"), and the site name itself after a colon ("Headline: Stadt
    Ahlen"; any other words after a colon stay: "Kicker: Headline"). A title with no segment naming the site is kept as it
    is, so a real "A - B" title stays whole."""
    if not title:
        return title
    names = _site_names(sitename, hostname)
    if not names:
        return title
    m = _COLON_SITE.match(title)
    if m and sitename and _squash(m.group(2)) == _squash(sitename) and _n_words(m.group(1)) >= 2:
        # "Headline: Site" (a colon right after the headline, no space before it): only the site name itself
        return m.group(1).strip()
    segs = _TITLE_SEP.split(title.strip())
    if len(segs) < 2:
        return title
    # trailing: drop dates at the end, then the site segment and a short section segment before it
    end = len(segs)
    while end > 1 and _DATE_SEGMENT.match(segs[end - 1]):
        end -= 1
    cut = None
    for k in range(end - 1, 0, -1):
        if _site_like(segs[k], names):
            cut = k
        elif end - k > 2 or _n_words(segs[k]) > 2:
            break
    host_names = _site_names(None, hostname)
    if cut is None or not _site_like(segs[cut], host_names):
        # "Headline : Krimiblog-Archiv | Slogan of several words | Founded 2005": the segment naming the host,
        # before a longer tail
        for k in range(1, end):
            if _site_like(segs[k], host_names) and _n_words(" ".join(segs[:k])) >= 3:
                cut = k
                break
    if cut is not None:
        # one or two short section segments before the site name go too ("Headline | iPhone | Forum | Site")
        for _ in range(2):
            if cut > 1 and _n_words(segs[cut - 1]) <= 2 and _n_words(" ".join(segs[:cut - 1])) >= 3:
                cut -= 1
        segs = segs[:cut]
    elif len(segs) >= 2 and _site_like(segs[0], names) and _n_words(" ".join(segs[1:])) >= 3:
        segs = segs[1:]
        # "Blog » Archive » Headline": a short section segment after the leading site name goes too
        if len(segs) >= 2 and _n_words(segs[0]) <= 2 and _n_words(" ".join(segs[1:])) >= 3:
            segs = segs[1:]
    # put the kept part back together from the original string (keeps the real separators inside it)
    kept = " ".join(x for x in segs if x).strip()
    if not kept or len(kept) < 0.2 * len(title):
        return title
    start = title.find(segs[0])
    stop = title.find(segs[-1], start) + len(segs[-1]) if start >= 0 else -1
    if start >= 0 and stop > start:
        return title[start:stop].strip()
    return kept


_QUOTES = set("\"'“”„«»")


def _word_prefix(shorter: str, longer: str) -> bool:
    """The words of ``shorter`` begin those of ``longer``, which has more."""
    a, b = _norm_cmp(shorter).split(), _norm_cmp(longer).split()
    return bool(a) and len(a) < len(b) and b[:len(a)] == a


def _split_authors(author: Optional[str]) -> List[str]:
    if not author:
        return []
    out, seen = [], set()
    for a in re.split(r"\s*;\s*", author):
        a = a.strip()
        if a and a.lower() not in seen:
            seen.add(a.lower())
            out.append(a)
    return out


# What trafilatura's author search leaves around a name: the by-line's own label in front ("Von", "Par",
# "View all posts by", "责任编辑："), a word of the next label behind ("Sara Zinnecker Stand" from "Stand: 3.
# May"), whole entries that are a field label or a credential ("Name", "Admin", "PhD"), and, beside a person,
# entries that name no person: the site, a company, a web address written as a name ("Facebook Com"), a month.
_AUTHOR_PREFIX = re.compile(
    r"^(?:(?:by|von|vom|par|por|door|written by|posted by|autor(?:in)?|author|auteur|autore|artikel von|"
    r"ein beitrag von|beitrag von|text|interview|view all posts by|all posts by|zeige alle beiträge von|"
    r"alle beiträge von|zum profil von)\s*[:：]?\s+|(?:责任编辑|作者|编辑|记者)\s*[:：]\s*)", re.I)
_AUTHOR_SUFFIX = re.compile(r"\s+(?:stand|vor|tiempo de lectura|hora de publicación.*)$", re.I)
_AUTHOR_PLACEHOLDER = re.compile(
    r"^(?:name|admin|administrator|no author|unknown|follow|datum|date|posted|author|autor|auteur|text|"
    r"journalist|journalistin|reporter|redakteur|redakteurin|correspondent|"
    r"ph\.?\s?d\.?|m\.?\s?d\.?|dr\.?|prof\.?|mba|msc|bsc)$", re.I)
# a section or magazine name run into the by-line: "Capital Von Jemima Kelly"
_AUTHOR_INNER_LABEL = re.compile(r"^\S+ (?:Von|By|Par|Por) (?=[A-ZÀ-Þ])")
_MONTH_NAME = re.compile(r"^(?:january|february|march|april|may|june|july|august|september|october|november|"
                         r"december|januar|februar|märz|mai|juni|juli|oktober|dezember)$", re.I)
_AUTHOR_ORG = re.compile(r"\b(?:gmbh|ag|e\.? ?v\.?|ltd\.?|inc\.?|llc|s\.a\.|s\.l\.|b\.v\.|plc|kg|se)$", re.I)
_HOST_NAME = re.compile(r"^(?:[\w-]+ ){0,2}(?:com|net|org|info|de|at|ch|it|fr|es|nl|be|eu|io|uk)$", re.I)


def _site_label(host: Optional[str]) -> str:
    """The registrable name of a host: "edition.cnn.com" -> "cnn", "die-tagespost.de" -> "dietagespost",
    "campograndenews.com.br" -> "campograndenews"."""
    parts = [p for p in (host or "").lower().split(".") if p]
    if len(parts) < 2:
        return ""
    parts = parts[:-1]
    if len(parts) >= 2 and parts[-1] in ("co", "com", "org", "net", "gov", "ac", "edu", "gob"):
        parts = parts[:-1]
    return _squash(parts[-1])


def clean_authors(names: List[str], site: Optional[str] = None, host: Optional[str] = None) -> List[str]:
    """Author names as trafilatura finds them -> the names: by-line labels in front and a following label's
    word behind are cut ("Par Attac France" -> "Attac France", "Zum Profil von ann ann" -> "ann"), entries
    that are a label or a credential are dropped ("Name", "PhD"), the site's or publisher's own name is dropped
    when a person is named as well ("CNN" beside "Rob Picheta", for the site ``site`` or host ``host``), and so
    are a company ("... GmbH"), a web address written as a name ("Facebook Com") and a month name (a date's
    first word); the page's own address alone is the credit, written as
    the host ("Nieuwsblad Be" -> "nieuwsblad.be")."""
    out: List[str] = []
    seen = set()
    for a in names:
        a = a.strip()
        for rx in (_AUTHOR_PREFIX, _AUTHOR_INNER_LABEL, _AUTHOR_SUFFIX):  # a cut that leaves nothing is undone
            a = rx.sub("", a, count=1).strip() or a
        w = a.split()
        if len(w) % 2 == 0 and w and w[:len(w) // 2] == w[len(w) // 2:]:
            a = " ".join(w[:len(w) // 2])  # a profile link's text and its title: "ann ann"
        if not a or _AUTHOR_PLACEHOLDER.match(a) or _LINK_WORDS.match(a):
            continue  # a field label, or a link's words ("View blog authority", "About Us")
        if host and _HOST_NAME.match(a) and _squash(a) == _squash(host):
            a = host  # the site credited by its address: "Nieuwsblad Be" -> "nieuwsblad.be"
        if a.lower() not in seen:
            seen.add(a.lower())
            out.append(a)
    if len(out) > 1:
        label, site_key = _site_label(host), _squash(site or "")
        def site_like(a: str) -> bool:
            k = _squash(a)
            return bool(k) and (k == site_key or (len(label) >= 3 and label in k) or bool(_MONTH_NAME.match(a)) or
                                bool(_HOST_NAME.match(a) and " " in a) or bool(_AUTHOR_ORG.search(a)))
        people = [a for a in out if not site_like(a)]
        if people:
            out = people
    return out


class Extract:
    """``Extract(cfg)(record) -> record``: fills text, title, authors, published, site, url; drops _raw."""

    name = NAME

    def __init__(self, cfg: Dict[str, Any], mode: Optional[str] = None):
        ec = cfg["extract"]
        self.timeout = float(ec.get("timeout_seconds", 20.0) or 0)
        self.min_chars = int(ec.get("min_text_chars", 1))
        self.mode = mode or ec.get("timeout_mode", "auto")
        self.opts = {
            "include_comments": bool(ec.get("include_comments", False)),
            "include_tables": bool(ec.get("include_tables", True)),
            "favor_precision": bool(ec.get("favor_precision", False)),
            "extensive_date_search": bool(ec.get("extensive_date_search", False)),
            "max_date": ec.get("max_date") or "2100-12-31",
            "date_fallback_search": bool(ec.get("date_fallback_search", False)),
            "prune_tokens": [str(t) for t in (ec.get("prune_tokens") or [])],
            "drop_link_blocks": bool(ec.get("drop_link_blocks", True)),
            "drop_alt_captions": bool(ec.get("drop_alt_captions", True)),
        }
        self.keep_title_paragraph = bool(ec.get("keep_title_paragraph", False))
        self.html_target = _HTML_TARGET
        self._worker: Optional[_Worker] = None
        # a text dump's own by-line/date/url lines (below its menu): transforms.textdump.dump_metadata
        self.plain_text = dict((cfg.get("boilerplate") or {}).get("plain_text") or {})

    # -- HTML with a time limit --------------------------------------------------------------------
    def _run_html(self, raw: str, url: Optional[str]) -> Optional[Dict[str, Any]]:
        args = (raw, url, self.opts)
        if self.html_target == _HTML_TARGET and self.mode != "process":
            warm_trafilatura()  # first import and stoplists, outside the document's time limit
        in_main = threading.current_thread() is threading.main_thread()
        if self.timeout <= 0 and self.mode != "process":
            return _resolve(self.html_target)(*args)
        if self.mode != "process" and in_main and hasattr(signal, "setitimer"):
            return _call_with_signal(_resolve(self.html_target), args, self.timeout)
        if self._worker is None:
            self._worker = _Worker()
        return self._worker.call(self.html_target, args, self.timeout)

    def warm(self) -> None:
        """What the first page would load (see warm_trafilatura): called by the process pool."""
        if self.mode != "process":
            warm_trafilatura()

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_worker"] = None
        return state

    # -- HTML metadata choice ------------------------------------------------------------------------
    def _pick_html_meta(self, res: Dict[str, Any], in_url: Optional[str]
                        ) -> Tuple[Optional[str], Optional[str], Optional[str]]:
        """(title, published, trafilatura's title cleaned) of an HTML page from trafilatura's values and the
        structured-metadata scan
        (precedence in :mod:`transforms.metadata`): title = JSON-LD article headline > an <h1> related to
        the page title > trafilatura's title, with the site name stripped (:func:`clean_title`), then checked
        against the page's <title> (:meth:`_check_against_page_title`); trafilatura's site name is not used
        for stripping when it was taken from the title itself. Published = (:func:`metadata.pick_published`)
        JSON-LD article date > date meta tags > htmldate's date > the date under the headline, a
        disagreement settled by the date under the headline > the first date line of the page's visible
        text (:func:`metadata.page_text_date`, on pages with no other date; it also overrules htmldate's date
        alone when labelled "Veröffentlicht am ..." or when htmldate's is a 1 January) > (``extract.date_fallback_search``)
        htmldate's extensive search, all within [MIN_DATE, ``extract.max_date``]."""
        from transforms import metadata

        scan = res.get("scan") or {}
        sitename = res.get("sitename")
        host = _hostname(res.get("hostname") and "http://" + res["hostname"]) or _hostname(in_url)
        if res.get("title"):   # soft hyphens (invisible hyphenation points, "Mes\u00adsen\u00adger") are no part of a title
            res["title"] = res["title"].replace("\u00ad", "")
        traf_title = res.get("title") or ""
        if sitename and _squash(sitename) in _squash(traf_title) and not _site_like(
                sitename, _site_names(None, host)):
            # trafilatura may guess the site name from the title itself: the whole title when it is also the
            # page's <h1>, or a piece of one of its parts ("Welpen" of "Welpen kaufen – Tipps"); then, when it
            # does not look like the host name either, it is no site name (stripping it would cut the headline)
            segs = [_squash(x) for x in _TITLE_SEP.split(traf_title)]
            if _squash(sitename) == _squash(traf_title):
                if any(metadata.same_words(h, traf_title) for h in scan.get("h1") or []):
                    sitename = None
            elif _squash(sitename) not in segs:
                sitename = None
        pt_segs = _TITLE_SEP.split((scan.get("page_title") or "").strip())
        if (sitename and len(pt_segs) >= 2 and _squash(sitename) == _squash(pt_segs[0])
                and _site_like(pt_segs[-1], _site_names(None, host))):
            # the site name guessed from the page's <title> "Headline | Site" is its headline: the site is the
            # last segment, named like the host
            sitename = None
        names = _site_names(sitename, host)

        def is_site(s: str) -> bool:  # the whole text names the site (stricter than a segment test)
            q = _squash(s)
            return bool(q) and any(q == n or q in n or (n in q and len(q) <= len(n) + 12) for n in names)

        base = page_title = clean_title(res.get("title"), sitename, host)
        raw_page = scan.get("page_title")
        if base and raw_page and _word_prefix(base, raw_page):
            # trafilatura's title is the page's <title> cut short of its site name only ("Headline | Section |
            # Forum" of "Headline | Section | Forum | Site"): the <title> cleaned with its site name drops the
            # section segments next to it too
            # (when one separator joins them all: "Headline – Part two | Blog" keeps its "Part two")
            alt = clean_title(raw_page, sitename, host)
            tail = raw_page[raw_page.find(alt) + len(alt):] if alt and alt in raw_page else ""
            if alt and _word_prefix(alt, base) and len({x.strip() for x in _TITLE_SEP.findall(tail)}) == 1:
                base = page_title = alt
            elif alt and alt.startswith(base) and alt[len(base):].lstrip()[:1] in _QUOTES:
                # trafilatura's title (og:title) is the <title> cut short at a quote: an unescaped quote ends
                # the attribute ('content="Senador ... a Biden de "incapacitado""')
                base = page_title = alt
        if not base or is_site(base):  # trafilatura took the site name (a logo <h1>): try the page's <title>
            alt = clean_title(scan.get("page_title"), sitename, host)
            if alt and not is_site(alt):
                base = alt
        title = metadata.pick_title(scan, base, is_site)
        if title is not base:
            title = clean_title(title, sitename, host)
        title = self._check_against_page_title(title, scan, sitename, host, is_site)
        max_date = self.opts["max_date"]
        published = metadata.pick_published(scan, res.get("date"), max_date) or res.get("date_fallback")
        return title, published, page_title

    @staticmethod
    def _check_against_page_title(title, scan, sitename, host, is_site):
        """The chosen title checked against the page's own <title>:

        * a title (not backed by og:title or JSON-LD) that is the site segment the <title> adds after the
          headline ("Headline | Blog name"), or before it in breadcrumb order ("Blog name » Archive »
          Headline"), is a logo <h1>: the rest of the <title> wins; so does the cleaned <title> over a title
          that is that site segment plus a slogan and shares little with the headline;
        * a title that shares almost no words with the cleaned <title> (under 20% of the shorter one) is a
          menu or section heading picked up by mistake ("Navigation und Service", "Pressemitteilungen"):
          then an <h1> related to the <title> wins, else the cleaned <title> itself; unless a JSON-LD
          headline exists, or og:title or the page's only <h1> says the same as the title."""
        from transforms import metadata

        raw_page = scan.get("page_title")
        segs = _TITLE_SEP.split(raw_page.strip()) if raw_page and title else []
        backed = any(metadata.same_words(title, scan.get(k)) for k in ("og_title", "ld_headline"))
        if len(segs) >= 2 and not backed and (
                metadata.same_words(title, segs[-1])
                or (len(segs) >= 3 and "\u00bb" in raw_page and metadata.same_words(title, segs[0])
                    and not _site_like(segs[-1], _site_names(sitename, host)))):
            # the title is the site name that the <title> adds after the headline ("Headline | Blog name") or,
            # in breadcrumb order, before it ("Blog name » Archive » Headline"): a logo <h1>
            rest = clean_title(raw_page, title, host)
            if (rest and rest != raw_page and not is_site(rest) and not metadata.same_words(rest, title)
                    and len(metadata._words(title)) <= max(4, len(metadata._words(rest)))):
                # (a site name is short, or shorter than the headline: a long last segment after a short
                # kicker, "Die Zukunft der Arbeit - "Wir dekorieren ..."", is the headline itself)
                return rest
        page = clean_title(raw_page, sitename, host)
        h1s = scan.get("h1") or []
        if (len(segs) >= 2 and not backed and page and not is_site(page) and _word_prefix(segs[-1], title)
                and not metadata.related(page, title, 0.8)):
            # the title is the site segment the <title> ends with plus more words: a logo <h1> with the site's
            # slogan ("ProNATs e.V. Verein zur Unterstützung ..." of "Kinder und Arbeit » ProNATs e.V.")
            return page
        if not page or is_site(page) or not title or scan.get("ld_headline") or metadata.related(title, page, 0.2):
            return title
        # the <h1>s related to the page title, the one that covers most of its words first (a logo <h1>
        # "Blog name" is related to "Headline | Blog name" too, but covers less of it)
        page_words = set(metadata._words(page))
        confirming = sorted((h for h in h1s if not is_site(h) and metadata.related(h, page)
                             and len(metadata._words(h)) <= 2 * len(page_words) + 2),
                            key=lambda h: -len(page_words & set(metadata._words(h))))
        # an <h1> of a few words that says most of what the page title says
        strong = bool(confirming) and len(metadata._words(confirming[0])) >= 3 and len(
            page_words & set(metadata._words(confirming[0]))) >= 0.6 * len(page_words)
        if (len(h1s) == 1 and metadata.same_words(title, h1s[0])) or (
                metadata.same_words(title, scan.get("og_title")) and not strong):
            # og:title, or the page's only <h1>, says the same as the title; og:title gives way to an <h1>
            # that says what the page title says (og:title "Pressemitteilungen" on a press release)
            return title
        if confirming:
            return clean_title(confirming[0], sitename, host)
        return page

    # -- per record ----------------------------------------------------------------------------------
    def __call__(self, record: Dict[str, Any]) -> Dict[str, Any]:
        raw = record.pop("_raw", None) or ""
        fmt = record.get("_format") or "html"
        in_url = record.get("url") or None
        if fmt == "html":
            try:
                res = self._run_html(raw, in_url)
            except ExtractTimeout:
                raise Reject("timeout", f"extraction took longer than {self.timeout:g} s") from None
            res = res or {}
            res["title"], res["date"], page_title = self._pick_html_meta(res, in_url)
            paras = [ln.strip() for ln in (res.get("text") or "").split("\n") if ln.strip()]
            if not self.keep_title_paragraph and paras and _norm_cmp(paras[0]) in {
                    _norm_cmp(t) for t in (res["title"], page_title) if t}:
                paras = paras[1:]
            if res.get("drop"):
                drop = set(res["drop"])
                paras = [p for p in paras if _WS.sub(" ", _LIST_BULLET.sub("", p)).strip() not in drop]
            comments = [ln.strip() for ln in (res.get("comments") or "").split("\n") if ln.strip()]
            text = "\n\n".join(paras + comments)
            found = {
                "title": res.get("title"),
                "authors": _split_authors(res.get("author")),
                "published": res.get("date"),
                "url": res.get("url"),
                "site": res.get("sitename") or res.get("hostname"),
            }
        else:
            parsed = parse_text_document(raw, markdown=(fmt == "markdown"))
            text = parsed["text"]
            found = {k: parsed[k] for k in ("title", "authors", "published", "url")}
            found["site"] = None
            if not all(found[k] for k in ("authors", "published", "url")):
                # a page dump: its header sits above the article, below the menu, not at the top
                from transforms import textdump
                for k, v in textdump.dump_metadata(text.split("\n"), self.plain_text).items():
                    found[k] = found.get(k) or v
        record["url"] = in_url or found["url"] or None
        record["title"] = record.get("title") or found["title"] or None
        record["authors"] = list(record.get("authors") or clean_authors(
            found["authors"] or [], found.get("site"), _hostname(record["url"])))
        record["published"] = record.get("published") or found["published"] or None
        site = found["site"]
        if site and len(site.split()) >= 4 and _norm_cmp(site) in {
                _norm_cmp(t) for t in (record["title"], text.split("\n", 1)[0]) if t}:
            site = None  # the headline taken for the site name (a blog's <title> or og:site_name left as it was)
        record["site"] = record.get("site") or site or _hostname(record["url"])
        record["text"] = text
        if not text.strip():
            raise Reject("no_text", "no main text found")
        if len(text) < self.min_chars:
            raise Reject("no_text", f"main text has {len(text)} characters, fewer than {self.min_chars}")
        return record


def ExtractTransform(cfg: Dict[str, Any]) -> ApplyStage:
    """Beam wrapper: ``pcoll | ExtractTransform(cfg)`` -> {"docs", "rejects"}."""
    return ApplyStage(Extract, NAME, cfg)
