"""Tests for the command line (ppml_lab/__main__.py): outputs of a good run, one-line errors for bad ones."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from ppml_lab.__main__ import main

COLUMNS = ["epsilon_target", "epsilon_spent", "delta", "clip", "noise_multiplier", "accuracy", "train_seconds"]


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PPML_LAB_CACHE", str(tmp_path / "cache"))


def test_sweep_writes_results_and_frontier(tmp_path, capsys):
    out = tmp_path / "run"
    status = main(["sweep", "dpsgd", "--dataset", "mnist5k", "--epsilon", "1", "4", "--clip", "1", "--epochs", "1",
                   "--seeds", "2", "--batch-size", "500", "--accountant", "rdp", "--no-progress", "--out", str(out)])
    assert status == 0
    results = pd.read_csv(out / "results.csv")
    assert set(COLUMNS) <= set(results.columns)
    assert len(results) == 2 * 1 * 2 + 2  # cells x seeds, plus one baseline per seed
    private = results[results["private"]]
    assert (private["epsilon_spent"] <= private["epsilon_target"] + 0.02).all()
    assert (out / "frontier.png").stat().st_size > 5_000
    assert "results.csv" in capsys.readouterr().out


@pytest.mark.parametrize("args, flag", [
    (["--epsilon", "0", "1", "--clip", "1"], "--epsilon"), (["--epsilon", "-2", "--clip", "1"], "--epsilon"),
    (["--epsilon", "1", "--clip", "0"], "--clip"),
    (["--epsilon", "1", "--clip", "1", "--dataset", "cifar"], "--dataset"),
    (["--epsilon", "1", "--clip", "1", "--seeds", "0"], "--seeds"), (["--epsilon", "1", "--clip", "1", "--epochs", "0"],
                                                                      "--epochs"),
    (["--epsilon", "one", "--clip", "1"], "--epsilon"), (["--clip", "1"], "--epsilon"),
    (["--epsilon", "1", "--clip", "1", "--backend", "dask"], "--backend"),
    (["--epsilon", "1", "--clip", "1", "--address", "auto"], "--address"),  # an address needs --backend ray
    (["--epsilon", "1", "--clip", "1", "--backend", "ray", "--address", "head-node"], "--address"),
    (["--epsilon", "1", "--clip", "1", "--backend", "ray", "--address", "ray://127.0.0.1:1"], "--address"),
    (["--epsilon", "1", "--clip", "1", "--grad-sample-mode", "vmap"], "--grad-sample-mode"),
])
def test_bad_arguments_exit_nonzero_with_one_line_and_write_nothing(tmp_path, capsys, args, flag):
    out = tmp_path / "run"
    try:
        status = main(["sweep", "dpsgd", *args, "--out", str(out)])
    except SystemExit as exit_:  # argparse's own errors (unparsable or missing values)
        status = exit_.code
    assert status != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and flag in err
    assert not out.exists() and not (tmp_path / "cache").exists()


def test_module_entry_point_exit_status(tmp_path):
    process = subprocess.run([sys.executable, "-m", "ppml_lab", "sweep", "dpsgd", "--epsilon", "0", "--clip", "1",
                              "--out", str(tmp_path / "x")], capture_output=True, text=True, timeout=120, check=False)
    assert process.returncode == 2
    assert process.stderr.strip().splitlines() == [("python -m ppml_lab: error: --epsilon values must be finite "
                                                    "numbers > 0, got 0")]


def test_an_unreachable_ray_address_exits_2_with_one_line_within_seconds(tmp_path):
    process = subprocess.run([sys.executable, "-m", "ppml_lab", "sweep", "dpsgd", "--epsilon", "1", "--clip", "1",
                              "--backend", "ray", "--address", "127.0.0.1:1", "--out", str(tmp_path / "x")],
                             capture_output=True, text=True, timeout=60, check=False)
    assert process.returncode == 2
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("python -m ppml_lab: error: --address '127.0.0.1:1' is not "
                                                   "reachable")
    assert not (tmp_path / "x").exists()
