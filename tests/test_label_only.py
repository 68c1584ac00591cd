"""ppml_lab.attacks.label_only: what each API format lets LiRA read, and the noisy-query score."""

import numpy as np
import torch

from ppml_lab.attacks import label_only as lo
from ppml_lab.attacks.membership import logit_confidence, model_logits
from ppml_lab.datasets import ImageDataset
from ppml_lab.models import build_model

RNG = np.random.default_rng(0)
DATA = ImageDataset(RNG.random((30, 1, 28, 28), dtype=np.float32), np.arange(30) % 10)
MODEL = build_model("mlp", seed=0)


def test_probability_view_keeps_lira_statistic():
    raw = logit_confidence(model_logits(MODEL, DATA.images), DATA.labels)
    seen = logit_confidence(model_logits(lo.APIView(MODEL, "probabilities"), DATA.images), DATA.labels)
    np.testing.assert_allclose(seen, raw, rtol=1e-6, atol=1e-9)


def test_top1_view_keeps_the_top_label_log_odds():
    logits = model_logits(MODEL, DATA.images)
    top = logits.argmax(1)
    view = model_logits(lo.APIView(MODEL, "top-1 with confidence"), DATA.images)
    np.testing.assert_allclose(logit_confidence(view, top), logit_confidence(logits, top), rtol=1e-6, atol=1e-9)


def test_api_responses_and_label_only_scores():
    probabilities = lo.api_response(MODEL, DATA.images, "probabilities")
    assert probabilities.shape == (30, 10)
    top = lo.api_response(MODEL, DATA.images, "top-1 with confidence")
    np.testing.assert_allclose(top[:, 1], probabilities.max(1))
    assert np.array_equal(lo.api_response(MODEL, DATA.images, "label only"), probabilities.argmax(1))
    scores = lo.label_only_scores(MODEL, DATA, noise_std=0.2, n_queries=4, rng=0)
    assert scores.shape == (30,) and set(np.unique(scores * 4)) <= {0, 1, 2, 3, 4}
    assert np.array_equal(scores, lo.label_only_scores(MODEL, DATA, noise_std=0.2, n_queries=4, rng=0))
    assert isinstance(lo.APIView(MODEL, "probabilities")(torch.zeros(1, 1, 28, 28)), torch.Tensor)
