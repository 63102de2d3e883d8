"""Scores: word n-gram shingle precision/recall/F1 (as in the article-extraction benchmark), clustering metrics."""
from __future__ import annotations

import collections
import re
from typing import Dict, Hashable, Iterable, List, Sequence, Tuple

TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> List[str]:
    return TOKEN_RE.findall((text or "").lower())


def shingles(text: str, n: int = 4) -> collections.Counter:
    toks = tokens(text)
    if len(toks) < n:
        return collections.Counter([tuple(toks)]) if toks else collections.Counter()
    return collections.Counter(tuple(toks[i:i + n]) for i in range(len(toks) - n + 1))


def prf_counts(pred: str, gold: str, n: int = 4) -> Tuple[int, int, int]:
    """(matched, predicted, gold) shingle counts (multisets)."""
    p, g = shingles(pred, n), shingles(gold, n)
    matched = sum((p & g).values())
    return matched, sum(p.values()), sum(g.values())


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def aggregate(counts: Sequence[Tuple[int, int, int]]) -> Dict[str, float]:
    """Micro (summed counts) and macro (mean of per-page scores) precision/recall/F1."""
    m = sum(c[0] for c in counts)
    pp = sum(c[1] for c in counts)
    gg = sum(c[2] for c in counts)
    micro_p = m / pp if pp else 0.0
    micro_r = m / gg if gg else 0.0
    per = []
    for matched, pred, gold in counts:
        p = matched / pred if pred else (1.0 if not gold else 0.0)
        r = matched / gold if gold else 1.0
        per.append((p, r, f1(p, r)))
    n = len(per) or 1
    return {
        "micro_p": micro_p, "micro_r": micro_r, "micro_f1": f1(micro_p, micro_r),
        "macro_p": sum(x[0] for x in per) / n, "macro_r": sum(x[1] for x in per) / n,
        "macro_f1": sum(x[2] for x in per) / n, "pages": len(counts),
    }


def bcubed(pred: Dict[Hashable, Hashable], gold: Dict[Hashable, Hashable]) -> Dict[str, float]:
    """B-cubed precision/recall/F1 of a clustering ``pred`` (item -> cluster) against ``gold``."""
    items = [i for i in gold if i in pred]
    by_pred, by_gold = collections.defaultdict(set), collections.defaultdict(set)
    for i in items:
        by_pred[pred[i]].add(i)
        by_gold[gold[i]].add(i)
    p = r = 0.0
    for i in items:
        pc, gc = by_pred[pred[i]], by_gold[gold[i]]
        inter = len(pc & gc)
        p += inter / len(pc)
        r += inter / len(gc)
    n = len(items) or 1
    return {"b3_p": p / n, "b3_r": r / n, "b3_f1": f1(p / n, r / n)}


def adjusted_rand(pred: Dict[Hashable, Hashable], gold: Dict[Hashable, Hashable]) -> float:
    items = [i for i in gold if i in pred]
    n = len(items)
    if n < 2:
        return 1.0
    comb = lambda k: k * (k - 1) / 2
    table = collections.Counter((pred[i], gold[i]) for i in items)
    a = collections.Counter(pred[i] for i in items)
    b = collections.Counter(gold[i] for i in items)
    index = sum(comb(v) for v in table.values())
    sa, sb = sum(comb(v) for v in a.values()), sum(comb(v) for v in b.values())
    expected = sa * sb / comb(n)
    maximum = (sa + sb) / 2
    return (index - expected) / (maximum - expected) if maximum != expected else 1.0


def pairwise(pred_pairs: Iterable[Tuple], gold_pairs: Iterable[Tuple]) -> Dict[str, float]:
    pp = {tuple(sorted(x)) for x in pred_pairs}
    gp = {tuple(sorted(x)) for x in gold_pairs}
    tp = len(pp & gp)
    p = tp / len(pp) if pp else 1.0
    r = tp / len(gp) if gp else 1.0
    return {"p": p, "r": r, "f1": f1(p, r), "tp": tp, "pred": len(pp), "gold": len(gp)}
