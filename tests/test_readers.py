"""Tests of the read stage (pipeline/readers.py). Fixtures are written to tmp_path at run time.

The tests marked ``eval`` read the real archives under ../shared/eval/raw and skip when it is absent.
"""
from __future__ import annotations

import gzip
import io
import json
import os

import pytest

from pipeline.config import load_config
from pipeline.readers import (DOC, REJECT, InputError, ReadInputs, decode_bytes, expand_patterns, is_reject,
                              read_file, read_file_tagged, stable_id)
from transforms.base import Reject

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVAL_RAW = os.path.join(REPO_ROOT, "..", "shared", "eval", "raw")
REJECT_KEYS = {"source", "id", "stage", "reason", "message"}
DOC_KEYS = {"id", "source", "url", "title", "published", "authors", "site", "_format", "_raw"}

PAGE = "<!DOCTYPE html><html><head><title>T</title></head><body><p>Hello news world.</p></body></html>"


@pytest.fixture(scope="module")
def cfg():
    return load_config()


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return str(path)


def read_all(path, cfg):
    return list(read_file(path, cfg))


def only(path, cfg):
    recs = read_all(path, cfg)
    assert len(recs) == 1, recs
    return recs[0]


def assert_reject(rec, reason, source=None):
    assert set(rec) == REJECT_KEYS, rec
    assert rec["stage"] == "read"
    assert rec["reason"] == reason, rec
    assert rec["message"]
    if source is not None:
        assert rec["source"] == source


# ------------------------------------------------------------------------------------------- patterns

class TestExpandPatterns:
    def test_file_dir_glob_sorted_unique(self, tmp_path, cfg, monkeypatch):
        write(tmp_path / "c" / "b.html", PAGE)
        write(tmp_path / "c" / "sub" / "a.txt", "text")
        write(tmp_path / "c" / ".hidden.html", PAGE)
        write(tmp_path / "c" / "_draft.txt", "x")
        write(tmp_path / "c" / ".git" / "x.txt", "x")
        write(tmp_path / "d" / "z.jsonl", "{}")
        monkeypatch.chdir(tmp_path)
        got = expand_patterns(["c", "./c/b.html", "d/*.jsonl", "c//sub/../b.html"], cfg)
        assert got == sorted(["c/b.html", "c/sub/a.txt", "d/z.jsonl"])

    def test_recursive_glob_and_explicit_skipped_name(self, tmp_path, cfg):
        a = write(tmp_path / "x" / "y" / "a.md", "m")
        write(tmp_path / "x" / "b.txt", "t")
        hidden = write(tmp_path / "x" / "_named.txt", "t")
        assert expand_patterns([str(tmp_path / "**" / "*.md")], cfg) == [a]
        assert expand_patterns([hidden], cfg) == [hidden]  # named explicitly: not skipped

    def test_pattern_matching_nothing_is_an_error(self, tmp_path, cfg):
        write(tmp_path / "a.txt", "t")
        (tmp_path / "empty").mkdir()
        for pat in (str(tmp_path / "nope.txt"), str(tmp_path / "*.html"), str(tmp_path / "empty")):
            with pytest.raises(InputError) as err:
                expand_patterns([str(tmp_path / "a.txt"), pat], cfg)
            assert pat in str(err.value) and "\n" not in str(err.value)
        assert issubclass(InputError, ValueError)


# ---------------------------------------------------------------------------------- single documents

class TestSingleFiles:
    def test_html_text_markdown(self, tmp_path, cfg):
        for name, fmt in (("a.html", "html"), ("a.htm", "html"), ("a.txt", "text"), ("a.md", "markdown")):
            path = write(tmp_path / name, PAGE if fmt == "html" else "Title\n\nSome text.\n")
            rec = only(path, cfg)
            assert set(rec) == DOC_KEYS
            assert rec["_format"] == fmt and rec["source"] == path and rec["id"] == stable_id(path)
            assert rec["url"] is None and rec["title"] is None and rec["authors"] == [] and rec["site"] is None
            assert "ext" in rec["_raw"] or "Hello" in rec["_raw"]

    def test_sniffing_unknown_extensions(self, tmp_path, cfg):
        assert only(write(tmp_path / "page.dat", "\n  " + PAGE), cfg)["_format"] == "html"
        assert only(write(tmp_path / "notes.log", "just some words\n"), cfg)["_format"] == "text"
        recs = read_all(write(tmp_path / "feed.out", '{"text": "a"}\n{"text": "b"}\n'), cfg)
        assert [r["_raw"] for r in recs] == ["a", "b"]
        warc = make_warc([("response", "http://a/", "text/html", PAGE.encode())])
        recs = read_all(write(tmp_path / "crawl.bin", warc), cfg)
        assert [r["url"] for r in recs] == ["http://a/"]

    def test_gzip_by_name_and_by_magic(self, tmp_path, cfg):
        gz = gzip.compress(PAGE.encode())
        for name in ("a.html.gz", "b.html", "c.unknown", "d.gz"):
            rec = only(write(tmp_path / name, gz), cfg)
            assert rec["_format"] == "html" and "Hello news world" in rec["_raw"], name
        rec = only(write(tmp_path / "e.txt.gz", gzip.compress(b"plain words")), cfg)
        assert rec["_format"] == "text" and rec["_raw"] == "plain words"

    def test_truncated_and_corrupt_gzip(self, tmp_path, cfg):
        gz = gzip.compress(PAGE.encode() * 50)
        rec = only(write(tmp_path / "t.html.gz", gz[: len(gz) // 2]), cfg)
        assert_reject(rec, "unreadable")
        assert "gzip" in rec["message"]
        rec = only(write(tmp_path / "c.html.gz", gz[:10] + b"\xff" * 40 + gz[50:]), cfg)
        assert_reject(rec, "unreadable")

    def test_binary(self, tmp_path, cfg):
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20
        assert_reject(only(write(tmp_path / "img.html", png), cfg), "binary")
        assert_reject(only(write(tmp_path / "img.bin", png), cfg), "binary")
        noise = bytes((i * 7919) % 256 for i in range(5000)).replace(b"\x00", b"\x01")
        assert_reject(only(write(tmp_path / "noise.txt", noise), cfg), "binary")

    def test_empty_and_whitespace(self, tmp_path, cfg):
        path = write(tmp_path / "e.html", b"")
        assert_reject(only(path, cfg), "empty", path)
        assert_reject(only(write(tmp_path / "w.txt", " \n\t\r\n "), cfg), "empty")
        assert_reject(only(write(tmp_path / "w.txt.gz", gzip.compress(b"   \n")), cfg), "empty")

    def test_too_large_plain_and_gzip(self, tmp_path):
        small = load_config(overrides={"input": {"max_document_bytes": 100}})
        assert only(write(tmp_path / "ok.txt", "a" * 100), small)["_raw"] == "a" * 100
        assert_reject(only(write(tmp_path / "big.txt", "a" * 101), small), "too_large")
        assert_reject(only(write(tmp_path / "big.txt.gz", gzip.compress(b"a" * 10**6)), small), "too_large")

    def test_io_errors(self, tmp_path, cfg):
        missing = str(tmp_path / "gone.html")
        assert_reject(only(missing, cfg), "unreadable", missing)
        path = write(tmp_path / "locked.html", PAGE)
        os.chmod(path, 0)
        try:
            if os.access(path, os.R_OK):
                pytest.skip("running as root: permission bits are not enforced")
            assert_reject(only(path, cfg), "unreadable")
        finally:
            os.chmod(path, 0o644)

    def test_stable_ids(self, tmp_path, cfg):
        a = write(tmp_path / "a.txt", "one")
        b = write(tmp_path / "b.txt", "one")
        assert only(a, cfg)["id"] == only(a, cfg)["id"] == stable_id(a)
        assert only(a, cfg)["id"] != only(b, cfg)["id"]
        assert stable_id("x").startswith("nb-") and len(stable_id("x")) == 19


# -------------------------------------------------------------------------------------------- encodings

class TestEncodings:
    def test_boms(self, tmp_path, cfg):
        text = "Grüße, naïve café — 東京"
        for enc, bom in (("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                         ("utf-32-le", b"\xff\xfe\x00\x00")):
            rec = only(write(tmp_path / f"{enc}.txt", bom + text.encode(enc)), cfg)
            assert rec["_raw"] == text, enc

    @pytest.mark.parametrize("declared", ["windows-1252", "iso-8859-1", "latin1"])
    def test_meta_charset(self, tmp_path, cfg, declared):
        page = (f'<html><head><meta charset="{declared}"><title>Café</title></head>'
                "<body><p>Ça coûte 5 € à Zürich — naïve</p></body></html>")
        rec = only(write(tmp_path / "p.html", page.encode("cp1252")), cfg)
        assert "Ça coûte 5 € à Zürich — naïve" in rec["_raw"]

    @pytest.mark.parametrize("declared", ["iso-8859-1", "iso-8859-15", "windows-1252"])
    def test_stale_single_byte_label_on_utf8_bytes(self, tmp_path, cfg, declared):
        # a page re-saved as UTF-8 that kept its old meta tag: reading it as Latin-1 would give "fÃ¼r"
        page = (f'<html><head><meta charset="{declared}"><title>Grüße</title></head>'
                "<body><p>Gebühr für Zürich: 5,99 €, delicadísima situación</p></body></html>")
        rec = only(write(tmp_path / "p.html", page.encode("utf-8")), cfg)
        assert "Gebühr für Zürich: 5,99 €, delicadísima situación" in rec["_raw"]
        assert "Ã" not in rec["_raw"]
        # the same label on real single-byte bytes still decides
        assert decode_bytes("für".encode("cp1252") * 3, declared=declared) == "für" * 3

    def test_http_equiv_charset(self, tmp_path, cfg):
        page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">'
                "</head><body>Prix: 10 € – déjà</body></html>")
        rec = only(write(tmp_path / "p.htm", page.replace("–", "-").encode("iso-8859-15")), cfg)
        assert "10 € - déjà" in rec["_raw"]

    def test_undeclared_legacy_and_invalid_bytes(self, tmp_path, cfg):
        rec = only(write(tmp_path / "a.txt", "Ein schöner Tag in München, Grüße".encode("cp1252") * 5), cfg)
        assert "München" in rec["_raw"]
        data = b"Hello \xff\xfe world, valid text goes on " * 3 + "und äöü".encode("utf-8")
        rec = only(write(tmp_path / "b.html", b"<html><body>" + data + b"</body></html>"), cfg)
        assert "valid text goes on" in rec["_raw"]

    def test_decode_bytes_direct(self):
        assert decode_bytes("café".encode("cp1252"), declared="ISO-8859-1") == "café"
        assert decode_bytes("naïve".encode("utf-16-le"), declared="utf-16le") == "naïve"
        with pytest.raises(Reject) as err:
            decode_bytes(b"abc\x00def")
        assert err.value.reason == "binary"
        with pytest.raises(Reject) as err:
            decode_bytes(b"\xef\xbb\xbf  \n")
        assert err.value.reason == "empty"


# -------------------------------------------------------------------------------------------- JSON(L)

class TestJson:
    def test_default_fields_and_numbering(self, tmp_path, cfg):
        lines = [
            json.dumps({"id": 42, "url": "http://u/1", "html": PAGE, "text": "ignored", "title": "T1",
                        "published": "2024-01-02"}),
            "",
            "   ",
            json.dumps({"text": "plain body", "id": ""}),
        ]
        path = write(tmp_path / "in.jsonl", "\n".join(lines) + "\n")
        a, b = read_all(path, cfg)
        assert (a["id"], a["source"], a["url"], a["title"], a["published"]) == (
            "42", path + "#1", "http://u/1", "T1", "2024-01-02")
        assert a["_format"] == "html" and a["_raw"] == PAGE  # html wins over text
        assert b["source"] == path + "#2" and b["id"] == stable_id(path + "#2")
        assert b["_format"] == "text" and b["_raw"] == "plain body" and b["url"] is None

    def test_custom_field_names(self, tmp_path):
        cfg = load_config(overrides={"input": {"jsonl_fields": {
            "id": "doc_id", "url": "link", "html": "body_html", "text": "body", "title": "headline",
            "published": "date"}}})
        path = write(tmp_path / "c.ndjson", json.dumps({
            "doc_id": "x1", "link": "http://l", "body": "words", "headline": "H", "date": "2020-05-06",
            "id": "not-this", "text": "not this"}) + "\n")
        rec = only(path, cfg)
        assert (rec["id"], rec["url"], rec["_raw"], rec["title"], rec["published"]) == (
            "x1", "http://l", "words", "H", "2020-05-06")

    def test_invalid_line_among_good_ones_and_missing_field(self, tmp_path, cfg):
        lines = ['{"text": "one"}', '{"text": broken', '[1, 2]', '{"id": "m", "title": "no body"}',
                 '{"text": "five"}']
        path = write(tmp_path / "mixed.jsonl", "\n".join(lines))  # no final newline
        recs = read_all(path, cfg)
        assert [r["source"] for r in recs] == [f"{path}#{i}" for i in range(1, 6)]
        assert recs[0]["_raw"] == "one" and recs[4]["_raw"] == "five"
        assert_reject(recs[1], "invalid_json")
        assert_reject(recs[2], "invalid_json")
        assert_reject(recs[3], "missing_field")
        assert recs[3]["id"] == "m"

    def test_blank_body_and_too_large_line(self, tmp_path):
        small = load_config(overrides={"input": {"max_document_bytes": 50}})
        path = write(tmp_path / "x.jsonl", '{"text": "  "}\n{"text": "%s"}\n{"text": "ok"}\n' % ("a" * 200))
        recs = read_all(path, small)
        assert_reject(recs[0], "empty")
        assert_reject(recs[1], "too_large", path + "#2")
        assert recs[2]["_raw"] == "ok" and recs[2]["source"] == path + "#3"

    def test_json_array_single_object_and_gzip(self, tmp_path, cfg):
        arr = write(tmp_path / "a.json", json.dumps([{"text": "a"}, {"html": PAGE}, 3], indent=2))
        recs = read_all(arr, cfg)
        assert [r["source"] for r in recs] == [arr + "#1", arr + "#2", arr + "#3"]
        assert recs[1]["_format"] == "html"
        assert_reject(recs[2], "invalid_json")
        one = write(tmp_path / "o.json", json.dumps({"id": "solo", "text": "pretty"}, indent=4))
        assert only(one, cfg)["id"] == "solo"
        gz = write(tmp_path / "g.jsonl.gz", gzip.compress(b'{"text": "zipped"}\n'))
        assert only(gz, cfg)["_raw"] == "zipped"

    def test_truncated_gzip_jsonl_keeps_earlier_lines(self, tmp_path, cfg):
        lines = "".join(json.dumps({"text": f"line {i} " + "x" * (i % 97)}) + "\n" for i in range(3000))
        gz = gzip.compress(lines.encode())
        path = write(tmp_path / "cut.jsonl.gz", gz[: len(gz) * 3 // 4])
        recs = read_all(path, cfg)
        assert len(recs) > 1000 and all(not is_reject(r) for r in recs[:-1])
        assert_reject(recs[-1], "unreadable", f"{path}#{len(recs)}")
        assert "gzip" in recs[-1]["message"]

    def test_not_json_at_all(self, tmp_path, cfg):
        path = write(tmp_path / "bad.json", "Request {\n  nope\n}\n" * 100)
        assert_reject(only(path, cfg), "invalid_json", path)


# ---------------------------------------------------------------------------------------------- WARC

def make_warc(entries, gz=True):
    """A WARC made with warcio: entries are (type, url, content_type or None, payload bytes)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "test"}))
    for kind, url, ctype, payload in entries:
        if kind == "request":
            http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "a")], is_http_request=True)
        else:
            headers = [("Content-Type", ctype)] if ctype else []
            http = StatusAndHeaders("200 OK", headers + [("Content-Length", str(len(payload)))],
                                    protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, kind, payload=io.BytesIO(payload),
                                                      http_headers=http))
    return buf.getvalue()


class TestWarc:
    def test_html_responses_kept_others_skipped(self, tmp_path, cfg):
        latin = '<html><body><p>Déjà vu à Paris</p></body></html>'.encode("cp1252")
        warc = make_warc([
            ("request", "http://a/", None, b""),
            ("response", "http://a/", "text/html; charset=utf-8", PAGE.encode()),
            ("response", "http://a/logo.png", "image/png", b"\x89PNG\r\n\x1a\n\x00\x00"),
            ("response", "http://b/", "text/html; charset=windows-1252", latin),
            ("response", "http://c/", None, PAGE.replace("Hello", "Sniffed").encode()),
            ("response", "http://d/", None, b"\x00\x01binary"),
        ])
        for name, data in (("a.warc.gz", warc), ("b.warc", make_warc([("response", "http://a/", "text/html",
                                                                       PAGE.encode())], gz=False))):
            path = write(tmp_path / name, data)
            recs = read_all(path, cfg)
            assert all(not is_reject(r) for r in recs)
            if name == "a.warc.gz":
                # record 1 is warcinfo, 2 the request, 3 the page, 4 the image, 5 latin page, 6 sniffed page
                assert [r["source"] for r in recs] == [path + "#3", path + "#5", path + "#6"]
                assert [r["url"] for r in recs] == ["http://a/", "http://b/", "http://c/"]
                assert "Déjà vu à Paris" in recs[1]["_raw"] and "Sniffed" in recs[2]["_raw"]
                assert all(r["_format"] == "html" and r["published"] is None for r in recs)
            else:
                assert [r["source"] for r in recs] == [path + "#2"]

    def test_truncated_archive_keeps_earlier_records(self, tmp_path, cfg):
        body = " ".join(str(i * 7919 % 10007) for i in range(2000))  # compresses badly: 300 bytes cut
        pages = [("response", f"http://p/{i}", "text/html", f"<html><body>{body}</body></html>".encode())
                 for i in range(3)]  # from the end stay inside the last record
        warc = make_warc(pages)
        path = write(tmp_path / "cut.warc.gz", warc[: len(warc) - 300])
        recs = read_all(path, cfg)
        assert [r["source"] for r in recs[:-1]] == [path + "#2", path + "#3"]
        assert all(not is_reject(r) for r in recs[:-1])
        assert_reject(recs[-1], "unreadable", path + "#4")
        assert "record 4" in recs[-1]["message"]
        plain = make_warc(pages, gz=False)
        path = write(tmp_path / "cut.warc", plain[: len(plain) - 300])
        recs = read_all(path, cfg)
        assert [r.get("reason") for r in recs] == [None, None, "unreadable"]

    def test_too_large_record_and_garbage_archive(self, tmp_path):
        small = load_config(overrides={"input": {"max_document_bytes": 200}})
        warc = make_warc([("response", "http://big/", "text/html", (PAGE * 10).encode()),
                          ("response", "http://ok/", "text/html", PAGE.encode())])
        path = write(tmp_path / "s.warc.gz", warc)
        big, ok = read_all(path, small)
        assert_reject(big, "too_large", path + "#2")
        assert ok["url"] == "http://ok/"
        assert_reject(only(write(tmp_path / "junk.warc", "junk\n" * 5), small), "unreadable")


# ------------------------------------------------------------------------------------------ real data

def eval_files():
    if not os.path.isdir(EVAL_RAW):
        pytest.skip(f"evaluation data not found at {os.path.normpath(EVAL_RAW)} (../shared/eval is absent)")
    return EVAL_RAW


@pytest.mark.eval
class TestRealArchives:
    def test_every_file_reads_without_exception(self, cfg):
        root = eval_files()
        files = expand_patterns([root], cfg)
        assert files
        docs = 0
        for path in files:
            tags = list(read_file_tagged(path, cfg))
            for tag, rec in tags:
                assert tag in (DOC, REJECT)
                assert set(rec) == (DOC_KEYS if tag == DOC else REJECT_KEYS), (path, rec)
                assert rec["source"] == path or rec["source"].startswith(path + "#")
                docs += tag == DOC
            sources = [rec["source"] for _, rec in tags]
            assert len(sources) == len(set(sources)), path
        assert docs > 100

    def test_archives_give_documents(self, cfg):
        root = eval_files()
        warcfile = os.path.join(root, "format-fixtures", "resiliparse", "warcfile.warc.gz")
        recs = read_all(warcfile, cfg)
        assert len(recs) == 16 and all(not is_reject(r) and r["url"].startswith("http") for r in recs)
        arc = os.path.join(root, "commoncrawl-2008-2010-arc-samples", "cc-arc-sample",
                           "small-sample-1213893279526_0.arc.gz")  # whole-file gzip ARC
        assert sum(not is_reject(r) for r in read_all(arc, cfg)) > 100

    def test_clipped_archive_ends_with_unreadable(self, cfg):
        root = eval_files()
        path = os.path.join(root, "format-fixtures", "resiliparse", "clipped.warc.gz")
        recs = read_all(path, cfg)
        assert recs, "clipped.warc.gz gave nothing"
        assert all(not is_reject(r) for r in recs[:-1])
        assert_reject(recs[-1], "unreadable")
        assert "record" in recs[-1]["message"]


# ---------------------------------------------------------------------------------------------- Beam

def test_read_inputs_transform(tmp_path, cfg):
    import apache_beam as beam
    from apache_beam.testing.test_pipeline import TestPipeline
    from apache_beam.testing.util import assert_that, equal_to

    a = write(tmp_path / "a.txt", "alpha")
    b = write(tmp_path / "b.jsonl", '{"id": "j1", "text": "beta"}\nnot json\n')
    e = write(tmp_path / "e.html", "")
    files = expand_patterns([str(tmp_path)], cfg)
    with TestPipeline(runner="FnApiRunner") as p:
        out = p | ReadInputs(files, cfg)
        assert_that(out["docs"] | "DocIds" >> beam.Map(lambda r: (r["source"], r["id"], r["_raw"])),
                    equal_to([(a, stable_id(a), "alpha"), (b + "#1", "j1", "beta")]), label="docs")
        assert_that(out["rejects"] | "RejKeys" >> beam.Map(lambda r: (r["source"], r["reason"])),
                    equal_to([(b + "#2", "invalid_json"), (e, "empty")]), label="rejects")
