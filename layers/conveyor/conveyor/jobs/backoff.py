"""How many times a job is tried, and how long it waits between attempts.

With the defaults (3 attempts, backoff 60,300,900): attempt 1 fails and the job waits
1 min; attempt 2 fails and it waits 5 min; attempt 3's failure is final (FAILED, to
the DLQ). No wait follows the last attempt, so the third step (15 min) is used only
when `JobMaxAttempts` is raised above 3; later failures repeat the last step.
"""

from __future__ import annotations

from dataclasses import dataclass

# The longest a message can stay invisible in SQS (ChangeMessageVisibility).
MAX_VISIBILITY_SECONDS = 43_200


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff_seconds: tuple[int, ...]
    max_stalls: int = 3  # attempts lost to the infrastructure a job survives (`stalled`); not attempts

    def has_attempts_left(self, attempts_made: int) -> bool:
        return attempts_made < self.max_attempts

    def delay_after(self, attempt: int, retry_after: float | None = None) -> int:
        """Seconds to wait after failed attempt `attempt` (1-based). A server's
        Retry-After wins over the schedule; the schedule's last entry repeats."""
        if retry_after is not None:
            return max(0, min(int(retry_after), MAX_VISIBILITY_SECONDS))
        index = min(attempt, len(self.backoff_seconds)) - 1
        return self.backoff_seconds[max(index, 0)]


def parse_backoff(value: str | tuple[int, ...]) -> tuple[int, ...]:
    """`60,300,900` -> (60, 300, 900): whole seconds, as SQS counts them."""
    if isinstance(value, tuple):
        return value
    try:
        delays = tuple(int(part) for part in value.replace(" ", "").split(",") if part)
    except ValueError:
        delays = ()
    if not delays or any(delay < 0 or delay > MAX_VISIBILITY_SECONDS for delay in delays):
        raise ValueError(f"a comma-separated list of 0-{MAX_VISIBILITY_SECONDS} s delays is expected, got {value!r}")
    return delays
