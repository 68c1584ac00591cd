"""Tests for ppml_lab/secure_aggregation/ (Bonawitz et al. 2017): exact sums, uniform-looking masked
updates, dropout recovery, tamper detection and input validation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from ppml_lab import secure_aggregation as sa
from ppml_lab.secure_aggregation import FixedPointEncoding, TamperedShareError

N_CLIENTS, SIZE = 12, 2000


@pytest.fixture(scope="module")
def updates() -> np.ndarray:
    return np.random.default_rng(0).uniform(-1, 1, size=(N_CLIENTS, SIZE))


# --- fixed-point encoding ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("bits", [16, 32, 64])
def test_encoding_round_trip_is_within_half_a_step(bits):
    encoding = FixedPointEncoding(precision=1e-3, value_range=2.0, modulus_bits=bits)
    values = np.random.default_rng(1).uniform(-2, 2, 5000)
    decoded = encoding.decode(encoding.encode(values))
    assert np.abs(decoded - values).max() <= encoding.precision / 2 + 1e-12
    assert encoding.encode(values).max() < 2**bits


def test_negative_numbers_wrap_around_the_ring():
    encoding = FixedPointEncoding(precision=1.0, value_range=10.0, modulus_bits=8)
    assert encoding.encode([-1.0, 3.0]).tolist() == [255, 3]
    assert encoding.decode(encoding.encode([-1.0]) + encoding.encode([3.0])).tolist() == [2.0]


@pytest.mark.parametrize("kwargs,match", [
    ({"precision": 0.0}, "precision"), ({"precision": -1e-3}, "precision"), ({"value_range": 0}, "value_range"),
    ({"modulus_bits": 4}, "modulus_bits"), ({"modulus_bits": 65}, "modulus_bits"),
    ({"precision": 1e-9, "value_range": 10.0, "modulus_bits": 16}, "does not fit"),
])
def test_bad_encoding_raises(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FixedPointEncoding(**kwargs)


@pytest.mark.parametrize("values", [[1.5], [-1.0001], [np.nan], [np.inf]])
def test_values_outside_the_encodable_range_raise(values):
    with pytest.raises(ValueError, match="values"):
        FixedPointEncoding(value_range=1.0).encode(values)


def test_capacity_is_checked():
    encoding = FixedPointEncoding(precision=2**-8, value_range=1.0, modulus_bits=16)
    assert encoding.max_clients == (2**15 - 1) // 256
    encoding.check_capacity(encoding.max_clients)
    with pytest.raises(ValueError, match="n_clients"):
        encoding.check_capacity(encoding.max_clients + 1)


# --- primitives ----------------------------------------------------------------------------------------------------

def test_private_keys_from_a_seed_are_reproducible():
    a, b = sa.new_private_key(rng=5), sa.new_private_key(rng=5)
    assert a.public_key().public_bytes_raw() == b.public_key().public_bytes_raw()
    assert sa.new_private_key().public_key().public_bytes_raw() != a.public_key().public_bytes_raw()


def test_both_ends_agree_on_the_pairwise_seed():
    alice, bob = sa.new_private_key(rng=1), sa.new_private_key(rng=2)
    a_pub, b_pub = alice.public_key().public_bytes_raw(), bob.public_key().public_bytes_raw()
    assert sa.agree_seed(alice, b_pub) == sa.agree_seed(bob, a_pub)
    assert sa.agree_seed(alice, b_pub, b"share encryption") != sa.agree_seed(alice, b_pub)
    assert len(sa.agree_seed(alice, b_pub)) == 32


def test_prg_is_the_aes_ctr_keystream_of_another_library():
    """The PRG against pycryptodome's AES-256-CTR on the same key (an independent implementation)."""
    aes = pytest.importorskip("Crypto.Cipher.AES")
    seed = bytes(range(32))
    reference = aes.new(seed, aes.MODE_CTR, nonce=b"", initial_value=bytes(16)).encrypt(bytes(4 * 100))
    expected = np.frombuffer(reference, dtype="<u4").astype(np.uint64)
    np.testing.assert_array_equal(sa.prg_mask(seed, 100, 32), expected)
    assert sa.prg_mask(seed, 100, 20).max() < 2**20
    assert not np.array_equal(sa.prg_mask(seed, 100), sa.prg_mask(bytes(32), 100))


def test_pairwise_masks_cancel_in_the_sum():
    rng = np.random.default_rng(3)
    keys = [sa.new_private_key(rng) for _ in range(4)]
    publics = [k.public_key().public_bytes_raw() for k in keys]
    encoded = [rng.integers(0, 2**32, 50, dtype=np.uint64) for _ in keys]
    self_seeds = [rng.bytes(32) for _ in keys]
    total = np.zeros(50, dtype=np.uint64)
    for u, key in enumerate(keys):
        seeds = {v: sa.agree_seed(key, publics[v]) for v in range(4) if v != u}
        masked = sa.mask_update(encoded[u], u, self_seeds[u], seeds)
        assert not np.array_equal(masked, encoded[u])
        total = total + masked - sa.prg_mask(self_seeds[u], 50)
    np.testing.assert_array_equal(total & np.uint64(2**32 - 1), np.sum(encoded, axis=0) & np.uint64(2**32 - 1))


# --- the protocol ------------------------------------------------------------------------------------------------

def test_sum_is_exact_up_to_encoding_precision(updates):
    result = sa.secure_aggregate(updates, rng=0)
    assert result.included == list(range(N_CLIENTS))
    error = np.abs(result.total - updates.sum(axis=0)).max()
    assert error <= result.max_error == N_CLIENTS * result.encoding.precision / 2
    np.testing.assert_allclose(result.mean, updates.mean(axis=0), atol=result.encoding.precision / 2)


def test_representable_updates_sum_exactly():
    encoding = FixedPointEncoding(precision=0.25, value_range=8.0, modulus_bits=16)
    updates = np.random.default_rng(2).integers(-32, 33, size=(5, 3, 4)) / 4.0  # a shape, not only vectors
    result = sa.secure_aggregate(updates, encoding=encoding, threshold=3, rng=1)
    np.testing.assert_array_equal(result.total, updates.sum(axis=0))


def test_masked_update_is_indistinguishable_from_uniform(updates):
    """Chi-square on the 2,000 ring elements of one masked update, binned into 40 equal bins of [0, 2^32)
    (seeded keys; p > 0.001 must hold for every client), while the raw encoded update fails the same test."""
    result = sa.secure_aggregate(np.full_like(updates, 0.5), rng=0)  # the most predictable input
    for masked in result.masked_inputs.values():
        counts, _ = np.histogram(masked.astype(float), bins=40, range=(0, 2**32))
        assert stats.chisquare(counts).pvalue > 1e-3
    encoded = result.encoding.encode(updates[0]).astype(float)
    counts, _ = np.histogram(encoded, bins=40, range=(0, 2**32))
    assert stats.chisquare(counts).pvalue < 1e-10
    assert abs(stats.pearsonr(result.masked_inputs[0].astype(float),
                              FixedPointEncoding().encode(updates[0]).astype(float))[0]) < 0.1


@pytest.mark.parametrize("before,after", [
    ([1, 4, 7], [2, 9]),  # the most that may drop: n - threshold = 12 - 7 = 5
    ([0, 1, 2, 3, 4], []),
    ([], [5, 6, 7, 8, 11]),
])
def test_sum_survives_dropouts_before_and_after_masking(updates, before, after):
    result = sa.secure_aggregate(updates, drop_before_masking=before, drop_after_masking=after, rng=4)
    assert result.threshold == 7
    expected_members = [u for u in range(N_CLIENTS) if u not in before]  # late droppers' updates still count
    assert result.included == expected_members
    error = np.abs(result.total - updates[expected_members].sum(axis=0)).max()
    assert error <= result.max_error


def test_too_many_dropouts_raise_before_any_work(updates):
    with pytest.raises(ValueError, match="at most 5 may drop"):
        sa.secure_aggregate(updates, drop_before_masking=[0, 1, 2], drop_after_masking=[3, 4, 5])


def _run_to_unmasking(updates, before=(), threshold=None, rng=0):
    """Drive the rounds by hand, returning what is needed to tamper with the last ones."""
    encoding = FixedPointEncoding()
    n = len(updates)
    threshold = threshold or n // 2 + 1
    rngs = np.random.default_rng(rng).spawn(n)
    clients = [sa.SecAggClient(u, updates[u], n, threshold, encoding, rngs[u]) for u in range(n)]
    server = sa.SecAggServer(n, threshold, updates.shape[1], encoding)
    adverts = server.collect_adverts({c.index: c.advertise_keys() for c in clients})
    inbox = server.route_shares({c.index: c.share_keys(adverts) for c in clients})
    senders = [c for c in clients if c.index not in before]
    survivors = server.collect_masked({c.index: c.masked_input(inbox[c.index]) for c in senders})
    return clients, server, senders, survivors, inbox


def test_a_ciphertext_altered_in_transit_is_refused(updates):
    encoding = FixedPointEncoding()
    n = 5
    clients = [sa.SecAggClient(u, updates[u, :100], n, 3, encoding, u) for u in range(n)]
    server = sa.SecAggServer(n, 3, 100, encoding)
    adverts = server.collect_adverts({c.index: c.advertise_keys() for c in clients})
    inbox = server.route_shares({c.index: c.share_keys(adverts) for c in clients})
    ciphertext = bytearray(inbox[2][0])
    ciphertext[10] ^= 1  # the server (or the network) flips one bit of client 0's shares for client 2
    inbox[2][0] = bytes(ciphertext)
    survivors = server.collect_masked({c.index: c.masked_input(inbox[c.index]) for c in clients})
    with pytest.raises(TamperedShareError, match="from client 0 to client 2 failed AES-GCM authentication"):
        clients[2].unmasking_shares(survivors)


@pytest.mark.parametrize("before", [(), (3,)])
def test_a_tampered_share_in_the_unmasking_round_is_detected(updates, before):
    small = updates[:6, :100]
    clients, server, senders, survivors, _ = _run_to_unmasking(small, before=before)
    messages = {c.index: c.unmasking_shares(survivors) for c in senders}
    holder = min(messages)  # a share the server will use
    corrupted = bytearray(messages[holder])
    record = 4 + 1 + sa.SHARE_BYTES
    owner = 3 if before else 0  # the key share of the dropped client, or the seed share of client 0
    offset = [i for i in range(0, len(corrupted), record)
              if int.from_bytes(corrupted[i:i + 4], "little") == owner][0]
    corrupted[offset + 5 + 4] ^= 0x40  # change one limb of the share value
    messages[holder] = bytes(corrupted)
    with pytest.raises(TamperedShareError, match=f"client {owner}'s .* does not match the dealer's commitment"):
        server.aggregate(messages)


def test_server_never_gets_both_secrets_of_a_client(updates):
    small = updates[:6, :50]
    _, _, senders, survivors, _ = _run_to_unmasking(small, before=(1,))
    record = 4 + 1 + sa.SHARE_BYTES
    for client in senders:
        message = client.unmasking_shares(survivors)
        kinds = {int.from_bytes(message[i:i + 4], "little"): message[i + 4:i + 5]
                 for i in range(0, len(message), record)}
        assert len(kinds) * record == len(message)  # one share per owner, never two
        assert kinds[1] == b"s" and all(kinds[u] == b"b" for u in survivors)


def test_clients_refuse_to_unmask_too_few_survivors(updates):
    clients, *_ = _run_to_unmasking(updates[:5, :20], threshold=3)
    with pytest.raises(RuntimeError, match="fewer than threshold=3"):
        clients[0].unmasking_shares([0, 1])


def test_bytes_per_client_follow_the_protocol(updates):
    result = sa.secure_aggregate(updates[:, :100], rng=0)
    n, size = N_CLIENTS, 100
    expected = (68 + 2 * sa.COMMITMENT_BYTES + (n - 1) * (4 + sa.CIPHERTEXT_BYTES) + 4 * size
                + n * (4 + 1 + sa.SHARE_BYTES))
    assert result.bytes_sent.tolist() == [expected] * n


def test_seeded_runs_are_reproducible(updates):
    a = sa.secure_aggregate(updates[:4, :50], rng=7)
    b = sa.secure_aggregate(updates[:4, :50], rng=7)
    c = sa.secure_aggregate(updates[:4, :50], rng=8)
    np.testing.assert_array_equal(a.masked_inputs[0], b.masked_inputs[0])
    assert not np.array_equal(a.masked_inputs[0], c.masked_inputs[0])
    np.testing.assert_array_equal(a.total, c.total)  # the masks change, the sum does not


@pytest.mark.parametrize("kwargs,match", [
    ({"threshold": 13}, "threshold must be in"),
    ({"threshold": 1}, "threshold"),
    ({"drop_before_masking": [12]}, "drop_before_masking"),
    ({"drop_before_masking": [1], "drop_after_masking": [1]}, "both before and after"),
    ({"encoding": "fixed"}, "encoding"),
])
def test_bad_protocol_arguments_raise(updates, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sa.secure_aggregate(updates, **kwargs)


def test_bad_updates_raise(updates):
    with pytest.raises(ValueError, match="updates must lie in"):
        sa.secure_aggregate(updates * 3)
    with pytest.raises(ValueError, match="number of clients"):
        sa.secure_aggregate(updates[:1])
    with pytest.raises(ValueError, match="n_clients=12"):
        sa.secure_aggregate(updates, encoding=FixedPointEncoding(precision=2**-8, modulus_bits=12))


# --- the lesson's exercise checks (ppml_lab/exercises/secure_aggregation.py) -------------------------------------

def test_benchmark_sampled_mode_recovers_the_sum_and_matches_full_mode_bytes():
    """benchmarks/secure_aggregation.py's stand-in clients must send what real clients send, or its
    1,000-client figures would not describe the protocol: the sum must come out right and the sampled
    clients' traffic must equal the full run's."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "secure_aggregation.py"
    spec = importlib.util.spec_from_file_location("secure_aggregation_benchmark", path)
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    sampled = benchmark.measure_sampled(30, size=200, sample=4)
    full = benchmark.measure_full(30, size=200)
    assert sampled["dropped_before"] == full["dropped_before"] > 0 and sampled["dropped_after"] > 0
    assert sampled["max_abs_error"] <= sampled["error_bound"] and full["max_abs_error"] <= full["error_bound"]
    assert sampled["sent_kB_per_client"] == full["sent_kB_per_client"]
    assert sampled["received_kB_per_client"] == full["received_kB_per_client"]


# --- the widget's compute function and its figures ------------------------------------------------------------

def test_round_cost_recovers_up_to_n_minus_t_dropouts_and_counts_bytes_per_round(tmp_path, monkeypatch):
    monkeypatch.setenv("PPML_LAB_CACHE", str(tmp_path))
    n, t, size = 8, 5, 100
    ok = sa.round_cost(n, t, n - t, size=size)
    assert ok["recovered"] and ok["max_error"] <= n * FixedPointEncoding().precision / 2
    assert ok["bytes_by_round"][0] == 68 and ok["bytes_by_round"][2] == 4 * size
    assert ok["bytes_by_round"][1] == 2 * sa.COMMITMENT_BYTES + (n - 1) * (4 + sa.CIPHERTEXT_BYTES)
    assert ok["bytes_by_round"][3] == n * (4 + 1 + sa.SHARE_BYTES)  # one share per client that shared keys
    failed = sa.round_cost(n, t, n - t + 1, size=size)
    assert not failed["recovered"] and "fewer than threshold" in failed["reason"]
    assert sa.round_cost(n, t, n - t, size=size) == ok  # served from the cache
    assert len(list(tmp_path.rglob("*.pkl"))) == 2


@pytest.mark.parametrize("kwargs,match", [
    ({"n_clients": 1}, "n_clients"), ({"threshold": 9}, "threshold"), ({"dropouts": 9}, "dropouts"),
    ({"dropouts": -1}, "dropouts"), ({"size": 0}, "size"),
])
def test_round_cost_refuses_bad_arguments(kwargs, match):
    arguments = {"n_clients": 8, "threshold": 5, "dropouts": 0, "size": 10, "use_cache": False} | kwargs
    with pytest.raises(ValueError, match=match):
        sa.round_cost(**arguments)


def test_figures_draw():
    import matplotlib.pyplot as plt

    from ppml_lab import plots

    figure = plots.plot_secagg_rounds()
    assert len(figure.axes) == 1
    plt.close(figure)
    figure = plots.plot_secagg_round_cost(sa.round_cost(6, 4, 3, size=20, use_cache=False))
    assert "NOT recovered" in figure._suptitle.get_text()
    plt.close(figure)


def test_secure_fedavg_matches_plain_fedavg_up_to_the_encoding():
    from ppml_lab import secure_fedavg

    rng = np.random.default_rng(5)
    truth = np.array([1.0, -0.5, 0.25])
    data = []
    for size in [10, 30, 60]:
        features = rng.normal(size=(size, 3))
        data.append((features, features @ truth + rng.normal(0, 0.1, size)))
    history = secure_fedavg.secure_fedavg(data, rounds=6, scale=100, true_weights=truth, rng=1)
    assert list(history.index) == [1, 2, 3, 4, 5, 6]
    assert (history["|secure - plain|"] < 1e-4).all()
    assert history["distance to true weights"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="scale"):
        secure_fedavg.secure_fedavg(data, rounds=1, scale=50)


def test_linear_local_update_is_gradient_descent_clipped():
    from ppml_lab.secure_fedavg import linear_local_update

    features, targets = np.eye(2), np.array([10.0, -0.2])
    step = linear_local_update(np.zeros(2), features, targets, steps=1, lr=0.5)
    np.testing.assert_allclose(step, [1.0, -0.05])  # 0.5 * 10 / 2 = 2.5, clipped to 1
    with pytest.raises(ValueError, match="features"):
        linear_local_update(np.zeros(3), features, targets)
