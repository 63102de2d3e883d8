"""Event grouping on labelled news: our events stage (per-record features + the same clustering the
pipeline's ClusterEvents runs, in plain Python) against the labels.

- ECB+ (odd topics): B-cubed P/R/F1 and adjusted Rand index against ``event_cluster``, next to a topic-only
  clustering (which lumps the two different events of each topic) measured in the same run.
- Gedikli story chains: pairwise P/R/F1 over all 4,950 pairs (same event id = positive).
- UCI news aggregator headlines: ARI and B-cubed against ``STORY``, the headline as the whole text.
- Per-record tags (types, actors, places, date) against our hand labels: ``evaluation/event_tags.py``.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import itertools
import json
import os
import re
import time
from typing import Any, Dict, List

from evaluation.data import MissingData, data_dir, say
from evaluation.scoring import adjusted_rand, bcubed, pairwise


def _stage():
    from pipeline.config import load_config
    from transforms.events import EventFeatures
    cfg = load_config()
    return EventFeatures(cfg), cfg


def detokenize(text: str) -> str:
    text = re.sub(r" ([.,;:!?%)\]}])", r"\1", text)
    text = re.sub(r"([(\[{$]) ", r"\1", text)
    text = re.sub(r" ' s\b", "'s", text).replace(" 's", "'s").replace(" n't", "n't")
    text = text.replace("`` ", '"').replace(" ''", '"')
    return text


def cluster(records: List[Dict[str, Any]]) -> Dict[str, str]:
    """records (id, text, title, published) -> {id: event id}, exactly as the pipeline computes it."""
    from transforms.events import cluster_local, cluster_settings
    stage, cfg = _stage()
    sigs = []
    for r in records:
        rec = {"id": r["id"], "source": r["id"], "text": r["text"], "title": r.get("title"),
               "published": r.get("published"), "lang": "en", "dedup": {"cluster": r["id"]}}
        out = stage(rec)
        sigs.append(out["_event"])
    mapping = cluster_local(sigs, **cluster_settings(cfg))
    return {r["id"]: mapping.get(r["id"], "own:" + r["id"]) for r in records}


def _timed(fn, *a):
    t0 = time.perf_counter()
    out = fn(*a)
    return out, time.perf_counter() - t0


def run_ecbplus(base: str) -> Dict[str, Any]:
    path = os.path.join(data_dir(base, "events", "ecbplus-odd-topics"), "docs.jsonl.gz")
    rows = [json.loads(line) for line in gzip.open(path, "rt", encoding="utf-8")]
    records = []
    for r in rows:
        lines = r["text_tokenized"].split("\n")
        records.append({"id": r["doc"], "title": detokenize(lines[0]), "text": detokenize("\n\n".join(lines))})
    gold = {r["doc"]: r["event_cluster"] for r in rows}
    topic = {r["doc"]: str(r["topic"]) for r in rows}
    pred, secs = _timed(cluster, records)
    out = {"docs": len(rows), "events": len(set(gold.values())), "seconds": secs,
           "ours": {**bcubed(pred, gold), "ari": adjusted_rand(pred, gold), "clusters": len(set(pred.values()))},
           "topic_only": {**bcubed(topic, gold), "ari": adjusted_rand(topic, gold),
                          "clusters": len(set(topic.values()))}}
    return out


def _read_csv_gz(path: str, delimiter: str = ",") -> List[Dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def run_gedikli(base: str) -> Dict[str, Any]:
    d = data_dir(base, "events", "news-story-chains-gedikli")
    arts = _read_csv_gz(os.path.join(d, "gedikli-business_energy_news_dataset-2021-06-29-article_texts.csv.gz"))
    pairs = _read_csv_gz(os.path.join(d, "gedikli-business_energy_news_dataset-2021-06-29.csv.gz"), ";")
    records = [{"id": a["url"], "title": a["title"], "text": a["text"], "published": (a["date"] or "")[:10] or None}
               for a in arts]
    pred, secs = _timed(cluster, records)
    urls = [a["url"] for a in arts]
    pred_pairs = [(a, b) for a, b in itertools.combinations(urls, 2) if pred[a] == pred[b]]
    gold_pairs = [(p["url1"], p["url2"]) for p in pairs if p["relation"].strip() == "1"]
    res = pairwise(pred_pairs, gold_pairs)
    res.update({"articles": len(arts), "pairs": len(pairs), "seconds": secs})
    return res


def run_uci(base: str) -> Dict[str, Any]:
    path = os.path.join(data_dir(base, "events", "uci-news-aggregator-subset"), "uci-news-aggregator.csv.gz")
    rows = [r for r in _read_csv_gz(path) if r.get("STORY") and r.get("TITLE") and (r.get("TIMESTAMP") or "").isdigit()]
    records = [{"id": r["ID"], "title": r["TITLE"], "text": r["TITLE"],
                "published": dt.datetime.fromtimestamp(int(r["TIMESTAMP"]) / 1000, dt.timezone.utc).date().isoformat()}
               for r in rows]
    gold = {r["ID"]: r["STORY"] for r in rows}
    pred, secs = _timed(cluster, records)
    return {"headlines": len(rows), "stories": len(set(gold.values())), "clusters": len(set(pred.values())),
            "ari": adjusted_rand(pred, gold), **bcubed(pred, gold), "seconds": secs}


def run(base: str) -> Dict[str, Any]:
    results: Dict[str, Any] = {}
    for name, fn in (("ecbplus", run_ecbplus), ("gedikli", run_gedikli), ("uci", run_uci)):
        try:
            results[name] = fn(base)
        except MissingData as exc:
            say(f"[events:{name}] {exc}")
    say("")
    say("Events: our event ids vs labels (per-record features + the pipeline's clustering)")
    if "ecbplus" in results:
        r = results["ecbplus"]
        say(f"ECB+ odd topics ({r['docs']} docs, {r['events']} events), B-cubed P / R / F1, ARI, clusters:")
        for who in ("ours", "topic_only"):
            x = r[who]
            say(f"  {who:<11} {x['b3_p']:.3f} / {x['b3_r']:.3f} / {x['b3_f1']:.3f}   ARI {x['ari']:.3f}   "
                f"{x['clusters']} clusters")
    if "gedikli" in results:
        r = results["gedikli"]
        say(f"Gedikli story chains ({r['articles']} articles, {r['pairs']} pairs, {r['gold']} positive): "
            f"pairwise P {r['p']:.3f} R {r['r']:.3f} F1 {r['f1']:.3f} ({r['pred']} predicted pairs)")
    if "uci" in results:
        r = results["uci"]
        say(f"UCI headlines ({r['headlines']} headlines, {r['stories']} stories): ARI {r['ari']:.3f}, "
            f"B-cubed P {r['b3_p']:.3f} R {r['b3_r']:.3f} F1 {r['b3_f1']:.3f}, {r['clusters']} clusters "
            f"({r['seconds']:.1f} s)")
    # per-record tags (types, actors, places, date) against our hand labels; prints its own table
    from evaluation import event_tags
    results["tags"] = event_tags.run(base)
    return results
