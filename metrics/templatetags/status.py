"""Statuses shown as icon + text + colour, never colour alone."""

from django import template

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


def _status(styles, value, empty="Not available"):
    colour, icon, label = styles.get(value, ("none", "dash", empty))
    return {"colour": colour, "icon": icon, "label": label}


@register.inclusion_tag("metrics/includes/status.html")
def rag_status(value):
    return _status(RAG_STYLE, value)


@register.inclusion_tag("metrics/includes/status.html")
def direction_status(value):
    return _status(DIRECTION_STYLE, value)


@register.inclusion_tag("metrics/includes/status.html")
def variation_status(value):
    return _status(VARIATION_STYLE, value)


@register.inclusion_tag("metrics/includes/status.html")
def assurance_status(value):
    return _status(ASSURANCE_STYLE, value)


@register.filter
def measure_value(value, measure):
    """A figure in the measure's unit and precision."""
    return measure.format_value(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
