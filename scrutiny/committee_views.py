"""Committees, members, meetings, agendas, minute actions and the work programme, kept by
democratic services (administrators) and directors in the product. Every change is audited."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from scrutiny.editing import breadcrumbs, edit_with_trail
from scrutiny.forms import (
    AgendaItemForm,
    CommitteeForm,
    MeetingForm,
    MembershipForm,
    MinuteActionForm,
    WorkProgrammeItemForm,
)
from scrutiny.models import (
    AgendaItem,
    Committee,
    Meeting,
    Membership,
    WorkProgrammeItem,
)
from scrutiny.roles import require


def _edit(request, form, *, heading, caption, back, done, context):
    crumbs = breadcrumbs(("Meetings", reverse("scrutiny:meetings")), *back)
    return edit_with_trail(
        request,
        form,
        heading=heading,
        caption=caption,
        breadcrumbs=crumbs,
        done=done,
        context=context,
        sets=("owner_users",) if "owner_users" in form.Meta.fields else (),
    )


def committee_form(request, slug=None):
    require(request.user, "manage_meetings")
    found = get_object_or_404(Committee, slug=slug) if slug else None
    return _edit(
        request,
        CommitteeForm(request.POST or None, instance=found),
        heading="Change the committee" if found else "Add a committee",
        caption=found.name if found else "",
        back=[],
        done=lambda saved: reverse("scrutiny:committee_members", args=[saved.slug]),
        context="committee",
    )


def committee_members(request, slug):
    require(request.user, "view_published")
    found = get_object_or_404(Committee, slug=slug)
    return render(
        request,
        "scrutiny/committee.html",
        {
            "committee": found,
            "members": found.memberships.select_related("user"),
            "breadcrumbs": breadcrumbs(
                ("Meetings", reverse("scrutiny:meetings")),
                (found.name, None),
            ),
        },
    )


def membership_form(request, slug, pk=None):
    require(request.user, "manage_meetings")
    committee = get_object_or_404(Committee, slug=slug)
    found = get_object_or_404(Membership, pk=pk, committee=committee) if pk else None
    return _edit(
        request,
        MembershipForm(request.POST or None, instance=found, committee=committee),
        heading="Change the membership" if found else "Add a member",
        caption=committee.name,
        back=[(committee.name, reverse("scrutiny:committee_members", args=[committee.slug]))],
        done=lambda saved: reverse("scrutiny:committee_members", args=[committee.slug]),
        context="committee membership",
    )


def meeting_form(request, pk=None):
    require(request.user, "manage_meetings")
    found = get_object_or_404(Meeting, pk=pk) if pk else None
    return _edit(
        request,
        MeetingForm(request.POST or None, instance=found),
        heading="Change the meeting" if found else "Add a meeting",
        caption=str(found) if found else "",
        back=[(f"{found.date:%-d %B %Y}", found.get_absolute_url())] if found else [],
        done=lambda saved: saved.get_absolute_url(),
        context="meeting",
    )


def agenda_item_form(request, pk, item=None):
    require(request.user, "manage_meetings")
    meeting = get_object_or_404(Meeting, pk=pk)
    found = get_object_or_404(AgendaItem, pk=item, meeting=meeting) if item else None
    return _edit(
        request,
        AgendaItemForm(
            request.POST or None, request.FILES or None, instance=found, meeting=meeting
        ),
        heading="Change the agenda item" if found else "Add an agenda item",
        caption=str(meeting),
        back=[(f"{meeting.date:%-d %B %Y}", meeting.get_absolute_url())],
        done=lambda saved: meeting.get_absolute_url(),
        context="agenda item",
    )


def minute_action_form(request, pk):
    require(request.user, "manage_meetings")
    meeting = get_object_or_404(Meeting.objects.select_related("committee"), pk=pk)
    return _edit(
        request,
        MinuteActionForm(request.POST or None, meeting=meeting),
        heading="Add an action from the minutes",
        caption=str(meeting),
        back=[(f"{meeting.date:%-d %B %Y}", meeting.get_absolute_url())],
        done=lambda saved: saved.get_absolute_url(),
        context="minute action",
    )


def programme_item_form(request, slug, pk=None):
    require(request.user, "manage_meetings")
    committee = get_object_or_404(Committee, slug=slug)
    found = get_object_or_404(WorkProgrammeItem, pk=pk, committee=committee) if pk else None
    return _edit(
        request,
        WorkProgrammeItemForm(request.POST or None, instance=found, committee=committee),
        heading="Change the work programme item" if found else "Add to the work programme",
        caption=committee.name,
        back=[("Work programme", reverse("scrutiny:work_programme", args=[committee.slug]))],
        done=lambda saved: reverse("scrutiny:work_programme", args=[committee.slug]),
        context="work programme",
    )
