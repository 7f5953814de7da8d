from django import template

from scrutiny.glossary import marker_for

register = template.Library()


@register.filter
def explain(text, request):
    """The text, escaped, with the first use on the page of each glossary term marked."""
    return marker_for(request).mark(text)


@register.simple_tag(takes_context=True)
def glossary_used(context):
    """The glossary terms this page has marked so far (base.html lists them at its end)."""
    request = context.get("request")
    marker = getattr(request, "_glossary", None)
    return marker.used if marker else []
