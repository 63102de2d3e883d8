"""Command-line options: newsbeam's own flags, and everything else handed to Apache Beam.

Local runs default to ``FnApiRunner`` (the local runner without the Prism download the default
DirectRunner attempts on every run). ``--direct_num_workers N`` (0 = all cores) on the local runner runs the
per-record stages in N processes of newsbeam's own pool (``parallel.processes``, :func:`local_workers`): it
was measured faster than Beam's ``multi_processing`` mode with about half the memory, because that mode copies
every PCollection between worker processes. ``--direct_running_mode=multi_processing`` given explicitly still
selects Beam's mode. ``direct_running_mode=multi_threading`` is refused: it was measured losing elements
through a shuffle.
"""
from __future__ import annotations

import argparse
import os
from typing import Any, Dict, List, Optional, Tuple

from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions

DEFAULT_RUNNER = "FnApiRunner"
RUNNER_ALIASES = {"DaskRunner": "apache_beam.runners.dask.dask_runner.DaskRunner"}
LOCAL_RUNNERS = {"fnapirunner", "directrunner", "fnapi", "direct"}


class UsageError(ValueError):
    """Bad command-line usage (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 by the caller
        raise UsageError(message)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="newsbeam", description="News ingest pipeline on Apache Beam.",
                     epilog="Any other --option is passed to Apache Beam (e.g. --runner, --direct_num_workers).")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    run = sub.add_parser("run", help="run the pipeline",
                         epilog="Any other --option is passed to Apache Beam (e.g. --runner, --direct_num_workers).")
    run.add_argument("--input", action="append", required=True, metavar="PATTERN",
                     help="a file, a directory (all files below it) or a glob; repeatable")
    run.add_argument("--output", required=True, metavar="DIR", help="output directory")
    run.add_argument("--config", metavar="FILE", help="YAML config merged over configs/default.yaml")
    run.add_argument("--shards", type=int, metavar="N", help="number of output shards (default from config: 1)")
    run.add_argument("--compression", choices=["gzip", "none"], help="output compression (default none)")
    run.add_argument("--drop-duplicates", action="store_true", default=None,
                     help="write near-duplicates as rejects with reason 'duplicate'")
    run.add_argument("--state", metavar="DIR", 
                     help="state directory of incremental runs: skip inputs already processed, match new records "
                          "against earlier ones (duplicates, events)")
    run.add_argument("--streaming", action="store_true", 
                     help="keep watching the inputs and process new files as they land, in micro-batches against a state "
                          "directory (--state, default OUTPUT/_state); stop with Ctrl-C or SIGTERM")
    run.add_argument("--quiet", action="store_true", help="print no summary")
    return parser


def parse(argv: List[str]) -> Tuple[argparse.Namespace, List[str]]:
    parser = make_parser()
    args, beam_args = parser.parse_known_args(argv)
    if args.command == "run":
        for a in beam_args:
            if a.startswith("-") and not a.startswith("--"):
                raise UsageError(f"unrecognized argument: {a}")
    elif beam_args:
        raise UsageError(f"unrecognized arguments: {' '.join(beam_args)}")
    return args, beam_args


def config_overrides(args: argparse.Namespace) -> Dict[str, Dict[str, Any]]:
    out: Dict[str, Any] = {}
    if args.shards is not None:
        out["shards"] = args.shards
    if args.compression is not None:
        out["compression"] = args.compression
    if args.drop_duplicates:
        out["drop_duplicates"] = True
    return {"output": out} if out else {}


def local_workers(beam_args: List[str]) -> Tuple[List[str], Optional[int]]:
    """``(beam_args, processes)``: on the local runner, ``--direct_num_workers N`` (N != 1, 0 = all cores)
    without an explicit ``--direct_running_mode`` is taken out of the Beam arguments and returned as the
    number of pool processes for the per-record stages; otherwise the arguments are returned unchanged with
    ``None``. Malformed or negative values are left for :func:`beam_options` to refuse."""
    if any(a.startswith("--direct_running_mode") for a in beam_args):
        return beam_args, None
    try:
        opts = PipelineOptions(beam_args)
        runner = opts.view_as(StandardOptions).runner
        workers = opts.view_as(DirectOptions).direct_num_workers
    except (SystemExit, ValueError):
        return beam_args, None
    if (runner is not None and str(runner).lower() not in LOCAL_RUNNERS) or workers is None or workers == 1 \
            or workers < 0:
        return beam_args, None
    rest, skip = [], False
    for a in beam_args:
        if skip:
            skip = False
        elif a == "--direct_num_workers":
            skip = True
        elif not a.startswith("--direct_num_workers="):
            rest.append(a)
    return rest, workers or (os.cpu_count() or 1)


def beam_options(beam_args: List[str]) -> PipelineOptions:
    """Beam options with newsbeam's local defaults filled in; raises UsageError on a refused setting."""
    try:
        opts = PipelineOptions(beam_args)
        std = opts.view_as(StandardOptions)
        direct = opts.view_as(DirectOptions)
    except SystemExit as exc:  # argparse inside Beam on a malformed option
        raise UsageError(f"bad Apache Beam option in: {' '.join(beam_args)}") from exc
    if std.runner is None:
        std.runner = DEFAULT_RUNNER
    if str(std.runner) in RUNNER_ALIASES:  # Beam knows these only by their module path
        std.runner = RUNNER_ALIASES[str(std.runner)]
    if direct.direct_running_mode == "multi_threading":
        raise UsageError("--direct_running_mode=multi_threading is refused: it loses records through shuffles "
                         "on this Beam version; use in_memory (default) or multi_processing")
    if str(std.runner).lower() in LOCAL_RUNNERS:
        # Other runners define options of their own that Beam only knows once their module is imported;
        # on the local runner an option Beam does not know is a typo, not something to discard quietly.
        known = set(opts.get_all_options(retain_unknown_options=False))
        every = set(opts.get_all_options(retain_unknown_options=True))
        if every - known:
            raise UsageError(f"unrecognized option: --{sorted(every - known)[0]}")
        workers = direct.direct_num_workers
        explicit_mode = any(a.startswith("--direct_running_mode") for a in beam_args)
        if workers != 1 and not explicit_mode:  # (cli.run hands such a count to the pool: local_workers)
            direct.direct_running_mode = "multi_processing"
        if workers is not None and workers < 0:
            raise UsageError(f"--direct_num_workers must be >= 0 (0 = all cores), got {workers}")
    return opts


def runner_description(opts: PipelineOptions) -> Dict[str, Any]:
    std = opts.view_as(StandardOptions)
    direct = opts.view_as(DirectOptions)
    desc: Dict[str, Any] = {"runner": str(std.runner)}
    if str(std.runner).lower() in LOCAL_RUNNERS:
        desc["direct_running_mode"] = direct.direct_running_mode
        desc["direct_num_workers"] = direct.direct_num_workers
    return desc


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
