"""Every committed notebook was executed top to bottom, has no errors, and follows the lesson template.

nbval (run by `make test`) then checks that a fresh run reproduces the committed outputs.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def code_cells(path: Path) -> list[dict]:
    cells = json.loads(path.read_text())["cells"]
    return [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_top_to_bottom_without_errors(path):
    cells = code_cells(path)
    counts = [c.get("execution_count") for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name} was not executed top to bottom in one run (execution counts {counts}); "
        "run `make notebooks NB=notebooks/" + path.name + "`")
    errors = [o for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name} has error outputs: {[e.get('ename') for e in errors]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_follows_the_lesson_template(path):
    cells = json.loads(path.read_text())["cells"]
    first_markdown = "".join(cells[0]["source"])
    assert first_markdown.startswith("# ") and "What you will learn" in first_markdown
    sources = ["".join(c["source"]) for c in code_cells(path)]
    assert "import ppml_lab as lab" in sources[0] and "lab.seed_everything(" in sources[0]
    answers = [c for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    graded = [c for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    assert len(answers) >= 2 and len(graded) >= 2, (
        f"{path.name} needs at least two nbgrader exercises (an answer cell and a graded check cell each)")
    assert all("### BEGIN SOLUTION" in "".join(c["source"]) and "### END SOLUTION" in "".join(c["source"])
               for c in answers), "every answer cell marks its solution with ### BEGIN/END SOLUTION"
    for cell in graded:
        meta = cell["metadata"]["nbgrader"]
        assert meta.get("locked") and meta.get("points", 0) > 0, f"graded cell {meta.get('grade_id')} must be locked"
        assert "".join(cell["source"]).startswith("lab.exercises.graded("), (
            f"graded cell {meta.get('grade_id')} must call lab.exercises.graded(<a lab.exercises check>)")
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in answers + graded]
    assert len(ids) == len(set(ids)), f"{path.name} repeats an nbgrader grade_id"
    assert not [c for c in cells if "solution" in c.get("metadata", {}).get("tags", [])], (
        "solutions are marked the nbgrader way now, not as hidden cells tagged 'solution'")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_import_style(path):
    """One import style, as d2l always writes ``d2l.X``: ``import ppml_lab as lab``, then ``lab.<module>.X``."""
    import inspect

    import ppml_lab as lab

    def is_alias(line: str) -> bool:  # `fl = lab.federated` or `Recipe = lab.attacks.membership.TrainingRecipe`
        match = re.match(r"\s*\w+ = lab((?:\.\w+)+)\s*(#.*)?$", line)
        if not match:
            return False
        target = lab
        for part in match.group(1).split(".")[1:]:
            target = getattr(target, part)
        return inspect.ismodule(target) or inspect.isfunction(target) or inspect.isclass(target)

    other = [line.strip() for cell in code_cells(path) for line in "".join(cell["source"]).splitlines()
             if re.match(r"\s*(from ppml_lab\b|import ppml_lab\b(?! as lab$))", line) or is_alias(line)]
    assert not other, f"{path.name}: write `import ppml_lab as lab` and use lab.<module>.X, not {other}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_listed_in_readme(path):
    assert path.name in (ROOT / "README.md").read_text(), f"add {path.name} to the README's table of notebooks"


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_reads_without_a_kernel(path):
    """On GitHub, nbviewer or a PDF a widget shows nothing: every widget output carries its figure as a PNG,
    and no output is a progress bar saved unfinished (a tqdm widget's saved text always reads 0%)."""
    for index, cell in enumerate(json.loads(path.read_text())["cells"]):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            text = "".join(output.get("text", "")) + "".join(data.get("text/plain", ""))
            unfinished = [m.group(0) for m in re.finditer(r"(\d+)%\|[^|]*\|\s*(\d+)/(\d+)", text)
                          if m.group(2) != m.group(3)]
            assert not unfinished, f"{path.name} cell {index} saves an unfinished progress bar: {unfinished[0]!r}"
            if WIDGET_VIEW in data:
                assert "image/png" in data, (
                    f"{path.name} cell {index} shows a widget with no image/png: it reads as "
                    f"{''.join(data.get('text/plain', ''))!r} without a kernel (use lab.widgets.LinkedPlot)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_states_what_it_protects_against(path):
    """Each lesson says who is trusted, what the attacker sees, and what the technique does not protect."""
    headings = [line for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown"
                for line in "".join(c["source"]).splitlines() if line.startswith("#")]
    assert any(re.search(r"what (this|it|they) protects? against", h, re.I) for h in headings), (
        f"{path.name} needs a section headed 'What this protects against, and what it does not'")
