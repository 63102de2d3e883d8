"""python -m bench.stage_speed: median ms per 2 KB news text of the langid and dedup-keys stages.

Texts: the gold article bodies of ../shared/eval/extraction/scrapinghub-article-extraction-benchmark cut to
2,048 bytes (the bundled examples when that folder is absent). Each text is timed 3 times after a warm-up.
"""
from __future__ import annotations

import glob
import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRUTH = os.path.normpath(os.path.join(ROOT, "..", "shared", "eval", "extraction",
                                      "scrapinghub-article-extraction-benchmark", "ground-truth.json"))


def texts_2kb():
    if os.path.exists(TRUTH):
        bodies = [v["articleBody"] for v in json.load(open(TRUTH, encoding="utf-8")).values()]
        what = "scrapinghub gold article bodies"
    else:
        print(f"NOTE: {TRUTH} not found; using the bundled examples' text files (figures not comparable)")
        bodies = [open(p, encoding="utf-8").read() for p in glob.glob(os.path.join(ROOT, "examples", "corpus", "*", "*.txt"))]
        what = "bundled examples"
    out = [b.encode("utf-8")[:2048].decode("utf-8", "ignore") for b in bodies if len(b.encode("utf-8")) >= 2048]
    return out, what


def median_ms(fn, texts, reps=3):
    for t in texts[:10]:
        fn(t)
    times = []
    for _ in range(reps):
        for t in texts:
            t0 = time.perf_counter()
            fn(t)
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    from pipeline.config import load_config
    from transforms import dedup
    from transforms.langid import LangId
    cfg = load_config()
    texts, what = texts_2kb()
    lid, keys = LangId(cfg), dedup.DedupKeys(cfg)

    def minhash_only(t):
        spans = dedup._Spans(dedup.normalize(t))
        return dedup.minhash_signature(spans.ngram_hashes(keys.shingle_size), keys.a, keys.b)

    print(f"{len(texts)} texts of 2 KB ({what}), median ms per text:")
    print(f"  langid stage                      {median_ms(lambda t: lid({'text': t}), texts):.3f}")
    print(f"  dedup keys: MinHash only          {median_ms(minhash_only, texts):.3f}")
    print(f"  dedup keys: all (exact, SimHash, MinHash bands)  {median_ms(keys.keys, texts):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
