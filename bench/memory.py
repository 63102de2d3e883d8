"""python -m bench.memory [--sizes 4000,16000] [--config FILE] [--distinct]: peak memory as the input grows.

Builds one corpus of the largest size (bench.__main__.build_corpus: real pages replicated with variations) and
runs the pipeline (local runner, one worker) on the first N pages for each size, sampling the peak RSS of the
whole process tree. Prints seconds, peak RSS and the growth from the smallest to the largest size.

``--distinct``: a corpus with no near-duplicates instead, so nothing collapses in the cross-record stages: plain-text
articles, each a title and 6-10 paragraphs drawn at random from the main text of different real pages
(extracted once with trafilatura), with a random date. Every record is then its own dedup cluster and its own
event signature.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from typing import List, Optional


def build_distinct(n: int, out_dir: str) -> str:
    """N plain-text articles with no near-duplicates (see the module docstring)."""
    import gzip
    import random

    import trafilatura

    from bench.__main__ import _read, source_pages

    files, what = source_pages()
    paras, titles = [], []
    for f in files:
        text = trafilatura.extract(_read(f).decode("utf-8", "replace"), include_comments=False) or ""
        ps = [p for p in text.split("\n") if len(p.split()) >= 12]
        paras += ps
        if ps:
            titles.append(" ".join(ps[0].split()[:10]))
    rng = random.Random(7)
    os.makedirs(out_dir, exist_ok=True)
    for i in range(n):
        body = rng.sample(paras, rng.randint(6, 10))
        day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        doc = f"{rng.choice(titles)}\n\n{day}\n\n" + "\n\n".join(body) + "\n"
        with gzip.open(os.path.join(out_dir, f"article-{i:06d}.txt.gz"), "wt", encoding="utf-8",
                       compresslevel=1) as fh:
            fh.write(doc)
    return f"distinct plain-text articles from the paragraphs of {len(files)} {what}"


def run(sizes: List[int], config: Optional[str] = None, keep: Optional[str] = None,
        distinct: bool = False) -> List[dict]:
    from bench.__main__ import build_corpus
    from bench.proc import run_measured

    sizes = sorted(sizes)
    work = keep or tempfile.mkdtemp(prefix="newsbeam-mem-")
    exe = os.path.join(os.path.dirname(sys.executable), "newsbeam")
    rows = []
    try:
        corpus = os.path.join(work, "corpus")
        if not os.path.isdir(corpus) or len(os.listdir(corpus)) < sizes[-1]:
            shutil.rmtree(corpus, ignore_errors=True)
            what = (build_distinct if distinct else build_corpus)(sizes[-1], corpus)
        else:
            what = "kept corpus"
        pages = sorted(os.listdir(corpus))
        print(f"\nmemory: pipeline (local runner, 1 worker) on the first N of {sizes[-1]} pages ({what})")
        print(f"{'records':>9}{'seconds':>10}{'peak RSS MB':>13}")
        for n in sizes:
            sub = os.path.join(work, f"in-{n}")
            shutil.rmtree(sub, ignore_errors=True)
            os.makedirs(sub)
            for name in pages[:n]:
                os.symlink(os.path.join(corpus, name), os.path.join(sub, name))
            cmd = [exe, "run", "--input", sub, "--output", os.path.join(work, f"out-{n}"), "--quiet"]
            if config:
                cmd += ["--config", config]
            secs, rss, _ = run_measured(cmd)
            rows.append({"records": n, "seconds": secs, "rss_mb": rss})
            print(f"{n:>9}{secs:>10.1f}{rss:>13}", flush=True)
            shutil.rmtree(os.path.join(work, f"out-{n}"), ignore_errors=True)
            shutil.rmtree(sub, ignore_errors=True)
        if len(rows) >= 2:
            a, b = rows[0], rows[-1]
            print(f"from {a['records']} to {b['records']} records ({b['records'] / a['records']:.1f}x): "
                  f"peak RSS x{b['rss_mb'] / max(1, a['rss_mb']):.2f}, time x{b['seconds'] / a['seconds']:.2f}")
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="4000,16000")
    ap.add_argument("--config", help="a newsbeam config for the runs")
    ap.add_argument("--keep", help="keep the corpus in this folder (and reuse it)")
    ap.add_argument("--distinct", action="store_true",
                    help="a corpus without near-duplicates (plain-text articles of mixed real paragraphs)")
    args = ap.parse_args(argv)
    run([int(x) for x in args.sizes.split(",") if x.strip()], args.config, args.keep, args.distinct)
    return 0


if __name__ == "__main__":
    sys.exit(main())
