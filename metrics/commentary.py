"""Commentary: drafting it from the figures in the council's house style, and showing it safely.

The draft follows the papers' pattern: what happened this period and since when, against
target and comparator, over the year, and the spread between areas. It is a starting point for
a person to edit; nothing here publishes anything.
"""

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "h3", "h4"}
RAG_PHRASES = {
    "green": "better than target",
    "amber": "worse than target but within tolerance",
    "red": "significantly worse than target",
}
DIRECTION_VERBS = {
    "improving": "improved",
    "declining": "declined",
    "no_change": "was broadly unchanged",
}


def render(text):
    """Markdown to HTML, with anything but plain formatting and links removed."""
    html = markdown_lib.markdown(text or "", extensions=[], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def draft(
    *,
    name,
    fmt,
    period,
    status,
    previous_label,
    year_label,
    target_kind="",
    comparator=None,
    areas=(),
):
    """A first draft of commentary for one measure and period.

    ``fmt`` formats a value in the measure's unit; ``status`` has value, previous_value,
    year_ago_value, target, rag, direction and direction_year; ``comparator`` is
    (label, value, as_at label) or None; ``areas`` is [(area name, value)].
    """
    if status is None or status.value is None:
        return f"There is no figure for {name.lower()} in {period}."
    sentences = []
    value = fmt(status.value)
    verb = DIRECTION_VERBS.get(status.direction)
    if status.previous_value is not None and verb:
        if status.direction == "no_change":
            sentences.append(
                f"{name} was broadly unchanged in {period} ({value}, compared with "
                f"{fmt(status.previous_value)} in {previous_label})."
            )
        else:
            movement = "up" if status.value > status.previous_value else "down"
            sentences.append(
                f"{name} {verb} in {period} ({value}, {movement} from "
                f"{fmt(status.previous_value)} in {previous_label})."
            )
    else:
        sentences.append(f"{name} was {value} in {period}.")
    if status.target is not None and status.rag in RAG_PHRASES:
        target = f"{'the stretch target' if target_kind == 'stretch' else 'target'}"
        text = f"This is {RAG_PHRASES[status.rag]} ({target} {fmt(status.target)})"
        if comparator is not None:
            label, comparator_value, as_at = comparator
            text += (
                f"; the {label.lower()} is {fmt(comparator_value)}{f' ({as_at})' if as_at else ''}"
            )
        sentences.append(text + ".")
    if status.year_ago_value is not None and status.direction_year in DIRECTION_VERBS:
        sentences.append(
            f"Over the year, performance {DIRECTION_VERBS[status.direction_year]} "
            f"(from {fmt(status.year_ago_value)} in {year_label})."
        )
    ranked = sorted((a for a in areas if a[1] is not None), key=lambda a: a[1])
    if len(ranked) >= 2 and ranked[0][1] != ranked[-1][1]:
        high, low = ranked[-1], ranked[0]
        sentences.append(
            f"Across areas, performance ranged from {fmt(high[1])} in {high[0]} to "
            f"{fmt(low[1])} in {low[0]}."
        )
    return " ".join(sentences)
