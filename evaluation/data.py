"""Where the evaluation data lives, and a visible skip when it does not."""
from __future__ import annotations

import gzip
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "eval"))


class MissingData(Exception):
    """The evaluation data (or one set of it) is not there."""


def data_dir(base: str, *parts: str) -> str:
    path = os.path.join(base, *parts)
    if not os.path.exists(path):
        raise MissingData(f"SKIPPED: evaluation data not found at {path} "
                          f"(it lives in ../shared/eval on the project's machines; pass --data DIR)")
    return path


def read_maybe_gz(path: str) -> bytes:
    with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as fh:
        return fh.read()


def say(*args) -> None:
    print(*args, flush=True, file=sys.stdout)
