"""DP-SGD: per-sample clipping plus Gaussian noise, trained with Opacus and shown from scratch.

Taught in ``notebooks/02_dpsgd.ipynb``. :func:`train_dpsgd` is the lab's one entry point (Opacus's
``PrivacyEngine.make_private_with_epsilon`` with Poisson sampling and the PRV or RDP accountant);
:func:`privatized_gradient` is the few-dozen-line teaching version of one step that a test checks
against Opacus. Follows Abadi et al. 2016, "Deep Learning with Differential Privacy", Algorithm 1.
"""

from __future__ import annotations

from ..accounting.calibration import ACCOUNTANTS, epsilon_spent, noise_multiplier_for
from .diffprivlib_baseline import (
    diffprivlib_accuracy,
    tune_diffprivlib,
)
from .private_training import (
    GRAD_SAMPLE_MODES,
    DPSGDResult,
    choose_grad_sample_mode,
    train_dpsgd,
    validate_model,
)
from .scratch import (
    add_gaussian_noise,
    clip_per_sample,
    per_sample_gradient_norms,
    per_sample_gradients,
    privatized_gradient,
)

__all__ = [
    "ACCOUNTANTS",
    "GRAD_SAMPLE_MODES",
    "DPSGDResult",
    "add_gaussian_noise",
    "choose_grad_sample_mode",
    "clip_per_sample",
    "diffprivlib_accuracy",
    "epsilon_spent",
    "noise_multiplier_for",
    "per_sample_gradient_norms",
    "per_sample_gradients",
    "privatized_gradient",
    "train_dpsgd",
    "tune_diffprivlib",
    "validate_model",
]
