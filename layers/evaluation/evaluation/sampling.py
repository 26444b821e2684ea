"""Which scenarios of a definition a run probes: deterministic sampling by seed.

    n  = the definition's scenarios;  p = samplePercentage, 0 < p <= 100
    k  = ceil(n * p / 100)            (at least 1: a run always probes something)
    key(scenario) = SHA-256("<seed>:<scenario id>"), read as a 256-bit number
    sampled = the k scenarios with the smallest keys, in the definition's order

The same seed over the same definition picks the same scenarios, on any machine and in
any language that has SHA-256; p = 100 picks every scenario; a scenario's key depends on
its own id only, so a larger percentage with the same seed picks a superset. The result
is kept as a bit mask over the definition's positions (`SampleMask`): 1,000 scenarios
take 125 bytes in the run's record.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

MAX_SEED = 2**31 - 1  # GraphQL's Int


def sample_size(count: int, percentage: float) -> int:
    if count < 1 or not 0 < percentage <= 100:
        raise ValueError(f"cannot sample {percentage}% of {count} scenarios")
    return max(1, min(count, math.ceil(count * percentage / 100 - 1e-9)))


def sample_positions(scenario_ids: Sequence[str], percentage: float, seed: int) -> list[int]:
    """The positions (in the definition's order) of the scenarios sampled with `seed`."""
    size = sample_size(len(scenario_ids), percentage)
    ranked = sorted(range(len(scenario_ids)), key=lambda position: _key(seed, scenario_ids[position]))
    return sorted(ranked[:size])


def _key(seed: int, scenario_id: str) -> bytes:
    return hashlib.sha256(f"{seed}:{scenario_id}".encode()).digest()


@dataclass(frozen=True)
class SampleMask:
    """Sampled positions as a bit mask: bit i (of byte i // 8, from its lowest bit) is position i."""

    encoded: str  # base64

    @classmethod
    def of(cls, positions: Sequence[int], count: int) -> SampleMask:
        bits = bytearray((count + 7) // 8)
        for position in positions:
            bits[position // 8] |= 1 << (position % 8)
        return cls(base64.b64encode(bytes(bits)).decode())

    def positions(self) -> list[int]:
        bits = base64.b64decode(self.encoded)
        return [i * 8 + bit for i, byte in enumerate(bits) for bit in range(8) if byte >> bit & 1]
