"""Stage 5 of the capstone: a deletion request honoured with SISA (lesson 10) and checked by attack.

Taught in ``notebooks/11_capstone.ipynb``. :mod:`ppml_lab.unlearning` and lesson 03's ``TrainingRecipe`` build
their models by name with the lab's MNIST sizes (784 inputs, 10 classes), so the hospital features are padded
with zeros to 784 inputs (:func:`pad_features`): a logistic regression ignores the zero inputs (their weights get
no gradient), and the two used classes' scores are those of a 7-feature model; the eight unused classes only
lose probability. The costs are counted in samples processed, which are exact on every machine.
"""

from __future__ import annotations

import numpy as np

from ..cache import cached
from ..datasets import ImageDataset, check_dataset
from ..validation import check_positive_int
from .scenario import HospitalTask
from .stages import CapstoneConfig, _check_config, _check_task, _key

__all__ = ["MNIST_INPUTS", "pad_features", "honour_deletion"]

#: The input width of the lab's named models (``models.build_model(name)`` without arguments).
MNIST_INPUTS = 784


def pad_features(data: ImageDataset, width: int = MNIST_INPUTS) -> ImageDataset:
    """``data`` with each feature vector padded with zeros to ``width`` inputs (labels unchanged)."""
    check_dataset(data, "data")
    width = check_positive_int(width, "width")
    if data.images.ndim != 2 or data.images.shape[1] > width:
        raise ValueError(f"data must hold feature vectors of at most width={width} values, "
                         f"got images of shape {data.images.shape}")
    return ImageDataset(np.pad(data.images, ((0, 0), (0, width - data.images.shape[1]))), data.labels)


def honour_deletion(task: HospitalTask, config: CapstoneConfig | None = None, n_forget: int = 100,
                    hospital: int = 2, seed: int = 0) -> dict:
    """Train a SISA ensemble on the task with one shard per hospital (Bourtoule et al. 2021; each hospital's
    records train one logistic regression, and the ensemble averages them), delete ``n_forget`` records of
    hospital number ``hospital`` (default: south, the smallest), and measure: the loss attack's AUC on the
    forget set against as many never-seen records before and after (``unlearning.forget_set_attack``), test
    accuracy before and after, and the samples the deletion processed against retraining one model from
    scratch (epochs x retained records). Cached."""
    _check_task(task)
    config = _check_config(CapstoneConfig() if config is None else config)
    n_forget = check_positive_int(n_forget, "n_forget")
    if n_forget > len(task.train) // 2:
        raise ValueError(f"n_forget must be in [1, {len(task.train) // 2}], got {n_forget}")
    hospital = check_positive_int(hospital, "hospital", minimum=0)
    if hospital >= len(task.clients) or n_forget > len(task.clients[hospital]) // 4:
        raise ValueError(f"hospital must be in [0, {len(task.clients) - 1}] and hold at least "
                         f"4 * n_forget={4 * n_forget} records, got hospital={hospital}")
    seed = check_positive_int(seed, "seed", minimum=0)
    return cached("capstone_deletion", _key(task, config, n_forget=n_forget, hospital=hospital, seed=seed),
                  lambda: _delete(task, config, n_forget, hospital, seed))


def _delete(task: HospitalTask, config: CapstoneConfig, n_forget: int, hospital: int, seed: int) -> dict:
    from ..attacks.membership import TrainingRecipe, train_shadow_models
    from ..unlearning import SISAModel, forget_set_attack

    train, test, pool = (pad_features(d) for d in (task.train, task.test, task.pool))
    outside = task.candidates.images[~task.is_member]
    same_hospital = outside[:, -len(task.clients):].argmax(1) == hospital  # never-seen patients of that hospital
    never_seen = pad_features(ImageDataset(outside[same_hospital], task.candidates.labels[~task.is_member][
        same_hospital]))
    shard = task.train.images[:, -len(task.clients):].argmax(1)  # the one-hot hospital features
    forget_ids = np.sort(np.random.default_rng(np.random.SeedSequence([seed, 16])).permutation(
        np.flatnonzero(shard == hospital))[:n_forget])
    forget = ImageDataset(train.images[forget_ids], train.labels[forget_ids])
    never_seen = ImageDataset(never_seen.images[:n_forget], never_seen.labels[:n_forget])
    recipe = TrainingRecipe(model="logistic", epochs=config.epochs, batch_size=config.batch_size, lr=config.lr)
    shadows = train_shadow_models(recipe, pool, 2, seed=seed, progress=False)
    sisa = SISAModel(train, np.column_stack([shard, np.zeros_like(shard)]), model="logistic", epochs=config.epochs,
                     batch_size=config.batch_size, lr=config.lr, momentum=0.0, seed=seed)
    before = forget_set_attack(sisa, forget, never_seen, shadows, attack="loss (Yeom)").auc
    accuracy_before = sisa.accuracy(test, "average")
    deletion = sisa.delete(forget_ids)
    after = forget_set_attack(sisa, forget, never_seen, shadows, attack="loss (Yeom)").auc
    return {"attack_before": before, "attack_after": after, "accuracy_before": accuracy_before,
            "accuracy_after": sisa.accuracy(test, "average"), "samples": deletion.samples_processed,
            "retrain_samples": config.epochs * (len(train) - n_forget), "seconds": deletion.seconds,
            "n_forget": n_forget, "hospital": hospital}
