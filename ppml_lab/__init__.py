"""ppml_lab: the package under the privacy-preserving ML lab's notebooks.

Notebooks start with ``import ppml_lab as lab`` and ``rng = lab.seed_everything(0)``.
Each module holds one idea; see the README for the map from notebooks to modules.
"""

__version__ = "0.1.0"

from . import accounting, cache, datasets, exercises, mechanisms, plots, queries, validation, widgets  # noqa: E402
from .accounting import BudgetExceededError, PrivacyLedger  # noqa: E402
from .lesson import show_source  # noqa: E402
from .seeding import as_rng, seed_everything  # noqa: E402

plots.use_lab_style()


def __getattr__(name: str):
    """Import other submodules on first use, so ``lab.dpsgd`` works without importing torch-heavy
    modules (and their start-up time) in lessons that do not need them."""
    import importlib

    try:
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError as error:
        if error.name == f"{__name__}.{name}":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        raise

__all__ = [
    "accounting", "cache", "datasets", "exercises", "mechanisms", "plots", "queries", "validation", "widgets",
    "BudgetExceededError", "PrivacyLedger", "as_rng", "seed_everything", "show_source", "__version__",
]
