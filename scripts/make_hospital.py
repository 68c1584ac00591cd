"""Generate data/hospital.csv: admissions at three hospitals, with correlated columns and rare records.

Nobody in it exists. Lessons 09 (synthetic data) and 11 (the capstone) need what ``patients.csv`` lacks: columns
that depend on each other (age and sex drive the diagnosis, smoking drives COPD, the diagnosis drives the
medication and the length of stay, the hospital drives the ZIP area and the case mix), three sites for federated
learning with different case mixes, and a few rare combinations that a generator could copy (an 80-year-old
with cystic fibrosis). The structure is a small Bayesian network written out below, so a lesson can say what the
true dependencies are. Names, birth dates and ZIP codes make a linkage attack possible, as in real data.

Re-running this script with the pinned NumPy and Faker versions (requirements/lock.txt) reproduces the file byte
for byte, which ``tests/test_datasets.py`` checks.

    .venv/bin/python scripts/make_hospital.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from faker import Faker

SEED = 20261203
N_ADMISSIONS = 20_000
OUT = Path(__file__).resolve().parents[1] / "data" / "hospital.csv"
TODAY = dt.date(2024, 1, 1)

#: hospital -> (share of admissions, its three-digit ZIP areas, mean age of its patients)
HOSPITALS = {
    "north": (0.45, ["021", "024"], 52.0),   # a large general hospital
    "central": (0.35, ["100", "104"], 44.0),  # a city hospital with a maternity ward
    "south": (0.20, ["945", "950"], 63.0),   # a smaller hospital with an older population
}
DIAGNOSES = ["healthy", "hypertension", "diabetes", "asthma", "copd", "heart failure", "pregnancy", "dementia",
             "cystic fibrosis"]
#: diagnosis -> (medications, their probabilities)
MEDICATIONS = {
    "healthy": (["none", "ibuprofen"], [0.85, 0.15]),
    "hypertension": (["lisinopril", "amlodipine", "none"], [0.55, 0.35, 0.10]),
    "diabetes": (["metformin", "insulin", "none"], [0.65, 0.30, 0.05]),
    "asthma": (["albuterol", "budesonide"], [0.70, 0.30]),
    "copd": (["tiotropium", "albuterol"], [0.60, 0.40]),
    "heart failure": (["furosemide", "lisinopril"], [0.70, 0.30]),
    "pregnancy": (["prenatal vitamins", "none"], [0.90, 0.10]),
    "dementia": (["donepezil", "none"], [0.80, 0.20]),
    "cystic fibrosis": (["ivacaftor", "albuterol"], [0.75, 0.25]),
}
#: diagnosis -> mean length of stay in days (before the age effect)
STAY = {"healthy": 0.5, "hypertension": 1.5, "diabetes": 2.5, "asthma": 1.5, "copd": 4.0, "heart failure": 6.0,
        "pregnancy": 2.5, "dementia": 8.0, "cystic fibrosis": 7.0}
#: rare records planted on purpose: (age, sex, diagnosis, medication), one admission each
RARE = [(81, "M", "cystic fibrosis", "ivacaftor"), (47, "F", "pregnancy", "insulin"),
        (23, "F", "dementia", "donepezil"), (9, "M", "heart failure", "furosemide"),
        (95, "F", "asthma", "budesonide")]


def diagnosis_weights(age: int, sex: str, smoker: bool, hospital: str) -> np.ndarray:
    """Prevalences that depend on age, sex, smoking and the hospital's case mix."""
    old = min(max((age - 20) / 60, 0.0), 1.0)
    w = np.array([
        0.50 - 0.30 * old,                                         # healthy
        0.04 + 0.26 * old,                                         # hypertension
        0.03 + 0.15 * old,                                         # diabetes
        0.10 - 0.06 * old + (0.04 if smoker else 0.0),             # asthma
        (0.01 + 0.12 * old) * (4.0 if smoker else 0.5),            # copd
        0.002 + 0.10 * old ** 2,                                   # heart failure
        (0.35 if sex == "F" and 18 <= age <= 44 else 0.0) * (1.6 if hospital == "central" else 0.6),
        0.12 * max(age - 70, 0) / 25,                              # dementia
        0.006 if age < 35 else 0.0,                                # cystic fibrosis
    ])
    return w / w.sum()


def make_hospital(seed: int = SEED, n: int = N_ADMISSIONS) -> pd.DataFrame:
    """Build the table deterministically from ``seed``."""
    fake = Faker("en_US")
    Faker.seed(seed)
    rng = np.random.default_rng(seed)
    names = list(HOSPITALS)
    shares = np.array([HOSPITALS[h][0] for h in names])
    zips = {h: [area + f"{rng.integers(0, 100):02d}" for area in HOSPITALS[h][1] for _ in range(5)] for h in names}
    rows = []
    for i in range(n):
        rare = RARE[i - (n - len(RARE))] if i >= n - len(RARE) else None
        hospital = names[rng.choice(len(names), p=shares)]
        if rare:
            age, sex = rare[0], rare[1]
        else:
            age = int(np.clip(rng.normal(HOSPITALS[hospital][2], 22.0), 0, 99))
            sex = "F" if rng.random() < 0.52 else "M"
        smoker = bool(rng.random() < (0.0 if age < 16 else 0.28 if sex == "M" else 0.18))
        if rare:
            diagnosis, medication = rare[2], rare[3]
        else:
            diagnosis = DIAGNOSES[rng.choice(len(DIAGNOSES), p=diagnosis_weights(age, sex, smoker, hospital))]
            options, p = MEDICATIONS[diagnosis]
            medication = options[rng.choice(len(options), p=p)]
        stay = int(min(rng.poisson(STAY[diagnosis] * (1.0 + age / 100.0)), 60))
        birth = TODAY - dt.timedelta(days=int(age * 365.25 + rng.integers(0, 365)))
        name = fake.name_female() if sex == "F" else fake.name_male()
        rows.append({
            "admission_id": f"A{i:05d}",
            "name": name,
            "hospital": hospital,
            "sex": sex,
            "birth_date": birth.isoformat(),
            "age": age,
            "zip": zips[hospital][rng.integers(len(zips[hospital]))],
            "smoker": "yes" if smoker else "no",
            "diagnosis": diagnosis,
            "medication": medication,
            "length_of_stay": stay,
            "rare": rare is not None,
        })
    order = rng.permutation(n)  # the planted rare records are not all at the end
    table = pd.DataFrame(rows).iloc[order].reset_index(drop=True)
    table["admission_id"] = [f"A{i:05d}" for i in range(n)]
    return table


if __name__ == "__main__":
    OUT.parent.mkdir(exist_ok=True)
    make_hospital().to_csv(OUT, index=False, lineterminator="\n")
    print(f"wrote {OUT} ({N_ADMISSIONS} rows)")
