"""Unit tests of the extract stage (transforms/extract.py) on small hand-written documents."""
from __future__ import annotations

import copy
import os
import textwrap
import threading
import time

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from pipeline.config import load_config
from transforms.base import Reject
from transforms import extract as ex_mod
from transforms.extract import Extract, ExtractTransform, find_date, parse_byline, parse_text_document


@pytest.fixture(scope="module")
def cfg():
    return load_config()


def rec(raw, fmt="html", **kw):
    r = {"id": "d1", "source": "test/d1", "url": None, "title": None, "published": None, "authors": [],
         "site": None, "_format": fmt, "_raw": raw}
    r.update(kw)
    return r


PARAS = [
    "The city council of Riverton voted on Tuesday evening to approve a new budget for public transport, "
    "ending months of debate between the mayor and opposition members over bus fares and tram lines.",
    "Under the plan, fares for students and pensioners will fall by a third from next spring, while two "
    "new tram lines will connect the northern districts with the central station by the end of 2026.",
    "Critics said the council had not explained how the additional costs would be covered in the long run, "
    "and warned that other services such as libraries and parks could face cuts in the coming years.",
    "The mayor rejected the criticism and said the investment would pay for itself through fewer cars, "
    "cleaner air and more customers for shops in the town centre, which has struggled since the pandemic.",
]

HTML = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Riverton approves transport budget | Riverton Gazette</title>
<meta property="og:title" content="Riverton approves transport budget">
<meta property="og:site_name" content="Riverton Gazette">
<meta name="author" content="Jane Doe; John Roe">
<meta property="article:published_time" content="2024-03-05T09:30:00Z">
<link rel="canonical" href="https://www.riverton-gazette.example/news/2024/03/05/transport-budget">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article>
<h1>Riverton approves transport budget</h1>
<p class="byline">By Jane Doe and John Roe</p>
{paras}
</article>
<section id="comments" class="comments">
<h2>Comments</h2>
<div class="comment"><p>What a terrible decision, the council never listens to residents of the north
side and this budget proves it once again beyond any doubt whatsoever.</p></div>
<div class="comment"><p>Finally some good news for students, I have been waiting for cheaper fares
for years and years and I am very happy about this outcome today.</p></div>
</section>
</main>
<footer><p>Contact us</p></footer>
</body></html>
""".replace("{paras}", "\n".join(f"<p>{p}</p>" for p in PARAS))


# ------------------------------------------------------------------------------------------- HTML

EMPTY_PAGE = "<html><head><title>x</title><script>var a = 1;</script></head><body><img src='a.png'></body></html>"

def test_html_metadata_fields(cfg):
    out = Extract(cfg)(rec(HTML))
    assert out["title"] == "Riverton approves transport budget"
    assert out["authors"] == ["Jane Doe", "John Roe"]
    assert out["published"] == "2024-03-05"
    assert out["site"] == "Riverton Gazette"
    assert out["url"] == "https://www.riverton-gazette.example/news/2024/03/05/transport-budget"
    assert "_raw" not in out


def test_html_paragraphs_one_blank_line_and_comments_excluded(cfg):
    out = Extract(cfg)(rec(HTML))
    text = out["text"]
    for p in PARAS:
        assert p in text
    assert "\n\n\n" not in text
    parts = text.split("\n\n")
    assert all(p.strip() and "\n" not in p for p in parts)
    assert parts[-1] == PARAS[-1]
    assert "terrible decision" not in text and "cheaper fares" not in text
    assert not text.startswith("Riverton approves transport budget")  # title is its own field


def test_html_comments_included_when_configured(cfg):
    c = copy.deepcopy(cfg)
    c["extract"]["include_comments"] = True
    out = Extract(c)(rec(HTML))
    assert "cheaper fares" in out["text"]


def test_html_input_hints_win(cfg):
    out = Extract(cfg)(rec(HTML, url="https://mirror.example/a", title="Given title", published="2024-01-02",
                           site="Given site"))
    assert out["url"] == "https://mirror.example/a"
    assert out["title"] == "Given title"
    assert out["published"] == "2024-01-02"
    assert out["site"] == "Given site"


def test_html_site_falls_back_to_hostname(cfg):
    page = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</article></body></html>"
    out = Extract(cfg)(rec(page, url="https://www.example.org/x/1"))
    assert out["site"] == "example.org"
    assert out["published"] is None  # no date anywhere: never today's date


def test_html_date_line_above_the_headline_when_nothing_else_dates_the_page(cfg):
    page = ("<html><head><title>A story</title></head><body><p class='kicker'>Info 21.01.2022</p>"
            "<h1>Riverton budget approved</h1><article>" + "".join(f"<p>{p}</p>" for p in PARAS)
            + "</article></body></html>")
    out = Extract(cfg)(rec(page))
    assert out["published"] == "2022-01-21"


def test_html_without_date_is_null_not_today(cfg):
    page = ("<html><head><title>A story</title></head><body><article>"
            + "".join(f"<p>{p}</p>" for p in PARAS) + "<p>© 2023 Example</p></article></body></html>")
    out = Extract(cfg)(rec(page))
    assert out["published"] is None


def test_html_no_text_rejected(cfg):
    with pytest.raises(Reject) as ei:
        Extract(cfg)(rec(EMPTY_PAGE))
    assert ei.value.reason == "no_text"


def test_min_text_chars(cfg):
    c = copy.deepcopy(cfg)
    c["extract"]["min_text_chars"] = 5000
    with pytest.raises(Reject) as ei:
        Extract(c)(rec(HTML))
    assert ei.value.reason == "no_text"


def test_deterministic(cfg):
    a = Extract(cfg)(rec(HTML))
    b = Extract(cfg)(rec(HTML))
    assert a == b
    t1 = Extract(cfg)(rec(MD_DE, fmt="markdown"))
    t2 = Extract(cfg)(rec(MD_DE, fmt="markdown"))
    assert t1 == t2


def test_process_mode_in_worker_thread_same_result(cfg):
    """Off the main thread the extraction runs in a child process; the result is identical."""
    direct = Extract(cfg, mode="signal")(rec(HTML))
    stage = Extract(cfg)  # auto
    box = {}
    th = threading.Thread(target=lambda: box.setdefault("out", stage(rec(HTML))))
    th.start()
    th.join(60)
    try:
        assert stage._worker is not None  # really went through the child process
        assert box["out"] == direct
    finally:
        stage.close()


# --------------------------------------------------------------------------------------- timeout

def _slow_extract(raw, url, opts):
    time.sleep(30)
    return {"text": "never"}


def test_timeout_signal_main_thread(cfg, monkeypatch):
    c = copy.deepcopy(cfg)
    c["extract"]["timeout_seconds"] = 0.3
    monkeypatch.setattr(ex_mod, "extract_html", _slow_extract)
    stage = Extract(c, mode="signal")
    with pytest.raises(Reject) as ei:
        stage(rec(HTML))
    assert ei.value.reason == "timeout"
    # the stage keeps working after a timeout
    monkeypatch.undo()
    assert Extract(cfg, mode="signal")(rec(HTML))["text"]


def test_timeout_process_mode(cfg, tmp_path, monkeypatch):
    (tmp_path / "nb_slow_extract.py").write_text(textwrap.dedent("""
        import time
        def slow(raw, url, opts):
            time.sleep(30)
            return {"text": "never"}
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    c = copy.deepcopy(cfg)
    c["extract"]["timeout_seconds"] = 1.0
    stage = Extract(c, mode="process")
    try:
        stage.html_target = "nb_slow_extract:slow"
        with pytest.raises(Reject) as ei:
            stage(rec(HTML))
        assert ei.value.reason == "timeout"
        # next document: a fresh child, normal extraction
        stage.html_target = ex_mod._HTML_TARGET
        assert "Riverton" in stage(rec(HTML))["text"]
    finally:
        stage.close()


def test_timeout_from_worker_thread(cfg, monkeypatch, tmp_path):
    (tmp_path / "nb_slow_extract2.py").write_text(
        "import time\ndef slow(raw, url, opts):\n    time.sleep(30)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    c = copy.deepcopy(cfg)
    c["extract"]["timeout_seconds"] = 1.0
    stage = Extract(c)
    stage.html_target = "nb_slow_extract2:slow"
    box = {}

    def work():
        try:
            stage(rec(HTML))
        except Reject as exc:
            box["reason"] = exc.reason

    th = threading.Thread(target=work)
    th.start()
    th.join(60)
    stage.close()
    assert box.get("reason") == "timeout"


def test_pathological_deep_html_is_bounded(cfg):
    """A huge deeply nested page either extracts or is rejected (timeout/no_text), never hangs."""
    c = copy.deepcopy(cfg)
    c["extract"]["timeout_seconds"] = 2.0
    page = "<html><body>" + "<div>" * 5000 + "<p>deep text here</p>" * 2000 + "</div>" * 5000 + "</body></html>"
    stage = Extract(c, mode="process")
    t = time.monotonic()
    try:
        try:
            stage(rec(page))
        except Reject as exc:
            assert exc.reason in ("timeout", "no_text")
    finally:
        stage.close()
    assert time.monotonic() - t < 30


# ------------------------------------------------------------------------------- text / markdown

TXT_EN = """Storm hits the northern coast

By Jane Doe and John Roe | March 5, 2024

The storm reached the coast on Tuesday night, bringing winds of up to 120 kilometres an hour.
Thousands of residents were evacuated from low-lying areas before the water rose.
Emergency services said no one had been seriously injured.

Original url: https://news.example.com/storm
"""

MD_DE = """# Sturm trifft die Nordküste

Von **Hans Müller** und Eva Schmidt

Veröffentlicht am 5. März 2024

Der Sturm erreichte die Küste am Dienstagabend mit Windgeschwindigkeiten von bis zu
120 Kilometern pro Stunde. Mehr dazu [auf unserer Seite](https://example.de/mehr).

![Ein Bild](https://example.de/bild.jpg)

## Evakuierungen

Tausende Bewohner wurden _rechtzeitig_ aus den tief gelegenen Gebieten gebracht.

- erster Punkt
- zweiter Punkt

```
code bleibt erhalten
```

Quelle: https://example.de/sturm
"""

TXT_FR = """Tempête sur la côte nord
Par Jean Dupont et Marie Martin
Publié le 5 mars 2024
La tempête a atteint la côte mardi soir, avec des vents allant jusqu'à 120 kilomètres par heure.
Des milliers d'habitants ont été évacués avant la montée des eaux.
"""

TXT_ES = """Tormenta en la costa norte

Por Ana García

5 de marzo de 2024

La tormenta llegó a la costa el martes por la noche con vientos de hasta 120 kilómetros por hora.

Fuente: https://ejemplo.es/tormenta
"""

TXT_IT = """Tempesta sulla costa

Di Mario Rossi

05.03.2024

La tempesta ha raggiunto la costa martedì sera con venti fino a 120 chilometri all'ora.
"""


def test_text_header_english(cfg):
    out = Extract(cfg)(rec(TXT_EN, fmt="text"))
    assert out["title"] == "Storm hits the northern coast"
    assert out["authors"] == ["Jane Doe", "John Roe"]
    assert out["published"] == "2024-03-05"
    assert out["url"] == "https://news.example.com/storm"
    assert out["site"] == "news.example.com"
    assert out["text"].startswith("The storm reached the coast")
    assert "Original url" not in out["text"] and "By Jane" not in out["text"]
    # one paragraph a line in the dump -> each line its own paragraph
    assert out["text"].count("\n\n") == 2 and "\n\n\n" not in out["text"]


def test_markdown_header_and_markup_german(cfg):
    out = Extract(cfg)(rec(MD_DE, fmt="markdown"))
    assert out["title"] == "Sturm trifft die Nordküste"
    assert out["authors"] == ["Hans Müller", "Eva Schmidt"]
    assert out["published"] == "2024-03-05"
    assert out["url"] == "https://example.de/sturm"
    paras = out["text"].split("\n\n")
    assert paras[0] == ("Der Sturm erreichte die Küste am Dienstagabend mit Windgeschwindigkeiten von bis zu "
                        "120 Kilometern pro Stunde. Mehr dazu auf unserer Seite.")
    assert "Evakuierungen" in paras
    assert "Tausende Bewohner wurden rechtzeitig aus den tief gelegenen Gebieten gebracht." in paras
    assert "- erster Punkt" in paras and "- zweiter Punkt" in paras
    assert "code bleibt erhalten" in paras
    for junk in ("#", "**", "](", "![", "Quelle", "bild.jpg", "Veröffentlicht"):
        assert junk not in out["text"]


def test_text_header_french_without_blank_lines(cfg):
    out = Extract(cfg)(rec(TXT_FR, fmt="text"))
    assert out["title"] == "Tempête sur la côte nord"
    assert out["authors"] == ["Jean Dupont", "Marie Martin"]
    assert out["published"] == "2024-03-05"
    assert out["text"].split("\n\n")[0].startswith("La tempête a atteint")


def test_text_header_spanish_and_italian(cfg):
    es = Extract(cfg)(rec(TXT_ES, fmt="text"))
    assert (es["title"], es["authors"], es["published"], es["url"]) == (
        "Tormenta en la costa norte", ["Ana García"], "2024-03-05", "https://ejemplo.es/tormenta")
    assert es["text"].startswith("La tormenta llegó")
    it = Extract(cfg)(rec(TXT_IT, fmt="text"))
    assert (it["title"], it["authors"], it["published"]) == ("Tempesta sulla costa", ["Mario Rossi"], "2024-03-05")


def test_text_input_values_win(cfg):
    out = Extract(cfg)(rec(TXT_EN, fmt="text", url="https://given.example/x", title="Given", published="2020-01-01"))
    assert (out["url"], out["title"], out["published"]) == ("https://given.example/x", "Given", "2020-01-01")
    assert "Original url" not in out["text"]


def test_text_normalisation_and_hard_wraps(cfg):
    raw = ("First paragraph of the article is wrapped at a fixed width by the old\r\n"
           "mail program, and it continues on this line with more words until the\r\n"
           "sentence ends here.   \r\n\r\n\r\n\r\n"
           "Second paragraph is short.\r\n")
    out = Extract(cfg)(rec(raw, fmt="text"))
    assert out["text"] == ("First paragraph of the article is wrapped at a fixed width by the old mail program, "
                           "and it continues on this line with more words until the sentence ends here.\n\n"
                           "Second paragraph is short.")
    assert out["title"] is None


def test_text_real_first_sentence_is_not_metadata(cfg):
    raw = ("By the time the rescue teams arrived, the water had already reached the first floor of most houses.\n"
           "March was the wettest month on record.\n")
    out = Extract(cfg)(rec(raw, fmt="text"))
    assert out["authors"] == [] and out["published"] is None and out["title"] is None
    assert out["text"].startswith("By the time the rescue teams arrived")


def test_text_empty_rejected(cfg):
    with pytest.raises(Reject) as ei:
        Extract(cfg)(rec("Title only\n\nURL: https://x.example/a\n", fmt="text"))
    assert ei.value.reason == "no_text"


@pytest.mark.parametrize("line,iso", [
    ("Published: 2024-03-05", "2024-03-05"),
    ("March 5, 2024", "2024-03-05"),
    ("Tuesday, Mar. 5th, 2024 10:30 AM EST", "2024-03-05"),
    ("5 mars 2024", "2024-03-05"),
    ("1er mars 2024", "2024-03-01"),
    ("05.03.2024", "2024-03-05"),
    ("5 de marzo de 2024", "2024-03-05"),
    ("5 marzo 2024", "2024-03-05"),
    ("Dienstag, 5. März 2024, 14:00 Uhr", "2024-03-05"),
])
def test_find_date(line, iso):
    from transforms.extract import parse_date_line
    assert parse_date_line(line) == iso


def test_date_line_not_in_sentence():
    from transforms.extract import parse_date_line
    assert parse_date_line("The council met on March 5, 2024 to discuss the budget") is None
    assert parse_date_line("Updated: sometime in spring") is None  # dateutil would guess: refused
    assert find_date("31.02.2024") is None


def test_parse_byline():
    assert parse_byline("By Jane Doe and John E. Smith") == ["Jane Doe", "John E. Smith"]
    assert parse_byline("Von Hans Müller und Eva Schmidt") == ["Hans Müller", "Eva Schmidt"]
    assert parse_byline("Por Ana García y Luis Pérez") == ["Ana García", "Luis Pérez"]
    assert parse_byline("By the way, nothing happened") is None


def test_parse_markdown_front_matter():
    raw = "---\ntitle: \"Front matter title\"\ndate: 2024-03-05\nauthor: Jane Doe\n---\n\nBody text here.\n"
    out = parse_text_document(raw, markdown=True)
    assert (out["title"], out["published"], out["authors"], out["text"]) == (
        "Front matter title", "2024-03-05", ["Jane Doe"], "Body text here.")


# ------------------------------------------------------------------------------------------ Beam

def test_beam_apply_stage_rejects(cfg):
    good = rec(TXT_EN, fmt="text")
    bad = rec(EMPTY_PAGE, id="d2", source="test/d2")
    with beam.Pipeline(runner="FnApiRunner") as p:
        res = p | beam.Create([good, bad]) | ExtractTransform(cfg)
        assert_that(res["docs"] | "ids" >> beam.Map(lambda r: (r["id"], r["title"], "_raw" in r)),
                    equal_to([("d1", "Storm hits the northern coast", False)]), label="docs")
        assert_that(res["rejects"], equal_to([{"source": "test/d2", "id": "d2", "stage": "extract",
                                               "reason": "no_text", "message": "no main text found"}]),
                    label="rejects")


def test_markdown_h1_after_intro_line_wins():
    raw = "![logo](logo.png) Example Weekly\n\n# The real headline\n\nBody paragraph of the story.\n"
    out = parse_text_document(raw, markdown=True)
    assert out["title"] == "The real headline"
    assert out["text"] == "Example Weekly\n\nBody paragraph of the story."


def test_timeout_not_swallowed_by_except_exception(cfg, monkeypatch):
    """The SIGALRM exception must get through library code that catches Exception."""
    def stubborn(raw, url, opts):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                time.sleep(0.05)
            except Exception:
                pass
        return {"text": "never"}

    c = copy.deepcopy(cfg)
    c["extract"]["timeout_seconds"] = 0.3
    monkeypatch.setattr(ex_mod, "extract_html", stubborn)
    t = time.monotonic()
    with pytest.raises(Reject) as ei:
        Extract(c, mode="signal")(rec(HTML))
    assert ei.value.reason == "timeout" and time.monotonic() - t < 10


def test_clean_title_strips_site_name():
    from transforms.extract import clean_title
    assert clean_title("Ferry terminal opens at last | Harbour Courier", "Harbour Courier",
                       "harbourcourier.example") == "Ferry terminal opens at last"
    assert clean_title("Ferry terminal opens at last - Local | Harbourcourier.example", None,
                       "harbourcourier.example") == "Ferry terminal opens at last"
    assert clean_title("Fähre fährt wieder – HC – 13.06.2023", "HC", "hc.example") == "Fähre fährt wieder"
    # a real "A - B" title without the site name stays whole
    assert clean_title("Report: activist killed - ministry denies", "Harbour Courier",
                       "harbourcourier.example") == "Report: activist killed - ministry denies"
    assert clean_title("Ferry terminal opens", None, None) == "Ferry terminal opens"
    # two short section segments before the site name go with it
    assert clean_title("Ferry terminal opens at last | Ports | Forum | Harbour Courier", "Harbour Courier",
                       "harbourcourier.example") == "Ferry terminal opens at last"



def test_clean_title_counts_unspaced_scripts_by_characters():
    from transforms.extract import clean_title
    # Japanese has no spaces: the headline after the site name is long enough although it is one "word"
    assert clean_title("HARBOUR NEWS|港で新しいフェリーが運航を始めました", "HARBOUR NEWS",
                       "harbour.example") == "港で新しいフェリーが運航を始めました"
    assert clean_title("港で新しいフェリーが運航を始めました｜ハーバー新聞", "ハーバー新聞", None) == \
        "港で新しいフェリーが運航を始めました"


# ------------------------------------------------------------------------------------------- HTML metadata choice

def _news_page(head: str, body_top: str = "", paras=PARAS) -> str:
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>" + head + "</head><body>"
            "<header><nav><a href='/'>Home</a></nav></header><main><article>" + body_top
            + "".join(f"<p>{p}</p>" for p in paras) + "</article></main></body></html>")


def test_html_json_ld_headline_and_date_win_over_og_and_meta(cfg):
    head = ("<title>Budget row: what it means for you | Riverton Gazette</title>"
            "<meta property='og:title' content='Budget row: what it means for you'>"
            "<meta property='og:site_name' content='Riverton Gazette'>"
            "<meta property='article:published_time' content='2024-03-06T09:30:00+01:00'>"
            '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
            '{"@type": "WebSite", "name": "Riverton Gazette"},'
            '{"@type": "NewsArticle", "headline": "Riverton council approves transport budget after long debate",'
            ' "datePublished": "2024-03-05T18:00:00+01:00"}]}</script>')
    out = Extract(cfg)(rec(_news_page(head, "<h1>Riverton council approves transport budget after long debate</h1>"),
                           url="https://riverton-gazette.example/news/budget"))
    assert out["title"] == "Riverton council approves transport budget after long debate"
    assert out["published"] == "2024-03-05"


def test_html_related_h1_over_og_title_and_kicker_h1_gives_way(cfg):
    head = ("<title>Ferry terminal opens: what changes for commuters - Harbour Courier</title>"
            "<meta property='og:site_name' content='Harbour Courier'>")
    out = Extract(cfg)(rec(_news_page(head, "<h1>Ferry terminal opens</h1>"),
                           url="https://harbourcourier.example/a/1"))
    assert out["title"] == "Ferry terminal opens"
    # an <h1> that is the page title plus a kicker line keeps the page title
    head = ("<title>Ferry terminal opens - Harbour Courier</title><meta property='og:title' content='Ferry terminal "
            "opens'><meta property='og:site_name' content='Harbour Courier'>")
    out = Extract(cfg)(rec(_news_page(head, "<h1><span>Transport</span> Ferry terminal opens</h1>"),
                           url="https://harbourcourier.example/a/1"))
    assert out["title"] == "Ferry terminal opens"


def test_html_og_title_cut_at_an_unescaped_quote_gives_way_to_the_page_title(cfg):
    # content="... Biden de "incapacitado"": the attribute ends at the inner quote
    head = ('<title>Senador republicano califica a Biden de "incapacitado"</title>'
            '<meta property="og:title" content="Senador republicano califica a Biden de "incapacitado"">')
    out = Extract(cfg)(rec(_news_page(head), url="https://diario.example/mundo/senador"))
    assert out["title"] == 'Senador republicano califica a Biden de "incapacitado"'
    # an og:title that leaves out more words of the page title (no quote) stays
    head = ("<title>Tag des Zweinutzungshuhns am 22. Januar: Oekolandbau</title>"
            "<meta property='og:title' content='Tag des Zweinutzungshuhns am 22. Januar'>")
    out = Extract(cfg)(rec(_news_page(head), url="https://oekolandbau.example/tag"))
    assert out["title"] == "Tag des Zweinutzungshuhns am 22. Januar"


def test_html_site_name_h1_falls_back_to_page_title(cfg):
    head = "<title>Four Years Remaining » Blog Archive » Interning of small integers in Python</title>"
    out = Extract(cfg)(rec(_news_page(head, "<h1>Four Years Remaining</h1>"),
                           url="http://fouryears.example/2019/10/21/interning/"))
    assert out["title"] == "Interning of small integers in Python"


def test_html_utc_midnight_date_gives_way_to_url_date(cfg):
    head = ("<title>Mayor elected</title>"
            "<meta property='article:published_time' content='2023-11-09T02:30:00Z'>")
    out = Extract(cfg)(rec(_news_page(head), url="https://news.example/2023/11/08/mayor-elected"))
    assert out["published"] == "2023-11-08"
    head = ("<title>Mayor elected</title>"
            "<meta property='article:published_time' content='2023-11-09T12:30:00Z'>")
    out = Extract(cfg)(rec(_news_page(head), url="https://news.example/2023/11/08/mayor-elected"))
    assert out["published"] == "2023-11-09"


def test_html_structured_date_after_max_date_ignored(cfg):
    c = copy.deepcopy(cfg)
    c["extract"]["max_date"] = "2030-12-31"
    head = ("<title>Mayor elected</title><meta property='article:published_time' content='2099-01-05'>"
            '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2098-02-03"}</script>')
    out = Extract(c)(rec(_news_page(head)))
    assert out["published"] is None


def test_html_date_fallback_search_switch(cfg):
    # a date in running text only: passed over by the visible-text date line search, found by htmldate's
    top = "<p>The ferry left on 12 March 2021 from the pier.</p>"
    c = copy.deepcopy(cfg)
    c["extract"]["date_fallback_search"] = True
    out = Extract(c)(rec(_news_page("<title>A story</title>", top)))
    assert out["published"] == "2021-03-12"
    c["extract"]["date_fallback_search"] = False  # the default: no free-text date search
    out = Extract(c)(rec(_news_page("<title>A story</title>", top)))
    assert out["published"] is None
    assert cfg["extract"]["date_fallback_search"] is False


def test_clean_title_transliterated_host_name():
    from transforms.extract import clean_title
    # the site segment spelt with umlauts, the host name transliterated
    assert clean_title("Fähre fährt wieder | Nordsee-Blätter", None, "nordsee-blaetter.example") == "Fähre fährt wieder"
    assert clean_title("Un été à Brest | Le Télégraphe", None, "letelegraphe.example") == "Un été à Brest"
    # a title with no segment naming the site stays whole
    assert clean_title("Fähre fährt wieder | Hafen", None, "nordsee-blaetter.example") == "Fähre fährt wieder | Hafen"


def test_html_widgets_pruned_before_extraction(cfg):
    card = ('<a class="rollover-people-link" href="/people/mayor">Mayor Ann Lee</a>'
            '<span class="rollover-people-block"><span>Riverton mayor doubles down on tram plan</span>'
            '<span>Council members split on bus fares</span></span>')
    page = HTML.replace("voted on Tuesday evening", "voted " + card + " on Tuesday evening")
    out = Extract(cfg)(rec(page))
    assert "doubles down" not in out["text"] and "split on bus fares" not in out["text"]
    # the link (the card's trigger) and the tail text of the removed card stay in their paragraph
    assert PARAS[0].replace("voted on", "voted Mayor Ann Lee on") in out["text"]
    c = copy.deepcopy(cfg)
    c["extract"]["prune_tokens"] = []
    assert "doubles down" in Extract(c)(rec(page))["text"]


def test_pruning_matches_class_and_id_in_any_case_and_leaves_other_pages_alone():
    from lxml import etree

    from transforms.extract import _pruned_tree
    page = ('<html><body><article><p>Kept paragraph one.</p>'
            '<div CLASS="Trending-Box"><p>Gone trending teaser</p></div>'
            '<div id="READ-NEXT"><p>Gone read next teaser</p></div>'
            '<div class="story-trend"><p>Kept: no token here</p></div></article></body></html>')
    text = etree.tostring(_pruned_tree(page, ["trending", "read-?next"]), encoding="unicode")
    assert "Kept paragraph one" in text and "Kept: no token here" in text
    assert "Gone trending" not in text and "Gone read next" not in text
    # tokens with capitals are matched case-insensitively too
    text = etree.tostring(_pruned_tree(page, ["Trending"]), encoding="unicode")
    assert "Gone trending" not in text and "Gone read next" in text
    # a page where no class or id matches comes back whole (the token occurs only in text and a script)
    plain = page.replace("Trending-Box", "box").replace("READ-NEXT", "next")
    plain = plain.replace("<p>Kept paragraph one.</p>", "<p>Kept paragraph one, trending.</p><script>var trending=1</script>")
    text = etree.tostring(_pruned_tree(plain, ["trending", "read-?next"]), encoding="unicode")
    assert "Gone trending teaser" in text and "Gone read next teaser" in text and "var trending" in text


def test_pruning_spares_a_container_that_only_states_what_it_has():
    from lxml import etree

    from transforms.extract import _pruned_tree
    page = ('<html><body><div class="article container has-recommendations"><h2>Ferry fares rise</h2>'
            '<p>Kept article paragraph.</p><div class="recommend-box"><p>Gone teaser</p></div></div>'
            '<div class="trending-widget"><h1>Kept headline</h1><p>Kept lead.</p></div></body></html>')
    text = etree.tostring(_pruned_tree(page, ["recommend", "trending"]), encoding="unicode")
    assert "Kept article paragraph" in text and "Gone teaser" not in text  # "has-" names a state, not a widget
    assert "Kept headline" in text and "Kept lead" in text  # an element that holds the <h1> is the article


def test_pruning_finds_every_matching_element_once_whatever_its_attribute_values():
    from lxml import etree

    from transforms.extract import _pruned_tree
    # a value with both kinds of quote (no XPath literal can spell it), an element matching on its class and
    # its id, a widget inside a widget, and the tail text after each removed element
    page = ('<html><body><article><p>Kept one.</p>'
            '<div class="trending &quot;top&quot; it\'s" id="x">Gone quoted</div>Kept tail one.'
            '<section class="recirc" id="recirc-2"><div class="recirc-item">Gone nested</div></section>Kept tail two.'
            '<p class="lead">Kept two.</p></article></body></html>')
    tree = _pruned_tree(page, ["trending", "recirc"])
    text = etree.tostring(tree, encoding="unicode")
    assert "Gone quoted" not in text and "Gone nested" not in text
    for kept in ("Kept one.", "Kept tail one.", "Kept tail two.", "Kept two."):
        assert kept in text
    assert tree.xpath("count(//*[@class='lead'])") == 1


def _with_blocks(*blocks):
    """HTML with ``blocks`` inserted between the second and the third paragraph of the article."""
    return HTML.replace(f"<p>{PARAS[2]}</p>", "\n".join(blocks) + f"\n<p>{PARAS[2]}</p>")


def test_html_link_only_teasers_dropped(cfg):
    page = _with_blocks(
        '<p><strong><a href="/news/other">MAYOR OPENS NEW LIBRARY IN THE NORTHERN DISTRICT</a></strong></p>',
        '<p><a href="/news/d">Ferry timetable changes for the winter season</a></p>'
        '<p><a href="/news/e">Police close the old bridge for repair works</a></p>',
        '<a href="/news/c"><img src="c.jpg"><h3>Ten photos of the spring flower market</h3></a>',
        # the article's own: a paragraph with a link inside it, a heading that holds a link (a product), a
        # single link-only paragraph in mixed case
        '<p>The <a href="/docs/budget.pdf">full budget document</a> lists every new tram stop and bus route.</p>',
        '<h3><a href="/shop/1">Riverton Folding City Bike Model Seven</a></h3>',
        '<p><a href="/docs/fares.pdf">Download the complete table of the new student fares</a></p>')
    out = Extract(cfg)(rec(page))["text"]
    for teaser in ("MAYOR OPENS NEW LIBRARY", "Ferry timetable", "Police close", "spring flower market"):
        assert teaser not in out
    assert "The full budget document lists every new tram stop and bus route." in out
    assert "Riverton Folding City Bike Model Seven" in out
    assert "Download the complete table of the new student fares" in out
    assert all(p in out for p in PARAS)
    c = copy.deepcopy(cfg)
    c["extract"]["drop_link_blocks"] = False
    assert "MAYOR OPENS NEW LIBRARY" in Extract(c)(rec(page))["text"]


RELATED = ["Harbour cranes return after a decade of repairs", "Tram drivers vote to accept the new pay offer",
           "Regional transport authority publishes its annual report", "Cycling routes of the northern districts",
           "Timetables of all tram and bus lines"]


def _link_list(items):
    return "<ul>" + "".join(f'<li><a href="https://www.riverton-gazette.example/news/{i}">{t}</a></li>'
                            for i, t in enumerate(items)) + "</ul>"


def test_html_short_list_of_related_links_dropped(cfg):
    page = _with_blocks(_link_list(RELATED[:3]))
    out = Extract(cfg)(rec(page))["text"]
    assert not any(t in out for t in RELATED[:3]) and all(p in out for p in PARAS)
    c = copy.deepcopy(cfg)
    c["extract"]["drop_link_blocks"] = False
    assert all(t in Extract(c)(rec(page))["text"] for t in RELATED[:3])


def test_link_blocks_and_alt_captions_dropped_when_a_config_leaves_them_out(cfg):
    # a hand-built config without the two keys gets the default file's behaviour (both on)
    page = _with_blocks(_link_list(RELATED[:3]),
                        '<div class="article-img"><img src="t.jpg" alt="The new tram line runs past the station">'
                        '</div><p>The new tram line runs past the station</p>')
    c = copy.deepcopy(cfg)
    del c["extract"]["drop_link_blocks"], c["extract"]["drop_alt_captions"]
    out = Extract(c)(rec(page))["text"]
    assert not any(t in out for t in RELATED[:3]) and all(p in out for p in PARAS)
    assert "The new tram line runs past the station\n" not in out + "\n"
    assert Extract(c).opts == Extract(cfg).opts


def test_long_list_of_links_stays_in_the_tree():
    # a page of resources (more than a few items, all links) is left to trafilatura; a short one goes
    from lxml import html as lh

    tree = lh.fromstring("<html><body><div>" + _link_list(RELATED) + "</div><div>" + _link_list(RELATED[:2])
                         + "</div></body></html>")
    ex_mod._drop_link_blocks(tree, 4)
    lists = tree.xpath("//ul")
    assert [len(ul) for ul in lists] == [5, 0]


def test_html_alt_text_caption_dropped(cfg):
    page = _with_blocks(
        '<div class="article-img"><img src="tram.jpg" alt="The new tram line runs past the central station"></div>'
        '<p>The new tram line runs past the central station</p>',
        '<p>The new tram line runs past the central station every ten minutes from six in the morning.</p>')
    out = Extract(cfg)(rec(page))["text"]
    assert "The new tram line runs past the central station\n" not in out + "\n"
    assert "The new tram line runs past the central station every ten minutes from six in the morning." in out
    c = copy.deepcopy(cfg)
    c["extract"]["drop_alt_captions"] = False
    assert "The new tram line runs past the central station\n" in Extract(c)(rec(page))["text"] + "\n"


def test_signal_limit_survives_a_swallowed_alarm():
    # a C library calling back into Python can swallow the first timeout; the alarm rings again, and the
    # previous handler and timer are restored afterwards
    import signal
    import time

    from transforms.extract import ExtractTimeout, _call_with_signal

    seen = []

    def stubborn():
        end = time.monotonic() + 10
        try:
            while time.monotonic() < end:
                pass
        except ExtractTimeout:
            seen.append("swallowed")
        while time.monotonic() < end:
            pass
        return "ran to the end"

    before, timer = signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)
    with pytest.raises(ExtractTimeout):
        _call_with_signal(stubborn, (), 0.2)
    assert seen == ["swallowed"]
    assert signal.getsignal(signal.SIGALRM) is before
    after = signal.getitimer(signal.ITIMER_REAL)
    assert after[1] == timer[1] and (after[0] == 0) == (timer[0] == 0)  # no repeating alarm left behind


def test_first_page_of_a_process_is_not_timed_with_trafilaturas_lazy_loading():
    """trafilatura builds jusText's stoplists (~1.5 s) on the first page that falls back to jusText; that
    must happen before the page's time limit starts, or a fresh process rejects its first page as timeout."""
    import subprocess
    import sys
    code = textwrap.dedent('''
        import transforms.extract as X
        from pipeline.config import load_config
        from trafilatura import external
        seen = []
        real = X._call_with_signal
        def timed(fn, args, timeout):
            seen.append(external.JT_STOPLIST is not None)
            return real(fn, args, timeout)
        X._call_with_signal = timed
        cfg = load_config()
        cfg["extract"]["timeout_seconds"] = 30.0
        page = "<html><body><div><a href='/a'>Home</a> <a href='/b'>News</a></div><p>Short.</p></body></html>"
        try:
            X.Extract(cfg)({"id": "x", "source": "x", "_format": "html", "_raw": page})
        except Exception:
            pass
        print(seen)
    ''')
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.stdout.strip().splitlines()[-1] == "[True]", out.stderr[-2000:]


def _scan(**kw):
    scan = {"ld_headline": None, "og_title": None, "page_title": None, "h1": []}
    scan.update(kw)
    return scan


def test_page_title_check_prefers_the_h1_covering_most_of_the_page_title():
    # a logo <h1> "Stone Age & Co" is related to "Headline | Stone Age & Co" too, but the headline <h1> covers more
    scan = _scan(page_title="Tools of the Neanderthals and of modern humans | Stone Age & Co",
                 h1=["Stone Age & Co", "Tools of the Neanderthals and of modern humans"])
    assert Extract._check_against_page_title("Topics", scan, None, "archive.example", lambda s: False) == \
        "Tools of the Neanderthals and of modern humans"


def test_page_title_check_og_section_name_gives_way_to_h1_saying_what_the_page_title_says():
    scan = _scan(page_title="HC: Ferry terminal opens after ten years of building", og_title="Press releases",
                 h1=["Ferry terminal opens after ten years of building"])
    assert Extract._check_against_page_title("Press releases", scan, "HC", "hc.example", lambda s: False) == \
        "Ferry terminal opens after ten years of building"
    # without an <h1> confirming the page title, og:title still backs the title
    scan["h1"] = []
    assert Extract._check_against_page_title("Press releases", scan, "HC", "hc.example", lambda s: False) == \
        "Press releases"


def test_html_site_name_guessed_from_the_headline_is_not_used(cfg):
    from transforms import metadata
    page = ("<html><head><title>Being vegetarian. Need, trend or own choice? | Ethify</title></head><body>"
            "<h1>Ethify</h1><h1>Being vegetarian. Need, trend or own choice?</h1></body></html>")
    res = {"title": "Main menu", "sitename": "Being vegetarian. Need, trend or own choice?",
           "hostname": "ethify.example", "scan": metadata.scan_html(page), "date": None}
    title, _, _ = Extract(cfg)._pick_html_meta(res, "https://ethify.example/vegetarian")
    assert title == "Being vegetarian. Need, trend or own choice?"


def test_page_title_check_og_title_kept_against_a_short_section_h1():
    # a generic page title and <h1> ("News") do not overrule og:title
    scan = _scan(page_title="News - Lake Institute", og_title="The first electron decides",
                 h1=["News", "The first electron decides"])
    assert Extract._check_against_page_title("The first electron decides", scan, "Lake Institute",
                                             "lake-institute.example", lambda s: False) == "The first electron decides"


def test_page_title_check_long_last_segment_after_a_kicker_is_no_site_name():
    # "Kicker - Headline": a title that is the long last segment is the headline, not a blog name after it
    scan = _scan(page_title='The future of work - "We rearrange the deck chairs on the Titanic"',
                 og_title='The future of work - "We rearrange the deck chairs on the Titanic"',
                 h1=["Radio One", '"We rearrange the deck chairs on the Titanic"'])
    title = '"We rearrange the deck chairs on the Titanic"'
    assert Extract._check_against_page_title(title, scan, "Radio One", "radio-one.example", lambda s: False) == title


LD_PAGE = """<html lang="de"><head><title>Neue Brücke eröffnet - Stadtblatt</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Neue Brücke eröffnet",
"author": {"@type": "Person", "name": "Anna Muster"}, "datePublished": "2023-06-01T08:00:00+02:00"}</script>
<meta name="keywords" content="Brücke, Verkehr"></head><body>
<div class="tags"><a href="/tag/bruecke" rel="tag">Brücke</a><a href="/category/stadt" rel="category">Stadt</a></div>
<article><h1>Neue Brücke eröffnet</h1>{paras}</article>
<footer><a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a></footer>
</body></html>""".replace("{paras}", "\n".join(f"<p>{p}</p>" for p in PARAS))


@pytest.mark.parametrize("page,comments", [(HTML, False), (HTML, True), (LD_PAGE, False), (EMPTY_PAGE, False)])
def test_trafilatura_on_tree_gives_what_bare_extraction_gives(page, comments):
    """The shortcut on our own tree (no copy, no categories/tags/license) returns bare_extraction's text,
    comments and metadata; the categories, tags and license that bare_extraction finds are left out."""
    import trafilatura
    from trafilatura.utils import load_html

    kw = dict(url="https://example.org/a", include_comments=comments, include_tables=True, include_images=False,
              include_links=False, include_formatting=False, deduplicate=False, with_metadata=True,
              date_extraction_params={"original_date": True, "extensive_search": False, "max_date": "2100-12-31"})
    want = trafilatura.bare_extraction(load_html(page), **kw)
    tree = load_html(page)
    got = ex_mod.trafilatura_on_tree(tree, **kw)
    if want is None:
        assert got is None
        return
    fields = ("text", "comments", "title", "author", "date", "sitename", "hostname", "url", "description",
              "language", "image", "pagetype", "fingerprint", "filedate")
    assert {f: getattr(got, f) for f in fields} == {f: getattr(want, f) for f in fields}
    assert want.text and (not comments or want.comments)
    if page is LD_PAGE:
        assert want.author == "Anna Muster" and want.date == "2023-06-01"
        # what the shortcut saves: the link searches for categories and the license (meta keywords stay tags)
        assert want.categories == ["Stadt"] and want.license == "CC BY 4.0"
        assert not got.categories and not got.license and got.tags == want.tags


def test_html_stage_uses_the_tree_shortcut_only_on_its_own_tree(cfg, monkeypatch):
    """With pruning on (the default), the stage runs trafilatura_on_tree on its pruned tree; with pruning and
    teaser removal off, trafilatura parses the raw page itself (bare_extraction), with the same result."""
    import trafilatura

    calls = []
    real_tree, real_bare = ex_mod.trafilatura_on_tree, trafilatura.bare_extraction
    monkeypatch.setattr(ex_mod, "trafilatura_on_tree", lambda *a, **k: calls.append("tree") or real_tree(*a, **k))
    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: calls.append("bare") or real_bare(*a, **k))
    on = Extract(cfg)(rec(HTML))
    c2 = copy.deepcopy(cfg)
    c2["extract"].update(prune_tokens=[], drop_link_blocks=False, drop_alt_captions=False)
    off = Extract(c2)(rec(HTML))
    assert calls == ["tree", "bare"]
    assert (on["text"], on["title"], on["published"], on["authors"]) == (
        off["text"], off["title"], off["published"], off["authors"])


def test_title_paragraph_removed_unless_kept_by_config(cfg):
    """trafilatura's text starts with the headline on pages that print it inside the article: removed by default
    (it is the record's title), kept with extract.keep_title_paragraph."""
    page = HTML.replace('<p class="byline">By Jane Doe and John Roe</p>', "")
    out = Extract(cfg)(rec(page))
    assert out["title"] == "Riverton approves transport budget"
    assert out["text"].split("\n\n")[0] == PARAS[0]
    c2 = copy.deepcopy(cfg)
    c2["extract"]["keep_title_paragraph"] = True
    kept = Extract(c2)(rec(page))
    assert kept["text"].split("\n\n")[:2] == ["Riverton approves transport budget", PARAS[0]]
    assert kept["title"] == out["title"]


@pytest.mark.parametrize("names, site, host, want", [
    # by-line labels in front, a following label's word behind, a profile link's text twice
    (["Par Attac France"], None, "france.attc.org", ["Attac France"]),
    (["View all posts by Daniel Lemire"], None, "lemire.me", ["Daniel Lemire"]),
    (["责任编辑：孔德明"], None, "banyuetan.org", ["孔德明"]),
    (["Sara Zinnecker Stand"], None, "finanztip.de", ["Sara Zinnecker"]),
    (["Zum Profil von jesusfreak jesusfreak"], None, "chefkoch.de", ["jesusfreak"]),
    (["Capital Von Jemima Kelly"], None, "stern.de", ["Jemima Kelly"]),
    # labels and credentials are no names
    (["Name"], None, "example.org", []),
    (["View blog authority"], None, "example.org", []),
    (["Grant Tinsley", "PhD"], None, "healthline.com", ["Grant Tinsley"]),
    (["Mathias Hagen", "Journalist", "Anders Skjerdingstad"], None, "nrk.no", ["Mathias Hagen", "Anders Skjerdingstad"]),
    # the site, a company or an address beside a person goes; alone it stays (the page's own address as a host)
    (["Rob Picheta", "CNN"], "CNN", "edition.cnn.com", ["Rob Picheta"]),
    (["Campo Grande News", "Adriano Fernandes"], None, "campograndenews.com.br", ["Adriano Fernandes"]),
    (["Frankfurter Allgemeine Zeitung GmbH", "Ralf Euler"], None, "faz.net", ["Ralf Euler"]),
    (["Facebook Com", "Evgenia Karp"], None, "1000things.at", ["Evgenia Karp"]),
    (["Jason Hart", "November"], None, "redstate.com", ["Jason Hart"]),
    (["Digitalcourage"], None, "digitalcourage.de", ["Digitalcourage"]),
    (["Nieuwsblad Be"], None, "nieuwsblad.be", ["nieuwsblad.be"]),
    # names that only look like the rest stay
    (["Emily Co"], None, "popsugar.co.uk", ["Emily Co"]),
    (["Walter von Aachen"], None, "swap-stop.org", ["Walter von Aachen"]),
    (["Jane Doe", "John Roe"], "Riverton Gazette", "riverton-gazette.example", ["Jane Doe", "John Roe"]),
])
def test_clean_authors(names, site, host, want):
    assert ex_mod.clean_authors(names, site, host) == want


def test_html_authors_cleaned(cfg):
    page = HTML.replace('content="Jane Doe; John Roe"', 'content="Von Jane Doe; Riverton Gazette"')
    out = Extract(cfg)(rec(page, url="https://www.riverton-gazette.example/news/1"))
    assert out["authors"] == ["Jane Doe"]


def test_markup_author_from_by_line_links():
    page = ('<div class="comment-author vcard"><a href="/u/9">Reader Rita</a></div>'
            '<a href="https://plus.google.com/1" rel="author">Google+</a>'
            '<a href="/profile" rel="author">View Profile</a>'
            '<p>By <span class="author vcard"><a class="url fn n" href="/author/ann">Ann Lee</a></span></p>')
    assert ex_mod.markup_author(page) == "Ann Lee"  # not the commenter, not the profile links
    assert ex_mod.markup_author('<p>Von <a href="/autor/tk" title="Artikel von Thilo" rel="author">Thilo</a>'
                                '</p>') == "Thilo"
    assert ex_mod.markup_author('<a rel="nofollow author" href="/a/1"><b>Amelie Marie Nishizawa</b></a>') == \
        "Amelie Marie Nishizawa"
    assert ex_mod.markup_author('<a rel="authorship" href="/x">Not Me</a><p class="author">Ann</p>') is None


def test_html_author_from_markup_when_trafilatura_finds_none(cfg):
    # WordPress puts the post in <div class="post hentry category-news">: trafilatura's author search discards
    # every element whose class names a "category", and with it the by-line
    page = HTML.replace('<meta name="author" content="Jane Doe; John Roe">', "").replace(
        "<main><article>", '<main><div class="post hentry category-news"><article>').replace(
        "</article>", "</article></div>").replace(
        '<p class="byline">By Jane Doe and John Roe</p>',
        '<p>By <a href="/author/amelie/" rel="author">Amelie Marie Nishizawa</a></p>')
    assert Extract(cfg)(rec(page))["authors"] == ["Amelie Marie Nishizawa"]


def test_headline_taken_for_the_site_name_is_not_the_site(cfg):
    # a blog whose og:site_name is the post's headline: the site is the host, and the headline line stays
    head = "Impression share changes are coming next week"
    page = HTML.replace('content="Riverton Gazette"', f'content="{head}"').replace(
        "<h1>Riverton approves transport budget</h1>", f"<h1>{head}</h1>").replace(
        'content="Riverton approves transport budget"', f'content="{head} - Inside Riverton"')
    out = Extract(cfg)(rec(page, url="https://riverton.blogspot.example/2012/11/x.html"))
    assert out["site"] == "riverton.blogspot.example"
