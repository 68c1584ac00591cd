"""Fit and sample time and peak memory of MST (Private-PGM on JAX) against the Gaussian-copula baseline, at
2,000 / 20,000 / 200,000 rows and 8 to 20 columns (issue 14; lesson 09).

The hospital table is resampled with replacement to the row count (ages and stays jittered by +-2, so rows
are not exact copies), and extra columns are noisy copies of existing ones (a tenth of values redrawn), so the
dependence structure grows with the width. Each setting runs in its own process, so the peak resident memory
(``resource.getrusage``) is that setting's; MST's fit time includes JAX compiling its program (once per tree).

    .venv/bin/python benchmarks/synthetic_scaling.py                      # the full grid
    .venv/bin/python benchmarks/synthetic_scaling.py --rows 2000 20000 --columns 8 12   # a reduced grid
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd


def make_table(n_rows: int, n_columns: int, seed: int = 0) -> tuple[pd.DataFrame, object]:
    """The hospital table resampled to ``n_rows`` with jitter, widened to ``n_columns`` with noisy copies."""
    from ppml_lab import datasets, synthetic

    rng = np.random.default_rng(seed)
    base = datasets.load_hospital()
    table = base.iloc[rng.integers(len(base), size=n_rows)].reset_index(drop=True)
    table["age"] = np.clip(table["age"] + rng.integers(-2, 3, n_rows), 0, 99)
    table["length_of_stay"] = np.clip(table["length_of_stay"] + rng.integers(-2, 3, n_rows), 0, 60)
    columns, bins = list(synthetic.discretise.HOSPITAL_COLUMNS), dict(synthetic.discretise.HOSPITAL_BINS)
    sources = ["diagnosis", "medication", "hospital", "smoker", "sex", "zip"]
    for k in range(n_columns - len(columns)):
        source = sources[k % len(sources)]
        copy = table[source].to_numpy().copy()
        redraw = rng.random(n_rows) < 0.1
        copy[redraw] = rng.choice(np.unique(table[source]), size=int(redraw.sum()))
        table[f"{source}_copy{k}"] = copy
        columns.append(f"{source}_copy{k}")
    return table, synthetic.make_domain(table, columns, bins)


def run_one(n_rows: int, n_columns: int, generator: str) -> dict:
    """Time one fit and one sample of ``generator`` (``mst`` or ``copula``) in this process."""
    from ppml_lab.synthetic import baseline, encode, mst, pgm

    table, domain = make_table(n_rows, n_columns)
    start = time.perf_counter()
    if generator == "copula":
        baseline.fit_gaussian_copula(table, domain, rng=0)
        fit, sample = time.perf_counter() - start, float("nan")  # copulas fits and samples in one call here
    else:
        rng = np.random.default_rng(0)
        codes = encode(table, domain)
        rho = mst.rho_for_epsilon(1.0, 1e-6) / 3
        one_way = mst.measure_marginals(codes, domain, [(c,) for c in domain.columns], rho, rng)
        edges = mst.select_tree(mst.selection_scores(codes, domain, one_way), domain.columns, rho, rng)
        model = pgm.estimate_model(one_way + mst.measure_marginals(codes, domain, edges, rho, rng), domain)
        fit = time.perf_counter() - start
        start = time.perf_counter()
        pgm.sample_model(model, domain, n_rows, rng)
        sample = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"generator": generator, "rows": n_rows, "columns": n_columns, "fit_s": fit, "sample_s": sample,
            "peak_MiB": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="*", type=int, default=[2000, 20000, 200000])
    parser.add_argument("--columns", nargs="*", type=int, default=[8, 14, 20])
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(int(args.one[0]), int(args.one[1]), args.one[2])))
        return
    rows = []
    for n_rows in args.rows:
        for n_columns in args.columns:
            for generator in ("mst", "copula"):
                out = subprocess.run([sys.executable, __file__, "--one", str(n_rows), str(n_columns), generator],
                                     capture_output=True, text=True, check=True)
                rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(rows[-1], flush=True)
    print(pd.DataFrame(rows).round(2).to_string(index=False))


if __name__ == "__main__":
    main()
