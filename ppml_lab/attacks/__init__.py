"""Attacks that show why privacy protections are needed (and check that they work).

Each attack is a submodule (``lab.attacks.membership``, ``lab.attacks.floating_point``, ...), loaded on first use.
"""

from types import ModuleType

__all__: list[str] = []  # the attacks live in the submodules


def __getattr__(name: str) -> ModuleType:
    """``lab.attacks.membership`` and friends load on first use."""
    from .. import import_submodule

    return import_submodule(__name__, name)


def __dir__() -> list[str]:
    import pkgutil

    return sorted(set(globals()) | {m.name for m in pkgutil.iter_modules(__path__)})
