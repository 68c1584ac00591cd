"""k-anonymity and its attacks: generalisation hierarchies, Mondrian, k / l / t checks, the linkage attack,
attribute disclosure, utility metrics and a DP release beside them.

Taught in ``notebooks/08_pii_and_anonymization.ipynb``.
"""

from .disclosure import DisclosureResult, background_knowledge_attack, homogeneity_attack
from .dp_release import (
                         DPTable,
                         answers_from_table,
                         contingency_table,
                         discrete_laplace,
                         release_contingency_table,
                         simulate_release,
)
from .hierarchies import covers, generalize, generalize_birth_date, generalize_sex, generalize_zip
from .linkage import LinkageResult, linkage_attack, make_voter_roll
from .measures import (
                         AnonymityReport,
                         distinct_l_diversity,
                         entropy_l_diversity,
                         equivalence_classes,
                         k_anonymity,
                         measure,
                         t_closeness,
)
from .partition import MondrianResult, mondrian
from .tradeoff import QUASI_IDENTIFIERS, dp_sweep, k_anonymity_sweep
from .utility import average_class_size, cell_probabilities, discernibility, query_answers, query_error

__all__ = ["covers", "generalize", "generalize_birth_date", "generalize_sex", "generalize_zip",
           "LinkageResult", "linkage_attack", "make_voter_roll", "MondrianResult", "mondrian",
           "AnonymityReport", "equivalence_classes", "k_anonymity", "distinct_l_diversity", "entropy_l_diversity",
           "t_closeness", "measure", "DisclosureResult", "homogeneity_attack", "background_knowledge_attack",
           "discernibility", "average_class_size", "query_answers", "query_error", "cell_probabilities",
           "DPTable", "contingency_table", "answers_from_table", "release_contingency_table", "discrete_laplace",
           "simulate_release", "QUASI_IDENTIFIERS", "k_anonymity_sweep", "dp_sweep"]
