"""The run's hosts: network namespaces joined by a bridge that lives in a namespace of its own.

Every name starts with PREFIX and every address is in SUBNET, on interfaces created inside
those namespaces: nothing is added to the machine's own namespace, and no namespace has a
route out, so the traffic stays between the run's hosts.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
from contextlib import contextmanager

PREFIX = "attcl"  # every namespace of the run: attcl-<host>
SUBNET = "10.213.7"
BRIDGE_NS = f"{PREFIX}-switch"
CLONE_NEWNET = 0x40000000

# host -> last octet of its address
HOSTS = {"services": 10, "web1": 11, "web2": 12, "worker": 13, "lb": 14, "kiosks": 20}


def address(host: str) -> str:
    return f"{SUBNET}.{HOSTS[host]}"


def namespace(host: str) -> str:
    return f"{PREFIX}-{host}"


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


def _in(ns: str, *args: str) -> None:
    _ip("netns", "exec", ns, "ip", *args)


def leftovers() -> list[str]:
    listed = _ip("netns", "list", check=False).stdout.split()
    return [name for name in listed if name.startswith(f"{PREFIX}-")]


def remove_all() -> list[str]:
    """Delete every namespace of this run (or of a previous, crashed one); their veths go
    with them. Returns the names deleted."""
    removed = leftovers()
    for name in removed:
        # Only processes this run (or a crashed one) started live in these namespaces.
        for pid in pids_in(name):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _ip("netns", "del", name, check=False)
    return removed


def create() -> None:
    """The bridge namespace and one namespace per host, each with eth0 on the bridge."""
    _ip("netns", "add", BRIDGE_NS)
    _in(BRIDGE_NS, "link", "set", "lo", "up")
    _in(BRIDGE_NS, "link", "add", "br0", "type", "bridge")
    _in(BRIDGE_NS, "link", "set", "br0", "up")
    for host in HOSTS:
        ns = namespace(host)
        _ip("netns", "add", ns)
        _in(ns, "link", "set", "lo", "up")
        # Both ends are created inside the run's namespaces: the peer moves straight to
        # the bridge's namespace, never through the machine's own.
        _in(ns, "link", "add", "eth0", "type", "veth", "peer", "name", host, "netns", BRIDGE_NS)
        _in(ns, "addr", "add", f"{address(host)}/24", "dev", "eth0")
        _in(ns, "link", "set", "eth0", "up")
        _in(BRIDGE_NS, "link", "set", host, "master", "br0")
        _in(BRIDGE_NS, "link", "set", host, "up")


def command_in(host: str, argv: list[str]) -> list[str]:
    """argv run on `host`."""
    return ["ip", "netns", "exec", namespace(host), *argv]


@contextmanager
def entered(host: str):
    """Run this process's new sockets (and threads started inside) on `host`; back after."""
    libc = ctypes.CDLL(None, use_errno=True)
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{namespace(host)}", os.O_RDONLY)
    try:
        if libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns into {namespace(host)} failed")
        try:
            yield
        finally:
            libc.setns(home, CLONE_NEWNET)
    finally:
        os.close(target)
        os.close(home)


def pids_in(name: str) -> list[int]:
    """Processes living in the namespace `name` (left by a run that crashed)."""
    listed = _ip("netns", "pids", name, check=False).stdout.split()
    return [int(pid) for pid in listed if pid.isdigit()]
