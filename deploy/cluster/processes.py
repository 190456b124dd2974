"""The run's processes: each started on one host, in a process group of its own, its output
in a log file; every one of them is stopped at the end, whatever happened."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from deploy.cluster import netns


class Process:
    def __init__(self, name: str, host: str, argv: list[str], *, env: dict, cwd: Path, logs: Path):
        self.name, self.host = name, host
        self.log = logs / f"{name}.log"
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                netns.command_in(host, argv),
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own group: a kill reaches its children too
            )

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group: a crash, as when a machine dies."""
        self._signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, grace: float = 5) -> None:
        if not self.running:
            self._signal(signal.SIGKILL)  # children left by a dead leader
            return
        self._signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()
        self._signal(signal.SIGKILL)

    def _signal(self, sig) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return ""
        return "\n".join(text[-lines:])


class Processes:
    """Every process the run started, so that all of them can be stopped."""

    def __init__(self, *, cwd: Path, logs: Path):
        self.cwd, self.logs = cwd, logs
        self.started: list[Process] = []

    def start(self, name: str, host: str, argv: list[str], env: dict) -> Process:
        process = Process(name, host, argv, env=env, cwd=self.cwd, logs=self.logs)
        self.started.append(process)
        return process

    def run(self, name: str, host: str, argv: list[str], env: dict, timeout: float) -> None:
        """A one-off command on a host (migrate, building the encoder); raises on failure."""
        process = self.start(name, host, argv, env)
        try:
            status = process.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            raise RuntimeError(f"{name} on {host} took over {timeout:.0f} s") from None
        if status != 0:
            raise RuntimeError(f"{name} on {host} failed (exit {status}):\n{process.tail()}")

    def stop_all(self) -> None:
        for process in reversed(self.started):
            process.stop()


def wait_until(check, *, timeout: float, what: str, interval: float = 0.25):
    """Poll `check()` until it returns a true value; RuntimeError naming `what` after timeout."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = check()
        except Exception as error:  # the service is still starting: keep polling
            last_error = error
        else:
            if result:
                return result
        time.sleep(interval)
    raise RuntimeError(f"{what} not reached in {timeout:.0f} s (last error: {last_error!r})")
