"""Small HTML helpers shared by the report page's sections (every value escaped or an integer)."""

from __future__ import annotations

from collections.abc import Iterable

#: Loaded-term category -> (ink colour, marker colour, underline style); none of them is an attribution colour.
CATEGORY_STYLES: dict[str, tuple[str, str, str]] = {
    "name_calling": ("#c92a2a", "#ffc9c9", "solid"),
    "loaded_language": ("#6741d9", "#e5dbff", "wavy"),
    "delegitimizing": ("#0b7285", "#c5f6fa", "double"),
    "exaggeration": ("#a61e4d", "#ffdeeb", "dotted"),
}


def category_class(category: str) -> str:
    """The CSS class of a loaded-term category (``lt-other`` for an unknown one)."""
    return f"lt-{category}" if category in CATEGORY_STYLES else "lt-other"


def links(indices: Iterable[int], prefix: str) -> str:
    """Comma-separated links ``#<prefix>-<i>``; "none" when there are none.

    Example:
        >>> links([1, 3], "s")
        '<a href="#s-1">1</a>, <a href="#s-3">3</a>'

    """
    out = ", ".join(f'<a href="#{prefix}-{int(i)}">{int(i)}</a>' for i in indices)
    return out or '<span class="none">none</span>'


def table(head: Iterable[str], rows: Iterable[str], css: str = "") -> str:
    """A table in a scrolling box; a header starting with ``#`` is numeric (right-aligned)."""
    cells = "".join(f'<th class="num">{h[1:]}</th>' if h.startswith("#") else f"<th>{h}</th>" for h in head)
    body = f'<table class="{css}"><thead><tr>{cells}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return f'<div class="scroll">{body}</div>'
