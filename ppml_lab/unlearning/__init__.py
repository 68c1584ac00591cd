"""Machine unlearning: make a trained model forget records, and check that it did.

Taught in ``notebooks/10_machine_unlearning.ipynb``. Every method returns an :class:`Unlearned`
(the model after the deletion and what the deletion cost, counted in samples processed and
gradient steps, which are exact, and in seconds, which are not):

* :func:`retrain_without` - exact unlearning, retraining from scratch without the records (the
  gold standard and the baseline of every cost ratio);
* :class:`SISAModel` / :func:`train_sisa` - SISA (Bourtoule et al. 2021): shards, slices and
  checkpoints, so a deletion retrains one shard from the checkpoint before its slice;
* :func:`finetune_unlearn`, :func:`gradient_ascent_unlearn` - approximate unlearning, cheap and
  without a guarantee.

:mod:`.verification` attacks the forget set with the lab's LiRA before and after.
"""

from .approximate import finetune_unlearn, gradient_ascent_unlearn
from .costs import DeletionStream, expected_speedup, measure_deletion_stream, sisa_grid
from .exact import Unlearned, retrain_without
from .sisa import SISAModel, sisa_assignment, train_sisa
from .verification import (
    UnlearningExperiment,
    forget_set_attack,
    run_unlearning_experiment,
    summarise_seeds,
    unlearning_setup,
)

__all__ = ["Unlearned", "retrain_without", "SISAModel", "sisa_assignment", "train_sisa", "finetune_unlearn",
           "gradient_ascent_unlearn", "expected_speedup", "DeletionStream", "measure_deletion_stream", "sisa_grid",
           "forget_set_attack", "UnlearningExperiment", "run_unlearning_experiment", "summarise_seeds",
           "unlearning_setup"]
