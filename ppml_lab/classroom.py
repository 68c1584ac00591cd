"""Classroom editions: student notebooks without answers, and autograding, both with the real nbgrader.

The committed notebooks are the *instructor edition*: each exercise is an nbgrader "autograded answer" cell
(solution code between ``### BEGIN SOLUTION`` and ``### END SOLUTION``) followed by a locked, graded cell that
calls the lesson's ``ppml_lab.exercises`` check through :func:`ppml_lab.exercises.graded`. This module

- writes the *student edition* (``make student``): ``nbgrader generate_assignment`` removes every solution and
  every output, so neither the code nor a printed answer can be read from it;
- grades a folder of submissions (``make grade SUBMISSIONS=DIR``): ``nbgrader autograde`` into nbgrader's
  gradebook (SQLite), then one CSV row per student and exercise, with the feedback of a failed check and a note
  when a student deleted, duplicated or re-typed a graded cell (graded all the same, never silently 0).

Course folder: ``classroom/`` (git-ignored): ``source/`` (copies of the instructor edition), ``release/`` (the
student edition), ``submitted/``, ``autograded/``, ``gradebook.db`` and ``grades.csv``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from .validation import ParameterTypeError

__all__ = ["ROOT", "COURSE_DIR", "lesson_notebooks", "write_config", "generate_student_edition",
           "solution_texts", "leaked_solutions", "submission_problems", "grade_submissions", "main"]

ROOT = Path(__file__).resolve().parents[1]
COURSE_DIR = ROOT / "classroom"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CONFIG = """# Written by ppml_lab.classroom: nbgrader settings for the lab's classroom editions.
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db!r}
c.ClearSolutions.code_stub = {{"python": "# your code here"}}
c.ClearSolutions.enforce_metadata = True
c.OverwriteCells.add_missing_cells = True
c.Execute.timeout = 600
c.Execute.interrupt_on_timeout = True
c.ExecutePreprocessor.timeout = 600
"""


def _path(value: str | Path, name: str) -> Path:
    if not isinstance(value, (str, Path)):
        raise ParameterTypeError(f"{name} must be a folder path (str or pathlib.Path), got {type(value).__name__}")
    return Path(value)


def lesson_notebooks(notebooks: list[str | Path] | None = None) -> list[Path]:
    """The lesson notebooks to hand out: ``notebooks/NN_*.ipynb`` by default, or the given ones."""
    if notebooks is None:
        return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    paths = [_path(p, "notebooks") for p in notebooks]
    missing = [str(p) for p in paths if p.suffix != ".ipynb" or not p.is_file()]
    if missing:
        raise ValueError(f"notebooks must be existing .ipynb files, got {missing}")
    return paths


def write_config(course: str | Path = COURSE_DIR) -> Path:
    """Write ``nbgrader_config.py`` into ``course`` (created if missing); return the course folder."""
    course = _path(course, "course").resolve()
    course.mkdir(parents=True, exist_ok=True)
    config = CONFIG.format(root=str(course), db=f"sqlite:///{course / 'gradebook.db'}")
    (course / "nbgrader_config.py").write_text(config)
    return course


def _environment() -> dict[str, str]:
    """This environment with the interpreter's ``bin/`` first on PATH: nbgrader runs ``alembic`` by name."""
    return {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the nbgrader CLI in ``course`` (so it reads the config there); output captured."""
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
                          env=_environment())


def generate_student_edition(notebooks: list[str | Path] | None = None,
                             course: str | Path = COURSE_DIR) -> list[Path]:
    """``nbgrader generate_assignment`` for each lesson; return the student notebooks (``course/release/...``).

    Each lesson is an assignment named after its notebook. Raises RuntimeError with nbgrader's log if it fails.
    """
    paths = lesson_notebooks(notebooks)
    course = write_config(course)
    released = []
    for path in paths:
        assignment = path.stem
        source = course / "source" / assignment
        shutil.rmtree(source, ignore_errors=True)
        source.mkdir(parents=True)
        shutil.copy2(path, source / path.name)
        result = _nbgrader(course, "generate_assignment", assignment, "--force")
        target = course / "release" / assignment / path.name
        if result.returncode != 0 or not target.is_file():
            raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n{result.stdout}{result.stderr}")
        released.append(target)
    return released


def _cells(path: Path) -> list[dict]:
    return json.loads(Path(path).read_text())["cells"]


def _nbgrader_meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_texts(instructor: str | Path) -> tuple[list[str], list[str]]:
    """(solution code lines, outputs of exercise cells) of an instructor notebook: what a student edition must hide."""
    code, outputs = [], []
    for cell in _cells(_path(instructor, "instructor")):
        meta = _nbgrader_meta(cell)
        if not (meta.get("solution") or meta.get("grade")):
            continue
        inside = False
        for line in "".join(cell["source"]).splitlines():
            if BEGIN in line:
                inside = True
            elif END in line:
                inside = False
            elif inside and len(line.strip()) >= 6 and not line.strip().startswith("#"):
                code.append(line.strip())
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", ""))
            outputs += [line.strip() for line in text.splitlines() if len(line.strip()) >= 12]
    return code, outputs


def leaked_solutions(instructor: str | Path, student: str | Path) -> list[str]:
    """Every solution line or exercise output of ``instructor`` that can be read anywhere in ``student``."""
    code, outputs = solution_texts(instructor)
    everything = json.dumps(_cells(_path(student, "student")), ensure_ascii=False)
    readable = everything.replace("\\n", "\n").replace('\\"', '"')
    return [text for text in code + outputs if text in readable]


def submission_problems(released: str | Path, submitted: str | Path) -> list[str]:
    """What a student did to the graded cells (deleted, duplicated, re-typed), each with what to do about it."""
    expected = {_nbgrader_meta(c).get("grade_id"): c["cell_type"] for c in _cells(_path(released, "released"))
                if _nbgrader_meta(c).get("grade_id")}
    seen: dict[str, list[str]] = {}
    for cell in _cells(_path(submitted, "submitted")):
        grade_id = _nbgrader_meta(cell).get("grade_id")
        if grade_id:
            seen.setdefault(grade_id, []).append(cell["cell_type"])
    problems = []
    for grade_id, cell_type in expected.items():
        found = seen.get(grade_id, [])
        if not found:
            problems.append(f"cell {grade_id} was deleted: nbgrader graded the release version of it; if your answer "
                            "was in it, copy it back into the cell from the student edition and resubmit")
        elif len(found) > 1:
            problems.append(f"cell {grade_id} appears {len(found)} times: the last copy was graded; delete the others")
        elif found[0] != cell_type:
            problems.append(f"cell {grade_id} was changed from {cell_type} to {found[0]}: it was graded as {cell_type}")
    return problems


def _without_duplicate_ids(notebook: dict) -> dict:
    """Keep the nbgrader metadata of the last copy of each graded cell only (nbgrader's choice): nbgrader 0.9.6
    blanks the earlier copies' metadata itself, then fails on them (KeyError 'grade_id') while adding missing cells."""
    seen = set()
    for cell in reversed(notebook["cells"]):
        grade_id = _nbgrader_meta(cell).get("grade_id")
        if grade_id in seen:
            del cell["metadata"]["nbgrader"]
        elif grade_id:
            seen.add(grade_id)
    return notebook


def _submissions(folder: Path, assignments: set[str]) -> list[tuple[str, str, Path]]:
    """(student, assignment, notebook) for ``folder/STUDENT/ASSIGNMENT/*.ipynb`` or ``folder/STUDENT/*.ipynb``."""
    found = []
    for student in sorted(p for p in folder.iterdir() if p.is_dir()):
        for notebook in sorted(student.rglob("*.ipynb")):
            if ".ipynb_checkpoints" not in notebook.parts and notebook.stem in assignments:
                found.append((student.name, notebook.stem, notebook))
    return found


def _failure_messages(autograded: Path) -> dict[str, str]:
    """grade_id -> the error a graded cell showed in the autograded notebook (the feedback the student gets)."""
    messages = {}
    for cell in _cells(autograded):
        grade_id = _nbgrader_meta(cell).get("grade_id")
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if grade_id and errors:
            messages[grade_id] = f"{errors[0].get('ename')}: {errors[0].get('evalue')}".strip()
    return messages


def _scores(course: Path, student: str, assignment: str, notebook: str) -> list[tuple[str, float, float]]:
    """(grade cell, score, max score) of one autograded notebook, from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    path = os.environ.get("PATH", "")
    os.environ["PATH"] = _environment()["PATH"]  # the Gradebook runs alembic too
    try:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            submission = gradebook.find_submission_notebook(notebook, assignment, student)
            grades = sorted(submission.grades, key=lambda g: g.name)
            return [(g.name, float(g.score), float(g.max_score)) for g in grades]
    finally:
        os.environ["PATH"] = path


def grade_submissions(submissions: str | Path, course: str | Path = COURSE_DIR) -> pd.DataFrame:
    """Autograde every submitted notebook with nbgrader; return (and write ``course/grades.csv``) one row per
    student and graded exercise: score, max_score, the check's feedback when it failed, and notes on damaged cells."""
    submissions = _path(submissions, "submissions")
    if not submissions.is_dir():
        raise ValueError(f"submissions must be a folder of STUDENT/ASSIGNMENT/*.ipynb, got {str(submissions)!r}")
    course = write_config(course)
    released = {p.parent.name: p for p in (course / "release").glob("*/*.ipynb")}
    if not released:
        raise ValueError(f"no student edition in {course / 'release'}: run `make student` first")
    found = _submissions(submissions, set(released))
    if not found:
        raise ValueError(f"submissions has no notebook named after a released lesson ({sorted(released)}) in "
                         f"STUDENT/ASSIGNMENT/ or STUDENT/ folders: {str(submissions)!r}")
    shutil.rmtree(course / "submitted", ignore_errors=True)  # a copy of this batch only (the originals stay)
    notes, by_assignment = {}, {}
    for student, assignment, notebook in found:
        target = course / "submitted" / student / assignment
        target.mkdir(parents=True)
        notes[student, assignment] = submission_problems(released[assignment], notebook)
        (target / notebook.name).write_text(json.dumps(_without_duplicate_ids(json.loads(notebook.read_text())),
                                                       ensure_ascii=False))
        by_assignment.setdefault(assignment, []).append((student, notebook))
    rows = []
    for assignment, entries in by_assignment.items():  # one nbgrader run grades every student of a lesson
        result = _nbgrader(course, "autograde", assignment, "--create", "--force")
        for student, notebook in entries:
            graded = course / "autograded" / student / assignment / notebook.name
            if not graded.is_file():
                raise RuntimeError(f"nbgrader autograde {assignment} for {student} failed:\n"
                                   f"{result.stdout}{result.stderr}")
            feedback = _failure_messages(graded)
            rows += [{"student": student, "assignment": assignment, "exercise": name, "score": score,
                      "max_score": max_score, "feedback": feedback.get(name, ""),
                      "notes": "; ".join(notes[student, assignment])}
                     for name, score, max_score in _scores(course, student, assignment, notebook.stem)]
    table = pd.DataFrame(rows, columns=["student", "assignment", "exercise", "score", "max_score", "feedback", "notes"])
    table.to_csv(course / "grades.csv", index=False)
    return table


def main(argv: list[str] | None = None) -> int:
    """``python -m ppml_lab.classroom student [NOTEBOOK ...]`` or ``... grade SUBMISSIONS``."""
    if argv is not None and (isinstance(argv, str) or not all(isinstance(a, str) for a in argv)):
        raise ParameterTypeError(f"argv must be a list of str (the command-line words), got {argv!r}")
    parser = argparse.ArgumentParser(prog="python -m ppml_lab.classroom", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    student = commands.add_parser("student", help="write the student edition to classroom/release/")
    student.add_argument("notebooks", nargs="*", help="lesson notebooks (default: all of notebooks/)")
    grade = commands.add_parser("grade", help="autograde a folder of submissions into classroom/grades.csv")
    grade.add_argument("submissions", type=Path, help="folder of STUDENT/ASSIGNMENT/*.ipynb")
    args = parser.parse_args(argv)
    try:
        if args.command == "student":
            for path in generate_student_edition(args.notebooks or None):
                print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        else:
            table = grade_submissions(args.submissions)
            totals = table.groupby(["student", "assignment"])[["score", "max_score"]].sum()
            print(totals.to_string())
            flagged = table[table["notes"] != ""].drop_duplicates(["student", "assignment"])
            for row in flagged.itertuples():
                print(f"NOTE {row.student} / {row.assignment}: {row.notes}")
            print(f"wrote {COURSE_DIR / 'grades.csv'}")
    except (ValueError, RuntimeError) as error:
        print(f"python -m ppml_lab.classroom: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
