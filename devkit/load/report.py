"""Figures of one step of `manage.py load`: requests/s, p50/p95/p99 by page kind and overall,
errors, and CPU per request by process group."""

import math
from dataclasses import dataclass, field


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    if not sorted_values:
        return math.nan
    return sorted_values[max(0, math.ceil(share * len(sorted_values)) - 1)]


@dataclass
class Figures:
    count: int
    errors: int
    per_second: float
    p50: float  # milliseconds
    p95: float
    p99: float

    @classmethod
    def of(cls, timings: list[float], errors: int, seconds: float) -> "Figures":
        ordered = sorted(timings)
        return cls(
            count=len(ordered),
            errors=errors,
            per_second=(len(ordered) + errors) / seconds,
            p50=percentile(ordered, 0.50) * 1000,
            p95=percentile(ordered, 0.95) * 1000,
            p99=percentile(ordered, 0.99) * 1000,
        )


@dataclass
class Step:
    customers: int
    agents: int
    seconds: float
    overall: Figures
    kinds: dict[str, Figures]
    cpu: dict[str, float]  # CPU seconds used in the step, by group
    error_samples: list[str] = field(default_factory=list)

    @property
    def users(self) -> str:
        return f"{self.customers}+{self.agents}"

    @property
    def requests(self) -> int:
        return self.overall.count + self.overall.errors

    def cpu_ms(self, group: str) -> float:
        return 1000 * self.cpu.get(group, 0.0) / max(self.requests, 1)

    @property
    def others_busy(self) -> float:
        """Share of the machine's CPU used by processes outside this test (the noise)."""
        ours = sum(self.cpu.get(g, 0.0) for g in ("gunicorn", "postgres", "celery", "load generator"))
        total = self.cpu.get("machine total")
        return max(0.0, self.cpu["machine busy"] - ours) / total if total else 0.0

    @property
    def machine_busy(self) -> float:
        """Share of the machine's CPU (all cores) busy during the step, anyone's."""
        return self.cpu["machine busy"] / self.cpu["machine total"] if self.cpu.get("machine total") else 0.0


def step_lines(step: Step) -> list[str]:
    lines = [
        f"step {step.users} users (customers+agents): {step.seconds:.0f} s, {step.requests:,} requests, "
        f"{step.overall.per_second:.1f} req/s, p50 {step.overall.p50:.0f} ms, p95 {step.overall.p95:.0f} ms, "
        f"p99 {step.overall.p99:.0f} ms, {step.overall.errors} errors",
    ]
    width = max(len("page kind"), *(len(kind) for kind in step.kinds))
    head = f"{'count':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}"
    lines.append(f"  {'page kind':<{width}} {head}")
    for kind, f in [*sorted(step.kinds.items()), ("all", step.overall)]:
        lines.append(
            f"  {kind:<{width}} {f.count:>6} {f.per_second:>6.1f} {f.p50:>7.0f} {f.p95:>7.0f} {f.p99:>7.0f} "
            f"{f.errors:>6}"
        )
    lines.append(
        "  CPU per request: "
        + ", ".join(
            f"{group} {step.cpu_ms(group):.1f} ms"
            for group in ("gunicorn", "postgres", "celery", "load generator")
            if group in step.cpu
        )
        + f"; machine {100 * step.machine_busy:.0f}% busy, {100 * step.others_busy:.0f}% by other processes"
    )
    lines += [f"  error: {sample}" for sample in step.error_samples]
    return lines


def summary_lines(steps: list[Step], target_p95: float) -> list[str]:
    lines = [
        f"{'users':>7} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} "
        f"{'gunicorn CPU ms/req':>19} {'busy':>5} {'others':>6}"
    ]
    for s in steps:
        lines.append(
            f"{s.users:>7} {s.overall.per_second:>6.1f} {s.overall.p50:>7.0f} {s.overall.p95:>7.0f} "
            f"{s.overall.p99:>7.0f} {s.overall.errors:>6} {s.cpu_ms('gunicorn'):>19.1f} "
            f"{100 * s.machine_busy:>4.0f}% {100 * s.others_busy:>5.0f}%"
        )
    within = [s for s in steps if s.overall.p95 <= target_p95 and s.overall.errors == 0]
    if within:
        best = max(within, key=lambda s: s.overall.per_second)
        lines.append(
            f"Throughput at p95 ≤ {target_p95:.0f} ms: {best.overall.per_second:.1f} req/s "
            f"({best.users} users; p50 {best.overall.p50:.0f} ms, p95 {best.overall.p95:.0f} ms)"
        )
    else:
        lines.append(f"Throughput at p95 ≤ {target_p95:.0f} ms: none of the steps kept p95 that low")
    return lines
