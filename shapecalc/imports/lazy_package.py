"""A package made importable without running its ``__init__.py``: each name that its
``__init__`` would bind by an import is imported from the same submodule when first asked for.

Why: ``shapecalc import torchvision.models:resnet50`` needs one model definition, a pure Python
file. torchvision's package ``__init__`` files import everything else as well: every
dataset, every detection and video model, and ``torchvision.ops``, whose ``roi_align`` imports
torch's compiler (``torch._dynamo``): about a second of CPU here, more than all the rest of
the import. A package made by :func:`lazy_package` binds the same names to the same objects,
but only the ones asked for are imported.

What the package gets: the names bound by the import statements at the top level of its
``__init__.py`` (and in its top-level ``try`` blocks): ``from .sub import name``,
``from .sub import *``, ``from . import sub`` and ``from PACKAGE import sub``, ``import x``,
each resolved on first access through the module's ``__getattr__`` (PEP 562). Later
statements win, as they do when ``__init__`` runs. For ``from .sub import *`` a submodule
whose source holds exactly one literal ``__all__ = [...]`` not listing the name is skipped
without being imported; any other is imported and its ``__all__`` (or public names) looked
at, as ``import *`` would.

What it does not get: the rest of what ``__init__`` does, its own definitions and its side
effects (loading compiled libraries, registering operators). So a lazy package is for a
process that needs only names its ``__init__`` imports; a name that ``__init__`` defines
itself is missing, and the error says why.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

#: A literal ``__all__`` list at the start of a line (the hint that skips a star import).
_ALL = re.compile(r"^__all__\s*=\s*(\[[^\]]*\])", re.MULTILINE)


@dataclass(frozen=True)
class Binding:
    """One name an ``__init__`` binds by an import: ``name`` is ``module``'s ``attribute``
    (``attribute`` None: the module itself); ``name`` None is ``from module import *``."""

    name: str | None
    module: str
    attribute: str | None = None


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Top-level statements in order, those of ``try`` blocks in their place."""
    for statement in body:
        if isinstance(statement, ast.Try):
            yield from _statements(statement.body)
        else:
            yield statement


def bindings(package: str, source: str) -> list[Binding]:
    """The names ``package``'s ``__init__`` source binds by imports, in statement order."""
    found: list[Binding] = []
    for statement in _statements(ast.parse(source).body):
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname:
                    found.append(Binding(alias.asname, alias.name))
                else:
                    top = alias.name.split(".")[0]
                    found.append(Binding(top, top))
        elif isinstance(statement, ast.ImportFrom):
            if statement.level > 1:
                continue  # from the package's parent: not this package's business
            if statement.level == 1:
                module = f"{package}.{statement.module}" if statement.module else package
            else:
                module = statement.module or ""
            for alias in statement.names:
                if alias.name == "*":
                    found.append(Binding(None, module))
                elif module == package:  # from . import sub, from PACKAGE import sub
                    found.append(Binding(alias.asname or alias.name, f"{package}.{alias.name}"))
                else:
                    found.append(Binding(alias.asname or alias.name, module, alias.name))
    return found


def _may_export(module: str, name: str) -> bool:
    """False only when ``module``'s source shows it does not export ``name`` by ``*``: one
    literal ``__all__`` that does not list it. Unknown is True (the module is imported)."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return True
    try:
        source = Path(spec.origin).read_text(encoding="utf-8")
    except OSError:
        return True
    found = _ALL.search(source)
    if found is None or source.count("__all__") != 1:
        return True
    try:
        listed = ast.literal_eval(found[1])
    except (ValueError, SyntaxError):
        return True
    return not isinstance(listed, list) or name in listed


def _exported(module: ModuleType) -> list[str]:
    """The names ``from module import *`` binds."""
    listed = getattr(module, "__all__", None)
    if listed is not None:
        return list(listed)
    return [name for name in vars(module) if not name.startswith("_")]


def _resolve(binding: Binding) -> Any:
    module = importlib.import_module(binding.module)
    if binding.attribute is None:
        return module
    try:
        return getattr(module, binding.attribute)
    except AttributeError:  # from package import submodule
        return importlib.import_module(f"{binding.module}.{binding.attribute}")


def lazy_package(name: str) -> ModuleType:
    """Put the package ``name`` into ``sys.modules`` without running its ``__init__.py``:
    its names are imported when asked for (see the module docstring). An imported package is
    returned as it is.

    Its parent package must be imported (or lazy) already: finding ``name`` imports it.

    Raises:
        ImportError: ``name`` is no package with an ``__init__.py``.
    """
    if name in sys.modules:
        return sys.modules[name]
    parent, _, child = name.rpartition(".")
    if parent and parent not in sys.modules:
        raise ImportError(f"make {parent!r} lazy or import it before {name!r}")
    spec = importlib.util.find_spec(name)
    if spec is None or spec.submodule_search_locations is None or spec.origin is None:
        raise ImportError(f"{name!r} is no package")
    source = Path(spec.origin).read_text(encoding="utf-8")
    module = importlib.util.module_from_spec(spec)
    table = list(reversed(bindings(name, source)))  # the last statement binding a name wins

    def __getattr__(attribute: str) -> Any:
        for binding in table:
            if binding.name == attribute:
                value = _resolve(binding)
            elif (
                binding.name is None
                and not attribute.startswith("__")
                and _may_export(binding.module, attribute)
                and attribute in _exported(importlib.import_module(binding.module))
            ):
                value = getattr(sys.modules[binding.module], attribute)
            else:
                continue
            setattr(module, attribute, value)
            return value
        raise AttributeError(
            f"module {name!r} has no attribute {attribute!r} (imported lazily: only the names "
            "its __init__ imports, not the ones it defines)"
        )

    vars(module)["__getattr__"] = __getattr__
    sys.modules[name] = module
    if parent:
        setattr(sys.modules[parent], child, module)
    return module


def forget_modules(package: str, keep: set[str]) -> None:
    """Remove ``package`` and its submodules from ``sys.modules``, but the names in ``keep``
    (what was imported before an attempt): the next import starts afresh."""
    for name in list(sys.modules):
        if (name == package or name.startswith(package + ".")) and name not in keep:
            del sys.modules[name]


__all__ = ["Binding", "bindings", "forget_modules", "lazy_package"]
