from django import template
from django.utils.safestring import mark_safe

from metrics import charts

register = template.Library()


@register.filter
def sparkline(numbers):
    """A pack row's values as a small inline SVG, drawn from the snapshot's numbers."""
    return mark_safe(charts.sparkline(numbers or []))  # noqa: S308 - our own SVG of numbers
