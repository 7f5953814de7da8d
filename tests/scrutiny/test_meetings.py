"""The scrutiny cycle: the demo committee, members' questions, frozen packs and their PDF,
notifications, actions from the minutes and the API."""

import io
from datetime import date

import pytest
from django.core import mail

from metrics import calculations as calc
from metrics.loading import correct
from metrics.models import Measure, Polarity
from scrutiny import roles
from scrutiny.models import (
    AuditEntry,
    Committee,
    Meeting,
    MeetingPack,
    Membership,
    MinuteAction,
    Question,
    WorkProgrammeItem,
)
from scrutiny.packs import publish
from tests.factories import (
    make_area,
    make_measure,
    make_meeting,
    make_minute_action,
    make_observation,
    make_target,
    make_user,
)

Q1 = calc.Period(date(2022, 6, 1), calc.QUARTER)


@pytest.fixture
def september(db, settings):
    """A small council as at 14 September 2022: two published measures and the pack for the
    committee's meeting of the 15th (as the demo's, without loading all of it)."""
    settings.AS_AT = date(2022, 9, 14)
    area = make_area(name="Children's Social Care", slug="childrens-social-care")
    visits = make_measure(area=area, code="CSC05", name="Initial visits in time")
    make_target(measure=visits, value="85", effective_from=date(2022, 1, 1))
    make_observation(measure=visits, period_end=date(2022, 3, 1), value="62.4")
    make_observation(measure=visits, period_end=date(2022, 6, 1), value="68.9")
    repeats = make_measure(
        area=area, code="CSC06", name="Repeat child protection plans", polarity=Polarity.SMALLER
    )
    make_target(measure=repeats, value="5", effective_from=date(2022, 1, 1))
    make_observation(measure=repeats, period_end=date(2022, 6, 1), value="5")
    Measure.objects.all().recompute_statuses()
    meeting = make_meeting(day=date(2022, 9, 15))
    publish(meeting, None)
    return meeting


def test_the_demo_committee_meetings_and_work_programme_are_as_printed(demo):
    committee = Committee.objects.get()
    assert committee.name == "Children and Families Overview and Scrutiny Committee"
    chair = committee.memberships.get(role=Membership.Role.CHAIR)
    assert chair.name == "Cllr Dr Andrew Miller"
    assert committee.memberships.get(role=Membership.Role.VICE_CHAIR).name == "Cllr Ben Evans"
    july = Meeting.objects.get(date=date(2022, 7, 14))
    assert july.place == "Cabinet Suite - Shire Hall, Gloucester"
    assert [i.number for i in july.items.all()] == ["28", "29", "30", "31", "32", "33"]
    september = Meeting.objects.get(date=date(2022, 9, 15))
    assert september.place == ""  # not printed in the pack
    assert september.items.filter(covers="scorecard").exists()
    action = MinuteAction.objects.get()
    assert (action.minute, action.owners, action.due_meeting.date) == (
        "32.11",
        "CS/KG",
        date(2022, 11, 24),
    )
    assert WorkProgrammeItem.objects.filter(meeting__date=date(2023, 1, 12)).count() == 4
    assert Meeting.objects.filter(date=date(2023, 11, 9)).exists()
    (pack,) = september.packs.all()
    areas = {a["name"]: a for a in pack.snapshot["scorecards"]}
    assert areas["Children's Social Care"]["period"] == Q1.label
    assert len(pack.snapshot["risks"]) == 5
    assert pack.snapshot["plan"]["version"] == "v2.0"


def test_questions_are_due_five_working_days_before(db):
    meeting = make_meeting(day=date(2022, 9, 15))  # a Thursday
    assert meeting.question_deadline(5) == date(2022, 9, 8)
    monday = make_meeting(day=date(2022, 9, 19))
    assert monday.question_deadline(1) == date(2022, 9, 16)  # the Friday before


# --------------------------------------------------------------------------------------------
# Members' questions
# --------------------------------------------------------------------------------------------


@pytest.fixture
def meeting(db):
    return make_meeting(day=date(2999, 1, 15))


def test_a_question_goes_from_member_to_officer_to_director_and_back(
    meeting, client_for, users, django_capture_on_commit_callbacks, eager_tasks
):
    member = client_for(roles.COMMITTEE_MEMBER)
    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(
            f"/meetings/{meeting.pk}/ask/",
            {"about": "meeting", "text": "Why did re-referrals rise?"},
        )
    assert response.status_code == 302
    question = Question.objects.get()
    assert not question.late and question.asked_by == users[roles.COMMITTEE_MEMBER]
    assert {m.to[0] for m in mail.outbox} == {"someone@example.org"}  # the officers
    assert "Why did re-referrals rise?" in mail.outbox[0].body

    lead = client_for(roles.SERVICE_LEAD)
    lead.post(question.get_absolute_url(), {"answer": "Two large sibling groups returned."})
    question.refresh_from_db()
    assert question.status == Question.Status.DRAFTED
    page = client_for(roles.COMMITTEE_MEMBER).get(question.get_absolute_url()).content.decode()
    assert "Two large sibling groups" not in page

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(roles.DIRECTOR).post(f"/questions/{question.pk}/approve/")
    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED
    assert question.approved_by == users[roles.DIRECTOR]
    (told,) = mail.outbox
    assert told.to == [users[roles.COMMITTEE_MEMBER].email]
    assert question.get_absolute_url() in told.body
    page = client_for(roles.COMMITTEE_MEMBER).get("/questions/").content.decode()
    assert "Why did re-referrals rise?" in page
    answer = client_for(roles.COMMITTEE_MEMBER).get(question.get_absolute_url()).content.decode()
    assert "Two large sibling groups returned." in answer
    assert AuditEntry.objects.for_object(question).filter(field="status").count() == 2


def test_a_question_after_the_deadline_is_taken_and_marked_late(db, client_for):
    meeting = make_meeting(day=date(2022, 9, 15))
    response = client_for(roles.COMMITTEE_MEMBER).post(
        f"/meetings/{meeting.pk}/ask/", {"about": "meeting", "text": "Late one"}, follow=True
    )
    assert "after the deadline: it is marked late" in response.content.decode()
    assert Question.objects.get().late


def test_members_see_their_own_and_answered_questions_only(meeting, client_for):
    other = make_user(role=roles.COMMITTEE_MEMBER)
    theirs = Question.objects.create(
        meeting=meeting, asked_by=other, text="Private draft", submitted_at="2022-09-01T10:00Z"
    )
    member = client_for(roles.COMMITTEE_MEMBER)
    assert "Private draft" not in member.get("/questions/").content.decode()
    assert member.get(theirs.get_absolute_url()).status_code == 404
    Question.objects.filter(pk=theirs.pk).update(status="answered", answer="Yes")
    assert "Private draft" in member.get("/questions/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"about": "", "text": "x"}, "Choose what the question is about."),
        ({"about": "meeting", "text": "   "}, "Write your question."),
        ({"about": "measure:NOPE'><script>", "text": "x"}, "Select a valid choice."),
        ({"about": "meeting", "text": "x" * 4001}, "Keep the question under 4,000 characters."),
    ],
)
def test_a_bad_question_is_refused_with_the_reason(meeting, client_for, data, message):
    response = client_for(roles.COMMITTEE_MEMBER).post(f"/meetings/{meeting.pk}/ask/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_questions_close_once_the_meeting_is_held(client_for, db):
    meeting = make_meeting(status=Meeting.Status.HELD)
    response = client_for(roles.COMMITTEE_MEMBER).get(f"/meetings/{meeting.pk}/ask/", follow=True)
    assert "Questions are closed: the meeting is held." in response.content.decode()


# --------------------------------------------------------------------------------------------
# Packs
# --------------------------------------------------------------------------------------------


def test_a_published_pack_keeps_the_figures_it_was_published_with(
    september, client_for, users, eager_tasks, django_capture_on_commit_callbacks
):
    (first,) = september.packs.all()
    member = client_for(roles.COMMITTEE_MEMBER)
    assert "68.9%" in member.get(first.get_absolute_url()).content.decode()

    measure = Measure.objects.get(code="CSC05")
    with django_capture_on_commit_callbacks(execute=True):
        correct(
            measure,
            Q1,
            "",
            value="70.1",
            user=users[roles.PERFORMANCE_OFFICER],
            reason="Late visits recorded",
        )
    assert "68.9%" in member.get(first.get_absolute_url()).content.decode()
    assert "70.1%" not in member.get(first.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(roles.DIRECTOR).post(
            f"/meetings/{september.pk}/publish/", {"note": "CSC05 corrected"}
        )
    second = september.packs.get(version=2)
    assert response["Location"] == second.get_absolute_url()
    page = member.get(second.get_absolute_url()).content.decode()
    assert "70.1%" in page and "CSC05 corrected" in page
    assert "68.9%" in member.get(first.get_absolute_url()).content.decode()
    # Every member with an account hears of it; this committee's members have none.
    assert [m.to for m in mail.outbox] == []


def test_a_snapshot_is_never_changed(db):
    pack = publish(make_meeting(), None)
    pack.snapshot = {**pack.snapshot, "as_at": "2000-01-01"}
    with pytest.raises(ValueError, match="never changed"):
        pack.save()


def test_publishing_tells_each_member_with_an_account(
    db, client_for, users, django_capture_on_commit_callbacks, eager_tasks
):
    meeting = make_meeting()
    Membership.objects.create(
        committee=meeting.committee, name="Cllr A", user=users[roles.COMMITTEE_MEMBER]
    )
    Membership.objects.create(committee=meeting.committee, name="Cllr B")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(roles.ADMINISTRATOR).post(f"/meetings/{meeting.pk}/publish/")
    (email,) = mail.outbox
    pack = meeting.packs.get()
    assert email.to == [users[roles.COMMITTEE_MEMBER].email]
    assert pack.get_absolute_url() in email.body and "Changed since" in email.body


def test_the_pdf_is_built_by_a_job_and_has_the_scorecard(
    september, client_for, eager_tasks, django_capture_on_commit_callbacks, settings, tmp_path
):
    from pypdf import PdfReader

    settings.MEDIA_ROOT = tmp_path
    pack = MeetingPack.objects.get()
    member = client_for(roles.COMMITTEE_MEMBER)
    assert "Build the PDF" in member.get(pack.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        member.post(f"/packs/{pack.pk}/pdf/build/")
    pack.refresh_from_db()
    assert pack.pdf_status == MeetingPack.PdfStatus.READY, pack.pdf_error
    response = member.get(f"/packs/{pack.pk}/pdf/")
    assert response["Content-Disposition"] == 'attachment; filename="pack-2022-09-15-v1.pdf"'
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Initial visits in time" in text and "68.9%" in text
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (842, 595)  # A4 landscape, points


def test_a_pack_with_no_pdf_yet_says_so(db, client_for):
    pack = publish(make_meeting(), None)
    assert client_for(roles.COMMITTEE_MEMBER).get(f"/packs/{pack.pk}/pdf/").status_code == 404


def test_changes_since_the_last_pack_name_new_reds_and_band_changes(
    september, users, eager_tasks, django_capture_on_commit_callbacks
):
    measure = Measure.objects.get(code="CSC06")
    first = september.packs.get()
    was = next(
        m for a in first.snapshot["scorecards"] for m in a["measures"] if m["code"] == "CSC06"
    )
    assert was["rag"] != "red"
    with django_capture_on_commit_callbacks(execute=True):
        correct(measure, Q1, "", value="9", user=users[roles.PERFORMANCE_OFFICER], reason="Test")
    second = publish(september, users[roles.DIRECTOR])
    changes = second.snapshot["changes"]
    assert changes["against"] == "the last pack"
    assert [m["code"] for m in changes["new_reds"]] == ["CSC06"]
    assert changes["movers"][0]["code"] == "CSC06"
    assert changes["movers"][0]["how"] == "worse"  # polarity-aware, as on the dashboard
    assert changes["revised"][0]["code"] == "CSC06"
    assert "Test" in changes["revised"][0]["revision"]["text"]


# --------------------------------------------------------------------------------------------
# Actions from the minutes, the dashboard and the API
# --------------------------------------------------------------------------------------------


def test_an_officer_updates_an_action_and_it_leaves_the_overdue_list(client_for, settings):
    settings.AS_AT = date(2022, 11, 30)
    action = make_minute_action(meeting=make_meeting(day=date(2022, 9, 15)))
    action.due_date = date(2022, 11, 24)
    action.save()
    director = client_for(roles.DIRECTOR)
    assert "Overdue actions from the minutes" in director.get("/").content.decode()
    refused = director.post(action.get_absolute_url(), {"status": "done", "text": ""})
    assert "Say what has been done." in refused.content.decode()
    director.post(action.get_absolute_url(), {"status": "done", "text": "Attended on 24 November"})
    action.refresh_from_db()
    assert action.status == "done"
    assert (
        AuditEntry.objects.for_object(action).get(field="status").reason
        == "Attended on 24 November"
    )
    assert "Overdue actions from the minutes" not in director.get("/").content.decode()
    member = client_for(roles.COMMITTEE_MEMBER)
    assert (
        member.post(action.get_absolute_url(), {"status": "open", "text": "x"}).status_code == 403
    )


def test_the_api_lists_meetings_and_gives_the_frozen_snapshot(september, client_for):
    member = client_for(roles.COMMITTEE_MEMBER)
    meetings = member.get("/api/v1/meetings").json()
    september = next(m for m in meetings if m["date"] == "2022-09-15")
    (pack,) = september["packs"]
    assert pack["version"] == 1
    assert member.get(f"/api/v1/packs/{pack['id']}").json() == MeetingPack.objects.get().snapshot
    assert member.get("/api/v1/packs/999999").status_code == 404


def test_administrators_set_up_meetings_and_owners_in_the_admin_with_a_trail(db, client_for, users):
    from improvement_plan.models import Owner

    admin_client = client_for(roles.ADMINISTRATOR)
    for path in ("/admin/scrutiny/meeting/add/", "/admin/scrutiny/committee/add/"):
        assert admin_client.get(path).status_code == 200
    owner = Owner.objects.create(name="Ann James")
    response = admin_client.post(
        f"/admin/improvement_plan/owner/{owner.pk}/change/",
        {"name": "Ann James", "kind": "person", "user": users[roles.SERVICE_LEAD].pk},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.user == users[roles.SERVICE_LEAD]
    entry = AuditEntry.objects.for_object(owner).get(field="user")
    assert entry.user == users[roles.ADMINISTRATOR]
    assert client_for(roles.COMMITTEE_MEMBER).get("/admin/scrutiny/meeting/").status_code == 302


def test_a_director_names_the_officer_who_answers(
    meeting, client_for, users, django_capture_on_commit_callbacks, eager_tasks
):
    lead = users[roles.SERVICE_LEAD]
    lead.email = "lead@example.org"
    lead.save()
    question = Question.objects.create(
        meeting=meeting,
        asked_by=users[roles.COMMITTEE_MEMBER],
        text="Why?",
        submitted_at="2022-09-01T10:00Z",
    )
    director = client_for(roles.DIRECTOR)
    refused = director.post(f"/questions/{question.pk}/assign/", {"officer": "999999"}, follow=True)
    assert "Choose an officer." in refused.content.decode()
    member_id = users[roles.COMMITTEE_MEMBER].pk
    director.post(f"/questions/{question.pk}/assign/", {"officer": member_id})
    question.refresh_from_db()
    assert question.assigned_to is None  # a member cannot answer
    with django_capture_on_commit_callbacks(execute=True):
        director.post(f"/questions/{question.pk}/assign/", {"officer": lead.pk})
    question.refresh_from_db()
    assert question.assigned_to == lead
    (email,) = mail.outbox
    assert email.to == ["lead@example.org"] and "Why?" in email.body
    page = client_for(roles.SERVICE_LEAD).get(question.get_absolute_url()).content.decode()
    assert "Officer responsible for the answer: lead" in page
    assert (
        client_for(roles.SERVICE_LEAD)
        .post(f"/questions/{question.pk}/assign/", {"officer": lead.pk})
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_reports_carry_their_purpose_and_recommendations_into_the_meeting_page_pack_and_api(
    demo, client_for
):
    """The 15 September 2022 pack's report headers (seed 003): Alternative Provision, lines
    378-389; Family Hubs, lines 709-717."""
    from scrutiny.models import Meeting, MeetingPack

    meeting = Meeting.objects.get(date="2022-09-15")
    client = client_for(roles.COMMITTEE_MEMBER)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "an understanding of the purpose and structure of Alternative Provision" in page
    assert "None – Report provided as an update on progress" in page
    assert "To update on the Family Hubs model for Gloucestershire" in page
    pack = MeetingPack.objects.filter(meeting=meeting).latest("version")
    agenda = {i["number"]: i for i in pack.snapshot["meeting"]["agenda"]}
    assert agenda["3"]["summary"] == (
        "To update Children and Families Scrutiny Committee on the Fostering Service Annual "
        "Report 2021/22"
    )
    assert agenda["1"]["recommendations"] == "Information only."
    assert agenda["5"]["summary"] == ""  # the performance report prints no purpose
    pack_page = client.get(f"/packs/{pack.pk}/").content.decode()
    assert "<strong>Purpose:</strong> To update on the Family Hubs model" in pack_page
    listed = client.get("/api/v1/meetings").json()
    september = next(m for m in listed if m["date"] == "2022-09-15")
    assert september["agenda"][1]["recommendations"] == (
        "None – Report provided as an update on progress"
    )


def test_an_administrator_records_the_decisions_after_the_meeting(db, client_for):
    from scrutiny.audit import AuditEntry
    from scrutiny.models import AgendaItem

    item = AgendaItem.objects.create(
        meeting=make_meeting(day=date(2022, 9, 15)),
        number="2",
        title="Family Hubs",
        presenting_officer="Director of Family Help",
        summary="To update on the Family Hubs model",
        recommendations="None – Report provided as an update on progress",
        order=2,
    )
    client = client_for(roles.ADMINISTRATOR)
    response = client.post(
        f"/meetings/{item.meeting_id}/items/{item.pk}/change/",
        {
            "number": "2",
            "title": item.title,
            "presenting_officer": item.presenting_officer,
            "covers": "report",
            "summary": item.summary,
            "recommendations": item.recommendations,
            "decisions": "The committee noted the report.",
            "order": item.order,
            "reason": "Minutes of 15 September",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.decisions == "The committee noted the report."
    entry = AuditEntry.objects.filter(field="decisions").latest("pk")
    assert (entry.new_value, entry.reason) == (
        "The committee noted the report.",
        "Minutes of 15 September",
    )


def _row(code, rag, previous_rag, number, previous_number, unit="percent", polarity="bigger"):
    """A scorecard row in a pack, in the API's shape (``metrics.plain_data``)."""
    return {
        "code": code, "name": code, "rag": rag, "value": number, "value_text": f"{number}",
        "previous": {"rag": previous_rag, "value": previous_number,
                     "value_text": f"{previous_number}"},
        "unit": unit, "polarity": polarity, "revision": None,
    }  # fmt: skip


def _changes(*rows):
    from scrutiny.packs import changes

    snapshot = {"scorecards": [{"slug": "a", "name": "A", "measures": list(rows)}], "risks": []}
    return changes(snapshot, None)


def test_a_measure_with_no_target_last_time_is_newly_judged_not_a_new_red():
    """Initial visits, 62.4% to 68.9%: better, and red only because it had no target before."""
    found = _changes(_row("CSC05", "red", "missing_target", 68.9, 62.4))
    assert found["new_reds"] == [] and [m["code"] for m in found["newly_judged"]] == ["CSC05"]
    (mover,) = found["better"]
    assert mover["moved"] == "6.5 percentage points" and found["worse"] == []


def test_new_reds_and_greens_are_changes_between_judged_statuses():
    found = _changes(
        _row("R", "red", "amber", 40, 45),
        _row("G", "green", "red", 90, 70),
        _row("S", "red", "red", 30, 31),
        _row("N", "red", "no_value", 30, None),
    )
    assert [m["code"] for m in found["new_reds"]] == ["R"]
    assert [m["code"] for m in found["new_greens"]] == ["G"]
    assert [m["code"] for m in found["newly_judged"]] == ["N"]


@pytest.mark.parametrize(
    "unit, number, before, moved",
    [
        ("percent", 68.9, 62.4, "6.5 percentage points"),
        ("rate_10k", 41.0, 38.5, "2.5 per 10,000 children"),
        ("count", 131, 100, "31.0%"),
        ("count", 5, 0, "5"),
    ],
)
def test_movers_are_said_in_the_measures_own_terms(unit, number, before, moved):
    from scrutiny.packs import moved_by

    assert moved_by({"value": number, "unit": unit}, before) == moved


def test_movers_are_split_into_worse_and_better_by_polarity():
    found = _changes(
        _row("UP", "amber", "amber", 20, 10, unit="count", polarity="smaller"),
        _row("DOWN", "green", "green", 80, 60),
    )
    assert [m["code"] for m in found["worse"]] == ["UP"]
    assert found["worse"][0]["moved"] == "100.0%"
    assert [m["code"] for m in found["better"]] == ["DOWN"]
