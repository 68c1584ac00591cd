"""How fast lesson 08's tools are: the offline Presidio analyzer and anonymizer, and Mondrian as tables grow.

    .venv/bin/python benchmarks/pii_throughput.py                # all three measurements
    .venv/bin/python benchmarks/pii_throughput.py --rows 2000 20000

Records per second over the 212 records of ``data/pii_corpus.jsonl``: the analyzer (``ppml_lab.pii.make_analyzer``,
pattern recognizers on a blank spaCy pipeline; and, with the same recognizers, Presidio's no-op NLP engine, to show
what the blank pipeline costs), the anonymizer (``replace`` on the analyzer's results), and the spaCy NER plug-in
when ``en_core_web_sm`` is installed (skipped otherwise). Then Mondrian's seconds at 2,000, 20,000 and 200,000 rows
of (sex, birth date, ZIP), the larger tables drawn from ``data/patients.csv``'s values (seeded), at k = 10.
Not a timed test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd


def _rate(function, items) -> float:
    start = time.perf_counter()
    for item in items:
        function(item)
    return len(items) / (time.perf_counter() - start)


def analyzer_rates() -> dict[str, float]:
    """Records per second of each analyzer configuration and of the anonymizer."""
    import ppml_lab as lab

    texts = [record.text for record in lab.pii.load_corpus()]
    analyzer = lab.pii.make_analyzer()
    rates = {"analyzer (blank spaCy)": _rate(lambda t: lab.pii.analyze(analyzer, t), texts)}
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    no_op = AnalyzerEngine(registry=analyzer.registry, nlp_engine=NoOpNlpEngine([{"lang_code": "en",
                                                                                 "model_name": "none"}]))
    rates["analyzer (no-op NLP engine)"] = _rate(lambda t: no_op.analyze(text=t, language="en"), texts)
    results = [lab.pii.analyze(analyzer, t) for t in texts]
    pairs = [(t, r) for t, r in zip(texts, results) if r]
    rates["anonymizer (replace)"] = _rate(lambda pair: lab.pii.anonymize(*pair), pairs)
    if lab.pii.ner_model_installed("en_core_web_sm"):
        ner = lab.pii.make_analyzer(ner_model="en_core_web_sm")
        rates["analyzer + spaCy NER (en_core_web_sm)"] = _rate(lambda t: lab.pii.analyze(ner, t), texts)
    return rates


def synthetic_table(rows: int, seed: int = 0) -> pd.DataFrame:
    """``rows`` rows of (sex, birth date, ZIP) drawn independently from the patients table's values."""
    import ppml_lab as lab

    people = lab.datasets.load_patients()
    rng = np.random.default_rng(seed)
    return pd.DataFrame({q: rng.choice(people[q].to_numpy(), rows) for q in ("sex", "birth_date", "zip")})


def mondrian_seconds(sizes: list[int], k: int = 10) -> dict[int, float]:
    """Seconds Mondrian takes to reach k on tables of each size."""
    import ppml_lab as lab

    seconds = {}
    for rows in sizes:
        table = synthetic_table(rows)
        start = time.perf_counter()
        lab.anonymity.mondrian(table, ["sex", "birth_date", "zip"], k)
        seconds[rows] = time.perf_counter() - start
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[2_000, 20_000, 200_000])
    args = parser.parse_args()
    for name, rate in analyzer_rates().items():
        print(f"{name:40s} {rate:8.1f} records/s")
    previous = None
    for rows, seconds in mondrian_seconds(args.rows).items():
        growth = "" if previous is None else f"  (x{seconds / previous[1]:.1f} for x{rows / previous[0]:.0f} rows)"
        print(f"Mondrian k=10 on {rows:>7,d} rows: {seconds:7.2f} s{growth}")
        previous = (rows, seconds)


if __name__ == "__main__":
    main()
