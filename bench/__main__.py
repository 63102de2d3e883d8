"""python -m bench [--records N] [--workers 2] [--skip-loop] [--no-dedup-scale] [--dedup-sizes 50000,100000,200000]

Builds a corpus of N HTML pages (the real pages of ../shared/eval/extraction, replicated with variations so
that copies are not all duplicates; the bundled examples when that folder is absent) and measures, in one run:

  (a) a plain Python loop over the same per-record stage functions, one core: the floor;
  (b) the pipeline on the local runner, one worker;
  (c) the pipeline with --direct_num_workers=2: on the local runner, the per-record stages in 2 processes of
      newsbeam's pool (what that flag does since stop 12);
  (d) the same with Beam's own multi_processing mode (--direct_running_mode=multi_processing), for comparison;

docs/s, the ratios b/a and c/b, peak RSS of each whole process tree, and ms per record per stage (from (a)).
(b) and (c) must write identical records; the bench says so.

Then (unless --no-dedup-scale) dedup at scale (bench/dedup_scale.py): keys + resolution of 50k, 100k and 200k
synthetic ~2 KB records through Beam on FnApiRunner, time and peak RSS of each, and their growth.
"""
from __future__ import annotations

import argparse
import glob
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import sys
import tempfile
from typing import List, Tuple

from bench.proc import ROOT, run_measured

EVAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "eval", "extraction"))


def source_pages() -> Tuple[List[str], str]:
    pats = [os.path.join(EVAL, "scrapinghub-article-extraction-benchmark", "html", "*.html.gz"),
            os.path.join(EVAL, "fundus-parser-testdata", "test_data", "*", "*.html.gz")]
    files = sorted(f for p in pats for f in glob.glob(p))
    if files:
        return files, f"real pages from {EVAL}"
    print(f"NOTE: {EVAL} not found; using the bundled examples instead (figures not comparable)")
    files = sorted(glob.glob(os.path.join(ROOT, "examples", "corpus", "html", "*.htm*")))
    return files, "bundled examples"


def _read(path: str) -> bytes:
    with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as fh:
        return fh.read()


def build_corpus(n: int, out_dir: str) -> str:
    """N pages: the sources cycled, each copy varied (a numbered sentence in the first paragraph and a shuffled
    word order in one paragraph) so most copies are near- but not exact duplicates, as in real crawls."""
    files, what = source_pages()
    rng = random.Random(42)
    os.makedirs(out_dir, exist_ok=True)
    raws = [_read(f) for f in files]
    for i in range(n):
        raw = raws[i % len(raws)]
        copy = i // len(raws)
        if copy:
            note = (f"<p>Update {copy}: correspondents in bureau {rng.randint(1, 999)} filed report "
                    f"{hashlib.sha1(str(i).encode()).hexdigest()[:8]} with further details.</p>").encode()
            raw = re.sub(rb"(<p[ >])", note + rb"\1", raw, count=1)
        with gzip.open(os.path.join(out_dir, f"page-{i:06d}.html.gz"), "wb", compresslevel=1) as fh:
            fh.write(raw)
    return what


LOOP = r"""
import json, sys, time, glob
from pipeline.config import load_config
from pipeline.readers import read_file
from pipeline.graph import PER_RECORD_BEFORE_DEDUP
from transforms.base import run_stage
from transforms.events import EventFeatures
cfg = load_config()
stages = [(name, f(cfg)) for f, name in PER_RECORD_BEFORE_DEDUP] + [("events", EventFeatures(cfg))]
times = {"read": 0.0}; times.update({n: 0.0 for n, _ in stages})
docs = 0
t0 = time.perf_counter()
for path in sorted(glob.glob(sys.argv[1] + "/*")):
    s = time.perf_counter()
    recs = [r for r in read_file(path, cfg) if "_raw" in r]
    times["read"] += time.perf_counter() - s
    for rec in recs:
        for name, st in stages:
            s = time.perf_counter()
            rec, rej = run_stage(st, name, rec)
            times[name] += time.perf_counter() - s
            if rec is None:
                break
        else:
            docs += 1
print(json.dumps({"seconds": time.perf_counter() - t0, "docs": docs, "stage_seconds": times}))
"""


def read_docs(out_dir: str) -> List[str]:
    lines = []
    for p in sorted(glob.glob(os.path.join(out_dir, "docs-*.jsonl*"))):
        with (gzip.open(p, "rt", encoding="utf-8") if p.endswith(".gz") else open(p, encoding="utf-8")) as fh:
            lines += fh.read().splitlines()
    return sorted(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=4000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", help="keep the corpus and outputs in this folder")
    ap.add_argument("--dedup-scale", dest="dedup_scale", action="store_true", default=True,
                    help="after the main table, run the dedup scale bench (default)")
    ap.add_argument("--no-dedup-scale", dest="dedup_scale", action="store_false",
                    help="skip the dedup scale bench")
    ap.add_argument("--dedup-sizes", default="50000,100000,200000",
                    help="record counts of the dedup scale bench (comma-separated)")
    args = ap.parse_args(argv)
    work = args.keep or tempfile.mkdtemp(prefix="newsbeam-bench-")
    corpus = os.path.join(work, "corpus")
    py = sys.executable
    exe = os.path.join(os.path.dirname(py), "newsbeam")
    try:
        shutil.rmtree(corpus, ignore_errors=True)
        what = build_corpus(args.records, corpus)
        print(f"corpus: {args.records} pages ({what}); machine: {os.cpu_count()} cores, "
              f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; python {sys.version.split()[0]}")
        a_s, a_rss, a_out = run_measured([py, "-c", LOOP, corpus])
        loop = json.loads(a_out.strip().splitlines()[-1])
        docs = loop["docs"]
        b_s, b_rss, _ = run_measured([exe, "run", "--input", corpus, "--output", os.path.join(work, "out-b"),
                                      "--quiet"])
        c_s, c_rss, _ = run_measured([exe, "run", "--input", corpus, "--output", os.path.join(work, "out-c"),
                                      "--quiet", f"--direct_num_workers={args.workers}"])
        d_s, d_rss, _ = run_measured([exe, "run", "--input", corpus, "--output", os.path.join(work, "out-d"),
                                      "--quiet", f"--direct_num_workers={args.workers}",
                                      "--direct_running_mode=multi_processing"])
        b_docs = read_docs(os.path.join(work, "out-b"))
        same_c = b_docs == read_docs(os.path.join(work, "out-c"))
        same_d = b_docs == read_docs(os.path.join(work, "out-d"))
        rows = [("(a) plain loop, 1 core", a_s, a_rss), ("(b) pipeline, 1 worker", b_s, b_rss),
                (f"(c) pipeline, {args.workers} workers (pool)", c_s, c_rss),
                (f"(d) pipeline, {args.workers} Beam multi_processing", d_s, d_rss)]
        print(f"\n{'run':<38}{'seconds':>9}{'docs/s':>9}{'peak RSS MB':>13}")
        for name, s, rss in rows:
            print(f"{name:<38}{s:>9.1f}{docs / s:>9.1f}{rss:>13}")
        print(f"\nb/a = {a_s / b_s:.2f}   (throughput of the pipeline relative to the plain loop; target >= 0.85)")
        print(f"c/b = {b_s / c_s:.2f}   (speed-up with --direct_num_workers={args.workers}: newsbeam's pool; target >= 1.7)")
        print(f"d/b = {b_s / d_s:.2f}   (speed-up with Beam's multi_processing mode, {args.workers} workers; for comparison)")
        print(f"records identical to (b): (c) {'yes' if same_c else 'NO'}, (d) {'yes' if same_d else 'NO'}")
        print("\nms per record per stage (plain loop):")
        for name, secs in loop["stage_seconds"].items():
            print(f"  {name:<12}{secs * 1000 / max(1, args.records):>8.2f}")
        print(f"  {'total':<12}{loop['seconds'] * 1000 / max(1, args.records):>8.2f}  (all stages incl. read)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if args.dedup_scale:
        from bench import dedup_scale
        dedup_scale.run([int(x) for x in args.dedup_sizes.split(",") if x.strip()])
    return 0


if __name__ == "__main__":
    sys.exit(main())
