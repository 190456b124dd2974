"""Small helpers shared by the sections: timing, percentiles, processes, this machine."""

from __future__ import annotations

import os
import platform
import time

import numpy as np


def timed(function, *args):
    """(what the function returned, seconds it took)."""
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def percentile(values, q: float) -> float | None:
    """The q-th percentile (linear interpolation), or None without values."""
    values = list(values)
    return float(np.percentile(values, q)) if values else None


def ms(seconds: float | None, digits: int = 1) -> float | None:
    return None if seconds is None else round(seconds * 1000, digits)


def p50_ms(seconds) -> float | None:
    return ms(percentile(seconds, 50))


def summary_ms(seconds: list[float]) -> dict:
    """p50, p95 and the count of a list of durations (in seconds), as milliseconds."""
    return {"p50_ms": p50_ms(seconds), "p95_ms": ms(percentile(seconds, 95)), "n": len(seconds)}


def _proc(path: str) -> list[str] | None:
    try:
        with open(path) as handle:
            return handle.read().splitlines()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None


def rss_mib(pid: int) -> float | None:
    """Resident memory (VmRSS) of a process in MiB, or None when it is gone."""
    lines = _proc(f"/proc/{pid}/status") or []
    rss = next((line.split()[1] for line in lines if line.startswith("VmRSS:")), None)
    return None if rss is None else round(int(rss) / 1024, 1)


def _stat(pid) -> list[str] | None:
    lines = _proc(f"/proc/{pid}/stat")
    return lines[0].rsplit(")", 1)[1].split() if lines else None


def cpu_seconds(pids) -> float:
    """User + system CPU time used so far by these processes (gone ones count 0)."""
    fields = [f for f in map(_stat, pids) if f]
    return sum(int(f[11]) + int(f[12]) for f in fields) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    """Direct child processes (scans /proc: no psutil needed)."""
    entries = [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]
    return sorted(child for child in entries if (_stat(child) or [0, -1])[1] == str(pid))


def machine() -> dict:
    """CPU model, cores, memory, OS and Python: the context of every number."""
    cpuinfo = _proc("/proc/cpuinfo") or []
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), None
    )
    meminfo = _proc("/proc/meminfo") or ["MemTotal: 0 kB"]
    return {
        "cpu": model or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "memory_gib": round(int(meminfo[0].split()[1]) / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def load_average() -> float:
    return round(os.getloadavg()[0], 2)
