"""The same graph on Beam's DaskRunner (a distributed LocalCluster of 2 worker processes) gives the same
output files as the local runner."""
from __future__ import annotations

import filecmp
import json
import os
import shutil

import pytest

from tests.conftest import CORPUS

distributed = pytest.importorskip("distributed", reason="dask extra not installed (pip install -e '.[dask]')")


def _corpus(tmp_path):
    """A small corpus: the plain-text and Markdown examples, broken files (rejects), and a near-duplicate
    copy (so dedup and events have a cross-record result to agree on)."""
    src = tmp_path / "in"
    shutil.copytree(os.path.join(CORPUS, "text"), src / "text")
    shutil.copytree(os.path.join(CORPUS, "markdown"), src / "markdown")
    first = sorted(p for p in os.listdir(src / "text") if p.endswith(".txt"))[0]
    shutil.copyfile(src / "text" / first, src / "text" / ("copy-" + first))
    broken = os.path.join(CORPUS, "broken")
    for name in ("empty.txt", "blank.md", "binary.html"):
        shutil.copyfile(os.path.join(broken, name), src / name)
    return src


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_dask_runner_matches_local_runner(tmp_path):
    from distributed import Client, LocalCluster

    from pipeline.cli import main

    src = _corpus(tmp_path)
    local, dask_out = tmp_path / "local", tmp_path / "dask"
    # The corpus-level repeated-lines pass is off: on DaskRunner 2.77 its counts come out too high (a side
    # input built from a GroupByKey sees its values several times; see the README, "Runners").
    cfg = tmp_path / "no-repeated.yaml"
    cfg.write_text("boilerplate:\n  repeated:\n    enabled: false\n")
    assert main(["run", "--input", str(src), "--output", str(local), "--quiet", "--config", str(cfg)]) == 0
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster):
        rc = main(["run", "--input", str(src), "--output", str(dask_out), "--quiet", "--config", str(cfg),
                   "--runner", "DaskRunner",
                   f"--dask_client_address={cluster.scheduler_address}"])
    assert rc == 0
    names = sorted(n for n in os.listdir(local) if n != "manifest.json")
    assert names == sorted(n for n in os.listdir(dask_out) if n != "manifest.json")
    for name in names:
        assert filecmp.cmp(local / name, dask_out / name, shallow=False), name
    ml, md = (json.loads((d / "manifest.json").read_text()) for d in (local, dask_out))
    assert md["runner"].endswith("DaskRunner") and md["accounting_ok"]
    assert md["counts"] == ml["counts"] and ml["counts"]["rejects"] > 0 and ml["dedup"]["duplicates"] >= 1
