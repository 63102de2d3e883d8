import os

import pytest

from pipeline.config import CONFIG_DIR, ConfigError, load_config, resolve_path


def write(tmp_path, text, name="c.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_defaults_load_with_pattern_files():
    cfg = load_config()
    assert cfg["output"]["shards"] == 1
    assert cfg["dedup"]["bands"] * cfg["dedup"]["rows"] == cfg["dedup"]["num_perm"]
    assert isinstance(cfg["boilerplate"]["patterns"], dict)
    assert isinstance(cfg["events"]["taxonomy"], dict)
    assert cfg["_source"] is None


def test_user_file_overrides_only_given_keys(tmp_path):
    cfg = load_config(write(tmp_path, "output:\n  shards: 4\nlangid:\n  min_score: 0.7\n"))
    assert cfg["output"]["shards"] == 4
    assert cfg["langid"]["min_score"] == 0.7
    assert cfg["output"]["compression"] == "none"  # untouched default
    assert cfg["_source"].endswith("c.yaml")


def test_int_accepted_for_float_key(tmp_path):
    cfg = load_config(write(tmp_path, "langid:\n  min_score: 1\n"))
    assert cfg["langid"]["min_score"] == 1.0 and isinstance(cfg["langid"]["min_score"], float)


@pytest.mark.parametrize("text, key", [
    ("outptu:\n  shards: 2\n", "outptu"),
    ("output:\n  shard: 2\n", "output.shard"),
    ("output:\n  shards: two\n", "output.shards"),
    ("output:\n  shards: 0\n", "output.shards"),
    ("output:\n  compression: zip\n", "output.compression"),
    ("output:\n  drop_duplicates: 1\n", "output.drop_duplicates"),
    ("langid:\n  min_score: 1.5\n", "langid.min_score"),
    ("dedup:\n  num_perm: 100\n", "dedup.num_perm"),
    ("output: 3\n", "output"),
    ("input:\n  html_extensions: [1, 2]\n", "input.html_extensions"),
    ("extract:\n  timeout_mode: thread\n", "extract.timeout_mode"),
    ("extract:\n  max_date: tomorrow\n", "extract.max_date"),
    ("boilerplate:\n  repeated:\n    min_site_share: 2.0\n", "boilerplate.repeated.min_site_share"),
    ("boilerplate:\n  repeated:\n    bogus: 1\n", "boilerplate.repeated.bogus"),
])
def test_bad_keys_and_values_name_the_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert f"'{key}'" in str(err.value)
    assert "\n" not in str(err.value)


def test_invalid_yaml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path, "output: [unclosed\n"))
    with pytest.raises(ConfigError, match="not found"):
        load_config(str(tmp_path / "nope.yaml"))


def test_empty_file_is_defaults(tmp_path):
    assert load_config(write(tmp_path, ""))["output"] == load_config()["output"]


def test_pattern_file_next_to_user_config_wins(tmp_path):
    write(tmp_path, "lines: {}\n", name="boilerplate.yaml")
    cfg = load_config(write(tmp_path, "boilerplate:\n  enabled: true\n"))
    assert cfg["boilerplate"]["patterns"] == {"lines": {}}
    assert resolve_path("events.yaml", str(tmp_path)) == os.path.join(CONFIG_DIR, "events.yaml")


def test_bad_regex_in_pattern_file_is_a_config_error(tmp_path):
    write(tmp_path, "rules:\n  - reason: x\n    regex: '([unclosed'\n", name="bp.yaml")
    with pytest.raises(ConfigError, match="not a valid regex"):
        load_config(write(tmp_path, "boilerplate:\n  patterns_file: bp.yaml\n"))


def test_overrides_are_validated():
    with pytest.raises(ConfigError, match="output.shards"):
        load_config(None, {"output": {"shards": -1}})
    assert load_config(None, {"output": {"compression": "gzip"}})["output"]["compression"] == "gzip"


def _scalar_state(obj):
    """The scalar settings a stage object (or a settings dict) holds (a sub-section it keeps as a dict is read
    with the same fallbacks later, and is left out)."""
    scalar = (int, float, bool, str, type(None))
    items = obj.items() if isinstance(obj, dict) else vars(obj).items()
    return {k: v for k, v in items if isinstance(v, scalar)}


def test_a_section_that_omits_a_key_gets_the_default_files_value():
    # a hand-built config (or an old file) without a key must behave as configs/default.yaml says: the code's
    # fallback for each scalar key (and each scalar key one level down) equals the file's value
    import copy

    from transforms.boilerplate import Boilerplate
    from transforms.dedup import DedupKeys
    from transforms.events import EventFeatures, cluster_settings
    from transforms.extract import Extract
    from transforms.langid import LangId
    from transforms.repeated import RemoveRepeated

    cfg = load_config()
    scalar = (int, float, bool, str)
    checked = 0
    for sec, build in (("extract", Extract), ("boilerplate", Boilerplate), ("boilerplate", RemoveRepeated),
                       ("langid", LangId), ("dedup", DedupKeys), ("events", EventFeatures),
                       ("events", cluster_settings)):
        full = _scalar_state(build(cfg))
        paths = [(k,) for k, v in cfg[sec].items() if isinstance(v, scalar)]
        paths += [(k, k2) for k, v in cfg[sec].items() if isinstance(v, dict)
                  for k2, v2 in v.items() if isinstance(v2, scalar)]
        for path in paths:
            c = copy.deepcopy(cfg)
            d = c[sec]
            for p in path[:-1]:
                d = d[p]
            del d[path[-1]]
            try:
                got = _scalar_state(build(c))
            except KeyError:
                continue  # a required key: no fallback to disagree with
            checked += 1
            assert got == full, (sec, build, path, {k: (full[k], got.get(k)) for k in full if full[k] != got.get(k)})
    assert checked > 40
