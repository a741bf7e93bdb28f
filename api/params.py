"""Reading query-string parameters the way every route does: one value per name, formats apart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from kg.errors import BadParameter

FORMAT_PARAMETER = "format"  # the one request parameter that is not the query's own


def read_parameters(items: Sequence[tuple[str, str]]) -> tuple[dict[str, str], tuple[str, ...]]:
    """(the query's values, the format values) of a request; a repeated parameter is a `BadParameter`."""
    for name, count in Counter(name for name, _ in items).items():
        if count > 1:
            raise BadParameter(name, f"given {count} times; give it once")
    values = {name: value for name, value in items if name != FORMAT_PARAMETER}
    return values, tuple(value for name, value in items if name == FORMAT_PARAMETER)
