"""Bad inputs for the lab's core: seeding, validation, cache, datasets, plots, widgets, progress, lesson, exercises."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

import ppml_lab
from bad_inputs import INF, NAN, Bad, exempt, numbers
from ppml_lab import cache, classroom, datasets, exercises, lesson, plots, progress, seeding, validation, widgets


def _ax():
    return plots.new_figure()[1]


def _global_random_state():
    return torch.get_num_threads(), np.random.get_state()[1][:4].tolist(), torch.initial_seed()


TINY = datasets.ImageDataset(np.zeros((4, 1, 2, 2), np.float32), np.arange(4))

TABLE = {
    "ppml_lab.import_submodule": [Bad("name", lambda: ppml_lab.import_submodule("ppml_lab", ""), "empty"),
                                  Bad("package", lambda: ppml_lab.import_submodule(None, "x"), "None")],
    # classroom (nbgrader editions)
    "ppml_lab.classroom.lesson_notebooks": [Bad("notebooks", lambda: classroom.lesson_notebooks(["no.ipynb"]), "gone"),
                                            Bad("notebooks", lambda: classroom.lesson_notebooks([3]), "an int")],
    "ppml_lab.classroom.write_config": [Bad("course", lambda: classroom.write_config(None), "None")],
    "ppml_lab.classroom.generate_student_edition": [
        Bad("notebooks", lambda: classroom.generate_student_edition(["README.md"]), "not a notebook")],
    "ppml_lab.classroom.solution_texts": [Bad("instructor", lambda: classroom.solution_texts(1), "an int")],
    "ppml_lab.classroom.leaked_solutions": [Bad("student", lambda: classroom.leaked_solutions(
        ppml_lab.classroom.lesson_notebooks()[0], None), "None")],
    "ppml_lab.classroom.submission_problems": [Bad("released", lambda: classroom.submission_problems(None, "x"),
                                                   "None")],
    "ppml_lab.classroom.grade_submissions": [Bad("submissions", lambda: classroom.grade_submissions("/nonexistent"),
                                                 "missing folder"),
                                             Bad("submissions", lambda: classroom.grade_submissions(3), "an int")],
    "ppml_lab.classroom.main": [Bad("argv", lambda: classroom.main("student"), "a str, not a list")],
    # seeding
    "ppml_lab.seeding.seed_everything": [
        *[Bad("seed", (lambda v=v: seeding.seed_everything(v)), why, state=_global_random_state)
          for v, why in ((-1, "negative"), (1.5, "float"), ("0", "string"), (True, "bool"), (None, "None"))],
        Bad("torch_threads", lambda: seeding.seed_everything(0, torch_threads=0), "zero", state=_global_random_state)],
    "ppml_lab.cache.data_fingerprint": [Bad("arrays", lambda: cache.data_fingerprint([1, 2]), "a list"),
                                        Bad("arrays", lambda: cache.data_fingerprint(), "none")],
    "ppml_lab.seeding.crypto_rng": [Bad("rng", lambda: seeding.crypto_rng("seed"), "string"),
                                    Bad("rng", lambda: seeding.crypto_rng(-3), "negative")],
    "ppml_lab.seeding.random_bytes": [Bad("count", lambda: seeding.random_bytes(-1, None), "negative"),
                                      Bad("count", lambda: seeding.random_bytes(2.5, None), "float"),
                                      Bad("rng", lambda: seeding.random_bytes(4, 7), "a seed, not a Generator")],
    "ppml_lab.seeding.as_rng": [Bad("rng", lambda: seeding.as_rng("seed"), "string"),
                                Bad("rng", lambda: seeding.as_rng(-3), "negative"),
                                Bad("rng", lambda: seeding.as_rng(1.5), "float")],
    # validation: each check names the parameter it is given
    "ppml_lab.validation.ParameterTypeError": exempt("an exception class"),
    "ppml_lab.validation.check_epsilon": numbers("my_eps", lambda v: validation.check_epsilon(v, "my_eps")),
    "ppml_lab.validation.check_delta": [*numbers("my_delta", lambda v: validation.check_delta(v, "my_delta"),
                                                 allow_zero=True),
                                        Bad("my_delta", lambda: validation.check_delta(1.0, "my_delta"), "one")],
    "ppml_lab.validation.check_positive": numbers("x", lambda v: validation.check_positive(v, "x")),
    "ppml_lab.validation.check_nonnegative": numbers("x", lambda v: validation.check_nonnegative(v, "x"),
                                                     allow_zero=True),
    "ppml_lab.validation.check_finite": [Bad("x", lambda: validation.check_finite(NAN, "x"), "NaN"),
                                         Bad("x", lambda: validation.check_finite(-INF, "x"), "-inf"),
                                         Bad("x", lambda: validation.check_finite("3", "x"), "string")],
    "ppml_lab.validation.check_probability": [
        *numbers("p", lambda v: validation.check_probability(v, "p"), allow_zero=True),
        Bad("p", lambda: validation.check_probability(0.0, "p", open_low=True), "zero, open interval"),
        Bad("p", lambda: validation.check_probability(1.5, "p"), "above one")],
    "ppml_lab.validation.check_positive_int": [
        Bad("k", lambda: validation.check_positive_int(0, "k"), "zero"),
        Bad("k", lambda: validation.check_positive_int(2.5, "k"), "float"),
        Bad("k", lambda: validation.check_positive_int(True, "k"), "bool"),
        Bad("k", lambda: validation.check_positive_int("3", "k"), "string")],
    "ppml_lab.validation.check_one_of": [Bad("mode", lambda: validation.check_one_of("c", "ab", "mode"), "unknown"),
                                         Bad("mode", lambda: validation.check_one_of(["a"], "ab", "mode"), "list")],
    "ppml_lab.validation.check_nonempty": [Bad("rows", lambda: validation.check_nonempty([], "rows"), "empty"),
                                           Bad("rows", lambda: validation.check_nonempty(3, "rows"), "no length")],
    "ppml_lab.validation.check_array": [
        Bad("v", lambda: validation.check_array([1.0, NAN], "v"), "NaN"),
        Bad("v", lambda: validation.check_array([], "v"), "empty"),
        Bad("v", lambda: validation.check_array([[1.0]], "v", ndim=1), "wrong shape"),
        Bad("v", lambda: validation.check_array(["a"], "v"), "strings")],
    # cache
    "ppml_lab.cache.cache_dir": exempt("no parameters (reads PPML_LAB_CACHE)"),
    "ppml_lab.cache.code_fingerprint": exempt("no parameters"),
    "ppml_lab.cache.cache_key": [Bad("namespace", lambda: cache.cache_key("", {}), "empty"),
                                 Bad("namespace", lambda: cache.cache_key("../x", {}), "path"),
                                 Bad("inputs", lambda: cache.cache_key("a", [1]), "a list")],
    "ppml_lab.cache.cached": [Bad("compute", lambda: cache.cached("a", {}, 3), "not callable"),
                              Bad("inputs", lambda: cache.cached("a", None, lambda: 1), "None"),
                              Bad("enabled", lambda: cache.cached("a", {}, lambda: 1, enabled="no"), "a string")],
    # datasets
    "ppml_lab.datasets.DatasetError": exempt("an exception class"),
    "ppml_lab.datasets.sha256": [Bad("path", lambda: datasets.sha256(3), "an int")],
    "ppml_lab.datasets.data_path": [Bad("name", lambda: datasets.data_path("secrets.csv"), "unknown"),
                                    Bad("data_dir", lambda: datasets.data_path("patients.csv", data_dir=3), "an int")],
    "ppml_lab.datasets.ImageDataset": [
        Bad("labels", lambda: datasets.ImageDataset(np.zeros((3, 4)), np.arange(2)), "length mismatch"),
        Bad("labels", lambda: datasets.ImageDataset(np.zeros((3, 4)), np.zeros(3)), "float labels"),
        Bad("images", lambda: datasets.ImageDataset(np.zeros(3), np.arange(3)), "1-D images"),
        Bad("images", lambda: datasets.ImageDataset([[0.0]], np.arange(1)), "a list")],
    "ppml_lab.datasets.load_mnist5k": [Bad("data_dir", lambda: datasets.load_mnist5k(data_dir=1.5), "a float")],
    "ppml_lab.datasets.load_patients": [Bad("data_dir", lambda: datasets.load_patients(data_dir=1.5), "a float")],
    "ppml_lab.datasets.load_hospital": [Bad("data_dir", lambda: datasets.load_hospital(data_dir=1.5), "a float")],
    "ppml_lab.datasets.train_test_split": [
        *numbers("test_fraction", lambda v: datasets.train_test_split(TINY, v)),
        Bad("test_fraction", lambda: datasets.train_test_split(TINY, 1.0), "one"),
        Bad("dataset", lambda: datasets.train_test_split(np.zeros(4)), "an array")],
    "ppml_lab.datasets.load_mnist_full": [Bad("split", lambda: datasets.load_mnist_full("validation"), "unknown"),
                                          Bad("url", lambda: datasets.load_mnist_full(url="ftp://x/"), "bad scheme")],
    # lesson
    "ppml_lab.lesson.show_source": [Bad("obj", lambda: lesson.show_source(3), "an int")],
    # plots
    "ppml_lab.plots.use_lab_style": exempt("no parameters"),
    "ppml_lab.plots.style": exempt("no parameters"),
    "ppml_lab.plots.new_figure": [*numbers("ncols", lambda v: plots.new_figure(ncols=v)),
                                  *numbers("width", lambda v: plots.new_figure(width=v))[:3]],
    "ppml_lab.plots.label_axes": [Bad("ax", lambda: plots.label_axes(None, "x", "y"), "None")],
    "ppml_lab.plots.epsilon_axis": [Bad("axis", lambda: plots.epsilon_axis(_ax(), "z"), "unknown"),
                                    Bad("ax", lambda: plots.epsilon_axis("ax"), "a string")],
    "ppml_lab.plots.plot_histogram": [Bad("samples", lambda: plots.plot_histogram(_ax(), []), "empty"),
                                      Bad("samples", lambda: plots.plot_histogram(_ax(), [1, NAN]), "NaN"),
                                      Bad("bins", lambda: plots.plot_histogram(_ax(), [1, 2], bins=0), "zero")],
    "ppml_lab.plots.plot_curves": [Bad("curves", lambda: plots.plot_curves(_ax(), [1, 2], {"a": [1]}), "wrong length"),
                                   Bad("curves", lambda: plots.plot_curves(_ax(), [1, 2], [1, 2]), "not a mapping"),
                                   Bad("x", lambda: plots.plot_curves(_ax(), [], {}), "empty")],
    "ppml_lab.plots.plot_heatmap": [
        Bad("values", lambda: plots.plot_heatmap(_ax(), [1, 2], [1, 2], [1], "x", "y", "v"), "1-D"),
        Bad("x_labels", lambda: plots.plot_heatmap(_ax(), np.ones((2, 2)), [1], [1, 2], "x", "y", "v"), "short")],
    "ppml_lab.plots.plot_bars": [Bad("values", lambda: plots.plot_bars(_ax(), ["a", "b"], [1.0]), "wrong length"),
                                 Bad("values", lambda: plots.plot_bars(_ax(), ["a"], [INF]), "inf")],
    "ppml_lab.plots.show_images": [Bad("images", lambda: plots.show_images(np.zeros(5)), "1-D"),
                                   Bad("titles", lambda: plots.show_images(np.zeros((2, 3, 3)), ["a"]), "short"),
                                   Bad("ncols", lambda: plots.show_images(np.zeros((2, 3, 3)), ncols=0), "zero")],
    "ppml_lab.plots.plot_grouped_bars": [
        Bad("series", lambda: plots.plot_grouped_bars(_ax(), ["a", "b"], {"s": [1]}), "wrong length"),
        Bad("series", lambda: plots.plot_grouped_bars(_ax(), ["a"], [1]), "not a mapping")],
    "ppml_lab.plots.plot_label_mix": [Bad("counts", lambda: plots.plot_label_mix(_ax(), [1, 2]), "1-D"),
                                      Bad("counts", lambda: plots.plot_label_mix(_ax(), [[1, -2]]), "negative")],
    "ppml_lab.plots.plot_vote_histograms": [Bad("votes", lambda: plots.plot_vote_histograms([[1, -1]]), "negative"),
                                            Bad("votes", lambda: plots.plot_vote_histograms([]), "empty"),
                                            Bad("titles", lambda: plots.plot_vote_histograms([[1, 2]], titles=[]),
                                                "short")],
    "ppml_lab.plots.plot_privacy_utility": [
        Bad("epsilons", lambda: plots.plot_privacy_utility(_ax(), {"a": ([0.0, 1.0], [0.5, 0.6])}), "zero"),
        Bad("utility", lambda: plots.plot_privacy_utility(_ax(), {"a": ([1.0, 2.0], [0.5])}), "wrong length")],
    "ppml_lab.plots.plot_dpsgd_frontier": [
        Bad("summary", lambda: plots.plot_dpsgd_frontier(_ax(), pd.DataFrame({"x": [1]})), "wrong table")],
    "ppml_lab.plots.plot_roc": [
        Bad("tpr", lambda: plots.plot_roc(_ax(), {"a": ([0.1, 1.0], [1.0])}), "wrong length"),
        Bad("fpr_bound", lambda: plots.plot_roc(_ax(), {}, dp_bounds={"b": [1.0]}), "missing"),
        Bad("low", lambda: plots.plot_roc(_ax(), {}, low=0), "zero")],
    # widgets
    "ppml_lab.widgets.log_slider": [*numbers("low", lambda v: widgets.log_slider("x", v, 10.0, 1.0)),
                                    Bad("value", lambda: widgets.log_slider("x", 0.1, 10.0, 20.0), "out of range"),
                                    Bad("value", lambda: widgets.log_slider("x", 0.1, 10.0, NAN), "NaN"),
                                    Bad("steps_per_decade", lambda: widgets.log_slider("x", 0.1, 1, 0.5, 0), "zero"),
                                    Bad("description", lambda: widgets.log_slider(3, 0.1, 1, 0.5), "not a str")],
    "ppml_lab.widgets.epsilon_slider": [Bad("low", lambda: widgets.epsilon_slider(low=-1.0), "negative"),
                                        Bad("value", lambda: widgets.epsilon_slider(value=100.0), "out of range")],
    "ppml_lab.widgets.figure_to_display_data": [Bad("figure", lambda: widgets.figure_to_display_data("fig"), "str")],
    "ppml_lab.widgets.LinkedPlot": [
        Bad("compute", lambda: widgets.LinkedPlot(None, lambda r: r, {"e": widgets.epsilon_slider()}), "None"),
        Bad("controls", lambda: widgets.LinkedPlot(lambda: 1, lambda r: r, {}), "empty"),
        Bad("controls", lambda: widgets.LinkedPlot(lambda: 1, lambda r: r, {"e": 3}), "not a control")],
    # progress
    "ppml_lab.progress.progress_mode": exempt("no parameters (reads PPML_LAB_PROGRESS)"),
    "ppml_lab.progress.Progress": [Bad("total", lambda: progress.Progress(total=-1), "negative"),
                                   Bad("iterable", lambda: progress.Progress(3), "an int"),
                                   Bad("desc", lambda: progress.Progress([1], desc=None), "None")],
    "ppml_lab.progress.progress": [Bad("iterable", lambda: progress.progress(None, "x"), "None")],
    # exercises (feedback helpers; a student's wrong answer is feedback, the helpers' own misuse is an error)
    "ppml_lab.exercises.Feedback": [Bad("passed", lambda: exercises.Feedback("yes", "m"), "a string"),
                                    Bad("message", lambda: exercises.Feedback(True, ""), "empty")],
    "ppml_lab.exercises.correct": [Bad("message", lambda: exercises.correct(3), "an int")],
    "ppml_lab.exercises.not_yet": [Bad("message", lambda: exercises.not_yet(None), "None")],
    "ppml_lab.exercises.check_close": [Bad("expected", lambda: exercises.check_close(1.0, NAN), "NaN"),
                                       Bad("rel_tol", lambda: exercises.check_close(1.0, 1.0, rel_tol=-1), "negative")],
    "ppml_lab.exercises.first_failure": [Bad("checks", lambda: exercises.first_failure(None), "None")],
    "ppml_lab.exercises.graded": [Bad("feedback", lambda: exercises.graded(True), "a bool")],
    "ppml_lab.exercises.call_safely": [Bad("function", lambda: exercises.call_safely(3), "not callable")],
    "ppml_lab.exercises.call_for_number": [Bad("function", lambda: exercises.call_for_number(3, name="f", what="x"),
                                              "not callable")],
}
