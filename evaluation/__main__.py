"""python -m evaluation [PART ...] [--data DIR] [--limit N] [--sets a,b] [--config FILE] [--rows FILE]   (PART: extraction, langid, dedup, events)"""
from __future__ import annotations

import argparse
import json
import sys

from evaluation.data import DEFAULT_DATA, say

PARTS = ("extraction", "langid", "dedup", "events")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evaluation", description=__doc__)
    ap.add_argument("parts", nargs="*", choices=PARTS + ((),), default=[])
    ap.add_argument("--data", default=DEFAULT_DATA, help="evaluation data folder (default ../shared/eval)")
    ap.add_argument("--limit", type=int, default=0, help="at most N pages per set (0 = all)")
    ap.add_argument("--sets", default="", help="comma-separated extraction sets (default: all)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--config", help="extraction: a config file for our stages (default configs/default.yaml)")
    ap.add_argument("--rows", help="extraction: also write every page's figures to this JSONL file")
    args = ap.parse_args(argv)
    parts = args.parts or list(PARTS)
    say(f"newsbeam evaluation on {args.data}")
    results = {}
    if "extraction" in parts:
        from evaluation import extraction
        sets = [s for s in args.sets.split(",") if s] or None
        results["extraction"] = extraction.run(args.data, sets, args.limit, args.workers, args.config,
                                                args.rows)
    if "langid" in parts:
        from evaluation import langid
        results["langid"] = langid.run(args.data, args.limit, args.workers)
    if "dedup" in parts:
        from evaluation import dedup
        results["dedup"] = dedup.run(args.data, args.limit)
    if "events" in parts:
        from evaluation import events
        results["events"] = events.run(args.data)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
