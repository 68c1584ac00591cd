"""The three ways to install the lab (pyproject, conda, Binder) must list the same packages, all pinned."""

import re
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]


def normalise(requirement: str) -> str:
    name = re.split(r"[\[<>=!~; ]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_packages() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    return {normalise(r) for r in requirements}


def pip_lines(lines: list[str]) -> set[str]:
    return {normalise(line) for line in lines if line.strip() and not line.lstrip().startswith(("#", "-"))}


def test_environment_yml_matches_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip_lines(pip_section) == pyproject_packages()
    assert "-c requirements/lock.txt" in pip_section


def test_binder_requirements_match_pyproject():
    lines = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    assert pip_lines(lines) == pyproject_packages()
    assert "-c ../requirements/lock.txt" in lines


def test_every_declared_package_is_pinned_in_the_lock():
    lock = {normalise(line): line for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines()
            if "==" in line}
    missing = pyproject_packages() - set(lock)
    assert not missing, f"not pinned in requirements/lock.txt: {sorted(missing)} (run `make lock`)"
    assert lock["torch"].strip() == "torch==2.13.0"


def test_drift_check_can_fail(tmp_path):
    assert pip_lines(["numpy", "scipy"]) != pyproject_packages()
