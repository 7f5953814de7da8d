"""The public pages: the scorecards a council chooses to publish, readable without signing in.

Off for every area until an administrator turns it on. They show exactly what a committee
member sees of published figures (the published view, signed off, no drafts), without names of
officers, and are cached under the area's figures version."""

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control

from metrics.models import Measure, Narrative, ServiceArea

PUBLIC_CACHE_SECONDS = 3600


def public_areas():
    return ServiceArea.objects.filter(public_scorecard=True).order_by("order", "name")


@login_not_required
@cache_control(public=True, max_age=300)
def scorecard(request, slug):
    area = get_object_or_404(public_areas(), slug=slug)
    (area,) = ServiceArea.objects.filter(pk=area.pk).list_with_headlines(drafts=False)
    key = f"public-scorecard:{area.pk}:{area.figures_version}"
    body = cache.get(key)
    if body is None:
        periods, measures = [], []
        narrative = None
        if area.period:
            periods, measures = Measure.objects.for_scorecard(area, area.period, drafts=False)
            narrative = Narrative.latest(area, area.period, drafts=False)
        body = render_to_string(
            "metrics/public_scorecard.html#body",
            {"area": area, "periods": periods, "measures": measures, "narrative": narrative},
        )
        cache.set(key, body, PUBLIC_CACHE_SECONDS)
    return render(request, "metrics/public_scorecard.html", {"area": area, "body": body})
