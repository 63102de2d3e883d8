"""--streaming: micro-batches over new files, state across arrivals, clean stop on SIGTERM/SIGINT."""
from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from pipeline.config import load_config
from pipeline.streaming import list_inputs, settled, top_manifest
from tests.conftest import CORPUS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEXT_A = os.path.join(CORPUS, "text", "baltische-zeitung-finnland-chile-telefonat.txt")
TEXT_B = os.path.join(CORPUS, "text", "bogotahoy-jornada-vacunacion.txt")


def test_list_inputs_tolerates_patterns_with_no_match_yet(tmp_path):
    cfg = load_config()
    assert list_inputs([str(tmp_path / "inbox" / "*.txt"), str(tmp_path / "nothing")], cfg) == []
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "a.txt").write_text("x")
    (tmp_path / "inbox" / ".a.txt.part").write_text("x")  # hidden: a file being written under a temp name
    assert list_inputs([str(tmp_path / "inbox")], cfg) == [str(tmp_path / "inbox" / "a.txt")]


def test_settled_leaves_files_that_are_still_changing(tmp_path):
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text("a")
    new.write_text("b")
    now = time.time()
    os.utime(old, (now - 10, now - 10))
    os.utime(new, (now - 0.1, now - 0.1))
    assert settled([str(old), str(new), str(tmp_path / "gone.txt")], 1.0, now) == [str(old)]
    assert settled([str(old), str(new)], 0.0, now) == [str(old), str(new)]


def test_top_manifest_sums_batches():
    b = [{"counts": {"read": 3, "docs": 2, "rejects": 1}, "accounting_ok": True},
         {"counts": {"read": 1, "docs": 1, "rejects": 0}, "accounting_ok": False}]
    b[0].update(stages={"read": 3, "extract": 2}, rejects_by_stage={"read": {"empty": 1}})
    b[1].update(stages={"read": 1, "extract": 1}, rejects_by_stage={})
    m = top_manifest("/o", "/s", "t0", b, "SIGTERM", "x", {"runner": "FnApiRunner"}, ended=True)
    assert m["counts"] == {"read": 4, "docs": 3, "rejects": 1}
    assert m["stages"] == {"read": 4, "extract": 3} and m["rejects_by_stage"] == {"read": {"empty": 1}}
    assert m["runner"] == "FnApiRunner" and m["end"] is not None
    assert top_manifest("/o", "/s", "t0", b, None, "x")["end"] is None
    assert m["accounting_ok"] is False and m["stopped_by"] == "SIGTERM" and m["mode"] == "streaming"


def _drop(src: str, inbox: str, name: str) -> None:
    """Lands a file the way crawlers should: written under a hidden name, then renamed."""
    tmp = os.path.join(inbox, "." + name + ".part")
    shutil.copyfile(src, tmp)
    os.replace(tmp, os.path.join(inbox, name))


def _records(out: str):
    recs = {}
    for path in sorted(glob.glob(os.path.join(out, "*", "docs-*.jsonl"))):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)  # every file under a final name is complete JSON lines
                recs[os.path.basename(r["source"])] = r
    return recs


def _rejects(out: str):
    rows = []
    for path in sorted(glob.glob(os.path.join(out, "*", "rejects-*.jsonl"))):
        with open(path, encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh]
    return rows


def _wait(pred, timeout: float, proc):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        time.sleep(0.2)
    return False


@pytest.mark.timeout(300)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_streaming_end_to_end(tmp_path, sig):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    cfg = tmp_path / "stream.yaml"
    cfg.write_text("streaming:\n  poll_seconds: 0.2\n  settle_seconds: 0.2\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", "--input", str(inbox), "--output", str(out), "--streaming",
         "--config", str(cfg)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert _wait(lambda: (out / "manifest.json").exists(), 60, proc)
        _drop(TEXT_A, str(inbox), "a.txt")
        assert _wait(lambda: "a.txt" in _records(str(out)), 90, proc), "first file never came out"
        # later arrivals: another article, a copy of the first one, and an empty file (a reject)
        _drop(TEXT_B, str(inbox), "b.txt")
        _drop(TEXT_A, str(inbox), "copy-of-a.txt")
        (inbox / ".empty.txt.part").write_text("   \n")
        os.replace(inbox / ".empty.txt.part", inbox / "empty.txt")
        assert _wait(lambda: {"b.txt", "copy-of-a.txt"} <= set(_records(str(out)))
                     and len(_rejects(str(out))) == 1, 90, proc), "later files never came out"
        # an unchanged file is not processed twice
        os.utime(inbox / "a.txt")
        time.sleep(1.0)
        proc.send_signal(sig)
        output, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, output
    assert "streaming stopped" in output
    recs = _records(str(out))
    assert set(recs) == {"a.txt", "b.txt", "copy-of-a.txt"}
    a, copy = recs["a.txt"], recs["copy-of-a.txt"]
    assert copy["dedup"]["duplicate_of"] == a["id"] and a["dedup"]["duplicate_of"] is None
    assert copy["event"]["id"] == a["event"]["id"] != recs["b.txt"]["event"]["id"]
    assert [r["reason"] for r in _rejects(str(out))] == ["empty"]
    m = json.loads((out / "manifest.json").read_text())
    assert m["stopped_by"] == signal.Signals(sig).name and m["accounting_ok"]
    assert m["counts"] == {"read": 4, "docs": 3, "rejects": 1}
    assert m["rejects_by_stage"] == {"read": {"empty": 1}} and m["stages"]["read"] == 4
    assert m["config"]["streaming"]["poll_seconds"] == 0.2 and m["runner"] and m["end"]
    assert sum(b["files"] for b in m["batches"]) == 4
    for b in m["batches"]:  # every batch folder is a complete batch output
        bm = json.loads((out / b["dir"] / "manifest.json").read_text())
        assert bm["counts"]["read"] == b["counts"]["read"] and bm["accounting_ok"]
    assert not glob.glob(str(out / "**" / "*.tmp*"), recursive=True)


def test_streaming_bad_state_dir_is_a_usage_error(tmp_path):
    blocker = tmp_path / "state"
    blocker.write_text("not a directory")
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--input", str(tmp_path), "--output", str(tmp_path / "out"),
         "--streaming", "--state", str(blocker)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "state" in proc.stderr
