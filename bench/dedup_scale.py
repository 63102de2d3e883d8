"""Dedup at scale: keys + cross-record resolution for N records through a Beam pipeline on FnApiRunner.

    python -m bench.dedup_scale [--sizes 50000,100000,200000] [--dup-share 0.2]

Each size runs in its own subprocess (time and peak RSS of the process tree are measured from outside). The
records are synthetic ~2 KB texts (words drawn from a Zipf-like vocabulary, seeded) generated inside the
pipeline (``Create`` of chunk numbers, so the pipeline graph stays small); a known share of them are
near-duplicates: copies of an earlier record of the same chunk with 1-2% of the words substituted (true
5-word-shingle Jaccard about 0.85-0.95). The pipeline is ``DedupKeys`` per record, then ``ResolveDuplicates``;
the child prints the planted duplicates, the duplicates found and the resolution stats. The parent prints a
table and the growth ratios of time and memory from the smallest to the largest size (near-linear: the time
ratio close to the size ratio).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Dict, List

from bench.proc import run_measured

CHUNK = 1000
VOCAB = 20000
WORDS_PER_TEXT = 330          # about 2 KB of text


def _vocab() -> List[str]:
    import random
    rnd = random.Random(12345)
    letters = "abcdefghijklmnopqrstuvwxyz"
    out, seen = [], set()
    while len(out) < VOCAB:
        w = "".join(rnd.choice(letters) for _ in range(rnd.randint(2, 10)))
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


def make_chunk(chunk: int, n_total: int, dup_share: float) -> List[Dict]:
    """Records ``chunk*CHUNK .. min(n_total, (chunk+1)*CHUNK) - 1``, deterministic in (chunk, dup_share)."""
    import numpy as np
    vocab = _make_chunk_vocab()
    rng = np.random.default_rng(1000003 + chunk)
    lo, hi = chunk * CHUNK, min(n_total, (chunk + 1) * CHUNK)
    cdf = _cdf()
    recs: List[Dict] = []
    texts: List[List[int]] = []
    for i in range(lo, hi):
        k = i - lo
        if k >= 10 and rng.random() < dup_share:
            src = int(rng.integers(0, k))
            words = list(texts[src])
            n_sub = max(1, int(len(words) * rng.uniform(0.01, 0.02)))
            for pos in rng.integers(0, len(words), size=n_sub).tolist():
                words[pos] = int(rng.integers(0, VOCAB))
            dup_of = recs[src]["id"]
        else:
            words = np.minimum(np.searchsorted(cdf, rng.random(WORDS_PER_TEXT)), VOCAB - 1).tolist()
            dup_of = None
        texts.append(words)
        text = " ".join(vocab[w] for w in words)
        recs.append({"id": f"r{i:07d}", "source": f"synthetic#{i + 1}", "published": None, "text": text,
                     "_planted": dup_of})
    return recs


_VOCAB_CACHE: List[List[str]] = []
_CDF_CACHE: List = []


def _cdf():
    """Cumulative Zipf-like word distribution (exponent 1.05) over the vocabulary ranks."""
    import numpy as np
    if not _CDF_CACHE:
        p = 1.0 / np.arange(1, VOCAB + 1, dtype=np.float64) ** 1.05
        _CDF_CACHE.append(np.cumsum(p / p.sum()))
    return _CDF_CACHE[0]


def _make_chunk_vocab() -> List[str]:
    if not _VOCAB_CACHE:
        _VOCAB_CACHE.append(_vocab())
    return _VOCAB_CACHE[0]


def child(n: int, dup_share: float) -> Dict:
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions
    from pipeline.config import load_config
    from transforms.dedup import DedupKeys, ResolveDuplicates

    cfg = load_config()
    out_path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"newsbeam-dedup-scale-{os.getpid()}.json")
    chunks = (n + CHUNK - 1) // CHUNK

    class Keys(beam.DoFn):
        def setup(self):
            self.stage = DedupKeys(cfg)

        def process(self, rec):
            planted = rec.pop("_planted")
            rec = self.stage(rec)
            rec["_planted_dup"] = planted is not None
            yield rec

    def summarise(_, docs_count, found, planted, stats):
        return {"records": docs_count, "duplicates_found": found, "planted": planted, "stats": stats}

    t0 = time.perf_counter()
    opts = PipelineOptions(runner="FnApiRunner")
    with beam.Pipeline(options=opts) as p:
        recs = (p | "Chunks" >> beam.Create(list(range(chunks)))
                | "Generate" >> beam.FlatMap(make_chunk, n, dup_share)
                | "Keys" >> beam.ParDo(Keys()))
        res = recs | ResolveDuplicates(cfg)
        docs = res["docs"]
        count = docs | "Count" >> beam.combiners.Count.Globally()
        found = (docs | "IsDup" >> beam.Map(lambda r: int(r["dedup"]["duplicate_of"] is not None))
                 | "SumDup" >> beam.CombineGlobally(sum))
        planted = (docs | "Planted" >> beam.Map(lambda r: int(r["_planted_dup"]))
                   | "SumPlanted" >> beam.CombineGlobally(sum))
        (p | "One" >> beam.Create([None])
         | "Summary" >> beam.Map(summarise, beam.pvalue.AsSingleton(count), beam.pvalue.AsSingleton(found),
                                 beam.pvalue.AsSingleton(planted), beam.pvalue.AsSingleton(res["stats"]))
         | "Write" >> beam.Map(lambda s: open(out_path, "w").write(json.dumps(s))))
    with open(out_path) as fh:
        summary = json.load(fh)
    os.remove(out_path)
    summary["pipeline_seconds"] = time.perf_counter() - t0
    return summary


# ------------------------------------------------------------------------------------------------ parent


def run(sizes: List[int], dup_share: float = 0.2) -> List[Dict]:
    print(f"\ndedup at scale: DedupKeys + ResolveDuplicates on FnApiRunner, synthetic ~2 KB texts, "
          f"{dup_share:.0%} planted near-duplicates (1-2% words substituted); one subprocess per size", flush=True)
    print(f"{'records':>9}{'seconds':>9}{'pipeline s':>11}{'ms/rec':>8}{'peak RSS MB':>13}{'planted':>9}"
          f"{'found':>8}{'clusters':>10}{'capped':>8}", flush=True)
    rows = []
    for n in sizes:
        secs, rss, out = run_measured([sys.executable, "-m", "bench.dedup_scale", "--child", str(n),
                                       "--dup-share", str(dup_share)], what="dedup scale run")
        s = json.loads(out.strip().splitlines()[-1])
        row = {"records": n, "seconds": secs, "rss_mb": rss, **s}
        rows.append(row)
        print(f"{n:>9}{secs:>9.1f}{s['pipeline_seconds']:>11.1f}{secs * 1000 / n:>8.2f}{rss:>13}"
              f"{s['planted']:>9}{s['duplicates_found']:>8}{s['stats']['clusters']:>10}"
              f"{s['stats']['capped_buckets']:>8}", flush=True)
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        k = b["records"] / a["records"]
        print(f"growth {a['records']} -> {b['records']} (x{k:g}): time x{b['seconds'] / a['seconds']:.2f}, "
              f"peak RSS x{b['rss_mb'] / max(1, a['rss_mb']):.2f}  (linear = x{k:g})", flush=True)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.dedup_scale", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="50000,100000,200000")
    ap.add_argument("--dup-share", type=float, default=0.2)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.dup_share)))
        return 0
    run([int(x) for x in args.sizes.split(",") if x.strip()], args.dup_share)
    return 0


if __name__ == "__main__":
    sys.exit(main())
