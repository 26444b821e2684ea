"""A Wait state refuses a `SecondsPath` or `TimestampPath` value AWS refuses.

AWS: `SecondsPath` must reference a non-negative integer and `TimestampPath`
an ISO-8601 extended offset date-time (with its `Z` or `±hh:mm`); anything
else fails the execution with `States.Runtime`, e.g. "The SecondsPath
parameter references a negative value: $.wait == -1", "The SecondsPath
parameter cannot be parsed as a long value: $.wait == 1.5", "The TimestampPath
parameter does not reference a valid ISO-8601 extended offset date-time format
string: $.at == 2016-12-05T21:29:29" (histories recorded on AWS, LocalStack's
tests/aws/services/stepfunctions/v2/scenarios and base/test_wait).

MiniStack 1.5.33: a negative, fractional or non-numeric `SecondsPath` value
does not wait at all and the execution goes on; a timestamp without a zone is
read as UTC and an unreadable one is skipped.

Fix (upstreamable in `_execute_wait`): JSONPath Wait states check the value
before waiting and raise `States.Runtime` with AWS's message (the walker adds
AWS's "An error occurred while executing the state ..." prefix). JSONata Wait
states are already checked by MiniStack.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from typing import Any

from ministack.services import stepfunctions as sfn

_OFFSET_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def apply() -> None:
    sfn._execute_wait = _checked_wait(sfn._execute_wait)


def _checked_wait(execute_wait: Any) -> Any:
    @functools.wraps(execute_wait)
    def wrapper(state_def: dict, raw_input: Any, ctx: dict | None = None) -> Any:
        if sfn._state_query_language(state_def, ctx) != "JSONata":
            effective = sfn._apply_input_path(state_def, raw_input, ctx)
            if "SecondsPath" in state_def:
                check_seconds(state_def["SecondsPath"], sfn._resolve_path(state_def["SecondsPath"], effective))
            elif "TimestampPath" in state_def:
                check_timestamp(state_def["TimestampPath"], sfn._resolve_path(state_def["TimestampPath"], effective))
        return execute_wait(state_def, raw_input, ctx)

    return wrapper


def check_seconds(path: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _runtime_error(f"The SecondsPath parameter cannot be parsed as a long value: {path} == {_shown(value)}")
    if value < 0:
        raise _runtime_error(f"The SecondsPath parameter references a negative value: {path} == {_shown(value)}")


def check_timestamp(path: str, value: Any) -> None:
    if isinstance(value, str) and _OFFSET_DATE_TIME.match(value):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            return
        except ValueError:
            pass
    raise _runtime_error(
        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format "
        f"string: {path} == {_shown(value)}"
    )


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _runtime_error(cause: str) -> Exception:
    return sfn._ExecutionError("States.Runtime", cause)
