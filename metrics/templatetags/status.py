"""Statuses shown as icon + text + colour, never colour alone."""

from functools import cache

from django import template
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from metrics.models import Assurance, Direction, Rag, Variation

register = template.Library()

RAG_STYLE = {
    Rag.GREEN: ("green", "circle-check", "On or better than target"),
    Rag.AMBER: ("amber", "triangle", "Within tolerance"),
    Rag.RED: ("red", "octagon", "Worse than tolerance"),
    Rag.NO_VALUE: ("none", "dash", "No value"),
    Rag.MISSING_TARGET: ("none", "dash", "No target"),
    Rag.NOT_JUDGED: ("none", "dash", "Not judged"),
}
DIRECTION_STYLE = {
    Direction.IMPROVING: ("green", "arrow-up", "Improving"),
    Direction.DECLINING: ("red", "arrow-down", "Declining"),
    Direction.NO_CHANGE: ("none", "arrow-flat", "No significant change"),
    Direction.NOT_COMPARABLE: ("none", "dash", "Not comparable"),
}
VARIATION_STYLE = {
    Variation.COMMON: ("none", "spc-common", "Common cause"),
    Variation.IMPROVEMENT: ("green", "spc-improve", "Special cause: improving"),
    Variation.CONCERN: ("amber", "spc-concern", "Special cause: concern"),
    Variation.NEUTRAL: ("none", "spc-neutral", "Special cause: neither"),
    Variation.NOT_ENOUGH: ("none", "dash", "Not enough data"),
}
ASSURANCE_STYLE = {
    Assurance.PASS: ("green", "spc-pass", "Target consistently met"),
    Assurance.FAIL: ("red", "spc-fail", "Target consistently missed"),
    Assurance.HIT_AND_MISS: ("none", "spc-hit-miss", "Target hit and miss"),
    Assurance.NO_TARGET: ("none", "dash", "No target"),
    Assurance.NOT_ENOUGH: ("none", "dash", "Not enough data"),
}


STYLES = {
    "rag": RAG_STYLE,
    "direction": DIRECTION_STYLE,
    "variation": VARIATION_STYLE,
    "assurance": ASSURANCE_STYLE,
}


@cache
def _status(kind, value):
    """The status's HTML: rendered once per kind and value, since there are only a few dozen,
    and a scorecard shows hundreds."""
    colour, icon, label = STYLES[kind].get(value, ("none", "dash", "Not available"))
    return mark_safe(  # noqa: S308 - our own template, with our own labels
        render_to_string(
            "metrics/includes/status.html", {"colour": colour, "icon": icon, "label": label}
        )
    )


@register.simple_tag
def rag_status(value):
    return _status("rag", value)


@register.simple_tag
def direction_status(value):
    return _status("direction", value)


@register.simple_tag
def variation_status(value):
    return _status("variation", value)


@register.simple_tag
def assurance_status(value):
    return _status("assurance", value)


@register.filter
def measure_value(value, measure):
    """A figure in the measure's unit and precision."""
    return measure.format_value(value)


@register.simple_tag
def revision_note(status, measure):
    """ "Revised on <date>: <old> → <new>, <reason>" under a corrected published figure."""
    revision = getattr(status, "revision", None) if status else None
    if revision is None:
        return ""
    return format_html(
        '<span class="revision-note govuk-body-s">{}</span>', revision.revision_text(measure)
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


# A risk's band is a level, not a verdict: bars rising with the band, never the performance
# tick, triangle and cross (a Low risk is not "on target").
RISK_STYLE = {
    "Low": ("green", "band-low"),
    "Moderate": ("amber", "band-moderate"),
    "High": ("red", "band-high"),
}
RISK_DIRECTION_STYLE = {
    "increasing": ("red", "arrow-up", "Risk increasing"),
    "decreasing": ("green", "arrow-down", "Risk decreasing"),
    "no_change": ("none", "arrow-flat", "No change"),
}


@cache
def _risk_html(band, score, direction):
    if direction is not None:
        colour, icon, label = RISK_DIRECTION_STYLE.get(
            direction, ("none", "dash", "No earlier rating")
        )
    else:
        colour, icon = RISK_STYLE.get(band, ("none", "dash"))
        label = f"{band} {score}" if band else "Not rated"
    return mark_safe(
        render_to_string(
            "metrics/includes/status.html", {"colour": colour, "icon": icon, "label": label}
        )
    )


@register.simple_tag
def risk_rating(assessment):
    """A rating as the papers print it, "Moderate 12", with its own icon shape and colour."""
    if assessment is None:
        return _risk_html("", None, None)
    return _risk_html(assessment.band, assessment.score, None)


@register.simple_tag
def risk_direction(direction):
    return _risk_html("", None, direction or "")


PROGRESS_STYLE = {
    "completed": ("green", "circle-check"),
    "on_target": ("green", "circle-check"),
    "at_risk": ("amber", "triangle"),
    "compromised": ("red", "octagon"),
    "in_progress": ("none", "arrow-flat"),
}
TRAJECTORY_STYLE = {
    "improved": ("green", "arrow-up"),
    "regressed": ("red", "arrow-down"),
    "no significant change": ("none", "arrow-flat"),
}
ACTION_STYLE = {
    "completed": ("green", "circle-check"),
    "in_progress": ("none", "arrow-flat"),
    "dropped": ("none", "dash"),
}


@cache
def _styled(colour, icon, label):
    return mark_safe(  # noqa: S308 - our own template, with our own labels
        render_to_string(
            "metrics/includes/status.html", {"colour": colour, "icon": icon, "label": label}
        )
    )


@register.simple_tag
def progress_status(value, label):
    """An improvement plan status (On target, At risk…), given its value and its label."""
    if not value:
        return _styled("none", "dash", "Not reported")
    return _styled(*PROGRESS_STYLE.get(value, ("none", "dash")), label)


@register.simple_tag
def trajectory_status(value):
    """Whether a metric improved, made no significant change or regressed over the plan."""
    return _styled(*TRAJECTORY_STYLE.get(value, ("none", "dash")), value or "Not comparable")


@register.simple_tag
def action_status(action, today):
    """An action's status, and Overdue when it is open and its month has ended."""
    if action.is_overdue(today):
        return _styled("red", "octagon", f"Overdue: {action.get_status_display().lower()}")
    return _styled(*ACTION_STYLE.get(action.status, ("none", "dash")), action.get_status_display())


NO_VALUE, NO_TARGET, NO_COMPARATOR = (
    f'<span aria-hidden="true">–</span><span class="govuk-visually-hidden">{text}</span>'
    for text in ("No value", "No target", "None")
)
DRAFT_TAG = ' <strong class="govuk-tag govuk-tag--yellow">Draft</strong>'
STRETCH = ' <span class="govuk-body-s">(stretch)</span>'


@register.simple_tag
def scorecard_row(measure, periods):
    """One scorecard row (a table row that reflows into a card on small screens), built with
    plain strings: the scorecard shows hundreds, and the template language made them most of
    the time of a scorecard's first request after a change. Every value from the database is
    escaped; the pieces left as they are (status icons, revision notes, the sparkline's SVG)
    are our own HTML."""
    e = conditional_escape
    history = list(measure.history)
    figures = []
    for number, (status, period) in enumerate(zip(history, periods, strict=False), start=1):
        last = number == len(history)
        if status:
            shown = e(measure.format_value(status.value))
            if not status.published:
                shown += DRAFT_TAG
            if getattr(status, "revision", None):
                shown += "<br>" + revision_note(status, measure)
        else:
            shown = NO_VALUE
        figures.append(
            '<td class="govuk-table__cell govuk-table__cell--numeric '
            f'{"scorecard__latest" if last else "scorecard__earlier"}" '
            f'data-label="{"Actual " if last else ""}{e(period.short_label)}">{shown}</td>'
        )
    status = measure.status
    if status is not None and status.target is not None:
        target = e(measure.format_value(status.target))
        if status.target_kind == "stretch":
            target += STRETCH
    else:
        target = NO_TARGET
    comparators = "<br>".join(e(c.summary) for c in measure.shown_comparators) or NO_COMPARATOR
    comment = getattr(measure, "comment", None)
    cells = [
        f'<th scope="row" class="govuk-table__header"><a class="govuk-link" '
        f'href="{e(measure.get_absolute_url())}">{e(measure.name)}</a>'
        f'<span class="govuk-body-s scorecard__meta"><br>{e(measure.get_polarity_display())}; '
        f"{e(measure.get_reporting_basis_display().lower())}</span></th>",
        "".join(figures),
        '<td class="govuk-table__cell govuk-table__cell--numeric scorecard__target" '
        f'data-label="Target">{target}</td>',
        '<td class="govuk-table__cell scorecard__status" data-label="Status">'
        f"{_status('rag', status.rag if status else 'no_value')}</td>",
        '<td class="govuk-table__cell scorecard__direction" data-label="Direction">'
        f"{_status('direction', status.direction if status else 'not_comparable')}</td>",
        '<td class="govuk-table__cell scorecard__comparator" data-label="Compared with">'
        f"{comparators}</td>",
        '<td class="govuk-table__cell govuk-body-s scorecard__comment" data-label="Comment">'
        f"{e(comment.text) if comment and comment.text else ''}</td>",
        '<td class="govuk-table__cell scorecard__trend" data-label="Trend">'
        f"{measure.sparkline}</td>",
    ]
    return mark_safe(  # noqa: S308 - every value from the database escaped above
        '    <tr class="govuk-table__row">\n      ' + "\n      ".join(cells) + "\n    </tr>"
    )
