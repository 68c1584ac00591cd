"""k-anonymity and its attacks: generalisation hierarchies, Mondrian, k / l / t checks, the linkage attack,
utility metrics and a DP release beside them. Taught in ``notebooks/08_pii_and_anonymization.ipynb``.
"""

from .hierarchies import covers, generalize, generalize_birth_date, generalize_sex, generalize_zip
from .linkage import LinkageResult, linkage_attack, make_voter_roll

__all__ = ["covers", "generalize", "generalize_birth_date", "generalize_sex", "generalize_zip",
           "LinkageResult", "linkage_attack", "make_voter_roll"]
