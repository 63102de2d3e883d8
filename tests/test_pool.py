"""parallel.processes > 1: the per-record stages in a pool of worker processes give the same files as one."""
from __future__ import annotations

import filecmp
import json
import os
import shutil

import pytest

from pipeline.cli import main
from tests.conftest import CORPUS


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_extract_pool_gives_the_same_output(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(os.path.join(CORPUS, "html"), src / "html")
    shutil.copytree(os.path.join(CORPUS, "broken"), src / "broken")  # rejects at read and at extract/boilerplate
    # a page slower than the time limit: rejected with reason `timeout` inside the pool worker, run goes on
    (src / "html" / "pathological.html").write_text(
        "<html><body><article>" + "".join(f"<p>Paragraph {i} says the council met again on the ferry timetable.</p>"
                                          for i in range(40000)) + "</article></body></html>")
    outs = {}
    for n in (1, 2):
        cfg = tmp_path / f"p{n}.yaml"
        cfg.write_text(f"parallel:\n  processes: {n}\n  batch_per_process: 3\nextract:\n  timeout_seconds: 1.0\n")
        outs[n] = tmp_path / f"out{n}"
        assert main(["run", "--input", str(src), "--output", str(outs[n]), "--quiet", "--config", str(cfg)]) == 0
    names = sorted(x for x in os.listdir(outs[1]) if x != "manifest.json")
    assert names == sorted(x for x in os.listdir(outs[2]) if x != "manifest.json")
    for name in names:
        assert filecmp.cmp(outs[1] / name, outs[2] / name, shallow=False), name
    rejects = [json.loads(line) for line in (outs[2] / "rejects-00000-of-00001.jsonl").read_text().splitlines()]
    assert {"source": str(src / "html" / "pathological.html"), "reason": "timeout"}.items() <= \
        next(r for r in rejects if r["source"].endswith("pathological.html")).items()
    m1, m = (json.loads((outs[n] / "manifest.json").read_text()) for n in (1, 2))
    assert m["accounting_ok"] and m["counts"]["docs"] > 5
    assert m["stages"] == m1["stages"] and m["rejects_by_stage"] == m1["rejects_by_stage"]
    assert set(m["stages"]) >= {"extract", "boilerplate", "repeated", "langid", "dedup", "events"}
