"""End to end: the CLI on the bundled sample corpus, checked against the contract and examples/EXPECTED.yaml."""
import glob
import gzip
import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from conftest import CORPUS, EXAMPLES, ROOT
from pipeline.cli import main

pytestmark = pytest.mark.slow

RECORD_FIELDS = {"id", "source", "url", "title", "authors", "published", "site", "text", "lang", "lang_score",
                 "boilerplate", "dedup", "event"}
REJECT_FIELDS = ["source", "id", "stage", "reason", "message"]
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def run_cli(out, *extra, inputs=(CORPUS,)):
    argv = ["run", "--output", str(out), "--quiet"]
    for i in inputs:
        argv += ["--input", i]
    return main(argv + list(extra))


def read_shards(out, kind):
    rows = []
    for path in sorted(glob.glob(os.path.join(str(out), f"{kind}-*-of-*.jsonl*"))):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh]
    return rows


def rel(source):
    """Source relative to the corpus dir, '#N' kept."""
    return os.path.relpath(source.split("#")[0], CORPUS) + ("#" + source.split("#")[1] if "#" in source else "")


@pytest.fixture(scope="module")
def expected():
    with open(os.path.join(EXAMPLES, "EXPECTED.yaml"), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("batch")
    assert run_cli(out, "--shards", "3") == 0
    docs = read_shards(out, "docs")
    rejects = read_shards(out, "rejects")
    manifest = json.load(open(os.path.join(str(out), "manifest.json")))
    return out, docs, rejects, manifest


def test_output_files_and_manifest_accounting(batch):
    out, docs, rejects, manifest = batch
    names = sorted(os.listdir(str(out)))
    assert names == sorted([f"docs-0000{i}-of-00003.jsonl" for i in range(3)]
                           + [f"rejects-0000{i}-of-00003.jsonl" for i in range(3)] + ["manifest.json"])
    c = manifest["counts"]
    assert c["docs"] == len(docs) and c["rejects"] == len(rejects)
    assert c["read"] == len(docs) + len(rejects)
    assert manifest["accounting_ok"] is True
    assert sum(sum(r.values()) for r in manifest["rejects_by_stage"].values()) == len(rejects)
    assert manifest["runner"] == "FnApiRunner"
    assert manifest["version"] and manifest["start"] <= manifest["end"]
    assert sum(manifest["langs"].values()) == len(docs)


def test_every_input_is_accounted_for_exactly_once(batch, expected):
    _, docs, rejects, _ = batch
    sources = [d["source"] for d in docs] + [r["source"] for r in rejects]
    assert len(sources) == len(set(sources)), "a record was written twice"
    got = {rel(s) for s in sources}
    want = set(expected["documents"]) | set(expected["rejects"])
    assert want <= got, f"missing: {sorted(want - got)}"


def test_records_follow_the_contract(batch):
    _, docs, _, _ = batch
    assert len(docs) >= 30
    ids = [d["id"] for d in docs]
    assert len(ids) == len(set(ids))
    for d in docs:
        assert set(d) >= RECORD_FIELDS, d["source"]
        assert not any(k.startswith("_") for k in d)
        assert isinstance(d["id"], str) and d["id"]
        assert d["url"] is None or isinstance(d["url"], str)
        assert d["title"] is None or isinstance(d["title"], str)
        assert isinstance(d["authors"], list) and all(isinstance(a, str) for a in d["authors"])
        assert d["published"] is None or DATE_RE.match(d["published"])
        assert d["text"].strip() and "\n\n\n" not in d["text"]
        assert isinstance(d["lang"], str) and (d["lang"] == "und" or re.fullmatch(r"[a-z]{2}", d["lang"]))
        assert 0.0 <= d["lang_score"] <= 1.0
        b = d["boilerplate"]
        assert b["removed"] == sum(b["reasons"].values())
        dd = d["dedup"]
        assert re.fullmatch(r"[0-9a-f]+", dd["exact"]) and re.fullmatch(r"[0-9a-f]{16}", dd["simhash"])
        assert isinstance(dd["minhash_bands"], list) and dd["minhash_bands"]
        if dd["duplicate_of"] is None:
            assert dd["cluster"] == d["id"] and dd["similarity"] is None
        else:
            assert dd["cluster"] == dd["duplicate_of"] and 0.0 < dd["similarity"] <= 1.0
        e = d["event"]
        assert isinstance(e["id"], str) and e["id"]
        for k in ("types", "actors", "places", "keywords"):
            assert isinstance(e[k], list)
        assert e["date"] is None or DATE_RE.match(e["date"])


def test_rejects_have_contract_shape_and_expected_reasons(batch, expected):
    _, _, rejects, _ = batch
    for r in rejects:
        assert list(r) == REJECT_FIELDS
        assert r["reason"] and r["message"] and r["stage"]
    by_source = {rel(r["source"]): r for r in rejects}
    for src, want in expected["rejects"].items():
        assert src in by_source, f"{src} not rejected"
        assert by_source[src]["reason"] == want["reason"], (src, by_source[src])
    # nothing rejected that should have been a document
    wrongly = sorted(set(by_source) & set(expected["documents"]))
    assert not wrongly, [by_source[s] for s in wrongly]


def test_documents_match_labels(batch, expected):
    _, docs, _, _ = batch
    by_source = {rel(d["source"]): d for d in docs}
    problems = []
    for src, want in expected["documents"].items():
        d = by_source.get(src)
        if d is None:
            problems.append(f"{src}: missing")
            continue
        if want.get("lang") and d["lang"] != want["lang"]:
            problems.append(f"{src}: lang {d['lang']} != {want['lang']}")
        for phrase in want.get("must_contain") or []:
            if phrase not in d["text"]:
                problems.append(f"{src}: lost {phrase!r}")
        for phrase in want.get("must_not_contain") or []:
            if phrase in d["text"]:
                problems.append(f"{src}: kept junk {phrase!r}")
        if want.get("published") and (d["published"] or "")[:10] != str(want["published"]):
            problems.append(f"{src}: published {d['published']} != {want['published']}")
    assert not problems, "\n".join(problems)


def test_junk_removed_with_reasons(batch):
    _, docs, _, manifest = batch
    reasons = {}
    for d in docs:
        for k, v in d["boilerplate"]["reasons"].items():
            reasons[k] = reasons.get(k, 0) + v
    for r in ("donation", "link_list", "browser_banner", "share"):
        assert reasons.get(r, 0) > 0, reasons


def test_duplicate_groups(batch, expected):
    _, docs, _, _ = batch
    by_source = {rel(d["source"]): d for d in docs}
    groups = {}
    for src, want in expected["documents"].items():
        if want.get("dup_group"):
            groups.setdefault(want["dup_group"], []).append(by_source[src])
    assert groups, "the corpus has syndicated copies"
    clusters_seen = set()
    for name, members in groups.items():
        clusters = {m["dedup"]["cluster"] for m in members}
        assert len(clusters) == 1, (name, [(m["source"], m["dedup"]) for m in members])
        reps = [m for m in members if m["dedup"]["duplicate_of"] is None]
        assert len(reps) == 1, name
        clusters_seen |= clusters
    # documents outside any group are alone in their cluster
    for src, want in expected["documents"].items():
        d = by_source[src]
        if not want.get("dup_group"):
            assert d["dedup"]["duplicate_of"] is None, (src, d["dedup"])
            assert d["dedup"]["cluster"] not in clusters_seen or d["dedup"]["cluster"] == d["id"]


def test_event_groups(batch, expected):
    _, docs, _, _ = batch
    by_source = {rel(d["source"]): d for d in docs}
    label_ids = {}
    for src, want in expected["documents"].items():
        label_ids.setdefault(want["event"], set()).add(by_source[src]["event"]["id"])
    split = {k: v for k, v in label_ids.items() if len(v) > 1}
    assert not split, f"one event split into several ids: {split}"
    owner = {}
    for label, ids in label_ids.items():
        (eid,) = ids
        assert eid not in owner, f"events {owner.get(eid)} and {label} share id {eid}"
        owner[eid] = label


def test_same_records_whatever_shards_workers_and_compression(batch, tmp_path):
    out1, docs1, rejects1, _ = batch
    assert run_cli(tmp_path, "--shards", "1", "--compression", "gzip", "--direct_num_workers=2") == 0
    docs2, rejects2 = read_shards(tmp_path, "docs"), read_shards(tmp_path, "rejects")
    key = lambda r: r["source"]
    assert sorted(docs1, key=key) == sorted(docs2, key=key)
    assert sorted(rejects1, key=key) == sorted(rejects2, key=key)
    assert all(n.endswith(".gz") for n in os.listdir(tmp_path) if n.startswith(("docs-", "rejects-")))
    # on the local runner the workers are newsbeam's process pool, not Beam's multi_processing mode
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["config"]["parallel"]["processes"] == 2 and manifest["direct_running_mode"] == "in_memory"
    # Beam's own mode, asked for explicitly, gives the same records too
    beam_out = tmp_path / "beam"
    assert run_cli(beam_out, "--direct_num_workers=2", "--direct_running_mode=multi_processing") == 0
    assert json.loads((beam_out / "manifest.json").read_text())["direct_running_mode"] == "multi_processing"
    assert sorted(read_shards(beam_out, "docs"), key=key) == sorted(docs1, key=key)


def test_drop_duplicates_turns_copies_into_rejects(batch, tmp_path):
    _, docs, _, _ = batch
    dups = {d["source"] for d in docs if d["dedup"]["duplicate_of"] is not None}
    assert dups
    assert run_cli(tmp_path, "--drop-duplicates") == 0
    docs2, rejects2 = read_shards(tmp_path, "docs"), read_shards(tmp_path, "rejects")
    assert {d["source"] for d in docs2} == {d["source"] for d in docs} - dups
    dropped = [r for r in rejects2 if r["reason"] == "duplicate"]
    assert {r["source"] for r in dropped} == dups
    assert all(r["stage"] == "dedup" for r in dropped)
    m = json.load(open(tmp_path / "manifest.json"))
    assert m["accounting_ok"] and m["counts"]["duplicates_dropped"] == len(dups)


def test_rerun_into_same_dir_removes_stale_shards(tmp_path):
    single = os.path.join(CORPUS, "html")
    assert run_cli(tmp_path, "--shards", "4", inputs=[single]) == 0
    assert run_cli(tmp_path, "--shards", "2", inputs=[single]) == 0
    names = sorted(n for n in os.listdir(tmp_path))
    assert names == sorted([f"{k}-0000{i}-of-00002.jsonl" for k in ("docs", "rejects") for i in range(2)]
                           + ["manifest.json"])


@pytest.mark.parametrize("extra, message", [
    (["--config", "__BADCFG__"], "unknown config key 'output.shardz'"),
    (["--direct_running_mode=multi_threading"], "multi_threading is refused"),
    (["--bogus_beam_flag=1"], "unrecognized option"),
    (["--shards", "0"], "output.shards"),
])
def test_usage_errors_exit_2_and_write_nothing(tmp_path, capsys, extra, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text("output:\n  shardz: 2\n")
    extra = [str(bad) if x == "__BADCFG__" else x for x in extra]
    out = tmp_path / "out"
    assert run_cli(out, *extra) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_missing_input_and_unwritable_output_exit_2(tmp_path, capsys):
    assert run_cli(tmp_path / "o", inputs=[str(tmp_path / "nothing-here-*.html")]) == 2
    assert "nothing-here" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert run_cli(blocker / "sub", inputs=[CORPUS]) == 2
    assert "output" in capsys.readouterr().err


def test_console_script_and_module_entry_points(tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "newsbeam")
    res = subprocess.run([exe, "run", "--input", os.path.join(CORPUS, "markdown"), "--output", str(tmp_path)],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert "records read" in res.stdout and "languages:" in res.stdout
    res = subprocess.run([sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0 and res.stdout.startswith("newsbeam ")
    res = subprocess.run([sys.executable, "-m", "pipeline", "run", "--output", str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 2 and "--input" in res.stderr
