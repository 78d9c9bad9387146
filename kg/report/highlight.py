"""A paragraph's text with the words that support a claim marked, from the mentions' offsets.

The text is always escaped: it is shown, never read as markup, whatever it holds. Marks
nest (法国 inside 法国开发署) and a mark's text is exactly the text between its mention's
offsets, which is the mention's surface string; a mention that crosses another one's
boundary is left unmarked rather than split, so no mark ever holds part of a name.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    """A mention to mark: its offsets in the paragraph's text and what the mark says about it."""

    start: int
    end: int
    mention: str
    kind: str  # the entity's kind (programme, organisation, country, target …), for the mark's colour
    title: str  # what the entity is, shown on hover
    focus: bool = False  # the entity the page is about


def nested(spans: list[Span], lo: int, hi: int) -> list[Span]:
    """The spans inside ``[lo, hi)`` that nest, outer before inner; a crossing span is dropped."""
    chosen: list[Span] = []
    open_ends: list[int] = []
    seen = set()
    for span in sorted(spans, key=lambda s: (s.start, -s.end, not s.focus, s.mention)):
        if span.start < lo or span.end > hi or span.start >= span.end or (span.start, span.end) in seen:
            continue
        while open_ends and open_ends[-1] <= span.start:
            open_ends.pop()
        if open_ends and span.end > open_ends[-1]:
            continue  # crosses the mark it starts inside
        chosen.append(span)
        seen.add((span.start, span.end))
        open_ends.append(span.end)
    return chosen


def _open(span: Span, ids: bool) -> str:
    classes = f"m m-{span.kind}" + (" focus" if span.focus else "")
    anchor = f'id="m-{span.start}-{span.end}" ' if ids else ""
    return (f'<mark {anchor}class="{escape(classes)}" data-mention="{escape(span.mention)}" '
            f'data-start="{span.start}" data-end="{span.end}" title="{escape(span.title)}">')


def highlight(text: str, spans: list[Span], lo: int = 0, hi: int | None = None, *, ids: bool = True) -> Markup:
    """``text[lo:hi]`` escaped, with ``spans`` (offsets in the whole text) as nested ``<mark>`` elements.

    ``ids`` gives each mark the id ``m-START-END`` that links to it (on a paragraph's own page).
    """
    hi = len(text) if hi is None else min(hi, len(text))
    # At one offset, marks close (inner first) before marks open (outer first).
    events: list[tuple[int, int, int, str]] = []
    for span in nested(spans, lo, hi):
        events.append((span.start, 1, -(span.end - span.start), _open(span, ids)))
        events.append((span.end, 0, span.end - span.start, "</mark>"))
    events.sort(key=lambda e: e[:3])
    parts, cursor = [], lo
    for offset, _, _, markup in events:
        parts.append(str(escape(text[cursor:offset])))
        parts.append(markup)
        cursor = offset
    parts.append(str(escape(text[cursor:hi])))
    return Markup("".join(parts))
