"""Answering under a budget: the defence against asking the same query again and again (and PATE vs DP-SGD)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..accounting import BudgetExceededError, PrivacyLedger
from ..accounting.pate import rdp_gnmax_data_independent
from ..accounting.rdp import DEFAULT_ORDERS, rdp_to_epsilon
from ..cache import cached
from ..datasets import ImageDataset, check_dataset
from ..models import build_model
from ..seeding import as_rng
from ..validation import (
    ParameterTypeError,
    check_delta,
    check_one_of,
    check_positive,
    check_positive_int,
)
from .aggregators import MECHANISMS, _check_noise_scale, _check_votes, gnmax
from .pipeline import _check_grid_values, run_pate

__all__ = ["gnmax_answer_epsilon", "BudgetedGNMax", "compare_with_dpsgd"]


def gnmax_answer_epsilon(noise_scale: float, delta: float, orders: np.ndarray = DEFAULT_ORDERS) -> float:
    """(epsilon, ``delta``)-DP guarantee of one GNMax answer whatever the votes (RDP alpha / sigma^2, converted)."""
    noise_scale, delta = check_positive(noise_scale, "noise_scale"), check_delta(delta)
    return rdp_to_epsilon(rdp_gnmax_data_independent(noise_scale, orders), delta, orders)[0]


class BudgetedGNMax:
    """A GNMax aggregator that charges every answer to a :class:`ppml_lab.accounting.PrivacyLedger` and
    refuses (raises :class:`ppml_lab.accounting.BudgetExceededError`, releasing nothing) once the budget
    is spent.

    Each answer costs (``gnmax_answer_epsilon(noise_scale, delta_per_answer)``, ``delta_per_answer``),
    composed by the ledger. Without such a cap, asking one query many times averages the noise away
    (:mod:`ppml_lab.attacks.pate_averaging`). Taught in ``notebooks/04_pate.ipynb``.
    """

    def __init__(self, votes: np.ndarray, noise_scale: float, ledger: PrivacyLedger, delta_per_answer: float = 1e-6,
                 rng: np.random.Generator | int | None = None) -> None:
        self.votes = _check_votes(votes)
        self.noise_scale = _check_noise_scale(noise_scale)
        if not isinstance(ledger, PrivacyLedger):
            raise ParameterTypeError(f"ledger must be a PrivacyLedger, got {type(ledger).__name__}")
        self.delta_per_answer = check_delta(delta_per_answer, "delta_per_answer")
        if self.delta_per_answer == 0.0:
            raise ValueError("delta_per_answer must be in (0, 1): a Gaussian answer needs delta > 0, got 0.0")
        self.ledger, self.rng = ledger, as_rng(rng)
        self.epsilon_per_answer = gnmax_answer_epsilon(self.noise_scale, self.delta_per_answer)
        self.n_answered = 0

    def answer(self, query: int) -> int:
        """The noisy plurality label of public query ``query``, paid for first; refused past the budget."""
        query = check_positive_int(query, "query", minimum=0)
        if query >= len(self.votes):
            raise ValueError(f"query must be in [0, {len(self.votes) - 1}], got {query}")
        self.ledger.spend(f"GNMax answer to query {query}", self.epsilon_per_answer, self.delta_per_answer)
        self.n_answered += 1
        return int(gnmax(self.votes[query], self.noise_scale, self.rng).labels[0])

    def answer_until_refused(self, query: int, max_answers: int = 1_000_000) -> np.ndarray:
        """Ask ``query`` again and again (the averaging attacker's move) until the ledger refuses."""
        max_answers = check_positive_int(max_answers, "max_answers")
        answers = []
        try:
            while len(answers) < max_answers:
                answers.append(self.answer(query))
        except BudgetExceededError:
            pass
        return np.asarray(answers, dtype=np.int64)


def compare_with_dpsgd(private: ImageDataset, public: ImageDataset, test: ImageDataset, *, seeds: list[int],
                       n_teachers: int, noise_scale: float, n_queries: int, mechanism: str = "confident_gnmax",
                       threshold: float | None = None, threshold_noise: float | None = None, delta: float = 1e-5,
                       dpsgd_epochs: int = 10, dpsgd_batch_size: int = 256, use_cache: bool = True) -> pd.DataFrame:
    """PATE against DP-SGD at the same publishable epsilon, one row per seed.

    For each seed: :func:`run_pate` (teachers, aggregator noise and student all seeded), then
    :func:`ppml_lab.dpsgd.train_dpsgd` on the same private data with the same model family (logistic)
    at PATE's *data-independent* epsilon (RDP accountant), and the non-private baseline with the same
    optimiser. Only data-independent epsilons are compared: PATE's data-dependent one is reported but
    may not be published as is (see :class:`PrivacyReport`). Cached by all inputs.
    """
    from ..dpsgd import train_dpsgd

    for name, data in (("private", private), ("public", public), ("test", test)):
        check_dataset(data, name)
    seeds = _check_grid_values(seeds, "seeds", lambda value, name: check_positive_int(value, name, minimum=0))
    n_teachers, n_queries = check_positive_int(n_teachers, "n_teachers"), check_positive_int(n_queries, "n_queries")
    noise_scale, delta = _check_noise_scale(noise_scale), check_delta(delta)
    check_one_of(mechanism, MECHANISMS, "mechanism")
    dpsgd_epochs = check_positive_int(dpsgd_epochs, "dpsgd_epochs")
    dpsgd_batch_size = check_positive_int(dpsgd_batch_size, "dpsgd_batch_size")
    if dpsgd_batch_size > len(private):
        raise ValueError(f"dpsgd_batch_size must be <= the number of private examples ({len(private)}), "
                         f"got {dpsgd_batch_size}")
    pate_settings = dict(n_teachers=n_teachers, noise_scale=noise_scale, n_queries=n_queries, mechanism=mechanism,
                         threshold=threshold, threshold_noise=threshold_noise, delta=delta)
    dpsgd_settings = dict(delta=delta, epochs=dpsgd_epochs, batch_size=dpsgd_batch_size, accountant="rdp")

    def compute() -> pd.DataFrame:
        rows = []
        for seed in seeds:
            run = run_pate(private, public, test, seed=seed, use_cache=use_cache, **pate_settings)
            private_model = train_dpsgd(build_model("logistic", seed=seed), private, test,
                                        epsilon=run.privacy.epsilon_data_independent, seed=seed, **dpsgd_settings)
            baseline = train_dpsgd(build_model("logistic", seed=seed), private, test, epsilon=None, seed=seed,
                                   **dpsgd_settings)
            rows.append({"seed": seed, "PATE ε (publishable)": run.privacy.epsilon_data_independent,
                         "PATE ε data-dependent (not publishable)": run.privacy.epsilon_data_dependent,
                         "PATE student": run.accuracy, "DP-SGD ε": private_model.epsilon,
                         "DP-SGD": private_model.accuracy, "non-private SGD": baseline.accuracy})
        return pd.DataFrame(rows)

    inputs = {"private": private.fingerprint(), "public": public.fingerprint(), "test": test.fingerprint(),
              "seeds": list(seeds), **pate_settings, **dpsgd_settings}
    return cached("pate_vs_dpsgd", inputs, compute, enabled=use_cache)
