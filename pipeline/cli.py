"""``newsbeam run``: validate everything, build the graph, run it, print a summary.

Exit codes (SPEC): 0 the run finished; 2 bad usage, config or unwritable output (one line, nothing
written); 1 the run failed.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import tempfile
from typing import List, Optional



class _QuietBeamImports(logging.Filter):
    """Drops Beam's import-time notice about optional Google Cloud client libraries (irrelevant here)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("apitools not found")


# Before Beam is first imported (by pipeline.options): the notice is logged on the root logger at import.
logging.getLogger().addFilter(_QuietBeamImports())

from pipeline import __version__  # noqa: E402
from pipeline import state as state_store  # noqa: E402
from pipeline.config import ConfigError, load_config  # noqa: E402
from pipeline.options import (UsageError, beam_options, config_overrides, first_line,  # noqa: E402
                              local_workers, parse, runner_description)

log = logging.getLogger("newsbeam")


def check_output(out_dir: str) -> str:
    """Creates the output directory if needed and proves it writable; raises UsageError otherwise."""
    if "://" in out_dir:
        return out_dir  # a remote file system: Beam's FileSystems reports problems at run time
    out_dir = os.path.abspath(out_dir)
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise UsageError(f"output location is not a directory: {out_dir}")
    created = not os.path.exists(out_dir)
    try:
        os.makedirs(out_dir, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as exc:
        if created:
            try:
                os.rmdir(out_dir)
            except OSError:
                pass
        raise UsageError(f"output directory is not writable: {out_dir}: {exc.strerror or exc}") from None
    return out_dir


def public_config(cfg):
    out = {k: v for k, v in cfg.items() if not k.startswith("_")}
    out = json.loads(json.dumps(out))
    out["boilerplate"].pop("patterns", None)
    out["events"].pop("taxonomy", None)
    return out


def summary(manifest) -> str:
    c = manifest["counts"]
    lines = [
        f"newsbeam {manifest['version']}: {c['read']} records read -> {c['docs']} docs, {c['rejects']} rejects"
        f" (accounting {'ok' if manifest['accounting_ok'] else 'MISMATCH'})",
    ]
    for stage, reasons in manifest["rejects_by_stage"].items():
        lines.append(f"  rejects at {stage}: " + ", ".join(f"{r} {n}" for r, n in reasons.items()))
    langs = ", ".join(f"{k} {v}" for k, v in sorted(manifest["langs"].items(), key=lambda kv: (-kv[1], kv[0])))
    lines.append(f"  languages: {langs or '-'}")
    d = manifest["dedup"]
    lines.append(f"  near-duplicates: {d['duplicates']} in {d['clusters_with_duplicates']} clusters"
                 + (f" ({d['capped_buckets']} oversized buckets capped)" if d.get("capped_buckets") else ""))
    e = manifest["events"]
    lines.append(f"  events: {e['events']} ({e['events_with_several_records']} reported by 2+ records)")
    if manifest.get("state"):
        st = manifest["state"]
        lines.append(f"  state: {st['dir']} (run {st['run']}; {st['skipped_unchanged_files']} unchanged files "
                     f"skipped; {st['records']} records remembered, {st['bytes']} bytes)")
    lines.append(f"  output: {manifest['output']} ({len(manifest['files'])} files + manifest.json)")
    return "\n".join(lines)


class RunFailed(RuntimeError):
    """A pipeline run that failed (exit 1); the message is one line."""


def check_state_dir(state_arg: str) -> str:
    """The state directory, created if needed and proved writable; UsageError otherwise."""
    try:
        return state_store.check_writable(state_arg)
    except state_store.StateError as exc:
        raise UsageError(first_line(exc)) from None


def plan_state_run(state_dir: str, files: List[str], limit: Optional[int] = None):
    """``(files to process, state_run)`` against the committed state in ``state_dir`` (see pipeline/state.py):
    the new and changed ones among ``files``, at most ``limit`` of them."""
    try:
        loaded = state_store.load(state_dir)
    except state_store.StateError as exc:
        raise UsageError(first_line(exc)) from None
    files, skipped, prints = state_store.select_files(files, loaded)
    if limit is not None and len(files) > limit:
        files = files[:limit]
        keep = {os.path.abspath(p) for p in files}
        prints = {k: v for k, v in prints.items() if k in keep}
    run_id = state_store.new_run_id()
    state_run = {"dir": state_dir, "run": run_id, "run_dir": os.path.join(state_dir, "runs", run_id),
                 "state": loaded, "prints": prints, "skipped": len(skipped),
                 "live": state_store.live_sources(loaded, files)}
    return files, state_run


def open_state(state_arg: str, files: List[str]):
    """``(files to process, state_run)`` for a batch run with a state directory."""
    return plan_state_run(check_state_dir(state_arg), files)


def run_pipeline(files: List[str], cfg, opts, out_dir: str, inputs: List[str], state_run=None):
    """One batch run of the graph over ``files`` into ``out_dir``; returns its manifest. Raises
    :class:`RunFailed` (or KeyboardInterrupt)."""
    import apache_beam as beam
    from pipeline.graph import build

    run_info = {
        "version": __version__,
        "start": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "inputs": list(inputs),
        "input_files": len(files),
        "output": out_dir,
        "config": public_config(cfg),
        "config_file": cfg.get("_source"),
        **runner_description(opts),
    }
    try:
        with beam.Pipeline(options=opts) as p:
            build(p, files, cfg, out_dir, run_info, state_run)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # the run failed: say why in one line, details in the log
        log.debug("run failed", exc_info=True)
        raise RunFailed(f"{type(exc).__name__}: {first_line(exc)}") from None
    manifest_path = os.path.join(out_dir, "manifest.json")
    try:
        with open(manifest_path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise RunFailed(f"no manifest written ({exc})") from None


def run(args, beam_args: List[str]) -> int:
    from pipeline.readers import InputError, expand_patterns

    cfg = load_config(args.config, config_overrides(args))
    beam_args, workers = local_workers(beam_args)
    if workers is not None:  # --direct_num_workers on the local runner: newsbeam's process pool
        cfg["parallel"] = dict(cfg["parallel"], processes=workers)
    opts = beam_options(beam_args)
    if args.streaming:
        from pipeline.streaming import stream
        return stream(args, cfg, opts)
    try:
        files = expand_patterns(args.input, cfg)
    except InputError as exc:
        raise UsageError(first_line(exc)) from None
    state_run = None
    if args.state:
        files, state_run = open_state(args.state, files)
    out_dir = check_output(args.output)
    try:
        manifest = run_pipeline(files, cfg, opts, out_dir, args.input, state_run)
    except KeyboardInterrupt:
        print("newsbeam: interrupted", file=sys.stderr)
        return 1
    except RunFailed as exc:
        print(f"newsbeam: run failed: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(summary(manifest))
    if not manifest["accounting_ok"]:
        print("newsbeam: accounting mismatch: records read != docs + rejects", file=sys.stderr)
        return 1
    return 0


def _setup_logging() -> None:
    logging.basicConfig(level=os.environ.get("NEWSBEAM_LOG", "WARNING").upper(),
                        format="%(levelname)s %(name)s: %(message)s")


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    _setup_logging()
    try:
        args, beam_args = parse(argv)
        if args.version:
            print(f"newsbeam {__version__}")
            return 0
        if args.command != "run":
            print("usage: newsbeam run --input PATTERN --output DIR [options]  (newsbeam run --help)",
                  file=sys.stderr)
            return 2
        return run(args, beam_args)
    except (UsageError, ConfigError) as exc:
        print(f"newsbeam: {first_line(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
