"""Starting, joining and stopping Ray, the engine under the lab's sweeps and Flower simulations.

Used by :mod:`ppml_lab.sweep` (``backend="ray"``, each sweep cell a Ray task) and by
:mod:`ppml_lab.flower_sim` (Flower's Simulation Engine runs on Ray). A local Ray starts without its
dashboard, with usage statistics off (the lab runs offline) and its logs in a temporary folder; an
existing cluster is joined by address (``"auto"``, ``"HOST:PORT"`` or ``"ray://HOST:10001"``), after a
bounded reachability check, so a wrong address fails in seconds with one line instead of hanging.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
from dataclasses import dataclass

from .validation import ParameterTypeError, check_positive, check_positive_int

__all__ = ["START_ATTEMPTS", "CONNECT_TIMEOUT_S", "RayRuntime", "check_address", "check_reachable", "start_ray",
           "shutdown_ray"]

#: Ray's raylet gives up when its agents are not up within a fixed time, which happens now and then
#: on a busy two-core machine: a seeded computation started again gives the same result.
START_ATTEMPTS = 3
#: Seconds to wait for a cluster's address to answer before calling it unreachable.
CONNECT_TIMEOUT_S = 5.0
_HOST_PORT = re.compile(r"^(?:ray://)?(?P<host>\[[0-9A-Fa-f:]+\]|[A-Za-z0-9_.-]+):(?P<port>[0-9]{1,5})$")


def quiet_environment() -> None:
    """Environment defaults for an offline, quiet Ray: no usage statistics, patient agent start-up.

    The raylet waits for Ray's dashboard agent to report its ports; on a busy machine the agent's start
    outlasts the default wait and the raylet aborts ("node timed out during startup", ray-project/ray#62883).
    """
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_agent_register_timeout_ms", "120000")


def shutdown_ray() -> None:
    """Stop this process's Ray connection (a half-started one too), so that the next attempt starts afresh."""
    try:
        import ray

        ray.shutdown()
    except Exception:  # noqa: BLE001 (nothing to stop, or Ray itself broken: the next start will say so)
        pass


def check_address(address: str | None) -> str | None:
    """Refuse an address that is not None, "auto", "HOST:PORT" or "ray://HOST:PORT" (no connection is tried)."""
    if address is None or address == "auto":
        return address
    if not isinstance(address, str):
        raise ParameterTypeError(f"address must be None (start a local Ray), 'auto', 'HOST:PORT' or 'ray://HOST:PORT', "
                         f"got {address!r}")
    match = _HOST_PORT.match(address)
    if match is None or not 0 < int(match["port"]) < 65536:
        raise ValueError(f"address must be None (start a local Ray), 'auto', 'HOST:PORT' or 'ray://HOST:PORT' "
                         f"with a port in 1..65535, got {address!r}")
    return address


def _host_port(address: str) -> tuple[str, int]:
    """(host, port) of a "HOST:PORT" or "ray://HOST:PORT" address, or of the cluster "auto" finds."""
    if address == "auto":
        from ray._private.services import canonicalize_bootstrap_address_or_die

        try:
            address = canonicalize_bootstrap_address_or_die("auto")
        except ConnectionError:
            raise ValueError("address 'auto' found no running Ray cluster on this machine (start one with "
                             "'ray start --head', or give its address)") from None
    match = _HOST_PORT.match(address)
    if match is None:
        raise ValueError(f"address 'auto' resolved to {address!r}, which is not HOST:PORT")
    return match["host"].strip("[]"), int(match["port"])


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Raise ValueError naming ``address`` unless a TCP connection to it opens within ``timeout`` seconds."""
    check_address(address)
    if address is None:
        raise ValueError("address must be 'auto', 'HOST:PORT' or 'ray://HOST:PORT' to check, got None")
    timeout = check_positive(timeout, "timeout")
    host, port = _host_port(address)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as error:
        reason = "timed out" if isinstance(error, TimeoutError) else (error.strerror or type(error).__name__)
        raise ValueError(f"address {address!r} is not reachable ({host}:{port}: {reason} within {timeout:g} s); "
                         "is the Ray head running ('ray start --head'), and is the port open?") from None


@dataclass(frozen=True)
class RayRuntime:
    """A Ray connection this process holds: ``started`` says whether we made it (and so must close it)."""

    address: str | None
    started: bool
    temp_dir: str | None = None  # the local Ray's session and log folder, removed on close

    def close(self) -> None:
        """Shut Ray down if this runtime started or joined it; leave a connection made by someone else alone."""
        if self.started:
            shutdown_ray()
            if self.temp_dir is not None:
                shutil.rmtree(self.temp_dir, ignore_errors=True)


def start_ray(address: str | None = None, num_cpus: int = 2) -> RayRuntime:
    """Join the Ray cluster at ``address``, or start a local Ray with ``num_cpus`` CPUs when it is None.

    A connection this process already holds (``ray.is_initialized()``) is reused and left open on close.
    A local start is retried up to :data:`START_ATTEMPTS` times; an unreachable address raises
    ``ValueError`` within :data:`CONNECT_TIMEOUT_S` seconds.
    """
    address = check_address(address)
    num_cpus = check_positive_int(num_cpus, "num_cpus")
    quiet_environment()
    import ray

    if address is not None:
        check_reachable(address)
    if ray.is_initialized():
        return RayRuntime(address, started=False)
    options = {"log_to_driver": False, "logging_level": "ERROR"}
    if address is not None:
        try:
            ray.init(address=address, **options)  # the cluster's own settings (dashboard, CPUs) stay as they are
        except (ConnectionError, RuntimeError, TimeoutError) as error:
            shutdown_ray()
            first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise ValueError(f"address {address!r} did not accept a Ray connection: {first_line}") from None
        return RayRuntime(address, started=True)
    for attempt in range(1, START_ATTEMPTS + 1):
        temp_dir = tempfile.mkdtemp(prefix="ppml_lab_ray_")
        try:
            ray.init(num_cpus=num_cpus, num_gpus=0, include_dashboard=False, _temp_dir=temp_dir, **options)
            return RayRuntime(None, started=True, temp_dir=temp_dir)
        except Exception as error:  # noqa: BLE001 (Ray raises a bare Exception when its raylet is not up in time)
            shutdown_ray()
            shutil.rmtree(temp_dir, ignore_errors=True)
            if attempt == START_ATTEMPTS:
                raise RuntimeError(f"a local Ray did not start in {START_ATTEMPTS} attempts ({error}); Ray's agents "
                                   "must come up within its fixed 15 s, which an overloaded machine can miss: "
                                   "retry when it is less busy, or use backend='process'") from error
    raise AssertionError("unreachable")
