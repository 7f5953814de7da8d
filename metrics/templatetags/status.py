"""Statuses shown as icon + text + colour, never colour alone."""

from functools import cache

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
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
