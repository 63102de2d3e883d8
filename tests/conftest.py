import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
CORPUS = os.path.join(EXAMPLES, "corpus")
SHARED_EVAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "eval"))


def need_shared_eval(sub=""):
    """Skips (with a visible reason) when ../shared/eval is absent, e.g. in a user's fresh clone."""
    path = os.path.join(SHARED_EVAL, sub)
    if not os.path.exists(path):
        pytest.skip(f"evaluation data not found at {path} (../shared/eval is only on the project's machines)")
    return path


@pytest.fixture(scope="session")
def root():
    return ROOT
