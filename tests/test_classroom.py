"""Classroom editions with the real nbgrader: no solution leaks, the student edition runs, autograding scores
full marks, partial marks with feedback, and damaged submissions are graded and flagged (never silently 0)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from ppml_lab import classroom

pytest.importorskip("nbgrader")

ANSWER_1 = """sensitivity = None  # your answer
scale = None        # your answer
### BEGIN SOLUTION
sensitivity = (100 - 0) / 2000
scale = sensitivity / 0.5
### END SOLUTION"""
CHECK_1 = "lab.exercises.graded(lab.exercises.laplace.check_mean_query_scale(sensitivity, scale))"
ANSWER_2 = """def my_rr_estimate(responses, epsilon):
    ### BEGIN SOLUTION
    p = np.exp(epsilon) / (1 + np.exp(epsilon))
    return (np.mean(responses) - (1 - p)) / (2 * p - 1)
    ### END SOLUTION
    raise NotImplementedError  # your code"""
CHECK_2 = "lab.exercises.graded(lab.exercises.laplace.check_rr_estimator(my_rr_estimate))"


def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, points: int = 0) -> dict:
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": not solution, "schema_version": 3}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def make_lesson(path: Path) -> Path:
    """A two-exercise lesson in the instructor format, executed (so its outputs hold the answers)."""
    cells = [nbformat.v4.new_markdown_cell("# Demo lesson\nWhat you will learn: grading."),
             nbformat.v4.new_code_cell("import numpy as np\nimport ppml_lab as lab"),  # no torch import: fast
             nbformat.v4.new_markdown_cell("**Exercise 1.** The Laplace scale of a mean."),
             nbformat.v4.new_code_cell(ANSWER_1, metadata=_meta("ex1-answer", solution=True)),
             nbformat.v4.new_code_cell(CHECK_1, metadata=_meta("ex1-check", grade=True, points=2)),
             nbformat.v4.new_markdown_cell("**Exercise 2.** Undo randomized response."),
             nbformat.v4.new_code_cell(ANSWER_2, metadata=_meta("ex2-answer", solution=True)),
             nbformat.v4.new_code_cell(CHECK_2, metadata=_meta("ex2-check", grade=True, points=3))]
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3",
                                                                             "display_name": "Python 3",
                                                                             "language": "python"}})
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="session")
def edition(tmp_path_factory):
    """(instructor notebook, student notebook, course folder) for the demo lesson."""
    base = tmp_path_factory.mktemp("classroom")
    instructor = make_lesson(base / "99_demo.ipynb")
    course = base / "course"
    (student,) = classroom.generate_student_edition([instructor], course)
    return instructor, student, course


def _set_answer(student: Path, target: Path, grade_id: str, source: str) -> Path:
    notebook = nbformat.read(student, as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = source
    nbformat.write(notebook, target)
    return target


def test_instructor_edition_holds_the_answers(edition):
    instructor, _, _ = edition
    code, outputs = classroom.solution_texts(instructor)
    assert "scale = sensitivity / 0.5" in code
    assert any("Correct" in line and "scale 0.1" in line for line in outputs)


def test_student_edition_leaks_no_solution_code_or_output(edition):
    instructor, student, _ = edition
    assert classroom.leaked_solutions(instructor, student) == []
    text = student.read_text()
    assert "BEGIN SOLUTION" not in text and "scale 0.1" not in text and "# your code here" in text
    # and the leak check itself can fail: the instructor edition leaks everything
    assert classroom.leaked_solutions(instructor, instructor)


def test_student_edition_runs_unchanged_and_shows_not_yet(edition):
    _, student, _ = edition
    notebook = nbformat.read(student, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    feedback = [o["data"]["text/plain"] for c in notebook.cells for o in c.get("outputs", []) if "data" in o]
    assert any("Not yet" in text and "fill in both" in text for text in feedback)


def test_autograde_scores_solutions_mistakes_and_damaged_submissions(edition, tmp_path):
    instructor, student, course = edition
    submissions = tmp_path / "submissions"
    name = student.name
    for who in ("ada", "ben", "cy", "dee", "eve"):
        (submissions / who / "99_demo").mkdir(parents=True)
    # ada: the instructor's solutions; ben: unchanged; cy: multiplies by epsilon (a typical mistake)
    shutil.copy(instructor, submissions / "ada" / "99_demo" / name)
    shutil.copy(student, submissions / "ben" / "99_demo" / name)
    _set_answer(instructor, submissions / "cy" / "99_demo" / name, "ex1-answer",
                "sensitivity = 100 / 2000\nscale = sensitivity * 0.5")
    # dee deletes the graded check cell of exercise 1 and duplicates exercise 2's answer cell (solved)
    notebook = json.loads(instructor.read_text())
    cells = notebook["cells"]
    answer_2 = next(c for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") == "ex2-answer")
    notebook["cells"] = [c for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") != "ex1-check"]
    notebook["cells"].insert(notebook["cells"].index(answer_2), json.loads(json.dumps(answer_2)))
    (submissions / "dee" / "99_demo" / name).write_text(json.dumps(notebook))
    # eve re-types exercise 1's answer cell as markdown (then writes her answer in a new, unmarked cell)
    notebook = json.loads(instructor.read_text())
    answer_1 = next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "ex1-answer")
    answer_1["cell_type"] = "markdown"
    answer_1.pop("outputs"), answer_1.pop("execution_count")
    position = notebook["cells"].index(answer_1)
    notebook["cells"].insert(position + 1, nbformat.v4.new_code_cell("sensitivity, scale = 0.05, 0.1"))
    (submissions / "eve" / "99_demo" / name).write_text(json.dumps(notebook, default=dict))

    table = classroom.grade_submissions(submissions, course)
    scores = table.pivot(index="student", columns="exercise", values="score")
    assert scores.loc["ada"].tolist() == [2.0, 3.0]
    assert scores.loc["ben"].tolist() == [0.0, 0.0]
    assert scores.loc["cy"].tolist() == [0.0, 3.0]  # partial marks
    cy = table[(table.student == "cy") & (table.exercise == "ex1-check")].iloc[0]
    assert "you multiplied by epsilon" in cy.feedback
    dee = table[table.student == "dee"]
    assert dee.set_index("exercise").score.tolist() == [2.0, 3.0]  # the deleted check was restored and passed
    assert "ex1-check was deleted" in dee.notes.iloc[0] and "ex2-answer appears 2 times" in dee.notes.iloc[0]
    eve = table[table.student == "eve"]
    assert "ex1-answer was changed from code to markdown" in eve.notes.iloc[0]
    assert eve.set_index("exercise").score.tolist() == [2.0, 3.0]
    assert (course / "grades.csv").is_file()


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="submissions"):
        classroom.grade_submissions(tmp_path / "nowhere", tmp_path)
    with pytest.raises(ValueError, match="notebooks"):
        classroom.generate_student_edition([tmp_path / "missing.ipynb"], tmp_path)


@pytest.fixture(scope="session")
def lessons_student_edition(tmp_path_factory):
    """The student edition of every lesson, generated by the real nbgrader (what `make student` writes)."""
    course = tmp_path_factory.mktemp("lessons")
    return dict(zip(classroom.lesson_notebooks(), classroom.generate_student_edition(None, course)))


@pytest.mark.parametrize("lesson", classroom.lesson_notebooks(), ids=lambda p: p.stem)
def test_no_lesson_leaks_a_solution_to_students(lessons_student_edition, lesson):
    student = lessons_student_edition[lesson]
    code, outputs = classroom.solution_texts(lesson)
    assert code and outputs, f"{lesson.name} should hold solutions and their checks' outputs"
    assert classroom.leaked_solutions(lesson, student) == []
    cells = json.loads(student.read_text())["cells"]
    assert not any(c.get("outputs") for c in cells if c["cell_type"] == "code"), "the student edition has no outputs"
