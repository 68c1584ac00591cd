import pytest

from ppml_lab import cache


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PPML_LAB_CACHE", str(tmp_path))


def test_cached_computes_once_per_inputs():
    calls = []
    compute = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert cache.cached("demo", {"epsilon": 1.0}, compute) == 1
    assert cache.cached("demo", {"epsilon": 1.0}, compute) == 1
    assert cache.cached("demo", {"epsilon": 2.0}, compute) == 2
    assert cache.cached("demo", {"epsilon": 2.0}, compute, enabled=False) == 3


def test_key_depends_on_inputs_namespace_and_version(monkeypatch):
    base = cache.cache_key("a", {"x": 1})
    assert base == cache.cache_key("a", {"x": 1})
    assert base != cache.cache_key("a", {"x": 2}) != cache.cache_key("b", {"x": 1})
    monkeypatch.setattr("ppml_lab.__version__", "999")
    assert cache.cache_key("a", {"x": 1}) != base


def test_corrupt_entry_is_recomputed(tmp_path):
    cache.cached("demo", {"k": 1}, lambda: "good")
    (entry,) = (tmp_path / "demo").glob("*.pkl")
    entry.write_bytes(b"")
    assert cache.cached("demo", {"k": 1}, lambda: "fresh") == "fresh"


def test_key_depends_on_the_package_code(monkeypatch):
    """A warm cache must not serve what older code computed (the version number alone does not change)."""
    base = cache.cache_key("a", {"x": 1})
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "edited-code")
    assert cache.cache_key("a", {"x": 1}) != base
    monkeypatch.undo()
    assert len(cache.code_fingerprint()) == 16 and cache.cache_key("a", {"x": 1}) == base
