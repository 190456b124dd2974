"""The printed report of a run."""

from __future__ import annotations

from collections import Counter

from deploy.cluster.checks import Findings
from deploy.cluster.kiosks import Outcome


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def render(findings: Findings, outcomes: list[Outcome], events: list[str]) -> str:
    figures = findings.figures
    answered = [o for o in outcomes if o.status == 200]
    latencies = [o.seconds * 1000 for o in answered]
    seconds = figures.get("load_seconds") or 1
    errors = Counter(o.error for o in outcomes if o.error)
    said = Counter(outcome for o in answered for _, outcome in o.faces)
    lines = [
        "",
        "== cluster test report",
        f"  check-in requests      {len(outcomes)} in {seconds} s "
        f"({len(answered) / seconds:.2f} answered check-ins/s)",
        f"  latency (200s)         p50 {percentile(latencies, 0.5):.0f} ms, "
        f"p95 {percentile(latencies, 0.95):.0f} ms, max {max(latencies, default=0):.0f} ms",
        f"  faces answered         {dict(said) or 'none'}",
        f"  errors by kind         {dict(errors) or 'none'}",
        f"  marks in the database  {figures.get('marks_in_database')} "
        f"(people told marked: {figures.get('people_told_marked')}; "
        f"lost {figures.get('marks_lost')}, duplicated {figures.get('marks_duplicated')})",
        f"  photos                 {figures.get('photos')}",
        f"  enrollment + training  {figures.get('enrollment_seconds')} s",
        f"  health / live / metrics {figures.get('health')} / {figures.get('health_live')} / "
        f"{figures.get('metrics')}",
        f"  objects in the bucket  {figures.get('objects_in_bucket')}",
        "  events:",
        *(f"    - {event}" for event in events),
    ]
    if findings.notes:
        lines += ["  notes:", *(f"    - {note}" for note in findings.notes)]
    if findings.failures:
        lines += ["  FAILED:", *(f"    - {failure}" for failure in findings.failures)]
    else:
        lines.append("  all checks passed")
    return "\n".join(lines)
