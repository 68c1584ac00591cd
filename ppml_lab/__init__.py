"""ppml_lab: the package under the privacy-preserving ML lab's notebooks.

Notebooks start with ``import ppml_lab as lab`` and ``rng = lab.seed_everything(0)``.
Each module holds one idea; see the README for the map from notebooks to modules.
"""

__version__ = "0.1.0"
__all__ = ["__version__", "import_submodule", "seed_everything", "as_rng", "PrivacyLedger", "BudgetExceededError",
           "show_source", "accounting", "cache", "datasets", "exercises", "mechanisms", "plots", "queries",
           "validation", "widgets"]

import importlib  # noqa: E402
from types import ModuleType  # noqa: E402


def import_submodule(package: str, name: str) -> ModuleType:
    """Import ``package.name`` on first attribute access (module ``__getattr__``, PEP 562), so
    ``lab.dpsgd`` works without loading torch-heavy modules in lessons that never use them."""
    for value, label in ((package, "package"), (name, "name")):
        if not isinstance(value, str) or not value:
            raise TypeError(f"{label} must be a non-empty module name (str), got {value!r}")
    try:
        return importlib.import_module(f".{name}", package)
    except ModuleNotFoundError as error:
        if error.name == f"{package}.{name}":
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        raise

from . import accounting, cache, datasets, exercises, mechanisms, plots, queries, validation, widgets  # noqa: E402
from .accounting import BudgetExceededError, PrivacyLedger  # noqa: E402
from .lesson import show_source  # noqa: E402
from .seeding import as_rng, seed_everything  # noqa: E402


def __getattr__(name: str) -> ModuleType:
    return import_submodule(__name__, name)


def __dir__() -> list[str]:
    """Tab completion shows the submodules too (they load lazily, on first attribute access)."""
    import pkgutil

    submodules = {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}
    return sorted(set(globals()) | submodules)
