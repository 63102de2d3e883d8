"""Per-record event tags (issue 6): our events stage's ``types``, ``actors``, ``places`` and ``date`` against a
small hand-labelled set (``evaluation/labels/event_tags.yaml``): every document of ``examples/corpus`` plus
articles of ``../shared/eval/events`` (ECB+ by ``doc``, Gedikli by ``url``; only identifiers and our labels
are stored, never their text). Without ``../shared/eval`` only the examples part is scored (visible skip).

Records are produced the way the pipeline does:
- examples: ``pipeline.readers.read_file`` -> Extract -> Boilerplate -> the corpus-level repeated-line pass
  (in memory, over the whole corpus) -> LangId -> EventFeatures (pipeline/graph.py order; DedupKeys only adds
  keys and does not change what EventFeatures reads, so it is left out);
- eval texts: records built exactly as ``evaluation/events.py`` builds them for clustering (ECB+: first
  line as title, no published date; Gedikli: title, text, published day; ``lang`` "en"), then EventFeatures.

Scoring, micro over records (each part: examples, eval, all):
- types: sets of taxonomy codes; a code is a hit when it is in both.
- actors / places: one-to-one matching of labels to outputs (a label may list equivalent spellings "A|B").
  Names are normalised: accents stripped, case folded, punctuation -> space, leading "the" and corporate
  suffixes (co, inc, ltd, corp, plc, llc, ag, sa, group) dropped. A label matches an output when the
  normalised strings are equal or their token sets are equal ("Echeverria Rojas Tomas"). Actors also match
  (a) on the surname: a one-word output equal to the last word of a label of two or more words
  ("Lehtivaara" for "Aino Lehtivaara"), and (b) when the output holds a label of two or more words as a
  contiguous run, i.e. a title or affiliation was left in front ("Superior Court Judge James Bodiford",
  "Grower Eleni Stavrakaki"); the report counts these loose matches, as they are normalisation errors of
  ours. Places need equality (or token-set equality) of one spelling; no partial matches.
- date: exact day. Precision over the records where we output a date (a date output for a record labelled
  null counts as wrong), recall over the records whose label has a date.
Confusions: labels left unmatched ("missed") and outputs left unmatched ("spurious"), counted over records;
for dates, the (label -> output) pairs that differ.
"""
from __future__ import annotations

import collections
import datetime as dt
import gzip
import json
import os
import re
import sys
import unicodedata
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from evaluation.data import ROOT, MissingData, data_dir, say

LABELS = os.path.join(ROOT, "evaluation", "labels", "event_tags.yaml")
CORPUS = os.path.join(ROOT, "examples", "corpus")
FIELDS = ("types", "actors", "places", "date")
PARTS = ("examples", "ecbplus", "gedikli")
_SUFFIXES = {"co", "inc", "ltd", "corp", "plc", "llc", "ag", "sa", "group"}


# ------------------------------------------------------------------------------------------- matching

def norm_name(s: str) -> str:
    """Accents stripped, case folded, punctuation -> space, leading "the" and corporate suffixes dropped."""
    s = unicodedata.normalize("NFKD", str(s or ""))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    s = s.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("þ", "th").replace("ð", "d")
    s = s.replace("&", " and ").replace("'s ", " ").replace("’s ", " ")
    toks = re.sub(r"[^\w]+", " ", s).split()
    if toks and toks[0] == "the":
        toks = toks[1:]
    while len(toks) > 1 and toks[-1] in _SUFFIXES:
        toks = toks[:-1]
    return " ".join(toks)


def spellings(label: str) -> List[str]:
    """The normalised equivalent spellings of one label ("A|B")."""
    return [n for n in (norm_name(x) for x in str(label).split("|")) if n]


def name_match(label: str, output: str, surname: bool = True) -> bool:
    """Does ``output`` name the same actor/place as ``label``? (rule in the module doc)"""
    o = norm_name(output)
    if not o:
        return False
    ot = o.split()
    for alt in spellings(label):
        lt = alt.split()
        if o == alt or sorted(ot) == sorted(lt):
            return True
        if surname and len(lt) >= 2:
            if len(ot) == 1 and ot[0] == lt[-1]:  # "Lehtivaara" for "Aino Lehtivaara"
                return True
            if any(ot[i:i + len(lt)] == lt for i in range(len(ot) - len(lt) + 1)):  # "Judge James Bodiford"
                return True
    return False


def match_sets(labels: Sequence[str], outputs: Sequence[str], surname: bool = True
               ) -> Tuple[List[Tuple[str, str]], List[str], List[str]]:
    """One-to-one matching: ``(matched (label, output) pairs, missed labels, spurious outputs)``.
    Exact (normalised) matches are taken first, then the looser rules, labels in order."""
    free = list(dict.fromkeys(outputs))  # duplicates in the output count once
    labels = list(dict.fromkeys(labels))
    pairs, missed = [], []
    pending = []
    for lab in labels:  # pass 1: exact normalised equality of a spelling
        alts = spellings(lab)
        hit = next((o for o in free if norm_name(o) in alts), None)
        if hit is not None:
            free.remove(hit)
            pairs.append((lab, hit))
        else:
            pending.append(lab)
    for lab in pending:  # pass 2: token set / surname
        hit = next((o for o in free if name_match(lab, o, surname)), None)
        if hit is not None:
            free.remove(hit)
            pairs.append((lab, hit))
        else:
            missed.append(lab)
    return pairs, missed, free


def score_record(label: Dict[str, Any], output: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """Per field: ``tp``, ``out`` (outputs), ``gold`` (labels), ``missed``, ``spurious``."""
    res: Dict[str, Dict[str, Any]] = {}
    lt, ot = set(label.get("types") or []), set(output.get("types") or [])
    res["types"] = {"tp": len(lt & ot), "out": len(ot), "gold": len(lt),
                    "missed": sorted(lt - ot), "spurious": sorted(ot - lt)}
    for field, surname in (("actors", True), ("places", False)):
        labs = list(label.get(field) or [])
        outs = [str(x) for x in output.get(field) or []]
        pairs, missed, spurious = match_sets(labs, outs, surname)
        loose = [(lab, o) for lab, o in pairs
                 if not any(sorted(alt.split()) == sorted(norm_name(o).split()) for alt in spellings(lab))]
        res[field] = {"tp": len(pairs), "out": len(list(dict.fromkeys(outs))), "gold": len(set(labs)),
                      "missed": missed, "spurious": spurious, "loose": loose}
    ld, od = label.get("date"), output.get("date")
    ld = str(ld) if ld else None
    od = str(od)[:10] if od else None
    ok = bool(ld and od and ld == od)
    res["date"] = {"tp": int(ok), "out": int(od is not None), "gold": int(ld is not None),
                   "missed": [] if ok or ld is None else [ld], "spurious": [] if ok or od is None else [od],
                   "pair": None if ok or (ld is None and od is None) else f"{ld or 'null'} -> {od or 'null'}"}
    return res


def prf(tp: int, out: int, gold: int) -> Dict[str, float]:
    p = tp / out if out else 0.0
    r = tp / gold if gold else 0.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp, "out": out, "gold": gold}


def aggregate(scored: Iterable[Dict[str, Dict[str, Any]]]) -> Dict[str, Dict[str, float]]:
    """Micro P/R/F1 per field over scored records."""
    sums = {f: [0, 0, 0] for f in FIELDS}
    for s in scored:
        for f in FIELDS:
            sums[f][0] += s[f]["tp"]
            sums[f][1] += s[f]["out"]
            sums[f][2] += s[f]["gold"]
    return {f: prf(*sums[f]) for f in FIELDS}


def confusions(scored: Iterable[Dict[str, Dict[str, Any]]], top: int = 10) -> Dict[str, Dict[str, List]]:
    """Per field the ``top`` most frequent missed labels and spurious outputs (and date label -> output)."""
    out = {f: {"missed": collections.Counter(), "spurious": collections.Counter()} for f in FIELDS}
    for s in scored:
        for f in ("types", "actors", "places"):
            out[f]["missed"].update(s[f]["missed"])
            out[f]["spurious"].update(s[f]["spurious"])
        if s["date"]["pair"]:
            out["date"]["missed"].update([s["date"]["pair"]])
    res: Dict[str, Dict[str, List]] = {}
    for f in FIELDS:
        res[f] = {k: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:top] for k, c in out[f].items()}
    return res


# --------------------------------------------------------------------------------------------- labels

def load_labels(path: str = LABELS) -> Dict[str, Dict[str, Dict[str, Any]]]:
    import yaml
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return {part: dict(data.get(part) or {}) for part in PARTS}


def taxonomy_codes() -> List[str]:
    from pipeline.config import load_config
    cfg = load_config()
    return [str(t["code"]) for t in (cfg["events"].get("taxonomy") or {}).get("types") or []]


def corpus_keys(root: str = CORPUS) -> List[str]:
    """Keys of the document records of examples/corpus (source relative to corpus/, "path#N" inside files)."""
    from pipeline.config import load_config
    from pipeline.readers import read_file
    cfg = load_config()
    keys = []
    for path in _corpus_files(root):
        for rec in read_file(path, cfg):
            if "_raw" in rec:
                keys.append(_key(rec["source"], root))
    return keys


def validate(labels: Dict[str, Dict[str, Dict[str, Any]]], codes: Sequence[str],
             keys: Optional[Sequence[str]] = None) -> List[str]:
    """Problems of a labels structure (empty = well-formed): fields, type codes, dates, examples keys."""
    problems = []
    codes = set(codes)
    for part, items in labels.items():
        for key, lab in items.items():
            where = f"{part}/{key}"
            if not isinstance(lab, dict):
                problems.append(f"{where}: not a mapping")
                continue
            for f in FIELDS:
                if f not in lab:
                    problems.append(f"{where}: no '{f}'")
            extra = set(lab) - set(FIELDS) - {"note"}
            if extra:
                problems.append(f"{where}: unknown fields {sorted(extra)}")
            for f in ("types", "actors", "places"):
                v = lab.get(f)
                if v is not None and (not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v)):
                    problems.append(f"{where}: '{f}' must be a list of non-empty strings")
            for c in lab.get("types") or []:
                if c not in codes:
                    problems.append(f"{where}: unknown type code {c!r}")
            d = lab.get("date")
            if d is not None:
                try:
                    if not (isinstance(d, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", d)):
                        raise ValueError
                    dt.date.fromisoformat(d)
                except ValueError:
                    problems.append(f"{where}: date {d!r} is not YYYY-MM-DD")
    if keys is not None:
        for key in labels.get("examples", {}):
            if key not in set(keys):
                problems.append(f"examples/{key}: no such document record in examples/corpus")
    return problems


# ------------------------------------------------------------------------------------- our event fields

def _corpus_files(root: str) -> List[str]:
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        out.extend(os.path.join(d, f) for f in sorted(files))
    return out


def _key(source: str, root: str) -> str:
    path, sep, n = str(source).partition("#")
    return os.path.relpath(path, root).replace(os.sep, "/") + sep + n


def _events_stage():
    from pipeline.config import load_config
    from transforms.events import EventFeatures
    cfg = load_config()
    return EventFeatures(cfg), cfg


def _fields(ev: Dict[str, Any]) -> Dict[str, Any]:
    return {f: ev.get(f) for f in FIELDS}


def tag_examples(root: str = CORPUS) -> Dict[str, Dict[str, Any]]:
    """``{key: event fields}`` for every document of examples/corpus that passes the per-record stages."""
    from pipeline.config import load_config
    from pipeline.readers import read_file
    from transforms import repeated as rp
    from transforms.base import Reject
    from transforms.boilerplate import Boilerplate
    from transforms.events import EventFeatures
    from transforms.extract import Extract
    from transforms.langid import LangId
    cfg = load_config()
    extract, boiler, lang, events = Extract(cfg), Boilerplate(cfg), LangId(cfg), EventFeatures(cfg)
    docs = []
    for path in _corpus_files(root):
        for rec in read_file(path, cfg):
            if "_raw" not in rec:
                continue
            try:
                docs.append(boiler(extract(dict(rec))))
            except Reject:
                continue
    rc = rp.settings(cfg)
    if rc.get("enabled", True):
        reps = rp.find_repeated([(r.get("site"), r.get("text") or "") for r in docs], rc)
        for r in docs:
            hashes = set(reps.get(rp.RUN_KEY, set()))
            if r.get("site"):
                hashes |= reps.get(r["site"], set())
            rp.apply_to_record(r, hashes, rc)
    out = {}
    for r in docs:
        if not (r.get("text") or "").strip():
            continue
        try:
            r = events(lang(r))
        except Reject:
            continue
        out[_key(r["source"], root)] = _fields(r["event"])
    return out


def _tag(records: List[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    stage, _ = _events_stage()
    out = {}
    for r in records:  # the record as evaluation/events.cluster builds it
        rec = {"id": r["id"], "source": r["id"], "text": r["text"], "title": r.get("title"),
               "published": r.get("published"), "lang": "en", "dedup": {"cluster": r["id"]}}
        out[r["id"]] = _fields(stage(rec)["event"])
    return out


def tag_ecbplus(base: str, docs: Iterable[str]) -> Dict[str, Dict[str, Any]]:
    from evaluation.events import detokenize
    want = set(docs)
    path = os.path.join(data_dir(base, "events", "ecbplus-odd-topics"), "docs.jsonl.gz")
    records = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["doc"] in want:
                lines = r["text_tokenized"].split("\n")
                records.append({"id": r["doc"], "title": detokenize(lines[0]), "text": detokenize("\n\n".join(lines))})
    return _tag(records)


def tag_gedikli(base: str, urls: Iterable[str]) -> Dict[str, Dict[str, Any]]:
    from evaluation.events import _read_csv_gz
    want = set(urls)
    d = data_dir(base, "events", "news-story-chains-gedikli")
    arts = _read_csv_gz(os.path.join(d, "gedikli-business_energy_news_dataset-2021-06-29-article_texts.csv.gz"))
    records = [{"id": a["url"], "title": a["title"], "text": a["text"], "published": (a["date"] or "")[:10] or None}
               for a in arts if a["url"] in want]
    return _tag(records)


# ----------------------------------------------------------------------------------------------- report

def _row(name: str, agg: Dict[str, Dict[str, float]], n: int) -> str:
    cells = "  ".join(f"{agg[f]['p']:.2f} {agg[f]['r']:.2f} {agg[f]['f1']:.2f}" for f in FIELDS)
    return f"  {name:<9}{n:>4}  {cells}"


def run(base: str, labels_path: str = LABELS, top: int = 10) -> Dict[str, Any]:
    labels = load_labels(labels_path)
    outputs: Dict[str, Dict[str, Dict[str, Any]]] = {"examples": tag_examples()}
    for part, fn in (("ecbplus", tag_ecbplus), ("gedikli", tag_gedikli)):
        if not labels[part]:
            continue
        try:
            outputs[part] = fn(base, labels[part])
        except MissingData as exc:
            say(f"[events:tags:{part}] {exc} -- only the examples/ part is scored")
    scored: Dict[str, List[Dict[str, Any]]] = {}
    missing_out = []
    for part, items in labels.items():
        if part not in outputs:
            continue
        scored[part] = []
        for key, lab in items.items():
            out = outputs[part].get(key)
            if out is None:  # rejected by a stage, or not in the eval file: nothing output for it
                missing_out.append(f"{part}/{key}")
                out = {"types": [], "actors": [], "places": [], "date": None}
            scored[part].append(score_record(lab, out))
    groups = [("examples", scored.get("examples", []))]
    ev = scored.get("ecbplus", []) + scored.get("gedikli", [])
    if ev:
        groups.append(("eval", ev))
    groups.append(("all", [s for g in scored.values() for s in g]))
    results: Dict[str, Any] = {"records": {k: len(v) for k, v in scored.items()}, "no_output": missing_out}
    say("")
    say(f"Event tags: our per-record types/actors/places/date vs {sum(map(len, scored.values()))} hand-labelled "
        f"articles ({', '.join(f'{k} {len(v)}' for k, v in scored.items())}); micro P R F1")
    say(f"  {'part':<9}{'n':>4}  " + "  ".join(f"{f:<14}" for f in FIELDS))
    for name, recs in groups:
        agg = aggregate(recs)
        results[name] = agg
        say(_row(name, agg, len(recs)))
    allagg = results["all"]
    say("  (counts, all: " + ", ".join(f"{f} {allagg[f]['tp']}/{allagg[f]['out']} out, {allagg[f]['tp']}/{allagg[f]['gold']} gold"
                                       for f in FIELDS) + ")")
    if missing_out:
        say(f"  no output (scored as empty) for: {', '.join(missing_out)}")
    loose = [p for s in groups[-1][1] for p in s["actors"]["loose"]]
    results["actors_loose_matches"] = len(loose)
    if loose:
        say(f"  actors matched only by surname / with a title or affiliation left in ours: {len(loose)} of "
            f"{allagg['actors']['tp']}, e.g. " + "; ".join(f"{o!r} for {lab!r}" for lab, o in loose[:6]))
    conf = confusions(groups[-1][1], top)
    results["confusions"] = conf
    say(f"Most frequent confusions (all parts, top {top}):")
    for f in FIELDS:
        if f == "date":
            say("  date (label -> ours): " + ("; ".join(f"{k} x{n}" if n > 1 else k for k, n in conf[f]["missed"]) or "-"))
            continue
        for kind in ("missed", "spurious"):
            say(f"  {f} {kind}: " + ("; ".join(f"{k} x{n}" if n > 1 else k for k, n in conf[f][kind]) or "-"))
    return results


def details(base: str, labels_path: str = LABELS) -> None:
    """Per record: label vs ours for each field (for looking at errors; ``python -m evaluation.event_tags -v``)."""
    labels = load_labels(labels_path)
    outs = {"examples": tag_examples()}
    for part, fn in (("ecbplus", tag_ecbplus), ("gedikli", tag_gedikli)):
        try:
            outs[part] = fn(base, labels[part])
        except MissingData as exc:
            say(f"[events:tags:{part}] {exc}")
    for part, items in labels.items():
        for key, lab in items.items():
            out = outs.get(part, {}).get(key)
            if out is None:
                continue
            say(f"{part}/{key}")
            for f in FIELDS:
                say(f"    {f:<7} label {lab.get(f)!r}\n            ours  {out.get(f)!r}")


if __name__ == "__main__":
    from evaluation.data import DEFAULT_DATA
    args = [a for a in sys.argv[1:] if a != "-v"]
    data = args[0] if args else DEFAULT_DATA
    if "-v" in sys.argv[1:]:
        details(data)
    run(data)
