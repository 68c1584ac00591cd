"""Tests for ppml_lab/attacks/secure_aggregation.py: what the self mask, signed keys and a secret salt are for."""

from __future__ import annotations

import numpy as np
import pytest

from ppml_lab import shamir
from ppml_lab.attacks import secure_aggregation as attacks
from ppml_lab.secure_aggregation import FixedPointEncoding

N_CLIENTS, SIZE = 8, 200


@pytest.fixture(scope="module")
def updates() -> np.ndarray:
    return np.random.default_rng(0).uniform(-1, 1, size=(N_CLIENTS, SIZE))


@pytest.mark.parametrize("victim", [0, 3, N_CLIENTS - 1])
def test_late_client_is_exposed_without_the_self_mask(updates, victim):
    result = attacks.late_client_attack(updates, victim, self_mask=False, rng=1)
    assert result.exposed and result.max_error <= FixedPointEncoding().precision / 2
    assert result.sum_error <= (N_CLIENTS - 1) * FixedPointEncoding().precision / 2  # the round looked normal


@pytest.mark.parametrize("victim", [0, 3, N_CLIENTS - 1])
def test_late_client_stays_hidden_with_the_self_mask(updates, victim):
    """What remains is PRG(b_v) decoded: uniform over [-2^15, 2^15), uncorrelated with the update."""
    result = attacks.late_client_attack(updates, victim, self_mask=True, rng=1)
    assert not result.exposed and result.max_error > 1000
    assert abs(np.corrcoef(result.recovered, result.true_update)[0, 1]) < 0.25  # 200 values: |r| < 0.25 w.h.p.


@pytest.mark.parametrize("victim,threshold", [(0, None), (5, None), (2, N_CLIENTS - 1)])
def test_key_swap_unmasks_the_victim_and_the_sum_still_comes_out_right(updates, victim, threshold):
    result = attacks.key_swap_attack(updates, victim, threshold=threshold, rng=2)
    assert result.exposed
    assert result.sum_error <= N_CLIENTS * FixedPointEncoding().precision / 2  # nobody notices


def test_attacks_refuse_bad_arguments(updates):
    with pytest.raises(ValueError, match="victim"):
        attacks.late_client_attack(updates, N_CLIENTS)
    with pytest.raises(ValueError, match="threshold"):
        attacks.key_swap_attack(updates, 0, threshold=N_CLIENTS)
    with pytest.raises(ValueError, match="updates"):
        attacks.key_swap_attack(updates * 2, 0)


def test_a_published_salt_lets_a_small_secret_be_brute_forced():
    salt = np.random.default_rng(3).bytes(shamir.SALT_BYTES)
    public = shamir.commit(2024, 3, salt)
    assert attacks.brute_force_commitment(public, salt, range(2**16)) == (2024, 2025)
    assert attacks.brute_force_commitment(public, bytes(shamir.SALT_BYTES), range(2**16)) == (None, 2**16)


def test_the_lab_commitment_publishes_no_salt_and_resists_the_same_search():
    shares, commitment = shamir.split_secret(2024, 5, 3, rng=4)
    assert len(commitment.to_bytes()) == 4 + 32  # threshold and digest only
    assert not hasattr(commitment, "salt")
    assert attacks.brute_force_commitment(commitment, bytes(shamir.SALT_BYTES), range(2**16))[0] is None
    # the salt travels inside the shares: t of them open the commitment
    assert shamir.reconstruct_secret(shares[:3], 3, commitment).tolist() == [2024]


def test_signed_keys_stop_the_key_swap_before_any_share_is_sent(updates):
    result = attacks.key_swap_attack(updates, 3, signed=True, rng=2)
    assert result.refused and "not signed by client 3's identity key" in result.refused
    assert not result.exposed and result.max_error == float("inf")


def test_a_signed_round_without_an_attacker_sums_correctly(updates):
    from ppml_lab import secure_aggregation as sa

    n, encoding = 5, FixedPointEncoding()
    identities = [sa.new_identity_key(u) for u in range(n)]
    pki = {u: key.public_key().public_bytes_raw() for u, key in enumerate(identities)}
    clients = [sa.SecAggClient(u, updates[u, :20], n, 3, encoding, rng=u, identity_key=identities[u], pki=pki)
               for u in range(n)]
    server = sa.SecAggServer(n, 3, 20, encoding)
    adverts = server.collect_adverts({c.index: c.advertise_keys() for c in clients})
    assert all(len(advert) == 68 + 64 for advert in adverts.values())
    inbox = server.route_shares({c.index: c.share_keys(adverts) for c in clients})
    survivors = server.collect_masked({c.index: c.masked_input(inbox[c.index]) for c in clients})
    total = server.aggregate({c.index: c.unmasking_shares(survivors) for c in clients})
    assert np.abs(total - updates[:n, :20].sum(axis=0)).max() <= n * encoding.precision / 2
    forged = dict(adverts)
    forged[1] = adverts[1][:40] + bytes(28) + adverts[1][68:]  # s_1 replaced, signature kept
    with pytest.raises(sa.ForgedKeyError, match="client 1"):
        sa.SecAggClient(0, updates[0, :20], n, 3, encoding, rng=9, pki=pki).share_keys(forged)


@pytest.mark.parametrize("threshold", [None, 3, N_CLIENTS - 1])
def test_the_server_with_threshold_colluders_unmasks_anyone_and_with_one_fewer_nothing(updates, threshold):
    t = threshold or N_CLIENTS // 2 + 1
    others = [u for u in range(N_CLIENTS) if u != 4]
    enough = attacks.collusion_attack(updates, 4, others[:t], threshold=threshold, rng=5)
    assert enough.exposed and enough.sum_error <= N_CLIENTS * FixedPointEncoding().precision / 2
    short = attacks.collusion_attack(updates, 4, others[:t - 1], threshold=threshold, rng=5)
    assert not short.exposed and f"fewer than threshold={t}" in short.refused
