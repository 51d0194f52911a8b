"""Every public statistic speaks one argument vocabulary (docs/CONVENTIONS.md, "Vocabulary").

The signatures of everything in the ``__all__`` of the statistics modules are read with
:func:`inspect.signature`:

* confidence is ``level=0.95``, never ``alpha=`` or ``ci=`` (a boolean ``ci`` switch is
  not a confidence level);
* options come after the role arguments and are keyword-only: a positional-or-keyword
  parameter with a default is allowed only if it is a role (a table or column argument
  that may be left out, listed in :data:`ROLE_DEFAULTS`);
* no flag changes the return type (no ``return_*`` parameter); result classes have
  ``tidy()``;
* the old names raise a TypeError that names the new one (no silent aliases).
"""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import pandas as pd
import pytest

from berakhlak_research.vocabulary import RENAMED, alpha_of, renamed

MODULES = [
    "berakhlak_research.models.did",
    "berakhlak_research.models.value_chain",
    "berakhlak_research.models.multilevel",
    "berakhlak_research.models.power",
    "berakhlak_research.models.panel",
    "berakhlak_research.models.few_clusters",
    "berakhlak_research.psychometrics",
    "berakhlak_research.indices",
    "berakhlak_research.survey",
    "berakhlak_research.survey_levels",
    "berakhlak_research.keys",
]

# Role arguments (tables and column names) that may be omitted; everything else with a
# default is an option and must be keyword-only.
ROLE_DEFAULTS = {
    "by",  # grouping columns
    "items",  # the scale's items (default: every value's)
    "model",  # the CFA's factor -> items
    "units",  # the units table (finite-population corrections)
    "population",  # service populations (sample adequacy)
    "margins",  # raking margins
    "unit_panel",
    "gov_panel",
    "interventions",
    "ikm_unit",
    "ikm_gov",
    "gov",  # keys.unit_key's column names
    "unit",
}

# Which functions took an old name, and the new one it must name.
EXPECTED_RENAMES = {
    "berakhlak_research.models.did.staggered_att": {"alpha": "level", "weights": "multipliers"},
    "berakhlak_research.models.did.twfe": {"alpha": "level"},
    "berakhlak_research.models.did.event_study": {"alpha": "level"},
    "berakhlak_research.models.did.dose_response": {"alpha": "level"},
    "berakhlak_research.models.did.model_tables": {"alpha": "level"},
    "berakhlak_research.models.did.staggered.estimate_group_time": {
        "alpha": "level",
        "weights": "multipliers",
    },
    "berakhlak_research.models.power.mde": {"alpha": "level"},
    "berakhlak_research.models.power.simulate_power": {"alpha": "level"},
    "berakhlak_research.models.power.model_tables": {"alpha": "level"},
    "berakhlak_research.psychometrics.cronbach_alpha": {"ci": "level"},
    "berakhlak_research.psychometrics.alpha_by": {"ci": "level"},
    "berakhlak_research.psychometrics.cfa": {"ci": "level"},
    "berakhlak_research.psychometrics.cfa_from_cov": {"ci": "level"},
    "berakhlak_research.psychometrics.measurement_tables": {"ci": "level"},
    "berakhlak_research.indices.ikm": {"weight": "element_weight"},
    "berakhlak_research.indices.ikm_elements_table": {"weight": "element_weight"},
    "berakhlak_research.indices.culture_tables": {"levels": "aggregations"},
    "berakhlak_research.survey.svymean": {"weight": "weights"},
    "berakhlak_research.survey.svyratio": {"weight": "weights"},
    "berakhlak_research.survey.calibrated_svymean": {"weight": "weights"},
    "berakhlak_research.models.value_chain.cross_level": {"return_fits": None},
    # where ``level`` named an aggregation (everywhere else it is the confidence level)
    "berakhlak_research.store.read_table": {"level": "aggregation"},
    "berakhlak_research.reporting.views.did_frame": {"level": "aggregation"},
}


def _public():
    for name in MODULES:
        mod = importlib.import_module(name)
        for attr in mod.__all__:
            yield f"{name}.{attr}", getattr(mod, attr)


def _functions():
    return [(q, f) for q, f in _public() if inspect.isfunction(f) or hasattr(f, "__wrapped__")]


def _resolve(qualname: str):
    mod, attr = qualname.rsplit(".", 1)
    return getattr(importlib.import_module(mod), attr)


def test_the_walk_finds_the_statistics():
    names = {q.rsplit(".", 1)[1] for q, _ in _functions()}
    # guards the test: an empty walk would pass every rule
    assert {"staggered_att", "random_intercept", "alpha_by", "ikm", "svymean"} <= names
    assert len(names) > 40


def test_confidence_is_level_not_alpha_or_ci():
    bad = []
    for q, f in _functions():
        for p in inspect.signature(f).parameters.values():
            if p.name in ("alpha", "ci", "conf_level", "confidence") and not isinstance(
                p.default, bool
            ):
                bad.append(f"{q}({p.name}=)")
            if p.name == "level" and p.default is not inspect.Parameter.empty:
                if p.default != 0.95:
                    bad.append(f"{q}(level={p.default!r}): the default confidence is 0.95")
    assert not bad, "confidence arguments outside the vocabulary:\n" + "\n".join(bad)


def test_options_are_keyword_only_after_the_roles():
    bad = []
    for q, f in _functions():
        for p in inspect.signature(f).parameters.values():
            if (
                p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
                and p.default is not inspect.Parameter.empty
                and p.name not in ROLE_DEFAULTS
            ):
                bad.append(f"{q}({p.name}=...)")
    assert not bad, "options that can be passed by position:\n" + "\n".join(bad)


def test_no_flag_changes_the_return_type_and_results_have_tidy():
    flags = [
        f"{q}({p})" for q, f in _functions() for p in inspect.signature(f).parameters
        if p.startswith("return_")
    ]  # fmt: skip
    assert not flags
    results = [(q, c) for q, c in _public() if inspect.isclass(c) and q.endswith("Result")]
    assert len(results) >= 5
    missing = [q for q, c in results if not callable(getattr(c, "tidy", None))]
    assert not missing, f"result classes without tidy(): {missing}"


@pytest.mark.parametrize("qualname", sorted(EXPECTED_RENAMES))
def test_old_names_raise_naming_the_new_one(qualname):
    f = _resolve(qualname)
    params = inspect.signature(f).parameters
    for old, new in EXPECTED_RENAMES[qualname].items():
        assert old not in params, f"{qualname} still accepts {old}="
        if new is not None and new.isidentifier():
            assert new in params, f"{qualname} lacks the new name {new}="
        # the guard fires before any argument is looked at
        with pytest.raises(TypeError) as err:
            f(**{old: 0.05})
        msg = str(err.value)
        assert f"{old}=" in msg  # Python's own "unexpected keyword 'alpha'" would not do
        if new is not None and new.isidentifier():
            assert f"renamed {new}=" in msg
        else:
            assert "removed" in msg


def test_renames_are_declared_where_the_old_name_lived():
    # every function decorated with renamed() is in the expected list (nothing undocumented)
    declared = {q for q, f in _functions() if getattr(f, "__renamed__", None)}
    expected = {q for q in EXPECTED_RENAMES if "." in q}
    assert declared <= expected, declared - expected
    for mapping in EXPECTED_RENAMES.values():
        for old in mapping:
            assert old in RENAMED


def test_renamed_guard_keeps_signature_and_passes_new_names():
    @renamed(alpha="level")
    def f(x, *, level=0.95):
        """doc"""
        return x, level

    assert f(1, level=0.9) == (1, 0.9)
    assert str(inspect.signature(f)) == "(x, *, level=0.95)"
    assert f.__doc__ == "doc"
    with pytest.raises(TypeError, match=r"f\(\): alpha= was renamed level= .*level=0.95"):
        f(1, alpha=0.05)


def test_alpha_of_is_exact_and_checked():
    assert alpha_of(0.95) == 0.05  # exactly what the code used before the rename
    assert alpha_of(0.9) == 0.1
    with pytest.raises(Exception, match="level=1.5"):
        alpha_of(1.5)


def test_level_changes_the_intervals_as_alpha_did():
    """The renamed argument still drives the interval: a 99 % band is wider than a 90 %."""
    from berakhlak_research.models.did import twfe

    rng = np.random.default_rng(0)
    n_u, n_t = 30, 4
    unit = np.repeat(np.arange(n_u), n_t)
    time = np.tile(np.arange(n_t), n_u)
    treated = ((unit < 15) & (time >= 2)).astype(float)
    y = rng.normal(size=n_u)[unit] + 0.5 * time + 2.0 * treated + rng.normal(size=n_u * n_t)
    d = pd.DataFrame({"y": y, "u": unit, "t": time, "d": treated})
    wide = twfe(d, "y", "u", "t", "d", level=0.99).iloc[0]
    narrow = twfe(d, "y", "u", "t", "d", level=0.90).iloc[0]
    assert wide["estimate"] == narrow["estimate"]
    assert wide["ci_high"] - wide["ci_low"] > narrow["ci_high"] - narrow["ci_low"]
