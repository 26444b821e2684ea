"""How many times a job is tried, and how long it waits between attempts."""

from __future__ import annotations

from dataclasses import dataclass

# The longest a message can stay invisible in SQS (ChangeMessageVisibility).
MAX_VISIBILITY_SECONDS = 43_200


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff_seconds: tuple[int, ...]

    def has_attempts_left(self, attempts_made: int) -> bool:
        return attempts_made < self.max_attempts

    def delay_after(self, attempt: int, retry_after: int | None = None) -> int:
        """Seconds to wait after failed attempt `attempt` (1-based). A server's
        Retry-After wins over the schedule; the schedule's last entry repeats."""
        if retry_after is not None:
            return max(0, min(int(retry_after), MAX_VISIBILITY_SECONDS))
        index = min(attempt, len(self.backoff_seconds)) - 1
        return self.backoff_seconds[max(index, 0)]
