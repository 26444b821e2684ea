"""Ids that clients choose (task ids, job ids, organization and account ids, ...).

One rule for every id that reaches a key, a URL path or an execution name: 1-128
characters of letters, digits and `_ . : -`. An id that could not be read back
through the API (a `/`, `#`, `?`, a control or bidirectional-override character, a
key longer than DynamoDB's limit) is refused at the edge, with the field named.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"

Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=ID_PATTERN)]
TaskId = Identifier
