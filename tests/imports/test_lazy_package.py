"""A lazy package (shapecalc.imports.lazy_package): the names its __init__ imports, from the
same submodules, without running the __init__; on a made-up package, without torch."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from shapecalc.imports.lazy_package import Binding, bindings, forget_modules, lazy_package

#: The package's files. Its __init__ raises at the end (as if it loaded a library that is not
#: there), so any test that ran it would fail.
FILES = {
    "__init__.py": """
        import json
        from .first import Thing, helper as renamed
        from .stars import *
        from .more_stars import *
        from .listed import *
        from . import plain
        try:
            from .version import __version__
        except ImportError:
            pass
        from .first import shadowed
        from .second import shadowed

        def defined_here():
            return 1

        raise RuntimeError("__init__ ran")
    """,
    "first.py": """
        class Thing:
            pass

        def helper():
            return "helper"

        shadowed = "first"
    """,
    "second.py": "shadowed = 'second'\n",
    "stars.py": """
        __all__ = ["starred", "both"]
        starred = "stars"
        both = "stars"
        _private = 1
    """,
    # No literal __all__: the name is found by importing the module.
    "more_stars.py": """
        both = "more_stars"
        public = "more_stars"
        __all__ = [name for name in ("both", "public")]
    """,
    "listed.py": "__all__ = ['listed']\nlisted = 'listed'\n",
    "plain.py": "VALUE = 3\n",
    "version.py": "__version__ = '1.0'\n",
    "untouched.py": "raise RuntimeError('imported though no name of it was asked for')\n",
}


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    root = tmp_path / "lazypkg_example"
    root.mkdir()
    for name, text in FILES.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield root.name
    forget_modules(root.name, set())


def test_the_names_come_from_their_submodules_without_init_running(package: str) -> None:
    module = lazy_package(package)
    assert sys.modules[package] is module
    first = sys.modules.get(f"{package}.first")
    assert first is None  # nothing imported until a name is asked for
    from lazypkg_example import Thing  # type: ignore[import-not-found]

    assert Thing is sys.modules[f"{package}.first"].Thing
    assert module.renamed() == "helper"
    assert module.starred == "stars"
    assert module.public == "more_stars"
    assert module.plain.VALUE == 3
    assert module.__version__ == "1.0"
    assert module.json is sys.modules["json"]


def test_later_statements_win_as_in_init(package: str) -> None:
    module = lazy_package(package)
    assert module.shadowed == "second"  # from .second after from .first
    assert module.both == "more_stars"  # the second star import binds it last


def test_a_star_module_whose_all_does_not_list_the_name_is_not_imported(package: str) -> None:
    module = lazy_package(package)
    assert module.starred == "stars"
    # The star imports are looked at from the last: listed's literal __all__ has no
    # "starred", so it is skipped unimported; more_stars has no literal one, so it is imported.
    assert f"{package}.listed" not in sys.modules
    assert f"{package}.more_stars" in sys.modules
    assert f"{package}.untouched" not in sys.modules
    assert module.listed == "listed"


def test_names_init_defines_itself_are_missing_and_say_why(package: str) -> None:
    module = lazy_package(package)
    with pytest.raises(AttributeError, match="only the names its __init__ imports"):
        module.defined_here  # noqa: B018
    assert not hasattr(module, "_private")


def test_a_submodule_imports_as_usual_under_a_lazy_package(package: str) -> None:
    lazy_package(package)
    import lazypkg_example.plain  # type: ignore[import-not-found]

    assert lazypkg_example.plain.VALUE == 3


def test_the_parent_must_come_first_and_a_module_is_no_package(package: str) -> None:
    with pytest.raises(ImportError, match="before"):
        lazy_package(f"{package}.sub")
    lazy_package(package)
    with pytest.raises(ImportError, match="is no package"):
        lazy_package(f"{package}.plain")


def test_forget_modules_keeps_what_was_there(package: str) -> None:
    before = set(sys.modules)
    module = lazy_package(package)
    assert module.starred == "stars"
    forget_modules(package, before)
    assert not [name for name in sys.modules if name.startswith(package)]


def test_bindings_read_every_import_form() -> None:
    source = textwrap.dedent(
        """
        import os.path
        import numpy as np
        from pkg import sub
        from pkg.inner import name as alias
        from .. import outside
        from .mod import *
        """
    )
    assert bindings("pkg", source) == [
        Binding("os", "os"),
        Binding("np", "numpy"),
        Binding("sub", "pkg.sub"),
        Binding("alias", "pkg.inner", "name"),
        Binding(None, "pkg.mod"),
    ]
