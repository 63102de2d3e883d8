"""The evaluation harness: scoring functions on hand-made cases, and a small real run when the data is there."""
import pytest

from conftest import need_shared_eval
from evaluation import scoring


def test_shingle_prf_counts_multisets():
    gold = "a b c d e f"
    assert scoring.prf_counts(gold, gold) == (3, 3, 3)
    m, p, g = scoring.prf_counts("a b c d x y", gold)
    assert (m, p, g) == (1, 3, 3)
    agg = scoring.aggregate([(3, 3, 3), (1, 3, 3)])
    assert agg["micro_p"] == pytest.approx(4 / 6) and agg["macro_f1"] == pytest.approx((1 + 1 / 3) / 2)


def test_bcubed_and_ari():
    gold = {1: "a", 2: "a", 3: "b", 4: "b"}
    assert scoring.bcubed(gold, gold)["b3_f1"] == 1.0 and scoring.adjusted_rand(gold, gold) == 1.0
    lumped = {1: "x", 2: "x", 3: "x", 4: "x"}
    b = scoring.bcubed(lumped, gold)
    assert b["b3_r"] == 1.0 and b["b3_p"] == 0.5
    assert scoring.adjusted_rand(lumped, gold) == pytest.approx(0.0)


def test_pairwise():
    r = scoring.pairwise([(1, 2), (3, 4)], [(2, 1), (5, 6)])
    assert (r["tp"], r["p"], r["r"]) == (1, 0.5, 0.5)


def test_events_eval_on_real_data_runs():
    need_shared_eval("events")
    from conftest import SHARED_EVAL
    from evaluation import events
    res = events.run_gedikli(SHARED_EVAL)
    assert res["articles"] == 100 and res["pairs"] == 4950 and 0.0 <= res["f1"] <= 1.0


def test_gold_dates_normalised():
    from evaluation.extraction import _gold_date
    assert _gold_date("2024-03-05T10:00:00+02:00") == "2024-03-05"
    assert _gold_date("2022-11-1") == "2022-11-01"          # unpadded day
    assert _gold_date("2022-01.26") == "2022-01-26"         # odd separator
    assert _gold_date("2022-29-11") == "2022-11-29"         # day before month (29 cannot be a month)
    assert _gold_date("2022-03-04") == "2022-03-04"         # ambiguous: as written


def test_same_title_ignores_soft_hyphens_only():
    from evaluation.extraction import _same_title
    assert _same_title("Ha\u00adfen\u00adamt", "Hafenamt")                # invisible hyphenation points
    assert _same_title("\u201eHafenamt\u201c", "hafenamt")                 # quotes, case
    assert not _same_title("Hafenamt", "Stadtamt")


def test_extraction_stages_take_a_config_file(tmp_path):
    # `python -m evaluation extraction --config FILE` measures our stages under a user's settings
    from evaluation import extraction as ex

    saved = ex._STAGES
    try:
        path = tmp_path / "c.yaml"
        path.write_text("extract:\n  keep_title_paragraph: true\n", encoding="utf-8")
        ex._init_worker(str(path))
        assert ex._STAGES[0].keep_title_paragraph is True
        assert ex._STAGES[2]["extract"]["timeout_seconds"] == 0.0  # the harness times the work itself
        ex._init_worker()
        assert ex._STAGES[0].keep_title_paragraph is False
    finally:
        ex._STAGES = saved


def test_plain_text_line_scoring_counts_copies_once():
    # the plain-text case labels and judges dump lines: a line the page has twice is main text (or kept) as
    # often as the gold (or the kept text) holds it, the copy the in-order alignment finds (here the one right
    # above the body), not every copy because the words are there once
    from evaluation.extraction import _kept_lines, _line_labels
    title = "Harbour bridge to close to cars from June"
    body = ("The city council voted on Tuesday to close the old harbour bridge to cars from the first of June, "
            "after engineers found that two of its supports had been weakened.")
    lines = ["Home", title, title, body, "More"]
    assert _line_labels(lines, title + "\n" + body) == [False, False, True, True, False]
    assert _kept_lines(lines, title + "\n" + body) == [False, False, True, True, False]
    assert _kept_lines(lines, title + "\n" + title + "\n" + body) == [False, True, True, True, False]
    assert _kept_lines(lines, body) == [False, False, False, True, False]
    # a line the page has once is judged by its shingles, wherever the gold has it
    assert _line_labels(["Home", body, title], title + "\n" + body) == [False, True, True]


def test_page_row_gives_each_pages_figures():
    # `--rows FILE`: a JSON line a page, to find the pages we lose on
    from evaluation.extraction import page_row
    row = {"id": "p1", "ours": (80, 100, 160), "base": (90, 120, 160), "ms_ours": 20.04, "ms_base": 15.0, "ms_base_meta": 18.0,
           "meta": {"title": (True, False)},
           "meta_values": {"title": {"label": "Harbour bridge", "ours": "Harbour bridge", "base": "Home"}},
           "plain": {"tp": 5, "kept": 7, "main": 9, "lines": 30, "text": (1, 2, 3), "all": (1, 2, 3)}}
    got = page_row("dragnet", row)
    assert got["ours"] == {"p": 0.8, "r": 0.5, "f1": 0.6154, "tp": 80, "got": 100, "want": 160}
    assert got["base"]["f1"] == 0.6429 and got["d_f1"] == -0.0275
    assert got["meta"]["title"] == {"label": "Harbour bridge", "ours": "Harbour bridge", "base": "Home",
                                    "ours_ok": True, "base_ok": False}
    assert got["plain"] == {"tp": 5, "kept": 7, "main": 9, "lines": 30} and got["ms"]["ours"] == 20.0
    assert page_row("fundus", {"id": "x", "error": "unreadable"}) == {"set": "fundus", "id": "x",
                                                                      "error": "unreadable"}


def test_summary_times_ours_against_trafilatura_with_metadata():
    # the cleaning budget is per page: the median of per-page ratios, and all pages' time together
    from evaluation.extraction import summarise
    rows = [{"id": str(k), "ms_ours": o, "ms_base": 1.0, "ms_base_meta": m, "meta": {}}
            for k, (o, m) in enumerate([(11.0, 10.0), (12.0, 10.0), (100.0, 200.0)])]
    got = summarise(rows)
    assert got["ms_ratio_median"] == pytest.approx(1.1) and got["ms_ratio_total"] == pytest.approx(123 / 220)
