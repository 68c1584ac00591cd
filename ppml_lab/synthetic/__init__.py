"""Synthetic data (lesson 09): a DP generator (MST on Private-PGM), a non-private baseline, and their evaluation.

``discretise`` (a public domain and integer codes), ``mst`` (MST step by step and its zCDP accounting), ``pgm``
(Private-PGM estimation and sampling), ``baseline`` (a Gaussian copula from ``copulas``), ``evaluation``
(fidelity, utility and privacy) and ``attacks`` (membership inference on a generator with shadow fits).
"""

from .discretise import TableDomain, decode, encode, hospital_domain, make_domain
from .mst import MSTResult, fit_mst

__all__ = ["TableDomain", "make_domain", "encode", "decode", "hospital_domain", "MSTResult", "fit_mst"]


def __getattr__(name: str):
    """``lab.synthetic.experiments`` and the other submodules load on first use."""
    from .. import import_submodule

    return import_submodule(__name__, name)
