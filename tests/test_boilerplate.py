"""Unit tests of the boilerplate stage (transforms/boilerplate.py) on small hand-written texts."""
from __future__ import annotations

import copy

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from pipeline.config import ConfigError, load_config
from transforms.base import Reject
from transforms.boilerplate import Boilerplate, BoilerplateTransform


@pytest.fixture(scope="module")
def cfg():
    return load_config()


@pytest.fixture(scope="module")
def bp(cfg):
    return Boilerplate(cfg)


P1 = ("The regional parliament approved the new water law on Thursday after a debate that lasted more than "
      "eleven hours, with the governing coalition securing a narrow majority of three votes.")
P2 = ("Farmers' associations had warned that the stricter limits on groundwater extraction would hit small "
      "producers hardest, while environmental groups said the rules did not go far enough.")
P3 = ("The law will come into force at the start of next year, and the ministry said it would publish "
      "detailed guidance for municipalities within the next three months.")


def doc(*paras):
    return {"id": "b1", "source": "test/b1", "text": "\n\n".join(paras)}


def run(bp, *paras):
    out = bp(doc(*paras))
    return out["text"], out["boilerplate"]


# One realistic junk line per reason, and a real paragraph with the same words that must stay.
CASES = [
    ("donation", "Support our journalism. Become a member today.",
     "Readers who want to support our journalism can now become a member of the cooperative that owns the "
     "newspaper, the editor wrote in a letter explaining the new ownership model to subscribers."),
    ("donation", "Donate now",
     "Residents were asked to donate now rather than wait for the appeal, because the shelter's food "
     "supplies were expected to run out before the end of the week, the charity said."),
    ("newsletter", "Sign up for our daily newsletter",
     "More than forty thousand people sign up for our daily newsletter each month, the publisher said, "
     "although the number of paying readers has barely changed over the past two years."),
    ("link_list", "Read more: Council approves new cycling lanes",
     "Read more about the history of the council in the city archive, which opened its collection to the "
     "public last year after a lengthy renovation of the old town hall building."),
    ("browser_banner", "IE 11 is not supported. For an optimal experience visit our site on another browser.",
     "Microsoft said IE 11 is not supported any longer on most versions of Windows, and urged companies "
     "that still depend on it for internal applications to move to a modern browser soon."),
    ("browser_banner", "We use cookies to improve your experience on our site.",
     "The regulator found that many websites say we use cookies in their banners but do not explain which "
     "data is collected, how long it is stored, or which advertising partners receive it."),
    ("tags", "Tags: Water, Agriculture, Regional Parliament, Environment",
     "The tags on the shipping containers showed that they had passed through three ports, including "
     "Rotterdam, Antwerp and Hamburg, before arriving at the inland terminal last month."),
    ("tags", "Politics | Europe | Water | Farming | Environment",
     "Politics in Europe has changed a great deal since the financial crisis, she said, adding that water "
     "and farming had become central issues for voters in rural areas across the continent."),
    ("share", "Share this article",
     "Officials declined to share this article of the draft treaty with reporters, saying it was still "
     "under negotiation and that publishing it could harm the talks with neighbouring countries."),
    ("share", "Facebook Twitter Email Print",
     "Posts on Facebook and Twitter spread the rumour within hours, and by the evening the school had "
     "received hundreds of angry email messages from parents asking for an explanation."),
    ("caption", "Photo: Farmers protest outside the regional parliament. (Jane Doe/Reuters)",
     "The photo shows farmers protesting outside the regional parliament, and it was taken by a local "
     "student who later sold it to an international news agency for a small fee."),
    ("caption", "© Reuters",
     "Reuters reported on Monday that the company was in talks with two banks about a possible loan, "
     "citing three people familiar with the matter who asked not to be named."),
    ("caption", "Foto: dpa",
     "Das Foto der dpa zeigt den Minister bei seiner Ankunft in Brüssel, wo er am Nachmittag mit seinen "
     "Amtskollegen aus den anderen Mitgliedstaaten über die neuen Regeln beraten wollte."),
    ("comments", "Leave a comment",
     "Readers were invited to leave a comment on the proposal on the council's website until the end of "
     "March, and more than two thousand people responded during the consultation period."),
    ("navigation", "Skip to content",
     "The new software allows users who rely on screen readers to skip to content more quickly, which "
     "accessibility campaigners said was a small but important improvement for blind people."),
    ("navigation", "Home > World > Europe",
     "Home is where the heart is, the old proverb says, but for thousands of young people in Europe a home "
     "of their own has become almost impossible to afford in the big cities."),
    ("navigation", "Back to top",
     "The team is back to top form after a difficult winter, the coach said, praising the young players "
     "who had stepped in when several senior members of the squad were injured."),
    ("legal", "© 2024 Example Media Group. All rights reserved.",
     "The author said that all rights reserved by the original publisher had expired decades ago, so "
     "the diaries could now be printed and distributed freely by the small family-owned company."),
    ("legal", "Privacy Policy | Terms of Use",
     "The company updated its privacy policy and terms of use after the regulator opened an investigation "
     "into how it shared customer data with advertisers in several European countries."),
    ("ad", "Advertisement",
     "The advertisement, which ran in several national newspapers, accused the government of ignoring the "
     "concerns of small businesses about the rising cost of energy and rents."),
    ("ad", "Anzeige",
     "Die Anzeige wurde am Montag bei der Polizei erstattet, nachdem mehrere Anwohner beobachtet hatten, "
     "wie Unbekannte in der Nacht Müll in den kleinen Fluss am Rand des Dorfes kippten."),
    ("ad", "Publicité", None),
    ("ad", "Publicidad", None),
    ("donation", "Abonnez-vous", None),
    ("newsletter", "Iscriviti alla newsletter", None),
    ("link_list", "Lesen Sie auch: Neue Radwege in der Innenstadt", None),
]


@pytest.mark.parametrize("reason,junk,real", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_reason_junk_removed_real_kept(bp, reason, junk, real):
    paras = [P1, junk, P2] + ([real] if real else []) + [P3]
    text, info = run(bp, *paras)
    assert junk not in text.split("\n\n")
    assert info["reasons"] == {reason: 1}, info
    assert info["removed"] == 1
    for p in (P1, P2, P3) + ((real,) if real else ()):
        assert p in text


def test_link_list_block_stops_at_next_real_paragraph(bp):
    text, info = run(bp, P1, P2, "Most Read",
                     "Mayor resigns after budget row",
                     "Five things to know about the new water law",
                     "Storm warning for the coast this weekend",
                     "Why are rents rising so fast?",
                     P3)
    assert text == "\n\n".join([P1, P2, P3])
    assert info == {"removed": 5, "reasons": {"link_list": 5}}


def test_link_list_block_multilingual_and_in_one_paragraph(bp):
    block = "Les plus lus\nLe maire démissionne\nLa tempête approche\nLes loyers augmentent encore"
    text, info = run(bp, P1, block, P2)
    assert text == P1 + "\n\n" + P2
    assert info == {"removed": 4, "reasons": {"link_list": 4}}


def test_block_does_not_eat_short_real_sentence(bp):
    text, info = run(bp, P1, "Related stories", "Council approves budget", "It was a close vote.", P2)
    assert "It was a close vote." in text
    assert info["reasons"] == {"link_list": 2}


def test_mixed_document_counts(bp):
    text, info = run(bp, "Skip to content", "Home > News > Region", P1, "Advertisement", P2,
                     "Share on Facebook", "Tweet", "Email", P3, "Tags: Water, Law", "You may also like",
                     "Another story headline", "© 2024 Example News. All rights reserved.")
    assert text == "\n\n".join([P1, P2, P3])
    assert info["removed"] == 10
    assert info["reasons"] == {"navigation": 2, "ad": 1, "share": 3, "tags": 1, "link_list": 2, "legal": 1}


def test_text_dump_one_line_per_block(bp):
    out = bp({"id": "x", "source": "x", "text": "\n".join([P1, "Advertisement", P2, "Subscribe now", P3])})
    assert out["text"] == P1 + "\n" + P2 + "\n" + P3
    assert out["boilerplate"] == {"removed": 2, "reasons": {"ad": 1, "donation": 1}}


def test_long_paragraph_never_removed(bp):
    long_para = ("Subscribe to our newsletter, the banner said, but the campaign group argued in its complaint "
                 "that the website had collected email addresses without consent for several years and "
                 "shared them with partners.")
    text, info = run(bp, P1, long_para)
    assert long_para in text and info["removed"] == 0


def test_nothing_left_rejected(bp):
    with pytest.raises(Reject) as ei:
        bp(doc("Advertisement", "Share this article", "Subscribe now"))
    assert ei.value.reason == "no_text"


def test_min_text_chars(cfg):
    c = copy.deepcopy(cfg)
    c["boilerplate"]["min_text_chars"] = 1000
    with pytest.raises(Reject) as ei:
        Boilerplate(c)(doc(P1, "Advertisement"))
    assert ei.value.reason == "no_text"


def test_disabled_passes_through(cfg):
    c = copy.deepcopy(cfg)
    c["boilerplate"]["enabled"] = False
    d = doc(P1, "Advertisement", P2)
    out = Boilerplate(c)(dict(d))
    assert out["text"] == d["text"]
    assert out["boilerplate"] == {"removed": 0, "reasons": {}}


def test_deterministic(bp):
    paras = [P1, "Most Read", "A headline", "Another headline", P2, "Photo: AFP", P3]
    assert bp(doc(*paras)) == bp(doc(*paras))
    assert Boilerplate(load_config())(doc(*paras)) == bp(doc(*paras))


def test_patterns_compile_checked(tmp_path):
    (tmp_path / "bp.yaml").write_text("reasons:\n  ad:\n    line:\n      patterns:\n        - '^(unclosed'\n")
    (tmp_path / "c.yaml").write_text("boilerplate:\n  patterns_file: bp.yaml\n")
    with pytest.raises(ConfigError, match="not a valid regex"):
        load_config(str(tmp_path / "c.yaml"))
    (tmp_path / "bp.yaml").write_text("reasons:\n  ad:\n    block:\n      patterns:\n"
                                      "        - {regex: '[bad', max_words: 3}\n")
    with pytest.raises(ConfigError, match="not a valid regex"):
        load_config(str(tmp_path / "c.yaml"))


def test_beam_apply_stage_rejects(cfg):
    good = doc(P1, "Advertisement", P2)
    bad = {"id": "b2", "source": "test/b2", "text": "Advertisement\n\nShare this article"}
    with beam.Pipeline(runner="FnApiRunner") as p:
        res = p | beam.Create([good, bad]) | BoilerplateTransform(cfg)
        assert_that(res["docs"] | beam.Map(lambda r: (r["id"], r["boilerplate"]["removed"])),
                    equal_to([("b1", 1)]), label="docs")
        assert_that(res["rejects"] | beam.Map(lambda r: (r["id"], r["stage"], r["reason"])),
                    equal_to([("b2", "boilerplate", "no_text")]), label="rejects")


def test_short_runs_in_text_dumps_only(bp):
    menu = ["World", "Politics", "Business", "Science and Health"]
    footer = ["About the paper", "Jobs at the Gazette"]
    lines = menu + [P1, "Key facts", P2, "- a list item in the article", P3] + footer
    d = {"id": "t", "source": "t", "_format": "text", "text": "\n\n".join(lines)}
    out = bp(dict(d))
    assert out["text"] == "\n\n".join([P1, "Key facts", P2, "- a list item in the article", P3])
    assert out["boilerplate"] == {"removed": 6, "reasons": {"short_run": 6}}
    # numbered items and questions are content, even in a run
    d2 = {"id": "t2", "source": "t2", "_format": "text",
          "text": "\n\n".join([P1, "1) First tip", "2) Second tip", "3) Third tip", "What comes next?", P2])}
    assert bp(dict(d2))["boilerplate"]["removed"] == 0
    # trafilatura output (html) is left alone: its short lines are subheads and list items
    d3 = dict(d, _format="html")
    assert bp(d3)["boilerplate"]["removed"] == 0


def test_only_short_labels_left_is_no_text():
    from pipeline.config import load_config
    from transforms.base import Reject
    from transforms.boilerplate import Boilerplate
    stage = Boilerplate(load_config())
    rec = {"id": "x", "source": "s", "_format": "html", "site": "The Daily Example",
           "text": "The Daily Example\n\nWorld\n\nPolitics\n\nSport"}
    with pytest.raises(Reject) as err:
        stage(rec)
    assert err.value.reason == "no_text" and "short labels" in err.value.message
    # one sentence-length paragraph is enough to keep a document, and the site-name masthead goes
    rec = {"id": "x", "source": "s", "_format": "html", "site": "The Daily Example",
           "text": "The Daily Example\n\nFloods closed the coastal road for a second day."}
    out = stage(rec)
    assert out["text"] == "Floods closed the coastal road for a second day."
    assert out["boilerplate"]["reasons"] == {"navigation": 1}


def test_long_appeal_paragraph_removed_but_article_paragraph_kept():
    from pipeline.config import load_config
    from transforms.boilerplate import Boilerplate
    stage = Boilerplate(load_config())
    keep = ("The foundation said it would support local journalism projects with two million euros, and reader "
            "donations would be matched over the next three years.")
    appeal = ("Support independent journalism. Donate today. Our reporting is free to read for everyone. If you "
              "value it, please consider a monthly contribution.")
    out = stage({"id": "x", "source": "s", "_format": "text", "text": keep + "\n\n" + appeal})
    assert out["text"] == keep and out["boilerplate"]["reasons"] == {"donation": 1}
