"""Cheap structured-metadata scan of an HTML page: headline and publication date from the page's own markup.

trafilatura (with htmldate) gives a title and a date for every page, but on news pages it often picks the
social-media title (``og:title``, frequently a teaser different from the printed headline) or a date from the
URL or a "modified" tag. The publisher's own structured metadata is usually more precise. This module reads it
with regular expressions only (no second HTML parse), over bounded parts of the page:

* JSON-LD (``<script type="application/ld+json">``, first :data:`MAX_LD_SCRIPTS` scripts anywhere in the first
  :data:`MAX_SCAN_CHARS` characters): the first article-like object (``@type`` NewsArticle, Article,
  BlogPosting, LiveBlogPosting, ReportageNews, ...; top level, in lists and in ``@graph``) gives ``headline``
  and ``datePublished`` (else ``dateCreated``);
* ``<meta>`` tags in the first :data:`MAX_META_CHARS` characters: publication-date keys (:data:`DATE_META_KEYS`,
  first present key in that order), ``og:title``/``twitter:title``, and the ``<title>``;
* ``<h1>`` elements in the first :data:`MAX_SCAN_CHARS` characters (at most :data:`MAX_H1`).

Choice (:func:`pick_title`, :func:`pick_published`), documented precedence:

* title: JSON-LD article headline > an ``<h1>`` that is "related" to the page's title (``og:title`` or
  trafilatura's title: most words of the shorter one occur in the longer one) and does not just name the site >
  the page's only ``<h1>`` (3+ words) when it is related to none of og:title, trafilatura's title and the
  ``<title>`` > trafilatura's title (site name stripped by the caller); a candidate that is trafilatura's title plus more
  words (a kicker, the site name) gives way to it;
* published: when JSON-LD, the date meta tags and htmldate disagree, the one of them that is also written
  under the headline (:func:`headline_date`) wins; else JSON-LD article ``datePublished``/``dateCreated`` >
  date meta tags > trafilatura's (htmldate) date > the date under the headline, except that a structured
  date written in UTC near midnight, one day away from htmldate's (or the headline's), gives way to it;
  unless JSON-LD and the meta tags agree, an earlier date under the headline (the original publication)
  beats a single structured date, so does a later one not marked as an update ("Updated ...", an event's
  "Termin:" date is no date line at all), and any date under the headline beats htmldate's alone; with no date
  at all, the first date line of the visible text (``page_date``, :func:`page_text_date`, set by the caller);
  htmldate's date alone gives way to that first date line when a publication label stands before it
  ("Veröffentlicht am ...", :func:`page_text_date_labelled`, run by the caller only on pages holding such a
  word) or when htmldate's is a 1 January (a year only);
  :func:`fallback_date`
  (htmldate's extensive search, no copyright years) is the caller's last resort.

Measured (``python -m evaluation extraction``; fundus / trafilatura-eval / newspaper4k): JSON-LD headlines
match the labelled title about 87% of the time where present, the related ``<h1>`` 84-90%, og:title less; on
news pages og:title is often a social-media teaser. Date meta tags are as good as htmldate on average; JSON-LD
dates are better on news sites.

Every date is kept as written on the page (the calendar day of its own time zone, no conversion: on pages with
an offset that is what the labels follow, 20 of 21 on trafilatura-eval and fundus; a UTC 22:00/23:00 sharp,
a Central European midnight, is the next day) and must lie
between :data:`MIN_DATE` and the configured ``max_date`` (a fixed date, never "today": the same page gives the
same result on any day). Nothing here reads the clock or the network.
"""
from __future__ import annotations

import html as _html
import json
import re
from datetime import date, timedelta
from typing import Any, Dict, Iterator, List, Optional, Tuple

MAX_SCAN_CHARS = 1_500_000   # JSON-LD scripts and <h1> are looked for in this many characters of the page
MAX_META_CHARS = 400_000     # <meta> tags are read in this many characters (the head and the top of the body)
MAX_LD_SCRIPTS = 20          # at most this many JSON-LD scripts are parsed ...
MAX_LD_CHARS = 300_000       # ... each at most this long
MAX_H1 = 5                   # <h1> elements looked at
MIN_DATE = "1995-01-01"      # earlier dates are ignored (htmldate's own lower bound)
DEFAULT_MAX_DATE = "2100-12-31"

# JSON-LD types treated as "the article" (schema.org Article and its news/blog subtypes)
_ARTICLE_TYPE = re.compile(r"(?:Article|BlogPosting|LiveBlogPosting|Report|ReportageNews)$", re.I)

# <meta> keys (name / property / itemprop, lower case) holding the publication date, in order of preference
DATE_META_KEYS = (
    "article:published_time", "og:article:published_time", "article:published", "datepublished",
    "parsely-pub-date", "sailthru.date", "publish-date", "publish_date", "publishdate", "publication_date",
    "pubdate", "og:pubdate", "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created",
    "article.published", "date", "dc.date", "dcterms.date",
)
_TITLE_META_KEYS = ("og:title", "twitter:title")

_LD_RE = re.compile(r"<script\b[^>]*?application/ld\+json[^>]*>(.*?)</script\s*>", re.I | re.S)
_META_RE = re.compile(r"<meta\b([^>]{0,3000})>", re.I)
_ATTR_RE = re.compile(r"""([\w:.-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")
_TITLE_RE = re.compile(r"<title\b[^>]*>(.{0,3000}?)</title\s*>", re.I | re.S)
_H1_RE = re.compile(r"<h1\b[^>]*>(.{0,3000}?)</h1\s*>", re.I | re.S)
_TAG_RE = re.compile(r"<[^>]*>")
_WS_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"\w+")

_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
           "oct": 10, "nov": 11, "dec": 12}
_ISO_DATE = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})(?:$|[T\s_]|[+-]\d|Z)")
_DMY_NAME = re.compile(r"^\s*(?:[A-Za-z]{3,9},?\s+)?(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_MDY_NAME = re.compile(r"^\s*(?:[A-Za-z]{3,9},?\s+)?([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})\b")
_DOTTED = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_SLASHED = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\b")
_YMD_SLASH = re.compile(r"^\s*(\d{4})/(\d{1,2})/(\d{1,2})\b")


# ---------------------------------------------------------------------------------------------- dates

def _iso(y: int, m: int, d: int) -> Optional[str]:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_date(value: Any, max_date: str = DEFAULT_MAX_DATE, min_date: str = MIN_DATE) -> Optional[str]:
    """A machine-readable date as found in metadata -> "YYYY-MM-DD", or None when it is not a full date
    (year, month and day) or lies outside ``[min_date, max_date]`` (ISO strings, compared as text).

    Accepted forms (at the start of the value): ISO 8601 with or without separators ("2024-03-05T09:30:00Z",
    "20180619T055000+0900", "2024-03-05 09:30"), "2024/03/05", RFC 822 ("Wed, 04 May 2022 02:41:00 GMT",
    "May 4, 2022"), "05.03.2024" (day first) and "03/05/2024" (month first unless the first number is > 12).
    The day is the one written, in the value's own time zone, except for a local midnight written in UTC
    (:func:`_utc_local_midnight`: "2022-11-06T23:00:00.000Z" is 7 November on a page east of UTC)."""
    if not isinstance(value, str):
        return None
    s = value.strip()[:64]
    iso = None
    m = _ISO_DATE.match(s) or _YMD_SLASH.match(s)
    if m:
        iso = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso and _utc_local_midnight(s):
            iso = (date.fromisoformat(iso) + timedelta(days=1)).isoformat()
    elif _DMY_NAME.match(s):
        m = _DMY_NAME.match(s)
        mon = _MONTHS.get(m.group(2)[:3].lower())
        iso = _iso(int(m.group(3)), mon, int(m.group(1))) if mon else None
    elif _MDY_NAME.match(s):
        m = _MDY_NAME.match(s)
        mon = _MONTHS.get(m.group(1)[:3].lower())
        iso = _iso(int(m.group(3)), mon, int(m.group(2))) if mon else None
    elif _DOTTED.match(s):
        m = _DOTTED.match(s)
        iso = _iso(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    elif _SLASHED.match(s):
        m = _SLASHED.match(s)
        a, b = int(m.group(1)), int(m.group(2))
        iso = _iso(int(m.group(3)), b, a) if a > 12 else _iso(int(m.group(3)), a, b)
    if iso is None or not (min_date <= iso <= max_date):
        return None
    return iso


# ---------------------------------------------------------------------------------------------- text

def clean_text(value: Any) -> Optional[str]:
    """Markup-free one-line text: tags removed, entities decoded (twice: some pages double-escape), spaces
    collapsed, zero-width spaces and soft hyphens (invisible hyphenation points) dropped; None when empty or not
    a string."""
    if not isinstance(value, str):
        return None
    s = _TAG_RE.sub(" ", value)
    s = _html.unescape(_html.unescape(s))
    s = _WS_RE.sub(" ", s.replace("\u200b", "").replace("\u00ad", "")).strip()
    return s or None


def _words(s: str) -> List[str]:
    return _WORD_RE.findall(s.lower())


def related(a: Optional[str], b: Optional[str], share: float = 0.6) -> bool:
    """Two titles are related when at least ``share`` of the words of the shorter one occur in the longer one
    (e.g. an <h1> "Tote Hummeln unter Linden" and the page title "Tote Hummeln unter Linden: Die Erklärung")."""
    if not a or not b:
        return False
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    short, long_ = (wa, set(wb)) if len(wa) <= len(wb) else (wb, set(wa))
    return sum(1 for w in short if w in long_) >= share * len(short)


# ---------------------------------------------------------------------------------------------- JSON-LD

def _load_json(text: str) -> Any:
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:]
    if text.endswith("-->"):
        text = text[:-3]
    text = text.replace("//<![CDATA[", "").replace("//]]>", "").strip()
    if text.startswith("<![CDATA["):
        text = text[9:]
    if text.endswith("]]>"):
        text = text[:-3]
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        return None


def _walk(obj: Any, depth: int = 0) -> Iterator[Dict[str, Any]]:
    """Objects at the top level of a JSON-LD document, in lists and in ``@graph`` (depth-bounded)."""
    if depth > 4:
        return
    if isinstance(obj, list):
        for x in obj[:200]:
            yield from _walk(x, depth + 1)
    elif isinstance(obj, dict):
        yield obj
        graph = obj.get("@graph")
        if isinstance(graph, (list, dict)):
            yield from _walk(graph, depth + 1)


def json_ld_objects(page: str) -> List[Dict[str, Any]]:
    """All JSON-LD objects of a page (top level, lists, ``@graph``), in page order; broken scripts skipped."""
    out: List[Dict[str, Any]] = []
    n, pos, stop = 0, 0, min(len(page), MAX_SCAN_CHARS)
    # a plain substring search finds the candidates (much faster than a case-insensitive regex over the page)
    while n < MAX_LD_SCRIPTS:
        hit = page.find("ld+json", pos, stop)
        if hit < 0:
            break
        pos = hit + 7
        m = _LD_RE.match(page, max(0, page.rfind("<", 0, hit)), stop + 20)
        if not m:
            continue
        n += 1
        pos = m.end()
        body = m.group(1)
        if len(body) > MAX_LD_CHARS:  # e.g. a live blog with every post inline: read the head of it only
            head = _ld_head(body[:LD_HEAD_CHARS])
            if head:
                out.append(head)
            continue
        data = _load_json(body)
        if data is not None:
            out.extend(_walk(data))
    return out


LD_HEAD_CHARS = 20_000   # of a JSON-LD script longer than MAX_LD_CHARS, only this much is read, by regex
_LD_FIELD = re.compile(r'"(@type|headline|datePublished|dateCreated)"\s*:\s*"((?:[^"\\]|\\.){0,2000})"')


def _ld_head(text: str) -> Optional[Dict[str, Any]]:
    """The first ``@type``/``headline``/``datePublished``/``dateCreated`` string values of an oversized JSON-LD
    script (the leading object's own fields normally come first) -> a small object, or None."""
    obj: Dict[str, Any] = {}
    for key, raw in _LD_FIELD.findall(text):
        if key not in obj:
            try:
                obj[key] = json.loads('"' + raw + '"')
            except ValueError:
                continue
    return obj if "@type" in obj else None


def _is_article(obj: Dict[str, Any]) -> bool:
    t = obj.get("@type")
    types = t if isinstance(t, list) else [t]
    return any(isinstance(x, str) and _ARTICLE_TYPE.search(x.rsplit("/", 1)[-1]) for x in types)


def json_ld_article(objs: List[Dict[str, Any]], max_date: str = DEFAULT_MAX_DATE) -> Dict[str, Optional[str]]:
    """The first article-like JSON-LD object -> {"headline", "published"} (None where absent or invalid).
    The headline is ``headline`` (else ``name``); the date ``datePublished`` (else ``dateCreated``)."""
    for obj in objs:
        if not _is_article(obj):
            continue
        head = obj.get("headline") or obj.get("name")
        if isinstance(head, list) and head:
            head = head[0]
        pub = obj.get("datePublished") or obj.get("dateCreated")
        if isinstance(pub, list) and pub:
            pub = pub[0]
        return {"headline": clean_text(head), "published": parse_date(pub, max_date), "edge": utc_edge(pub)}
    return {"headline": None, "published": None, "edge": False}


# ---------------------------------------------------------------------------------------------- meta, h1

def meta_tags(page: str) -> Dict[str, str]:
    """``<meta>`` tags in the first :data:`MAX_META_CHARS` characters -> {key: content}, key = the lower-cased
    ``property``, ``name`` or ``itemprop`` (each one that is present), first occurrence wins."""
    out: Dict[str, str] = {}
    for m in _META_RE.finditer(page, 0, MAX_META_CHARS):
        attrs = {k.lower(): v[1:-1] if v[:1] in "\"'" else v for k, v in _ATTR_RE.findall(m.group(1))}
        content = attrs.get("content")
        if content is None:
            continue
        for k in ("property", "name", "itemprop"):
            key = attrs.get(k)
            if key:
                out.setdefault(key.strip().lower(), content)
    return out


def meta_published(meta: Dict[str, str], max_date: str = DEFAULT_MAX_DATE) -> Optional[str]:
    """The first valid date among :data:`DATE_META_KEYS`, in that order."""
    return _meta_published(meta, max_date)[0]


def _meta_published(meta: Dict[str, str], max_date: str) -> tuple:
    for key in DATE_META_KEYS:
        if key in meta:
            d = parse_date(meta[key], max_date)
            if d:
                return d, utc_edge(meta[key])
    return None, False


# an element inside an <h1> that holds the kicker line above the headline ("<span class="dachzeile">", "kicker",
# "roofline", "overline", "topline", "supertitle", "spitzmarke", "eyebrow")
_KICKER_EL = re.compile(r"<(span|div|small|p|strong|b|em|i|a)\b[^>]*?\bclass\s*=\s*[\"'][^\"']*?(?:kicker|dachzeile|"
                        r"roofline|overline|topline|supertitle|spitzmarke|eyebrow)[^\"']*[\"'][^>]*>.*?</\1\s*>",
                        re.I | re.S)


# an element that opens an <h1> (inside its link, if any) and holds text only: "<span class="subtitle">Olympische
# Spiele in Paris</span> Getränke per Schiff ...", "<div class="topic-label">100. Geburtstag</div> ..."
_LEAD_EL = re.compile(r"^\s*(?:<a\b[^>]*>\s*)?<(span|div|small|strong|b|em|p)\b[^>]*>([^<]{1,120})</\1\s*>", re.I)


def h1_texts(page: str) -> List[str]:
    """Text of the first :data:`MAX_H1` non-empty ``<h1>`` elements (markup removed, and a kicker line inside
    the ``<h1>``, marked by its class, left out: the headline is the rest; so is a short element, text only, that
    opens the ``<h1>`` before a longer rest, unless it ends in a colon ("Kicker:" is then part of the headline
    as printed) or the rest goes on in lower case (a styled first word)); a ``<style>`` or ``<script>`` inside
    the ``<h1>`` (CSS-in-JS frameworks put their rules there) is no text of it."""
    out: List[str] = []
    for m in _H1_RE.finditer(page, 0, MAX_SCAN_CHARS):
        inner = _SCRIPT_RE.sub(" ", m.group(1)) if "<s" in m.group(1) or "<S" in m.group(1) else m.group(1)
        t = clean_text(_KICKER_EL.sub(" ", inner))
        lead = _LEAD_EL.match(inner)
        if lead and t:   # a short element first, then the headline: a kicker line whatever its class
            rest = clean_text(inner[lead.end():])
            kick = clean_text(lead.group(2)) or ""
            if (rest and not kick.endswith(":") and not rest[0].islower()
                    and len(_words(kick)) <= 6 and len(_words(rest)) >= max(3, len(_words(kick)) + 1)):
                t = rest
        t = (t or "").strip(" :-\u2013\u2014|\u00b7\u2022") or clean_text(inner)
        if t:
            out.append(t)
            if len(out) >= MAX_H1:
                break
    return out


# an ISO date glued to its clock time ("2022-12-07T10:10:52+01:00") in the visible text is template data (a raw
# time stamp left in the markup), not the by-line readers see: passed over by the by-line and text date lines
_MACHINE_TIME = re.compile(r"T\d{2}:\d{2}")
HEADLINE_DATE_CHARS = 3000   # characters of markup after the first <h1> searched for a visible date
_H1_START = re.compile(r"<h1\b", re.I)
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.I | re.S)


# A tag with quoted attributes, which may hold ">" (class="[&>p]:mb-7", alt="a > b"): a plain <[^>]*> would leave
# the rest of the tag, and the dates in its URLs (src="/2019/04/..."), in the text
_QUOTED_TAG_RE = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z]{2,4})?)", re.I)
MONTH_FIRST_LANGS = ("en", "en-us", "en-ca", "en-ph")   # <html lang> whose "03/05/2022" is month first
# words before a date that make it a by-line/date-line date even after a preposition ("Veröffentlicht am ...")
_DATE_LABELS = {
    "published", "posted", "updated", "created", "modified", "date", "dated", "veröffentlicht", "aktualisiert",
    "erschienen", "datum", "stand", "publié", "publie", "jour", "publicado", "actualizado", "postado",
    "atualizado", "publicada", "pubblicato", "aggiornato", "gepost", "geplaatst", "bijgewerkt",
    "pressemitteilung", "pressemeldung", "meldung", "mitteilung", "artikel", "beitrag", "nachricht", "news",
}
# prepositions that put a date into running text ("wurde am 18. Oktober eröffnet", "on 3 May the ...")
_DATE_PREPOSITIONS = {
    "am", "vom", "bis", "seit", "ab", "zum", "on", "since", "until", "from", "by", "before", "after", "le", "du",
    "au", "depuis", "el", "del", "desde", "hasta", "em", "a", "de", "il", "dal", "al", "op", "van", "tot",
    "dem", "den", "und", "and", "et", "y", "e", "to", "through", "zwischen", "between",
}
# words that label the date after them as the date of an event the text announces, not of the text
_EVENT_LABELS = {"termin", "termine", "veranstaltungstermin", "veranstaltungsdatum", "wann", "when"}
_CAPTION_AFTER = re.compile(r"^\W{0,3}(?:\S+\s+){0,4}?\(?(?:AP |AFP |dpa )?(?:photo|picture|foto|bild)\b", re.I)
_PREV_WORDS = re.compile(r"([^\W\d_]+)[\W\d]{0,8}$")   # the last word before a date ("am 23.-" -> "am")
# a left-over attribute or JSON value (broken markup: data-json="{"date":"2024-..."}"), a tweet's "(@name)"
_IN_ATTRIBUTE = re.compile(r"""=\s*["']?[^"'\s]*$|["']\s*:\s*["'][^"'\s]*$|\(@\w+\)\s*$""")
# a clock time right after a date makes it a time stamp ("am 19. Mai 2010 um 23:03 Uhr gepostet")
_TIME_AFTER = re.compile(r"^\W{0,3}(?:um|at|à|a las|alle|om|kl\.?)?\s*\d{1,2}[:.h]\d{2}\b", re.I)


_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_LONG_SPACE = re.compile(r"\s{9}")
YEAR_WINDOW = 64   # characters before a year that a date can start at (with spaces collapsed: about 30)


def _year_windows(text: str, lo: int, hi: int) -> List[Tuple[int, int]]:
    """Where in ``text[lo:hi]`` a date can be: every date pattern holds a year, a run of exactly four digits,
    and ends at most 6 characters after it ("2022-05-04"), starting at most :data:`YEAR_WINDOW` characters
    before it; so the patterns need only run on those windows around each year (merged), not over the whole
    text: the month-name patterns try every position of the text. Text with a run of 9+ spaces (not collapsed)
    is one window, as a date there may start further from its year."""
    if _LONG_SPACE.search(text, lo, hi):
        return [(lo, hi)]
    out: List[Tuple[int, int]] = []
    for m in _YEAR.finditer(text, lo, hi):
        a, b = max(lo, m.start() - YEAR_WINDOW), min(hi, m.end() + 8)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _date_candidates(text: str, day_first: bool, lo: int = 0, hi: Optional[int] = None) -> List[tuple]:
    """All explicit dates in ``text`` (the plain-text path's patterns, en/de/fr/es/it/ru/uk month names) ->
    [(start, end, "YYYY-MM-DD")] in text order, overlapping matches dropped. An ambiguous "03/05/2022" is read
    day first when ``day_first`` (the page's language writes it so), else month first; a first number over 12
    is always the day. ``lo``/``hi``: only matches within ``text[lo:hi]``."""
    from transforms.extract import _DATE_PATTERNS, date_of_match

    hi = len(text) if hi is None else hi
    found = set()
    for a, b in _year_windows(text, lo, hi):
        for rx, kind in _DATE_PATTERNS:
            for m in rx.finditer(text, a, b):
                iso = date_of_match(m, kind, day_first)
                if iso:
                    found.add((m.start(), m.end(), iso))
    found = sorted(found)
    out: List[tuple] = []
    for f in found:
        if not out or f[0] >= out[-1][1]:
            out.append(f)
    return out


def _in_running_text(text: str, start: int, end: int) -> bool:
    """A date that is part of a sentence or a caption rather than a date line: inside an open parenthesis
    ("(Kundus, 6.12.2010)", "am Montag (30. Oktober 2023)"), after a preposition that no date label precedes
    ("wurde am 18. Oktober 2021 eröffnet", "Am 13.04.2025 ist ..."; but "Veröffentlicht am 21. Januar 2022",
    "Publicado el 03/05/2022", "Pressemitteilung vom 20.01.2022" and a date with a clock time after it, "am 19.
    Mai 2010 um 23:03 Uhr", are date lines), or followed by a photo credit ("April 24, 2023 in this picture")."""
    before = text[max(0, start - 80):start]
    if before.rfind("(") > before.rfind(")") or _IN_ATTRIBUTE.search(before):
        return True
    if _CAPTION_AFTER.match(text[end:end + 50]):
        return True
    m = _PREV_WORDS.search(before)
    while m and m.group(1).lower() in _WEEKDAYS:   # "am Mi. 5. Februar"
        m = _PREV_WORDS.search(before[:m.start()])
    if m and m.group(1).lower() in _EVENT_LABELS:   # "Termin: 21.02.2020, 19 Uhr": an event's date
        return True
    if not m or m.group(1).lower() not in _DATE_PREPOSITIONS or _TIME_AFTER.match(text[end:end + 20]):
        return False
    m2 = _PREV_WORDS.search(before[:m.start()])
    return not (m2 and m2.group(1).lower() in _DATE_LABELS)


_WEEKDAYS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed",
    "thu", "thur", "thurs", "fri", "sat", "sun", "montag", "dienstag", "mittwoch", "donnerstag", "freitag",
    "samstag", "sonntag", "mo", "di", "mi", "do", "fr", "sa", "so", "lundi", "mardi", "mercredi", "jeudi",
    "vendredi", "samedi", "dimanche", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo",
}


# <html lang> primary tags of languages spoken (almost) only in zones east of UTC (Europe, Asia): there a UTC
# time stamp before 06:00 is the same calendar day locally (the evening before only west of UTC, the Americas)
EAST_LANGS = frozenset(
    "de it nl pl cs sk hu da sv nb nn no fi et lv lt ru uk be bg ro el tr hr sr sl bs mk sq ja zh ko th vi id ms "
    "hi ar he fa".split())


def _html_lang(page: str) -> Optional[str]:
    """The page's ``<html lang>`` tag, lowercased with "-" ("en-us"), or None."""
    m = _HTML_LANG.search(page, 0, 5000)
    return m.group(1).lower().replace("_", "-") if m else None


def _east_of_utc(page: str) -> bool:
    lang = _html_lang(page)
    return bool(lang) and lang.split("-")[0] in EAST_LANGS


def _day_first(page: str) -> bool:
    lang = _html_lang(page)
    return bool(lang) and lang not in MONTH_FIRST_LANGS


def headline_date(page: str, max_date: str = DEFAULT_MAX_DATE) -> Optional[str]:
    """The first date written in the visible text just after the first ``<h1>`` (the by-line or date line
    under the headline, e.g. "Published 21.01.2022 - 13:30"), in the first :data:`HEADLINE_DATE_CHARS`
    characters from the ``<h1>`` on, scripts, styles and tags (with their attributes: no dates from image
    URLs) removed; the same date forms as the plain-text header lines (:func:`transforms.extract.find_date`,
    en/de/fr/es/it/ru/uk month names), the first one in the text whichever its form. Dates in running text or
    captions (:func:`_in_running_text`) and raw ISO time stamps ("2022-12-07T10:10:52+01:00") are passed
    over. An ambiguous "03/05/2022" is day first unless the
    page's ``<html lang>`` is US-style English (:data:`MONTH_FIRST_LANGS`) or missing. None when absent or
    outside ``[MIN_DATE, max_date]``."""
    return _headline_date(page, max_date)[0]


# a word that makes the date after it an update time, not the publication ("Updated Mar 12, 2020",
# "Aktualisiert: 11.04.2020", "Last updated on 20 Feb, 2020", "Mis à jour le ...")
_UPDATE_LABEL = re.compile(r"\b(?:updated?|modified|aktualisiert|geändert|mis à jour|actualizad[oa]|atualizad[oa]|"
                           r"aggiornat[oa]|bijgewerkt)\b", re.I)


def _date_lines(text: str, day_first: bool, window: int = 0):
    """The dates of ``text`` that stand as date lines, in order: :func:`_date_candidates` less dates in running
    text or captions (:func:`_in_running_text`) and raw ISO time stamps. With ``window``, the text is searched
    window by window (a caller that stops at the first date line then reads only the top of a long text)."""
    step = window or max(1, len(text))
    for lo in range(0, len(text), step):
        for start, end, d in _date_candidates(text, day_first, lo, min(len(text), lo + step + 40)):
            if start >= lo + step:
                break
            if not _in_running_text(text, start, end) and not _MACHINE_TIME.match(text, end):
                yield start, end, d


def _headline_date(page: str, max_date: str) -> tuple:
    """(:func:`headline_date`, whether an update label stands in the 40 characters before it)."""
    m = _H1_START.search(page, 0, MAX_SCAN_CHARS)
    if not m:
        return None, False
    close = page.find("</h1", m.start(), m.start() + HEADLINE_DATE_CHARS)
    close = page.find("</H1", m.start(), m.start() + HEADLINE_DATE_CHARS) if close < 0 else close
    begin = close if close >= 0 else m.start()
    chunk = _SCRIPT_RE.sub(" ", page[begin:begin + HEADLINE_DATE_CHARS])
    text = clean_text(_QUOTED_TAG_RE.sub(" ", chunk))
    if not text:
        return None, False
    for start, end, d in _date_lines(text, _day_first(page)):
        if not MIN_DATE <= d <= max_date:
            return None, False
        return d, bool(_UPDATE_LABEL.search(text, max(0, start - 40), start)
                       or _UPDATE_LABEL.search(text, end, end + 20))
    return None, False


PAGE_DATE_CHARS = 400_000   # characters of the page (from <body> on) searched by :func:`page_text_date`
_BODY_START = re.compile(r"<body\b", re.I)
_NAV_RE = re.compile(r"<(nav|footer|select)\b.*?</\1\s*>", re.I | re.S)


def page_text_date(page: str, max_date: str = DEFAULT_MAX_DATE) -> Optional[str]:
    """The first date line anywhere in the visible text of the page (from ``<body>`` on, the first
    :data:`PAGE_DATE_CHARS` characters; scripts, styles, ``<nav>``, ``<footer>`` and ``<select>`` removed;
    dates in running text or captions passed over as in :func:`headline_date`): the date of a page whose
    date stands above its headline, far below it ("Datum: 03.11.2021" after the teaser) or that has no
    ``<h1>``. Only a last resort, for pages with no other date. None when absent or outside
    ``[MIN_DATE, max_date]``."""
    return _page_text_date(page, max_date)[0]


# a publication label before a date line ("Veröffentlicht am 16.08.2019", "Erschienen am 26. Jan 2022",
# "Written: 2023-11-07"); :data:`_PUB_LABEL_HINTS` are the plain substrings one of them must contain
_PUB_LABEL = re.compile(r"\b(?:published|posted|written|veröffentlicht|erschienen|erstellt|publié|publicad[oa]|"
                        r"pubblicato|geplaatst)\b", re.I)
_PUB_LABEL_HINTS = ("ublished", "UBLISHED", "osted", "ritten", "eröffentlicht", "rschienen", "rstellt", "ublié",
                    "ublicad", "ubblicato", "eplaatst")


_CHANGE_LABEL = re.compile(r"\b(?:letzte|zuletzt)\s+(?:Änderung|geändert|aktualisiert)|\blast\s+(?:changed|edited)\b", re.I)


def has_publication_label(page: str) -> bool:
    """Whether the page holds one of the words of a publication label anywhere (plain substring search, no
    regex pass): the cheap test before :func:`page_text_date_labelled`."""
    return any(h in page for h in _PUB_LABEL_HINTS)


def page_text_date_labelled(page: str, max_date: str = DEFAULT_MAX_DATE) -> tuple:
    """(:func:`page_text_date`, whether a publication label, :data:`_PUB_LABEL`, stands in the 30 characters
    before it); a first date line labelled as an update ("Letzte Änderung: 31.10.2023 Erschienen am:
    01.11.2023") gives way to the next date line when that one is labelled as the publication (else it stays,
    unlabelled)."""
    return _page_text_date(page, max_date, skip_updates=True)


def _page_text_date(page: str, max_date: str, skip_updates: bool = False) -> tuple:
    m = _BODY_START.search(page, 0, PAGE_DATE_CHARS)
    begin = m.start() if m else 0
    chunk = _NAV_RE.sub(" ", _SCRIPT_RE.sub(" ", page[begin:begin + PAGE_DATE_CHARS]))
    text = clean_text(_QUOTED_TAG_RE.sub(" ", chunk))
    if not text:
        return None, False
    day_first = _day_first(page)
    first = None   # an update date line, when skip_updates looks at the next one
    for start, end, d in _date_lines(text, day_first, window=4000):   # the first date is usually near the top
        if not MIN_DATE <= d <= max_date:
            return first, False
        labelled = bool(_PUB_LABEL.search(text, max(0, start - 30), start))
        if first is not None:   # the line after an update line: the publication only when labelled so
            return (d, True) if labelled else (first, False)
        if skip_updates and (_UPDATE_LABEL.search(text, max(0, start - 30), start)
                             or _CHANGE_LABEL.search(text, max(0, start - 30), start)):
            first = d
            continue
        return d, labelled
    return first, False


# ---------------------------------------------------------------------------------------------- scan, pick

def scan_html(page: str, max_date: str = DEFAULT_MAX_DATE) -> Dict[str, Any]:
    """One page -> {"ld_headline", "ld_published", "meta_published", "og_title", "page_title", "h1",
    "headline_date", "page_date" (None here: :func:`page_text_date` is the caller's, for dateless pages)} plus
    "ld_published_edge"/"meta_published_edge" (:func:`utc_edge` of the raw value, only "late" ones on a page
    whose ``<html lang>`` is spoken only east of UTC, :data:`EAST_LANGS`); picklable, None/[]/False
    where absent. Regular expressions over bounded parts of the page only."""
    if not page:
        return {"ld_headline": None, "ld_published": None, "ld_published_edge": False, "meta_published": None,
                "meta_published_edge": False, "og_title": None, "page_title": None, "h1": [], "headline_date": None,
                "headline_date_updated": False, "page_date": None}
    ld = json_ld_article(json_ld_objects(page), max_date)
    meta = meta_tags(page)
    shown, shown_updated = _headline_date(page, max_date)
    meta_date, meta_edge = _meta_published(meta, max_date)
    page_title = page_title_text(page)
    og = None
    for key in _TITLE_META_KEYS:
        og = clean_text(meta.get(key))
        if og:
            break
    if _east_of_utc(page):   # an early-morning UTC stamp is the same day there
        ld["edge"] = ld["edge"] == "late" and "late"
        meta_edge = meta_edge == "late" and "late"
    return {"ld_headline": ld["headline"], "ld_published": ld["published"], "ld_published_edge": ld["edge"],
            "meta_published": meta_date, "meta_published_edge": meta_edge, "og_title": og,
            "page_title": page_title, "h1": h1_texts(page), "headline_date": shown,
            "headline_date_updated": shown_updated,
            "page_date": None}   # filled in by the caller (transforms.extract) on pages with no other date


def page_title_text(page: str) -> Optional[str]:
    """The text of the page's ``<title>``: the first one in the first :data:`MAX_META_CHARS` characters that
    is not inside a ``<script>`` (a script writing an image viewer's "<title>' + title + '</title>" can come
    before the head's own)."""
    for m in _TITLE_RE.finditer(page, 0, MAX_META_CHARS):
        at = m.start()
        opened = max(page.rfind("<script", 0, at), page.rfind("<SCRIPT", 0, at))
        if opened >= 0 and page.find("</script", opened, at) < 0 and page.find("</SCRIPT", opened, at) < 0:
            continue   # inside a script
        return clean_text(m.group(1))
    return None


def _plausible_title(t: Optional[str]) -> bool:
    return bool(t) and 2 <= len(t) <= 400 and len(t.split()) <= 60


def pick_title(scan: Dict[str, Any], fallback: Optional[str], is_site_name=lambda s: False) -> Optional[str]:
    """Title by precedence: JSON-LD article headline > first ``<h1>`` related (:func:`related`) to the
    ``og:title`` or to ``fallback`` (the page title from trafilatura) > ``fallback``. A candidate that
    ``is_site_name`` (a callable on the text) or that is implausibly short/long is skipped; one that is the
    whole ``fallback`` plus more words (a kicker line "Minderheit in Syrien - ...", a site name) gives way to
    ``fallback``, except an ``<h1>`` that goes on after it with the rest of the headline (no site name, "|"
    or date line: :func:`_fuller_headline`), and a JSON-LD headline that does so and is also the page's ``<h1>``
    (the printed headline: "How to Care for Hydrangeas to Get the Most Beautiful Blooms on the Block" over the
    page title "How to Care for Hydrangeas"); an ``<h1>`` that goes on after the JSON-LD headline with the rest
    of it wins over it (a headline cut short: "... Gigafactory-Kapazität" / "... Gigafactory-Kapazität in
    Tennessee"; not a subtitle glued on with a capital letter, :func:`_glued_subtitle`). Without a JSON-LD headline, the page's only ``<h1>`` of three or
    more words that is related to neither og:title, ``fallback`` nor the page's ``<title>`` wins over ``fallback`` (an SEO page title
    "Gefahrstoff-Service" over the printed headline "Gefahrstoffmanagement für Hersteller, ...")."""
    ld = scan.get("ld_headline")
    if _plausible_title(ld) and not is_site_name(ld):
        if _contains(ld, fallback) and not (_fuller_headline(ld, fallback, is_site_name)
                                            and any(same_words(ld, h) for h in scan.get("h1") or [])):
            return fallback
        for h in scan.get("h1") or []:
            if _plausible_title(h) and _fuller_headline(h, ld, is_site_name) and not _glued_subtitle(h, ld):
                # the <h1> goes on after the JSON-LD headline with the rest of it ("... in Tennessee"): a
                # JSON-LD headline cut short
                return h
        return ld
    refs = [x for x in (scan.get("og_title"), fallback) if x]
    h1s = scan.get("h1") or []
    for h in h1s:
        if _plausible_title(h) and not is_site_name(h) and any(related(h, r) for r in refs):
            # words before the page title are a kicker line; words after it, the part the <title> left out
            return fallback if _contains(h, fallback) and not _fuller_headline(h, fallback, is_site_name) else h
    if len(h1s) == 1 and _plausible_title(h1s[0]) and not is_site_name(h1s[0]) and len(_words(h1s[0])) >= 3 \
            and not any(related(h1s[0], r) for r in refs + [scan.get("page_title")] if r):
        # the page's only <h1>, a headline of a few words that shares nothing with the page title nor with
        # og:title (which a blog's name <h1> would be part of), is the headline the reader sees
        return h1s[0]
    return fallback


def same_words(a: Optional[str], b: Optional[str]) -> bool:
    """The same words in the same order (case, punctuation and spacing ignored)."""
    return bool(a) and bool(b) and _words(a) == _words(b)


def _contains(longer: Optional[str], shorter: Optional[str]) -> bool:
    """``longer`` holds all of ``shorter`` (word sequence) and more."""
    if not longer or not shorter:
        return False
    a, b = " ".join(_words(longer)), " ".join(_words(shorter))
    return bool(b) and len(a) > len(b) and f" {b} " in f" {a} "


def _glued_subtitle(longer: str, shorter: str) -> bool:
    """``longer`` goes on after the words of ``shorter`` with a capital letter and no punctuation between them
    ("Hass-Demo in Essen Gebührenfinanzierte Islamismus-Verharmlosung": a subtitle element inside the <h1>)."""
    words = list(_WORD_RE.finditer(longer))
    n = len(_words(shorter))
    if not 0 < n < len(words):
        return False
    between = longer[words[n - 1].end():words[n].start()]
    return not between.strip() and longer[words[n].start()].isupper()


_TRAILER_MARK = re.compile(r"[|\u2022\u00b7\u00bb\u203a]|\b\d{1,2}\.\d{1,2}\.\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b")


def _fuller_headline(longer: str, shorter: str, is_site_name) -> bool:
    """``longer`` is ``shorter`` (the page title) with more words after it that are the rest of the headline
    ("Saftiger Zitronenkuchen vom Blech: einfach köstlich!"), not a site name, a "| Section" or a date line."""
    a, b = _words(longer), _words(shorter)
    if not b or a[:len(b)] != b or len(a) <= len(b):
        return False
    if len(_TRAILER_MARK.findall(longer)) > len(_TRAILER_MARK.findall(shorter)):
        return False
    return not is_site_name(" ".join(a[len(b):]))


_TIME = re.compile(r"[T\s](\d{1,2}):(\d{2})(?::\d{2}(?:[.,]\d+)?)?\s*(Z|GMT|UTC|[+-]\d{2}:?\d{2})?\s*$", re.I)
EDGE_HOURS = 6   # a UTC (or zone-less) time this close to midnight may be on another calendar day locally
# a UTC time stamp at 22:00 or 23:00 sharp (seconds and fractions zero): a day-only date entered in a CMS of
# Central Europe (UTC+1/+2) and stored as its midnight in UTC; the page's day is the next one
_UTC_MIDNIGHT = re.compile(r"[T\s](?:22|23):00(?::00(?:[.,]0+)?)?\s*(?:Z|GMT|UTC|[+-]00:?00)\s*$", re.I)


def _utc_local_midnight(value: str) -> bool:
    """``value`` ends in a UTC time of 22:00 or 23:00 sharp ("2021-11-04T23:00Z", "2022-11-06T23:00:00.000Z"):
    the midnight starting the next day in Central Europe (measured on trafilatura-eval and fundus: 2 of 2 such
    pages labelled with the next day; 20:00 and 21:00 UTC stamps were labelled with their own day, so those
    stay)."""
    return bool(_UTC_MIDNIGHT.search(value))


def utc_edge(value: Any):
    """True when ``value`` is a timestamp in UTC or without a zone whose hour is within :data:`EDGE_HOURS` of
    midnight ("2022-05-04T00:44:52Z", "2018-12-31T23:11:59+00:00"): its day may differ from the local one.
    Returns "early" (before :data:`EDGE_HOURS`: the evening before west of UTC) or "late" (the next morning
    east of it), else False.
    A local midnight written in UTC (:func:`_utc_local_midnight`) is not: :func:`parse_date` moves it to the
    local day already."""
    if not isinstance(value, str):
        return False
    m = _TIME.search(value.strip()[:64])
    if not m or _utc_local_midnight(value.strip()[:64]):
        return False
    zone = (m.group(3) or "").upper().replace(":", "")
    if zone not in ("", "Z", "GMT", "UTC", "+0000", "-0000"):
        return False
    hour = int(m.group(1))
    return "early" if hour < EDGE_HOURS else "late" if hour >= 24 - EDGE_HOURS else False


def _one_day_apart(a: str, b: str) -> bool:
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) == 1


def pick_published(scan: Dict[str, Any], fallback: Optional[str], max_date: str = DEFAULT_MAX_DATE) -> Optional[str]:
    """Published date by precedence: JSON-LD article date > date meta tags > ``fallback`` (htmldate's date via
    trafilatura, checked against the same bounds) > the date written under the headline (``headline_date``).
    Returns "YYYY-MM-DD" or None.

    When those machine-readable dates disagree (two or more different days), the one of them that the page
    also shows under its headline wins: a page's modified, copied or related-article dates get into its
    metadata, the visible by-line date is what its readers see (measured on trafilatura-eval: 13 of 13
    such disagreements right, against 4 by the precedence).

    Exception: a structured date written in UTC near midnight (:func:`utc_edge`) that is one day away from
    htmldate's date, or else from the date under the headline, gives way to it (those then usually come from
    the URL or the page's visible, local date); on a page in a language of zones east of UTC only a late
    evening stamp counts (before 06:00 UTC it is the same day there: 1 right, 0 wrong on trafilatura-eval).

    Then the by-line date against the date so chosen, unless JSON-LD and the meta tags agree (two
    structured sources saying the same day stand): an earlier by-line date wins (the single structured date
    is then a modified or republished one), and with no structured date at all, htmldate's guess gives way
    to the by-line date whether earlier or later (measured on trafilatura-eval: 10 right, 1 wrong; no
    change on fundus and newspaper4k). A later by-line date beats a single structured date too, unless an
    update label stands next to it ("Updated Mar 12, 2020", "November 28, 2013 -- Updated 0203 GMT": then
    it is the update, and the structured date the publication): the metadata then holds the day the draft
    was created (trafilatura-eval: 2 right; when JSON-LD and the meta tags agree, a later by-line is a live
    blog's last entry or the day after a near-midnight post as often as the publication, so they stand)."""
    other = parse_date(fallback, max_date) if fallback else None
    shown = scan.get("headline_date")
    found = {d for d in (scan.get("ld_published"), scan.get("meta_published"), other) if d}
    if len(found) > 1 and shown in found:
        return shown
    picked = _by_precedence(scan, other, shown, max_date)
    if shown and picked and shown != picked and not (
            scan.get("ld_published") and scan.get("ld_published") == scan.get("meta_published")):
        # one machine-readable source (or htmldate alone) against the by-line: an earlier by-line date is the
        # original publication (the metadata then carries a modified or republished date); htmldate's own
        # guess, without any structured date, gives way to the by-line whichever is earlier; a later by-line
        # date wins too unless an update label marks it
        if (shown < picked or not (scan.get("ld_published") or scan.get("meta_published"))
                or not scan.get("headline_date_updated")):
            return shown
    return picked


def _by_precedence(scan: Dict[str, Any], other: Optional[str], shown: Optional[str], max_date: str
                   ) -> Optional[str]:
    for key in ("ld_published", "meta_published"):
        d = scan.get(key)
        if d and MIN_DATE <= d <= max_date:
            if scan.get(key + "_edge"):
                for near in (other, shown):
                    if near and _one_day_apart(d, near):
                        return near
            return d
    page = scan.get("page_date")
    if other and page and page != other and not shown and (scan.get("page_date_labelled") or other.endswith("-01-01")):
        # htmldate's guess alone against a date line of the text labelled as the publication ("Veröffentlicht
        # am ...") or against htmldate's 1 January (a year only): the date line
        return page
    return other or shown or page


def fallback_date(page: str, url: Optional[str], max_date: str = DEFAULT_MAX_DATE) -> Optional[str]:
    """Last resort when neither the structured metadata nor htmldate's markup search found a date: htmldate's
    extensive search (free text of the page). Its copyright-year fallback ("© 2016" -> "2016-01-01") is not a
    publication date, so a 1 January result is discarded. Costs one more parse, on dateless pages only."""
    from htmldate import find_date

    try:
        found = find_date(page, url=url or None, original_date=True, extensive_search=True,
                          max_date=max_date, min_date=MIN_DATE)
    except Exception:  # htmldate bugs on odd pages: no date rather than a failed document
        return None
    d = parse_date(found, max_date) if found else None
    return None if d is None or d.endswith("-01-01") else d
