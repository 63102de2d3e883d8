"""python -m bench.streaming [--files 5] [--config FILE]: latency of --streaming on the local runner.

Starts ``newsbeam run --streaming`` on an empty inbox (default settings unless --config), then lands the bundled
plain-text and Markdown examples one at a time (written under a hidden name, then renamed, as a crawler
should), and measures for each the seconds from the rename until its record is in a docs file of the output.
Then stops the run with SIGTERM and reports the state size per record.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from bench.proc import ROOT


def _sources(out: str):
    found = set()
    for path in glob.glob(os.path.join(out, "*", "docs-*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            found.update(os.path.basename(json.loads(line)["source"]) for line in fh)
    return found


def _dir_bytes(path: str) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.streaming", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=5)
    ap.add_argument("--config")
    args = ap.parse_args(argv)
    examples = sorted(glob.glob(os.path.join(ROOT, "examples", "corpus", "text", "*.txt"))
                      + glob.glob(os.path.join(ROOT, "examples", "corpus", "markdown", "*.md")))[:args.files]
    work = tempfile.mkdtemp(prefix="newsbeam-stream-")
    inbox, out = os.path.join(work, "inbox"), os.path.join(work, "out")
    os.makedirs(inbox)
    cmd = [os.path.join(os.path.dirname(sys.executable), "newsbeam"), "run", "--input", inbox, "--output", out,
           "--streaming", "--quiet"] + (["--config", args.config] if args.config else [])
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lat = []
    try:
        while not os.path.exists(os.path.join(out, "manifest.json")):
            time.sleep(0.1)
        time.sleep(1.0)
        for src in examples:
            name = os.path.basename(src)
            tmp = os.path.join(inbox, "." + name + ".part")
            shutil.copyfile(src, tmp)
            os.replace(tmp, os.path.join(inbox, name))
            t0 = time.monotonic()
            while name not in _sources(out):
                if proc.poll() is not None or time.monotonic() - t0 > 120:
                    raise SystemExit(f"no record for {name}: {proc.stdout.read() if proc.stdout else ''}")
                time.sleep(0.05)
            lat.append(time.monotonic() - t0)
            print(f"  {name:<60} {lat[-1]:6.2f} s", flush=True)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=120)
        m = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
        state = _dir_bytes(os.path.join(out, "_state"))
        print(f"\nlatency from landing to record: median {statistics.median(lat):.2f} s, max {max(lat):.2f} s "
              f"over {len(lat)} files (poll and settle settings: {args.config or 'defaults'})")
        print(f"stopped with SIGTERM: exit {proc.returncode}, {len(m['batches'])} batches, accounting "
              f"{'ok' if m['accounting_ok'] else 'MISMATCH'}; state {state} bytes for {m['counts']['docs']} records "
              f"({state / max(1, m['counts']['docs']):.0f} bytes per record)")
    finally:
        if proc.poll() is None:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
