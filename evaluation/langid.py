"""Language identification on the lingua test data: our ``langid`` stage vs plain langdetect (seeded).

Data: ``../shared/eval/langid/lingua-testdata`` (sentences, word pairs, one sample a line, the file name is the
label; read at run time, never copied). Only the languages langdetect has a profile for are scored (lingua's
``nb`` is langdetect's ``no``; ``zh-cn``/``zh-tw`` are ``zh``). Three sets per language: sentences, word pairs
and paragraphs (5 consecutive sentences joined by a space). ``und`` counts as wrong.

For both systems, in the same run: accuracy per language and set, the mean over languages, the weakest
language on paragraphs, the ``und`` rate and the median milliseconds per text; then the median milliseconds
per "2 KB news text" (consecutive sentences of one language joined up to 2,048 characters, in paragraphs of
about 5 sentences) for one stage call, single process.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import statistics
import time
from typing import Any, Dict, List, Optional, Tuple

from evaluation.data import MissingData, data_dir, say

SETS = ("sentences", "word-pairs", "paragraphs")
SHORT = {"sentences": "sent", "word-pairs": "pairs", "paragraphs": "para"}
LINGUA_TO_LD = {"nb": "no"}

_STAGE = None
_LD = None


def langdetect_languages() -> List[str]:
    from langdetect.detector_factory import PROFILES_DIRECTORY
    return sorted({n.split("-")[0] for n in os.listdir(PROFILES_DIRECTORY) if not n.startswith(".")})


def _lines(path: str) -> List[str]:
    with open(path, encoding="utf-8") as fh:
        return [ln.strip() for ln in fh if ln.strip()]


def load(base: str, limit: int = 0) -> Tuple[Dict[str, Dict[str, List[str]]], Dict[str, List[str]]]:
    """``({label: {set: [text]}}, {label: [2 KB texts]})`` for the languages langdetect supports."""
    d = data_dir(base, "langid", "lingua-testdata")
    supported = set(langdetect_languages())
    data, news = {}, {}
    for name in sorted(os.listdir(os.path.join(d, "sentences"))):
        code = name[:-4]
        label = LINGUA_TO_LD.get(code, code)
        if not name.endswith(".txt") or label not in supported or label in data:
            continue
        sents = _lines(os.path.join(d, "sentences", name))
        pairs_path = os.path.join(d, "word-pairs", name)
        pairs = _lines(pairs_path) if os.path.exists(pairs_path) else []
        paras = [" ".join(sents[i:i + 5]) for i in range(0, len(sents) - 4, 5)]
        data[label] = {"sentences": sents[:limit or None], "word-pairs": pairs[:limit or None],
                       "paragraphs": paras[:limit or None]}
        texts, cur, i = [], "", 0
        while len(texts) < 5 and i < len(sents):  # 2 KB news texts: paragraphs of 5 sentences
            cur += ("\n\n" if i % 5 == 0 and cur else " " if cur else "") + sents[i]
            i += 1
            if len(cur) >= 2048:
                texts.append(cur[:2048])
                cur = ""
        news[label] = texts
    return data, news


def _init_worker() -> None:
    global _STAGE, _LD
    from pipeline.config import load_config
    from transforms.langid import LangId
    _STAGE = LangId(load_config())
    import langdetect
    from langdetect.detector_factory import DetectorFactory
    DetectorFactory.seed = 0
    _LD = langdetect


def _ours(text: str) -> str:
    return _STAGE({"text": text})["lang"]


def _plain(text: str) -> str:
    try:
        return _LD.detect(text).split("-")[0]
    except Exception:
        return "und"


def _job(args) -> Tuple[str, str, List[Tuple[str, float, str, float]]]:
    label, kind, texts = args
    out = []
    for t in texts:
        t0 = time.perf_counter()
        a = _ours(t)
        t1 = time.perf_counter()
        b = _plain(t)
        t2 = time.perf_counter()
        out.append((a, (t1 - t0) * 1000, b, (t2 - t1) * 1000))
    return label, kind, out


def _news_job(args) -> Tuple[str, List[Tuple[str, float, str, float]]]:
    label, texts = args
    out = []
    for t in texts:
        _ours(t)  # warm caches for this language
        ours = []
        plain = []
        for _ in range(5):
            t0 = time.perf_counter()
            a = _ours(t)
            t1 = time.perf_counter()
            b = _plain(t)
            t2 = time.perf_counter()
            ours.append((t1 - t0) * 1000)
            plain.append((t2 - t1) * 1000)
        out.append((a, statistics.median(ours), b, statistics.median(plain)))
    return label, out


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}"


def run(base: str, limit: int = 0, workers: int = 2, langs: Optional[List[str]] = None) -> Dict[str, Any]:
    say("\n== langid: lingua-testdata, our stage vs plain langdetect (seeded) ==")
    try:
        data, news = load(base, limit)
    except MissingData as exc:
        say(str(exc))
        return {"skipped": str(exc)}
    if langs:
        data = {k: v for k, v in data.items() if k in langs}
        news = {k: v for k, v in news.items() if k in langs}
    jobs = []
    for label in sorted(data):
        for kind in SETS:
            texts = data[label][kind]
            for i in range(0, len(texts), 250):
                jobs.append((label, kind, texts[i:i + 250]))
    jobs.sort(key=lambda j: -sum(len(t) for t in j[2]))  # big chunks first: better balance
    started = time.time()
    results: Dict[Tuple[str, str], List] = {}
    ctx = mp.get_context("fork")
    with ctx.Pool(max(1, workers), initializer=_init_worker) as pool:
        for label, kind, out in pool.imap_unordered(_job, jobs):
            results.setdefault((label, kind), []).extend(out)
    # 2 KB news texts: one process, nothing else running in it, so the times are per call
    _init_worker()
    news_out = dict(_news_job((label, texts)) for label, texts in sorted(news.items()))
    elapsed = time.time() - started

    figures: Dict[str, Any] = {"languages": {}, "summary": {}}
    for label in sorted(data):
        row = {}
        for kind in SETS:
            rs = results.get((label, kind), [])
            n = len(rs) or 1
            row[kind] = {"n": len(rs), "ours": sum(r[0] == label for r in rs) / n,
                         "langdetect": sum(r[2] == label for r in rs) / n}
        figures["languages"][label] = row

    head = "| lang | " + " | ".join(f"ours {SHORT[k]}" for k in SETS) + " | " + \
        " | ".join(f"langdetect {SHORT[k]}" for k in SETS) + " |"
    say(head)
    say("|" + "---|" * (1 + 2 * len(SETS)))
    for label, row in figures["languages"].items():
        say(f"| {label} | " + " | ".join(_pct(row[k]["ours"]) for k in SETS) + " | " +
            " | ".join(_pct(row[k]["langdetect"]) for k in SETS) + " |")
    say("")
    say("| system | set | texts | mean accuracy % | min language % | und % | ms per text (median) |")
    say("|---|---|---|---|---|---|---|")
    for sysname, ai, ti in (("ours", 0, 1), ("langdetect", 2, 3)):
        for kind in SETS:
            rows = figures["languages"]
            accs = {l: rows[l][kind][sysname] for l in rows if rows[l][kind]["n"]}
            allr = [r for (l, k), rs in results.items() if k == kind for r in rs]
            if not accs or not allr:
                continue
            mean = sum(accs.values()) / len(accs)
            worst = min(accs, key=lambda l: (accs[l], l))
            und = sum(r[ai] == "und" for r in allr) / len(allr)
            ms = statistics.median(r[ti] for r in allr)
            figures["summary"][f"{sysname}/{kind}"] = {"mean": mean, "min_lang": worst, "min": accs[worst],
                                                       "und": und, "ms_median": ms, "texts": len(allr)}
            say(f"| {sysname} | {kind} | {len(allr)} | {100 * mean:.2f} | {worst} {100 * accs[worst]:.1f} | "
                f"{100 * und:.2f} | {ms:.3f} |")
        nr = [r for rs in news_out.values() for r in rs]
        if nr:
            acc = sum(r[ai] == l for l, rs in news_out.items() for r in rs) / len(nr)
            ms = statistics.median(r[ti] for r in nr)
            figures["summary"][f"{sysname}/news-2kb"] = {"accuracy": acc, "ms_median": ms, "texts": len(nr)}
            say(f"| {sysname} | 2 KB news texts | {len(nr)} | {100 * acc:.2f} | | | {ms:.3f} |")
    say("")
    for kind in SETS:
        weak = sorted((row[kind]["ours"], l) for l, row in figures["languages"].items() if row[kind]["n"])[:5]
        say(f"weakest (ours, {kind}): " + ", ".join(f"{l} {100 * a:.1f}" for a, l in weak))
    say(f"({len(data)} languages, limit {limit or 'all'} per set, {workers} workers, {elapsed:.0f} s)")
    return figures
