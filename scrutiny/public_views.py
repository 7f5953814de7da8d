"""The public pages' front door, and the committee's papers on them: the risk register
summary, the improvement plan's statuses and the meeting packs, readable without signing in.

Each is off until the council turns it on for the committee (``Committee.public_*``), and then
shows only what a committee member reads of published, signed-off data, with no names of people
and no questions and answers unless the council chooses them. Packs are frozen, so their public
page is cached for as long as the settings stay as they are."""

import copy

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control

from metrics.public_views import public_areas
from scrutiny import clock
from scrutiny.models import Committee, MeetingPack
from scrutiny.packs import current_plan, open_risks

PUBLIC_CACHE_SECONDS = 3600


@login_not_required
@cache_control(public=True, max_age=300)
def index(request):
    """Everything the council publishes here: its public scorecards and its committee's public
    papers; 404 while it publishes nothing."""
    areas = list(public_areas().list_with_headlines(drafts=False))
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


def _committee(flag):
    """The committee that publishes this part, or 404: nothing is public by default."""
    committee = Committee.objects.filter(**{flag: True}).order_by("pk").first()
    if committee is None:
        raise Http404("The council does not publish this here.")
    return committee


@login_not_required
@cache_control(public=True, max_age=300)
def risks(request):
    committee = _committee("public_risks")
    rows = open_risks()
    if not committee.public_names:
        rows = [{**r, "owner": ""} for r in rows]
    return render(request, "scrutiny/public_risks.html", {"committee": committee, "risks": rows})


@login_not_required
@cache_control(public=True, max_age=300)
def plan(request):
    committee = _committee("public_plan")
    data = current_plan(clock.today())
    if data and not committee.public_names:
        data = copy.deepcopy(data)
        for priority in data["priorities"]:
            for workstream in priority["workstreams"]:
                workstream["lead"] = ""
    return render(request, "scrutiny/public_plan.html", {"committee": committee, "plan": data})


def public_snapshot(snapshot, committee):
    """A pack's snapshot as the public may read it: questions and names only where the
    committee chooses."""
    s = copy.deepcopy(snapshot)
    if not committee.public_questions:
        s["questions"] = []
    if not committee.public_names:
        for item in s["meeting"]["agenda"]:
            item["officer"] = ""
        for risk in s.get("risks", []):
            risk["owner"] = ""
        for priority in (s.get("plan") or {}).get("priorities", []):
            for workstream in priority["workstreams"]:
                workstream["lead"] = ""
        for action in s.get("actions", []):
            action["owners"] = ""
        for question in s.get("questions", []):
            question["asked_by"] = question["answered_by"] = ""
        for item in s.get("work_programme", []):
            item["requested_by"] = ""
        for part in (s.get("finance") or {}).get("parts", []):
            for row in part["rows"]:
                row["budget_holder"] = ""
    return s


def _public_packs(committee):
    return MeetingPack.objects.filter(meeting__committee=committee).select_related("meeting")


@login_not_required
@cache_control(public=True, max_age=300)
def packs(request):
    committee = _committee("public_packs")
    return render(
        request,
        "scrutiny/public_packs.html",
        {
            "committee": committee,
            "packs": _public_packs(committee).order_by("-meeting__date", "-version"),
        },
    )


@login_not_required
@cache_control(public=True, max_age=3600)
def pack(request, pk):
    committee = _committee("public_packs")
    found = get_object_or_404(_public_packs(committee), pk=pk)
    # The page differs with what the committee makes public: questions, names (0 or 1 each).
    key = f"public-pack:{found.pk}:{committee.public_questions:d}{committee.public_names:d}"
    body = cache.get(key)
    if body is None:
        body = render_to_string(
            "scrutiny/public_pack.html#body",
            {
                "s": public_snapshot(found.readable(), committee),
                "pack": found,
                "can_ask": False,
                "hide_names": not committee.public_names,
                "hide_questions": not committee.public_questions,
            },
        )
        cache.set(key, body, PUBLIC_CACHE_SECONDS)
    return render(request, "scrutiny/public_pack.html", {"pack": found, "body": body})
