"""The lab on Flower's Deployment Engine: real processes on 127.0.0.1, as on real machines.

    .venv/bin/python scripts/flower_deployment.py fedavg       # FedAvg: deployment vs in-process vs simulation
    .venv/bin/python scripts/flower_deployment.py secaggplus   # Flower's SecAgg+ beside the lab's protocol

``fedavg`` starts a SuperLink and one SuperNode process per client (``ppml_lab.flower_deployment``),
submits the lab's FedAvg app with ``flwr run``, and compares the final global weights with the in-process
``ppml_lab.federated.fedavg`` and with ``ppml_lab.flower_sim.run_fedavg`` (Flower's Simulation Engine, on
Ray; ``--no-simulation`` skips it), on the same partitions, seeds and rounds, every client in every round.
``secaggplus`` runs one round of Flower's SecAgg+ (deployed the same way) and of
``ppml_lab.secure_aggregation`` on the same updates with the same dropouts, and prints the errors against
the exact sum beside each protocol's quantisation bound, and the bytes and seconds. Every process started
is stopped at the end. Lesson 06 quotes the table this prints (its numbers other than seconds are
deterministic up to Flower's stochastic rounding, which stays inside its bound; ``make test-scale`` checks them).
"""

from __future__ import annotations

import argparse
import sys

import torch

from ppml_lab import federated, flower_deployment, flower_sim


def fedavg(args: argparse.Namespace) -> int:
    """Deploy FedAvg and print the largest weight difference to each in-process run."""
    common = {"model": "logistic", "rounds": args.rounds, "client_fraction": 1.0, "local_epochs": 1,
              "batch_size": 32, "lr": 0.1, "seed": 0}
    deployed = flower_deployment.run_fedavg(args.clients, partition_seed=0, timeout=args.timeout, **common)
    train, test = flower_sim.mnist_split()
    local = federated.fedavg(federated.partition(train, args.clients, None, rng=0), test, progress=False, **common)
    print(f"deployment engine: {args.clients} SuperNodes, {args.rounds} rounds, test accuracy "
          f"{deployed.accuracy:.3f} (in-process {local.accuracy:.3f})")
    difference = flower_deployment.max_weight_difference(deployed.model, local.model)
    print(f"max |w_deployment - w_in_process| = {difference:.1e}")
    if not args.no_simulation:
        simulated = flower_sim.run_fedavg(args.clients, partition_seed=0, num_cpus=1, progress=False, **common)
        print(f"max |w_deployment - w_simulation| = "
              f"{flower_deployment.max_weight_difference(deployed.model, simulated.model):.1e}")
    return 0


def secaggplus(args: argparse.Namespace) -> int:
    """Run both protocols and print the sums' errors and the costs."""
    import pandas as pd

    comparison = flower_deployment.compare_secure_aggregation(
        args.clients, threshold=args.threshold, size=args.size, drop_before_masking=args.drop_before,
        drop_after_masking=args.drop_after, timeout=args.timeout)
    print(f"{comparison.n_clients} clients, threshold {comparison.threshold}, {args.size} values each; "
          f"dropped before masking {comparison.dropped_before_masking}, after {comparison.dropped_after_masking}; "
          f"both summed clients {comparison.included}")
    table = comparison.summary().join(comparison.costs)
    with pd.option_context("display.width", 200, "display.max_columns", 10, "display.float_format", "{:.3g}".format):
        print(table.to_string())
    print(f"max |lab sum - Flower sum| = {comparison.difference:.2e} "
          f"(<= {comparison.lab_bound + comparison.flower_bound:.2e}, the sum of the bounds)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one comparison."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("fedavg", help="FedAvg across processes vs in-process and simulated")
    one.add_argument("--clients", type=int, default=3)
    one.add_argument("--rounds", type=int, default=2)
    one.add_argument("--no-simulation", action="store_true", help="skip the Simulation Engine (Ray) run")
    one.add_argument("--timeout", type=float, default=600.0, help="seconds before every process is stopped")
    one.set_defaults(run=fedavg)
    two = commands.add_parser("secaggplus", help="Flower's SecAgg+ beside ppml_lab.secure_aggregation")
    two.add_argument("--clients", type=int, default=4)
    two.add_argument("--threshold", type=int, default=2)
    two.add_argument("--size", type=int, default=1000)
    two.add_argument("--drop-before", type=int, nargs="*", default=[1])
    two.add_argument("--drop-after", type=int, nargs="*", default=[2])
    two.add_argument("--timeout", type=float, default=600.0)
    two.set_defaults(run=secaggplus)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
