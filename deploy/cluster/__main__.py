"""`make cluster-test`: build the hosts, start the reference deployment on them, run the
scenario, print the report, stop everything and delete the hosts (also on failure and
Ctrl-C). Exit status 1 when a check failed, 2 when the cluster could not be built."""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from deploy.cluster import netns, report
from deploy.cluster.hosts import PROJECT, WEB_HOSTS, Cluster
from deploy.cluster.scenario import Scenario

WORK_PREFIX = f"{netns.PREFIX}-run-"


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m deploy.cluster", description=__doc__)
    parser.add_argument("--kiosks", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--faces", type=Path, default=PROJECT.parent / "shared" / "faces")
    parser.add_argument(
        "--shared-media-root",
        action="store_true",
        help="give every host one MEDIA_ROOT folder (as an NFS mount would), for a build "
        "without object storage",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the run's folder")
    return parser.parse_args()


def clean_leftovers() -> None:
    """A previous run that crashed: its processes (found by namespace), hosts and folders."""
    for name in netns.remove_all():
        print(f"[cluster] removed {name}, left by a run that crashed", flush=True)
    for folder in Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*"):
        shutil.rmtree(folder, ignore_errors=True)


def _stop_on_signal(number, frame):
    raise SystemExit(f"stopped by signal {number}")


def main() -> int:
    args = parse()
    if os.geteuid() != 0:
        print("make cluster-test creates network namespaces: run it as root", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGHUP, _stop_on_signal)
    clean_leftovers()
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX))
    work.chmod(0o755)  # PostgreSQL and nginx's workers run as other users
    cluster = Cluster(work, shared_media_root=args.shared_media_root)
    teacher, password = "cluster-teacher", secrets.token_urlsafe(16)
    status = 2
    try:
        netns.create()
        with netns.entered("kiosks"):
            print(f"[cluster] hosts: {', '.join(f'{h} {netns.address(h)}' for h in netns.HOSTS)}")
            cluster.start_services()
            cluster.prepare_app_hosts(teacher=teacher, password=password)
            for host in WEB_HOSTS:
                cluster.start_web(host)
            cluster.start_worker()
            cluster.start_beat()
            cluster.start_balancer()
            cluster.wait_for_app()
            print(f"[cluster] up after {time.monotonic() - began:.0f}s", flush=True)
            scenario = Scenario(
                cluster,
                args.faces,
                teacher=teacher,
                password=password,
                kiosks=args.kiosks,
                seconds=args.seconds,
            )
            findings, outcomes = scenario.run()
        print(report.render(findings, outcomes, scenario.events))
        status = 1 if findings.failures else 0
    except KeyboardInterrupt:
        print("[cluster] interrupted", file=sys.stderr)
        status = 130
    except Exception as error:
        print(f"[cluster] the run broke off: {error!r}", file=sys.stderr)
        for process in cluster.processes.started:
            print(
                f"--- {process.name} on {process.host} (last lines)\n{process.tail()}",
                file=sys.stderr,
            )
    finally:
        cluster.stop_all()
        netns.remove_all()
        if netns.leftovers():
            print(f"[cluster] could not delete {netns.leftovers()}", file=sys.stderr)
            status = 2
        if args.keep_logs:
            print(f"[cluster] logs kept in {work / 'logs'}")
        else:
            shutil.rmtree(work, ignore_errors=True)
        print(f"[cluster] everything stopped and removed; {time.monotonic() - began:.0f}s in all")
    return status


if __name__ == "__main__":
    sys.exit(main())
