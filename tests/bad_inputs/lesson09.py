"""Bad inputs for lesson 09: the synthetic package (discretise, mst, pgm, baseline, evaluation, membership,
experiments), exercises.synthetic and the lesson's plot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ppml_lab import plots, synthetic
from ppml_lab.exercises import synthetic as exs
from ppml_lab.synthetic import baseline, evaluation, experiments, membership, mst, pgm

from . import NAN, Bad, exempt, numbers

RNG = np.random.default_rng(0)
FRAME = pd.DataFrame({"a": RNG.choice(["x", "y"], 50), "age": RNG.integers(0, 90, 50), "rare": False,
                      "name": [f"p{i}" for i in range(50)]})
DOMAIN = synthetic.make_domain(FRAME, ["a", "age"], {"age": [0, 45, 90]})
CODES = synthetic.encode(FRAME, DOMAIN)
ONE_WAY = mst.measure_marginals(CODES, DOMAIN, [("a",), ("age",)], None)
SCORES = {("a", "age"): 3.0}
OBS = pd.DataFrame({"fit": [0, 0, 1, 1], "target": [0, 0, 0, 0], "is_member": [True, False, True, False],
                    "score": [1, 0, 1, 0]})
RESULTS = pd.DataFrame({"epsilon": [1.0], "2-way TVD": [0.1], "TSTR AUC": [0.7], "attack TPR": [0.1]})


def _copier(train, rng):
    return synthetic.encode(train, DOMAIN)


TABLE = {
    # ------------------------------------------------------------------ discretise
    "ppml_lab.synthetic.TableDomain": exempt("a record built by make_domain, which checks its inputs"),
    "ppml_lab.synthetic.make_domain": [
        Bad("columns", lambda: synthetic.make_domain(FRAME, ["a", "nope"]), "a column that is not in the table"),
        Bad("columns", lambda: synthetic.make_domain(FRAME, "a"), "a str, not a list"),
        Bad("bins", lambda: synthetic.make_domain(FRAME, ["a", "age"]), "a continuous column without bins"),
        Bad("bins", lambda: synthetic.make_domain(FRAME, ["age"], {"age": [5, 1]}), "decreasing edges"),
        Bad("bins", lambda: synthetic.make_domain(FRAME, ["age"], {"age": [0, NAN]}), "NaN edge"),
        Bad("table", lambda: synthetic.make_domain("x", ["a"]), "not a DataFrame"),
    ],
    "ppml_lab.synthetic.encode": [
        Bad("domain", lambda: synthetic.encode(FRAME.assign(age=95), DOMAIN), "a value the domain does not cover"),
        Bad("domain", lambda: synthetic.encode(FRAME.assign(a="z"), DOMAIN), "a category the domain lacks"),
        Bad("domain", lambda: synthetic.encode(FRAME, "domain"), "not a TableDomain"),
        Bad("columns", lambda: synthetic.encode(FRAME.drop(columns="a"), DOMAIN), "a domain column missing"),
    ],
    "ppml_lab.synthetic.decode": [
        Bad("codes", lambda: synthetic.decode(CODES.assign(a=5), DOMAIN), "a code out of range"),
        Bad("codes", lambda: synthetic.decode([1, 2], DOMAIN), "not a DataFrame"),
        Bad("domain", lambda: synthetic.decode(CODES, None), "not a TableDomain"),
    ],
    "ppml_lab.synthetic.hospital_domain": [
        Bad("columns", lambda: synthetic.hospital_domain(FRAME), "not the hospital table"),
    ],
    # ------------------------------------------------------------------ mst
    "ppml_lab.synthetic.MSTResult": exempt("a result record returned by fit_mst"),
    "ppml_lab.synthetic.fit_mst": [
        *[case for case in numbers("epsilon", lambda v: synthetic.fit_mst(FRAME, DOMAIN, v))
          if case.why != "None"],  # None is valid: MST without noise
        Bad("delta", lambda: synthetic.fit_mst(FRAME, DOMAIN, 1.0, delta=0.0), "zero delta"),
        Bad("delta", lambda: synthetic.fit_mst(FRAME, DOMAIN, 1.0, delta=1.5), "delta above 1"),
        Bad("n_rows", lambda: synthetic.fit_mst(FRAME, DOMAIN, 1.0, n_rows=0), "zero rows"),
        Bad("iters", lambda: synthetic.fit_mst(FRAME, DOMAIN, 1.0, iters=0), "zero iterations"),
        Bad("edges", lambda: synthetic.fit_mst(FRAME, DOMAIN, 1.0, edges=[("a", "b")]), "not a tree of the domain"),
        Bad("domain", lambda: synthetic.fit_mst(FRAME.assign(age=-1), DOMAIN, 1.0), "uncovered value"),
    ],
    "ppml_lab.synthetic.mst.zcdp_to_epsilon": [
        *numbers("rho", lambda v: mst.zcdp_to_epsilon(v, 1e-6)),
        Bad("delta", lambda: mst.zcdp_to_epsilon(0.1, 0.0), "zero delta"),
        Bad("delta", lambda: mst.zcdp_to_epsilon(0.1, NAN), "NaN delta"),
    ],
    "ppml_lab.synthetic.mst.rho_for_epsilon": [
        *numbers("epsilon", lambda v: mst.rho_for_epsilon(v, 1e-6)),
        Bad("delta", lambda: mst.rho_for_epsilon(1.0, 0.0), "zero delta"),
    ],
    "ppml_lab.synthetic.mst.gaussian_sigma": [
        *numbers("rho", lambda v: mst.gaussian_sigma(v, 3)),
        Bad("n_marginals", lambda: mst.gaussian_sigma(0.1, 0), "zero marginals"),
        Bad("n_marginals", lambda: mst.gaussian_sigma(0.1, 1.5), "not an integer"),
    ],
    "ppml_lab.synthetic.mst.marginal": [
        Bad("clique", lambda: mst.marginal(CODES, DOMAIN, ("a", "nope")), "a column not in the domain"),
        Bad("clique", lambda: mst.marginal(CODES, DOMAIN, ()), "empty"),
        Bad("codes", lambda: mst.marginal("x", DOMAIN, ("a",)), "not a DataFrame"),
    ],
    "ppml_lab.synthetic.mst.measure_marginals": [
        *numbers("rho", lambda v: mst.measure_marginals(CODES, DOMAIN, [("a",)], v) if v is not None else
                 mst.measure_marginals(CODES, DOMAIN, [("a",)], "1")),
        Bad("cliques", lambda: mst.measure_marginals(CODES, DOMAIN, [], 0.1), "no cliques"),
    ],
    "ppml_lab.synthetic.mst.exponential_mechanism": [
        *numbers("epsilon", lambda v: mst.exponential_mechanism(np.ones(3), v, 1.0)),
        *numbers("sensitivity", lambda v: mst.exponential_mechanism(np.ones(3), 1.0, v)),
        Bad("scores", lambda: mst.exponential_mechanism(np.array([]), 1.0, 1.0), "empty"),
        Bad("scores", lambda: mst.exponential_mechanism(np.array([1.0, NAN]), 1.0, 1.0), "NaN score"),
    ],
    "ppml_lab.synthetic.mst.exponential_mechanism_rho": numbers("epsilon", mst.exponential_mechanism_rho),
    "ppml_lab.synthetic.mst.selection_scores": [
        Bad("one_way", lambda: mst.selection_scores(CODES, DOMAIN, ONE_WAY[:1]), "a column not measured"),
        Bad("domain", lambda: mst.selection_scores(CODES, "d", ONE_WAY), "not a TableDomain"),
    ],
    "ppml_lab.synthetic.mst.select_tree": [
        Bad("columns", lambda: mst.select_tree(SCORES, ["a"], None), "one column"),
        Bad("scores", lambda: mst.select_tree({}, ["a", "age"], None), "no scores"),
        Bad("rho", lambda: mst.select_tree(SCORES, ["a", "age"], -1.0), "negative rho"),
    ],
    # ------------------------------------------------------------------ pgm
    "ppml_lab.synthetic.pgm.Measurement": exempt("a record built by measure_marginals"),
    "ppml_lab.synthetic.pgm.estimate_model": [
        Bad("measurements", lambda: pgm.estimate_model([], DOMAIN), "no measurements"),
        Bad("measurements", lambda: pgm.estimate_model([pgm.Measurement(("a",), np.ones(5), 1.0)], DOMAIN),
            "the wrong number of cells"),
        Bad("iters", lambda: pgm.estimate_model(ONE_WAY, DOMAIN, iters=0), "zero iterations"),
        Bad("domain", lambda: pgm.estimate_model(ONE_WAY, None), "not a TableDomain"),
    ],
    "ppml_lab.synthetic.pgm.sample_model": [
        Bad("model", lambda: pgm.sample_model(None, DOMAIN, 10), "not a model"),
    ],
    # ------------------------------------------------------------------ baseline
    "ppml_lab.synthetic.baseline.CopulaResult": exempt("a result record returned by fit_gaussian_copula"),
    "ppml_lab.synthetic.baseline.fit_gaussian_copula": [
        Bad("n_rows", lambda: baseline.fit_gaussian_copula(FRAME, DOMAIN, n_rows=0), "zero rows"),
        Bad("domain", lambda: baseline.fit_gaussian_copula(FRAME.assign(a="z"), DOMAIN), "uncovered value"),
        Bad("table", lambda: baseline.fit_gaussian_copula(None, DOMAIN), "not a DataFrame"),
    ],
    # ------------------------------------------------------------------ evaluation
    "ppml_lab.synthetic.evaluation.tvd": [
        Bad("p_counts", lambda: evaluation.tvd(np.ones(3), np.ones(4)), "different shapes"),
        Bad("p_counts", lambda: evaluation.tvd(np.zeros(3), np.ones(3)), "a zero total"),
        Bad("p_counts", lambda: evaluation.tvd(np.array([-1.0, 2.0]), np.ones(2)), "a negative count"),
    ],
    "ppml_lab.synthetic.evaluation.one_way_tvd": [
        Bad("codes", lambda: evaluation.one_way_tvd(CODES, CODES.drop(columns="a"), DOMAIN), "a column missing"),
    ],
    "ppml_lab.synthetic.evaluation.two_way_tvd": [
        Bad("codes", lambda: evaluation.two_way_tvd("x", CODES, DOMAIN), "not a DataFrame"),
    ],
    "ppml_lab.synthetic.evaluation.correlation_difference": [
        Bad("columns", lambda: evaluation.correlation_difference(CODES, CODES, ["a"]), "one column"),
        Bad("columns", lambda: evaluation.correlation_difference(CODES, CODES, ["a", "nope"]), "unknown column"),
        Bad("real", lambda: evaluation.correlation_difference(None, CODES, ["a", "age"]), "not a DataFrame"),
    ],
    "ppml_lab.synthetic.evaluation.tstr_auc": [
        Bad("target", lambda: evaluation.tstr_auc(CODES, CODES, DOMAIN, target="nope"), "unknown target"),
        Bad("positive_from", lambda: evaluation.tstr_auc(CODES, CODES, DOMAIN, "age", 0), "zero"),
    ],
    "ppml_lab.synthetic.evaluation.dcr_share": [
        Bad("holdout", lambda: evaluation.dcr_share(CODES, CODES, CODES.iloc[:10], DOMAIN), "sizes differ"),
    ],
    "ppml_lab.synthetic.evaluation.fidelity_utility": [
        Bad("codes", lambda: evaluation.fidelity_utility(CODES, CODES, None, DOMAIN), "holdout not a DataFrame"),
    ],
    # ------------------------------------------------------------------ membership
    "ppml_lab.synthetic.membership.rarest_pairs": [
        Bad("targets", lambda: membership.rarest_pairs(None, CODES, DOMAIN), "not a DataFrame"),
    ],
    "ppml_lab.synthetic.membership.match_counts": [
        Bad("match_columns", lambda: membership.match_counts(CODES, CODES, DOMAIN, ["nope"]), "unknown column"),
        Bad("synthetic", lambda: membership.match_counts(None, CODES, DOMAIN, ["a"]), "not a DataFrame"),
    ],
    "ppml_lab.synthetic.membership.shadow_fits": [
        Bad("generator", lambda: membership.shadow_fits(None, FRAME, FRAME.iloc[:1], DOMAIN), "not callable"),
        Bad("n_fits", lambda: membership.shadow_fits(_copier, FRAME, FRAME.iloc[:1], DOMAIN, n_fits=1), "one"),
        Bad("n_train", lambda: membership.shadow_fits(_copier, FRAME, FRAME.iloc[:1], DOMAIN, n_train=0), "zero"),
        Bad("population", lambda: membership.shadow_fits(_copier, FRAME, FRAME.iloc[:1], DOMAIN, n_train=500),
            "smaller than n_train"),
        Bad("targets", lambda: membership.shadow_fits(_copier, FRAME, FRAME.iloc[:0], DOMAIN, n_train=5), "none"),
    ],
    "ppml_lab.synthetic.membership.GeneratorAttackResult": exempt("a result record returned by threshold_attack"),
    "ppml_lab.synthetic.membership.threshold_attack": [
        Bad("n_shadow", lambda: membership.threshold_attack(OBS, 2), "no evaluation fit left"),
        Bad("n_shadow", lambda: membership.threshold_attack(OBS, 0), "zero"),
        Bad("observations", lambda: membership.threshold_attack(OBS.drop(columns="score"), 1), "a column missing"),
    ],
    # ------------------------------------------------------------------ experiments
    "ppml_lab.synthetic.experiments.Evaluation": exempt("a result record returned by evaluate_generators"),
    "ppml_lab.synthetic.experiments.linkage_on_release": [
        Bad("people", lambda: experiments.linkage_on_release(CODES, FRAME.drop(columns="name"), DOMAIN), "no names"),
    ],
    "ppml_lab.synthetic.experiments.split_hospital": [
        Bad("table", lambda: experiments.split_hospital(FRAME.drop(columns="rare")), "no 'rare' column"),
    ],
    "ppml_lab.synthetic.experiments.generator_name": exempt("formats a label; any value prints"),
    "ppml_lab.synthetic.experiments.evaluate_generators": [
        Bad("epsilons", lambda: experiments.evaluate_generators(FRAME, []), "empty"),
        Bad("epsilon", lambda: experiments.evaluate_generators(FRAME, [1.0, -1.0]), "a negative epsilon"),
        Bad("epsilon", lambda: experiments.evaluate_generators(FRAME, [NAN]), "NaN"),
    ],
    "ppml_lab.synthetic.experiments.public_tree": [
        Bad("columns", lambda: experiments.public_tree(FRAME.drop(columns="a"), DOMAIN), "a domain column missing"),
    ],
    "ppml_lab.synthetic.experiments.attack_generators": [
        Bad("epsilons", lambda: experiments.attack_generators(FRAME, "1"), "a str"),
        Bad("n_fits", lambda: experiments.attack_generators(FRAME, n_fits=2), "too few fits"),
        Bad("n_train", lambda: experiments.attack_generators(FRAME, n_train=0), "zero"),
    ],
    "ppml_lab.synthetic.experiments.attack_table": [
        Bad("observations", lambda: experiments.attack_table({}, 1), "empty"),
        Bad("n_shadow", lambda: experiments.attack_table({"g": OBS}, 5), "no evaluation fit left"),
    ],
    # ------------------------------------------------------------------ exercises and plot
    "ppml_lab.exercises.synthetic.check_noise_scale": [
        Bad("sigma_for", lambda: exs.check_noise_scale(1.0), "a number, not the function"),
    ],
    "ppml_lab.exercises.synthetic.check_selection_probabilities": [
        Bad("probabilities", lambda: exs.check_selection_probabilities(np.ones(3)), "an array, not the function"),
    ],
    "ppml_lab.plots.plot_three_axes": [
        Bad("results", lambda: plots.plot_three_axes(RESULTS.drop(columns="TSTR AUC"), 1.0), "a column missing"),
        *numbers("epsilon", lambda v: plots.plot_three_axes(RESULTS, v)),
    ],
}
