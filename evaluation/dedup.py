"""Near-duplicate detection on a generated benchmark: our keys + resolution vs datasketch MinHashLSH.

No public labelled set fits, so the benchmark is generated here, deterministically (seeded), from real article
texts read at run time: the gold main texts of the extraction sets in ``../shared/eval/extraction``
(scrapinghub ``articleBody``, fundus test-data bodies, Dragnet and CleanEval-final GoldStandard, newspaper4k
``txt``). Nothing of those texts is stored in the repository.

Source articles: gold texts of at least ``MIN_WORDS`` words, made distinct (a text sharing >= 0.2 of its
5-word shingles with an earlier source is left out, so that different sources really are different
articles). Per source, the original plus one record of each kind:

- ``chrome`` (x2): the same body under two different sites' page chrome, as extraction leaves it: header lines
  (section menu, byline, date line) and footer lines (share line, newsletter, copyright, "Related:"
  headlines of other articles);
- ``edit``: 2-5% of the words substituted and a new headline;
- ``para_add``: a paragraph of another article inserted; ``para_drop``: one paragraph dropped;
- ``truncate``: the first 50-70% of the words (a teaser); reported on its own, not in the Jaccard >= 0.8 target.

Labels by construction: two records are duplicates when they come from the same source. A pair's kind is
``truncate`` when one side is a truncation, ``chrome`` when both sides are the original or a chrome copy,
else the kind of the edited side (``mixed`` for two different edits). Negatives: ``same_subject``, each
source with its nearest other source by TF-IDF cosine of words (different articles on the same subject), and
``unrelated``, random pairs of sources. Every labelled pair has its true 5-word-shingle Jaccard (normalized
text as in ``transforms.dedup.normalize``).

Scoring, pairwise: two records are predicted duplicates when they are in the same cluster. Per kind,
recall = labelled pairs of that kind predicted, precision = of the predicted pairs touching a record of that
kind, the share inside its own family (for the negatives: the share of the labelled pairs predicted, i.e.
false positives). Overall precision is over all predicted pairs (truncations count as true: same source);
overall recall excludes truncations. ``J>=0.8``: recall on positive pairs of true Jaccard >= 0.8.

Systems, in the same run on the same records: ours (``DedupKeys`` then the pure resolution logic of
``ResolveDuplicates``: band and exact buckets, capped buckets skipped, pairs verified by estimated Jaccard >=
``dedup.threshold``, connected components), and datasketch ``MinHashLSH(threshold, num_perm)`` over the same
5-word shingles, each candidate pair verified by datasketch's estimated Jaccard >= the same threshold, then
the same connected components.
"""
from __future__ import annotations

import glob
import json
import math
import os
import random
import re
import time
from collections import Counter, defaultdict
from typing import Any, Dict, List, Optional, Set, Tuple

from evaluation.data import MissingData, data_dir, read_maybe_gz, say
from evaluation.extraction import _decode_gold, _fundus_body

SEED = 20240521
MIN_WORDS = 150
MAX_SOURCE_OVERLAP = 0.2
SHINGLE = 5
VARIANT_KINDS = ("chrome", "chrome", "edit", "para_add", "para_drop", "truncate")
POSITIVE_KINDS = ("chrome", "edit", "para_add", "para_drop", "mixed", "truncate")
NEGATIVE_KINDS = ("same_subject", "unrelated")

# ------------------------------------------------------------------------------------------- gold texts


def load_gold_texts(base: str) -> List[Tuple[str, str]]:
    """``[(set/id, text)]`` of every gold main text found (sets that are absent are skipped)."""
    out: List[Tuple[str, str]] = []
    ex = os.path.join(base, "extraction")
    d = os.path.join(ex, "scrapinghub-article-extraction-benchmark", "ground-truth.json")
    if os.path.exists(d):
        for k, v in sorted(json.load(open(d, encoding="utf-8")).items()):
            out.append((f"scrapinghub/{k}", v.get("articleBody") or ""))
    for jf in sorted(glob.glob(os.path.join(ex, "fundus-parser-testdata", "test_data", "*", "*.json"))):
        if os.path.basename(jf) == "meta.info":
            continue
        try:
            versions = json.load(open(jf, encoding="utf-8"))
        except ValueError:
            continue
        for key in sorted(versions):
            v = versions[key]
            if isinstance(v, dict) and v.get("body"):
                try:
                    out.append((f"fundus/{os.path.relpath(jf, ex)}:{key}", _fundus_body(v["body"])))
                except (ValueError, SyntaxError, AttributeError):
                    pass
    marker = re.compile(r"^!@#\$%\^&\*\(\)\s*COMMENTS\s*$", re.M)
    for sub in ("dragnet_data", "cleaneval-final"):
        for g in sorted(glob.glob(os.path.join(ex, "cleaneval-cleanportaleval-dragnet", sub, "GoldStandard",
                                               "*.txt*"))):
            text = _decode_gold(read_maybe_gz(g))
            if sub == "dragnet_data":
                text = marker.split(text, 1)[0]
            else:
                lines = text.splitlines()
                if lines and lines[0].startswith("URL:"):
                    lines = lines[1:]
                text = re.sub(r"<(p|h|l)>", "\n", "\n".join(lines))
            out.append((f"{sub}/{os.path.basename(g)}", text))
    for t in sorted(glob.glob(os.path.join(ex, "newspaper4k-testdata", "txt", "*.txt"))):
        out.append((f"newspaper4k/{os.path.basename(t)}", open(t, encoding="utf-8", errors="replace").read()))
    return out


# ------------------------------------------------------------------------------------------- generator


def _paras(text: str) -> List[str]:
    return [p.strip() for p in re.split(r"\n+", text) if p.strip()]


def shingle_set(norm: str, k: int = SHINGLE) -> Set[int]:
    """The set of word k-shingles of a normalized text (as their stable 64-bit hashes; a text of fewer words is
    one shingle)."""
    from transforms.dedup import shingle_hashes
    return set(shingle_hashes(norm, k).tolist())


def jaccard(a: Set, b: Set) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


SITES = ["Daily Courier", "The Morning Ledger", "Metro Wire", "Northern Post", "Evening Standard-Times",
         "Global Dispatch", "City Herald", "The Observer Online", "Coastal News", "Capital Report"]
SECTIONS = ["News", "World", "Business", "Politics", "Sport", "Culture", "Tech", "Opinion", "Local", "Science"]
HEADER_TEMPLATES = [
    "Home | {s1} | {s2} | {s3} | {s4}",
    "{site} - {s1}",
    "By {author}, {site}",
    "Published {date} | Updated {time}",
    "{s1} > {s2}",
    "Listen to this article ({n} min)",
]
FOOTER_TEMPLATES = [
    "Share this article: Facebook Twitter WhatsApp Email",
    "Copyright {year} {site}. All rights reserved.",
    "Sign up for the {site} newsletter and get the day's top stories.",
    "Related: {headline}",
    "Read more: {headline}",
    "Most read in {s1}",
    "Follow {site} on social media",
    "Comments are closed for this article.",
]
AUTHORS = ["Anna Weber", "James Okafor", "Maria Lopez", "Chen Wei", "Staff Reporter", "Priya Nair", "Tom Hughes"]


def _chrome(rnd: random.Random, headlines: List[str]) -> Tuple[List[str], List[str]]:
    site = rnd.choice(SITES)
    secs = rnd.sample(SECTIONS, 4)
    fill = dict(site=site, s1=secs[0], s2=secs[1], s3=secs[2], s4=secs[3], author=rnd.choice(AUTHORS),
                date=f"{rnd.randint(1, 28)} {rnd.choice(['March', 'June', 'October'])} 20{rnd.randint(15, 25)}",
                time=f"{rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}", n=rnd.randint(2, 9),
                year=rnd.randint(2015, 2025))
    head = [t.format(**fill) for t in rnd.sample(HEADER_TEMPLATES, rnd.randint(2, 4))]
    foot = []
    for t in rnd.sample(FOOTER_TEMPLATES, rnd.randint(2, 5)):
        foot.append(t.format(headline=rnd.choice(headlines), **fill))
    return head, foot


def _headline(paras: List[str]) -> str:
    first = paras[0] if paras else ""
    return " ".join(first.split()[:12])


def make_variant(kind: str, text: str, rnd: random.Random, others: List[str], vocab: List[str],
                 headlines: List[str]) -> str:
    paras = _paras(text)
    if kind == "chrome":
        head, foot = _chrome(rnd, headlines)
        return "\n\n".join(head + paras + foot)
    if kind == "edit":
        words_paras = [p.split(" ") for p in paras]
        flat = [(i, j) for i, ws in enumerate(words_paras) for j in range(len(ws))]
        n_sub = max(1, int(len(flat) * rnd.uniform(0.02, 0.05)))
        for i, j in rnd.sample(flat, min(n_sub, len(flat))):
            words_paras[i][j] = rnd.choice(vocab)
        body = [" ".join(ws) for ws in words_paras]
        new_head = " ".join(rnd.sample(vocab, rnd.randint(6, 12))).capitalize()
        if body and len(body[0].split()) <= 20 and len(body) > 1:
            body[0] = new_head
        else:
            body.insert(0, new_head)
        return "\n\n".join(body)
    if kind == "para_add":
        other = _paras(rnd.choice(others))
        cands = [p for p in other if 15 <= len(p.split()) <= 90] or other or ["Update: more details to follow."]
        new = rnd.choice(cands)
        pos = rnd.randint(1, max(1, len(paras)))
        return "\n\n".join(paras[:pos] + [new] + paras[pos:])
    if kind == "para_drop":
        if len(paras) < 2:
            words = text.split()
            k = max(1, len(words) // 8)
            s = rnd.randrange(0, len(words) - k + 1)
            return " ".join(words[:s] + words[s + k:])
        total = sum(len(p.split()) for p in paras)
        cands = [i for i, p in enumerate(paras) if len(p.split()) <= 0.2 * total] or list(range(len(paras)))
        i = rnd.choice(cands)
        return "\n\n".join(paras[:i] + paras[i + 1:])
    if kind == "truncate":
        share = rnd.uniform(0.5, 0.7)
        target = int(sum(len(p.split()) for p in paras) * share)
        out, n = [], 0
        for p in paras:
            ws = p.split()
            if n + len(ws) <= target:
                out.append(p)
                n += len(ws)
            else:
                out.append(" ".join(ws[:max(0, target - n)]))
                break
        return "\n\n".join(x for x in out if x)
    raise ValueError(kind)


def select_sources(gold: List[Tuple[str, str]], limit: int = 0) -> List[Tuple[str, str, str]]:
    """``[(id, text, normalized)]``: long enough, not near-duplicates of each other (greedy, in id order)."""
    from transforms.dedup import normalize
    out: List[Tuple[str, str, str]] = []
    index: Dict[int, List[int]] = defaultdict(list)
    sizes: List[int] = []
    for sid, text in gold:
        norm = normalize(text)
        if len(norm.split()) < MIN_WORDS:
            continue
        sh = shingle_set(norm)
        shared = Counter(j for s in sh for j in index.get(s, ()))
        if any(c >= MAX_SOURCE_OVERLAP * min(len(sh), sizes[j]) for j, c in shared.items()):
            continue
        k = len(out)
        out.append((sid, text, norm))
        sizes.append(len(sh))
        for s in sh:
            index[s].append(k)
        if limit and len(out) >= limit:
            break
    return out


def _tfidf_neighbours(norms: List[str]) -> List[Tuple[int, int, float]]:
    """Each source's nearest other source by TF-IDF cosine of words (stop words damped by IDF)."""
    docs = [Counter(n.split()) for n in norms]
    df = Counter(w for d in docs for w in d)
    n = len(docs)
    vecs = []
    for d in docs:
        v = {w: (1 + math.log(c)) * math.log(n / df[w]) for w, c in d.items() if df[w] < n}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs.append({w: x / norm for w, x in v.items()})
    inv: Dict[str, List[Tuple[int, float]]] = defaultdict(list)
    for i, v in enumerate(vecs):
        for w, x in v.items():
            if df[w] <= max(2, n // 20):          # only reasonably rare words drive the neighbour search
                inv[w].append((i, x))
    out = []
    for i, v in enumerate(vecs):
        score: Dict[int, float] = defaultdict(float)
        for w, x in v.items():
            for j, y in inv.get(w, ()):
                if j != i:
                    score[j] += x * y
        if score:
            j = max(score, key=lambda k: (score[k], -k))
            out.append((min(i, j), max(i, j), score[j]))
    return sorted(set(out))


def build_benchmark(base: str, limit: int = 0, seed: int = SEED) -> Dict[str, Any]:
    """Records ``{id, source, family, kind, text}`` and labelled pairs ``{(id_a, id_b): kind}``."""
    from transforms.dedup import normalize
    gold = load_gold_texts(base)
    if not gold:
        raise MissingData(f"SKIPPED: no gold texts under {os.path.join(base, 'extraction')}")
    sources = select_sources(gold, limit)
    rnd = random.Random(seed)
    texts = [s[1] for s in sources]
    headlines = [_headline(_paras(t)) for t in texts]
    vocab = sorted({w for s in sources for w in s[1].split() if w.isalpha() and 3 <= len(w) <= 12})
    records: List[Dict[str, Any]] = []
    families: Dict[int, List[str]] = {}
    for f, (sid, text, _) in enumerate(sources):
        r = random.Random(f"{seed}:{sid}")
        others = [texts[j] for j in r.sample(range(len(texts)), min(5, len(texts))) if j != f] or [text]
        ids = [f"f{f:04d}-orig"]
        records.append({"id": ids[0], "family": f, "kind": "original", "text": text, "origin": sid})
        for v, kind in enumerate(VARIANT_KINDS):
            rid = f"f{f:04d}-{kind}{v}"
            vt = make_variant(kind, text, r, others, vocab, [h for h in r.sample(headlines, 4)])
            records.append({"id": rid, "family": f, "kind": kind, "text": vt, "origin": sid})
            ids.append(rid)
        families[f] = ids
    rnd.shuffle(records)
    for i, rec in enumerate(records):
        rec["source"] = f"bench#{i + 1}"
    by_id = {r["id"]: r for r in records}
    pairs: Dict[Tuple[str, str], str] = {}
    for f, ids in families.items():
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                a, b = sorted((ids[i], ids[j]))
                pairs[(a, b)] = pair_kind(by_id[a]["kind"], by_id[b]["kind"])
    norms = [s[2] for s in sources]
    neg_same = _tfidf_neighbours(norms)
    for i, j, _ in neg_same:
        pairs[tuple(sorted((families[i][0], families[j][0])))] = "same_subject"
    nf = len(sources)
    for _ in range(min(nf, 2000)):
        i, j = rnd.sample(range(nf), 2)
        key = tuple(sorted((families[i][0], families[j][0])))
        pairs.setdefault(key, "unrelated")
    shingles = {r["id"]: shingle_set(normalize(r["text"])) for r in records}
    true_j = {p: jaccard(shingles[p[0]], shingles[p[1]]) for p in pairs}
    return {"records": records, "pairs": pairs, "true_jaccard": true_j, "sources": len(sources),
            "gold_texts": len(gold), "shingles": shingles}


def pair_kind(ka: str, kb: str) -> str:
    if "truncate" in (ka, kb):
        return "truncate"
    kinds = {ka, kb} - {"original"}
    if kinds <= {"chrome"}:
        return "chrome"
    kinds -= {"chrome"}
    return kinds.pop() if len(kinds) == 1 else "mixed"


# ------------------------------------------------------------------------------------------------ systems


def ours(records: List[Dict[str, Any]], cfg: Dict[str, Any]) -> Dict[str, Any]:
    """Our keys (DedupKeys) and the pure resolution logic of ResolveDuplicates -> {id: cluster}."""
    from transforms.dedup import (DedupKeys, apply_mapping, bucket_keys, make_node, resolve_clusters,
                                  verified_pairs)
    stage = DedupKeys(cfg)
    stage.keys("warm up")
    t0 = time.perf_counter()
    keyed = [stage({"id": r["id"], "source": r["source"], "published": None, "text": r["text"]})
             for r in records]
    t_keys = time.perf_counter() - t0
    t1 = time.perf_counter()
    c = cfg["dedup"]
    buckets: Dict[str, List] = defaultdict(list)
    for r in keyed:
        for k in bucket_keys(r):
            buckets[k].append(make_node(r))
    edges, nodes, capped = set(), {}, 0
    for members in buckets.values():
        if len(members) > int(c["max_bucket_size"]):
            capped += 1
            continue
        if len(members) < 2:
            continue
        by = {m[0]: m for m in members}
        for a, b in verified_pairs(members, float(c["threshold"])):
            edges.add((a, b))
            nodes[a], nodes[b] = by[a], by[b]
    mapping, stats = resolve_clusters(edges, nodes.values())
    clusters = {r["id"]: apply_mapping(r, mapping)["dedup"]["cluster"] for r in keyed}
    t_res = time.perf_counter() - t1
    return {"clusters": clusters, "keys_s": t_keys, "resolve_s": t_res, "capped": capped,
            "candidates": sum(len(m) * (len(m) - 1) // 2 for m in buckets.values()
                              if 2 <= len(m) <= int(c["max_bucket_size"]))}


def datasketch_lsh(records: List[Dict[str, Any]], cfg: Dict[str, Any], verify: bool = True) -> Dict[str, Any]:
    """datasketch MinHash + MinHashLSH(threshold, num_perm) on the same 5-word shingles (of the normalized
    text), candidates verified by datasketch's estimated Jaccard >= threshold; connected components."""
    from datasketch import MinHash, MinHashLSH
    from transforms.dedup import normalize, resolve_clusters
    c = cfg["dedup"]
    k, num_perm, threshold = int(c["shingle_size"]), int(c["num_perm"]), float(c["threshold"])
    t0 = time.perf_counter()
    sigs = {}
    for r in records:
        w = normalize(r["text"]).split()
        sh = [" ".join(w[i:i + k]) for i in range(len(w) - k + 1)] if len(w) >= k else [" ".join(w)]
        m = MinHash(num_perm=num_perm, seed=int(c["seed"]))
        m.update_batch([s.encode("utf-8") for s in sh])
        sigs[r["id"]] = m
    t_keys = time.perf_counter() - t0
    t1 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for rid in sorted(sigs):
        lsh.insert(rid, sigs[rid])
    edges, cand = set(), 0
    for rid in sorted(sigs):
        for other in lsh.query(sigs[rid]):
            if other <= rid:
                continue
            cand += 1
            if not verify or sigs[rid].jaccard(sigs[other]) >= threshold:
                edges.add((rid, other))
    nodes = [(rid, rid, "", 0, "", b"") for rid in sigs]
    mapping, _ = resolve_clusters(edges, nodes)
    clusters = {rid: (mapping[rid][0] if rid in mapping else rid) for rid in sigs}
    t_res = time.perf_counter() - t1
    return {"clusters": clusters, "keys_s": t_keys, "resolve_s": t_res, "candidates": cand,
            "bands_rows": list(getattr(lsh, "b", 0) and (lsh.b, lsh.r))}


# ------------------------------------------------------------------------------------------------ scoring


def _predicted_pairs(clusters: Dict[str, str]) -> Set[Tuple[str, str]]:
    groups: Dict[str, List[str]] = defaultdict(list)
    for rid, cl in clusters.items():
        groups[cl].append(rid)
    out = set()
    for members in groups.values():
        members.sort()
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                out.add((members[i], members[j]))
    return out


def _prf(tp: int, pred: int, gold: int) -> Dict[str, float]:
    p = tp / pred if pred else 1.0
    r = tp / gold if gold else 1.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp, "pred": pred, "gold": gold}


def score(clusters: Dict[str, str], bench: Dict[str, Any]) -> Dict[str, Dict[str, float]]:
    recs = {r["id"]: r for r in bench["records"]}
    pairs, tj = bench["pairs"], bench["true_jaccard"]
    pred = _predicted_pairs(clusters)
    fam = lambda x: recs[x]["family"]  # noqa: E731
    out: Dict[str, Dict[str, float]] = {}
    for kind in POSITIVE_KINDS:
        gold = {p for p, k in pairs.items() if k == kind}
        if not gold:
            continue
        rkind = "truncate" if kind == "truncate" else kind
        touching = [p for p in pred if rkind in (recs[p[0]]["kind"], recs[p[1]]["kind"])] if kind != "mixed" else []
        tp_touch = sum(1 for p in touching if fam(p[0]) == fam(p[1]))
        r = len(gold & pred) / len(gold)
        p = tp_touch / len(touching) if touching else 1.0
        out[kind] = {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "gold": len(gold),
                     "pred": len(touching)}
    for kind in NEGATIVE_KINDS:
        gold = {p for p, k in pairs.items() if k == kind}
        if gold:
            out[kind] = {"fp": len(gold & pred), "pairs": len(gold)}
    tp_all = sum(1 for p in pred if fam(p[0]) == fam(p[1]))
    pos = {p for p, k in pairs.items() if k not in NEGATIVE_KINDS and k != "truncate"}
    o = _prf(len(pos & pred), len(pred), len(pos))
    o["p"] = tp_all / len(pred) if pred else 1.0
    o["f1"] = 2 * o["p"] * o["r"] / (o["p"] + o["r"]) if o["p"] + o["r"] else 0.0
    out["overall"] = o
    hi = {p for p in pos | {p for p, k in pairs.items() if k == "truncate"} if tj[p] >= 0.8}
    out["J>=0.8"] = {"r": len(hi & pred) / len(hi) if hi else 1.0, "gold": len(hi)}
    return out


# ------------------------------------------------------------------------------------------------ report


def _row(name: str, s: Dict[str, float]) -> str:
    if "fp" in s:
        return f"  {name:<13}{'':>7}{'':>7}{'':>7}   false positives {s['fp']} of {s['pairs']} pairs"
    if "p" not in s:
        return f"  {name:<13}{'':>7}{s['r']:>7.3f}{'':>7}   ({s['gold']} pairs)"
    return f"  {name:<13}{s['p']:>7.3f}{s['r']:>7.3f}{s['f1']:>7.3f}   ({s['gold']} pairs)"


def run(base: str, limit: int = 0, cfg: Optional[Dict[str, Any]] = None, quiet: bool = False) -> Dict[str, Any]:
    from pipeline.config import load_config
    cfg = cfg or load_config()
    c = cfg["dedup"]
    try:
        data_dir(base, "extraction")
        t0 = time.perf_counter()
        bench = build_benchmark(base, limit)
    except MissingData as e:
        say(str(e))
        return {"skipped": str(e)}
    t_gen = time.perf_counter() - t0
    recs = bench["records"]
    kb = sum(len(r["text"].encode("utf-8")) for r in recs) / len(recs) / 1024
    counts = Counter(bench["pairs"].values())
    jstats = defaultdict(list)
    for p, k in bench["pairs"].items():
        jstats[k].append(bench["true_jaccard"][p])
    say(f"\n== dedup: generated near-duplicate benchmark (seed {SEED}) ==")
    say(f"{bench['gold_texts']} gold texts -> {bench['sources']} distinct sources of >= {MIN_WORDS} words -> "
        f"{len(recs)} records (mean {kb:.1f} KB); generated in {t_gen:.1f}s")
    say("labelled pairs (true 5-word-shingle Jaccard min / median):  " + ", ".join(
        f"{k} {counts[k]} ({min(jstats[k]):.2f}/{sorted(jstats[k])[len(jstats[k]) // 2]:.2f})"
        for k in POSITIVE_KINDS + NEGATIVE_KINDS if counts[k]))
    say(f"config: shingle_size {c['shingle_size']}, num_perm {c['num_perm']} = {c['bands']} bands x "
        f"{c['rows']} rows, threshold {c['threshold']}, max_bucket_size {c['max_bucket_size']}")
    results: Dict[str, Any] = {"records": len(recs), "sources": bench["sources"], "mean_kb": kb}
    systems = [("newsbeam", lambda: ours(recs, cfg))]
    try:
        import datasketch  # noqa: F401
        systems.append(("datasketch MinHashLSH (verified)", lambda: datasketch_lsh(recs, cfg)))
    except ImportError:
        say("NOTE: datasketch not installed (pip install -e '.[test]'): no baseline")
    for name, fn in systems:
        res = fn()
        sc = score(res["clusters"], bench)
        results[name] = {"scores": sc, "keys_ms_per_record": 1000 * res["keys_s"] / len(recs),
                         "resolve_s": res["resolve_s"], "candidates": res["candidates"]}
        extra = f", LSH bands x rows {res['bands_rows'][0]} x {res['bands_rows'][1]}" if res.get("bands_rows") else ""
        say(f"\n{name}: keys {1000 * res['keys_s'] / len(recs):.3f} ms/record "
            f"({1000 * res['keys_s'] / len(recs) / kb * 2:.3f} ms per 2 KB), resolution {res['resolve_s']:.2f}s, "
            f"total {res['keys_s'] + res['resolve_s']:.1f}s; {res['candidates']} candidate pairs{extra}")
        say(f"  {'kind':<13}{'P':>7}{'R':>7}{'F1':>7}")
        for kind in POSITIVE_KINDS + NEGATIVE_KINDS + ("overall", "J>=0.8"):
            if kind in sc:
                say(_row(kind, sc[kind]))
    if "newsbeam" in results:
        s = results["newsbeam"]["scores"]
        chrome = s.get("chrome", {}).get("r", 0.0)
        say(f"\ntargets (newsbeam): precision {s['overall']['p']:.3f} (>= 0.98: "
            f"{'met' if s['overall']['p'] >= 0.98 else 'NOT met'}), recall J>=0.8 {s['J>=0.8']['r']:.3f} (>= 0.95: "
            f"{'met' if s['J>=0.8']['r'] >= 0.95 else 'NOT met'}), recall chrome {chrome:.3f} (>= 0.90: "
            f"{'met' if chrome >= 0.90 else 'NOT met'})")
    return results
