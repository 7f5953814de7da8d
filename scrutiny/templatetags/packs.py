from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from metrics import charts

register = template.Library()


@register.filter
def sparkline(history):
    """A pack row's figures (its ``history``) as a small inline SVG."""
    numbers = [h["value"] for h in history or []]
    return mark_safe(charts.sparkline(numbers))  # noqa: S308 - our own SVG of numbers


@register.filter
def sparkline_img(history):
    """The same line as an image with its figures as alternative text, for the tagged PDF."""
    import base64

    svg = charts.sparkline([h["value"] for h in history or []])
    if not svg:
        return ""
    shown = ", ".join(h["value_text"] for h in history if h["value_text"]) or "no figures"
    data = base64.b64encode(svg.replace(' aria-hidden="true" focusable="false"', "").encode())
    return format_html(
        '<img class="sparkline" src="data:image/svg+xml;base64,{}" alt="{}">',
        data.decode(),
        f"Trend over the periods shown: {shown}",
    )


@register.filter
def total(actions):
    """A workstream's key actions in all: the sum of its counts by status (a pack frozen in
    the first shape kept only the total)."""
    return sum(actions.values()) if isinstance(actions, dict) else actions
