"""Configuration: ``configs/default.yaml`` is both the defaults and the schema.

A user file is merged over the defaults key by key. A key the defaults do not have, or a value of another
type, is a :class:`ConfigError` naming the key (the CLI turns it into exit 2 before anything runs). Extra
range and choice checks live in ``_CHECKS``. Pattern and taxonomy files named by the config are loaded here
too, so a broken pattern file is also an error before the run.
"""
from __future__ import annotations

import copy
import os
import re
from typing import Any, Callable, Dict, Optional

import yaml

CONFIG_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "configs")
DEFAULT_FILE = os.path.join(CONFIG_DIR, "default.yaml")


class ConfigError(ValueError):
    """A bad config key or value; the message names the key."""


def _positive(v):
    return v > 0


def _non_negative(v):
    return v >= 0


def _is_date(v):
    import datetime
    try:
        datetime.date.fromisoformat(v)
        return len(v) == 10
    except (TypeError, ValueError):
        return False


def _unit(v):
    return 0.0 <= v <= 1.0


_CHECKS: Dict[str, tuple[Callable[[Any], bool], str]] = {
    "input.max_document_bytes": (_positive, "must be > 0"),
    "streaming.poll_seconds": (_positive, "must be > 0"),
    "streaming.settle_seconds": (_non_negative, "must be >= 0"),
    "streaming.max_batch_files": (lambda v: v >= 1, "must be >= 1"),
    "streaming.window_seconds": (lambda v: v >= 1, "must be >= 1"),
    "streaming.allowed_lateness_seconds": (_non_negative, "must be >= 0"),
    "extract.timeout_seconds": (_non_negative, "must be >= 0"),
    "parallel.processes": (_non_negative, "must be >= 0 (0 = one per core)"),
    "parallel.batch_per_process": (lambda v: v >= 1, "must be >= 1"),
    "extract.min_text_chars": (_non_negative, "must be >= 0"),
    "extract.timeout_mode": (lambda v: v in ("auto", "signal", "process"), "must be 'auto', 'signal' or 'process'"),
    "extract.max_date": (lambda v: _is_date(v), "must be a date YYYY-MM-DD"),
    "extract.date_fallback_search": (lambda v: isinstance(v, bool), "must be true or false"),
    "input.max_json_file_bytes": (_positive, "must be > 0"),
    "boilerplate.min_text_chars": (_non_negative, "must be >= 0"),
    "boilerplate.min_paragraph_words": (lambda v: v >= 1, "must be >= 1"),
    "boilerplate.plain_text.min_lines": (lambda v: v >= 1, "must be >= 1"),
    "boilerplate.plain_text.min_short_share": (_unit, "must be between 0 and 1"),
    "boilerplate.plain_text.min_short_run": (lambda v: v >= 1, "must be >= 1"),
    "boilerplate.plain_text.short_chars": (_positive, "must be > 0"),
    "boilerplate.plain_text.long_chars": (_positive, "must be > 0"),
    "boilerplate.plain_text.stopwords_low": (_unit, "must be between 0 and 1"),
    "boilerplate.plain_text.stopwords_high": (_unit, "must be between 0 and 1"),
    "boilerplate.plain_text.heading_chars": (_non_negative, "must be >= 0"),
    "boilerplate.plain_text.comments_min_words": (_non_negative, "must be >= 0"),
    "boilerplate.plain_text.edge_lines": (_non_negative, "must be >= 0"),
    "boilerplate.plain_text.header_lines": (_non_negative, "must be >= 0"),
    "boilerplate.plain_text.inner_run_lines": (_non_negative, "must be >= 0"),
    "boilerplate.plain_text.inner_run_block_chars": (_non_negative, "must be >= 0"),
    "boilerplate.plain_text.tail_gap_lines": (_non_negative, "must be >= 0"),
    "boilerplate.plain_text.tail_min_share": (_unit, "must be between 0 and 1"),
    "boilerplate.repeated.max_words": (lambda v: v >= 1, "must be >= 1"),
    "boilerplate.repeated.min_site_docs": (lambda v: v >= 2, "must be >= 2"),
    "boilerplate.repeated.min_site_share": (_unit, "must be between 0 and 1"),
    "boilerplate.repeated.run_max_words": (lambda v: v >= 1, "must be >= 1"),
    "boilerplate.repeated.min_run_docs": (lambda v: v >= 2, "must be >= 2"),
    "boilerplate.repeated.min_run_sites": (lambda v: v >= 1, "must be >= 1"),
    "langid.min_letters": (_non_negative, "must be >= 0"),
    "langid.min_score": (_unit, "must be between 0 and 1"),
    "langid.max_chars": (_positive, "must be > 0"),
    "langid.fast_accept": (_unit, "must be between 0 and 1"),
    "langid.fast_min_letters": (_non_negative, "must be >= 0"),
    "langid.ft_weight": (_non_negative, "must be >= 0"),
    "langid.span_min_letters": (_positive, "must be > 0"),
    "langid.span_min_share": (_unit, "must be between 0 and 1"),
    "langid.span_max_chars": (_positive, "must be > 0"),
    "dedup.shingle_size": (_positive, "must be > 0"),
    "dedup.num_perm": (_positive, "must be > 0"),
    "dedup.bands": (_positive, "must be > 0"),
    "dedup.rows": (_positive, "must be > 0"),
    "dedup.threshold": (_unit, "must be between 0 and 1"),
    "dedup.max_bucket_size": (lambda v: v >= 2, "must be >= 2"),
    "events.max_days_apart": (_non_negative, "must be >= 0"),
    "events.threshold": (_unit, "must be between 0 and 1"),
    "events.num_keywords": (_non_negative, "must be >= 0"),
    "events.title_weight": (_non_negative, "must be >= 0"),
    "events.lead_paragraphs": (lambda v: v >= 1, "must be >= 1"),
    "events.lead_words": (lambda v: v >= 1, "must be >= 1"),
    "events.type_threshold": (_positive, "must be > 0"),
    "events.max_types": (_non_negative, "must be >= 0"),
    "events.max_actors": (_non_negative, "must be >= 0"),
    "events.max_places": (_non_negative, "must be >= 0"),
    "events.min_city_population": (_non_negative, "must be >= 0"),
    "events.max_terms": (lambda v: v >= 1, "must be >= 1"),
    "events.block_keywords": (_non_negative, "must be >= 0"),
    "events.max_block_size": (lambda v: v >= 2, "must be >= 2"),
    "events.same_days": (_non_negative, "must be >= 0"),
    "events.date_decay": (_unit, "must be between 0 and 1"),
    "events.link_support": (_unit, "must be between 0 and 1"),
    "events.link_density": (_unit, "must be between 0 and 1"),
    "events.link_density_span": (_non_negative, "must be >= 0"),
    "output.shards": (lambda v: 1 <= v <= 100000, "must be between 1 and 100000"),
    "output.compression": (lambda v: v in ("gzip", "none"), "must be 'gzip' or 'none'"),
}


def _type_name(v) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a mapping"}.get(type(v), type(v).__name__)


def _merge(default: Dict[str, Any], user: Any, path: str) -> Dict[str, Any]:
    if not isinstance(user, dict):
        raise ConfigError(f"config key '{path or '<top>'}' must be a mapping, got {_type_name(user)}")
    out = copy.deepcopy(default)
    for key, val in user.items():
        full = f"{path}.{key}" if path else str(key)
        if key not in default:
            raise ConfigError(f"unknown config key '{full}'")
        dval = default[key]
        if isinstance(dval, dict):
            out[key] = _merge(dval, val, full)
            continue
        if dval is None:
            ok = val is None or isinstance(val, str)
        elif isinstance(dval, bool):
            ok = isinstance(val, bool)
        elif isinstance(dval, float):
            ok = isinstance(val, (int, float)) and not isinstance(val, bool)
            val = float(val) if ok else val
        elif isinstance(dval, int):
            ok = isinstance(val, int) and not isinstance(val, bool)
        elif isinstance(dval, list):
            ok = isinstance(val, list) and all(isinstance(x, type(dval[0])) for x in val) if dval else isinstance(val, list)
        else:
            ok = isinstance(val, type(dval))
        if not ok:
            raise ConfigError(f"config key '{full}' must be {_type_name(dval)}, got {val!r}")
        out[key] = val
    return out


def _check(cfg: Dict[str, Any]) -> None:
    for key, (pred, msg) in _CHECKS.items():
        val = cfg
        for part in key.split("."):
            val = val[part]
        if not pred(val):
            raise ConfigError(f"config key '{key}' {msg}, got {val!r}")
    pt = cfg["boilerplate"]["plain_text"]
    if pt["long_chars"] < pt["short_chars"]:
        raise ConfigError(f"config key 'boilerplate.plain_text.long_chars' must be >= boilerplate.plain_text."
                          f"short_chars ({pt['short_chars']}), got {pt['long_chars']}")
    if pt["stopwords_high"] < pt["stopwords_low"]:
        raise ConfigError(f"config key 'boilerplate.plain_text.stopwords_high' must be >= boilerplate.plain_text."
                          f"stopwords_low ({pt['stopwords_low']}), got {pt['stopwords_high']}")
    d = cfg["dedup"]
    if d["bands"] * d["rows"] != d["num_perm"]:
        raise ConfigError(f"config key 'dedup.num_perm' must equal dedup.bands * dedup.rows "
                          f"({d['bands']} * {d['rows']}), got {d['num_perm']}")


def resolve_path(name: str, config_dir: Optional[str]) -> str:
    """A file named in a config: absolute, else next to the user's config, else in bundled configs/."""
    if os.path.isabs(name):
        return name
    for base in (config_dir, CONFIG_DIR):
        if base:
            cand = os.path.join(base, name)
            if os.path.exists(cand):
                return cand
    return os.path.join(config_dir or CONFIG_DIR, name)


def load_yaml(path: str, what: str) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{what} cannot be read: {path}: {exc}") from None
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        raise ConfigError(f"{what} is not valid YAML: {path}: {first}") from None


def load_config(path: Optional[str] = None, overrides: Optional[Dict[str, Dict[str, Any]]] = None) -> Dict[str, Any]:
    """Defaults merged with the user file at ``path`` and then ``overrides`` ({section: {key: value}}).

    The result is a plain dict (picklable, shipped to workers) with the pattern and taxonomy files loaded
    under ``cfg["boilerplate"]["patterns"]`` and ``cfg["events"]["taxonomy"]``, and the user file's path
    under ``cfg["_source"]``.
    """
    defaults = load_yaml(DEFAULT_FILE, "default config")
    cfg = copy.deepcopy(defaults)
    config_dir = None
    if path is not None:
        user = load_yaml(path, "config file")
        if user is None:
            user = {}
        cfg = _merge(defaults, user, "")
        config_dir = os.path.dirname(os.path.abspath(path))
    if overrides:
        cfg = _merge(cfg, overrides, "")
    _check(cfg)
    cfg["boilerplate"]["patterns"] = load_yaml(
        resolve_path(cfg["boilerplate"]["patterns_file"], config_dir), "boilerplate patterns file")
    cfg["events"]["taxonomy"] = load_yaml(
        resolve_path(cfg["events"]["taxonomy_file"], config_dir), "event taxonomy file")
    _validate_patterns(cfg["boilerplate"]["patterns"])
    cfg["_source"] = os.path.abspath(path) if path else None
    return cfg


def _validate_patterns(patterns: Any) -> None:
    """Every regex in the boilerplate pattern file must compile (checked before the run)."""
    def walk(node, where):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]")
        elif isinstance(node, str) and where.split(".")[-1].split("[")[0] in ("regex", "regexes", "patterns"):
            try:
                re.compile(node)
            except re.error as exc:
                raise ConfigError(f"boilerplate pattern {where} is not a valid regex: {exc}") from None
    walk(patterns, "patterns")
