"""Unit tests of the plain-text dump classifier (transforms/textdump.py) on small hand-written dumps."""
from __future__ import annotations

import pytest

from pipeline.config import ConfigError, load_config
from transforms import textdump as td

A1 = ("The city council voted on Tuesday to close the old harbour bridge to cars from the first of June, after "
      "engineers found that two of its steel supports had been weakened by years of salt water and heavy traffic.")
A2 = ("The mayor said that the decision had not been easy, but that the safety of the people who cross the bridge "
      "every day had to come first, and that buses would be allowed to use it until the end of the summer.")
A3 = ("Work on a new bridge is expected to start next year. The council has asked the regional government to pay "
      "for a third of the cost, which the engineers put at about forty million euros over four years.")
C1 = ("I have crossed that bridge every day for thirty years and it was obvious that something was wrong with it, "
      "so I am glad that they are finally doing something about it before somebody gets hurt.")
C2 = ("Forty million is a lot of money for a bridge that we do not really need, if you ask me, and I would rather "
      "see the council spend it on the schools and the buses that are always late in the mornings.")

MENU = ["Harbour Times", "Home", "News", "Sport", "Business", "Culture", "Weather"]
SIDEBAR = ["Most popular", "Ferry timetable changes for the winter",
           "Local bakery wins national bread award", "New cycle lanes open in the old town",
           "Fire station gets two new engines"]
FOOTER = ["About us", "Jobs", "Advertise"]


def dump(*parts):
    lines = []
    for p in parts:
        lines.extend(p if isinstance(p, list) else [p])
    return lines


def reasons(lines, **cfg):
    return td.classify(lines, [None] * len(lines), cfg or None)


def kept(lines, **cfg):
    return [ln for ln, r in zip(lines, reasons(lines, **cfg)) if r is None]


def test_looks_like_dump():
    page = dump(MENU, "Harbour bridge to close to cars", A1, A2, A3, SIDEBAR, FOOTER)
    assert td.looks_like_dump(page)
    # a clean article file: a few paragraphs and a subhead is not a dump
    assert not td.looks_like_dump([A1, A2, "What happens next", A3, A1, A2, A3, A1, A2, A3, A1])
    # too few lines
    assert not td.looks_like_dump(["Home", "News", A1])


def test_menu_sidebar_footer_removed_article_kept():
    page = dump(MENU, "Harbour bridge to close to cars", A1, A2, "What happens next", A3, SIDEBAR, FOOTER)
    out = reasons(page)
    got = [ln for ln, r in zip(page, out) if r is None]
    assert got == ["Harbour bridge to close to cars", A1, A2, "What happens next", A3]
    assert {out[page.index(x)] for x in MENU + SIDEBAR + FOOTER} == {"short_run"}


def test_comment_thread_after_article():
    page = dump(MENU, A1, A2, A3, "2 comments", "Anna on 3 May 2021 at 09:15", C1, "Reply",
                "Tom on 3 May 2021 at 11:40", C2, "Reply", FOOTER)
    out = reasons(page)
    assert [ln for ln, r in zip(page, out) if r is None] == [A1, A2, A3]
    start = page.index("2 comments")
    assert all(r == "comments" for r in out[start:])
    # extract.include_comments: the thread stays
    assert C1 in kept(page, keep_comments=True) and C2 in kept(page, keep_comments=True)


def test_comment_signatures_without_header():
    page = dump(MENU, A1, A2, A3, C1, "by Anna on May 3, 2021 at 9:15 am. Reply #", C2,
                "by Tom on May 3, 2021 at 11:40 am. Reply #", C1, "by Eve on May 4, 2021 at 8:02 am. Reply #")
    assert kept(page) == [A1, A2, A3]
    # a "comments" line too early (in the byline, before the article) does not cut anything
    page2 = dump(MENU, "12 comments", A1, A2, A3, FOOTER)
    assert kept(page2) == [A1, A2, A3]


def test_url_line_is_metadata():
    page = dump(MENU, "Original url: https://www.harbour-times.example/news/bridge", A1, A2, A3, FOOTER)
    out = reasons(page)
    assert out[len(MENU)] == "metadata"
    assert kept(page) == [A1, A2, A3]


def test_hard_wrapped_paragraph_judged_as_a_block():
    wrapped = ["The council said that the bridge would be closed to cars from",
               "the first of June, and that buses and bicycles would be allowed",
               "to use it until the end of the summer, when the work on the new",
               "bridge is expected to begin if the money has been found by then."]
    page = dump(MENU, wrapped, A2, SIDEBAR)
    assert kept(page) == wrapped + [A2]


def test_low_content_and_list_inside_article():
    names = ("Ferry timetable, Bakery award, Cycle lanes, Fire engines, Harbour festival, Market hall, "
             "Tram extension, School repairs, Library hours")
    page = dump(MENU, A1, A2, A3, names, FOOTER)
    out = reasons(page)
    assert out[page.index(names)] == "low_content"
    # a low-content line between article paragraphs (a list line) stays
    page2 = dump(MENU, A1, names, A2, A3, FOOTER)
    assert names in kept(page2)


def test_other_languages():
    de = ["Die Stadt hat am Dienstag beschlossen, dass die alte Hafenbrücke ab dem ersten Juni für Autos "
          "gesperrt wird, nachdem bei einer Prüfung an zwei der Stahlstützen Schäden durch Salzwasser gefunden "
          "worden sind.",
          "Der Bürgermeister sagte, die Entscheidung sei nicht leicht gewesen, aber die Sicherheit der Menschen, die "
          "jeden Tag über die Brücke gehen, müsse an erster Stelle stehen, und Busse dürften sie noch nutzen."]
    page = dump(["Startseite", "Politik", "Wirtschaft", "Sport", "Kultur", "Wetter"], de,
                ["Meistgelesen", "Neue Radwege in der Altstadt", "Bäckerei gewinnt Preis",
                 "Feuerwehr erhält Fahrzeuge"])
    assert kept(page) == de
    # CJK text is judged by length
    zh = "市议会周二投票决定从六月一日起禁止汽车通过旧港口大桥，因为工程师发现两根钢支柱已被海水和交通削弱。" * 2
    assert kept(dump(["首页", "新闻", "体育", "财经", "文化", "天气"], zh, ["关于我们", "联系我们"])) == [zh]


def test_settings_in_default_config_and_checks(tmp_path):
    cfg = load_config()
    pt = cfg["boilerplate"]["plain_text"]
    assert pt["enabled"] is True and pt["short_chars"] == td._settings(None)["short_chars"]
    for key in ("min_lines", "min_short_share", "min_short_run", "short_chars", "long_chars", "stopwords_low",
                "stopwords_high", "heading_chars", "comments_min_words", "edge_lines", "tail_gap_lines",
                "inner_run_lines", "inner_run_block_chars",
                "tail_min_share"):
        assert pt[key] == td._settings(None)[key], key
    for bad in ("min_short_share: 1.5", "short_chars: 0", "stopwords_low: -0.1", "min_lines: 0",
                "long_chars: 20", "stopwords_high: 0.1", "edge_lines: -1", "tail_min_share: 2",
                "tail_gap_lines: -1", "inner_run_lines: -1", "inner_run_block_chars: -5"):
        (tmp_path / "c.yaml").write_text(f"boilerplate:\n  plain_text:\n    {bad}\n")
        with pytest.raises(ConfigError, match="plain_text"):
            load_config(str(tmp_path / "c.yaml"))
    (tmp_path / "c.yaml").write_text("boilerplate:\n  plain_text:\n    no_such_key: 1\n")
    with pytest.raises(ConfigError, match="unknown config key"):
        load_config(str(tmp_path / "c.yaml"))


def test_deterministic_and_linear():
    page = dump(MENU, A1, A2, A3, SIDEBAR, FOOTER)
    assert reasons(page) == reasons(list(page))
    # a long dump (thousands of short lines) is handled without quadratic blow-up: just check it finishes and
    # removes the menu-only runs
    big = (SIDEBAR + MENU) * 400 + [A1, A2, A3] + FOOTER * 400
    out = reasons(big)
    assert [ln for ln, r in zip(big, out) if r is None] == [A1, A2, A3]


def test_short_lines_at_the_article_edge():
    # a blurb (near-good) above a teaser list that runs into the article: only the lines next to the article
    # (its by-line and date) stay, not the whole run
    blurb = "A weekly look at what is going on in the harbour town and the villages that are around it"
    teasers = ["Ferry timetable changes", "Bakery wins bread award", "New cycle lanes open", "Fire station news",
               "Market hall reopens", "Tram line extension"]
    page = dump(MENU, blurb, teasers, "By Anna Berg", "3 May 2021", A1, A2, A3, FOOTER)
    got = kept(page)
    assert got[-5:] == ["By Anna Berg", "3 May 2021", A1, A2, A3]
    assert not set(teasers[:-1]) & set(got)
    # the old behaviour (the whole run kept) with a wide edge
    assert set(teasers) <= set(kept(page, edge_lines=100))


def test_dump_metadata_below_the_menu():
    page = dump(MENU, SIDEBAR, "Harbour bridge to close to cars", "by Anna Berg on May 3, 2021 9:15 AM",
                A1, A2, A3, "Original url: https://www.harbour-times.example/news/bridge", FOOTER)
    meta = td.dump_metadata(page)
    assert meta == {"authors": ["Anna Berg"], "published": "2021-05-03",
                    "url": "https://www.harbour-times.example/news/bridge"}
    page2 = dump(MENU, "Harbour bridge to close to cars", "By Anna Berg | 3 May 2021", A1, A2, A3, FOOTER)
    assert td.dump_metadata(page2) == {"authors": ["Anna Berg"], "published": "2021-05-03"}
    # a date far above the article (the site's own "today" in the menu) is not the article's
    page3 = dump(["Monday, 9 June 2025"], MENU, SIDEBAR, SIDEBAR, A1, A2, FOOTER)
    assert "published" not in td.dump_metadata(page3)
    # not a dump: nothing
    assert td.dump_metadata(["By Anna Berg", A1, A2]) == {}


def test_extract_stage_takes_a_dump_header():
    from transforms.extract import Extract
    page = dump(MENU, SIDEBAR, "Harbour bridge to close to cars", "By Anna Berg | 3 May 2021", A1, A2, A3, FOOTER)
    rec = Extract(load_config())({"id": "x", "source": "x.txt", "_format": "text", "_raw": "\n".join(page)})
    assert rec["authors"] == ["Anna Berg"] and rec["published"] == "2021-05-03"
    assert A1 in rec["text"] and "By Anna Berg | 3 May 2021" in rec["text"]


def test_short_lines_around_a_low_density_line_inside_the_article():
    # an ingredient list inside the article: its one long line has few function words (bad on its own, good
    # between article paragraphs); the short lines around it belong to the article as well
    listing = "250 grams dark chocolate (70 percent cocoa), broken into small pieces, melted slowly."
    page = dump(MENU, A1, "You will need", "2 cups flour", "1 pinch salt", listing, "3 eggs", A2, A3,
                SIDEBAR, FOOTER)
    got = kept(page)
    assert got == [A1, "You will need", "2 cups flour", "1 pinch salt", listing, "3 eggs", A2, A3]
    assert reasons([listing] * 10 + [A1])[0] == "low_content"


def test_block_starter_run_in_a_dump_is_judged_by_context():
    # a dump's "Related stories" header runs on (short, headline-like lines) into the article's title and
    # by-line: the pattern removes the header, the dump classifier judges the run after it
    from transforms.boilerplate import Boilerplate
    b = Boilerplate(load_config())
    page = dump(MENU, "Related stories", "Ferry timetable changes for the winter", "Market hall reopens",
                "Harbour bridge to close to cars", "By Anna Berg", A1, A2, A3, SIDEBAR, FOOTER)
    text, _, reasons_ = b.clean("\n".join(page), "text")
    assert "Harbour bridge to close to cars" in text and "By Anna Berg" in text and A1 in text
    assert "Related stories" not in text and "Market hall reopens" not in text
    # in an article file (no dump), the block run is removed as before
    art = "\n\n".join([A1, "Related stories", "Ferry timetable changes for the winter", "Market hall reopens",
                       A2])
    text2, _, r2 = b.clean(art, "text")
    assert "Market hall reopens" not in text2 and A2 in text2


BIO = ("Anna Berg has written about the harbour and the town for the paper since 2009, and before that she "
       "worked for a radio station in the north of the country for ten years.")


def test_small_text_block_after_the_article_break():
    # the article, a share bar (removed by a pattern), a teaser list, then an author blurb: the blurb is a
    # block of good text after a break, much smaller than the article, so it is not the article's
    share = ["Share", "Tweet", "Email"]
    page = dump(MENU, A1, A2, A3, share, SIDEBAR, "About the author", BIO, FOOTER)
    fixed = [("share" if ln in share else None) for ln in page]
    out = td.classify(page, fixed)
    got = [ln for ln, r in zip(page, out) if r is None]
    assert got == [A1, A2, A3]
    assert out[page.index(BIO)] == "low_content"
    # turned off: the blurb stays
    assert BIO in [ln for ln, r in zip(page, td.classify(page, fixed, {"tail_min_share": 0})) if r is None]
    # a later block as large as the article's first part (the article goes on after a gallery) stays
    page2 = dump(MENU, A1, A2, share, SIDEBAR, "What happens next", A3, A1, FOOTER)
    fixed2 = [("share" if ln in share else None) for ln in page2]
    got2 = [ln for ln, r in zip(page2, td.classify(page2, fixed2)) if r is None]
    assert A3 in got2 and got2.count(A1) == 2
    # no pattern-removed line in the gap: no break
    page3 = dump(MENU, A1, A2, A3, SIDEBAR, ["Ferry news", "Bakery news", "Cycle news", "Tram news"],
                 "About the author", BIO, FOOTER)
    assert BIO in [ln for ln, r in zip(page3, td.classify(page3, [None] * len(page3))) if r is None]


def test_hard_wrapped_low_density_block_inside_the_article():
    # a reference wrapped over two lines (the second starts in lower case: one block) between article
    # paragraphs: the block's own lines are not its context, the article paragraphs around it are
    ref = ["Berg A, Lund K, Holm P, Strand E, Vik T, Dahl M, Moe R, Aas L, Bakke J, Eide S, Foss N, Haug O, Lie B, "
           "Nes C, Ruud D, Sand F, Tveit G. Salt water corrosion, steel bridge supports,",
           "field results. Harbour Eng Rev. 2019 Mar;7(2):145-53."]
    page = dump(MENU, A1, A2, ref, A3, A1, FOOTER)
    assert kept(page) == [A1, A2] + ref + [A3, A1]
    # the same kind of block after the article (a list of names, good text on one side only) goes
    names = ["Berg A, Lund K, Holm P, Strand E, Vik T, Dahl M, Moe R, Aas L, Bakke J, Eide S, Foss N, Haug O,",
             "lists, Ferry news, Bakery news, Cycle lanes, Tram extension, Market hall, School repairs."]
    page2 = dump(MENU, A1, A2, A3, names, FOOTER)
    out = reasons(page2)
    assert [r for ln, r in zip(page2, out) if ln in names] == ["low_content", "low_content"]


def test_article_header_below_the_menu():
    # the menu runs straight into the article's headline, deck, by-line and date (too many short lines for the
    # headline rule, and bad context above them): the by-line/date line keeps the header down to the article
    header = ["Harbour bridge to close to cars", "We also have the new timetable for the ferries!", "by Anna Berg",
              "3 May 2021 09:15"]
    page = dump(MENU, header, "Share", "Harbour", "12", A1, A2, A3, SIDEBAR, FOOTER)
    fixed = [("share" if ln == "Share" else None) for ln in page]
    got = [ln for ln, r in zip(page, td.classify(page, fixed)) if r is None]
    assert got == header + ["Harbour", "12", A1, A2, A3]
    # no by-line or date near the article: the short lines above it go as before
    page2 = dump(MENU, "Ferry timetable changes for the winter", "2 May 2021", MENU, "Harbour bridge news", "12",
                 "Weather", A1, A2, A3, FOOTER)
    got2 = kept(page2)
    assert got2[-3:] == [A1, A2, A3] and "2 May 2021" not in got2 and "Weather" not in got2
    # a by-line under a teaser list: only the lines from it down and two headline-like lines above it
    page3 = dump(MENU, SIDEBAR[1:], "By Anna Berg", "Share", A1, A2, A3, FOOTER)
    fixed3 = [("share" if ln == "Share" else None) for ln in page3]
    got3 = [ln for ln, r in zip(page3, td.classify(page3, fixed3)) if r is None]
    assert got3 == SIDEBAR[3:] + ["By Anna Berg", A1, A2, A3]


def test_short_sentence_right_after_the_article():
    # the article's last line is a short sentence (under short_chars): kept with the article
    last = "Anna Berg could not be reached for comment."
    page = dump(MENU, A1, A2, A3, last, SIDEBAR, FOOTER)
    assert kept(page) == [A1, A2, A3, last]
    # after a sidebar line it is a teaser, and a short line without a sentence ending is a header: both go
    page2 = dump(MENU, A1, A2, A3, "Most popular", "Comments are now closed on this story.", SIDEBAR[1:], FOOTER)
    assert kept(page2) == [A1, A2, A3]
    page3 = dump(MENU, A1, A2, A3, "More from the harbour desk", SIDEBAR[1:], FOOTER)
    assert kept(page3) == [A1, A2, A3]


def test_long_short_run_between_a_blurb_and_the_article():
    # a blog's sidebar: an author blurb (good text), then a long archive list, then the article: the list is
    # between good text on both sides but not the article's (post titles: month lines have their own rule)
    archive = [f"Harbour diary {k}" for k in range(48)] + ["Archive"]
    page = dump(MENU, BIO, archive, "Harbour bridge to close to cars", A1, A2, A3, A1, A2, FOOTER)
    got = kept(page)
    assert not set(archive) & set(got) and got[-5:] == [A1, A2, A3, A1, A2] and BIO in got
    # a long table inside the article (cells one a line) has article text on both sides: it stays
    table = [cell for row in range(12) for cell in (f"Pier {row}", f"{row * 7} m", f"{row * 3}%", "open")]
    page2 = dump(MENU, A1, A2, "Bridge and pier lengths", table, A3, A1, FOOTER)
    assert kept(page2) == [A1, A2, "Bridge and pier lengths"] + table + [A3, A1]
    # turned off: the archive stays
    assert set(archive) <= set(kept(page, inner_run_lines=0))


def test_race_results_are_not_comment_signatures():
    # a live report's splits end in race times ("2:04:38"): not comment signatures, the report stays
    splits = ["5km - 14:43. Projects a 2:04:12", "10km - 29:31. Projects a 2:04:31",
              "15km - 44:12. Projects a 2:04:20", "20km - 58:59. Projects a 2:04:28", "Half - 1:02:12"]
    page = dump(MENU, A1, A2, "Live splits", splits, A3, FOOTER)
    assert kept(page) == [A1, A2, "Live splits"] + splits + [A3]
    # signatures with a clock time (also with seconds before am/pm) still start a thread
    page2 = dump(MENU, A1, A2, A3, "Tracked on May 3, 2021 11:15:37 PM", C1,
                 "Tracked on May 4, 2021 8:02:11 AM", C2, "Tracked on May 4, 2021 9:40:05 PM", C1, FOOTER)
    assert kept(page2) == [A1, A2, A3]


def test_one_poster_signing_every_post_is_a_blog_not_a_thread():
    # a blog's front page: every post signed by its author -- the posts stay
    page = dump(MENU, A1, A2, "Posted by Anna Berg at 9:15 AM", A3, "Posted by Anna Berg at 11:40 AM", C1,
                "Posted by Anna Berg at 8:02 PM", C2, FOOTER)
    assert kept(page) == [A1, A2, "Posted by Anna Berg at 9:15 AM", A3, "Posted by Anna Berg at 11:40 AM", C1,
                          "Posted by Anna Berg at 8:02 PM", C2]
    # the same signatures by different people under an article: a comment thread
    page2 = dump(MENU, A1, A2, A3, C1, "Posted by Tom at 11:40 AM", C2, "Posted by Eve at 8:02 PM", C1,
                 "Posted by Ann at 9:30 PM", FOOTER)
    assert kept(page2)[:3] == [A1, A2, A3] and C2 not in kept(page2)


def test_timetable_is_not_a_comment_thread():
    # a day's schedule inside the article: bare clock times with short items between them stay
    schedule = ["7:00 AM", "Breakfast and team meeting", "8:30 AM", "Ferry to the island", "1:00 PM",
                "Lunch at the harbour", "4:00 PM", "Back on the mainland"]
    page = dump(MENU, A1, A2, "What does a day look like?", schedule, A3, FOOTER)
    assert kept(page) == [A1, A2, "What does a day look like?"] + schedule + [A3]
    # bare times under comments (long lines between them) still start a thread
    page2 = dump(MENU, A1, A2, A3, "7:00 AM", "Anna said...", C1, "8:30 AM", "Tom said...", C2, "1:00 PM",
                 "Eve said...", C1, FOOTER)
    assert kept(page2) == [A1, A2, A3]


def test_article_header_with_posted_by_and_labels():
    # by-lines the extract stage's parser does not take ("Written By: ...", "Posted by ... on <date>"), and
    # label lines ("Published") between the headline, the by-line and the date: the header is kept
    header = ["Harbour bridge to close to cars", "Written By: Anna Berg", "Published", "3 May 2021"]
    page = dump(MENU, header, "Harbour", "12", A1, A2, A3, SIDEBAR, FOOTER)
    got = kept(page)
    assert got[:len(header)] == header and A1 in got and "Most popular" not in got
    assert td._header_line("Posted by Anna Berg on May 3, 2021 at 9:15 pm") == {
        "authors": ["Anna Berg"], "published": "2021-05-03"}
    assert td._header_line("By: Anna Berg (Diary) |") == {"authors": ["Anna Berg"]}
    assert td.dump_metadata(page)["authors"] == ["Anna Berg"]


def test_archive_month_list_is_bad_context():
    # a blog's archive list between the article and a sidebar blurb: short lines between good text would be
    # kept; four or more month lines in a row are a list of archive links
    months = ["Archives", "Select Month", "August 2012", "July 2012", "June 2012 (4)", "May 2012", "April 2012"]
    page = dump(MENU, A1, A2, months, A3, FOOTER)
    out = reasons(page)
    assert all(out[page.index(m)] == "short_run" for m in months[2:])
    assert A1 in kept(page) and "Select Month" not in kept(page)
    # two dates in the article are not a list
    page2 = dump(MENU, A1, "August 2012", "July 2012", A2, A3, FOOTER)
    assert "July 2012" in kept(page2)


def test_comment_thread_said_comma_signatures_and_users_responded_header():
    # "Ann said," above each comment (no date, no "Reply"): three within 20 lines start the thread
    page = dump(MENU, A1, A2, A3, "Anna Berg said,", C1, "Tom said,", C2, "Eve Lund said,", C1, FOOTER)
    assert kept(page) == [A1, A2, A3]
    # "45 users responded in ..." is a comments header with a count
    page2 = dump(MENU, A1, A2, A3, '45 users responded in "Harbour bridge to close to cars"', C1, C2, FOOTER)
    assert kept(page2) == [A1, A2, A3]


def test_teaser_list_words_do_not_count_as_article_before_a_thread():
    # a "Popular this week" list between the lead paragraph and the rest of the article: its short lines are
    # kept (good text on both sides), but their words are not article text a comment thread could follow,
    # and its "by Ann Lee | May 3, 2021" lines are not comment signatures after the article
    teasers = ["Popular this week", "Ferry timetable changes for the winter and spring", "by Tom Hale | May 2, 2021",
               "Local bakery wins national bread award again", "by Eve Lund | May 1, 2021",
               "New cycle lanes open in the old town centre", "by Ann Lee | April 30, 2021",
               "Fire station gets two new engines this summer", "by Bo Berg | April 29, 2021"]
    page = dump(MENU, A1, teasers, A2, A3, FOOTER)
    got = kept(page)
    assert A2 in got and A3 in got


def test_commenter_website_and_name_lines_are_signatures():
    # "http://ann.example/ Ann Lee" above each comment (a commenter's website, then the name)
    page = dump(MENU, A1, A2, A3, "http://annberg.example/ Anna Berg", C1, "http://twitter.com/tomh Tom Hale", C2,
                "http://evelund.example eve", C1, FOOTER)
    assert kept(page) == [A1, A2, A3]
    # a list of links with version labels in parentheses is not a thread
    links = [f"http://harbour.example/files/v{k}.html (Version 2.{k})" for k in range(4)]
    assert all(ln in kept(dump(MENU, A1, A2, links, A3, FOOTER)) for ln in links)


def test_pager_is_navigation_and_no_context():
    # a gallery's pager between the article and more article text: page numbers in a row go as navigation,
    # with the arrows around them; they do not make the text after them a separate (tail) block
    pager = ["<<", "<", "1", "2", "3", "4", "5", "6", ">", ">>"]
    page = dump(MENU, "Harbour bridge to close to cars", A1, A2, pager, A3, A1, FOOTER)
    out = reasons(page)
    assert [out[len(MENU) + 3 + k] for k in range(len(pager))] == ["navigation"] * len(pager)
    assert kept(page) == ["Harbour bridge to close to cars", A1, A2, A3, A1]
    # three numbers are no pager; nor are numbers out of sequence, nor a numbered list's numbers between items
    for nums in (["1", "2", "3"], ["1", "2", "4", "5"], ["1", "Heat the oven", "2", "Mix the flour", "3",
                                                         "Bake it", "4", "Let it cool"]):
        got = reasons(dump(MENU, A1, A2, nums, A3, FOOTER))
        assert "navigation" not in got, nums


def test_line_repeating_the_line_above_goes_as_duplicate():
    # a gallery's slide title repeated under every slide: the first copy is judged as usual, the others go
    slides = ["Harbour bridge: the best photos"] * 5
    page = dump(MENU, "Harbour bridge to close to cars", A1, A2, slides, A3, FOOTER)
    out = reasons(page)
    at = page.index(slides[0])
    assert out[at] is None and out[at + 1:at + 5] == ["duplicate"] * 4
    assert kept(page) == ["Harbour bridge to close to cars", A1, A2, slides[0], A3]
    # copies of a removed line share its reason; a repeat that is not right after its first copy stays, and
    # a repeated "}" or number (code, a table) is no copy
    page2 = dump(["Advertise | AdChoices"] * 2, MENU, A1, A2, "Advertise | AdChoices", A3, FOOTER)
    out2 = reasons(page2)
    assert out2[0] == out2[1] == "short_run"
    page3 = dump(MENU, A1, "}", "}", "12", "12", A2, A3, FOOTER)
    assert "duplicate" not in reasons(page3)


def test_only_the_line_next_to_the_article_is_kept_as_its_heading():
    """edge_lines (default 1): between a near-good teaser line and the article, only the short line right above
    the article (its headline) is kept; "Most read today" above it goes. With edge_lines 3 it would stay."""
    from transforms import textdump as T
    art = ["The regional parliament approved the new water law on Thursday after a debate that lasted more than "
           "eleven hours, with the governing coalition securing a narrow majority of three votes in the end.",
           "Farmers' associations had warned that the stricter limits on groundwater extraction would hit small "
           "producers hardest, while environmental groups said the rules did not go far enough for them."]
    lines = ["Home", "News", "Sport", "Weather", "Contact",
             "Latest stories from our region and beyond, updated every hour by our team",
             "Most read today", "Water law passes after marathon debate"] + art + ["Share", "Tweet", "Email"]
    got = dict(zip(lines, T.classify(lines, [None] * len(lines))))
    assert got["Most read today"] == "short_run"
    assert got["Water law passes after marathon debate"] is None and all(got[a] is None for a in art)
    assert all(got[m] == "short_run" for m in ("Home", "News", "Share", "Email"))
    wider = dict(zip(lines, T.classify(lines, [None] * len(lines), {"edge_lines": 3})))
    assert wider["Most read today"] is None
