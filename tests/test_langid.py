"""Tests of the langid stage (plain Python, no Beam)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pipeline.config import load_config
from transforms.langid import UND, LangId, detect, iso639_1

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


@pytest.mark.parametrize("text", ["", "12345", "😀😀😀 🎉🎉", "big red dog", None])
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


def test_missing_text_field(stage):
    rec = stage({"id": "m"})
    assert rec["lang"] == UND and rec["lang_score"] == 0.0


def test_zh_variants_map_to_zh():
    assert iso639_1("zh-cn") == "zh" and iso639_1("zh-tw") == "zh" and iso639_1("en") == "en"


def test_min_score_makes_und(cfg):
    strict = dict(cfg, langid=dict(cfg["langid"], min_score=1.0))
    # a mixed two-language text cannot reach probability 1.0
    mixed = TEXTS["en"][:120] + " " + TEXTS["de"][:120]
    lang, score = detect(mixed, 0, min_letters=20, min_score=1.0)
    rec = LangId(strict)({"text": mixed})
    assert (rec["lang"], rec["lang_score"]) == (lang, score)
    if score < 1.0:
        assert (lang, score) == (UND, 0.0)


def test_min_letters(cfg):
    c = dict(cfg, langid=dict(cfg["langid"], min_letters=10000))
    assert LangId(c)({"text": TEXTS["en"]})["lang"] == UND


def test_max_chars_only_prefix_counts(cfg):
    c = dict(cfg, langid=dict(cfg["langid"], max_chars=len(TEXTS["de"])))
    rec = LangId(c)({"text": TEXTS["de"] + " " + TEXTS["en"] * 20})
    assert rec["lang"] == "de"


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


_CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from pipeline.config import load_config
from transforms.langid import LangId
texts = json.loads(sys.stdin.read())
s = LangId(load_config())
print(json.dumps({k: [s({"text": t})["lang"], s({"text": t})["lang_score"]] for k, t in sorted(texts.items())}))
"""


def test_same_result_in_subprocess(stage):
    texts = dict(TEXTS)
    texts["mixed"] = TEXTS["en"][:150] + " " + TEXTS["nl"][:150] + " " + TEXTS["de"][:100]
    texts["short"] = "Bonjour tout le monde, merci beaucoup pour votre aide"
    here = {k: [stage({"text": t})["lang"], stage({"text": t})["lang_score"]] for k, t in sorted(texts.items())}
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", _CHILD, ROOT], input=json.dumps(texts), capture_output=True,
                         text=True, env=env, timeout=120, check=True)
    there = json.loads(out.stdout.strip().splitlines()[-1])
    assert there == here


def test_threads_give_same_results(cfg):
    from concurrent.futures import ThreadPoolExecutor
    s = LangId(cfg)
    keys = sorted(TEXTS) * 4
    expected = {k: (s({"text": TEXTS[k]})["lang"], s({"text": TEXTS[k]})["lang_score"]) for k in TEXTS}
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda k: (k, s({"text": TEXTS[k]})), keys))
    for k, rec in got:
        assert (rec["lang"], rec["lang_score"]) == expected[k]
