"""The public pages: the scorecards a council chooses to publish, readable without signing in.

Off for every area until an administrator turns it on. They show exactly what a committee
member sees of published figures (the published view, signed off, no drafts), without names of
officers, and are cached under the area's figures version."""

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control

from metrics.models import Measure, Narrative, ServiceArea
from scrutiny.packs import READER

PUBLIC_CACHE_SECONDS = 3600


def _public_areas():
    return ServiceArea.objects.filter(public_scorecard=True).order_by("order", "name")


@login_not_required
@cache_control(public=True, max_age=300)
def index(request):
    from scrutiny.models import Committee

    areas = list(_public_areas().with_headlines(READER))
    committees = Committee.objects.filter(
        Q(public_packs=True) | Q(public_risks=True) | Q(public_plan=True)
    ).order_by("pk")
    parts = {
        flag: committees.filter(**{flag: True}).exists()
        for flag in ("public_packs", "public_risks", "public_plan")
    }
    if not areas and not any(parts.values()):
        raise Http404("The council publishes nothing here.")
    return render(request, "metrics/public_index.html", {"areas": areas, **parts})


@login_not_required
@cache_control(public=True, max_age=300)
def scorecard(request, slug):
    area = get_object_or_404(_public_areas(), slug=slug)
    (area,) = ServiceArea.objects.filter(pk=area.pk).with_headlines(READER)
    key = f"public-scorecard:{area.pk}:{area.figures_version}"
    body = cache.get(key)
    if body is None:
        periods, measures = [], []
        narrative = None
        if area.period:
            periods, measures = Measure.objects.for_scorecard(area, area.period, READER)
            narrative = Narrative.latest(area, area.period, drafts=False)
        body = render_to_string(
            "metrics/public_scorecard.html#body",
            {"area": area, "periods": periods, "measures": measures, "narrative": narrative},
        )
        cache.set(key, body, PUBLIC_CACHE_SECONDS)
    return render(request, "metrics/public_scorecard.html", {"area": area, "body": body})
