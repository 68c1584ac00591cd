"""Bad inputs for lesson 07: paillier, secret_sharing, encrypted_inference, attacks.model_extraction,
exercises.homomorphic and the lesson's plot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ppml_lab import encrypted_inference as ei
from ppml_lab import paillier, plots
from ppml_lab import secret_sharing as ss
from ppml_lab.attacks import model_extraction as mx
from ppml_lab.exercises import homomorphic as exh

from . import NAN, Bad, exempt, numbers

PUBLIC, PRIVATE = paillier.generate_keypair(64, "toy", rng=1)
OTHER_PUBLIC, _ = paillier.generate_keypair(64, "toy", rng=2)
C = paillier.encrypt(PUBLIC, 5, rng=3)
FOREIGN = paillier.encrypt(OTHER_PUBLIC, 5, rng=4)
N_SQUARE = int(PUBLIC.n_square)
SHARES = ss.share(7, 3, rng=5)
MODEL = ei.LinearModel(np.array([0.5, -1.0, 2.0]), 0.25)
ROW = np.array([1.0, 2.0, 3.0])
TIMINGS = pd.DataFrame([{"implementation": "teaching", "n_bits": 512, "keygen": 10.0, "encrypt": 100.0,
                         "add": 1e5, "decrypt": 200.0}])


def triple():
    return ss.deal_beaver_triple(3, rng=6)


def used_triple():
    fresh = triple()
    ss.open_masked_differences(SHARES, SHARES, fresh)
    return fresh


def _unused_then(call):
    """A fresh triple, a refused call with it, and the triple's state after (it must stay unused)."""
    fresh = triple()
    return fresh, (lambda: call(fresh)), (lambda: fresh.used)


def _triple_cases() -> list[Bad]:
    cases = []
    for param, call in [("x", lambda t: ss.open_masked_differences((1, 2), SHARES, t)),
                        ("y", lambda t: ss.open_masked_differences(SHARES, (1, -2, 3), t)),
                        ("prime", lambda t: ss.open_masked_differences(SHARES, SHARES, t, prime=341))]:
        _, refused, state = _unused_then(call)
        cases.append(Bad(param, refused, "a bad input leaves the triple unused", state=state))
    used = used_triple()
    cases.append(Bad("triple", lambda: ss.open_masked_differences(SHARES, SHARES, used), "used twice",
                     state=lambda: used.used))
    cases.append(Bad("triple", lambda: ss.open_masked_differences(SHARES, SHARES, "abc"), "not a triple"))
    return cases


TABLE = {
    # ------------------------------------------------------------------ paillier
    "ppml_lab.paillier.PublicKey": [
        Bad("n", lambda: paillier.PublicKey(2**20, "toy"), "even"),
        Bad("n", lambda: paillier.PublicKey(15, "toy"), "too small"),
        Bad("n", lambda: paillier.PublicKey(PUBLIC.n, "real"), "toy-size n in real mode"),
        Bad("n", lambda: paillier.PublicKey(float(PUBLIC.n), "toy"), "a float"),
        Bad("mode", lambda: paillier.PublicKey(PUBLIC.n, "weak"), "unknown mode"),
    ],
    "ppml_lab.paillier.PrivateKey": [
        Bad("p", lambda: paillier.PrivateKey(PUBLIC, PRIVATE.p + 2, PRIVATE.q), "not a factor"),
        Bad("p", lambda: paillier.PrivateKey(PUBLIC, 1.5, PRIVATE.q), "a float"),
        Bad("q", lambda: paillier.PrivateKey(PUBLIC, PRIVATE.p, -PRIVATE.q), "negative"),
        Bad("public_key", lambda: paillier.PrivateKey(PUBLIC.n, PRIVATE.p, PRIVATE.q), "an int"),
    ],
    "ppml_lab.paillier.Ciphertext": [
        Bad("value", lambda: paillier.Ciphertext(0, PUBLIC), "zero"),
        Bad("value", lambda: paillier.Ciphertext(-3, PUBLIC), "negative"),
        Bad("value", lambda: paillier.Ciphertext(N_SQUARE, PUBLIC), "n**2"),
        Bad("value", lambda: paillier.Ciphertext(1.5, PUBLIC), "a float"),
        Bad("value", lambda: paillier.Ciphertext(NAN, PUBLIC), "NaN"),
        Bad("public_key", lambda: paillier.Ciphertext(5, None), "None"),
        Bad("fractional_bits", lambda: paillier.Ciphertext(5, PUBLIC, -1), "negative"),
    ],
    "ppml_lab.paillier.random_prime": [
        *numbers("bits", lambda v: paillier.random_prime(v, rng=0)),
        Bad("bits", lambda: paillier.random_prime(3, rng=0), "below 4"),
        Bad("rng", lambda: paillier.random_prime(16, rng="seed"), "a string"),
    ],
    "ppml_lab.paillier.generate_keypair": [
        *numbers("n_bits", lambda v: paillier.generate_keypair(v, "toy", rng=0)),
        Bad("n_bits", lambda: paillier.generate_keypair(63, "toy", rng=0), "odd"),
        Bad("n_bits", lambda: paillier.generate_keypair(1024, "real"), "below the real minimum"),
        Bad("n_bits", lambda: paillier.generate_keypair(2048, "toy", rng=0), "real size in toy mode"),
        Bad("mode", lambda: paillier.generate_keypair(64, "weak"), "unknown mode"),
        Bad("rng", lambda: paillier.generate_keypair(2048, "real", rng=0), "a seed in real mode"),
        Bad("rng", lambda: paillier.generate_keypair(64, "toy", rng=1.5), "a float"),
    ],
    "ppml_lab.paillier.private_key_from_factors": [
        Bad("p", lambda: paillier.private_key_from_factors(PUBLIC, PRIVATE.p, PRIVATE.q + 2), "not factors"),
        Bad("p", lambda: paillier.private_key_from_factors(PUBLIC, NAN, PRIVATE.q), "NaN"),
        Bad("q", lambda: paillier.private_key_from_factors(PUBLIC, PRIVATE.p, None), "None"),
        Bad("public_key", lambda: paillier.private_key_from_factors(None, PRIVATE.p, PRIVATE.q), "None"),
    ],
    "ppml_lab.paillier.encode": [
        Bad("value", lambda: paillier.encode(PUBLIC, NAN), "NaN"),
        Bad("value", lambda: paillier.encode(PUBLIC, float("inf")), "inf"),
        Bad("value", lambda: paillier.encode(PUBLIC, "7"), "a string"),
        Bad("value", lambda: paillier.encode(PUBLIC, True), "a bool"),
        Bad("value", lambda: paillier.encode(PUBLIC, PUBLIC.n), "outside the message space"),
        Bad("fractional_bits", lambda: paillier.encode(PUBLIC, 1.5, -1), "negative"),
        Bad("fractional_bits", lambda: paillier.encode(PUBLIC, 1.5, 2.5), "a float"),
        Bad("public_key", lambda: paillier.encode(None, 1), "None"),
    ],
    "ppml_lab.paillier.decode": [
        Bad("encoded", lambda: paillier.decode(PUBLIC, -1), "negative"),
        Bad("encoded", lambda: paillier.decode(PUBLIC, PUBLIC.n), "n"),
        Bad("encoded", lambda: paillier.decode(PUBLIC, 1.5), "a float"),
        Bad("fractional_bits", lambda: paillier.decode(PUBLIC, 1, -2), "negative"),
        Bad("public_key", lambda: paillier.decode(None, 1), "None"),
    ],
    "ppml_lab.paillier.encrypt": [
        Bad("value", lambda: paillier.encrypt(PUBLIC, NAN, rng=0), "NaN"),
        Bad("value", lambda: paillier.encrypt(PUBLIC, "7", rng=0), "a string"),
        Bad("value", lambda: paillier.encrypt(PUBLIC, None, rng=0), "None"),
        Bad("fractional_bits", lambda: paillier.encrypt(PUBLIC, 1.5, -1, rng=0), "negative"),
        Bad("public_key", lambda: paillier.encrypt("key", 1), "a string"),
        Bad("rng", lambda: paillier.encrypt(PUBLIC, 1, rng="0"), "a string"),
    ],
    "ppml_lab.paillier.decrypt": [
        Bad("ciphertext", lambda: paillier.decrypt(PRIVATE, paillier.Ciphertext(PRIVATE.p, PUBLIC)),
            "not coprime with n"),
        Bad("ciphertext", lambda: paillier.decrypt(PRIVATE, paillier.Ciphertext(PUBLIC.n, PUBLIC)), "n itself"),
        Bad("ciphertext", lambda: paillier.decrypt(PRIVATE, 12345), "a raw int"),
        Bad("ciphertext", lambda: paillier.decrypt(PRIVATE, FOREIGN), "another key"),
        Bad("private_key", lambda: paillier.decrypt(PUBLIC, C), "a public key"),
        Bad("use_crt", lambda: paillier.decrypt(PRIVATE, C, use_crt="yes"), "a string"),
    ],
    "ppml_lab.paillier.rerandomize": [
        Bad("ciphertext", lambda: paillier.rerandomize(5), "an int"),
        Bad("rng", lambda: paillier.rerandomize(C, rng="0"), "a string"),
    ],
    "ppml_lab.paillier.add": [
        Bad("left", lambda: paillier.add(3, C), "an int"),
        Bad("right", lambda: paillier.add(C, 3), "an int"),
        Bad("right", lambda: paillier.add(C, FOREIGN), "another key"),
    ],
    "ppml_lab.paillier.add_plain": [
        Bad("value", lambda: paillier.add_plain(C, NAN), "NaN"),
        Bad("value", lambda: paillier.add_plain(C, "1"), "a string"),
        Bad("value", lambda: paillier.add_plain(C, PUBLIC.n), "outside the message space"),
        Bad("ciphertext", lambda: paillier.add_plain(5, 1), "an int"),
    ],
    "ppml_lab.paillier.multiply_plain": [
        Bad("scalar", lambda: paillier.multiply_plain(C, NAN), "NaN"),
        Bad("scalar", lambda: paillier.multiply_plain(C, float("inf")), "inf"),
        Bad("scalar", lambda: paillier.multiply_plain(C, "2"), "a string"),
        Bad("scalar", lambda: paillier.multiply_plain(C, None), "None"),
        Bad("ciphertext", lambda: paillier.multiply_plain(5, 2), "an int"),
    ],
    "ppml_lab.paillier.factor_modulus": [
        *numbers("n", paillier.factor_modulus),
        Bad("n", lambda: paillier.factor_modulus(3), "below 4"),
        *numbers("max_iterations", lambda v: paillier.factor_modulus(PUBLIC.n, v)),
    ],
    "ppml_lab.paillier.break_toy_key": [
        Bad("public_key", lambda: paillier.break_toy_key(PUBLIC.n), "an int"),
        Bad("public_key", lambda: paillier.break_toy_key(None), "None"),
    ],
    "ppml_lab.paillier.expansion_factor": [
        *numbers("n_bits", paillier.expansion_factor),
        *numbers("plaintext_bits", lambda v: paillier.expansion_factor(2048, v)),
    ],
    "ppml_lab.paillier.benchmark": [
        *numbers("n_bits", paillier.benchmark),
        Bad("n_bits", lambda: paillier.benchmark(8), "below 16"),
        *numbers("n_keys", lambda v: paillier.benchmark(64, n_keys=v)),
        *numbers("n_ops", lambda v: paillier.benchmark(64, n_ops=v)),
        Bad("implementations", lambda: paillier.benchmark(64, implementations=("seal",)), "unknown"),
        Bad("implementations", lambda: paillier.benchmark(64, implementations="phe"), "a string"),
        Bad("implementations", lambda: paillier.benchmark(64, implementations=()), "empty"),
        Bad("seed", lambda: paillier.benchmark(64, seed=-1), "negative"),
        Bad("seed", lambda: paillier.benchmark(64, seed=NAN), "NaN"),
    ],
    "ppml_lab.paillier.key_size_costs": [
        Bad("timings", lambda: paillier.key_size_costs({"n_bits": [512]}, 512), "a dict"),
        Bad("timings", lambda: paillier.key_size_costs(TIMINGS.drop(columns="add"), 512), "a missing column"),
        Bad("n_bits", lambda: paillier.key_size_costs(TIMINGS, 1024), "not benchmarked"),
        Bad("n_bits", lambda: paillier.key_size_costs(TIMINGS, NAN), "NaN"),
        Bad("n_bits", lambda: paillier.key_size_costs(TIMINGS, "512"), "a string"),
    ],
    # ------------------------------------------------------------------ secret_sharing
    "ppml_lab.secret_sharing.share": [
        *numbers("n_parties", lambda v: ss.share(1, v)),
        Bad("n_parties", lambda: ss.share(1, 1), "one party"),
        Bad("secret", lambda: ss.share(1.5, 3), "a float"),
        Bad("secret", lambda: ss.share(NAN, 3), "NaN"),
        Bad("secret", lambda: ss.share("1", 3), "a string"),
        Bad("secret", lambda: ss.share(6, 3, prime=11), "outside the field"),
        Bad("prime", lambda: ss.share(1, 3, prime=341), "a Fermat pseudoprime (11 x 31)"),
        Bad("prime", lambda: ss.share(1, 3, prime=561), "a Carmichael number"),
        Bad("prime", lambda: ss.share(1, 3, prime=15), "composite"),
        Bad("prime", lambda: ss.share(1, 3, prime=2), "below 3"),
        Bad("prime", lambda: ss.share(1, 3, prime=13.0), "a float"),
        Bad("rng", lambda: ss.share(1, 3, rng="0"), "a string"),
    ],
    "ppml_lab.secret_sharing.reconstruct": [
        Bad("shares", lambda: ss.reconstruct((5,)), "one share"),
        Bad("shares", lambda: ss.reconstruct(()), "empty"),
        Bad("shares", lambda: ss.reconstruct((1, -2, 3)), "negative"),
        Bad("shares", lambda: ss.reconstruct((1, NAN)), "NaN"),
        Bad("shares", lambda: ss.reconstruct((1, ss.DEFAULT_PRIME)), "outside the field"),
        Bad("shares", lambda: ss.reconstruct(12), "an int"),
        Bad("prime", lambda: ss.reconstruct((1, 2), prime=341), "a pseudoprime"),
    ],
    "ppml_lab.secret_sharing.add_shares": [
        Bad("left", lambda: ss.add_shares((1,), SHARES), "one share"),
        Bad("right", lambda: ss.add_shares(SHARES, (1, NAN, 2)), "NaN"),
        Bad("right", lambda: ss.add_shares(SHARES, ss.share(1, 4, rng=0)), "another number of parties"),
        Bad("prime", lambda: ss.add_shares(SHARES, SHARES, prime=561), "a Carmichael number"),
    ],
    "ppml_lab.secret_sharing.add_public": [
        Bad("constant", lambda: ss.add_public(SHARES, 1.5), "a float"),
        Bad("constant", lambda: ss.add_public(SHARES, NAN), "NaN"),
        Bad("constant", lambda: ss.add_public(SHARES, ss.DEFAULT_PRIME), "outside the field"),
        Bad("shares", lambda: ss.add_public((1,), 1), "one share"),
    ],
    "ppml_lab.secret_sharing.multiply_public": [
        Bad("constant", lambda: ss.multiply_public(SHARES, 0.5), "a float"),
        Bad("constant", lambda: ss.multiply_public(SHARES, None), "None"),
        Bad("shares", lambda: ss.multiply_public("abc", 2), "a string"),
    ],
    "ppml_lab.secret_sharing.BeaverTriple": [
        Bad("a", lambda: ss.BeaverTriple((1,), (1, 2), (1, 2)), "one share"),
        Bad("b", lambda: ss.BeaverTriple((1, 2), (1, -2), (1, 2)), "negative"),
        Bad("c", lambda: ss.BeaverTriple((1, 2), (1, 2), (1, NAN)), "NaN"),
        Bad("a, b and c", lambda: ss.BeaverTriple((1, 2), (1, 2), (1, 2, 3)), "different lengths"),
    ],
    "ppml_lab.secret_sharing.deal_beaver_triple": [
        *numbers("n_parties", lambda v: ss.deal_beaver_triple(v)),
        Bad("prime", lambda: ss.deal_beaver_triple(3, prime=341), "a pseudoprime"),
        Bad("rng", lambda: ss.deal_beaver_triple(3, rng=1.5), "a float"),
    ],
    "ppml_lab.secret_sharing.open_masked_differences": _triple_cases(),
    "ppml_lab.secret_sharing.local_product_shares": [
        Bad("d", lambda: ss.local_product_shares(triple(), -1, 0), "negative"),
        Bad("d", lambda: ss.local_product_shares(triple(), NAN, 0), "NaN"),
        Bad("e", lambda: ss.local_product_shares(triple(), 0, ss.DEFAULT_PRIME), "outside the field"),
        Bad("triple", lambda: ss.local_product_shares((1, 2, 3), 0, 0), "not a triple"),
        Bad("triple", lambda: ss.local_product_shares(triple(), 0, 0, prime=11), "dealt for another prime"),
    ],
    "ppml_lab.secret_sharing.multiply_shares": [
        Bad("triple", lambda: ss.multiply_shares(SHARES, SHARES, used_triple()), "used twice"),
        Bad("triple", lambda: ss.multiply_shares(SHARES, SHARES, ss.deal_beaver_triple(4, rng=0)),
            "another number of parties"),
        Bad("x", lambda: ss.multiply_shares((1, NAN, 2), SHARES, triple()), "NaN"),
        Bad("y", lambda: ss.multiply_shares(SHARES, (3,), triple()), "one share"),
    ],
    "ppml_lab.secret_sharing.benchmark": [
        *numbers("n_parties", lambda v: ss.benchmark(n_parties=v, n_ops=2)),
        *numbers("n_ops", lambda v: ss.benchmark(n_ops=v)),
        Bad("prime", lambda: ss.benchmark(n_ops=2, prime=341), "a pseudoprime"),
        Bad("seed", lambda: ss.benchmark(n_ops=2, seed=-1), "negative"),
    ],
    # ------------------------------------------------------------------ encrypted_inference
    "ppml_lab.encrypted_inference.LinearModel": [
        Bad("weights", lambda: ei.LinearModel(np.array([1.0, NAN]), 0.0), "NaN"),
        Bad("weights", lambda: ei.LinearModel(np.array([]), 0.0), "empty"),
        Bad("weights", lambda: ei.LinearModel(np.ones((2, 2)), 0.0), "2-D"),
        Bad("weights", lambda: ei.LinearModel("abc", 0.0), "a string"),
        *numbers("bias", lambda v: ei.LinearModel(np.ones(2), v), allow_zero=True, allow_negative=True),
        Bad("feature_names", lambda: ei.LinearModel(np.ones(2), 0.0, ("a",)), "too few names"),
        Bad("feature_names", lambda: ei.LinearModel(np.ones(2), 0.0, "ab"), "a string"),
    ],
    "ppml_lab.encrypted_inference.load_breast_cancer_split": [
        *numbers("test_fraction", ei.load_breast_cancer_split),
        Bad("test_fraction", lambda: ei.load_breast_cancer_split(1.0), "one"),
        Bad("rng", lambda: ei.load_breast_cancer_split(0.25, rng="0"), "a string"),
    ],
    "ppml_lab.encrypted_inference.train_logistic_regression": [
        *numbers("C", lambda v: ei.train_logistic_regression(np.eye(4), [0, 1, 0, 1], C=v)),
        Bad("features", lambda: ei.train_logistic_regression(np.zeros(10), np.zeros(10)), "1-D"),
        Bad("features", lambda: ei.train_logistic_regression([[NAN, 1], [1, 2]], [0, 1]), "NaN"),
        Bad("features", lambda: ei.train_logistic_regression(np.eye(4), [0, 1, 0]), "one label too few"),
        Bad("labels", lambda: ei.train_logistic_regression(np.eye(4), [1, 1, 1, 1]), "one class"),
        Bad("labels", lambda: ei.train_logistic_regression(np.eye(2), ["a", NAN]), "NaN"),
    ],
    "ppml_lab.encrypted_inference.plaintext_scores": [
        Bad("features", lambda: ei.plaintext_scores(MODEL, np.zeros((2, 4))), "wrong width"),
        Bad("features", lambda: ei.plaintext_scores(MODEL, [1.0, NAN, 2.0]), "NaN"),
        Bad("features", lambda: ei.plaintext_scores(MODEL, np.zeros((0, 3))), "empty"),
        Bad("model", lambda: ei.plaintext_scores("model", ROW), "a string"),
    ],
    "ppml_lab.encrypted_inference.sigmoid": [
        Bad("scores", lambda: ei.sigmoid([0.0, NAN]), "NaN"),
        Bad("scores", lambda: ei.sigmoid("abc"), "a string"),
    ],
    "ppml_lab.encrypted_inference.encrypt_features": [
        Bad("features", lambda: ei.encrypt_features(PUBLIC, [1.0, NAN]), "NaN"),
        Bad("features", lambda: ei.encrypt_features(PUBLIC, np.ones((2, 2))), "2-D"),
        Bad("features", lambda: ei.encrypt_features(PUBLIC, []), "empty"),
        Bad("public_key", lambda: ei.encrypt_features(PRIVATE, ROW), "a private key"),
        Bad("rng", lambda: ei.encrypt_features(PUBLIC, ROW, rng="0"), "a string"),
    ],
    "ppml_lab.encrypted_inference.score_encrypted": [
        Bad("encrypted_features", lambda: ei.score_encrypted(MODEL, [C, C]), "too few"),
        Bad("encrypted_features", lambda: ei.score_encrypted(MODEL, [C, C, 5]), "an int among them"),
        Bad("encrypted_features", lambda: ei.score_encrypted(MODEL, [C, C, FOREIGN]), "two keys"),
        Bad("encrypted_features", lambda: ei.score_encrypted(MODEL, None), "None"),
        Bad("model", lambda: ei.score_encrypted(None, [C, C, C]), "None"),
    ],
    "ppml_lab.encrypted_inference.paillier_scores": [
        Bad("features", lambda: ei.paillier_scores(MODEL, np.zeros((1, 2)), PUBLIC, PRIVATE), "wrong width"),
        Bad("features", lambda: ei.paillier_scores(MODEL, [NAN, 1, 2], PUBLIC, PRIVATE), "NaN"),
        Bad("public_key", lambda: ei.paillier_scores(MODEL, ROW, None, PRIVATE), "None"),
        Bad("private_key", lambda: ei.paillier_scores(MODEL, ROW, OTHER_PUBLIC, PRIVATE), "another key's"),
        Bad("model", lambda: ei.paillier_scores({}, ROW, PUBLIC, PRIVATE), "a dict"),
    ],
    "ppml_lab.encrypted_inference.fixed_point_error_bound": [
        *numbers("fractional_bits", lambda v: ei.fixed_point_error_bound(MODEL, ROW, v)),
        Bad("features", lambda: ei.fixed_point_error_bound(MODEL, [1.0, float("inf"), 2.0]), "inf"),
    ],
    "ppml_lab.encrypted_inference.ckks_available": exempt("takes no argument"),
    "ppml_lab.encrypted_inference.ckks_context": [
        *numbers("poly_modulus_degree", lambda v: ei.ckks_context(v)),
        Bad("poly_modulus_degree", lambda: ei.ckks_context(5000), "not a power of 2"),
        *numbers("scale_bits", lambda v: ei.ckks_context(8192, v)),
        Bad("scale_bits", lambda: ei.ckks_context(8192, 55), "above 50"),
    ],
    "ppml_lab.encrypted_inference.ckks_scores": [
        Bad("features", lambda: ei.ckks_scores(MODEL, np.zeros((1, 4))), "wrong width"),
        Bad("features", lambda: ei.ckks_scores(MODEL, [NAN, 1, 2]), "NaN"),
    ],
    "ppml_lab.encrypted_inference.ckks_ciphertext_bytes": [
        *numbers("poly_modulus_degree", ei.ckks_ciphertext_bytes),
        Bad("poly_modulus_degree", lambda: ei.ckks_ciphertext_bytes(5000), "not a power of 2"),
        *numbers("n_primes", lambda v: ei.ckks_ciphertext_bytes(8192, v)),
        Bad("n_primes", lambda: ei.ckks_ciphertext_bytes(8192, 1), "no data-level prime"),
    ],
    # ------------------------------------------------------------------ model extraction
    "ppml_lab.attacks.model_extraction.ExtractedLinearModel": exempt("a result record that only "
                                                                     "extract_linear_model builds"),
    "ppml_lab.attacks.model_extraction.extraction_queries": numbers("n_features", mx.extraction_queries),
    "ppml_lab.attacks.model_extraction.extract_linear_model": [
        *numbers("n_features", lambda v: mx.extract_linear_model(lambda x: x.sum(axis=1), v)),
        Bad("query", lambda: mx.extract_linear_model(None, 3), "None"),
        Bad("query", lambda: mx.extract_linear_model(lambda x: [NAN] * len(x), 3), "returns NaN"),
        Bad("query", lambda: mx.extract_linear_model(lambda x: [1.0], 3), "returns too few scores"),
        Bad("queries", lambda: mx.extract_linear_model(lambda x: x.sum(axis=1), 2, [[0, 0], [1, 1], [2, 2]]),
            "affinely dependent"),
        Bad("queries", lambda: mx.extract_linear_model(lambda x: x.sum(axis=1), 2, [[0, 0], [1, 0]]), "too few"),
        Bad("queries", lambda: mx.extract_linear_model(lambda x: x.sum(axis=1), 2, [[0, 0], [1, NAN], [0, 1]]),
            "NaN"),
    ],
    # ------------------------------------------------------------------ exercises and plot
    "ppml_lab.exercises.homomorphic.check_encrypted_weighted_sum": [
        Bad("weighted_sum", lambda: exh.check_encrypted_weighted_sum(None), "None"),
        Bad("weighted_sum", lambda: exh.check_encrypted_weighted_sum(42), "an int"),
    ],
    "ppml_lab.exercises.homomorphic.check_factoring": [
        Bad("factor", lambda: exh.check_factoring(None), "None"),
        Bad("factor", lambda: exh.check_factoring((3, 5)), "a tuple"),
    ],
    "ppml_lab.exercises.homomorphic.check_beaver_share": [
        Bad("local_share", lambda: exh.check_beaver_share("z"), "a string"),
    ],
    "ppml_lab.plots.plot_key_size_costs": [
        Bad("costs", lambda: plots.plot_key_size_costs({"ms": {}}, 2048), "no expansion"),
        Bad("costs", lambda: plots.plot_key_size_costs(None, 2048), "None"),
    ],
}

TABLE.update({
    "ppml_lab.paillier.factoring_steps": [
        Bad("bit_sizes", lambda: paillier.factoring_steps([25]), "odd"),
        Bad("bit_sizes", lambda: paillier.factoring_steps([200]), "too large for rho"),
        Bad("bit_sizes", lambda: paillier.factoring_steps([]), "empty"),
        Bad("bit_sizes", lambda: paillier.factoring_steps([NAN]), "NaN"),
        Bad("bit_sizes", lambda: paillier.factoring_steps(24), "an int"),
        *numbers("n_keys", lambda v: paillier.factoring_steps([24], v)),
    ],
    "ppml_lab.paillier.work_growth": [
        Bad("table", lambda: paillier.work_growth(TIMINGS), "not a factoring table"),
        Bad("table", lambda: paillier.work_growth(None), "None"),
        *numbers("extra_bits", lambda v: paillier.work_growth(
            pd.DataFrame({"n_bits": [24, 32], "log2_mean_steps": [6.0, 8.0]}), v)),
    ],
    "ppml_lab.paillier.speed_ratio": [
        Bad("timings", lambda: paillier.speed_ratio(TIMINGS), "one implementation only"),
        Bad("timings", lambda: paillier.speed_ratio([1, 2]), "a list"),
    ],
    "ppml_lab.paillier.powmod_seconds": [
        *numbers("modulus_bits", paillier.powmod_seconds),
        *numbers("n_bases", lambda v: paillier.powmod_seconds(64, v)),
        Bad("seed", lambda: paillier.powmod_seconds(64, 2, -1), "negative"),
    ],
})
