from __future__ import annotations

import re

from conveyor.durable.submission import execution_name

VALID = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")


def test_a_valid_task_id_is_the_name() -> None:
    assert execution_name("order-42") == "order-42"


def test_later_runs_and_replays_get_their_own_names() -> None:
    names = {execution_name("t", 1), execution_name("t", 2), execution_name("t", 2, replay=1)}
    assert names == {"t", "t--run2", "t--run2--replay1"}


def test_unsafe_and_long_ids_become_valid_distinct_names() -> None:
    ids = ["a b", "a:b", "a/b", "x" * 200, "x" * 199 + "y"]
    names = [execution_name(task_id, 3, replay=12) for task_id in ids]
    assert all(VALID.match(name) for name in names), names
    assert len(set(names)) == len(ids)
