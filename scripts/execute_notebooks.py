"""Re-execute notebooks in place, top to bottom, in a fresh kernel (run after changing code).

    .venv/bin/python scripts/execute_notebooks.py                 # all of notebooks/
    .venv/bin/python scripts/execute_notebooks.py notebooks/01_laplace_mechanism.ipynb

The committed outputs are what ``pytest --nbval`` compares a fresh run against, so commit the
notebooks this writes. Prints each notebook's wall time.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
# Committed notebooks show no live progress bars (a tqdm widget's saved text is always "0%"): see ppml_lab.progress.
os.environ.setdefault("PPML_LAB_PROGRESS", "off")


def execute(path: Path, timeout: int = 900) -> float:
    """Execute ``path`` in place with its folder as working directory; return seconds taken."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(notebook, path)
    return seconds


def main(paths: list[str]) -> None:
    targets = [Path(p).resolve() for p in paths] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    for path in targets:
        print(f"{path.relative_to(ROOT)}: executed in {execute(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
