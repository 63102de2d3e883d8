"""Event features (types, actors, places, date, keywords) and event clustering (pure functions + Beam)."""
import random

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from pipeline.config import load_config
from transforms.events import (ClusterEvents, EventFeatures, apply_event_id, blocking_keys, cluster_local,
                               history_signature,
                               event_id, pair_score, resolve_components)


@pytest.fixture(scope="module")
def cfg():
    return load_config()


@pytest.fixture(scope="module")
def stage(cfg):
    return EventFeatures(cfg)


def rec(rid, text, title="", published="2024-03-07", lang="en", cluster=None):
    return {"id": rid, "source": f"src/{rid}", "title": title, "text": text, "published": published,
            "lang": lang, "dedup": {"cluster": cluster or rid}}


def ev(stage, *a, **k):
    return stage(rec(*a, **k))["event"]


# ------------------------------------------------------------------------------------------------ shape

def test_shape_and_signature(stage):
    out = stage(rec("x1", "Police arrested two men in Leeds on Monday.", "Two held in Leeds"))
    assert set(out["event"]) == {"id", "types", "actors", "places", "date", "keywords"}
    assert out["event"]["id"] is None
    sig = out["_event"]
    assert sig["key"] == "src/x1" and sig["id"] == "x1" and sig["dup"] == "x1"
    assert sig["terms"] == sorted(sig["terms"]) and len(sig["terms"]) <= 30


def test_empty_record(stage):
    e = ev(stage, "e1", "", "", published=None)
    assert e == {"id": None, "types": [], "actors": [], "places": [], "date": None, "keywords": []}


# ------------------------------------------------------------------------------------------------ types

TYPE_CASES = [
    ("disaster", "Earthquake shakes coastal towns",
     "A magnitude 6.4 earthquake struck the coast early on Tuesday. Aftershocks were felt for hours."),
    ("accident", "Train derails near station",
     "A passenger train derailed and collided with a freight car. Officials said the crash injured 40."),
    ("election", "Opposition leads in parliamentary election",
     "Voters went to the polls on Sunday. The election turnout was high and the candidate conceded."),
    ("sports", "Late goal wins the cup final",
     "The striker scored in the 89th minute as the team won the cup final against the league leaders."),
    ("economy", "Central bank raises interest rates",
     "The central bank raised interest rates again to fight inflation, and the stock market fell."),
    ("business", "Carmaker agrees takeover of rival",
     "The chief executive said the acquisition, a deal worth 4 billion dollars, would close this year."),
    ("health", "Measles outbreak spreads",
     "Health officials said the outbreak has infected 300 patients and urged vaccination in hospitals."),
    ("protest", "Thousands protest pension reform",
     "Protesters marched through the capital and unions called a strike. The demonstration was peaceful."),
    ("crime_justice", "Former mayor sentenced for fraud",
     "A court sentenced the former mayor to five years. The judge said the fraud was deliberate."),
    ("coerce", "Journalists arrested in raid",
     "Security forces arrested six journalists in a dawn raid and detained them without charge."),
    ("fight", "Clashes on the front line",
     "Heavy fighting and shelling continued as troops repelled an offensive by rebels near the border."),
    ("entertainment", "Actress wins Oscar for debut film",
     "The actress thanked the director of the film at the Oscars ceremony; the movie topped the box office."),
    ("science_tech", "Rocket launches weather satellite",
     "The rocket launched a satellite into orbit, scientists said, after the launch was delayed twice."),
]


@pytest.mark.parametrize("code,title,text", TYPE_CASES, ids=[c[0] for c in TYPE_CASES])
def test_types(stage, code, title, text):
    types = ev(stage, "t-" + code, text, title)["types"]
    assert types and types[0] == code, types
    assert len(types) <= 3


def test_types_german_french(stage):
    assert ev(stage, "tde", "Ein schweres Erdbeben erschütterte die Region. Das Beben hatte die Stärke 6.",
              "Erdbeben in der Region", lang="de")["types"][0] == "disaster"
    assert ev(stage, "tfr", "Des milliers de manifestants ont défilé. La grève continue.",
              "Manifestation contre la réforme", lang="fr")["types"][0] == "protest"


def test_types_threshold(stage):
    assert ev(stage, "tnone", "The weather was mild and the garden looked lovely.", "A quiet afternoon")["types"] == []


# ----------------------------------------------------------------------------------------------- actors

def test_actors_titles_orgs_and_surnames(stage):
    text = ("Foreign Minister Erik Halvorsen met President Maria Lindqvist at the Ministry of Defence on "
            "Tuesday. Halvorsen's aides said the talks went well.\n\n"
            "Acme Holdings Ltd, whose chief executive Paul Ostrander attended, and the World Bank were also "
            "represented. NATO officials said Ostrander would report to the Council. The event was in March.")
    actors = ev(stage, "a1", text, "Ministers meet")["actors"]
    assert actors[0] == "Erik Halvorsen"        # two mentions (surname-only mapped to the full name)
    assert "Paul Ostrander" in actors and "Maria Lindqvist" in actors
    assert "Ministry of Defence" in actors and "Acme Holdings Ltd" in actors and "World Bank" in actors
    assert "NATO" in actors
    for bad in ("Halvorsen", "Halvorsen's", "Foreign Minister Erik Halvorsen", "Tuesday", "March", "The",
                "Ostrander", "President Maria Lindqvist"):
        assert bad not in actors


def test_actors_particles_and_places_excluded(stage):
    text = ("German Chancellor Katrin von der Berg spoke in Berlin with Omar al-Rashid. "
            "Von der Berg later flew to Paris. France and Germany issued a joint statement.")
    actors = ev(stage, "a2", text)["actors"]
    assert actors[0] == "Katrin von der Berg"
    assert "Omar al-Rashid" in actors
    for place in ("Berlin", "Paris", "France", "Germany", "German"):
        assert place not in actors


# ----------------------------------------------------------------------------------------------- places

def test_places_countries_cities_demonyms(stage):
    text = ("Norwegian rescuers flew to Turkey on Monday. Teams from Ankara and Istanbul joined them, while "
            "the U.S. sent supplies. The quake was felt in Turkey's south.")
    places = ev(stage, "p1", text, "Rescuers arrive")["places"]
    assert places[0] == "Turkey"
    assert {"Ankara", "Istanbul", "United States"} <= set(places)
    # a demonym counts half a mention: "Norwegian rescuers" is background to the quake in Turkey
    assert "Norway" not in places
    places = ev(stage, "p1b", "Norwegian rescuers flew to Turkey on Monday.", "Rescuers arrive")["places"]
    assert places == ["Turkey", "Norway"]


def test_places_stoplisted_common_words(stage):
    text = ("It was a nice day. Nice weather helped. Reading the report, Mobile phones were banned. "
            "Split decisions followed in Texas.")
    places = ev(stage, "p2", text)["places"]
    assert places == ["Texas", "United States"]  # a state (or city) brings its country


def test_places_foreign_names(stage):
    assert "Germany" in ev(stage, "p3", "Die Regierung in Deutschland tagte in München.", lang="de")["places"]
    assert "Morocco" in ev(stage, "p4", "Un séisme a frappé le Maroc.", lang="fr")["places"]


# ------------------------------------------------------------------------------------------------- date

@pytest.mark.parametrize("text,published,lang,expected", [
    ("The ministers spoke on Monday about trade.", "2024-03-07", "en", "2024-03-04"),    # Thursday -> Monday
    ("The ministers spoke on Thursday about trade.", "2024-03-07", "en", "2024-03-07"),  # same weekday = that day
    ("The fire broke out on Tuesday night.", "2024-03-07", "en", "2024-03-05"),
    ("The bridge collapsed yesterday.", "2024-03-07", "en", "2024-03-06"),
    ("Officials confirmed the deal earlier today.", "2024-03-07", "en", "2024-03-07"),
    ("The vote took place on March 3.", "2024-03-07", "en", "2024-03-03"),
    ("The vote took place on 3 March 2023.", "2024-03-07", "en", "2023-03-03"),
    ("The summit opened on 2024-02-28 in the capital.", "2024-03-07", "en", "2024-02-28"),
    ("Die Minister telefonierten gestern.", "2024-03-07", "de", "2024-03-06"),
    ("Die Minister telefonierten am Montag.", "2024-03-07", "de", "2024-03-04"),
    ("Das Treffen fand am 3. März statt.", "2024-03-07", "de", "2024-03-03"),
    ("Les ministres se sont parlé hier.", "2024-03-07", "fr", "2024-03-06"),
    ("Les ministres se sont parlé lundi.", "2024-03-07", "fr", "2024-03-04"),
    ("La réunion a eu lieu le 3 mars.", "2024-03-07", "fr", "2024-03-03"),
    ("Los ministros hablaron ayer.", "2024-03-07", "es", "2024-03-06"),
    ("Los ministros hablaron el lunes.", "2024-03-07", "es", "2024-03-04"),
    ("A December 30 report is cited.", "2024-01-05", "en", "2023-12-30"),              # year rolls back
])
def test_dates(stage, text, published, lang, expected):
    assert ev(stage, "d", text, "", published=published, lang=lang)["date"] == expected


def test_date_fallbacks(stage):
    assert ev(stage, "d1", "Nothing about when.", published="2024-03-07")["date"] == "2024-03-07"
    assert ev(stage, "d2", "It happened on Monday.", published=None)["date"] is None
    assert ev(stage, "d3", "It happened on 5 May 2021.", published=None)["date"] == "2021-05-05"
    # lead mentions outweigh a single background mention
    text = ("The plant exploded on Tuesday, officials said. The blast on Tuesday killed three.\n\n"
            "A similar accident happened on 4 June 2019.")
    assert ev(stage, "d4", text, published="2024-03-07")["date"] == "2024-03-05"


def test_undated_background_date_before_a_lead_year(stage):
    # no published date: a date named only after the lead, in a year before one the lead names, is
    # background (the coach's hiring), not the event (his firing); in the lead it still counts
    lead = ("The team fired its head coach on Saturday. An interim coach will lead the team through the end "
            "of the 2008-09 season, the club said.")
    filler = "\n\n".join(f"Paragraph {i} talks about the team, its players, its fans, its coaches, its owners, "
                           "its long history, its arena and its rivals, at length and in detail, as sports "
                           "stories often do before they get to the background." for i in range(5))
    bio = "The coach was hired on May 23, 2005, and led the team to the playoffs twice."
    text = lead + "\n\n" + filler + "\n\n" + bio
    assert ev(stage, "d5", text, "Team fires coach", published=None)["date"] is None
    assert ev(stage, "d6", bio + "\n\n" + lead, "Team fires coach", published=None)["date"] == "2005-05-23"
    # a later date after the lead is kept, and with a published date nothing changes
    later = text.replace("May 23, 2005", "May 23, 2009")
    assert ev(stage, "d7", later, "Team fires coach", published=None)["date"] == "2009-05-23"
    assert ev(stage, "d8", text, "Team fires coach", published="2008-12-14")["date"] == "2008-12-13"


# --------------------------------------------------------------------------------------------- keywords

def test_keywords(stage, cfg):
    text = ("Wildfire crews battled the wildfire near the dam. The wildfire forced evacuations of the valley, "
            "and evacuations continued as the dam was closed.")
    kws = ev(stage, "k1", text, "Wildfire forces evacuations")["keywords"]
    assert kws[0] == "wildfire" and "evacuations" in kws
    assert len(kws) <= cfg["events"]["num_keywords"]
    for w in ("the", "and", "was", "near"):
        assert w not in kws


def test_keywords_german_stopwords(stage):
    kws = ev(stage, "k2", "Die Feuerwehr löschte den Brand in der Fabrik. Der Brand war groß.", lang="de")["keywords"]
    assert "brand" in kws and "der" not in kws and "die" not in kws


# ----------------------------------------------------------------------------------------------- clustering

CALL_1 = ("Norwegian Foreign Minister Erik Halvorsen held a phone call on Monday with his Canadian counterpart "
          "Claire Dubreuil about Arctic fishing rights, the foreign ministry in Oslo said.\n\n"
          "Halvorsen and Dubreuil agreed to set up a working group on the Arctic fishing dispute.")
CALL_2 = ("Canada's Foreign Minister Claire Dubreuil spoke by phone with Norway's Erik Halvorsen on Monday, "
          "focusing on fishing quotas in the Arctic.\n\nDubreuil said in a statement that the call with "
          "Halvorsen was frank and that Ottawa wants a quick deal on fishing.")
CALL_3 = ("In a telephone call yesterday, Erik Halvorsen of Norway and Claire Dubreuil of Canada discussed "
          "the Arctic fishing row. Officials in Oslo said a working group would meet soon.")
CALL_LATER = ("Norwegian Foreign Minister Erik Halvorsen and Canadian Foreign Minister Claire Dubreuil spoke by "
              "phone on Wednesday about Arctic fishing rights, the ministry in Oslo said.\n\n"
              "Halvorsen and Dubreuil discussed the working group on the fishing dispute.")
QUAKE_1 = ("A magnitude 6.2 earthquake struck eastern Turkey on Tuesday, killing at least 12 people. The quake "
           "damaged buildings in Malatya and was felt in Ankara, officials said.")
QUAKE_2 = ("A strong earthquake of magnitude 5.9 hit northern Peru on Thursday, damaging homes. The quake "
           "was felt in Lima and rescuers were searching for survivors, officials said.")


def call_records():
    return [
        rec("call-a", CALL_1, "Norway and Canada discuss Arctic fishing in phone call", "2024-03-04"),
        rec("call-b", CALL_2, "Dubreuil, Halvorsen talk fishing by phone", "2024-03-05"),
        rec("call-c", CALL_3, "Ministers hold call on Arctic fishing", "2024-03-06"),
        rec("call-z", CALL_LATER, "Norway, Canada ministers speak again on fishing", "2024-05-08"),
        rec("quake-tr", QUAKE_1, "Deadly earthquake hits eastern Turkey", "2024-03-05"),
        rec("quake-pe", QUAKE_2, "Earthquake rattles northern Peru", "2024-03-07"),
    ]


def _features(stage, records):
    return [stage(r) for r in records]


def _ids_by_record(out):
    return {r["id"]: r["event"]["id"] for r in out}


def test_cluster_pure(stage, cfg):
    feats = _features(stage, call_records())
    assert feats[0]["event"]["date"] == "2024-03-04"
    e = cfg["events"]
    mapping = cluster_local([f["_event"] for f in feats], e["threshold"], e["max_days_apart"],
                            e["block_keywords"], e["max_block_size"])
    ids = _ids_by_record([apply_event_id(f, mapping) for f in feats])
    assert ids["call-a"] == ids["call-b"] == ids["call-c"] == event_id("call-a")
    assert ids["call-z"] == event_id("call-z")
    assert ids["quake-tr"] != ids["quake-pe"]
    assert len({ids["call-a"], ids["call-z"], ids["quake-tr"], ids["quake-pe"]}) == 4


def test_pair_score_rules(stage, cfg):
    feats = {f["id"]: f["_event"] for f in _features(stage, call_records())}
    md, th = cfg["events"]["max_days_apart"], cfg["events"]["threshold"]
    assert pair_score(feats["call-a"], feats["call-b"], md) >= th
    assert pair_score(feats["call-a"], feats["call-z"], md) == 0.0          # two months apart
    assert pair_score(feats["quake-tr"], feats["quake-pe"], md) < th        # same kind, other place
    dup = dict(feats["quake-pe"], dup=feats["call-a"]["dup"])
    assert pair_score(feats["call-a"], dup, md) == 1.0                      # near-duplicates always link


def test_blocking_keys_share_a_bucket():
    base = {"key": "a", "id": "a", "types": [], "terms": ["a:erik halvorsen", "k:fishing"], "dup": "a"}
    for d1, d2 in [("2024-03-01", "2024-03-04"), ("2024-03-03", "2024-03-04"), ("2024-02-28", "2024-03-02")]:
        k1 = set(blocking_keys(dict(base, date=d1), 3))
        k2 = set(blocking_keys(dict(base, key="b", dup="b", date=d2), 3))
        assert k1 & k2, (d1, d2)
    assert "dup:a" in blocking_keys(dict(base, date=None), 3)


def test_resolve_components_deterministic():
    ids = {"s1": "z", "s2": "b", "s3": "c", "s4": "d"}
    m1 = resolve_components([("s1", "s2"), ("s2", "s3")], ids)
    m2 = resolve_components([("s3", "s2"), ("s2", "s1")][::-1], ids)
    assert m1 == m2 and set(m1) == {"s1", "s2", "s3"} and set(m1.values()) == {event_id("b")}


def test_order_independence(stage, cfg):
    e = cfg["events"]
    feats = _features(stage, call_records())
    ref = None
    for seed in range(5):
        shuffled = list(feats)
        random.Random(seed).shuffle(shuffled)
        mapping = cluster_local([f["_event"] for f in shuffled], e["threshold"], e["max_days_apart"],
                                e["block_keywords"], e["max_block_size"])
        ids = _ids_by_record([apply_event_id(f, mapping) for f in shuffled])
        assert ref is None or ids == ref
        ref = ids


def test_cluster_events_beam(stage, cfg):
    feats = _features(stage, call_records())
    random.Random(3).shuffle(feats)
    a, z = event_id("call-a"), event_id("call-z")
    expected = [("call-a", a), ("call-b", a), ("call-c", a), ("call-z", z),
                ("quake-tr", event_id("quake-tr")), ("quake-pe", event_id("quake-pe"))]
    with beam.Pipeline(runner="FnApiRunner") as p:
        out = (p | beam.Create(feats, reshuffle=False) | ClusterEvents(cfg)
               | beam.Map(lambda r: (r["id"], r["event"]["id"], "_event" in r)))
        assert_that(out | beam.Map(lambda t: (t[0], t[1])), equal_to(expected))
        assert_that(out | "NoSig" >> beam.Map(lambda t: t[2]), equal_to([False] * 6), label="no_sig")


def test_near_duplicates_always_link(stage, cfg):
    e = cfg["events"]
    r1 = stage(rec("n1", "Stocks fell sharply.", "Markets fall", "2024-03-01", cluster="n1"))
    r2 = stage(rec("n2", "Completely different words here about gardening.", "", "2024-06-01", cluster="n1"))
    mapping = cluster_local([r1["_event"], r2["_event"]], e["threshold"], e["max_days_apart"])
    assert mapping["src/n1"] == mapping["src/n2"] == event_id("n1")


def test_datelines_elisions_and_german_nouns(stage):
    e = ev(stage, "x1", "ANKARA — Ein schweres Erdbeben hat Dutzende Gebäude beschädigt. Viele Menschen "
           "flohen auf die Straßen, sagte Innenministerin Selin Arslan.", lang="de")
    assert e["places"][0] == "Ankara" and "ANKARA" not in e["actors"]
    assert e["actors"] == ["Selin Arslan"]
    assert "Peru" in ev(stage, "x2", "Un séisme a frappé la région d'Arequipa, au Pérou.", lang="fr")["places"]


def test_stage_config_driven(cfg):
    import copy
    c = copy.deepcopy(cfg)
    c["events"]["max_types"] = 1
    c["events"]["num_keywords"] = 2
    e = EventFeatures(c)(rec("c1", TYPE_CASES[0][2], TYPE_CASES[0][1]))["event"]
    assert len(e["types"]) <= 1 and len(e["keywords"]) == 2


# ------------------------------------------------------------------------------------ earlier runs (--state)

def _history(stage, records, cfg):
    """Run one 'earlier' batch and return what the state keeps of its written records."""
    e = cfg["events"]
    feats = _features(stage, records)
    mapping = cluster_local([f["_event"] for f in feats], e["threshold"], e["max_days_apart"],
                            e["block_keywords"], e["max_block_size"])
    return [history_signature(apply_event_id(f, mapping), e["max_terms"]) for f in feats]


def test_later_article_joins_event_of_earlier_run(stage, cfg):
    e = cfg["events"]
    earlier = call_records()
    history = _history(stage, [earlier[1], earlier[4]], cfg)        # call-b and quake-tr came first
    assert all(h["key"].startswith("h:") and h["eid"] for h in history)
    new = _features(stage, [earlier[0], earlier[2], earlier[3], earlier[5]])  # call-a, call-c, call-z, quake-pe
    mapping = cluster_local([f["_event"] for f in new] + history, e["threshold"], e["max_days_apart"],
                            e["block_keywords"], e["max_block_size"])
    ids = _ids_by_record([apply_event_id(f, mapping) for f in new])
    old_call = next(h["eid"] for h in history if h["id"] == "call-b")
    assert old_call == event_id("call-b")
    # the call articles join the event id written by the earlier run, though call-a's id is smaller
    assert ids["call-a"] == ids["call-c"] == old_call
    assert ids["call-z"] == event_id("call-z") and ids["quake-pe"] == event_id("quake-pe")


def test_history_signature_equals_clustering_signature(stage, cfg):
    e = cfg["events"]
    f = stage(rec("call-a", CALL_1, "Norway and Canada discuss Arctic fishing", "2024-03-04"))
    sig = dict(f["_event"])
    h = history_signature(apply_event_id(f, {}), e["max_terms"])
    assert h.pop("eid") == event_id("call-a") and h.pop("key") == "h:" + sig.pop("key")
    assert h == sig


def test_cluster_events_beam_with_history(stage, cfg):
    earlier = call_records()
    history = _history(stage, [earlier[1]], cfg)
    new = _features(stage, [earlier[0], earlier[3]])
    old = history[0]["eid"]
    with beam.Pipeline(runner="FnApiRunner") as p:
        hist = p | "Hist" >> beam.Create(history)
        out = (p | beam.Create(new, reshuffle=False) | ClusterEvents(cfg, history=hist)
               | beam.Map(lambda r: (r["id"], r["event"]["id"])))
        assert_that(out, equal_to([("call-a", old), ("call-z", event_id("call-z"))]))


# ------------------------------------------------------------------------------------ issue 6 fixes

def test_places_not_from_person_names(stage):
    e = ev(stage, "n1", "Wladimir Klitschko beat Hasim Rahman in Mannheim, Germany. Klitschko was sharp and "
                        "Rahman was slow.", "Klitschko retains title")
    assert "Vladimir" not in e["places"] and "Germany" in e["places"]
    assert "Wladimir Klitschko" in e["actors"] and "Klitschko" not in e["actors"]
    e = ev(stage, "n2", "Tyler Hansbrough scored 20 points as North Carolina won in Chapel Hill on Saturday. "
                        "Hansbrough also had ten rebounds.")
    assert "Tyler" not in e["places"]
    assert "Tyler Hansbrough" in e["actors"]
    e = ev(stage, "n3", "La secretaria Lucía Montenegro Ariza anunció en Bogotá la jornada de vacunación. "
                        "Montenegro Ariza dijo que habrá puestos en toda la ciudad.", lang="es")
    assert "Montenegro" not in e["places"] and e["places"][:2] == ["Bogotá", "Colombia"]
    assert "Lucía Montenegro Ariza" in e["actors"]
    e = ev(stage, "n4", "Tore von Verteidiger Nico Balmer entschieden das Spiel in Graz. Nico Balmer traf zweimal.",
           lang="de")
    assert "Nice" not in e["places"] and "Graz" in e["places"]
    e = ev(stage, "n5", "The White House said the plates under South American volcanoes moved; North American "
                        "rights were sold.")
    assert "Casablanca" not in e["places"] and "United States" not in e["places"]


def test_datelines_are_places_with_their_country(stage):
    e = ev(stage, "d1", "ESBJERG, Denmark — The wind farm off the coast of Esbjerg began supplying power on "
                        "Thursday, operator director Mette Kjærsgaard said.", "Wind farm starts")
    assert e["places"][:2] == ["Esbjerg", "Denmark"]
    assert "ESBJERG" not in e["actors"] and "Esbjerg" not in e["actors"]
    e = ev(stage, "d2", "KAUB, Germany — Barges stopped near the Kaub gauge as the water fell. Later mentions "
                        "of Kaub count too, the agency said. Traders in Rotterdam waited.", "Low water")
    assert e["places"][:2] == ["Kaub", "Germany"]
    assert not {"KAUB", "Kaub"} & set(e["actors"])
    # a city named up front brings its country, right after it
    e = ev(stage, "d3", "The city museum in Graz opened an exhibition on Saturday.", "Museum opens")
    assert e["places"] == ["Graz", "Austria"]


def test_geographic_features_are_places_not_actors(stage):
    text = ("Astronomers opened a telescope in the Atacama Desert on Monday. The Navarro County project and a "
            "hike on Mount Cook were planned, and the Black Forest stayed dry.")
    e = ev(stage, "f1", text, "Telescope opens in the Atacama Desert")
    assert e["places"][0] == "Atacama Desert"
    assert {"Navarro County", "Mount Cook"} <= set(e["places"])
    assert not {"Atacama Desert", "Navarro County", "Black Forest", "Mount Cook", "Astronomers"} & set(e["actors"])


def test_actor_cleanup(stage):
    text = ("Superior Court Judge James Bodiford sentenced the man on Monday. Fulton County District Attorney "
            "Paul Howard said the county would appeal. Police Commissioner Ray Kelly agreed, and Contango Oil & "
            "Gas shares fell. Bodiford and Howard spoke later; Contango declined to comment. Kelly did too.\n\n"
            "(Reporting by Adriana Barrera; Editing by Matthew Lewis)")
    actors = ev(stage, "a1", text, "Man sentenced in Atlanta")["actors"]
    assert {"James Bodiford", "Paul Howard", "Ray Kelly", "Contango Oil & Gas"} <= set(actors)
    for junk in ("Superior Court Judge James Bodiford", "Bodiford", "Howard", "Contango", "Contango Oil",
                 "Adriana Barrera", "Matthew Lewis"):
        assert junk not in actors
    # a Title Case headline line inside the text names nobody by itself
    text = "Sixers Hire Maurice Cheeks As Head Coach\n\nThe team hired Maurice Cheeks on Monday.\n\nHe starts soon."
    actors = ev(stage, "a2", text)["actors"]
    assert actors == ["Maurice Cheeks"]
    # leading roles and words like "Volgens" (Dutch "according to") are not part of a name
    text = "Grower Eleni Stavrakaki said the harvest was late. Volgens Femke van der Heijden was it rainy."
    actors = ev(stage, "a3", text)["actors"]
    assert "Eleni Stavrakaki" in actors and "Femke van der Heijden" in actors
    # a surname pair later in the text is the full name
    text = ("El canciller Tomás Echeverría Rojas viajó a Helsinki. Echeverría Rojas firmó el acuerdo y "
            "Echeverría habló con la prensa.")
    actors = ev(stage, "a4", text, lang="es")["actors"]
    assert actors[0] == "Tomás Echeverría Rojas" and "Echeverría" not in actors and "Echeverría Rojas" not in actors


def test_types_per_language_and_lead_words(stage):
    # English cues do not fire on Spanish / German words ("visitantes", "Besucher")
    assert "consult" not in ev(stage, "t1", "La feria del libro cerró con más de un millón de visitantes y "
                                            "visitantes de treinta países.", "La feria cerró", lang="es")["types"]
    assert "consult" not in ev(stage, "t2", "Das Stadtmuseum zählte viele Besucher. Die Besucher kamen aus "
                                            "dem ganzen Land.", "Besucherrekord", lang="de")["types"]
    # Italian and Dutch cues
    assert "disaster" in ev(stage, "t3", "Il maltempo ha colpito Genova: allerta rossa e alluvioni in Liguria.",
                            "Maltempo a Genova", lang="it")["types"]
    assert "economy" in ev(stage, "t4", "De overslag in de haven daalde; de economie en de export bleven zwak.",
                           "Overslag gedaald", lang="nl")["types"]
    # low water on a river is a natural disaster
    assert "disaster" in ev(stage, "t5", "Low water on the river stranded barges as the drought went on.",
                            "Low water strands barges")["types"]
    # one sentence a line: cues are read in the first words, not the first three lines
    lines = ["Line one has nothing.", "Line two neither.", "Nor line three.",
             "The earthquake damaged houses.", "A second earthquake and aftershocks followed."]
    assert "disaster" in ev(stage, "t6", "\n\n".join(lines), "http: / / example. com / story")["types"]


@pytest.mark.parametrize("title,text,published,expected", [
    # a weekday resolves against the date line of the text when there is no published date
    ("Obama overturns ruling", "WEDNESDAY, MARCH 4, 2009, 10: 53 AM\n\nPresident Obama announced plans "
     "Tuesday to resume reviews.", None, "2009-03-03"),
    ("Dairy burns", "August 8, 2012 - 4: 43 pm\n\nThe fire destroyed the warehouse in Palmer on Tuesday.",
     None, "2012-08-07"),
    # a date without a year takes the year of another full date in the text
    ("Woman killed", "Posted in Accidents on Wednesday, September 18, 2013.\n\nA woman was killed in Queens "
     "on the night of Sept. 13.\n\nThe driver fled.", None, "2013-09-13"),
    # US numeric dates (English)
    ("Teen confesses", "First Posted: 10 / 25 / 11 06: 44 PM ET\n\nThe suspect confessed to the murder.",
     None, "2011-10-25"),
    ("Council meets", "The council met on 10/25/2011 to vote.", "2011-10-27", "2011-10-25"),
])
def test_dates_date_lines_and_numeric(stage, title, text, published, expected):
    assert ev(stage, "dt", text, title, published=published)["date"] == expected


def test_numeric_dates_english_only(stage):
    # day-first languages do not read 10/11/2024 month first
    assert ev(stage, "dn", "Le conseil s'est réuni le 10/11/2024.", "Conseil", published="2024-11-12",
              lang="fr")["date"] == "2024-11-12"


def test_types_background_cues_weigh_less(stage):
    lead = ("A judge sentenced the former guard to life in prison on Friday after a jury convicted him, and the "
            "court heard statements from relatives, neighbours, teachers, friends and colleagues of the family "
            "who had come by bus from across the state.")
    assert len(lead.split()) > 40
    types = ev(stage, "bg1", lead + " The victim was killed in 2019 in an attack.",
               "Former guard sentenced")["types"]
    assert types[0] == "crime_justice" and "assault" not in types
    # the same cue up front counts fully
    types = ev(stage, "bg2", "Two people were killed and a third was stabbed in an attack on Friday.",
               "Two killed")["types"]
    assert "assault" in types


def test_surname_join_ignores_accents(stage):
    text = ("President Andres Manuel Lopez Obrador said on Thursday that Vitol must name the official. "
            "López Obrador repeated the demand at his morning press conference.")
    actors = ev(stage, "acc", text, "Mexico wants a name")["actors"]
    assert "Andres Manuel Lopez Obrador" in actors and "López Obrador" not in actors


# ------------------------------------------------------------------------------ issue 6: across records

def _sig(key, terms, date=None, types=(), place=None, lang="en"):
    return {"key": key, "id": key, "date": date, "types": list(types), "terms": sorted(terms), "place": place,
            "kw": [t for t in terms if t.startswith("k:")][:5], "dup": key, "lang": lang}


def test_undated_record_meets_dated_ones():
    from transforms.events import block_edges, block_kind
    terms = ["a:erik halvorsen", "a:claire dubreuil", "p:norway", "p:canada", "k:fishing", "k:arctic"]
    dated = _sig("d", terms, "2024-03-04")
    undated = _sig("u", terms + ["k:quota"])
    shared = set(blocking_keys(dated, 7)) & set(blocking_keys(undated, 7))
    assert shared and all(block_kind(k) == "any" for k in shared)
    assert cluster_local([dated, undated], 0.15, 7)["d"] == cluster_local([dated, undated], 0.15, 7)["u"]
    # in an any-date block two dated records are not compared again (they meet in their date buckets)
    other = _sig("e", terms, "2024-03-05")
    assert block_edges([dated, other, undated], 0.15, 7, kind="any") == [
        (a, b, s) for a, b, s in block_edges([dated, other, undated], 0.15, 7, kind="dated") if "u" in (a, b)]


def test_rare_shared_terms_count_more():
    from transforms.events import document_frequencies, with_idf
    a = _sig("a", ["p:united states", "k:fire", "k:church", "a:wasilla bible church"])
    b = _sig("b", ["p:united states", "k:fire", "k:church", "a:wasilla bible church", "k:arson"])
    c = _sig("c", ["p:united states", "k:fire", "k:dairy", "a:matanuska maid"])
    background = [_sig(f"x{i}", ["p:united states", "k:fire", f"k:other{i}"]) for i in range(20)]
    df, n = document_frequencies([a, b, c] + background)
    assert df["p:united states"] == 23 and n == 23
    wa, wb, wc = (with_idf(s, df, n) for s in (a, b, c))
    assert wa["idf"]["a:wasilla bible church"] > wa["idf"]["k:fire"]
    assert pair_score(wa, wb, 7) > 0.8
    assert pair_score(wa, wc, 7) < 0.15          # only common terms in common
    assert pair_score(a, c, 7) > pair_score(wa, wc, 7)  # unweighted, the common terms count fully


def test_time_decay_and_window():
    terms = ["a:erik halvorsen", "p:norway", "k:fishing", "k:arctic", "k:quota"]
    base = _sig("a", terms + ["k:talks"], "2024-03-04")
    score = {d: pair_score(base, _sig("b", terms + ["k:deal"], f"2024-03-{d:02d}"), 7) for d in (5, 7, 9, 11, 12)}
    assert score[5] == score[7] > score[9] > score[11] > 0.0   # full for 3 days, then falls
    assert score[12] == 0.0                                      # more than max_days_apart


def test_entities_alone_only_across_languages():
    ents = ["a:erik halvorsen", "a:claire dubreuil", "p:norway"]
    en = _sig("en", ents + ["k:fishing", "k:phone call", "k:quota", "k:arctic", "k:ministers", "k:talks"],
              "2024-03-04")
    es = _sig("es", ents + ["k:pesca", "k:llamada", "k:cuota", "k:ártico", "k:ministros", "k:conversación"],
              "2024-03-04", lang="es")
    es_as_en = dict(es, lang="en")
    assert pair_score(en, es_as_en, 7) < 0.7
    assert pair_score(en, es, 7) > 0.79          # x0.8 the cosine of the (identical) actors and places


def test_link_support_stops_chaining():
    # two tight groups (a*, b*) joined by one stray edge: one event each with support, one blob without
    edges = [("a1", "a2", 0.9), ("a1", "a3", 0.8), ("a2", "a3", 0.8),
             ("b1", "b2", 0.9), ("b1", "b3", 0.8), ("b2", "b3", 0.7), ("a3", "b1", 0.5)]
    ids = {k: k for e in edges for k in e[:2]}
    blob = resolve_components(edges, ids, support=0.0)
    assert len(set(blob.values())) == 1
    for support in (0.5, 1.0):
        m = resolve_components(edges, ids, support=support)
        assert m["a1"] == m["a2"] == m["a3"] == event_id("a1")
        assert m["b1"] == m["b2"] == m["b3"] == event_id("b1")
        # a single record joins a group on one edge
        m2 = resolve_components(edges + [("a1", "c1", 0.4)], dict(ids, c1="c1"), support=support)
        assert m2["c1"] == m2["a1"]
    # ... and the result does not depend on the order of the edges
    assert resolve_components(edges[::-1], ids, support=1.0) == resolve_components(edges, ids, support=1.0)
    # enough edges between the groups join them
    more = edges + [("a1", "b2", 0.5), ("a2", "b3", 0.5)]
    assert len(set(resolve_components(more, ids, support=1.0).values())) == 1


def test_beam_equals_cluster_local_with_undated(stage, cfg):
    e = cfg["events"]
    records = call_records() + [
        rec("call-u", CALL_3, "Ministers hold call on Arctic fishing", published=None),
        rec("quake-u", QUAKE_2.replace("on Thursday", ""), "Earthquake rattles northern Peru", published=None)]
    feats = _features(stage, records)
    assert feats[-1]["event"]["date"] is None and feats[-2]["event"]["date"] is None
    mapping = cluster_local([f["_event"] for f in feats], e["threshold"], e["max_days_apart"],
                            e["block_keywords"], e["max_block_size"], e["same_days"], e["date_decay"],
                            e["link_support"], e["link_density"], e["link_density_span"])
    local = _ids_by_record([apply_event_id(f, mapping) for f in feats])
    assert local["call-u"] == local["call-a"] == local["call-b"] == local["call-c"]
    assert local["quake-u"] == local["quake-pe"] != local["quake-tr"]
    random.Random(5).shuffle(feats)
    with beam.Pipeline(runner="FnApiRunner") as p:
        out = (p | beam.Create(feats, reshuffle=False) | ClusterEvents(cfg)
               | beam.Map(lambda r: (r["id"], r["event"]["id"])))
        assert_that(out, equal_to(sorted(local.items())))


def test_link_density_keeps_two_events_of_one_kind_apart():
    # two groups of three (one event each, every pair linked) and a few weaker links across them (two
    # events of one kind): support alone joins them, density does not; a single record still joins a
    # group on one edge, and a densely linked pair of groups still joins
    inner = [(f"{g}{i}", f"{g}{j}", 0.5) for g in "ab" for i in range(1, 4) for j in range(i + 1, 4)]
    cross = [("a1", "b1", 0.3), ("a2", "b2", 0.3), ("a3", "b3", 0.3)]
    edges = inner + cross
    ids = {k: k for e in edges for k in e[:2]}
    assert len(set(resolve_components(edges, ids, support=1.0).values())) == 1
    m = resolve_components(edges, ids, support=1.0, density=0.5)
    assert m["a1"] == m["a2"] == m["a3"] != m["b1"] == m["b2"] == m["b3"]
    assert resolve_components(edges[::-1], ids, support=1.0, density=0.5) == m
    m2 = resolve_components(edges + [("a1", "c1", 0.2)], dict(ids, c1="c1"), support=1.0, density=0.5)
    assert m2["c1"] == m2["a1"]
    dense = edges + [("a1", "b2", 0.3), ("a2", "b3", 0.3)]   # 5 of the 9 cross pairs
    assert len(set(resolve_components(dense, ids, support=1.0, density=0.5).values())) == 1
    # density_span: the larger group counts as at most that many members (never fewer than the smaller)
    assert len(set(resolve_components(edges, ids, support=1.0, density=0.5, density_span=3).values())) == 2
    big = [(f"b{i}", f"b{j}", 0.5) for i in range(1, 9) for j in range(i + 1, 9)]
    few = [("a1", "b1", 0.3), ("a1", "b2", 0.3), ("a2", "b3", 0.3), ("a2", "b4", 0.3)]
    edges2 = [e for e in inner if e[0].startswith("a")] + big + few
    ids2 = {k: k for e in edges2 for k in e[:2]}
    assert len(set(resolve_components(edges2, ids2, support=1.0, density=0.3).values())) == 2  # 4 < 0.3*3*8
    assert len(set(resolve_components(edges2, ids2, support=1.0, density=0.3,
                                      density_span=4).values())) == 1                          # 4 >= 0.3*3*4


def test_copies_count_as_the_records_they_stand_for():
    # a unit of three near-duplicate copies (u) and a group of three records (b*) linked by one edge: as if
    # each copy had that edge, so 3 edges, enough for groups of 3 (three records of which one has the edge
    # stay apart)
    group = [("b1", "b2", 0.9), ("b1", "b3", 0.8), ("b2", "b3", 0.8)]
    edges = group + [("u", "b1", 0.5)]
    ids = {"b1": "b1", "b2": "b2", "b3": "b3", "u": "a", "a2": "a2", "a3": "a3"}
    apart = resolve_components(group + [("u", "a2", 1.0), ("u", "a3", 1.0), ("u", "b1", 0.5)], ids, support=1.0)
    assert apart["u"] != apart["b1"]
    m = resolve_components(edges, ids, support=1.0, weights={"u": 3})
    assert m["u"] == m["b1"] == m["b2"] == m["b3"] == event_id("a")
    # a unit of copies is one event even when nothing else links to it
    assert resolve_components([], {"v": "v"}, weights={"v": 2}) == {"v": event_id("v")}


def _with_copies(records, n):
    """Each record re-run ``n`` times by other sources (its dedup cluster, as ResolveDuplicates marks them)."""
    return records + [dict(r, id=f"{r['id']}-copy{k}", source=f"{r['source']}-copy{k}", dedup={"cluster": r["id"]})
                      for r in records for k in range(1, n + 1)]


def test_near_duplicate_copies_cluster_once(stage, cfg, tmp_path):
    from transforms.events import cluster_settings, collapse_units, weight
    settings = cluster_settings(cfg)
    alone = _features(stage, call_records())
    alone_ids = _ids_by_record([apply_event_id(f, cluster_local([a["_event"] for a in alone], **settings))
                                for f in alone])
    feats = _features(stage, _with_copies(call_records(), 2))
    units, unit_of = collapse_units([f["_event"] for f in feats])
    assert len(units) == len(alone) and {weight(u) for u in units} == {3} and len(unit_of) == len(feats)
    # every copy gets its story's event, and the stories group exactly as they do without copies
    mapping = cluster_local([f["_event"] for f in feats], **settings)
    expected = sorted((f["id"], alone_ids[f["dedup"]["cluster"]]) for f in feats)
    assert sorted(_ids_by_record([apply_event_id(f, mapping) for f in feats]).items()) == expected
    random.Random(7).shuffle(feats)
    for spill in (None, str(tmp_path / "spill")):
        with beam.Pipeline(runner="FnApiRunner") as p:
            out = (p | beam.Create(feats, reshuffle=False) | ClusterEvents(cfg, spill_dir=spill)
                   | beam.Map(lambda r: (r["id"], r["event"]["id"])))
            assert_that(out, equal_to(expected))
    assert (tmp_path / "spill").is_dir()


def test_set_event_unit_points_the_signature_at_the_resolved_cluster(stage):
    """Features computed before duplicate resolution carry the record's own id as their unit; after it the
    unit must be the record's dedup cluster (what EventFeatures sets when it runs after resolution)."""
    from transforms.events import set_event_unit
    r = rec("copy", "Minister Ana Lopez met the Danish prime minister in Copenhagen on Monday.", "Ministers meet")
    r["dedup"] = {"cluster": "copy", "duplicate_of": None}
    early = stage(r)
    assert early["_event"]["dup"] == "copy"
    resolved = dict(early, dedup={"cluster": "original", "duplicate_of": "original", "similarity": 0.93})
    out = set_event_unit(resolved)
    late = stage(dict(r, dedup=resolved["dedup"]))
    assert out["_event"] == late["_event"] and out["_event"]["dup"] == "original"
    assert resolved["_event"]["dup"] == "copy"  # the input record is not changed
    assert set_event_unit({"id": "x"}) == {"id": "x"}  # no signature (a record that skipped the stage)


def test_each_pair_is_verified_in_one_block_only_with_the_same_edges(monkeypatch):
    """Blocking puts a pair that shares several terms in several blocks; it is scored in one of them (its
    first_block, skipping capped blocks), and the edges are the same as scoring it in every block."""
    import transforms.events as E
    rnd = random.Random(5)
    terms = [f"a:person {i}" for i in range(6)] + [f"p:town {i}" for i in range(4)] + [f"k:word{i}" for i in range(8)]
    sigs = []
    for i in range(60):
        ts = sorted(set(rnd.sample(terms, rnd.randint(2, 6))))
        date = None if i % 7 == 0 else f"2024-03-{rnd.randint(1, 20):02d}"
        sigs.append(E.with_idf({"key": f"s{i:02d}", "id": f"s{i:02d}", "date": date, "terms": ts, "types": [],
                                "kw": [t for t in ts if t.startswith("k:")], "place": None, "dup": None,
                                "lang": "en"}, {t: 10 for t in terms}, 60))
    blocks = {}
    for s in sigs:
        for k in E.blocking_keys(s, 7, 3):
            blocks.setdefault(k, []).append(s)
    capped = {k for k, m in blocks.items() if E.block_too_big(m, E.block_kind(k), 10)}
    assert capped and len(capped) < len(blocks)  # some blocks are skipped: pairs must move to another block
    calls = []
    real = E._score_prepared
    monkeypatch.setattr(E, "_score_prepared", lambda *a, **k: calls.append(1) or real(*a, **k))
    keys_of = lambda s: E.blocking_keys(s, 7, 3)
    every, once = set(), set()
    for k, m in blocks.items():
        if len(m) < 2 or k in capped:
            continue
        kind = E.block_kind(k)
        every.update(E.block_edges(m, 0.1, 7, kind=kind))
    n_every, calls[:] = len(calls), []
    for k, m in blocks.items():
        if len(m) < 2 or k in capped:
            continue
        once.update(E.block_edges(m, 0.1, 7, kind=E.block_kind(k), block=k, keys_of=keys_of, capped=capped))
    assert once == every and len(every) > 20
    # each pair that shares a block that verifies it is scored exactly once, not once per shared block
    und = {s["key"]: s["date"] is None for s in sigs}
    pairs = {(a["key"], b["key"]) for a in sigs for b in sigs if a["key"] < b["key"]
             and E.first_block(keys_of(a), keys_of(b), und[a["key"]], und[b["key"]], capped) is not None}
    assert len(calls) == len(pairs) < n_every
    assert E.first_block({"a:x|1", "a:x|*", "k:y|1"}, {"a:x|1", "a:x|*", "k:y|1"}, False, False, {"a:x|1"}) == "k:y|1"
    assert E.first_block({"a:x|*", "dup:c"}, {"a:x|*", "dup:c"}, False, False) is None  # two dated: not in `any`
    assert E.first_block({"a:x|*"}, {"a:x|*"}, True, False) == "a:x|*"


def test_beam_equals_cluster_local_with_capped_blocks(stage, cfg):
    """Small blocks only (events.max_block_size 2): many blocks are skipped, so pairs must be verified in
    another block they share; Beam's blocking (copies only under blocks that may link, capped keys as a side
    input) gives what the plain-Python clustering gives."""
    import copy
    c = copy.deepcopy(cfg)
    c["events"]["max_block_size"] = 2
    e = c["events"]
    records = call_records() + [
        rec("call-u", CALL_3, "Ministers hold call on Arctic fishing", published=None),
        rec("quake-u", QUAKE_2.replace("on Thursday", ""), "Earthquake rattles northern Peru", published=None)]
    feats = _features(stage, records)
    sigs = [f["_event"] for f in feats]
    mapping = cluster_local(sigs, e["threshold"], e["max_days_apart"], e["block_keywords"], e["max_block_size"],
                            e["same_days"], e["date_decay"], e["link_support"], e["link_density"],
                            e["link_density_span"])
    full = cluster_local(sigs, e["threshold"], e["max_days_apart"], e["block_keywords"], 200,
                         e["same_days"], e["date_decay"], e["link_support"], e["link_density"],
                         e["link_density_span"])
    assert mapping and mapping != full  # the cap matters here
    local = _ids_by_record([apply_event_id(f, mapping) for f in feats])
    with beam.Pipeline(runner="FnApiRunner") as p:
        out = (p | beam.Create(feats, reshuffle=False) | ClusterEvents(c)
               | beam.Map(lambda r: (r["id"], r["event"]["id"])))
        assert_that(out, equal_to(sorted(local.items())))
