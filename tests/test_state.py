"""Incremental runs (--state): skipping processed inputs, matching against history, atomic commits."""
import glob
import json
import os
import shutil

import pytest

from conftest import CORPUS
from pipeline import state as st
from pipeline.cli import main


def _docs(out):
    rows = []
    for path in sorted(glob.glob(os.path.join(str(out), "docs-*.jsonl"))):
        rows += [json.loads(line) for line in open(path, encoding="utf-8")]
    return rows


def _rejects(out):
    rows = []
    for path in sorted(glob.glob(os.path.join(str(out), "rejects-*.jsonl"))):
        rows += [json.loads(line) for line in open(path, encoding="utf-8")]
    return rows


def _partition(docs, field):
    groups = {}
    for d in docs:
        groups.setdefault(field(d), set()).add(os.path.basename(d["source"]))
    return {frozenset(g) for g in groups.values()}


def test_select_files_skips_unchanged_and_touched(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("alpha")
    b.write_text("beta")
    todo, skipped, prints = st.select_files([str(a), str(b)], st.empty_state())
    assert todo == [str(a), str(b)] and skipped == []
    state = st.empty_state()
    state["files"] = {k: dict(v, run="r1") for k, v in prints.items()}
    os.utime(a, ns=(1, 1))                       # touched, same bytes: skipped by content hash
    b.write_text("beta, changed")                # changed: processed again
    todo, skipped, _ = st.select_files([str(a), str(b)], state)
    assert todo == [str(b)] and skipped == [str(a)]


def test_commit_is_atomic_and_cleans_uncommitted_runs(tmp_path):
    d = st.check_writable(str(tmp_path / "state"))
    os.makedirs(os.path.join(d, "runs", "crashed-run"))
    run = {"run": "r1", "dir": os.path.join(d, "runs", "r1"), "docs": 2, "segments": {}}
    os.makedirs(run["dir"])
    size = st.commit(d, st.empty_state(), run, {"/x/a.txt": {"size": 1, "mtime_ns": 2, "sha1": "s"}})
    assert size > 0
    assert sorted(os.listdir(d)) == ["runs", "state.json"]
    assert os.listdir(os.path.join(d, "runs")) == ["r1"]
    state = st.load(d)
    assert state["runs"][0]["run"] == "r1" and state["files"]["/x/a.txt"]["run"] == "r1"


def test_unreadable_or_foreign_state_is_a_usage_error(tmp_path, capsys):
    d = tmp_path / "state"
    d.mkdir()
    (d / "state.json").write_text("{not json")
    with pytest.raises(st.StateError):
        st.load(str(d))
    assert main(["run", "--input", os.path.join(CORPUS, "markdown"), "--output", str(tmp_path / "o"),
                 "--state", str(d), "--quiet"]) == 2
    assert "state file is unreadable" in capsys.readouterr().err
    (d / "state.json").write_text('{"version": 99}')
    with pytest.raises(st.StateError, match="version"):
        st.load(str(d))


def _run(inputs, out, state):
    argv = ["run", "--output", str(out), "--state", str(state), "--quiet"]
    for i in inputs:
        argv += ["--input", i]
    return main(argv)


@pytest.mark.slow
def test_three_incremental_runs_equal_one_batch_run(tmp_path):
    corpus = tmp_path / "corpus"
    state = tmp_path / "state"
    steps = [["html"], ["text", "markdown"], ["jsonl", "warc", "broken"]]
    outs = []
    for i, subdirs in enumerate(steps):
        for sub in subdirs:
            shutil.copytree(os.path.join(CORPUS, sub), corpus / sub)
        out = tmp_path / f"run{i}"
        assert _run([str(corpus)], out, state) == 0
        outs.append(out)
        m = json.load(open(out / "manifest.json"))
        assert m["accounting_ok"]
        assert m["state"]["skipped_unchanged_files"] == sum(
            len(os.listdir(os.path.join(CORPUS, s))) for prev in steps[:i] for s in prev)
    # a fourth run with nothing new reads nothing and writes nothing
    assert _run([str(corpus)], tmp_path / "run3", state) == 0
    assert json.load(open(tmp_path / "run3" / "manifest.json"))["counts"]["read"] == 0

    assert main(["run", "--input", str(corpus), "--output", str(tmp_path / "batch"), "--quiet"]) == 0
    batch = _docs(tmp_path / "batch")
    union = [d for out in outs for d in _docs(out)]
    assert sorted(d["source"] for d in union) == sorted(d["source"] for d in batch)
    assert sorted(r["source"] for out in outs for r in _rejects(out)) == \
        sorted(r["source"] for r in _rejects(tmp_path / "batch"))
    # the same event groupings and near-duplicate clusters, whichever run a record came in; a record that
    # shows two earlier events to be one cannot re-label records already written: the runs record the merge
    aliases, dup_aliases = {}, {}
    for out in outs:
        m = json.load(open(out / "manifest.json"))
        aliases.update(m["events"]["merged"])
        dup_aliases.update(m["dedup"]["merged"])
    assert _partition(union, lambda d: st.resolve_alias(d["event"]["id"], aliases)) == \
        _partition(batch, lambda d: d["event"]["id"])
    assert _partition(union, lambda d: st.resolve_alias(d["dedup"]["cluster"], dup_aliases)) == \
        _partition(batch, lambda d: d["dedup"]["cluster"])
    assert sum(d["dedup"]["duplicate_of"] is not None for d in union) == \
        sum(d["dedup"]["duplicate_of"] is not None for d in batch)
    # a record of a later run points at the earlier run's ids
    first_ids = {d["event"]["id"] for d in _docs(outs[0])}
    later = [d for out in outs[1:] for d in _docs(out)]
    assert any(d["event"]["id"] in first_ids for d in later)


@pytest.mark.slow
def test_failed_run_leaves_state_unchanged(tmp_path, monkeypatch):
    state = tmp_path / "state"
    assert _run([os.path.join(CORPUS, "markdown")], tmp_path / "o1", state) == 0
    before = open(state / "state.json").read()

    import pipeline.graph as graph

    def boom(*a, **k):
        raise RuntimeError("simulated crash while writing state")

    monkeypatch.setattr(graph, "_events_entry", boom)
    assert _run([os.path.join(CORPUS, "text")], tmp_path / "o2", state) == 1
    assert open(state / "state.json").read() == before
    monkeypatch.undo()
    # the next run processes the files the failed run did not commit, and removes its leftovers
    assert _run([os.path.join(CORPUS, "text")], tmp_path / "o3", state) == 0
    assert json.load(open(tmp_path / "o3" / "manifest.json"))["counts"]["read"] == 6
    assert len(os.listdir(state / "runs")) == 2
