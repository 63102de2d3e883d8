"""Language identification stage: sets ``lang`` (ISO 639-1 or ``und``) and ``lang_score`` (0.0-1.0).

Uses langdetect, made deterministic:

- the language profiles are loaded once per process into a private ``DetectorFactory``, **in sorted file
  order** (langdetect's own loader follows ``os.listdir`` order, which is file-system dependent and changes
  the floating-point summation order of its probabilities, hence possibly the answer);
- the random seed is set on the factory class (``DetectorFactory.seed``, so langdetect's module-level
  ``detect_langs`` is seeded too), on our factory and on every detector;
- a fresh ``Detector`` is created per call, so no state leaks from one text to the next: the same text
  gives the same answer in any process, in any order;
- detection runs under a process-wide lock (langdetect is not documented thread-safe).

Only the first ``langid.max_chars`` characters are looked at. Texts with fewer than ``langid.min_letters``
letters, or whose best language has a probability below ``langid.min_score``, are ``und`` with score 0.0.
langdetect's ``zh-cn``/``zh-tw`` are reported as ``zh`` (their probabilities are added).
"""
from __future__ import annotations

import json
import logging
import os
import threading
from typing import Any, Dict, List, Optional, Tuple

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

log = logging.getLogger(__name__)

NAME = "langid"
UND = "und"

_LOCK = threading.Lock()
_FACTORY: Optional[DetectorFactory] = None


def _load_factory() -> DetectorFactory:
    """The process-wide factory with all profiles, loaded once, in sorted file-name order."""
    global _FACTORY
    if _FACTORY is None:
        with _LOCK:
            if _FACTORY is None:
                profiles: List[str] = []
                for name in sorted(os.listdir(PROFILES_DIRECTORY)):
                    full = os.path.join(PROFILES_DIRECTORY, name)
                    if name.startswith(".") or not os.path.isfile(full):
                        continue
                    with open(full, encoding="utf-8") as fh:
                        profiles.append(fh.read())
                factory = DetectorFactory()
                factory.load_json_profile(profiles)
                _FACTORY = factory
    return _FACTORY


def iso639_1(code: str) -> str:
    """langdetect code -> ISO 639-1 (``zh-cn``/``zh-tw`` -> ``zh``)."""
    return code.split("-", 1)[0].lower()


def count_letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def detect(text: str, seed: int, min_letters: int = 20, min_score: float = 0.5,
           max_chars: int = 3000) -> Tuple[str, float]:
    """``(lang, score)`` for ``text``; ``("und", 0.0)`` when too short or unsure. Never raises."""
    if not isinstance(text, str) or not text:
        return UND, 0.0
    text = text[:max_chars]
    if count_letters(text) < max(min_letters, 1):
        return UND, 0.0
    factory = _load_factory()
    with _LOCK:
        try:
            detector = factory.create()
            detector.seed = seed
            detector.append(text)
            detector.get_probabilities()
            langprob = list(detector.langprob or [])
            langlist = list(detector.langlist)
        except LangDetectException:
            return UND, 0.0
        except Exception as exc:  # junk text must never fail a document
            log.debug("langdetect failed: %s: %s", type(exc).__name__, exc)
            return UND, 0.0
    scores: Dict[str, float] = {}
    for code, p in zip(langlist, langprob):
        iso = iso639_1(code)
        scores[iso] = scores.get(iso, 0.0) + p
    if not scores:
        return UND, 0.0
    # highest probability, ties by code: independent of profile order
    lang, score = min(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    score = min(1.0, max(0.0, score))
    if score < min_score:
        return UND, 0.0
    return lang, round(score, 4)


class LangId:
    """Stage ``langid``: ``record -> record`` with ``lang`` and ``lang_score`` set."""

    name = NAME

    def __init__(self, cfg: Dict[str, Any]):
        c = cfg["langid"]
        self.seed = int(c.get("seed", 0))
        self.min_letters = int(c["min_letters"])
        self.min_score = float(c["min_score"])
        self.max_chars = int(c["max_chars"])
        DetectorFactory.seed = self.seed  # also seeds langdetect's global detect()/detect_langs()
        factory = _load_factory()
        factory.set_seed(self.seed)

    def __call__(self, record: Dict[str, Any]) -> Dict[str, Any]:
        lang, score = detect(record.get("text") or "", self.seed, self.min_letters, self.min_score,
                             self.max_chars)
        record["lang"] = lang
        record["lang_score"] = score
        return record


def langid(record: Dict[str, Any], cfg: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Convenience: run the stage once (builds a ``LangId``; prefer the class in loops)."""
    if cfg is None:
        from pipeline.config import load_config
        cfg = load_config()
    return LangId(cfg)(record)
