"""Command-line experiment runner: ``python -m ppml_lab sweep dpsgd --epsilon 0.5 1 2 8 --clip 0.1 1 5 --out DIR``.

Big sweeps belong here rather than in a notebook (taught in ``notebooks/02_dpsgd.ipynb``). Writes
``DIR/results.csv`` (one row per cell and seed) and ``DIR/frontier.png``. ``--backend ray`` runs each
cell as a Ray task, on a local Ray or on a cluster (``--address auto`` or ``ray://HOST:10001``), with
the same cache and the same rows as the process pool. Every argument is checked before any work: a
bad one (an unreachable ``--address`` too) exits with status 2, a one-line message, and writes nothing.

``python -m ppml_lab capstone --out DIR [--guide docs/decision_guide.md]`` runs lesson 11's hospital pipeline
(``notebooks/11_capstone.ipynb``) and writes ``DIR/table.csv`` and ``DIR/cost_protection.png``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but an error is one line on stderr (no usage block) and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m ppml_lab`` argument parser (sub-commands: ``sweep dpsgd``, ``capstone``)."""
    from .models import MODELS
    from .sweep import DATASETS, FEATURES

    parser = _OneLineParser(prog="python -m ppml_lab", description="Run the lab's experiments from the shell.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)
    sweep = commands.add_parser("sweep", help="sweep a training method over a grid of privacy settings")
    methods = sweep.add_subparsers(dest="method", required=True, parser_class=_OneLineParser)
    dpsgd = methods.add_parser("dpsgd", help="DP-SGD over epsilon x clipping norm x seeds (Opacus)")
    dpsgd.add_argument("--dataset", default="mnist5k", help=f"one of {', '.join(DATASETS)} (default mnist5k)")
    dpsgd.add_argument("--epsilon", type=float, nargs="+", required=True, help="target epsilons (> 0)")
    dpsgd.add_argument("--clip", type=float, nargs="+", required=True, help="clipping norms C (> 0)")
    dpsgd.add_argument("--seeds", type=int, default=1, help="number of seeds per cell (>= 1; seeds 0..N-1)")
    dpsgd.add_argument("--epochs", type=int, default=3, help="training epochs (>= 1)")
    dpsgd.add_argument("--delta", type=float, default=1e-5, help="target delta in [0, 1) (default 1e-5)")
    dpsgd.add_argument("--model", default="logistic",
                       help=f"one of {', '.join(sorted(set(MODELS) - {'cnn_bn'}))} (default logistic)")
    dpsgd.add_argument("--features", default="pixels", help=f"one of {', '.join(FEATURES)} (default pixels)")
    dpsgd.add_argument("--batch-size", type=int, default=256, help="expected Poisson batch size")
    dpsgd.add_argument("--lr", type=float, default=2.0, help="SGD learning rate")
    dpsgd.add_argument("--accountant", default="prv", help="prv or rdp (default prv)")
    dpsgd.add_argument("--jobs", type=int, default=1, help="parallel worker processes (>= 1; process backend)")
    _add_backend_arguments(dpsgd)
    dpsgd.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    dpsgd.add_argument("--out", type=Path, required=True, help="output folder (created if missing)")
    _add_capstone_parser(commands)
    return parser


def _add_capstone_parser(commands: argparse._SubParsersAction) -> None:
    """The ``capstone`` sub-command (lesson 11): the measured table as CSV and the figure as PNG."""
    capstone = commands.add_parser("capstone", help="run lesson 11's hospital pipeline; write its table and figure")
    capstone.add_argument("--out", type=Path, required=True, help="output folder (created if missing)")
    capstone.add_argument("--seeds", type=int, default=3, help="number of seeds (>= 1; seeds 0..N-1, default 3)")
    capstone.add_argument("--guide", type=Path, default=None,
                          help="also write the decision guide (Markdown) here, e.g. docs/decision_guide.md")
    capstone.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def _add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    """--backend, --address and --grad-sample-mode: where the sweep's cells run and how they clip."""
    from .dpsgd import GRAD_SAMPLE_MODES
    from .sweep import BACKENDS

    parser.add_argument("--backend", default="process",
                        help=f"one of {', '.join(BACKENDS)}: worker processes here, or one Ray task per cell")
    parser.add_argument("--address", default=None,
                        help="Ray cluster to join with --backend ray: auto, HOST:PORT or ray://HOST:10001 "
                             "(default: start a local Ray with 2 CPUs)")
    parser.add_argument("--grad-sample-mode", default="auto",
                        help=f"Opacus clipping mode: auto (fastest exact one for the model) or one of "
                             f"{', '.join(GRAD_SAMPLE_MODES)}")


def _check_backend_arguments(args: argparse.Namespace) -> None:
    """Refuse a bad --backend or --address before any work; an unreachable address fails within seconds."""
    from .ray_runtime import check_address, check_reachable
    from .sweep import BACKENDS

    if args.backend not in BACKENDS:
        raise ValueError(f"--backend must be one of {', '.join(BACKENDS)}, got {args.backend!r}")
    if args.address is not None:
        if args.backend != "ray":
            raise ValueError(f"--address needs --backend ray, got --backend {args.backend}")
        try:
            check_address(args.address)
            check_reachable(args.address)
        except ValueError as error:
            raise ValueError(f"--{error}") from None


def _check_sweep_arguments(args: argparse.Namespace):
    """Validate every argument and return the sweep config; raises ValueError with a one-line message."""
    from .sweep import SweepConfig

    for value in args.epsilon:
        if not value > 0 or value == float("inf"):
            raise ValueError(f"--epsilon values must be finite numbers > 0, got {value:g}")
    for value in args.clip:
        if not value > 0 or value == float("inf"):
            raise ValueError(f"--clip values must be finite numbers > 0, got {value:g}")
    if args.seeds < 1:
        raise ValueError(f"--seeds must be an integer >= 1, got {args.seeds}")
    if args.jobs < 1:
        raise ValueError(f"--jobs must be an integer >= 1, got {args.jobs}")
    if args.out.exists() and not args.out.is_dir():
        raise ValueError(f"--out must be a folder, got the file {args.out}")
    _check_backend_arguments(args)
    names = {"dataset": "--dataset", "features": "--features", "model": "--model", "epochs": "--epochs",
             "batch_size": "--batch-size", "lr": "--lr", "delta": "--delta", "accountant": "--accountant",
             "grad_sample_mode": "--grad-sample-mode"}
    try:
        config = SweepConfig(dataset=args.dataset, features=args.features, model=args.model, epochs=args.epochs,
                             batch_size=args.batch_size, lr=args.lr, delta=args.delta, accountant=args.accountant,
                             grad_sample_mode=args.grad_sample_mode)
    except ValueError as error:
        message = str(error)
        for field, flag in names.items():
            if message.startswith(f"{field} "):
                message = flag + message[len(field):]
        raise ValueError(message) from None
    if config.batch_size > 4000:  # the mnist5k training split has 4,000 images
        raise ValueError(f"--batch-size must be <= 4000 (the training split's size), got {config.batch_size}")
    return config


def sweep_dpsgd(args: argparse.Namespace) -> int:
    """Run the DP-SGD sweep the arguments describe and write results.csv and frontier.png."""
    config = _check_sweep_arguments(args)
    from . import plots
    from .sweep import run_sweep, summarize

    results = run_sweep(args.epsilon, args.clip, seeds=range(args.seeds), config=config, n_jobs=args.jobs,
                        progress=not args.no_progress, backend=args.backend, address=args.address)
    args.out.mkdir(parents=True, exist_ok=True)
    results.to_csv(args.out / "results.csv", index=False)
    plots.use_lab_style()
    fig, ax = plots.new_figure(title=f"DP-SGD on {config.dataset} ({config.features}, {config.model}, "
                                     f"δ = {config.delta:g}, {args.seeds} seed(s))")
    plots.plot_dpsgd_frontier(ax, summarize(results))
    fig.savefig(args.out / "frontier.png")
    print(f"wrote {args.out / 'results.csv'} ({len(results)} rows) and {args.out / 'frontier.png'}")
    return 0


def _check_capstone_arguments(args: argparse.Namespace):
    """Validate the capstone's arguments and return its config; raises ValueError with a one-line message."""
    from .capstone import CapstoneConfig

    if args.seeds < 1:
        raise ValueError(f"--seeds must be an integer >= 1, got {args.seeds}")
    if args.out.exists() and not args.out.is_dir():
        raise ValueError(f"--out must be a folder, got the file {args.out}")
    if args.guide is not None and (args.guide.is_dir() or args.guide.suffix != ".md"):
        raise ValueError(f"--guide must be a Markdown file path ending in .md, got {args.guide}")
    return CapstoneConfig(seeds=tuple(range(args.seeds)))


def capstone(args: argparse.Namespace) -> int:
    """Run the capstone pipeline; write table.csv and cost_protection.png (and the decision guide if asked)."""
    config = _check_capstone_arguments(args)
    from . import plots
    from .capstone import measure_overheads, measured_table, render_decision_guide, run_pipeline

    table = measured_table(run_pipeline(config, progress=not args.no_progress))
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "table.csv", index=False)
    plots.plot_cost_protection(table).savefig(args.out / "cost_protection.png")
    written = [args.out / "table.csv", args.out / "cost_protection.png"]
    if args.guide is not None:
        args.guide.parent.mkdir(parents=True, exist_ok=True)
        args.guide.write_text(render_decision_guide(measure_overheads(config)), encoding="utf-8")
        written.append(args.guide)
    print(f"wrote {', '.join(str(path) for path in written)} ({len(table)} techniques)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m ppml_lab``; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "sweep" and args.method == "dpsgd":
            return sweep_dpsgd(args)
        if args.command == "capstone":
            return capstone(args)
    except ValueError as error:
        print(f"python -m ppml_lab: error: {error}", file=sys.stderr)
        return 2
    return 2  # unreachable: argparse requires a known command


if __name__ == "__main__":
    sys.exit(main())
