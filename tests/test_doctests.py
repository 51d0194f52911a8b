"""The Examples in the docstrings of the public API run as doctests (and so stay true).

Each module's examples build small seeded data (or use the package's own
simulators), so the whole set runs in a few seconds.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "berakhlak_research.indices.ikm",
    "berakhlak_research.indices.culture",
    "berakhlak_research.psychometrics.reliability",
    "berakhlak_research.models.did.staggered",
    "berakhlak_research.models.multilevel._fit",
    "berakhlak_research.paths",
    "berakhlak_research.framework",
    "berakhlak_research.regions",
]

#: Functions that must keep a runnable (not skipped) example: the brief's key functions.
KEY_EXAMPLES = {
    "berakhlak_research.indices.ikm": "ikm",
    "berakhlak_research.indices.culture": "culture_index",
    "berakhlak_research.psychometrics.reliability": "cronbach_alpha",
    "berakhlak_research.models.did.staggered": "staggered_att",
    "berakhlak_research.models.multilevel._fit": "random_intercept",
}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    pd = pytest.importorskip("pandas")
    module = importlib.import_module(name)
    with pd.option_context("display.width", 100, "display.max_columns", 20):
        result = doctest.testmod(
            module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS, verbose=False
        )
    assert result.attempted > 0, f"{name} has no examples to run"
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"


@pytest.mark.parametrize("name", sorted(KEY_EXAMPLES))
def test_key_functions_have_a_running_example(name):
    module = importlib.import_module(name)
    func = getattr(module, KEY_EXAMPLES[name])
    tests = doctest.DocTestFinder().find(func, module=module)
    runnable = [ex for t in tests for ex in t.examples if not ex.options.get(doctest.SKIP)]
    assert any(ex.want.strip() for ex in runnable), f"{func.__name__} has no checked example"
