"""``python -m ppml_lab capstone``: the table as CSV, the figure as PNG, the guide as Markdown; one-line errors."""

from __future__ import annotations

import pandas as pd
import pytest

import ppml_lab.capstone as capstone
from ppml_lab.__main__ import main

SMALL = capstone.CapstoneConfig(n_train=300, n_heldout=100, epochs=2, batch_size=64, rounds=2, seeds=(0,),
                                key_bits=256, n_encrypted=2)


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PPML_LAB_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def small_pipeline(monkeypatch):
    """The real pipeline and guide on a tiny configuration (the CLI's own is lesson 11's, a minute of work)."""
    run, measure = capstone.run_pipeline, capstone.measure_overheads
    monkeypatch.setattr(capstone, "run_pipeline", lambda config, progress=True: run(SMALL, progress=False))
    monkeypatch.setattr(capstone, "measure_overheads", lambda config: measure(SMALL, paillier_ops=1))


def test_capstone_writes_table_figure_and_guide(tmp_path, capsys, small_pipeline):
    out, guide = tmp_path / "run", tmp_path / "docs" / "decision_guide.md"
    assert main(["capstone", "--out", str(out), "--seeds", "1", "--guide", str(guide), "--no-progress"]) == 0
    table = pd.read_csv(out / "table.csv")
    assert len(table) == 11 and {"utility ×", "compute ×", "communication ×", "attack before", "attack after", "ε",
                                "requirements"} <= set(table.columns)
    assert table.loc[0, "utility ×"] == 1.0 and table.loc[0, "communication ×"] == 1.0
    assert (out / "cost_protection.png").stat().st_size > 5_000
    text = guide.read_text()
    assert text.startswith("# Which technique when") and "per second" in text
    assert "table.csv" in capsys.readouterr().out


@pytest.mark.parametrize("args, flag", [(["--seeds", "0"], "--seeds"), (["--guide", "guide.txt"], "--guide")])
def test_bad_arguments_exit_2_with_one_line(tmp_path, capsys, args, flag):
    out = tmp_path / "run"
    assert main(["capstone", "--out", str(out), *args]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and flag in error
    assert not out.exists()


def test_out_must_be_a_folder(tmp_path, capsys):
    target = tmp_path / "file.csv"
    target.write_text("x")
    assert main(["capstone", "--out", str(target)]) == 2
    assert "--out must be a folder" in capsys.readouterr().err


def test_missing_out_is_refused_by_argparse(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["capstone"])
    assert stop.value.code == 2
    assert "--out" in capsys.readouterr().err
