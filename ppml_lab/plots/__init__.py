"""Shared figure helpers so every plot in the lab looks alike.

Compute lives elsewhere: these functions take numbers and draw them. Conventions: axes are
labelled with units, epsilon axes are log-scale, colours come from the Okabe-Ito palette
(readable with colour-vision deficiencies). The lab's functions draw in the lab's style
(:func:`style`); ``import ppml_lab`` leaves matplotlib's global settings alone.
"""

from .charts import (
    plot_bars,
    plot_curves,
    plot_dpsgd_frontier,
    plot_grouped_bars,
    plot_heatmap,
    plot_histogram,
    plot_label_mix,
    plot_privacy_utility,
    plot_roc,
    plot_vote_histograms,
    show_images,
)
from .core import (
    BASELINE_COLORS,
    LAB_STYLE,
    PALETTE,
    epsilon_axis,
    label_axes,
    new_figure,
    style,
    use_lab_style,
)
from .core import LabAxes as LabAxes  # the class of a lab figure's axes
from .lesson03 import plot_attack_comparison, plot_audit_bounds
from .lesson05 import integer_ticks
from .lesson06 import plot_secagg_round_cost, plot_secagg_rounds
from .lesson07 import plot_key_size_costs
from .lesson08 import plot_anonymity_tradeoff
from .lesson09 import plot_three_axes
from .lesson10 import plot_forget_set_attack, plot_sisa_tradeoff
from .lesson11 import plot_budget_split, plot_cost_protection

__all__ = ["PALETTE", "BASELINE_COLORS", "LAB_STYLE", "style", "use_lab_style", "new_figure", "label_axes",
           "epsilon_axis", "plot_histogram", "plot_curves", "plot_heatmap", "plot_bars", "show_images",
           "plot_grouped_bars", "plot_label_mix", "plot_vote_histograms", "plot_privacy_utility",
           "plot_dpsgd_frontier", "plot_roc",
           "plot_key_size_costs",  # lesson 07
           "plot_anonymity_tradeoff",  # lesson 08
           "plot_secagg_rounds", "plot_secagg_round_cost",  # lesson 06
           "plot_attack_comparison", "plot_audit_bounds",  # lesson 03
           "integer_ticks",  # lesson 05
           "plot_three_axes",  # lesson 09
           "plot_forget_set_attack", "plot_sisa_tradeoff",  # lesson 10
           "plot_cost_protection", "plot_budget_split"]  # lesson 11
