"""Per-record event tag evaluation (evaluation/event_tags.py): the scoring rules on hand-made inputs, and the
hand labels (evaluation/labels/event_tags.yaml) being well-formed."""
import pytest

from evaluation import event_tags as et


# ------------------------------------------------------------------------------------------- matching

def test_norm_name_folds_accents_case_punctuation_and_suffixes():
    assert et.norm_name("Tomás Echeverría-Rojas") == "tomas echeverria rojas"
    assert et.norm_name("The Klesch Group") == "klesch"
    assert et.norm_name("Hoshine Silicon Industry Co.") == "hoshine silicon industry"
    assert et.norm_name("Ragnar Þórhallsson") == "ragnar thorhallsson"
    assert et.norm_name("Contango Oil & Gas") == "contango oil and gas"
    assert et.norm_name("Group") == "group"  # a lone suffix word is kept


def test_name_match_rules():
    assert et.name_match("Aino Lehtivaara", "aino LEHTIVAARA")
    assert et.name_match("Aino Lehtivaara", "Lehtivaara")                      # surname
    assert et.name_match("Tomás Echeverría Rojas", "Echeverria Rojas Tomas")   # token set
    assert et.name_match("James Bodiford", "Superior Court Judge James Bodiford")  # title left in front
    assert et.name_match("Pemex|Petróleos Mexicanos", "Petroleos Mexicanos")   # a second spelling
    assert not et.name_match("Kristian Lopez", "Andrew Lopez")                 # same surname, other person
    assert not et.name_match("Aino Lehtivaara", "Aino")                        # first name only
    assert not et.name_match("Echeverría Rojas", "Echeverría")                 # not the last word
    assert not et.name_match("Vitol", "Vitol Group Trading")                   # one-word label: no run match
    assert not et.name_match("Contango Oil & Gas", "Contango Oil")             # shorter output
    # places: no surname or partial rules
    assert not et.name_match("New York", "York", surname=False)
    assert not et.name_match("Kansas City", "Kansas City Chiefs", surname=False)
    assert et.name_match("Brussels|Bruxelles", "bruxelles", surname=False)


def test_match_sets_is_one_to_one_and_prefers_exact():
    pairs, missed, spurious = et.match_sets(
        ["Andrew Lopez", "Kristian Lopez"], ["Lopez", "Andrew Lopez", "Andrew Lopez"])
    # "Andrew Lopez" takes the exact output; the surname "Lopez" then goes to the remaining label
    assert pairs == [("Andrew Lopez", "Andrew Lopez"), ("Kristian Lopez", "Lopez")]
    assert missed == [] and spurious == []
    pairs, missed, spurious = et.match_sets(["Aino Lehtivaara"], ["Lehtivaara", "Aino Lehtivaara"])
    assert pairs == [("Aino Lehtivaara", "Aino Lehtivaara")] and spurious == ["Lehtivaara"]


# -------------------------------------------------------------------------------------------- scoring

def _out(types=(), actors=(), places=(), date=None):
    return {"types": list(types), "actors": list(actors), "places": list(places), "date": date}


def test_score_record_counts_per_field():
    label = _out(["disaster", "economy"], ["Aino Lehtivaara", "Callum Reddie"], ["Peru", "Arequipa"], "2025-06-10")
    ours = _out(["disaster", "sports", "consult"], ["Lehtivaara", "Southern Peru"], ["Arequipa", "Lima", "Peru"],
                "2025-06-10")
    s = et.score_record(label, ours)
    assert (s["types"]["tp"], s["types"]["out"], s["types"]["gold"]) == (1, 3, 2)
    assert s["types"]["missed"] == ["economy"] and s["types"]["spurious"] == ["consult", "sports"]
    assert (s["actors"]["tp"], s["actors"]["out"], s["actors"]["gold"]) == (1, 2, 2)
    assert s["actors"]["missed"] == ["Callum Reddie"] and s["actors"]["spurious"] == ["Southern Peru"]
    assert s["actors"]["loose"] == [("Aino Lehtivaara", "Lehtivaara")]  # surname only: reported as loose
    assert (s["places"]["tp"], s["places"]["out"], s["places"]["gold"]) == (2, 3, 2)
    assert s["date"] == {"tp": 1, "out": 1, "gold": 1, "missed": [], "spurious": [], "pair": None}


def test_score_record_loose_actor_match_is_reported():
    s = et.score_record(_out(actors=["Paul Howard"]), _out(actors=["District Attorney Paul Howard"]))
    assert s["actors"]["tp"] == 1 and s["actors"]["loose"] == [("Paul Howard", "District Attorney Paul Howard")]


@pytest.mark.parametrize("label,ours,expected", [
    ("2025-03-04", "2025-03-04", (1, 1, 1, None)),
    ("2025-03-04", "2025-03-05", (0, 1, 1, "2025-03-04 -> 2025-03-05")),
    ("2025-03-04", None, (0, 0, 1, "2025-03-04 -> null")),
    (None, "2021-06-11", (0, 1, 0, "null -> 2021-06-11")),   # we output a date the text does not give
    (None, None, (0, 0, 0, None)),
    ("2025-03-04", "2025-03-04T10:00:00", (1, 1, 1, None)),
])
def test_score_record_dates(label, ours, expected):
    d = et.score_record(_out(date=label), _out(date=ours))["date"]
    assert (d["tp"], d["out"], d["gold"], d["pair"]) == expected


def test_aggregate_is_micro_and_confusions_count():
    a = et.score_record(_out(["sports"], ["A B"], ["X"], "2025-01-01"), _out(["sports"], ["A B", "C D"], [], None))
    b = et.score_record(_out(["economy"], [], ["Y"], None), _out(["sports"], ["C D"], ["Y"], "2025-01-02"))
    agg = et.aggregate([a, b])
    assert agg["types"]["p"] == pytest.approx(1 / 2) and agg["types"]["r"] == pytest.approx(1 / 2)
    assert agg["actors"]["p"] == pytest.approx(1 / 3) and agg["actors"]["r"] == pytest.approx(1.0)
    assert agg["actors"]["f1"] == pytest.approx(2 * (1 / 3) / (1 / 3 + 1))
    assert agg["places"]["p"] == pytest.approx(1.0) and agg["places"]["r"] == pytest.approx(1 / 2)
    assert (agg["date"]["tp"], agg["date"]["out"], agg["date"]["gold"]) == (0, 1, 1)
    assert agg["date"]["p"] == 0.0 and agg["date"]["r"] == 0.0 and agg["date"]["f1"] == 0.0
    conf = et.confusions([a, b])
    assert conf["actors"]["spurious"] == [("C D", 2)]
    assert conf["types"]["missed"] == [("economy", 1)] and conf["types"]["spurious"] == [("sports", 1)]
    assert conf["places"]["missed"] == [("X", 1)]
    assert sorted(conf["date"]["missed"]) == [("2025-01-01 -> null", 1), ("null -> 2025-01-02", 1)]


# --------------------------------------------------------------------------------------------- labels

@pytest.fixture(scope="module")
def labels():
    return et.load_labels()


@pytest.fixture(scope="module")
def keys():
    return et.corpus_keys()


def test_labels_file_is_well_formed(labels, keys):
    assert et.validate(labels, et.taxonomy_codes(), keys) == []


def test_labels_cover_the_corpus_and_enough_eval_articles(labels, keys):
    import os
    import yaml
    with open(os.path.join(et.ROOT, "examples", "EXPECTED.yaml"), encoding="utf-8") as fh:
        documents = set(yaml.safe_load(fh)["documents"])
    assert len(documents) == 34 and set(labels["examples"]) == documents  # every document of examples/corpus
    assert documents <= set(keys)
    assert len(labels["ecbplus"]) + len(labels["gedikli"]) >= 15
    assert sum(len(v) for v in labels.values()) >= 45


def test_validate_catches_bad_labels(keys):
    bad = {"examples": {"html/no-such-page.html": {"types": ["earthquake"], "actors": ["A"], "places": [],
                                                    "date": "2025-02-30"},
                        "html/dailyglobe-toronto-premiere.html.gz": {"types": [], "actors": "X", "places": [],
                                                                     "date": "7 Sept 2025", "year": 1}},
           "ecbplus": {"1_10ecbplus.xml": {"types": ["sports"], "actors": [], "places": []}}}
    problems = "\n".join(et.validate(bad, et.taxonomy_codes(), keys))
    assert "unknown type code 'earthquake'" in problems
    assert "'2025-02-30' is not YYYY-MM-DD" in problems and "'7 Sept 2025' is not YYYY-MM-DD" in problems
    assert "html/no-such-page.html: no such document record" in problems
    assert "'actors' must be a list" in problems and "unknown fields ['year']" in problems
    assert "ecbplus/1_10ecbplus.xml: no 'date'" in problems


def test_examples_are_tagged_by_the_pipeline_stages(labels):
    out = et.tag_examples()
    assert set(labels["examples"]) <= set(out)
    rec = out["jsonl/feed.jsonl#3"]
    assert set(rec) == set(et.FIELDS) and isinstance(rec["types"], list)
