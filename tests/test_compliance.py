"""The compliance map: shipped as package data, rendered into the README unchanged, every link resolving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ppml_lab import compliance

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = {"right to erasure": ("Art. 17", "1798.105"), "data minimisation": ("Art. 5(1)(c)", "minimum necessary"),
            "purpose limitation": ("Art. 5(1)(b)",), "automated decisions": ("Art. 22",),
            "data portability": ("Art. 20", "1798.100"), "breach notification": ("Art. 33", "1798.150", "Breach"),
            "de-identification": ("Recital 26", "1798.140", "Safe Harbor", "Expert Determination")}


def test_the_map_covers_the_required_requirements_with_their_references():
    table = compliance.load_map()
    for requirement, references in REQUIRED.items():
        rows = table[table["requirement"] == requirement]
        assert len(rows), f"the map has no row for {requirement}"
        for reference in references:
            assert reference in rows["references"].iloc[0], f"{requirement} must cite {reference}"


def test_every_link_points_to_an_existing_notebook_and_heading():
    problems = compliance.broken_links(ROOT / "notebooks")
    assert not problems, "broken links in ppml_lab/compliance.csv:\n" + "\n".join(problems)


def test_a_missing_heading_is_reported(tmp_path, monkeypatch):
    notebook = {"cells": [{"cell_type": "markdown", "source": ["## 7. Encrypted inference"]}]}
    (tmp_path / "07_homomorphic_encryption.ipynb").write_text(json.dumps(notebook))
    problems = compliance.broken_links(tmp_path)
    assert any("07_homomorphic_encryption.ipynb has no heading" in p for p in problems)
    assert any("02_dpsgd.ipynb does not exist" in p for p in problems)
    assert not any("encrypted inference" in p for p in problems)


def test_the_readme_shows_exactly_the_rendered_block():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert compliance.readme_block(readme) == compliance.render_readme_block(), (
        "README.md's compliance map differs from ppml_lab.compliance.render_readme_block(): regenerate it with\n"
        "python -c \"import ppml_lab.compliance as c, pathlib; p = pathlib.Path('README.md'); t = p.read_text(); "
        "p.write_text(t.replace(c.readme_block(t), c.render_readme_block()))\"")


def test_the_block_says_what_no_technique_covers_and_that_it_is_not_legal_advice():
    block = compliance.render_readme_block()
    assert "not legal advice" in block
    for name in ("lawful basis", "DPIA", "consent", "data processing agreements", "audit trails"):
        assert name in block
    assert "Art. 22 checklist" in block


@pytest.mark.parametrize("heading, github, jupyterlab", [
    ("7 · What this protects against, and what it does not", "7--what-this-protects-against-and-what-it-does-not",
     "7-·-What-this-protects-against,-and-what-it-does-not"),
    ("### 3. The same with `phe`", "3-the-same-with-phe", "3.-The-same-with-`phe`"),
    ("Try it: ε against accuracy", "try-it-ε-against-accuracy", "Try-it:-ε-against-accuracy"),
])
def test_heading_anchors_follow_github_and_jupyterlab(heading, github, jupyterlab):
    assert compliance.heading_anchor(heading) == github
    assert compliance.heading_anchor(heading, "jupyterlab") == jupyterlab


def test_repeated_headings_get_numbered_anchors(tmp_path):
    notebook = {"cells": [{"cell_type": "markdown", "source": ["## Exercises\n", "text\n", "## Exercises"]}]}
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(notebook))
    assert compliance.notebook_anchors(path) == {"exercises", "exercises-1"}
