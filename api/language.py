"""The reader's language, from `Accept-Language`: French unless the request asks for another the site offers.

The site's visitors are French, so French is the default, for a request without the header, with one the
site cannot satisfy, or with `*`. Ranges are compared by their primary subtag (`fr-FR` and `fr-CA` ask for
`fr`, `en-GB` for `en`); each offered language takes the highest q-value of the ranges that name it (`*`
stands for those not named); the highest q wins, then the order of the header, then the site's order.
A malformed q-value counts as 0 (that range is ignored). There is no 406: a report in French is better than
none (RFC 9110 §12.5.4 lets a server ignore the header).
"""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_LANGUAGE = "fr"
LANGUAGES = ("fr", "en")  # what the site's texts (shapes' messages, canned queries' titles) are written in


def preferred_language(header: str | None, offered: Sequence[str] = LANGUAGES) -> str:
    """The offered language the `Accept-Language` header prefers (a primary tag: "fr", "en"), else the first
    offered (French)."""
    default = offered[0] if offered else DEFAULT_LANGUAGE
    ranges = _ranges(header or "")
    named = {tag for tag, _ in ranges}
    best: tuple[float, int, int, str] | None = None  # (q, -position in the header, -position offered, language)
    for rank, language in enumerate(offered):
        scores = [
            (q, position)
            for position, (tag, q) in enumerate(ranges)
            if tag == language or (tag == "*" and language not in named)
        ]
        if not scores:
            continue
        q, position = max(scores, key=lambda s: (s[0], -s[1]))
        if q > 0 and (best is None or (q, -position, -rank) > best[:3]):
            best = (q, -position, -rank, language)
    return best[3] if best is not None else default


def _ranges(header: str) -> list[tuple[str, float]]:
    """The header's language ranges as (primary subtag in lower case, q-value), in the header's order."""
    out = []
    for item in header.split(","):
        tag, *params = (part.strip() for part in item.split(";"))
        if not tag:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        out.append((tag.split("-")[0].lower(), q))
    return out
