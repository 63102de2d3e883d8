"""transforms.metadata: structured-metadata scan and the title/date precedence, on small hand-written pages."""
from __future__ import annotations

import json

import pytest

from transforms import metadata as md


def page(head: str = "", body: str = "") -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def ld(obj) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


# ------------------------------------------------------------------------------------------- dates

@pytest.mark.parametrize("value, iso", [
    ("2024-03-05T09:30:00Z", "2024-03-05"),
    ("2024-03-05", "2024-03-05"),
    ("2024-03-05 23:50:00", "2024-03-05"),
    ("2024-03-05T23:30:00-05:00", "2024-03-05"),   # the day as written, no time zone conversion
    ("20180619T055000+0900", "2018-06-19"),
    ("2018/06/19", "2018-06-19"),
    ("Wed, 04 May 2022 02:41:00 GMT", "2022-05-04"),
    ("May 4, 2022", "2022-05-04"),
    ("05.03.2024 10:00", "2024-03-05"),
    ("11/01/2023 12:43:42", "2023-11-01"),           # month first ...
    ("25/01/2023", "2023-01-25"),                    # ... unless the first number cannot be a month
])
def test_parse_date_forms(value, iso):
    assert md.parse_date(value) == iso


@pytest.mark.parametrize("value", ["", "   ", "2024", "2024-03", "2024-13-45", "yesterday", "2024-02-30",
                                   None, 20240305, ["2024-03-05"]])
def test_parse_date_rejects_partial_or_invalid(value):
    assert md.parse_date(value) is None


def test_parse_date_bounds():
    assert md.parse_date("2031-01-02T00:00:00Z", max_date="2030-12-31") is None
    assert md.parse_date("2030-12-31T23:59:00Z", max_date="2030-12-31") == "2030-12-31"
    assert md.parse_date("1994-12-31") is None                       # before MIN_DATE
    assert md.parse_date("1995-01-01") == "1995-01-01"


# ------------------------------------------------------------------------------------------- JSON-LD

def test_json_ld_news_article():
    html = page(ld({"@context": "https://schema.org", "@type": "NewsArticle",
                    "headline": "Ferry terminal opens at last", "datePublished": "2024-03-05T09:30:00+01:00",
                    "dateModified": "2024-03-07T10:00:00+01:00"}))
    scan = md.scan_html(html)
    assert scan["ld_headline"] == "Ferry terminal opens at last"
    assert scan["ld_published"] == "2024-03-05"


def test_json_ld_graph_skips_non_articles():
    html = page(ld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Harbour Courier", "datePublished": "2001-01-01"},
        {"@type": "WebPage", "name": "Ferry terminal opens | Harbour Courier", "datePublished": "2020-01-01"},
        {"@type": ["Article", "BlogPosting"], "headline": "Ferry terminal opens", "datePublished": "2024-03-05"},
    ]}))
    scan = md.scan_html(html)
    assert scan["ld_headline"] == "Ferry terminal opens"
    assert scan["ld_published"] == "2024-03-05"


def test_json_ld_top_level_list_and_several_scripts():
    html = page(ld({"@type": "Organization", "name": "Harbour Courier"})
                + ld([{"@type": "BreadcrumbList"},
                      {"@type": "LiveBlogPosting", "headline": "Storm live: ferries cancelled",
                       "dateCreated": "2024-08-04T13:23:00Z"}])
                + ld({"@type": "NewsArticle", "headline": "A later, unrelated teaser", "datePublished": "2024-08-09"}))
    scan = md.scan_html(html)
    assert scan["ld_headline"] == "Storm live: ferries cancelled"   # the first article-like object wins
    assert scan["ld_published"] == "2024-08-04"                      # dateCreated when no datePublished


def test_json_ld_entities_cdata_and_broken_script():
    html = page('<script type="application/ld+json">{"@type": "NewsArticle", broken</script>'
                '<script type="application/ld+json">//<![CDATA[\n{"@type": "NewsArticle", '
                '"headline": "Mayor&#039;s plan &amp; the   budget", "datePublished": "not a date"}\n//]]></script>')
    scan = md.scan_html(html)
    assert scan["ld_headline"] == "Mayor's plan & the budget"
    assert scan["ld_published"] is None


def test_json_ld_date_after_max_is_ignored():
    html = page(ld({"@type": "NewsArticle", "headline": "H", "datePublished": "2099-05-01"})
                + '<meta property="article:published_time" content="2024-05-01T08:00:00Z">')
    scan = md.scan_html(html, max_date="2030-12-31")
    assert scan["ld_published"] is None
    assert md.pick_published(scan, None, "2030-12-31") == "2024-05-01"


# ------------------------------------------------------------------------------------------- meta, h1

def test_meta_date_keys_in_order_and_attribute_styles():
    html = page("<meta name='date' content='2024-05-09'>"
                "<meta content=\"2024-05-02T07:00:00+02:00\" property=\"article:published_time\"/>"
                "<meta itemprop=datePublished content=2024-05-03>")
    scan = md.scan_html(html)
    assert scan["meta_published"] == "2024-05-02"   # article:published_time before datePublished and date


def test_meta_bad_date_falls_through_to_next_key():
    html = page('<meta property="article:published_time" content="">'
                '<meta name="parsely-pub-date" content="2023-10-31T18:00:00Z">')
    assert md.scan_html(html)["meta_published"] == "2023-10-31"


def test_og_title_and_h1():
    html = page('<meta property="og:title" content="Ferry terminal opens: what changes | HC">',
                "<header><h1><a href='/'>Harbour Courier</a></h1></header>"
                "<article><h1 class='headline'>Ferry terminal <em>opens</em></h1></article>")
    scan = md.scan_html(html)
    assert scan["og_title"] == "Ferry terminal opens: what changes | HC"
    assert scan["h1"] == ["Harbour Courier", "Ferry terminal opens"]



def test_h1_without_the_style_and_script_inside_it():
    html = page("", '<h1 class="css-3003"><style data-emotion="css x1">.css-x1{font-size:16px;display:block;}</style>'
                    '<span class="css-x1">Press release</span><script>var a = 1;</script>Ferry terminal opens</h1>')
    assert md.scan_html(html)["h1"] == ["Ferry terminal opens"]   # (the leading "Press release" is a kicker)


def test_page_title_is_not_one_written_by_a_script():
    html = page("<script>function viewer(t) { return '<title>' + t + '</title>'; }</script>"
                "<title>Ferry terminal opens after two years</title>", "<h2>Allgemein</h2>")
    assert md.scan_html(html)["page_title"] == "Ferry terminal opens after two years"
    assert _stage_pick(html, "Allgemein")[0] == "Ferry terminal opens after two years"


def test_h1_without_a_leading_kicker_element():
    h1 = lambda inner: md.scan_html(page("", f"<h1>{inner}</h1>"))["h1"]
    assert h1('<span class="subtitle">Harbour works</span> Ferry terminal opens after two years') == \
        ["Ferry terminal opens after two years"]
    assert h1('<a href="/t/1"><span class="label">Patch notes</span>Patch 4.2 - winter build</a>') == \
        ["Patch 4.2 - winter build"]
    assert h1('<div class="topic">Harbour</div><span class="hidden">: </span>Ferry terminal opens') == \
        ["Ferry terminal opens"]
    # a kicker ending in a colon is printed as part of the headline; a styled first word goes on in lower case
    assert h1("<b>Editor's letter:</b> goodbye to the old ferry") == ["Editor's letter: goodbye to the old ferry"]
    assert h1("<span class='mc'>Ferry</span> terminal opens after two years") == \
        ["Ferry terminal opens after two years"]
    # the headline itself in one element, a shorter rest: kept whole
    assert h1("<span>Ferry terminal opens after two years</span> Update") == ["Ferry terminal opens after two years Update"]

def test_empty_page():
    scan = md.scan_html("")
    assert scan["ld_headline"] is None and scan["h1"] == []
    assert md.pick_title(scan, None) is None and md.pick_published(scan, None) is None


# ------------------------------------------------------------------------------------------- precedence

def test_pick_title_json_ld_first():
    scan = md.scan_html(page('<meta property="og:title" content="Teaser for the ferry story">'
                             + ld({"@type": "NewsArticle", "headline": "Ferry terminal opens at last"}),
                             "<h1>Ferry terminal opens</h1>"))
    assert md.pick_title(scan, "Teaser for the ferry story") == "Ferry terminal opens at last"


def test_pick_title_related_h1_over_page_title():
    scan = md.scan_html(page("<title>Tote Hummeln unter Linden: Die Erklärung | Hummeln</title>",
                             "<h1>Tote Hummeln unter Linden</h1>"))
    assert md.pick_title(scan, "Tote Hummeln unter Linden: Die Erklärung") == "Tote Hummeln unter Linden"


def test_pick_title_skips_unrelated_h1_and_site_name():
    scan = md.scan_html(page("", "<h1>Four Years Remaining</h1><h1>Archive</h1>"))
    site = lambda s: s.replace(" ", "").lower().startswith("fouryears")
    # the logo h1 names the site, the other one is unrelated to the page title: keep the page title
    assert md.pick_title(scan, "Interning of small integers in Python", site) == \
        "Interning of small integers in Python"
    scan = md.scan_html(page(ld({"@type": "Article", "headline": "Four Years Remaining"})))
    assert md.pick_title(scan, "Interning of small integers", site) == "Interning of small integers"



def test_pick_title_json_ld_headline_that_is_the_h1_and_goes_on_after_the_page_title():
    # the printed headline (JSON-LD and the <h1>) is the short page title plus the rest of the headline
    head = ld({"@type": "Article", "headline": "How to prune roses for a second bloom in late summer"})
    scan = md.scan_html(page(head, "<h1>How to prune roses for a second bloom in late summer</h1>"))
    assert md.pick_title(scan, "How to prune roses") == "How to prune roses for a second bloom in late summer"
    # no <h1> says it: the JSON-LD headline with more words still gives way to the page title
    scan = md.scan_html(page(head, "<h1>Garden notes</h1>"))
    assert md.pick_title(scan, "How to prune roses") == "How to prune roses"
    # a site name or "| Section" after the page title is no rest of the headline, even when the <h1> says it
    head = ld({"@type": "Article", "headline": "How to prune roses | Garden Weekly"})
    scan = md.scan_html(page(head, "<h1>How to prune roses | Garden Weekly</h1>"))
    assert md.pick_title(scan, "How to prune roses") == "How to prune roses"


def test_pick_title_h1_that_goes_on_after_the_json_ld_headline():
    head = ld({"@type": "NewsArticle", "headline": "Council raises ferry capacity"})
    # the JSON-LD headline cut short: the <h1> has the rest of it
    scan = md.scan_html(page(head, "<h1>Council raises ferry capacity in the north</h1>"))
    assert md.pick_title(scan, "Council raises ferry capacity") == "Council raises ferry capacity in the north"
    # a subtitle glued on (a capital letter, no punctuation between), a "| Section": the JSON-LD headline
    for h1 in ("Council raises ferry capacity Commuters welcome the plan", "Council raises ferry capacity | Local"):
        scan = md.scan_html(page(head, f"<h1>{h1}</h1>"))
        assert md.pick_title(scan, "Council raises ferry capacity") == "Council raises ferry capacity"

def test_related():
    assert md.related("Tote Hummeln unter Linden", "Tote Hummeln unter Linden: Die Erklärung")
    assert not md.related("Gefahrstoffmanagement für Hersteller", "Gefahrstoff-Service")
    assert not md.related("", "x") and not md.related(None, "x")


def test_pick_published_precedence():
    both = md.scan_html(page('<meta property="article:published_time" content="2024-04-26">'
                             + ld({"@type": "NewsArticle", "datePublished": "2024-04-25T19:30:04+02:00"})))
    assert md.pick_published(both, "2024-04-20") == "2024-04-25"          # JSON-LD > meta > htmldate
    only_meta = md.scan_html(page('<meta property="article:published_time" content="2024-04-26">'))
    assert md.pick_published(only_meta, "2024-04-20") == "2024-04-26"
    nothing = md.scan_html(page("<title>x</title>"))
    assert md.pick_published(nothing, "2024-04-20") == "2024-04-20"
    assert md.pick_published(nothing, "2101-01-01") is None              # htmldate's date is bounded too
    assert md.pick_published(nothing, None) is None


def test_fallback_date_discards_copyright_year():
    body = "<article><p>" + "Some words about the harbour. " * 20 + "</p><p>© 2016 Harbour Courier</p></article>"
    assert md.fallback_date(page("<title>t</title>", body), None) is None
    body = ("<article><p>Posted on 12 March 2021</p><p>" + "Some words about the harbour. " * 20
            + "</p></article>")
    assert md.fallback_date(page("<title>t</title>", body), None) == "2021-03-12"


def test_scan_is_bounded(monkeypatch):
    monkeypatch.setattr(md, "MAX_SCAN_CHARS", 200)
    html = page("", "<p>" + "x" * 500 + "</p><h1>Too far down</h1>")
    assert md.scan_html(html)["h1"] == []


def test_oversized_json_ld_read_by_its_head(monkeypatch):
    monkeypatch.setattr(md, "MAX_LD_CHARS", 500)
    posts = [{"@type": "BlogPosting", "headline": f"Update {i}", "datePublished": "2024-08-05T10:00:00Z"}
             for i in range(40)]
    html = page(ld({"@context": "https://schema.org", "@type": "LiveBlogPosting",
                    "datePublished": "2024-08-04T13:23:00Z", "headline": 'Riots live: "stones" thrown',
                    "liveBlogUpdate": posts}))
    scan = md.scan_html(html)
    assert scan["ld_published"] == "2024-08-04"
    assert scan["ld_headline"] == 'Riots live: "stones" thrown'


# ------------------------------------------------------------------------------------------- stage choice

def _stage_pick(html, traf_title, sitename=None, host="harbour-courier.example", traf_date=None):
    from pipeline.config import load_config
    from transforms.extract import Extract

    res = {"title": traf_title, "sitename": sitename, "hostname": host, "date": traf_date,
           "scan": md.scan_html(html)}
    return Extract(load_config())._pick_html_meta(res, "https://" + host + "/a")[:2]


def test_title_unrelated_to_page_title_gives_way_to_it():
    # trafilatura took a navigation heading; the page's <title> names the article, and an <h1> repeats it
    html = page("<title>Harbour Courier: Ferry terminal opens after two years of works</title>",
                "<h1>Site navigation</h1><h1>Ferry terminal opens after two years of works</h1>")
    assert _stage_pick(html, "Site navigation")[0] == "Ferry terminal opens after two years of works"
    # no <h1> repeats it: the cleaned <title>
    html = page("<title>Ferry terminal opens after two years of works | Harbour Courier</title>",
                "<h1>Press releases</h1><h1>Contact</h1>")
    assert _stage_pick(html, "Press releases", "Harbour Courier")[0] == "Ferry terminal opens after two years of works"


def test_title_backed_by_og_title_or_only_h1_is_kept_against_generic_page_title():
    html = page("<title>Home</title><meta property='og:title' content='Time to say goodbye'>",
                "<h1>Intro</h1><h1>Time to say goodbye</h1>")
    assert _stage_pick(html, "Time to say goodbye")[0] == "Time to say goodbye"
    html = page("<title>Day trips on the coast</title>", "<h1>Lighthouse walk</h1>")
    assert _stage_pick(html, "Lighthouse walk")[0] == "Lighthouse walk"


def test_title_that_is_the_page_titles_site_segment_is_replaced():
    # a logo <h1> ("Tideline Notes") that the <title> appends as the site name after the headline
    html = page("<title>Why the tide tables were wrong | Tideline Notes</title>", "<h1>Tideline Notes</h1>")
    assert _stage_pick(html, "Tideline Notes", host="tidelinenotes.example")[0] == "Why the tide tables were wrong"
    # breadcrumb order: site first
    html = page("<title>Tideline Notes » Blog Archive » Why the tide tables were wrong</title>",
                "<h1>Tideline Notes</h1>")
    assert _stage_pick(html, "Tideline Notes", host="tl.example")[0] == "Why the tide tables were wrong"
    # the headline at the end of "Site | Section | Headline" is backed by og:title: kept
    html = page("<title>Courier | Sport | Skiers quarrel over kit</title>"
                "<meta property='og:title' content='Skiers quarrel over kit'>", "<h1>Skiers quarrel over kit</h1>")
    assert _stage_pick(html, "Skiers quarrel over kit", host="tl.example")[0] == "Skiers quarrel over kit"



def test_page_title_cut_short_of_its_site_name_only_loses_the_section_segments_too():
    # trafilatura's title is the <title> less its last segment (the site): its section segments stay behind
    html = page("<title>Why the tide tables were wrong | Tides | Forum | Harbour Courier</title>")
    assert _stage_pick(html, "Why the tide tables were wrong | Tides | Forum", "Harbour Courier")[0] == \
        "Why the tide tables were wrong"
    # another separator inside the headline than before the site: the headline's own parts stay
    html = page("<title>Tide tables for the coast – part two | Harbour Courier</title>")
    assert _stage_pick(html, "Tide tables for the coast – part two", "Harbour Courier")[0] == \
        "Tide tables for the coast – part two"


def test_clean_title_strips_a_site_name_after_a_colon():
    from transforms.extract import clean_title

    host = "harbour-courier.example"
    assert clean_title("Ferry terminal opens: Harbour Courier", "Harbour Courier", host) == "Ferry terminal opens"
    # a colon inside the headline, or before anything but the site name itself, stays
    assert clean_title("Ferry terminal: what changes", "Harbour Courier", host) == "Ferry terminal: what changes"
    assert clean_title("Ferry terminal opens: Harbour news", "Harbour Courier", host) == \
        "Ferry terminal opens: Harbour news"


def test_clean_title_cuts_at_the_segment_naming_the_host_before_a_long_tail():
    from transforms.extract import clean_title

    title = "Why the tide tables were wrong : Tideline-Archiv | Notes on a changing coast | Founded 2005 | Year 6"
    assert clean_title(title, "Year 6", "tideline.example") == "Why the tide tables were wrong"
    assert clean_title(title, None, "tideline.example") == "Why the tide tables were wrong"
    # no segment names the host: the long tail may be the headline's own
    title = "Why the tide tables were wrong | Notes on a changing coast | Founded 2005"
    assert clean_title(title, None, "harbour.example") == title


def test_title_without_soft_hyphens():
    # soft hyphens (&shy;, invisible hyphenation points) in the markup or trafilatura's title are no part of it
    assert md.clean_text("Fähr&shy;termi&shy;nal er\u00adöffnet") == "Fährterminal eröffnet"
    html = page("<title>Fähr&shy;terminal er&shy;öffnet nach zwei Jahren</title>",
                "<h1>Fähr&shy;terminal er&shy;öffnet nach zwei Jahren</h1>")
    assert md.scan_html(html)["h1"] == ["Fährterminal eröffnet nach zwei Jahren"]
    assert _stage_pick(html, "Fähr\u00adterminal er\u00adöffnet nach zwei Jahren")[0] == \
        "Fährterminal eröffnet nach zwei Jahren"
    assert _stage_pick(page("<title>Fähr&shy;terminal er&shy;öffnet nach zwei Jahren</title>"),
                       "Fähr\u00adterminal er\u00adöffnet nach zwei Jahren")[0] == "Fährterminal eröffnet nach zwei Jahren"


def test_title_that_is_the_site_segment_plus_its_slogan_is_replaced():
    # a logo <h1> "Site name + slogan"; the <title> is "Headline » Site name"
    html = page("<title>Children and work » Tideline e.V.</title>",
                "<h1>Tideline e.V. Association for working children and youth</h1>")
    h1 = "Tideline e.V. Association for working children and youth"
    assert _stage_pick(html, h1, host="tideline.example")[0] == "Children and work"
    # og:title says the same as the <h1>: it is the headline
    html = page("<title>Children and work » Tideline e.V.</title>"
                f"<meta property='og:title' content='{h1}'>", f"<h1>{h1}</h1>")
    assert _stage_pick(html, h1, host="tideline.example")[0] == h1

# ------------------------------------------------------------------------------------------- headline date

def test_headline_date_after_first_h1():
    html = page("<script>var built = '2019-01-01';</script>",
                "<nav>Archive 12.03.2020</nav><article><h1>Ferry terminal opens</h1>"
                "<script>var x = '2018-05-05';</script><p class='date'>Veröffentlicht am 21. Januar 2022</p>"
                "<p>Text written on 3 March 2021.</p></article>")
    assert md.headline_date(html) == "2022-01-21"      # not the one above the <h1>, nor in a script
    assert md.scan_html(html)["headline_date"] == "2022-01-21"
    assert md.headline_date(page("", "<h1>No date here</h1><p>Just words.</p>")) is None
    assert md.headline_date(page("", "<p>21.01.2022</p>")) is None          # no <h1>
    assert md.headline_date(page("", "<h1>H</h1><p>21.01.2099</p>"), max_date="2030-12-31") is None


def test_headline_date_breaks_a_disagreement_and_fills_a_gap():
    head = ('<meta property="article:published_time" content="2023-11-06T08:00:00+01:00">'
            + ld({"@type": "NewsArticle", "datePublished": "2023-11-03T10:00:00+01:00"}))
    shown = page(head, "<h1>Heat pumps</h1><p>6. November 2023</p>")
    # JSON-LD, meta and htmldate disagree: the one also shown under the headline wins
    assert md.pick_published(md.scan_html(shown), "2023-11-06") == "2023-11-06"
    # no disagreement: the precedence as before (JSON-LD first), whatever the visible date, when JSON-LD and the
    # meta tags agree (a single structured date gives way to a later by-line date that is no update:
    # test_later_by_line_date_beats_a_single_structured_date_unless_it_is_an_update)
    one = page(ld({"@type": "NewsArticle", "datePublished": "2023-11-03"})
               + '<meta property="article:published_time" content="2023-11-03">',
               "<h1>Heat pumps</h1><p>6. November 2023</p>")
    assert md.pick_published(md.scan_html(one), "2023-11-03") == "2023-11-03"
    # nothing machine-readable: the visible date under the headline
    bare = page("", "<h1>Heat pumps</h1><p>Posted on 6 November 2023</p>")
    assert md.pick_published(md.scan_html(bare), None) == "2023-11-06"


def test_site_name_guessed_from_the_title_is_not_stripped():
    # trafilatura's site name is a piece of the headline and unlike the host name: the headline stays whole
    html = page("<title>Puppies for sale – advice for every breed | Puppyshop24</title>",
                "<h1>Puppies for sale – advice for every breed</h1>")
    assert _stage_pick(html, "Puppies for sale – advice for every breed", "Puppies",
                       host="archive.example")[0] == "Puppies for sale – advice for every breed"
    # ... or the whole title, which is also the page's <h1>: not replaced by the page's <title>
    html = page("<title>Results: junior relay, 19.5.2007 | Athletics Club East</title>",
                "<h1>Results: junior relay, 19.5.2007</h1>")
    assert _stage_pick(html, "Results: junior relay, 19.5.2007", "Results: junior relay, 19.5.2007",
                       host="ace-athletics.example")[0] == "Results: junior relay, 19.5.2007"
    # a real site name (a whole segment at the end) is still stripped
    html = page("<title>Net policy in the campaign - Net For All</title>")
    assert _stage_pick(html, "Net policy in the campaign - Net For All", "Net For All",
                       host="blog.example")[0] == "Net policy in the campaign"


def test_utc_edge_date_gives_way_to_the_local_day_under_the_headline():
    # published 02:00 UTC = the evening before in the Americas; the by-line shows the local day
    html = page('<meta property="article:published_time" content="2022-05-04T02:00:00Z">',
                "<h1>Election debate</h1><p>3 May 2022</p>")
    assert md.pick_published(md.scan_html(html), None) == "2022-05-03"
    # not near midnight, JSON-LD and the meta tag agreeing: the structured day stands (a single structured date
    # gives way to an earlier by-line date: test_pick_published_by_line_against_a_single_machine_date)
    html = page('<meta property="article:published_time" content="2022-05-04T12:00:00Z">'
                + ld({"@type": "NewsArticle", "datePublished": "2022-05-04T12:00:00Z"}),
                "<h1>Election debate</h1><p>3 May 2022</p>")
    assert md.pick_published(md.scan_html(html), None) == "2022-05-04"


def test_headline_date_ignores_dates_in_tag_attributes():
    # a class holding ">" (utility-CSS selectors) must not end the tag early: the image URL's date is no by-line
    html = page("", '<h1>Bridge reopens</h1><img class="[&>p]:mb-7" src="/img/2019/04/04/bridge.jpg">'
                    "<p>12.05.2021</p>")
    assert md.headline_date(html) == "2021-05-12"
    # nor a JSON value left over from broken markup
    html = page("", '<h1>Live</h1><div data-json="{"created":"2024-08-05T10:31:29Z"}">x</div><p>4 August 2024</p>')
    assert md.headline_date(html) == "2024-08-04"


def test_headline_date_is_the_first_in_the_text_whatever_its_form():
    html = page("", "<h1>Accident</h1><p>1. November 2023</p><p>Police: at 31.10.2023, 23:40 a car hit ...</p>")
    assert md.headline_date(html) == "2023-11-01"


def test_headline_date_passes_over_running_text_and_captions():
    html = page("", "<h1>Centre opens</h1><p>Das Zentrum wurde am 18. Oktober 2021 eröffnet.</p>"
                    "<p class='date'>20.10.2021</p>")
    assert md.headline_date(html) == "2021-10-20"
    html = page("", "<h1>Troops</h1><p>Soldaten im Einsatz (Kundus, 6.12.2010)</p><p>25.04.2024</p>")
    assert md.headline_date(html) == "2024-04-25"
    html = page("", "<h1>Ferry</h1><p>A ferry April 24, 2023 in this picture.</p><p>Reuters, May 2, 2023</p>")
    assert md.headline_date(html) == "2023-05-02"
    html = page("", "<h1>Stories</h1><p>— Someone (@someone) November 3, 2023</p><p>06.11.2023</p>")
    assert md.headline_date(html) == "2023-11-06"
    html = page("", "<h1>Meetup</h1><p>Der nächste Stammtisch findet am Mi. 5. Februar 2020 statt</p><p>29.01.2020</p>")
    assert md.headline_date(html) == "2020-01-29"
    # labelled date lines and time stamps stay date lines, with or without a preposition
    assert md.headline_date(page("", "<h1>H</h1><p>Pressemitteilung vom 20.01.2022</p>")) == "2022-01-20"
    assert md.headline_date(page("", "<h1>H</h1><p>Publicado el 03/05/2022</p>")) == "2022-03-05"
    assert md.headline_date(page("", "<h1>H</h1><p>wurde am 19. Mai 2010 um 23:03 Uhr gepostet</p>")) == "2010-05-19"


def test_headline_date_not_taken_from_the_headline_itself():
    html = page("", "<h1>Results: junior relay, 19.5.2007</h1><p>by Marc S. | 20. Mai 2007</p>")
    assert md.headline_date(html) == "2007-05-20"


def test_headline_date_slash_order_follows_the_page_language():
    body = "<body><h1>Budget vote</h1><p>03/05/2022 20:36</p></body></html>"
    assert md.headline_date('<html lang="pt-BR"><head></head>' + body) == "2022-05-03"
    assert md.headline_date('<html lang="en-GB"><head></head>' + body) == "2022-05-03"
    assert md.headline_date('<html lang="en-US"><head></head>' + body) == "2022-03-05"
    assert md.headline_date("<html><head></head>" + body) == "2022-03-05"          # unknown: month first
    assert md.headline_date('<html lang="de"><head></head><body><h1>B</h1><p>17/02/2022</p></body></html>') == "2022-02-17"


def test_pick_published_by_line_against_a_single_machine_date():
    meta = '<meta property="article:published_time" content="2021-10-15">'
    # an earlier by-line date is the original publication: the single meta tag carries a later one
    earlier = md.scan_html(page(meta, "<h1>New president</h1><p>Erschienen am: 13.10.2021</p>"))
    assert md.pick_published(earlier, "2021-10-15") == "2021-10-13"
    # a later by-line date (an update) does not replace it
    later = md.scan_html(page(meta, "<h1>New president</h1><p>Updated 20.10.2021</p>"))
    assert md.pick_published(later, "2021-10-15") == "2021-10-15"
    # JSON-LD and the meta tag agree: they stand against any by-line date
    both = md.scan_html(page(meta + ld({"@type": "NewsArticle", "datePublished": "2021-10-15T10:00:00+02:00"}),
                             "<h1>New president</h1><p>13.10.2021</p>"))
    assert md.pick_published(both, "2021-10-15") == "2021-10-15"
    # htmldate's guess alone gives way to the by-line, earlier or later
    bare = md.scan_html(page("", "<h1>Puberty</h1><p>Familie 17.02.2022</p>"))
    assert md.pick_published(bare, "2022-02-09") == "2022-02-17"


def test_page_text_date_first_date_line_of_the_visible_text():
    # the date above the headline, with a menu, a script and a footer holding other dates
    html = page("<script>var built = '2019-01-01';</script>",
                "<nav>Archiv 12.03.2020</nav><p class='kicker'>Info 21.01.2022</p><h1>Annual report</h1>"
                "<p>Die Messreihe begann am 3. März 1998 und ...</p><footer>Stand 01.02.2023</footer>")
    assert md.page_text_date(html) == "2022-01-21"
    # no <h1>, the date far down the page after running text that names another one
    html = page("", "<div>" + "Teaser words. " * 400 + "Die Aktion lief am 18. Oktober 2021 an.</div>"
                    "<p>Datum: 03.11.2021 Autor: P. M.</p>")
    assert md.page_text_date(html) == "2021-11-03"
    assert md.page_text_date(page("", "<p>No date at all.</p>")) is None
    assert md.page_text_date(page("", "<p>Datum: 03.11.2099</p>"), max_date="2030-12-31") is None
    assert md.page_text_date("") is None


def test_page_date_is_the_last_resort_of_pick_published():
    scan = md.scan_html(page("", "<p>Info 21.01.2022</p><h1>Report</h1>"))
    assert scan["page_date"] is None                       # the caller fills it in, on dateless pages only
    scan["page_date"] = "2022-01-21"
    assert md.pick_published(scan, None) == "2022-01-21"
    assert md.pick_published(scan, "2022-01-20") == "2022-01-20"          # any other date comes first


def test_pick_title_only_h1_unrelated_to_page_and_og_title_wins():
    scan = md.scan_html(page('<title>Hazard service - Qualis</title><meta property="og:title" content="Hazard service">',
                             "<h1>Managing dangerous goods for makers and importers</h1>"))
    assert md.pick_title(scan, "Hazard service") == "Managing dangerous goods for makers and importers"
    # a blog's name <h1> is part of the page title: it does not win
    scan = md.scan_html(page("<title>Beef liver with apple and onion | Love goes through the stomach</title>",
                             "<h1>Love goes through the stomach</h1>"))
    assert md.pick_title(scan, "Beef liver with apple and onion") == "Beef liver with apple and onion"
    # nor a short label, nor one <h1> among several
    scan = md.scan_html(page("<title>Hazard service - Qualis</title>", "<h1>Our services</h1>"))
    assert md.pick_title(scan, "Hazard service") == "Hazard service"
    scan = md.scan_html(page("<title>Hazard service - Qualis</title>",
                             "<h1>Managing dangerous goods for makers</h1><h1>More from our blog</h1>"))
    assert md.pick_title(scan, "Hazard service") == "Hazard service"


def test_pick_title_h1_continuing_the_page_title_wins():
    # the <title> left out the end of the headline
    scan = md.scan_html(page("<title>Lemon cake from the tray | Baking Joy</title>",
                             "<h1>Lemon cake from the tray: simply delicious!</h1>"))
    assert md.pick_title(scan, "Lemon cake from the tray") == "Lemon cake from the tray: simply delicious!"
    # a kicker before the page title, or a "| Site" / date line after it, still gives way to the page title
    for h1 in ("Recipes: Lemon cake from the tray", "Lemon cake from the tray | FASSETTE.NET",
               "Lemon cake from the tray 02.02.2022 • Recipes"):
        scan = md.scan_html(page("<title>Lemon cake from the tray</title>", f"<h1>{h1}</h1>"))
        assert md.pick_title(scan, "Lemon cake from the tray") == "Lemon cake from the tray", h1


def test_h1_texts_leave_out_a_kicker_element():
    assert md.h1_texts('<h1><span class="dachzeile">Internal papers online</span> '
                       '<span class="headline">Harbour data hacked</span></h1>') == ["Harbour data hacked"]
    assert md.h1_texts('<h1><span class="article-heading__kicker">Climate</span> : Drilling until it gets hot'
                       '</h1>') == ["Drilling until it gets hot"]
    # an <h1> that is all kicker keeps its text; other inner elements stay
    assert md.h1_texts('<h1><span class="kicker">Ferry news</span></h1>') == ["Ferry news"]
    assert md.h1_texts('<h1><span class="title">Ferry</span> <em>opens</em></h1>') == ["Ferry opens"]


def test_local_midnight_written_in_utc_is_the_next_day():
    # a day-only date of a Central European CMS stored as its midnight in UTC: the page's day is the next one,
    # and it does not give way to htmldate's reading of the same tag (the UTC day) as a near-midnight stamp
    html = page('<meta property="article:published_time" content="2022-11-06T23:00:00.000Z">', "<h1>Provence</h1>")
    assert md.pick_published(md.scan_html(html), "2022-11-06") == "2022-11-07"
    assert md.parse_date("2021-11-04T22:00Z") == "2021-11-05"
    # a real evening time in UTC, a full hour earlier, or a local time with its own offset stay on their day
    assert md.parse_date("2022-11-06T23:14:00Z") == "2022-11-06"
    assert md.parse_date("2025-11-06T20:00:00.000Z") == "2025-11-06"
    assert md.parse_date("2022-11-06T23:00:00+01:00") == "2022-11-06"
    assert md.parse_date("2022-11-06 23:00:00") == "2022-11-06"


def test_early_utc_stamp_stays_on_its_day_on_a_page_east_of_utc():
    # 05:49 UTC is the same morning in Germany: htmldate's day before (a modified date) does not win
    body = ld({"@type": "Article", "datePublished": "2022-12-21T05:49:28+00:00"}) + "<h1>Sports hall</h1>"
    html = f"<!DOCTYPE html><html lang='de-DE'><head></head><body>{body}</body></html>"
    assert md.pick_published(md.scan_html(html), "2022-12-20") == "2022-12-21"
    # the same stamp on an English page may be the evening before in the Americas: htmldate's day stands
    html = f"<!DOCTYPE html><html lang='en-US'><head></head><body>{body}</body></html>"
    assert md.pick_published(md.scan_html(html), "2022-12-20") == "2022-12-20"
    # and a late stamp on the German page is still near the next day there
    body = ld({"@type": "Article", "datePublished": "2022-12-20T22:49:28+00:00"}) + "<h1>Sports hall</h1>"
    html = f"<!DOCTYPE html><html lang='de-DE'><head></head><body>{body}</body></html>"
    assert md.pick_published(md.scan_html(html), "2022-12-21") == "2022-12-21"


def test_later_by_line_date_beats_a_single_structured_date_unless_it_is_an_update():
    head = '<meta property="article:published_time" content="2021-12-20T09:00:00+01:00">'
    html = page(head, "<h1>Riesling birthday</h1><p>Meldungen 27.01.2022</p><p>Text</p>")
    assert md.pick_published(md.scan_html(html), "2021-12-20") == "2022-01-27"
    # an update label before or after the by-line date: the structured date is the publication
    html = page(head, "<h1>Riesling birthday</h1><p>By Ann Lee Updated Jan 27, 2022 @ 10:42 am</p>")
    assert md.pick_published(md.scan_html(html), "2021-12-20") == "2021-12-20"
    html = page(head, "<h1>Riesling birthday</h1><p>CNN January 27, 2022 -- Updated 0203 GMT</p>")
    assert md.pick_published(md.scan_html(html), "2021-12-20") == "2021-12-20"
    # JSON-LD and the meta tags agreeing stand against a later by-line (a live blog's last entry)
    html = page(head + ld({"@type": "NewsArticle", "datePublished": "2021-12-20T09:00:00+01:00"}),
                "<h1>Live: the vintage</h1><p>Redaktion 27.01.2022, 11.08 Uhr</p>")
    assert md.pick_published(md.scan_html(html), "2021-12-20") == "2021-12-20"


def test_event_date_after_its_label_is_no_date_line():
    html = page("", "<h1>Whisky tastings</h1><p>Februar 2020 Termin: 21.02.2020, 19 Uhr Ort: Bar</p>")
    assert md.headline_date(html) is None
    html = page("", "<h1>Whisky tastings</h1><p>Datum: 21.02.2020, 19 Uhr</p>")
    assert md.headline_date(html) == "2020-02-21"


def _stage_published(html, url):
    from pipeline.config import load_config
    from transforms.extract import Extract

    cfg = load_config()
    cfg["extract"]["timeout_seconds"] = 0
    return Extract(cfg)({"_raw": html, "url": url, "_format": "html"})["published"]


_EPISODE = ("<p>{line}</p><h1>Episode 158: the long night</h1>"
            + "<p>We talk about the long night, the stars and the sea, for an hour and more.</p>" * 8)


def test_labelled_date_line_beats_htmldate_alone():
    # htmldate's only source is the URL (a later re-upload); the text says when the episode was published
    url = "https://podcast.example/2019/08/24/episode-158/"
    html = page("<title>Episode 158</title>", _EPISODE.format(line="Veröffentlicht am 16.08.2019"))
    assert _stage_published(html, url) == "2019-08-16"
    # an unlabelled first date line (a header's "today", a comment) does not overrule htmldate
    html = page("<title>Episode 158</title>", _EPISODE.format(line="Mittwoch, 16.08.2019"))
    assert _stage_published(html, url) == "2019-08-24"


def test_htmldate_first_of_january_gives_way_to_a_date_line():
    # htmldate's 1 January is a year only (from the URL here): the text's date line is the day
    scan = md.scan_html(page("", "<p>By the kitchen, June 13, 2019</p>"))
    scan["page_date"], scan["page_date_labelled"] = md.page_text_date_labelled(page("", "<p>June 13, 2019</p>"))
    assert md.pick_published(scan, "2004-01-01") == "2019-06-13"
    assert md.pick_published(scan, "2004-03-01") == "2004-03-01"


def test_russian_and_ukrainian_month_names():
    html = page("", "<h1>Подольски завершил карьеру</h1><p class='date'>15 августа 2016, 13:43</p>")
    assert md.headline_date(html) == "2016-08-15"
    html = page("", "<h1>Новини</h1><p>3 березня 2022</p>")
    assert md.headline_date(html) == "2022-03-03"
    # a day and month without a year stay no date
    html = page("", "<h1>Новини</h1><p>15 августа в 13:43</p>")
    assert md.headline_date(html) is None


def test_raw_iso_time_stamp_in_the_text_is_no_by_line():
    html = page("", "<h1>HIV</h1><p>Isabell Angele 2022-12-07T10:10:52+01:00 25. Dezember 2022 | Ihr Magazin</p>")
    assert md.headline_date(html) == "2022-12-25"
    assert md.page_text_date(html) == "2022-12-25"
    # an ISO date written for readers, with or without its time, stays a date line
    html = page("", "<h1>HIV</h1><p>Published 2022-12-07 10:10</p><p>25. Dezember 2022</p>")
    assert md.headline_date(html) == "2022-12-07"


def test_labelled_publication_line_after_an_update_line_beats_htmldate():
    url = "https://reviews.example/books/anleitungen-30063.html"
    line = "Letzte Änderung: 31.10.2023 - 14:49:39 Erschienen am: 01.11.2023"
    html = page("<title>Review</title><meta http-equiv='last-modified' content='2023-10-31'>",
                _EPISODE.format(line=line))
    scan = md.scan_html(html)
    scan["page_date"], scan["page_date_labelled"] = md.page_text_date_labelled(html)
    assert md.pick_published(scan, "2023-10-31") == "2023-11-01"
    # the next date line unlabelled: the update line stays the text's date, unlabelled; htmldate's date stands
    html = page("", _EPISODE.format(line="Letzte Änderung: 31.10.2023 Lesungen: 61, 01.11.2023"))
    assert md.page_text_date_labelled(html) == ("2023-10-31", False)
    scan = md.scan_html(html)
    scan["page_date"], scan["page_date_labelled"] = md.page_text_date_labelled(html)
    assert md.pick_published(scan, "2023-10-30") == "2023-10-30"
    # the plain page_text_date is unchanged: the first date line
    assert md.page_text_date(page("", "<p>" + line + "</p>")) == "2023-10-31"


def test_year_windows_never_hide_a_date():
    """_date_candidates runs the date patterns only around four-digit years: the same dates as a scan of the
    whole text, for every pattern, at text edges, with lo/hi bounds and with uncollapsed spaces."""
    from transforms import metadata as m
    from transforms.extract import _DATE_PATTERNS, date_of_match

    def full_scan(text, day_first, lo=0, hi=None):
        found = sorted((x.start(), x.end(), date_of_match(x, kind, day_first)) for rx, kind in _DATE_PATTERNS
                       for x in rx.finditer(text, lo, len(text) if hi is None else hi))
        out = []
        for f in found:
            if f[2] and (not out or f[0] >= out[-1][1]):
                out.append(f)
        return out

    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 3
    dates = ["2022-05-04", "2021/12/31", "04.05.2022", "4. 5. 2022", "03/05/2022", "21st of", "5 de mayo de 2021",
             "12. Oktober 2023", "September 14th, 2020", "Sept. 3, 2019", "15 августа 2016", "1er janvier 2020",
             "12345 items in 2023", "in 20222 or 1999-13-40"]
    text = filler.join(dates) + " " + "2020-02-02"
    spaced = "Published on May 4," + " " * 40 + "2022 and 7 June          2021"
    for t in (text, "2022-05-04 first", spaced, "no year at all here", ""):
        for df in (True, False):
            for lo, hi in ((0, None), (5, len(t) - 3 if t else 0), (60, 400)):
                assert m._date_candidates(t, df, lo, hi) == full_scan(t, df, lo, hi)
    got = [d for _, _, d in m._date_candidates(text, True)]
    assert {"2022-05-04", "2021-12-31", "2021-05-05", "2023-10-12", "2020-09-14", "2016-08-15"} <= set(got)
    assert [d for _, _, d in m._date_candidates(spaced, True)] == ["2022-05-04", "2021-06-07"]
