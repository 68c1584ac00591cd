import itertools
import math

import numpy as np
import pandas as pd
import pytest

from ppml_lab.accounting.rdp import DEFAULT_ORDERS, rdp_to_epsilon
from ppml_lab.synthetic import baseline, evaluation, membership, mst
from ppml_lab.synthetic.discretise import decode, encode, make_domain


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(0)
    n = 600
    a = rng.integers(0, 3, n)
    b = (a + (rng.random(n) < 0.2)) % 3
    table = pd.DataFrame({"a": np.array(["x", "y", "z"])[a], "b": b, "age": rng.integers(0, 90, n),
                          "c": rng.choice(["p", "q"], n)})
    domain = make_domain(table, ["a", "b", "age", "c"], {"age": [0, 30, 60, 90]})
    return table, domain, encode(table, domain)


def test_discretise_round_trip_and_errors(small):
    table, domain, codes = small
    assert domain.shape == {"a": 3, "b": 3, "age": 3, "c": 2}
    back = decode(codes, domain, rng=0)
    assert (back["a"] == table["a"]).all()
    assert (encode(back, domain) == codes).all().all()
    with pytest.raises(ValueError, match="does not cover column 'age'"):
        encode(table.assign(age=95), domain)
    with pytest.raises(ValueError, match="not in it"):
        make_domain(table, ["a", "nope"])
    with pytest.raises(ValueError, match="bins must give edges for the continuous column 'age'"):
        make_domain(table, ["a", "age"])


def test_noise_scale_matches_the_accountant():
    rho = mst.rho_for_epsilon(1.0, 1e-6)
    assert mst.zcdp_to_epsilon(rho, 1e-6) == pytest.approx(1.0, rel=1e-9)
    # rho-zCDP is RDP eps(a) = rho a; the lab's accountant converts the same curve
    assert rdp_to_epsilon(rho * DEFAULT_ORDERS, 1e-6)[0] == pytest.approx(1.0, rel=1e-9)
    # d Gaussian measurements of sensitivity-1 counts at sigma cost d / (2 sigma^2) (Bun & Steinke 2016)
    sigma = mst.gaussian_sigma(rho / 3, 8)
    assert 8 / (2 * sigma ** 2) == pytest.approx(rho / 3)
    # the classical bound eps <= rho + 2 sqrt(rho log(1/delta)) is looser than the RDP conversion
    assert mst.zcdp_to_epsilon(rho, 1e-6) <= rho + 2 * math.sqrt(rho * math.log(1e6))
    # the tree's d - 1 exponential mechanisms add up to the selection's third
    d = 8
    assert (d - 1) * mst.exponential_mechanism_rho(math.sqrt(8 * (rho / 3) / (d - 1))) == pytest.approx(rho / 3)


def test_marginal_and_measurement(small):
    _, domain, codes = small
    counts = mst.marginal(codes, domain, ("a", "b"))
    expected = pd.crosstab(codes["a"], codes["b"]).reindex(index=range(3), columns=range(3), fill_value=0)
    assert np.array_equal(counts, expected.to_numpy().ravel())
    noisy = mst.measure_marginals(codes, domain, [("a",), ("b",)], rho=0.5, rng=1)
    assert noisy[0].sigma == pytest.approx(math.sqrt(2 / (2 * 0.5)))
    exact = mst.measure_marginals(codes, domain, [("a",)], rho=None)
    assert np.array_equal(exact[0].noisy_counts, mst.marginal(codes, domain, ("a",)))


def test_exponential_mechanism_matches_its_definition():
    scores = np.array([0.0, 2.0, 5.0])
    rng = np.random.default_rng(3)
    picks = np.bincount([mst.exponential_mechanism(scores, 1.0, 1.0, rng) for _ in range(20000)], minlength=3)
    expected = np.exp(scores / 2) / np.exp(scores / 2).sum()
    assert np.allclose(picks / picks.sum(), expected, atol=0.015)


def test_selection_scores_and_tree(small):
    _, domain, codes = small
    one_way = mst.measure_marginals(codes, domain, [(c,) for c in domain.columns], None)
    scores = mst.selection_scores(codes, domain, one_way)
    # the dependent pair (a, b) is explained worst by the independent model, and the score's sensitivity is 1
    assert max(scores, key=scores.get) == ("a", "b")
    fewer = mst.selection_scores(codes.iloc[1:], domain, one_way)
    assert all(abs(scores[k] - fewer[k]) <= 1 + 1e-9 for k in scores)
    tree = mst.select_tree(scores, domain.columns, None)
    assert len(tree) == 3 and ("a", "b") in tree
    assert len(mst.select_tree(scores, domain.columns, 0.1, rng=0)) == 3


def test_fit_mst_end_to_end(small):
    table, domain, _ = small
    result = mst.fit_mst(table, domain, 2.0, iters=100, rng=0)
    assert result.synthetic.shape == (len(table), 4) and len(result.edges) == 3
    assert result.epsilon == 2.0 and result.rho == pytest.approx(mst.rho_for_epsilon(2.0, 1e-6))
    again = mst.fit_mst(table, domain, 2.0, iters=100, rng=0)
    assert again.synthetic.equals(result.synthetic)


def test_fidelity_matches_sdmetrics(small):
    from sdmetrics.column_pairs import ContingencySimilarity, CorrelationSimilarity
    from sdmetrics.single_column import TVComplement

    table, domain, codes = small
    synthetic = baseline.fit_gaussian_copula(table, domain, rng=0).synthetic
    one = evaluation.one_way_tvd(codes, synthetic, domain)
    two = evaluation.two_way_tvd(codes, synthetic, domain)
    for column in domain.columns:
        assert 1 - one[column] == pytest.approx(TVComplement.compute(codes[column], synthetic[column]))
    for a, b in itertools.combinations(domain.columns, 2):
        as_text = [t[[a, b]].astype(str) for t in (codes, synthetic)]
        assert 1 - two[a, b] == pytest.approx(ContingencySimilarity.compute(*as_text))
    diff = evaluation.correlation_difference(codes, synthetic, ["b", "age"])
    assert 1 - diff / 2 == pytest.approx(CorrelationSimilarity.compute(codes[["b", "age"]], synthetic[["b", "age"]]))


def test_dcr_share_and_copying():
    rng = np.random.default_rng(1)
    table = pd.DataFrame({f"c{i}": rng.choice(list("abcdefghij"), 400) for i in range(6)})
    domain = make_domain(table, list(table.columns))
    codes = encode(table, domain)
    train, holdout = codes.iloc[:200].reset_index(drop=True), codes.iloc[200:].reset_index(drop=True)
    assert evaluation.dcr_share(train, train, holdout, domain) == 1.0  # a copy is closest to its training rows
    assert evaluation.dcr_share(holdout, train, holdout, domain) == 0.0
    fresh = encode(pd.DataFrame({c: rng.choice(list("abcdefghij"), 300) for c in table.columns}), domain)
    assert 0.3 < evaluation.dcr_share(fresh, train, holdout, domain) < 0.7


def test_threshold_attack_on_a_copying_generator(small):
    table, domain, codes = small
    columns = ["a", "b", "age", "c"]
    key = codes[columns].astype(str).agg("-".join, axis=1)
    watched = key.isin(key.iloc[:2]).to_numpy()  # the targets' combinations appear nowhere else
    targets, population = table.iloc[:2], table[~watched]

    def copier(train, rng):
        return encode(train, domain)

    obs = membership.shadow_fits(copier, population, targets, domain, columns, n_fits=12, n_train=100, rng=0)
    result = membership.threshold_attack(obs, 6)
    assert result.tpr == 1.0 and result.fpr == 0.0
