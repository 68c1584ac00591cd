"""Offline datasets shipped in ``data/`` (checksummed) and an optional full-MNIST download.

Taught in ``notebooks/01_laplace_mechanism.ipynb`` (patients) and the DP-SGD lesson (MNIST).
Provenance, licences and checksums: ``data/README.md``.
"""

from __future__ import annotations

import gzip
import hashlib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .cache import cache_dir
from .seeding import as_rng
from .validation import ParameterTypeError, check_nonempty, check_one_of, check_probability

__all__ = ["DATA_DIR", "CHECKSUMS", "DatasetError", "sha256", "data_path", "ImageDataset", "check_dataset",
           "load_mnist5k", "train_test_split", "load_patients", "load_hospital", "load_mnist_full"]

DATA_DIR = Path(__file__).resolve().parents[1] / "data"

#: sha256 of every shipped file; ``data/README.md`` lists the same values (a test checks).
CHECKSUMS = {
    "mnist5k.npz": "246e0c30eeea57c8d0037d3f38c8e00651ec204cc61b8022563e9aeeb9d756f4",
    "patients.csv": "2affba448cd035b73bf809c22d0882833f4df2af3599a8414d2ee3656087575f",
    "hospital.csv": "eefe79d5ec3f9b0ea5a72c90b9d36b1b30e4b038b65123647a2699ba1af1b46d",
}


class DatasetError(RuntimeError):
    """A shipped data file is missing or does not match its recorded checksum."""


def sha256(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    if not isinstance(path, (str, Path)):
        raise ParameterTypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def data_path(name: str, data_dir: Path | None = None) -> Path:
    """Path of shipped file ``name`` after checking it exists and matches its checksum."""
    check_one_of(name, CHECKSUMS, "name")
    if data_dir is not None and not isinstance(data_dir, (str, Path)):
        raise ParameterTypeError(f"data_dir must be a str, a pathlib.Path or None, got {type(data_dir).__name__}")
    path = Path(data_dir or DATA_DIR) / name
    if not path.is_file():
        raise DatasetError(f"{path} is missing; it ships with the repository (see data/README.md): "
                           "restore it with `git checkout -- data/`")
    actual = sha256(path)
    if actual != CHECKSUMS[name]:
        raise DatasetError(f"{path} is corrupt: sha256 {actual} does not match the recorded "
                           f"{CHECKSUMS[name]}; restore it with `git checkout -- data/{name}`")
    return path


@dataclass(frozen=True)
class ImageDataset:
    """Images as float32 in [0, 1] with shape (n, 1, 28, 28), and integer labels."""

    images: np.ndarray
    labels: np.ndarray

    def __post_init__(self) -> None:
        for name, value in (("images", self.images), ("labels", self.labels)):
            if not isinstance(value, np.ndarray):
                raise ParameterTypeError(f"{name} must be a numpy array, got {type(value).__name__}")
        if self.images.ndim < 2:
            raise ValueError(f"images must have shape (n, ...) with at least 2 dimensions, got {self.images.shape}")
        if self.labels.ndim != 1 or not np.issubdtype(self.labels.dtype, np.integer):
            raise ValueError(f"labels must be a 1-D integer array, got shape {self.labels.shape} "
                             f"of {self.labels.dtype}")
        if len(self.images) != len(self.labels):
            raise ValueError(f"images and labels must have the same length, got {len(self.images)} "
                             f"and {len(self.labels)}")

    def __len__(self) -> int:
        return len(self.labels)

    def fingerprint(self) -> str:
        """A short hash of the images and labels, so that what is cached is keyed by the data it saw."""
        from .cache import data_fingerprint

        return data_fingerprint(self.images, self.labels)


def check_dataset(data: ImageDataset, name: str) -> ImageDataset:
    """``data`` if it is a non-empty :class:`ImageDataset`, else an error naming ``name``."""
    if not isinstance(data, ImageDataset):
        raise ParameterTypeError(f"{name} must be a ppml_lab.datasets.ImageDataset, got {type(data).__name__}")
    check_nonempty(data.labels, name)
    return data


def load_mnist5k(data_dir: Path | None = None) -> ImageDataset:
    """The 5,000-image MNIST subset (500 per digit) shipped in ``data/mnist5k.npz``."""
    with np.load(data_path("mnist5k.npz", data_dir)) as arrays:
        images = arrays["images"].astype(np.float32)[:, None, :, :] / 255.0
        labels = arrays["labels"].astype(np.int64)
    return ImageDataset(images, labels)


def train_test_split(
    dataset: ImageDataset, test_fraction: float = 0.2, rng: np.random.Generator | int | None = 0
) -> tuple[ImageDataset, ImageDataset]:
    """Stratification-free random split into (train, test); seeded for reproducible lessons."""
    if not isinstance(dataset, ImageDataset):
        raise ParameterTypeError(f"dataset must be an ImageDataset, got {type(dataset).__name__}")
    test_fraction = check_probability(test_fraction, "test_fraction", open_low=True, open_high=True)
    order = as_rng(rng).permutation(len(dataset))
    n_test = int(round(test_fraction * len(dataset)))
    test, train = order[:n_test], order[n_test:]
    return (ImageDataset(dataset.images[train], dataset.labels[train]),
            ImageDataset(dataset.images[test], dataset.labels[test]))


def load_patients(data_dir: Path | None = None) -> pd.DataFrame:
    """The synthetic patient-records table (``data/patients.csv``, made by ``scripts/make_patients.py``)."""
    return pd.read_csv(data_path("patients.csv", data_dir), dtype={"zip": str})


def load_hospital(data_dir: Path | None = None) -> pd.DataFrame:
    """Admissions at three hospitals (``data/hospital.csv``, made by ``scripts/make_hospital.py``; lessons 09, 11)."""
    return pd.read_csv(data_path("hospital.csv", data_dir), dtype={"zip": str})


MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as handle:
        raw = handle.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_mnist_full(split: str = "train", url: str = MNIST_URL) -> ImageDataset:
    """Full MNIST (60,000 train / 10,000 test), downloaded once into :func:`cache_dir`.

    Needs the network the first time (Binder has it); no test or notebook calls it.
    """
    check_one_of(split, ("train", "test"), "split")
    if not isinstance(url, str) or not url.startswith(("https://", "http://", "file://")):
        raise ValueError(f"url must be an http(s):// or file:// URL ending in '/', got {url!r}")
    folder = cache_dir() / "mnist"
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for kind in ("images", "labels"):
        filename = MNIST_FILES[f"{split}_{kind}"]
        target = folder / filename
        if not target.exists():
            tmp = target.with_suffix(".part")
            urllib.request.urlretrieve(url + filename, tmp)
            tmp.rename(target)
        arrays[kind] = _read_idx(target)
    images = arrays["images"].astype(np.float32)[:, None, :, :] / 255.0
    return ImageDataset(images, arrays["labels"].astype(np.int64))
