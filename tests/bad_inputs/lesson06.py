"""Bad inputs for lesson 06: secure aggregation, Shamir sharing, the attacks on secure aggregation,
FedAvg on secure sums, the lesson's figures and its exercise checks."""

from __future__ import annotations

import numpy as np

from bad_inputs import INF, NAN, Bad, exempt, numbers
from ppml_lab import plots, secure_fedavg, shamir
from ppml_lab import secure_aggregation as sa
from ppml_lab.attacks import secure_aggregation as attacks
from ppml_lab.exercises import secure_aggregation as ex

ENC = sa.FixedPointEncoding()
KEY = sa.new_private_key(0)
PUBLIC = sa.new_private_key(1).public_key().public_bytes_raw()
SEED = bytes(32)
UPDATES = np.zeros((4, 3))
ENCODED = ENC.encode(np.zeros(5))
SHARES, COMMITMENT = shamir.split_secret(7, 4, 2, rng=0)
DATA = [(np.eye(2), np.ones(2)), (np.eye(2), np.zeros(2))]
COST = sa.round_cost(4, 3, 0, size=5, use_cache=False)
CLIENT = sa.SecAggClient(0, np.zeros(3), 4, 3, ENC, rng=0)


def _client(**kwargs):
    arguments = {"index": 0, "update": np.zeros(3), "n_clients": 4, "threshold": 3, "encoding": ENC, "rng": 0}
    return sa.SecAggClient(**(arguments | kwargs))


def _server(**kwargs):
    return sa.SecAggServer(**({"n_clients": 4, "threshold": 3, "size": 3, "encoding": ENC} | kwargs))


def _aggregate(**kwargs):
    return sa.secure_aggregate(**({"updates": UPDATES, "rng": 0} | kwargs))


def _round_cost(**kwargs):
    return sa.round_cost(**({"n_clients": 4, "threshold": 3, "dropouts": 0, "size": 5, "use_cache": False} | kwargs))


def _updates_cases(make):
    return [Bad("updates", lambda: make(np.full((4, 3), NAN)), "NaN"),
            Bad("updates", lambda: make(np.full((4, 3), INF)), "inf"),
            Bad("updates", lambda: make(np.full((4, 3), 2.0)), "outside value_range"),
            Bad("updates", lambda: make("abc"), "a string"),
            Bad("updates", lambda: make([]), "empty")]


def _not_none(cases):
    """None means "the default" for these parameters."""
    return [case for case in cases if case.why != "None"]


TABLE = {
    # secure_aggregation
    "ppml_lab.secure_aggregation.FixedPointEncoding": [
        *numbers("precision", lambda v: sa.FixedPointEncoding(precision=v)),
        *numbers("value_range", lambda v: sa.FixedPointEncoding(value_range=v)),
        *numbers("modulus_bits", lambda v: sa.FixedPointEncoding(modulus_bits=v)),
        Bad("modulus_bits", lambda: sa.FixedPointEncoding(modulus_bits=65), "above 64"),
        Bad("modulus_bits", lambda: sa.FixedPointEncoding(modulus_bits=32.5), "not an integer")],
    "ppml_lab.secure_aggregation.new_private_key": [
        Bad("rng", lambda: sa.new_private_key("seed"), "a string"),
        Bad("rng", lambda: sa.new_private_key(1.5), "a float"),
        Bad("rng", lambda: sa.new_private_key(-1), "negative seed")],
    "ppml_lab.secure_aggregation.new_identity_key": [
        Bad("rng", lambda: sa.new_identity_key("seed"), "a string"),
        Bad("rng", lambda: sa.new_identity_key(-2), "negative seed")],
    "ppml_lab.secure_aggregation.ForgedKeyError": exempt("an exception class"),
    "ppml_lab.secure_aggregation.agree_seed": [
        Bad("private_key", lambda: sa.agree_seed(bytes(32), PUBLIC), "raw bytes"),
        Bad("peer_public_key", lambda: sa.agree_seed(KEY, PUBLIC[:31]), "31 bytes"),
        Bad("peer_public_key", lambda: sa.agree_seed(KEY, "key"), "a string"),
        Bad("purpose", lambda: sa.agree_seed(KEY, PUBLIC, "mask"), "a string")],
    "ppml_lab.secure_aggregation.prg_mask": [
        Bad("seed", lambda: sa.prg_mask(bytes(16), 4), "16 bytes"),
        Bad("seed", lambda: sa.prg_mask(None, 4), "None"),
        *numbers("size", lambda v: sa.prg_mask(SEED, v), allow_zero=True),
        Bad("modulus_bits", lambda: sa.prg_mask(SEED, 4, 4), "below 8"),
        Bad("modulus_bits", lambda: sa.prg_mask(SEED, 4, 128), "above 64")],
    "ppml_lab.secure_aggregation.mask_update": [
        Bad("encoded", lambda: sa.mask_update(np.zeros(5), 0, SEED, {1: SEED}), "floats"),
        Bad("encoded", lambda: sa.mask_update(ENCODED.reshape(1, 5), 0, SEED, {1: SEED}), "2-D"),
        Bad("encoded", lambda: sa.mask_update(np.full(5, 2**40), 0, SEED, {1: SEED}), "outside the ring"),
        *numbers("index", lambda v: sa.mask_update(ENCODED, v, SEED, {1: SEED}), allow_zero=True),
        Bad("self_seed", lambda: sa.mask_update(ENCODED, 0, b"short", {1: SEED}), "5 bytes"),
        Bad("pairwise_seeds", lambda: sa.mask_update(ENCODED, 0, SEED, [SEED]), "a list"),
        Bad("pairwise_seeds", lambda: sa.mask_update(ENCODED, 0, SEED, {0: SEED}), "own index"),
        Bad("pairwise_seeds", lambda: sa.mask_update(ENCODED, 0, SEED, {1: b"x"}), "short seed"),
        Bad("modulus_bits", lambda: sa.mask_update(ENCODED, 0, SEED, {1: SEED}, modulus_bits=0), "zero")],
    "ppml_lab.secure_aggregation.SecAggClient": [
        *numbers("index", lambda v: _client(index=v), allow_zero=True),
        Bad("index", lambda: _client(index=4), "not below n_clients"),
        Bad("update", lambda: _client(update=[NAN, 0, 0]), "NaN"),
        Bad("update", lambda: _client(update=[5.0, 0, 0]), "outside value_range"),
        Bad("update", lambda: _client(update="abc"), "a string"),
        Bad("update", lambda: _client(update=[]), "empty"),
        *numbers("n_clients", lambda v: _client(n_clients=v)),
        Bad("n_clients", lambda: _client(n_clients=1), "one client"),
        *numbers("threshold", lambda v: _client(threshold=v)),
        Bad("threshold", lambda: _client(threshold=5), "above n_clients"),
        Bad("encoding", lambda: _client(encoding="fixed"), "a string"),
        Bad("rng", lambda: _client(rng="seed"), "a string"),
        Bad("self_mask", lambda: _client(self_mask="yes"), "a string"),
        Bad("identity_key", lambda: _client(identity_key=KEY), "an X25519 key"),
        Bad("pki", lambda: _client(pki=[PUBLIC]), "a list"),
        Bad("pki", lambda: _client(pki={0: b"short"}), "a short key"),
        Bad("pki client index", lambda: _client(pki={-1: PUBLIC}), "negative index")],
    "ppml_lab.secure_aggregation.SecAggServer": [
        *numbers("n_clients", lambda v: _server(n_clients=v)),
        *numbers("threshold", lambda v: _server(threshold=v)),
        Bad("threshold", lambda: _server(threshold=5), "above n_clients"),
        *numbers("size", lambda v: _server(size=v)),
        Bad("encoding", lambda: _server(encoding=None), "None"),
        Bad("self_mask", lambda: _server(self_mask=None), "None")],
    "ppml_lab.secure_aggregation.SecureAggregationResult": exempt(
        "a record that secure_aggregate fills from a finished round; nothing to refuse"),
    "ppml_lab.secure_aggregation.secure_aggregate": [
        *_updates_cases(lambda v: _aggregate(updates=v)),
        Bad("number of clients", lambda: _aggregate(updates=np.zeros((1, 3))), "one client"),
        *_not_none(numbers("threshold", lambda v: _aggregate(threshold=v))),
        Bad("threshold", lambda: _aggregate(threshold=5), "above n_clients"),
        Bad("drop_before_masking", lambda: _aggregate(drop_before_masking=[9]), "unknown client"),
        Bad("drop_before_masking", lambda: _aggregate(drop_before_masking=[NAN]), "NaN"),
        Bad("drop_before_masking", lambda: _aggregate(drop_before_masking="0"), "a string"),
        Bad("drop_after_masking", lambda: _aggregate(drop_after_masking=[1, 1]), "repeated"),
        Bad("threshold", lambda: _aggregate(drop_after_masking=[0, 1]), "too many dropouts"),
        Bad("encoding", lambda: _aggregate(encoding="fixed"), "a string"),
        Bad("rng", lambda: _aggregate(rng=-3), "negative seed"),
        Bad("self_mask", lambda: _aggregate(self_mask=1.0), "a float")],
    "ppml_lab.secure_aggregation.round_cost": [
        *numbers("n_clients", lambda v: _round_cost(n_clients=v)),
        *numbers("threshold", lambda v: _round_cost(threshold=v)),
        Bad("threshold", lambda: _round_cost(threshold=5), "above n_clients"),
        *numbers("dropouts", lambda v: _round_cost(dropouts=v), allow_zero=True),
        Bad("dropouts", lambda: _round_cost(dropouts=5), "more than n_clients"),
        *numbers("size", lambda v: _round_cost(size=v)),
        *numbers("seed", lambda v: _round_cost(seed=v), allow_zero=True)],
    # shamir
    "ppml_lab.shamir.Share": [
        *numbers("index", lambda v: shamir.Share(v, np.array([1]))),
        Bad("index", lambda: shamir.Share(shamir.PRIME, np.array([1])), "PRIME"),
        Bad("values", lambda: shamir.Share(1, np.array([1.5])), "floats"),
        Bad("values", lambda: shamir.Share(1, np.array([], dtype=int)), "empty"),
        Bad("values", lambda: shamir.Share(1, np.ones((2, 2), dtype=int)), "2-D")],
    "ppml_lab.shamir.Commitment": [
        *numbers("threshold", lambda v: shamir.Commitment(v, bytes(32))),
        Bad("digest", lambda: shamir.Commitment(2, bytes(16)), "16 bytes"),
        Bad("digest", lambda: shamir.Commitment(2, "digest"), "a string")],
    "ppml_lab.shamir.TamperedShareError": exempt("an exception class"),
    "ppml_lab.shamir.bytes_to_field": [
        Bad("data", lambda: shamir.bytes_to_field(b"abc"), "odd length"),
        Bad("data", lambda: shamir.bytes_to_field("abcd"), "a string"),
        Bad("data", lambda: shamir.bytes_to_field(None), "None")],
    "ppml_lab.shamir.field_to_bytes": [
        Bad("values", lambda: shamir.field_to_bytes(np.array([NAN])), "NaN"),
        Bad("values", lambda: shamir.field_to_bytes(np.array([2**16])), "not a 16-bit limb"),
        Bad("values", lambda: shamir.field_to_bytes(np.array([-1])), "negative"),
        Bad("values", lambda: shamir.field_to_bytes(np.ones((2, 2), dtype=int)), "2-D")],
    "ppml_lab.shamir.commit": [
        *numbers("secret", lambda v: shamir.commit(v, 2, bytes(16)), allow_zero=True),
        Bad("secret", lambda: shamir.commit(shamir.PRIME, 2, bytes(16)), "outside the field"),
        Bad("secret", lambda: shamir.commit([], 2, bytes(16)), "empty"),
        *numbers("threshold", lambda v: shamir.commit(5, v, bytes(16))),
        Bad("salt", lambda: shamir.commit(5, 2, bytes(8)), "8 bytes"),
        Bad("salt", lambda: shamir.commit(5, 2, "salt"), "a string")],
    "ppml_lab.shamir.split_secret": [
        *numbers("secret", lambda v: shamir.split_secret(v, 3, 2), allow_zero=True),
        Bad("secret", lambda: shamir.split_secret([[1, 2]], 3, 2), "2-D"),
        Bad("secret", lambda: shamir.split_secret([], 3, 2), "empty"),
        *numbers("n_shares", lambda v: shamir.split_secret(5, v, 1)),
        *numbers("threshold", lambda v: shamir.split_secret(5, 3, v)),
        Bad("threshold", lambda: shamir.split_secret(5, 3, 4), "above n_shares"),
        Bad("rng", lambda: shamir.split_secret(5, 3, 2, rng="seed"), "a string"),
        Bad("rng", lambda: shamir.split_secret(5, 3, 2, rng=-1), "negative seed")],
    "ppml_lab.shamir.reconstruct_secret": [
        Bad("shares", lambda: shamir.reconstruct_secret(SHARES[:1], 2), "too few"),
        Bad("shares", lambda: shamir.reconstruct_secret([1, 2], 2), "not shares"),
        Bad("shares", lambda: shamir.reconstruct_secret([], 2), "empty"),
        Bad("share indices", lambda: shamir.reconstruct_secret([SHARES[0], SHARES[0]], 2), "repeated"),
        Bad("shares", lambda: shamir.reconstruct_secret([shamir.Share(1, np.array([1])),
                                                          shamir.Share(2, np.array([1]))], 2), "no salt"),
        *numbers("threshold", lambda v: shamir.reconstruct_secret(SHARES, v)),
        Bad("threshold", lambda: shamir.reconstruct_secret(SHARES, 3, COMMITMENT), "differs from the commitment"),
        Bad("commitment", lambda: shamir.reconstruct_secret(SHARES, 2, b"digest"), "bytes")],
    "ppml_lab.shamir.lagrange_coefficients": [
        Bad("indices", lambda: shamir.lagrange_coefficients([]), "empty"),
        Bad("indices", lambda: shamir.lagrange_coefficients([1, 1]), "repeated"),
        Bad("indices", lambda: shamir.lagrange_coefficients([0, 2]), "zero"),
        Bad("indices", lambda: shamir.lagrange_coefficients([1.5, 2]), "a float"),
        Bad("indices", lambda: shamir.lagrange_coefficients("12"), "a string"),
        Bad("at", lambda: shamir.lagrange_coefficients([1, 2], at=NAN), "NaN"),
        Bad("at", lambda: shamir.lagrange_coefficients([1, 2], at="0"), "a string")],
    # attacks on secure aggregation
    "ppml_lab.attacks.secure_aggregation.UnmaskingAttackResult": exempt(
        "a record that the attack functions fill; nothing to refuse"),
    "ppml_lab.attacks.secure_aggregation.late_client_attack": [
        *_updates_cases(lambda v: attacks.late_client_attack(v, 0, rng=0)),
        Bad("number of clients", lambda: attacks.late_client_attack(np.zeros((2, 3)), 0, rng=0), "two clients"),
        *numbers("victim", lambda v: attacks.late_client_attack(UPDATES, v, rng=0), allow_zero=True),
        Bad("victim", lambda: attacks.late_client_attack(UPDATES, 4, rng=0), "not a client"),
        Bad("threshold", lambda: attacks.late_client_attack(UPDATES, 0, threshold=4, rng=0), "= n_clients"),
        Bad("self_mask", lambda: attacks.late_client_attack(UPDATES, 0, self_mask="no", rng=0), "a string"),
        Bad("encoding", lambda: attacks.late_client_attack(UPDATES, 0, encoding=2**-16, rng=0), "a float"),
        Bad("rng", lambda: attacks.late_client_attack(UPDATES, 0, rng="seed"), "a string")],
    "ppml_lab.attacks.secure_aggregation.key_swap_attack": [
        *_updates_cases(lambda v: attacks.key_swap_attack(v, 0, rng=0)),
        *numbers("victim", lambda v: attacks.key_swap_attack(UPDATES, v, rng=0), allow_zero=True),
        *_not_none(numbers("threshold", lambda v: attacks.key_swap_attack(UPDATES, 0, threshold=v, rng=0))),
        Bad("threshold", lambda: attacks.key_swap_attack(UPDATES, 0, threshold=4, rng=0), "= n_clients"),
        Bad("rng", lambda: attacks.key_swap_attack(UPDATES, 0, rng=-1), "negative seed"),
        Bad("signed", lambda: attacks.key_swap_attack(UPDATES, 0, signed="yes", rng=0), "a string")],
    "ppml_lab.attacks.secure_aggregation.collusion_attack": [
        *_updates_cases(lambda v: attacks.collusion_attack(v, 0, [1, 2], rng=0)),
        *numbers("victim", lambda v: attacks.collusion_attack(UPDATES, v, [1, 2], rng=0), allow_zero=True),
        Bad("colluders", lambda: attacks.collusion_attack(UPDATES, 0, [0, 1], rng=0), "the victim itself"),
        Bad("colluders", lambda: attacks.collusion_attack(UPDATES, 0, [1, 1], rng=0), "repeated"),
        Bad("colluders", lambda: attacks.collusion_attack(UPDATES, 0, [9], rng=0), "not a client"),
        Bad("colluders", lambda: attacks.collusion_attack(UPDATES, 0, [NAN], rng=0), "NaN"),
        Bad("colluders", lambda: attacks.collusion_attack(UPDATES, 0, 3, rng=0), "an integer"),
        Bad("threshold", lambda: attacks.collusion_attack(UPDATES, 0, [1, 2], threshold=1, rng=0), "one")],
    "ppml_lab.attacks.secure_aggregation.brute_force_commitment": [
        Bad("commitment", lambda: attacks.brute_force_commitment(bytes(36), bytes(16), range(4)), "bytes"),
        Bad("salt", lambda: attacks.brute_force_commitment(COMMITMENT, bytes(4), range(4)), "4 bytes"),
        Bad("candidates", lambda: attacks.brute_force_commitment(COMMITMENT, bytes(16), 5), "an integer"),
        Bad("candidates", lambda: attacks.brute_force_commitment(COMMITMENT, bytes(16), [NAN]), "NaN"),
        Bad("candidates", lambda: attacks.brute_force_commitment(COMMITMENT, bytes(16), [-1]), "negative"),
        Bad("candidates", lambda: attacks.brute_force_commitment(COMMITMENT, bytes(16), [shamir.PRIME]),
            "outside the field")],
    # FedAvg on secure sums
    "ppml_lab.secure_fedavg.linear_local_update": [
        Bad("weights", lambda: secure_fedavg.linear_local_update([NAN, 0], np.eye(2), np.ones(2)), "NaN"),
        Bad("features", lambda: secure_fedavg.linear_local_update(np.zeros(3), np.eye(2), np.ones(2)), "wrong shape"),
        Bad("targets", lambda: secure_fedavg.linear_local_update(np.zeros(2), np.eye(2), [INF, 0]), "inf"),
        Bad("features", lambda: secure_fedavg.linear_local_update(np.zeros(2), [], np.ones(2)), "empty"),
        *numbers("steps", lambda v: secure_fedavg.linear_local_update(np.zeros(2), np.eye(2), np.ones(2), steps=v)),
        *numbers("lr", lambda v: secure_fedavg.linear_local_update(np.zeros(2), np.eye(2), np.ones(2), lr=v)),
        *numbers("clip", lambda v: secure_fedavg.linear_local_update(np.zeros(2), np.eye(2), np.ones(2), clip=v))],
    "ppml_lab.secure_fedavg.secure_fedavg": [
        Bad("client_data", lambda: secure_fedavg.secure_fedavg([], 1, 10), "empty"),
        Bad("client_data", lambda: secure_fedavg.secure_fedavg("data", 1, 10), "a string"),
        Bad("client_data", lambda: secure_fedavg.secure_fedavg([(np.eye(2), [NAN, 0])] * 2, 1, 10), "NaN"),
        Bad("number of clients", lambda: secure_fedavg.secure_fedavg(DATA[:1], 1, 10), "one client"),
        *numbers("rounds", lambda v: secure_fedavg.secure_fedavg(DATA, v, 10)),
        *numbers("scale", lambda v: secure_fedavg.secure_fedavg(DATA, 1, v)),
        Bad("scale", lambda: secure_fedavg.secure_fedavg(DATA, 1, 1), "below a client's size"),
        Bad("true_weights", lambda: secure_fedavg.secure_fedavg(DATA, 1, 10, true_weights=[1.0]), "wrong shape"),
        Bad("encoding", lambda: secure_fedavg.secure_fedavg(DATA, 1, 10, encoding="fixed"), "a string")],
    # figures
    "ppml_lab.plots.plot_secagg_rounds": exempt("no parameters"),
    "ppml_lab.plots.plot_secagg_round_cost": [
        Bad("cost", lambda: plots.plot_secagg_round_cost({}), "empty"),
        Bad("cost", lambda: plots.plot_secagg_round_cost(None), "None"),
        Bad("cost", lambda: plots.plot_secagg_round_cost(COST | {"bytes_by_round": [1.0, 2.0]}), "3 rounds short"),
        Bad("round_names", lambda: plots.plot_secagg_round_cost(COST, round_names=["a"]), "wrong length")],
    # exercise checks
    "ppml_lab.exercises.secure_aggregation.check_pairwise_mask": [
        Bad("signed_mask", lambda: ex.check_pairwise_mask(None), "None"),
        Bad("signed_mask", lambda: ex.check_pairwise_mask(np.zeros(64)), "an array")],
    "ppml_lab.exercises.secure_aggregation.check_reconstruct": [
        Bad("reconstruct", lambda: ex.check_reconstruct(2024), "a number")],
    "ppml_lab.exercises.secure_aggregation.check_precision_bits": [
        Bad("precision_bits", lambda: ex.check_precision_bits(21), "a number"),
        Bad("precision_bits", lambda: ex.check_precision_bits(None), "None")],
    "ppml_lab.exercises.secure_aggregation.check_remove_dropped_masks": [
        Bad("remove_dropped_masks", lambda: ex.check_remove_dropped_masks(np.zeros(5)), "an array"),
        Bad("remove_dropped_masks", lambda: ex.check_remove_dropped_masks(None), "None")],
}
