import inspect
import math

import numpy as np
import pytest
import torch
from opacus.accountants.analysis.rdp import compute_rdp, get_privacy_spent
from scipy import stats
from scipy.special import logsumexp

from ppml_lab import datasets, pate
from ppml_lab.models import build_model
from ppml_lab.training import train_classifier

ORDERS = pate.DEFAULT_ORDERS


@pytest.fixture(scope="module")
def tiny_split():
    """240 private, 80 public and 100 test MNIST images: enough to run PATE end to end in seconds."""
    data = datasets.load_mnist5k()
    train, test = datasets.train_test_split(data, 0.2, rng=0)
    private, public = pate.split_private_public(train, 0.25, rng=0)
    take = lambda d, n: datasets.ImageDataset(d.images[:n], d.labels[:n])  # noqa: E731
    return take(private, 240), take(public, 80), take(test, 100)


def one_hot_votes(n_queries, n_classes, top, second=0):
    votes = np.zeros((n_queries, n_classes))
    votes[:, 0], votes[:, 1] = top, second
    return votes


# ---------------------------------------------------------------- teachers and votes

def test_partitions_are_disjoint_and_cover_the_data():
    parts = pate.partition_indices(103, 10, rng=1)
    joined = np.concatenate(parts)
    assert len(parts) == 10 and sorted(joined.tolist()) == list(range(103))
    assert {len(p) for p in parts} <= {10, 11}


def test_each_teacher_is_trained_only_on_its_partition(tiny_split):
    private = tiny_split[0]
    ensemble = pate.train_teachers(private, 6, epochs=2, use_cache=False)
    assert len(ensemble) == 6
    # Retraining teacher 3 from scratch on its own partition alone gives the same weights (up to float rounding:
    # train_teachers runs torch on one thread, this test on the default number).
    part = ensemble.partitions[3]
    again = build_model("logistic", seed=3)
    train_classifier(again, datasets.ImageDataset(private.images[part], private.labels[part]), epochs=2,
                     batch_size=16, lr=0.1, seed=3)
    for a, b in zip(again.parameters(), ensemble.models[3].parameters()):
        assert torch.allclose(a, b, atol=1e-6)


def test_vote_histograms_count_every_teacher_once():
    predictions = np.array([[0, 1, 2], [0, 1, 1], [0, 2, 1], [3, 1, 1]])
    votes = pate.vote_histograms(predictions, n_classes=4)
    assert votes.tolist() == [[3, 0, 0, 1], [0, 3, 1, 0], [0, 3, 1, 0]]
    assert (votes.sum(1) == 4).all()


# ---------------------------------------------------------------- aggregators

def test_aggregators_share_one_signature():
    signatures = {name: list(inspect.signature(f).parameters) for name, f in pate.MECHANISMS.items()}
    assert len({tuple(s) for s in signatures.values()}) == 1, signatures


@pytest.mark.parametrize("mechanism", sorted(pate.MECHANISMS))
def test_tiny_noise_returns_the_plurality(mechanism):
    votes = np.random.default_rng(0).integers(0, 50, size=(200, 10)).astype(float)
    votes[np.arange(200), np.arange(200) % 10] += 60  # a clear winner per row
    result = pate.aggregate(votes, mechanism, 1e-3, rng=0, threshold=0.0, threshold_noise=1e-3)
    assert result.answered.all()
    assert (result.labels == votes.argmax(1)).all()


def test_gnmax_flips_a_tied_vote_half_the_time():
    votes = np.tile([25.0, 25.0, 0.0], (4000, 1))
    labels = pate.gnmax(votes, 5.0, rng=0).labels
    assert set(labels) <= {0, 1}
    assert labels.mean() == pytest.approx(0.5, abs=0.03)  # sd of the mean: 0.5 / sqrt(4000) ~ 0.008


def test_confident_gnmax_answers_only_confident_queries():
    confident = one_hot_votes(300, 10, top=100)
    split = np.tile([34.0, 33.0, 33.0] + [0.0] * 7, (300, 1))
    result = pate.confident_gnmax(np.vstack([confident, split]), 5.0, rng=0, threshold=70, threshold_noise=5.0)
    assert result.answered[:300].all() and not result.answered[300:].any()
    assert (result.labels[300:] == -1).all()


# ---------------------------------------------------------------- privacy analysis

def test_data_independent_bound_is_the_gaussian_mechanism_composed():
    """GNMax is the Gaussian mechanism on a histogram of L2 sensitivity sqrt 2: RDP alpha / sigma^2, i.e.
    Opacus's RDP at sample rate 1 with noise multiplier sigma / sqrt 2, composed over the answers."""
    sigma, n_answered = 20.0, 300
    votes = np.random.default_rng(0).integers(0, 30, size=(n_answered, 10))
    aggregation = pate.gnmax(votes, sigma, rng=0)
    ours = pate.per_query_rdp(votes, aggregation, ORDERS, data_dependent=False).sum(0)
    opacus_rdp = compute_rdp(q=1.0, noise_multiplier=sigma / math.sqrt(2), steps=n_answered, orders=list(ORDERS))
    np.testing.assert_allclose(ours, opacus_rdp, rtol=1e-10)
    report = pate.analyze_privacy(votes, aggregation, delta=1e-5)
    assert report.epsilon_data_independent == pytest.approx(
        get_privacy_spent(orders=ORDERS, rdp=opacus_rdp, delta=1e-5)[0], rel=1e-10)


def test_unanimous_votes_cost_far_less_than_split_votes():
    sigma, n = 20.0, 500
    unanimous = pate.analyze_privacy(one_hot_votes(n, 10, top=250), pate.gnmax(one_hot_votes(n, 10, 250), sigma, 0))
    split_votes = one_hot_votes(n, 10, top=125, second=125)
    split = pate.analyze_privacy(split_votes, pate.gnmax(split_votes, sigma, 0))
    assert unanimous.epsilon_data_dependent < 0.1 * split.epsilon_data_dependent
    assert unanimous.epsilon_data_independent == pytest.approx(split.epsilon_data_independent)
    # A tied vote gains nothing from the data: its data-dependent cost is the worst case.
    assert split.epsilon_data_dependent == pytest.approx(split.epsilon_data_independent)


def test_data_dependent_never_exceeds_data_independent():
    rng = np.random.default_rng(3)
    for _ in range(50):
        votes = rng.multinomial(100, rng.dirichlet(np.full(10, 0.3)))
        sigma = float(rng.uniform(2, 60))
        dependent = pate.rdp_gnmax_data_dependent(votes, sigma, ORDERS)
        assert (dependent >= 0).all() and (dependent <= pate.rdp_gnmax_data_independent(sigma, ORDERS) + 1e-12).all()


@pytest.mark.parametrize("top", [55, 70, 80, 95, 100])
def test_data_dependent_bound_holds_against_the_exact_divergence_for_two_classes(top):
    """With two classes GNMax's output law is exact: Pr[class 0] = Phi((n0 - n1) / (sigma sqrt 2)). The bound
    (data-dependent RDP at D, Papernot et al. 2018 Def. 4 / Thm. 6: D_alpha(M(D) || M(D'))) must be >= the
    exact divergence to both neighbours D' (one teacher switching towards or away from the top class)."""
    sigma, n = 10.0, 100
    bound = pate.rdp_gnmax_data_dependent(np.array([top, n - top]), sigma, ORDERS)

    def log_law(n0):  # log probabilities, accurate in the far tail
        x = (2 * n0 - n) / (sigma * math.sqrt(2))
        return np.array([stats.norm.logcdf(x), stats.norm.logsf(x)])

    here = log_law(top)
    for neighbour in (log_law(top - 1), log_law(top + 1)):
        exact = np.array([logsumexp(a * here + (1 - a) * neighbour) / (a - 1) for a in ORDERS])
        assert (exact <= bound * (1 + 1e-9)).all(), ORDERS[exact > bound * (1 + 1e-9)]
    if top >= 70:  # a clear majority: the data-dependent bound is strictly better at some order
        assert (bound < 0.5 * pate.rdp_gnmax_data_independent(sigma, ORDERS)).any()


def test_confident_gnmax_pays_the_threshold_on_every_query_and_gnmax_only_when_answered():
    votes = np.vstack([one_hot_votes(100, 10, top=100), np.tile([40.0, 30.0, 30.0] + [0.0] * 7, (100, 1))])
    aggregation = pate.confident_gnmax(votes, 10.0, rng=0, threshold=70.0, threshold_noise=20.0)
    expected = (len(votes) * pate.rdp_threshold_data_independent(20.0, ORDERS)
                + aggregation.n_answered * pate.rdp_gnmax_data_independent(10.0, ORDERS))
    np.testing.assert_allclose(pate.per_query_rdp(votes, aggregation, ORDERS, data_dependent=False).sum(0), expected)
    report = pate.analyze_privacy(votes, aggregation)
    assert report.epsilon_data_dependent < report.epsilon_data_independent


def test_lnmax_bound_is_no_worse_than_basic_composition():
    votes = np.random.default_rng(0).integers(0, 30, size=(100, 10))
    report = pate.analyze_privacy(votes, pate.lnmax(votes, 20.0, rng=0))
    assert report.epsilon_data_independent <= 100 * 2 / 20.0
    assert report.epsilon_data_dependent <= report.epsilon_data_independent + 1e-12


def test_cumulative_epsilon_grows_and_ends_at_the_total():
    votes = np.random.default_rng(0).integers(0, 30, size=(40, 10))
    aggregation = pate.gnmax(votes, 15.0, rng=0)
    table = pate.cumulative_epsilon(votes, aggregation)
    assert (np.diff(table["data-independent"]) > 0).all()
    expected = pate.analyze_privacy(votes, aggregation).epsilon_data_dependent
    assert table["data-dependent"].iloc[-1] == pytest.approx(expected)


def test_smooth_sensitivity_caveat_is_documented():
    assert "smooth sensitivity" in pate.analyze_privacy.__doc__.lower()
    assert "smooth sensitivity" in pate.PrivacyReport.__doc__.lower()


# ---------------------------------------------------------------- student and bad input

def test_run_pate_end_to_end_is_reproducible(tiny_split):
    private, public, test = tiny_split
    kwargs = dict(n_teachers=6, noise_scale=1.0, n_queries=60, teacher_epochs=10, student_epochs=10, use_cache=False)
    first = pate.run_pate(private, public, test, **kwargs)
    second = pate.run_pate(private, public, test, **kwargs)
    assert first.accuracy == second.accuracy and first.epsilon == second.epsilon
    assert first.accuracy > 0.35  # chance is 0.1; 6 teachers of 40 images label 60 public images
    assert 0 < first.privacy.epsilon_data_dependent <= first.privacy.epsilon_data_independent


def test_bad_input_raises_clear_value_errors(tiny_split):
    private, public, test = tiny_split
    with pytest.raises(ValueError, match=r"n_teachers must be <= the number of private examples \(240\), got 241"):
        pate.run_pate(private, public, test, n_teachers=241, noise_scale=1.0, n_queries=10)
    with pytest.raises(ValueError, match="n_teachers must be <="):
        pate.train_teachers(private, 241)
    for bad in (0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="noise_scale must be a finite number > 0"):
            pate.run_pate(private, public, test, n_teachers=4, noise_scale=bad, n_queries=10)
        with pytest.raises(ValueError, match="noise_scale must be a finite number > 0"):
            pate.gnmax(np.ones((2, 3)), bad)
    with pytest.raises(ValueError, match="n_queries must be an integer >= 1, got 0"):
        pate.run_pate(private, public, test, n_teachers=4, noise_scale=1.0, n_queries=0)
    with pytest.raises(ValueError, match=r"n_queries must be in \[1, 80\]"):
        pate.run_pate(private, public, test, n_teachers=4, noise_scale=1.0, n_queries=81)
    with pytest.raises(ValueError, match="mechanism must be one of"):
        pate.aggregate(np.ones((2, 3)), "median", 1.0)
    with pytest.raises(ValueError, match="labels must contain at least one answered query"):
        pate.train_student(public.images[:3], np.array([-1, -1, -1]), test)


# ---------------------------------------------------------------- exercise checks (lesson 04)

def test_exercise_checks_accept_solutions_and_name_the_mistake():
    from ppml_lab.exercises import pate as checks

    assert checks.check_gnmax_answer(lambda v, s, r: int(np.argmax(v + r.normal(0, s, len(v)))))
    unfinished = checks.check_gnmax_answer(lambda v, s, r: (_ for _ in ()).throw(NotImplementedError))
    assert "NotImplementedError" in unfinished.message
    no_noise = checks.check_gnmax_answer(lambda v, s, r: int(np.argmax(v)))
    assert not no_noise and "never changes" in no_noise.message

    def epsilon(sigma, n, delta, per_answer=lambda orders, sigma: orders / sigma**2):
        return pate.rdp_to_epsilon(n * per_answer(pate.DEFAULT_ORDERS, sigma), delta)[0]

    assert checks.check_gnmax_epsilon(epsilon)
    sensitivity_one = checks.check_gnmax_epsilon(lambda s, n, d: epsilon(s, n, d, lambda o, s: o / (2 * s**2)))
    assert not sensitivity_one and "sqrt(2)" in sensitivity_one.message
    one_query = checks.check_gnmax_epsilon(lambda s, n, d: epsilon(s, 1, d))
    assert not one_query and "n_answered" in one_query.message
    assert not checks.check_gnmax_epsilon(None)


@pytest.mark.parametrize("analysis", ["rdp_gnmax_data_independent", "rdp_lnmax_data_independent"])
@pytest.mark.parametrize("noise_scale", [0.0, -1.0, float("nan")])
def test_privacy_analysis_refuses_bad_noise_scale(analysis, noise_scale):
    with pytest.raises(ValueError, match="noise_scale must be a finite number > 0"):
        getattr(pate, analysis)(noise_scale)
    with pytest.raises(ValueError, match="noise_scale must be a finite number > 0"):
        pate.rdp_gnmax_data_dependent(np.array([5.0, 3.0]), noise_scale)


# ---------------------------------------------------------------- choosing on validation data, answering under a budget

def test_run_pate_reports_validation_accuracy_apart_from_test(tiny_split):
    private, public, test = tiny_split
    validation = datasets.ImageDataset(test.images[:50], test.labels[:50])
    kwargs = dict(n_teachers=6, noise_scale=1.0, n_queries=60, teacher_epochs=5, student_epochs=5, use_cache=False)
    with_validation = pate.run_pate(private, public, test, validation=validation, **kwargs)
    without = pate.run_pate(private, public, test, **kwargs)
    assert with_validation.accuracy == without.accuracy  # looking at validation data changes nothing else
    assert math.isnan(without.validation_accuracy)
    from ppml_lab.training import evaluate
    assert with_validation.validation_accuracy == evaluate(with_validation.student, validation)


def test_privacy_utility_grid_has_a_validation_column(tiny_split):
    private, public, test = tiny_split
    validation = datasets.ImageDataset(test.images[:50], test.labels[:50])
    grid = pate.privacy_utility_grid(private, public, test, n_teachers=[4], noise_scales=[1.0, 5.0], n_queries=[40],
                                     student_epochs=2, use_cache=False, validation=validation)
    assert list(grid.noise_scale) == [1.0, 5.0] and grid.validation_accuracy.between(0, 1).all()


def test_search_epsilon_composes_every_run_of_the_grid():
    import pandas as pd

    grid = pd.DataFrame({"noise_scale": [10.0, 20.0], "n_queries": [100, 300]})
    total = (100 / 10.0**2 + 300 / 20.0**2) * ORDERS
    assert pate.search_epsilon(grid, 1e-5) == pytest.approx(pate.rdp_to_epsilon(total, 1e-5)[0])
    one_run = pate.rdp_to_epsilon(100 * pate.rdp_gnmax_data_independent(10.0), 1e-5)[0]
    assert pate.search_epsilon(grid, 1e-5) > one_run


def test_budgeted_gnmax_charges_the_ledger_and_refuses_past_the_budget():
    from ppml_lab.accounting import BudgetExceededError, PrivacyLedger

    votes = one_hot_votes(3, 10, top=60, second=40)
    ledger = PrivacyLedger(epsilon_budget=5.0, delta_budget=1e-4)
    aggregator = pate.BudgetedGNMax(votes, 10.0, ledger, delta_per_answer=1e-6, rng=0)
    per_answer = pate.gnmax_answer_epsilon(10.0, 1e-6)
    assert per_answer == pytest.approx(pate.rdp_to_epsilon(pate.rdp_gnmax_data_independent(10.0), 1e-6)[0])
    answers = aggregator.answer_until_refused(0)
    assert len(answers) == int(5.0 // per_answer) == aggregator.n_answered
    assert ledger.spent_epsilon == pytest.approx(len(answers) * per_answer)
    spent = ledger.spent
    with pytest.raises(BudgetExceededError):
        aggregator.answer(1)
    assert ledger.spent == spent and aggregator.n_answered == len(answers)  # a refused query releases nothing


def test_compare_with_dpsgd_matches_the_publishable_epsilon_per_seed(tiny_split):
    private, public, test = tiny_split
    table = pate.compare_with_dpsgd(private, public, test, seeds=[0, 1], n_teachers=4, noise_scale=2.0, n_queries=40,
                                    mechanism="gnmax", dpsgd_epochs=2, dpsgd_batch_size=64, use_cache=False)
    assert list(table.seed) == [0, 1]
    np.testing.assert_allclose(table["DP-SGD ε"], table["PATE ε (publishable)"], rtol=0.02)
    assert (table["PATE ε data-dependent (not publishable)"] <= table["PATE ε (publishable)"] + 1e-9).all()
    for column in ("PATE student", "DP-SGD", "non-private SGD"):
        assert table[column].between(0.0, 1.0).all()
    same = pate.run_pate(private, public, test, n_teachers=4, noise_scale=2.0, n_queries=40, seed=1, use_cache=False)
    assert table["PATE student"].iloc[1] == same.accuracy  # each row is the seeded run_pate
