"""Generate data/patients.csv: a synthetic but realistic patient-records table.

Nobody in it exists: names, contacts and records come from Faker with a fixed seed, and
diagnoses follow rough age-dependent prevalences. It is committed so the lab works offline;
re-running this script with the pinned Faker version (requirements/lock.txt) reproduces it
byte for byte, which ``tests/test_datasets.py`` checks.

    .venv/bin/python scripts/make_patients.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from faker import Faker

SEED = 20240501
N_PATIENTS = 2000
OUT = Path(__file__).resolve().parents[1] / "data" / "patients.csv"

# Twenty ZIP codes in five three-digit areas, so that generalising ZIPs (k-anonymity) is meaningful.
ZIP_AREAS = ["021", "024", "100", "606", "945"]
DIAGNOSES = ["healthy", "hypertension", "type 2 diabetes", "asthma", "depression", "migraine", "COPD", "HIV"]


def diagnosis_weights(age: int) -> np.ndarray:
    """Rough prevalences that shift with age (chronic conditions grow, migraine/asthma fall)."""
    old = min(max((age - 20) / 60, 0.0), 1.0)
    w = np.array([0.45 - 0.25 * old, 0.08 + 0.22 * old, 0.04 + 0.12 * old, 0.10 - 0.04 * old,
                  0.10, 0.10 - 0.06 * old, 0.01 + 0.07 * old, 0.02])
    return w / w.sum()


def make_patients(seed: int = SEED, n: int = N_PATIENTS) -> pd.DataFrame:
    """Build the table deterministically from ``seed``."""
    fake = Faker("en_US")
    Faker.seed(seed)
    rng = np.random.default_rng(seed)
    zips = [area + f"{rng.integers(0, 100):02d}" for area in ZIP_AREAS for _ in range(4)]
    today = dt.date(2024, 1, 1)
    rows = []
    for i in range(n):
        sex = "F" if rng.random() < 0.51 else "M"
        name = fake.name_female() if sex == "F" else fake.name_male()
        birth = fake.date_between(start_date=dt.date(1935, 1, 1), end_date=dt.date(2005, 12, 31))
        age = (today - birth).days // 365
        diagnosis = DIAGNOSES[rng.choice(len(DIAGNOSES), p=diagnosis_weights(age))]
        phone = fake.numerify("###-###-####")
        email = f"{name.split()[0].lower()}.{name.split()[-1].lower()}@{fake.free_email_domain()}"
        visit = fake.date_between(start_date=dt.date(2023, 1, 1), end_date=dt.date(2023, 12, 31))
        note = (f"{name} (DOB {birth.isoformat()}) seen on {visit.isoformat()}; assessment: {diagnosis}. "
                f"Call back at {phone} or {email}.")
        rows.append({
            "patient_id": f"P{i:05d}",
            "name": name,
            "sex": sex,
            "birth_date": birth.isoformat(),
            "zip": zips[rng.integers(len(zips))],
            "phone": phone,
            "email": email,
            "diagnosis": diagnosis,
            "visit_date": visit.isoformat(),
            "note": note,
        })
    return pd.DataFrame(rows)


if __name__ == "__main__":
    OUT.parent.mkdir(exist_ok=True)
    make_patients().to_csv(OUT, index=False, lineterminator="\n")
    print(f"wrote {OUT} ({N_PATIENTS} rows)")
