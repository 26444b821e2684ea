"""Deterministic sampling: the same seed picks the same scenarios; the size is exact; the order
is the definition's; a larger share with the same seed picks a superset."""

from __future__ import annotations

import hashlib

import pytest

from evaluation.sampling import SampleMask, sample_positions, sample_size

IDS = [f"scenario-{i}" for i in range(200)]


def test_the_same_seed_picks_the_same_scenarios_and_another_seed_others() -> None:
    first = sample_positions(IDS, 25, seed=7)
    assert first == sample_positions(list(IDS), 25, seed=7)
    assert first != sample_positions(IDS, 25, seed=8)


def test_the_algorithm_is_the_documented_one() -> None:
    """The k smallest SHA-256("<seed>:<id>") keys, in the definition's order: fixed forever."""
    for seed in (0, 1, 2, 99):
        keys = {sid: int(hashlib.sha256(f"{seed}:{sid}".encode()).hexdigest(), 16) for sid in IDS}
        smallest = set(sorted(IDS, key=keys.__getitem__)[:30])
        assert sample_positions(IDS, 15, seed) == [i for i, sid in enumerate(IDS) if sid in smallest]
    assert sample_positions(["a", "b", "c", "d", "e"], 40, seed=1) == [0, 3]  # as it was when written


@pytest.mark.parametrize(("count", "percentage", "size"), [(200, 25, 50), (10, 33, 4), (10, 100, 10), (7, 0.1, 1)])
def test_the_size_is_the_share_rounded_up_and_never_zero(count: int, percentage: float, size: int) -> None:
    assert sample_size(count, percentage) == size
    positions = sample_positions(IDS[:count], percentage, seed=3)
    assert len(positions) == size and positions == sorted(positions)


def test_all_of_them_at_one_hundred_percent_and_a_superset_at_a_larger_share() -> None:
    assert sample_positions(IDS, 100, seed=5) == list(range(len(IDS)))
    assert set(sample_positions(IDS, 10, seed=5)) <= set(sample_positions(IDS, 30, seed=5))


@pytest.mark.parametrize("percentage", [0, -1, 100.5])
def test_a_share_outside_0_to_100_is_refused(percentage: float) -> None:
    with pytest.raises(ValueError):
        sample_size(10, percentage)


def test_the_mask_keeps_exactly_the_positions() -> None:
    positions = sample_positions(IDS, 37, seed=11)
    mask = SampleMask.of(positions, len(IDS))
    assert mask.positions() == positions
    assert len(mask.encoded) <= 4 * ((len(IDS) // 8 + 3) // 3)  # base64 of one bit per scenario
