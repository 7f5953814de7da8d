"""Loading figures end to end: preview, commit, audit, rollback, publication, corrections."""

from datetime import date
from decimal import Decimal

import pytest

from metrics import loading
from metrics.models import MeasureStatus, Observation, ObservationChange, Upload
from scrutiny import roles
from scrutiny.roles import sees_drafts
from tests.factories import make_measure, make_observation, make_target, make_user

JUNE, SEPTEMBER = date(2022, 6, 1), date(2022, 9, 1)
HEADER = "measure_code,period,area,value,numerator,denominator,note\n"


@pytest.fixture
def officer(db):
    return make_user(role=roles.PERFORMANCE_OFFICER, username="officer")


@pytest.fixture
def measure(db):
    measure = make_measure(code="VISITS")
    make_observation(measure=measure, period_end=JUNE, value="68.9", published=True)
    make_target(measure=measure, value=85, effective_from=JUNE)
    return measure


def checked(officer, text, name="figures.csv"):
    upload = loading.receive(text.encode(), name, officer)
    loading.check_upload(upload)
    upload.refresh_from_db()
    return upload


def test_preview_counts_new_changed_and_unchanged(officer, measure):
    upload = checked(
        officer,
        HEADER + "VISITS,2022-06,,70.0,,,\nVISITS,2022-09,,71.2,,,\nVISITS,2022-06,Stroud,60,,,\n",
    )
    assert upload.status == Upload.Status.READY
    assert (upload.new_count, upload.changed_count, upload.unchanged_count) == (2, 1, 0)
    assert upload.summary["published_changes"] == 1
    assert upload.summary["changes"][0] == {
        "row": 2,
        "measure": "VISITS",
        "period": "2022/23 Q1",
        "breakdown": "",
        "old": "68.9",
        "new": "70.0",
        "published": True,
    }
    # Nothing is written by a preview.
    assert Observation.objects.count() == 1


def test_nothing_is_written_until_the_file_is_clean(officer, measure):
    upload = checked(officer, HEADER + "VISITS,2022-09,,71.2,,,\nVISITS,2022-13,,1,,,\n")
    assert upload.status == Upload.Status.INVALID
    assert upload.problems == [
        {
            "row": 3,
            "column": "B (period)",
            "field": "period",
            "message": upload.problems[0]["message"],
        }
    ]
    with pytest.raises(loading.Refused):
        loading.commit(upload, officer)
    assert Observation.objects.count() == 1


def test_a_reason_is_required_when_a_published_value_changes(officer, measure):
    upload = checked(officer, HEADER + "VISITS,2022-06,,70.0,,,\n")
    with pytest.raises(loading.Refused, match="Give a reason"):
        loading.commit(upload, officer, "")
    assert Observation.objects.get().value == Decimal("68.9")


def test_commit_writes_the_figures_as_drafts_audits_each_and_recomputes(
    officer, measure, eager_tasks, django_capture_on_commit_callbacks
):
    upload = checked(officer, HEADER + "VISITS,2022-06,,70.0,,,\nVISITS,2022-09,,71.2,,,\n")
    with django_capture_on_commit_callbacks(execute=True):
        loading.commit(upload, officer, "Late cases added")
    upload.refresh_from_db()
    assert upload.status == Upload.Status.COMMITTED and upload.statuses_ready_at
    june = Observation.objects.get(period_end=JUNE)
    assert (june.value, june.published, june.quality) == (Decimal("70.0"), True, "revised")
    september = Observation.objects.get(period_end=SEPTEMBER)
    assert (september.value, september.published) == (Decimal("71.2"), False)
    trail = {c.period_end: c for c in ObservationChange.objects.filter(upload=upload)}
    assert (trail[JUNE].action, trail[JUNE].old_value, trail[JUNE].new_value) == (
        "change",
        Decimal("68.9"),
        Decimal("70.0"),
    )
    assert trail[JUNE].reason == "Late cases added" and trail[JUNE].changed_by == officer
    assert trail[JUNE].was_published
    assert (trail[SEPTEMBER].action, trail[SEPTEMBER].old_value) == ("add", None)
    status = MeasureStatus.objects.in_view(drafts=True).get(period_end=SEPTEMBER)
    assert (status.rag, status.published, status.direction) == ("red", False, "improving")


def test_rollback_restores_the_old_figures_exactly_and_is_audited(
    officer, measure, eager_tasks, django_capture_on_commit_callbacks
):
    upload = checked(officer, HEADER + "VISITS,2022-06,,70.0,1,2,\nVISITS,2022-09,,71.2,,,\n")
    assert upload.status == Upload.Status.INVALID  # 70 is not 1/2
    upload = checked(officer, HEADER + "VISITS,2022-06,,70.0,7,10,note\nVISITS,2022-09,,71.2,,,\n")
    with django_capture_on_commit_callbacks(execute=True):
        loading.commit(upload, officer, "Revised")
    with pytest.raises(loading.Refused, match="reason"):
        loading.roll_back(upload, officer, "")
    with django_capture_on_commit_callbacks(execute=True):
        loading.roll_back(upload, officer, "Wrong extract")
    june = Observation.objects.get()
    assert (june.value, june.numerator, june.denominator, june.note) == (
        Decimal("68.9"),
        None,
        None,
        "",
    )
    assert not Observation.objects.filter(period_end=SEPTEMBER).exists()
    assert not MeasureStatus.objects.in_view(drafts=True).filter(period_end=SEPTEMBER).exists()
    rollbacks = ObservationChange.objects.filter(action="rollback")
    assert {(c.period_end, c.old_value, c.new_value, c.reason) for c in rollbacks} == {
        (JUNE, Decimal("70.0"), Decimal("68.9"), "Wrong extract"),
        (SEPTEMBER, Decimal("71.2"), None, "Wrong extract"),
    }
    upload.refresh_from_db()
    assert upload.status == Upload.Status.ROLLED_BACK


def test_a_rollback_is_refused_when_the_figures_changed_again_since(officer, measure):
    first = checked(officer, HEADER + "VISITS,2022-09,,71.2,,,\n")
    loading.commit(first, officer)
    second = checked(officer, HEADER + "VISITS,2022-09,,72.0,,,\n")
    loading.commit(second, officer)
    with pytest.raises(loading.Refused, match=f"upload {second.pk}"):
        loading.roll_back(first, officer, "Oops")
    assert Observation.objects.get(period_end=SEPTEMBER).value == Decimal("72.0")


def test_a_file_previewed_before_someone_else_loaded_the_same_figures_is_refused(officer, measure):
    mine = checked(officer, HEADER + "VISITS,2022-09,,71.2,,,\n")
    theirs = checked(officer, HEADER + "VISITS,2022-09,,75.0,,,\n")
    loading.commit(theirs, officer)
    with pytest.raises(loading.Refused, match="changed or published by someone else"):
        loading.commit(mine, officer)
    assert Observation.objects.get(period_end=SEPTEMBER).value == Decimal("75.0")
    mine.refresh_from_db()
    assert mine.status == Upload.Status.READY


def test_publishing_a_period_shows_it_to_members_and_withdrawing_needs_a_reason(
    officer, measure, eager_tasks, django_capture_on_commit_callbacks
):
    upload = checked(officer, HEADER + "VISITS,2022-09,,71.2,,,\n")
    with django_capture_on_commit_callbacks(execute=True):
        loading.commit(upload, officer)
    member = make_user(role=roles.COMMITTEE_MEMBER)
    visible = MeasureStatus.objects.in_view(sees_drafts(member))
    assert not visible.filter(period_end=SEPTEMBER).exists()
    from metrics.calculations import Period

    with django_capture_on_commit_callbacks(execute=True):
        assert loading.publish(measure.area, Period(SEPTEMBER, "quarter"), officer) == 1
    assert visible.filter(period_end=SEPTEMBER).exists()
    with pytest.raises(loading.Refused, match="reason"):
        loading.withdraw(measure.area, Period(SEPTEMBER, "quarter"), officer, " ")
    with django_capture_on_commit_callbacks(execute=True):
        loading.withdraw(measure.area, Period(SEPTEMBER, "quarter"), officer, "Error found")
    assert (
        not MeasureStatus.objects.in_view(sees_drafts(member)).filter(period_end=SEPTEMBER).exists()
    )
    assert list(measure.area.publications.values_list("action", "reason")) == [
        ("withdraw", "Error found"),
        ("publish", ""),
    ]


def test_correcting_one_value_uses_the_same_checks_and_trail(officer, measure):
    from metrics.calculations import Period

    june = Period(JUNE, "quarter")
    with pytest.raises(loading.Refused, match="between 0 and 100"):
        loading.correct(measure, june, "", value="170", user=officer, reason="Typo")
    with pytest.raises(loading.Refused, match="reason"):
        loading.correct(measure, june, "", value="69.1", user=officer, reason="")
    loading.correct(measure, june, "", value="69.1", user=officer, reason="Typo in extract")
    change = ObservationChange.objects.get()
    assert (change.old_value, change.new_value, change.reason, change.upload) == (
        Decimal("68.9"),
        Decimal("69.1"),
        "Typo in extract",
        None,
    )


def test_import_figures_command_prints_problems_and_writes_nothing(officer, measure, tmp_path):
    from django.core.management import CommandError, call_command

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "VISITS,2022-09,,abc,,,\n")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_figures", str(bad), "--user", "officer")
    assert Observation.objects.count() == 1
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "VISITS,2022-09,,71.2,,,\n")
    call_command("import_figures", str(good), "--user", "officer", "--publish")
    assert Observation.objects.get(period_end=SEPTEMBER).published


def test_publishing_between_preview_and_confirm_sends_the_file_back(
    officer, measure, eager_tasks, django_capture_on_commit_callbacks
):
    """The preview saw a draft, so asked no reason; once the period is published the same
    change would alter what members read without one."""
    from metrics import calculations as calc

    make_observation(measure=measure, period_end=SEPTEMBER, value="71.2", published=False)
    upload = checked(officer, HEADER + "VISITS,2022-09,,17.2,,,\n")
    assert upload.status == Upload.Status.READY and not upload.summary["published_changes"]
    with django_capture_on_commit_callbacks(execute=True):
        loading.publish(measure.area, calc.Period(SEPTEMBER, "quarter"), officer)
    with pytest.raises(loading.Refused, match="changed or published by someone else"):
        loading.commit(upload, officer, "")
    assert Observation.objects.get(period_end=SEPTEMBER).value == Decimal("71.2")


def test_loading_starts_from_the_checked_figures_not_the_file(officer, measure):
    """The commit writes what the check kept, with the same counts and audit entries as the
    preview showed, even once the stored file is gone; nothing is left staged afterwards."""
    from metrics.models import StagedFigure

    upload = checked(
        officer, HEADER + "VISITS,2022-06,,68.90,,,\nVISITS,2022-09,,71.2,45,63.2,Late returns\n"
    )
    assert StagedFigure.objects.filter(upload=upload).count() == 2
    upload.file.delete(save=False)
    loading.commit(upload, officer, "")
    upload.refresh_from_db()
    assert (upload.new_count, upload.changed_count, upload.unchanged_count) == (1, 0, 1)
    added = Observation.objects.get(period_end=SEPTEMBER)
    assert (added.value, added.numerator, added.denominator, added.note) == (
        Decimal("71.2"),
        Decimal("45"),
        Decimal("63.2"),
        "Late returns",
    )
    assert not added.published and added.source == f"Upload {upload.pk}: figures.csv"
    entry = ObservationChange.objects.get()
    assert (entry.action, entry.new_value, entry.old_value, entry.upload_id) == (
        "add",
        Decimal("71.2"),
        None,
        upload.pk,
    )
    assert not StagedFigure.objects.exists()


def test_a_measure_changed_after_the_check_stops_the_load(officer, measure):
    from metrics.models import StagedFigure

    upload = checked(officer, HEADER + "VISITS,2022-09,,71.2,,,\n")
    measure.unit = "count"
    measure.save()
    with pytest.raises(
        loading.Refused, match="changed \\(or removed\\) after the file was checked"
    ):
        loading.commit(upload, officer, "")
    assert Observation.objects.count() == 1 and not ObservationChange.objects.exists()
    loading.discard(Upload.objects.get(pk=upload.pk))
    assert not StagedFigure.objects.exists()


def test_staged_figures_and_the_trail_go_with_their_upload_and_measure(officer, measure):
    """Neither the staged figures nor the audit trail are checked against their upload and
    measure by the database (too slow for a million rows), so deleting either must still take
    what hangs on it, as it did when the database enforced it."""
    from metrics.models import StagedFigure

    kept = checked(officer, HEADER + "VISITS,2022-09,,71.2,,,\n")
    discarded = checked(officer, HEADER + "VISITS,2022-12,,72.0,,,\n")
    assert StagedFigure.objects.filter(upload=discarded).count() == 1
    discarded.delete()
    assert not StagedFigure.objects.filter(upload_id=discarded.pk).exists()
    loading.commit(kept, officer)
    assert ObservationChange.objects.filter(measure=measure).count() == 1
    measure.delete()
    assert not ObservationChange.objects.filter(measure_id=measure.pk).exists()
