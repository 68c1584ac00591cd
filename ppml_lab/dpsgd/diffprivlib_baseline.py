"""The practitioner's alternative, side by side: IBM diffprivlib's differentially private logistic regression."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from ..datasets import ImageDataset, check_dataset
from ..validation import (
    ParameterTypeError,
    check_epsilon,
    check_positive,
    check_positive_int,
)

__all__ = ["diffprivlib_accuracy", "tune_diffprivlib"]



def _diffprivlib_logistic_regression_class() -> type:
    """diffprivlib's ``LogisticRegression``, made importable under scikit-learn >= 1.8.

    diffprivlib 0.6.6 imports ``DOUBLE``/``DTYPE`` from ``sklearn.tree._tree`` (gone in 1.9) and passes
    ``multi_class='ovr'`` to scikit-learn (removed in 1.8). Both are restored here without changing
    what diffprivlib computes (one-vs-rest, objective perturbation, Chaudhuri et al. 2011); with an
    older scikit-learn the original class is returned unchanged.
    """
    import sklearn.tree._tree as sklearn_tree

    for name, dtype in (("DOUBLE", np.float64), ("DTYPE", np.float32)):
        if not hasattr(sklearn_tree, name):
            setattr(sklearn_tree, name, dtype)
    from diffprivlib.accountant import BudgetAccountant
    from diffprivlib.models import LogisticRegression
    from sklearn import linear_model

    try:
        linear_model.LogisticRegression(multi_class="ovr")
        return LogisticRegression
    except TypeError:
        pass

    class CompatibleLogisticRegression(LogisticRegression):
        def __init__(self, *, epsilon=1.0, data_norm=None, tol=1e-4, C=1.0, fit_intercept=True, max_iter=100,
                     verbose=0, warm_start=False, n_jobs=None, random_state=None, accountant=None):
            linear_model.LogisticRegression.__init__(self, tol=tol, C=C, fit_intercept=fit_intercept,
                                                     random_state=random_state, solver="lbfgs", max_iter=max_iter,
                                                     verbose=verbose, warm_start=warm_start, n_jobs=n_jobs)
            self.epsilon, self.data_norm, self.classes_ = epsilon, data_norm, None
            self.accountant = BudgetAccountant.load_default(accountant)

    CompatibleLogisticRegression.__name__ = CompatibleLogisticRegression.__qualname__ = "LogisticRegression"
    return CompatibleLogisticRegression


def diffprivlib_accuracy(train: ImageDataset, test: ImageDataset, *, epsilon: float, data_norm: float,
                         seed: int = 0, inverse_regularization: float = 1.0) -> float:
    """Test accuracy of diffprivlib's epsilon-DP logistic regression trained on flattened ``train``.

    ``data_norm`` must bound every example's L2 norm *without looking at the data* (28 for 28x28 pixels
    in [0, 1]; the number of cells for :func:`ppml_lab.features.hog_features`); diffprivlib clips each
    example to it, so a smaller value is a clipping norm (a hyper-parameter to choose on held-out data).
    ``inverse_regularization`` is scikit-learn's ``C`` (smaller: stronger L2 regularisation, which in
    objective perturbation also shrinks the noise's effect). Pure epsilon-DP (delta = 0), one-vs-rest:
    each of the k classes gets epsilon / k. Chaudhuri, Monteleoni & Sarwate 2011 (objective perturbation).
    """
    check_dataset(train, "train")
    check_dataset(test, "test")
    epsilon = check_epsilon(epsilon)
    data_norm = check_positive(data_norm, "data_norm")
    seed = check_positive_int(seed, "seed", minimum=0)
    inverse_regularization = check_positive(inverse_regularization, "inverse_regularization")
    estimator = _diffprivlib_logistic_regression_class()
    from diffprivlib.accountant import (
        BudgetAccountant,  # after the class: importing diffprivlib needs the shim
    )

    model = estimator(epsilon=epsilon, data_norm=data_norm, random_state=seed, C=inverse_regularization,
                      accountant=BudgetAccountant())
    from threadpoolctl import threadpool_limits

    flat = np.asarray(train.images, dtype=np.float64).reshape(len(train), -1)
    # one BLAS thread: these small fits run several times faster than with threads competing for two cores
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")
        model.fit(flat, train.labels)
        return float(model.score(np.asarray(test.images, dtype=np.float64).reshape(len(test), -1), test.labels))


def tune_diffprivlib(fit: ImageDataset, validation: ImageDataset, *, epsilon: float, data_norms: Sequence[float],
                     inverse_regularizations: Sequence[float] = (1.0,), seed: int = 0) -> tuple[float, float, float]:
    """diffprivlib's own hyper-parameters chosen on held-out data: (data_norm, inverse_regularization, accuracy).

    Fits one model per pair on ``fit`` and keeps the pair with the best accuracy on ``validation``
    (the first on a tie), so that the comparison with DP-SGD is fair without touching the test set.
    Each candidate ``data_norm`` must itself be a public bound or a clipping norm chosen without the data.
    """
    check_dataset(fit, "fit")
    check_dataset(validation, "validation")
    epsilon = check_epsilon(epsilon)
    grids = {}
    for name, values in (("data_norms", data_norms), ("inverse_regularizations", inverse_regularizations)):
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise ParameterTypeError(f"{name} must be a sequence of numbers, got {type(values).__name__}")
        grids[name] = [check_positive(value, name) for value in values]
        if not grids[name]:
            raise ValueError(f"{name} must be non-empty, got an empty sequence")
    seed = check_positive_int(seed, "seed", minimum=0)
    scored = [(diffprivlib_accuracy(fit, validation, epsilon=epsilon, data_norm=norm, seed=seed,
                                    inverse_regularization=c), norm, c)
              for norm in grids["data_norms"] for c in grids["inverse_regularizations"]]
    accuracy, norm, c = max(scored, key=lambda row: row[0])
    return norm, c, accuracy
