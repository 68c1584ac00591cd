import math

import numpy as np
import pytest

from ppml_lab import audit, datasets
from ppml_lab.attacks.metrics import clopper_pearson


@pytest.fixture(scope="module")
def split():
    data = datasets.load_mnist5k()
    pool, test = datasets.train_test_split(data, 0.2, rng=0)
    return datasets.ImageDataset(pool.images[:500], pool.labels[:500]), test


def test_canaries_use_only_pixels_no_training_image_uses(split):
    clean, _ = split
    canaries = audit.make_canaries(clean, 50, rng=0)
    lit = canaries.images.reshape(50, -1)
    assert (lit.sum(1) == 1).all() and len(set(lit.argmax(1))) == 50
    assert (clean.images.reshape(500, -1)[:, lit.argmax(1)] == 0).all()
    with pytest.raises(ValueError, match="n_canaries must be <="):
        audit.make_canaries(clean, 10_000)


@pytest.mark.parametrize("n_correct,n_guesses", [(40, 50), (100, 100), (7, 10)])
def test_without_delta_the_bound_is_the_clopper_pearson_bound_on_precision(n_correct, n_guesses):
    """Steinke et al.'s binomial tail test at delta = 0 is the one-sided Clopper-Pearson lower bound."""
    bound = audit.epsilon_lower_bound(n_correct, n_guesses, 200, delta=0.0, confidence=0.95)
    low = clopper_pearson(n_correct, n_guesses, confidence=0.90)[0]  # two-sided 90% = one-sided 95%
    assert bound == pytest.approx(max(0.0, math.log(low / (1 - low))), abs=1e-6)


def test_delta_only_weakens_the_bound_and_the_p_value_is_a_tail():
    assert audit.epsilon_lower_bound(90, 100, 200, delta=1e-3) < audit.epsilon_lower_bound(90, 100, 200, delta=0)
    assert audit.one_run_p_value(50, 100, 200, 0.0) == pytest.approx(0.5397946186935892)  # P[Bin(100, 1/2) >= 50]
    assert audit.epsilon_lower_bound(50, 100, 200) == 0.0  # guessing: nothing is proven


def test_many_runs_bound_from_rates():
    # 1000 runs each way, 1 false positive and 500 false negatives: e^eps <= (1 - FNR) / FPR
    bound = audit.epsilon_lower_bound_from_rates(1, 1000, 500, 1000, delta=0.0, confidence=0.95)
    fpr_high, fnr_high = clopper_pearson(1, 1000)[1], clopper_pearson(500, 1000)[1]
    assert bound == pytest.approx(math.log((1 - fnr_high) / fpr_high))
    assert audit.epsilon_lower_bound_from_rates(500, 1000, 500, 1000) == 0.0


def _perfect_attack_audit(clean, monkeypatch) -> audit.AuditResult:
    """Audit a training 'algorithm' that leaks inclusion perfectly (its model remembers every image it saw)."""
    monkeypatch.setattr(audit, "canary_scores", lambda model, canaries: model(canaries))

    def train(training_set):
        seen = {img.tobytes() for img in training_set.images}
        return (lambda canaries: np.array([float(img.tobytes() in seen) for img in canaries.images])), None

    return audit.audit(train, clean, claimed_epsilon=1.0, n_canaries=200, seed=3)


def test_guesses_are_counted_right_with_a_fake_perfect_model(split, monkeypatch):
    """A training 'algorithm' that leaks inclusion perfectly: the audit must return a large bound."""
    clean, _ = split
    result = _perfect_attack_audit(clean, monkeypatch)
    assert result.n_correct == result.n_guesses == 150  # 3/4 of the canaries, half guessed in, half out
    assert result.empirical_epsilon > 3 and result.violation


@pytest.fixture(scope="module")
def audits(split):
    clean, test = split
    return {scale: audit.audit_dpsgd(clean, test, epsilon=2.0, noise_scale=scale, n_canaries=200, seed=0)
            for scale in (1.0, 0.01)}


def test_the_audit_catches_dpsgd_with_100x_too_little_noise(audits):
    broken = audits[0.01]
    assert broken.claimed_epsilon == 2.0
    assert broken.empirical_epsilon > broken.claimed_epsilon and broken.violation
    assert broken.accountant_epsilon > 100  # recomputing the accountant on the noise used would also expose it


def test_the_audit_passes_the_correct_dpsgd(audits):
    honest = audits[1.0]
    assert honest.empirical_epsilon < honest.claimed_epsilon and not honest.violation
    assert honest.accountant_epsilon == pytest.approx(2.0, rel=0.02)
    assert honest.included.sum() > 50 and honest.n_guesses > 0


def test_audit_checks_its_arguments(split):
    clean, test = split
    with pytest.raises(ValueError, match="claimed_epsilon"):
        audit.audit(lambda data: (None, None), clean, claimed_epsilon=0.0)
    with pytest.raises(ValueError, match="guess_fractions"):
        audit.audit(lambda data: (None, None), clean, claimed_epsilon=1.0, guess_fractions=(0.0,))
    with pytest.raises(ValueError, match="noise_scale"):
        audit.audit_dpsgd(clean, test, epsilon=1.0, noise_scale=-1.0)


def test_the_ceiling_is_the_best_bound_over_the_guess_sizes_the_audit_tries():
    per_test = 1 - 0.05 / 4
    every_size = [audit.epsilon_lower_bound(n, n, 200, delta=1e-5, confidence=per_test) for n in (50, 100, 150, 200)]
    assert audit.epsilon_ceiling(200) == pytest.approx(max(every_size)) == pytest.approx(3.80, abs=0.005)
    assert audit.epsilon_ceiling(200) > audit.epsilon_lower_bound(150, 150, 200, delta=1e-5, confidence=per_test)
    # with 120 of 200 canaries in, guessing 100 "out" among the 80 that are out costs 20 right guesses
    assert audit.epsilon_ceiling(200, n_included=100) == pytest.approx(audit.epsilon_ceiling(200))
    assert audit.epsilon_ceiling(200, n_included=120) < audit.epsilon_ceiling(200)
    assert audit.epsilon_ceiling(200, guess_fractions=(1.0,)) > audit.epsilon_ceiling(200)  # no Bonferroni


def test_a_perfect_attack_reaches_the_ceiling_for_its_draw(split, monkeypatch):
    clean, _ = split
    result = _perfect_attack_audit(clean, monkeypatch)
    ceiling = audit.epsilon_ceiling(200, n_included=int(result.included.sum()))
    assert result.empirical_epsilon == pytest.approx(ceiling)
    assert result.empirical_epsilon <= audit.epsilon_ceiling(200)
