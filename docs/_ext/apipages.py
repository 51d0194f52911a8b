"""Write the API reference pages (``docs/api/*.rst``) from the package's ``__all__`` lists.

Every public module (no leading underscore on any part of its name) gets a
page with its docstring and one entry per name in its ``__all__``. A name is
described once, on the page of the shortest public module that exports it
(the facade a user imports from, such as ``indices`` or ``models.did``); the
other modules that export it link there. References that name a module
relative to the package (``regions.resolve``, ``.did``) are resolved by
:func:`resolve_reference`, and a reference to something that does not exist
stays a warning.
Run on ``builder-inited`` so a plain ``sphinx-build`` needs no prior step.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pkgutil
import sys
import types
from pathlib import Path

PACKAGE = "berakhlak_research"

__all__ = [
    "public_modules",
    "origin_of",
    "exported_names",
    "homes",
    "write_pages",
    "write_tutorials_toc",
    "resolve_reference",
    "setup",
]


@functools.cache
def _public_modules() -> tuple[str, ...]:
    pkg = importlib.import_module(PACKAGE)
    names = [PACKAGE]
    for m in pkgutil.walk_packages(pkg.__path__, PACKAGE + "."):
        if not any(part.startswith("_") for part in m.name.split(".")):
            names.append(m.name)
    return tuple(sorted(names))


def public_modules() -> list[str]:
    """Every importable public module of the package, sorted (the package first)."""
    return list(_public_modules())


@functools.cache
def _imported_from(modname: str) -> dict[str, tuple[str, str]]:
    """Names a module takes by ``from X import name [as alias]``: alias -> (X, name)."""
    module = importlib.import_module(modname)
    found = {}
    for node in ast.parse(inspect.getsource(module)).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                found[alias.asname or alias.name] = (node.module, alias.name)
    return found


def origin_of(modname: str, name: str) -> tuple[str, str]:
    """The module that assigns or defines ``modname.name``, following re-exports."""
    seen = set()
    while (modname, name) not in seen:
        seen.add((modname, name))
        src = _imported_from(modname).get(name)
        if src is None or not src[0].startswith(PACKAGE):
            break
        modname, name = src
    return modname, name


def exported_names() -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Every non-module name of a public ``__all__``, keyed by its origin: [(module, name)]."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for modname in public_modules():
        module = importlib.import_module(modname)
        for name in getattr(module, "__all__", []):
            if name == "__version__" or isinstance(getattr(module, name, None), types.ModuleType):
                continue
            if not hasattr(module, name):  # a submodule named in __all__
                continue
            out.setdefault(origin_of(modname, name), []).append((modname, name))
    return out


def homes() -> dict[tuple[str, str], tuple[str, str]]:
    """(module, name) -> where it is described: its shortest public import path.

    The facade a user imports from (``models.did.staggered_att``) is the home;
    autodoc records the defining module as the canonical name, so references
    to either path resolve.
    """
    result = {}
    modules = set(public_modules())
    for exporters in exported_names().values():
        # A facade whose name for it is also a module's (``indices.ikm``) cannot
        # hold it: the function is described in its own module instead.
        usable = [e for e in exporters if f"{e[0]}.{e[1]}" not in modules] or exporters
        home = min(usable, key=lambda e: (e[0].count("."), e[0]))
        for e in exporters:
            result[e] = home
    return result


def _directive(obj) -> str:
    if inspect.isclass(obj):
        return "autoclass"
    if callable(obj):
        return "autofunction"
    return "autodata"


def _page(modname: str, home: dict) -> str:
    module = importlib.import_module(modname)
    title = f"``{modname}``"
    lines = [title, "=" * len(title), "", f".. automodule:: {modname}", "   :no-members:", ""]
    here, elsewhere, modules = [], [], []
    for name in getattr(module, "__all__", []):
        if name == "__version__":
            continue
        obj = getattr(module, name, None)
        if obj is None:
            obj = importlib.import_module(f"{modname}.{name}")
        if isinstance(obj, types.ModuleType):
            modules.append(obj.__name__)
            continue
        where = home[(modname, name)]
        (here if where == (modname, name) else elsewhere).append((name, obj, where))
    if modules:
        lines += [".. rubric:: Modules", ""]
        lines += [f"* :mod:`{m}`" for m in modules] + [""]
    if elsewhere:
        lines += [".. rubric:: Described where it is imported from", ""]
        for name, obj, (hmod, hname) in elsewhere:
            role = {"autoclass": "class", "autofunction": "func", "autodata": "data"}[
                _directive(obj)
            ]
            lines.append(f"* :py:{role}:`{name} <{hmod}.{hname}>` (:mod:`{hmod}`)")
        lines.append("")
    for name, obj, _ in here:
        directive = _directive(obj)
        lines.append(f".. {directive}:: {modname}.{name}")
        if directive == "autoclass":
            lines.append("   :members:")
        if directive == "autodata":
            lines.append("   :no-value:")
        lines.append("")
    return "\n".join(lines)


def write_pages(out: Path) -> list[str]:
    """Write one page per public module and the index ``api/index.rst``; return the modules."""
    out.mkdir(parents=True, exist_ok=True)
    mods = public_modules()
    home = homes()
    changed = False
    for modname in mods:
        text = _page(modname, home)
        path = out / f"{modname}.rst"
        if not path.exists() or path.read_text() != text:  # unchanged pages stay cached
            path.write_text(text)
            changed = True
    for stale in out.glob("berakhlak_research*.rst"):  # a module that no longer exists
        if stale.stem not in mods:
            stale.unlink()
            changed = True
    write_pages.changed = changed
    index = [
        "API reference",
        "=============",
        "",
        "Every public module of the package, with the names in its ``__all__``.",
        "Facade packages (``indices``, ``psychometrics``, ``models.did`` ...) are the",
        "import paths to use; each name is described on the page of the module",
        "that defines it.",
        "",
        ".. toctree::",
        "   :maxdepth: 1",
        "",
        *(f"   {m}" for m in mods),
        "",
    ]
    (out / "index.rst").write_text("\n".join(index))
    return mods


def _candidates(target: str, current: str | None, cls: str | None = None) -> list[str]:
    """Full names a package-relative reference may mean, the nearest first."""
    target = target.lstrip(".~")
    out = [f"{current}.{cls}.{target}"] if current and cls else []  # a method's own class
    parts = (current or PACKAGE).split(".")
    for i in range(len(parts), 0, -1):
        out.append(".".join(parts[:i]) + "." + target)
    return out


def _exists(fullname: str) -> bool:
    """Whether ``fullname`` names a real module or an attribute of one."""
    parts = fullname.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            fields = getattr(obj, "__annotations__", {})  # dataclass fields have no attribute
            if not hasattr(obj, attr) and attr not in fields:
                return False
            obj = getattr(obj, attr, None)
        return True
    return False


def _defined_somewhere(target: str) -> bool:
    """Whether a module of the package (private ones too) defines ``target``.

    A docstring re-exported by a facade is rendered there, but its references
    were written in the defining module (``_SHARED_FIGURES`` in
    ``reporting.sections.figures``, shown on ``reporting.views``).
    """
    first, _, rest = target.lstrip(".~").partition(".")
    for name, module in list(sys.modules.items()):
        if name.startswith(PACKAGE) and module is not None and hasattr(module, first):
            if not rest or _exists(f"{name}.{first}.{rest}"):
                return True
    return False


def resolve_reference(app, env, node, contnode):
    """Resolve a Python reference written relative to the package, or render it as text.

    Docstrings refer to ``regions.resolve`` or ``.did`` as their readers do;
    Sphinx looks only in the current module. This handler tries the current
    module's parents (the nearest first), then any object of the package whose
    name ends with the target if only one does. A target that exists in the
    code but is not part of the documented API (a private helper, a dataclass
    field) is shown as code text without a link. Anything else is left to
    Sphinx, so a reference to a name that does not exist still warns.
    """
    if node.get("refdomain") != "py":
        return None
    domain = env.get_domain("py")
    target, current, cls = node["reftarget"], node.get("py:module"), node.get("py:class")

    def link(full: str):
        found = domain.resolve_any_xref(env, node["refdoc"], app.builder, full, node, contnode)
        return found[0][1] if found else None

    for full in _candidates(target, current, cls):
        if full in domain.objects:
            return link(full)
    suffix = "." + target.lstrip(".~")
    matches = [k for k in domain.objects if k.startswith(PACKAGE) and k.endswith(suffix)]
    if len({(domain.objects[k].docname, domain.objects[k].node_id) for k in matches}) == 1:
        return link(matches[0])
    candidates = _candidates(target, current, cls)
    if any(_exists(full) for full in candidates) or _defined_somewhere(target):
        return contnode  # real but undocumented: code text, no link
    return None


def write_tutorials_toc(srcdir: Path) -> list[str]:
    """List the executed tutorials (``_generated/tutorials/*.ipynb``) in a toctree include."""
    folder = srcdir / "_generated" / "tutorials"
    found = sorted(p.stem for p in folder.glob("*.ipynb"))
    if found:
        text = (
            "```{toctree}\n:maxdepth: 1\n\n"
            + "".join(f"_generated/tutorials/{n}\n" for n in found)
            + "```\n"
        )
    else:
        text = (
            "No executed tutorials were found: `make docs` executes `notebooks/tutorials/` "
            "before building.\n"
        )
    path = srcdir / "_generated" / "tutorials_toc.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return found


def setup(app):
    def _write(app):
        write_pages(Path(app.srcdir) / "api")
        write_tutorials_toc(Path(app.srcdir))

    def _outdated(app, env, added, changed, removed):
        # A name that moved between pages keeps its old registration in a cached
        # page; when any API page changed, every API page is read again.
        if getattr(write_pages, "changed", False):
            return [d for d in env.found_docs if d.startswith("api/")]
        return []

    app.connect("builder-inited", _write)
    app.connect("env-get-outdated", _outdated)
    app.connect("missing-reference", resolve_reference)
    return {"parallel_read_safe": True}
