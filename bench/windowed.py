"""python -m bench.windowed [--records 300] [--windows 6] [--late-every 20]: the native streaming graph
(pipeline/windowed.py) on the local runner over TestStream.

Builds ``--records`` records from the bundled plain-text and Markdown examples (each copy with its own id and
a closing line, so copies of one example are near-duplicates of each other), published one after the other
over ``--windows`` windows of ``streaming.window_seconds``; they arrive in order in batches of 25 with the
watermark following them, and every ``--late-every``-th record carries a published date two windows back
(later than the allowed lateness when it is below one window). Reports records/s end to end, panes by
timing, docs written, late rejects and that every record is accounted for (docs + rejects = records).
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import tempfile
import time

from bench.proc import ROOT


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.windowed")
    ap.add_argument("--records", type=int, default=300)
    ap.add_argument("--windows", type=int, default=6)
    ap.add_argument("--late-every", type=int, default=20)
    ap.add_argument("--window-seconds", type=int, default=3600)
    ap.add_argument("--lateness-seconds", type=int, default=600)
    args = ap.parse_args(argv)

    from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
    from apache_beam.testing.test_pipeline import TestPipeline
    from apache_beam.testing.test_stream import TestStream
    from apache_beam.transforms.window import TimestampedValue
    import apache_beam as beam

    from pipeline.config import load_config
    from pipeline.readers import _json_record
    from pipeline.windowed import WindowedGraph

    cfg = load_config(overrides={"streaming": {"window_seconds": args.window_seconds,
                                               "allowed_lateness_seconds": args.lateness_seconds}})
    corpus = os.path.join(ROOT, "examples", "corpus")
    texts = []
    for path in sorted(glob.glob(os.path.join(corpus, "text", "*.txt")) + glob.glob(os.path.join(corpus, "markdown", "*.md"))):
        with open(path, encoding="utf-8") as fh:
            texts.append(fh.read())
    t0, span = 1714521600, args.windows * args.window_seconds
    stream = TestStream().advance_watermark_to(t0)
    batch = []
    for i in range(args.records):
        at = t0 + i * span // args.records
        pub = at - 2 * args.window_seconds if args.late_every and i % args.late_every == args.late_every - 1 else at
        import datetime as dt
        when = dt.datetime.fromtimestamp(pub, dt.timezone.utc).isoformat().replace("+00:00", "Z")
        _, rec = _json_record({"id": f"r{i}", "text": texts[i % len(texts)] + f"\n\nCopy {i} of the example.",
                               "published": when}, f"bench/{i:06d}", cfg)
        batch.append(TimestampedValue(rec, at))
        if len(batch) == 25:
            stream = stream.add_elements(batch).advance_watermark_to(at)
            batch = []
    if batch:
        stream = stream.add_elements(batch)
    stream = stream.advance_watermark_to_infinity()

    out = tempfile.mkdtemp(prefix="nb-windowed-")
    counts = {}
    try:
        options = PipelineOptions([])
        options.view_as(StandardOptions).streaming = True
        p = TestPipeline(options=options)
        res = p | stream | WindowedGraph(cfg, out)
        res["panes"] | "Done" >> beam.Map(lambda x: None)
        start = time.time()
        p.run().wait_until_finish()
        secs = time.time() - start
        for path in glob.glob(os.path.join(out, "windows", "*", "docs-*.jsonl")):
            with open(path, encoding="utf-8") as fh:
                counts["docs"] = counts.get("docs", 0) + sum(1 for _ in fh)
            counts["panes"] = counts.get("panes", 0) + 1
            if not os.path.basename(path).startswith("docs-00000"):
                counts["later_panes"] = counts.get("later_panes", 0) + 1
        rejects = {}
        for path in glob.glob(os.path.join(out, "rejects", "*.jsonl")):
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    r = json.loads(line)
                    rejects[f"{r['stage']}/{r['reason']}"] = rejects.get(f"{r['stage']}/{r['reason']}", 0) + 1
    finally:
        shutil.rmtree(out, ignore_errors=True)
    total = counts.get("docs", 0) + sum(rejects.values())
    print(json.dumps({"records": args.records, "seconds": round(secs, 2), "records_per_s": round(args.records / secs, 1),
                      "windows": args.windows, "pane_files": counts.get("panes", 0),
                      "pane_files_after_the_first": counts.get("later_panes", 0), "docs": counts.get("docs", 0),
                      "rejects": rejects, "accounted": total == args.records}, indent=2))
    return 0 if total == args.records else 1


if __name__ == "__main__":
    raise SystemExit(main())
