"""Every public function and class of ``ppml_lab`` refuses nonsense with an error that names the parameter.

The table lives in ``tests/bad_inputs/`` (one file per lesson or group of modules). A public name
(in a module's ``__all__``) that is not in the table fails :func:`test_every_public_name_is_in_the_table`,
so a new function cannot slip in without its bad-input cases.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest
from bad_inputs import Bad, Exempt  # tests/ is on sys.path (pytest prepends it)

import ppml_lab

TABLE_FILES = sorted(m.name for m in pkgutil.iter_modules(importlib.import_module("bad_inputs").__path__))


def table() -> dict[str, list[Bad] | Exempt]:
    """All files' tables merged; a name listed twice is an error."""
    merged: dict[str, list[Bad] | Exempt] = {}
    for name in TABLE_FILES:
        part = importlib.import_module(f"bad_inputs.{name}").TABLE
        twice = set(merged) & set(part)
        assert not twice, f"tests/bad_inputs/{name}.py lists {sorted(twice)} again"
        merged.update(part)
    return merged


def package_modules() -> list[ModuleType]:
    """Every module of ppml_lab (``__main__`` aside: the CLI is tested in test_cli.py)."""
    names = [m.name for m in pkgutil.walk_packages(ppml_lab.__path__, "ppml_lab.") if not m.name.endswith("__main__")]
    return [importlib.import_module(name) for name in ["ppml_lab", *names]]


def public_callables() -> list[str]:
    """Qualified names of the functions and classes each module declares in ``__all__`` (defined there or below).

    A function defined in a submodule of a split package (``ppml_lab.pate.teachers``) and re-exported by
    the package (``ppml_lab.pate``) goes by its public name, the package's: the first module (packages come
    before their submodules) that lists it in ``__all__`` and contains the module that defines it.
    """
    names, seen = [], set()
    for module in package_modules():
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            is_callable = inspect.isfunction(obj) or inspect.isclass(obj) or hasattr(obj, "__wrapped__")  # lru_cache
            home = getattr(obj, "__module__", None) or ""
            split = hasattr(module, "__path__") and module is not ppml_lab  # the top level's conveniences aside
            inside = home == module.__name__ or (split and home.startswith(module.__name__ + "."))
            if is_callable and inside and id(obj) not in seen:
                seen.add(id(obj))
                names.append(f"{module.__name__}.{name}")
    return sorted(set(names))


TABLE = table()
CASES = [(name, case) for name, cases in sorted(TABLE.items()) if not isinstance(cases, Exempt) for case in cases]


def test_every_module_declares_all():
    missing = [m.__name__ for m in package_modules() if not hasattr(m, "__all__")]
    assert not missing, f"declare __all__ (the public names) in {missing}"


def test_every_public_name_is_in_the_table():
    missing = sorted(set(public_callables()) - set(TABLE))
    assert not missing, f"add bad-input cases (or exempt(reason)) to tests/bad_inputs/ for {missing}"


def test_the_table_names_only_public_names():
    unknown = sorted(set(TABLE) - set(public_callables()))
    assert not unknown, f"tests/bad_inputs/ lists names that are not public in ppml_lab: {unknown}"


def test_no_function_is_listed_without_cases():
    empty = [name for name, cases in TABLE.items() if not isinstance(cases, Exempt) and not cases]
    assert not empty, f"give these at least one bad input, or exempt(reason): {empty}"


@pytest.mark.parametrize("name,case", CASES, ids=[f"{n.removeprefix('ppml_lab.')}:{c.param}:{c.why}" for n, c in CASES])
def test_bad_input_is_refused_naming_the_parameter(name, case):
    import matplotlib.pyplot as plt

    plt.close("all")
    before = copy.deepcopy(case.state()) if case.state is not None else None
    with pytest.raises((ValueError, TypeError)) as raised:
        case.call()
    assert case.param in str(raised.value), (
        f"{name} refused {case.why or 'a bad value'} for {case.param!r}, but the message does not name it: "
        f"{raised.value}")
    if case.state is not None:
        assert case.state() == before, f"{name} changed state before refusing a bad {case.param!r}"
