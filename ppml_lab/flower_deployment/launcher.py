"""Start a Flower federation on this machine's loopback, run one app on it with ``flwr run``, stop it all.

The processes are the ones a real deployment runs, one per machine there: ``flower-superlink`` (the
server: its Fleet API for the SuperNodes, Control API for ``flwr run`` and the ServerApp's runtime API
share one port in Flower 1.42), one ``flower-supernode`` per client (each with its own runtime port and
``--node-config "partition-id=i num-partitions=n"``), and ``flwr run APP lab`` against a connection
``lab`` written to a private ``FLWR_HOME``. Each SuperNode starts a ``flwr-clientapp`` process per
message and the SuperLink a ``flwr-serverapp`` process per run (Flower's default ``subprocess``
isolation), so every process below them is found through its parent and stopped at the end, on
success, error or timeout. Everything listens on 127.0.0.1 with ``--insecure`` (plain HTTP): on
loopback nothing leaves the machine; across machines use TLS (see the README, "Beyond one machine").
"""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ..validation import ParameterTypeError, check_positive, check_positive_int

__all__ = ["LOOPBACK", "free_ports", "write_app", "run_app", "DeploymentError"]

#: The only address the launcher binds or connects to.
LOOPBACK = "127.0.0.1"

#: Run-config values Flower accepts (``[tool.flwr.app.config]``): TOML scalars.
_SCALARS = (bool, int, float, str)


class DeploymentError(RuntimeError):
    """The federation did not finish: a process died, or the run outlasted its timeout (logs attached)."""


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports on 127.0.0.1 that are free now (the OS picks them: no fixed ports)."""
    count = check_positive_int(count, "count")
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((LOOPBACK, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check_run_config(run_config: Mapping[str, object], name: str = "run_config") -> dict[str, object]:
    if not isinstance(run_config, Mapping) or not all(isinstance(key, str) and key for key in run_config):
        raise ParameterTypeError(f"{name} must be a dict of str keys to TOML scalars, got {run_config!r:.80}")
    for key, value in run_config.items():
        if not isinstance(value, _SCALARS) or isinstance(value, float) and not math.isfinite(value):
            raise ParameterTypeError(f"{name}[{key!r}] must be a bool, int, finite float or str, got {value!r}")
    return dict(run_config)


def write_app(directory: str | Path, name: str, serverapp: str, clientapp: str,
              run_config: Mapping[str, object]) -> Path:
    """Write a Flower App (only its ``pyproject.toml``) into ``directory`` and return the directory.

    ``serverapp`` and ``clientapp`` are ``module:attribute`` references that every machine of the
    federation can import (here: ``ppml_lab`` modules, so each machine needs the lab installed);
    ``run_config`` becomes ``[tool.flwr.app.config]``, the ``context.run_config`` both apps read.
    """
    for value, label in ((name, "name"), (serverapp, "serverapp"), (clientapp, "clientapp")):
        if not isinstance(value, str) or not value:
            raise ParameterTypeError(f"{label} must be a non-empty str, got {value!r}")
    for value, label in ((serverapp, "serverapp"), (clientapp, "clientapp")):
        if value.count(":") != 1:
            raise ValueError(f"{label} must be a 'module:attribute' reference, got {value!r}")
    run_config = _check_run_config(run_config)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    config_lines = "\n".join(f"{key} = {_toml_value(value)}" for key, value in run_config.items())
    (directory / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "1.0.0"\ndescription = "ppml_lab on Flower\'s Deployment Engine"\n'
        f'license = "MIT"\ndependencies = ["flwr>=1.42"]\n\n'
        f'[tool.flwr.app]\npublisher = "ppml-lab"\n\n'
        f'[tool.flwr.app.components]\nserverapp = "{serverapp}"\nclientapp = "{clientapp}"\n\n'
        f"[tool.flwr.app.config]\n{config_lines}\n", encoding="utf-8")
    return directory


def _environment(flwr_home: Path) -> dict[str, str]:
    """The processes' environment: Flower's commands on PATH, the lab importable, telemetry off, one thread."""
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    root = str(Path(__file__).resolve().parents[2])  # the checkout holding ppml_lab/, for every Flower process
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update({"FLWR_HOME": str(flwr_home), "FLWR_TELEMETRY_ENABLED": "0", "PPML_LAB_PROGRESS": "off",
                "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"})
    return env


class _Processes:
    """The processes the launcher started, each in its own session, stopped together with all their children."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir, self.env = workdir, env
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, label: str, command: Sequence[str]) -> subprocess.Popen:
        log = open(self.workdir / f"{label}.log", "wb")  # noqa: SIM115 - closed when the process ends
        process = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                   cwd=self.workdir, start_new_session=True)
        log.close()
        self.started.append((label, process))
        return process

    def check_alive(self) -> None:
        for label, process in self.started:
            if process.poll() is not None:
                raise DeploymentError(f"{label} exited with code {process.returncode}\n{self.logs()}")

    def logs(self, tail: int = 15) -> str:
        parts = []
        for label, _ in self.started:
            lines = (self.workdir / f"{label}.log").read_text(errors="replace").splitlines()
            parts.append(f"--- {label} (last {tail} lines)\n" + "\n".join(lines[-tail:]))
        return "\n".join(parts)

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM every started process and every descendant (found before any dies), then SIGKILL survivors."""
        import psutil

        victims: dict[int, psutil.Process] = {}
        for _, process in self.started:
            try:
                parent = psutil.Process(process.pid)
                for member in [parent, *parent.children(recursive=True)]:
                    victims[member.pid] = member
            except psutil.NoSuchProcess:
                pass
        for _, process in self.started:  # their sessions too: whatever they detached into their group
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
        for member in victims.values():
            try:
                member.terminate()
            except psutil.NoSuchProcess:
                pass
        _, alive = psutil.wait_procs(list(victims.values()), timeout=grace)
        for member in alive:
            try:
                member.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(alive, timeout=grace)
        for _, process in self.started:
            process.wait(timeout=grace)


def _wait_for(condition: Callable[[], bool], processes: _Processes, deadline: float, what: str) -> None:
    while not condition():
        processes.check_alive()
        if time.monotonic() > deadline:
            raise DeploymentError(f"timed out waiting for {what}\n{processes.logs()}")
        time.sleep(0.2)


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((LOOPBACK, port)) == 0


def run_app(app_dir: str | Path, node_configs: Sequence[Mapping[str, object]], result_path: str | Path,
            *, timeout: float = 300.0, keep_logs: str | Path | None = None) -> Path:
    """Start a SuperLink and one SuperNode per entry of ``node_configs`` on 127.0.0.1, ``flwr run app_dir``,
    wait until the ServerApp has written ``result_path``, and stop every process, also on error or timeout.

    Raises :class:`DeploymentError` (with the processes' last log lines) when a process exits early or
    ``timeout`` seconds pass. ``keep_logs`` copies the logs to a directory (for debugging).
    """
    if isinstance(node_configs, (str, bytes)) or not isinstance(node_configs, Sequence) or not node_configs:
        raise ParameterTypeError(f"node_configs must be a non-empty list of dicts (one per SuperNode), "
                                 f"got {node_configs!r:.80}")
    node_configs = [_check_run_config(config, "node_configs") for config in node_configs]
    timeout = check_positive(timeout, "timeout")
    app_dir = Path(app_dir)
    if not (app_dir / "pyproject.toml").is_file():
        raise ValueError(f"app_dir must hold a Flower App's pyproject.toml (see write_app), got {str(app_dir)!r}")
    result_path = Path(result_path)
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryDirectory(prefix="ppml-lab-flower-") as scratch:
        workdir = Path(scratch)
        (workdir / "home").mkdir()
        link_port, *node_ports = free_ports(1 + len(node_configs))
        (workdir / "home" / "config.toml").write_text(
            f'[superlink]\ndefault = "lab"\n\n[superlink.lab]\naddress = "{LOOPBACK}:{link_port}"\ninsecure = true\n',
            encoding="utf-8")
        processes = _Processes(workdir, _environment(workdir / "home"))
        try:
            processes.start("superlink", ["flower-superlink", "--insecure", "--host", LOOPBACK, "--port",
                                          str(link_port), "--disable-runtime-dependency-installation"])
            _wait_for(lambda: _port_open(link_port), processes, deadline, "the SuperLink to listen")
            for index, (config, port) in enumerate(zip(node_configs, node_ports)):
                node_config = " ".join(f"{key}={_toml_value(value)}" for key, value in config.items())
                processes.start(f"supernode-{index}", [
                    "flower-supernode", "--insecure", "--superlink", f"{LOOPBACK}:{link_port}", "--host", LOOPBACK,
                    "--port", str(port), "--node-config", node_config])
            submit = subprocess.run(["flwr", "run", str(app_dir.resolve()), "lab", "--format", "json"],
                                    env=processes.env, cwd=workdir, capture_output=True, text=True,
                                    timeout=max(deadline - time.monotonic(), 1.0))
            if submit.returncode != 0:
                raise DeploymentError(f"flwr run failed ({submit.returncode}): {submit.stdout}{submit.stderr}\n"
                                      f"{processes.logs()}")
            _wait_for(result_path.is_file, processes, deadline, f"the ServerApp's result {result_path.name}")
        except subprocess.TimeoutExpired as error:
            raise DeploymentError(f"flwr run timed out\n{processes.logs()}") from error
        finally:
            processes.stop()
            if keep_logs is not None:
                Path(keep_logs).mkdir(parents=True, exist_ok=True)
                for log in workdir.glob("*.log"):
                    (Path(keep_logs) / log.name).write_bytes(log.read_bytes())
    return result_path
