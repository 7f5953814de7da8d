"""Democratic services keep committees, members, meetings, agendas, minute actions and the
work programme in the product, and every change is kept."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from scrutiny import roles
from scrutiny.models import (
    AgendaItem,
    AuditEntry,
    Committee,
    Meeting,
    Membership,
    MinuteAction,
    WorkProgrammeItem,
)


@pytest.fixture
def admin(client_for, users):
    return client_for(roles.ADMINISTRATOR)


def test_an_administrator_sets_up_a_committee_and_its_first_meeting(
    admin, users, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = admin.post(
        "/committees/new/",
        {"name": "Children and Families Overview and Scrutiny Committee", "description": ""},
    )
    committee = Committee.objects.get()
    assert response["Location"] == f"/committees/{committee.slug}/"
    admin.post(
        f"/committees/{committee.slug}/members/new/",
        {"name": "Cllr Ann Member", "role": "chair", "user": users[roles.COMMITTEE_MEMBER].pk},
    )
    member = Membership.objects.get()
    assert (member.role, member.user) == ("chair", users[roles.COMMITTEE_MEMBER])
    page = admin.get(f"/committees/{committee.slug}/").content.decode()
    assert "Cllr Ann Member" in page and "Chair" in page

    admin.post(
        "/meetings/new/",
        {
            "committee": committee.pk,
            "date": "2022-09-15",
            "time": "10:00",
            "place": "Shire Hall",
            "status": "scheduled",
        },
    )
    meeting = Meeting.objects.get()
    assert (meeting.date, meeting.place) == (date(2022, 9, 15), "Shire Hall")

    fake = SimpleUploadedFile("family-hubs.pdf", b"<html>not a pdf</html>")
    refused = admin.post(
        f"/meetings/{meeting.pk}/items/new/",
        {"number": "34", "title": "Family Hubs", "covers": "report", "order": "1", "report": fake},
    ).content.decode()
    assert "is not really a .pdf file" in refused
    report = SimpleUploadedFile("family-hubs.pdf", b"%PDF-1.4 the report")
    admin.post(
        f"/meetings/{meeting.pk}/items/new/",
        {
            "number": "34",
            "title": "Family Hubs",
            "presenting_officer": "Head of Early Help",
            "covers": "report",
            "order": "1",
            "report": report,
        },
    )
    item = AgendaItem.objects.get()
    assert item.report.read() == b"%PDF-1.4 the report"

    admin.post(
        f"/meetings/{meeting.pk}/actions/new/",
        {
            "reference": "34.1",
            "minute": "34",
            "text": "Report back on Family Hubs take-up",
            "owners": "KG",
        },
    )
    action = MinuteAction.objects.get()
    assert (action.committee, action.meeting) == (committee, meeting)
    admin.post(
        f"/committees/{committee.slug}/work-programme/new/",
        {"title": "Fostering annual report", "meeting": meeting.pk, "state": "scheduled"},
    )
    assert WorkProgrammeItem.objects.get().meeting == meeting
    html = admin.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "34. Family Hubs" in html and "Head of Early Help" in html
    assert AuditEntry.objects.filter(
        context="meeting", field="place", new_value="Shire Hall"
    ).exists()


def test_changing_a_meeting_needs_a_reason_and_is_kept(admin, db):
    committee = Committee.objects.create(name="Scrutiny", slug="scrutiny")
    meeting = Meeting.objects.create(committee=committee, date=date(2022, 9, 15))
    form = {
        "committee": committee.pk,
        "date": "2022-09-22",
        "time": "",
        "place": "",
        "status": "postponed",
    }
    refused = admin.post(f"/meetings/{meeting.pk}/change/", form).content.decode()
    assert "Say why this is being changed." in refused
    admin.post(f"/meetings/{meeting.pk}/change/", {**form, "reason": "Room unavailable"})
    meeting.refresh_from_db()
    assert (meeting.date, meeting.status) == (date(2022, 9, 22), "postponed")
    entry = AuditEntry.objects.get(field="date", context="meeting")
    assert (entry.old_value, entry.new_value, entry.reason) == (
        "2022-09-15",
        "2022-09-22",
        "Room unavailable",
    )


def test_members_and_officers_cannot_change_meetings(client_for, db):
    committee = Committee.objects.create(name="Scrutiny", slug="scrutiny")
    for role in (roles.COMMITTEE_MEMBER, roles.PERFORMANCE_OFFICER, roles.SERVICE_LEAD):
        client = client_for(role)
        assert (
            client.post(
                "/meetings/new/",
                {"committee": committee.pk, "date": "2022-09-15", "status": "scheduled"},
            ).status_code
            == 403
        )
        assert "Add a meeting" not in client.get("/meetings/").content.decode()
    assert not Meeting.objects.exists()
