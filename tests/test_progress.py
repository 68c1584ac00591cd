"""Progress bars: live in a kernel, a summary line or nothing in batch runs, never a saved '0%' bar."""

import pytest

from ppml_lab import progress


def test_off_mode_prints_nothing_and_yields_everything(monkeypatch, capsys):
    monkeypatch.setenv("PPML_LAB_PROGRESS", "off")
    assert list(progress.progress(range(3), "work")) == [0, 1, 2]
    assert capsys.readouterr().out == ""


def test_summary_mode_prints_one_finished_line(monkeypatch, capsys):
    monkeypatch.setenv("PPML_LAB_PROGRESS", "summary")
    with progress.Progress(total=4, desc="training 4 models") as bar:
        for _ in range(4):
            bar.update()
    bar.close()  # closing twice prints once
    assert capsys.readouterr().out == "training 4 models: 4/4 done\n"


def test_bar_mode_uses_tqdm_and_unknown_modes_fall_back_to_it(monkeypatch):
    monkeypatch.setenv("PPML_LAB_PROGRESS", "fancy")
    assert progress.progress_mode() == "bar"
    bar = progress.Progress(range(2), desc="x")
    assert bar._bar is not None
    assert list(bar) == [0, 1] and bar.n == 2


def test_disable_turns_any_mode_off(monkeypatch, capsys):
    monkeypatch.setenv("PPML_LAB_PROGRESS", "summary")
    assert list(progress.progress(range(2), "x", disable=True)) == [0, 1]
    assert capsys.readouterr().out == ""


def test_iterating_without_an_iterable_is_an_error():
    with pytest.raises(TypeError, match="iterable"):
        iter(progress.Progress(total=3)).__next__()
