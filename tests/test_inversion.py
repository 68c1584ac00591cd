"""ppml_lab.attacks.inversion: MI-Face raises the model's confidence; similarity is a correlation."""

import numpy as np
import torch

from ppml_lab.attacks import inversion
from ppml_lab.datasets import ImageDataset
from ppml_lab.models import build_model


def test_inversion_raises_the_target_confidence():
    model = build_model("logistic", seed=0)
    result = inversion.invert_classes(model, [3, 7], steps=50, lr=0.5)
    with torch.no_grad():
        blank = torch.softmax(model(torch.zeros(1, 1, 28, 28)), 1)[0]
    assert result.images.shape == (2, 1, 28, 28)
    assert result.images.min() >= 0 and result.images.max() <= 1
    assert result.confidence[0] > blank[3] and result.confidence[1] > blank[7]


def test_template_similarity_of_the_class_mean_is_one():
    rng = np.random.default_rng(0)
    data = ImageDataset(rng.random((20, 1, 28, 28), dtype=np.float32), np.arange(20) % 2)
    means = np.stack([data.images[data.labels == c].mean(0) for c in (0, 1)])
    np.testing.assert_allclose(inversion.template_similarity(means, data, np.array([0, 1])), 1.0, atol=1e-6)
