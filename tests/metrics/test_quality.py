"""Quality assurance: case-file audits are engine measures; the QA page draws them as the
report does (snapshot, audits against target, grade mix, moderation), in the reader's view."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from metrics import loading, quality
from metrics.demo import FIXTURES
from metrics.models import (
    Commentary,
    Frequency,
    Measure,
    MeasureStatus,
    Observation,
    QaRole,
    ServiceArea,
    Unit,
)
from scrutiny.roles import COMMITTEE_MEMBER, PERFORMANCE_OFFICER
from tests.factories import make_area, make_measure, make_observation, make_target

JUL22 = date(2022, 7, 1)


def _figure(code, month=JUL22, breakdown=""):
    return Observation.objects.get(
        measure__code=code, period_end=month, period_kind="month", breakdown=breakdown
    )


def test_the_demo_places_every_row_of_the_july_2022_report(demo):
    rows = list(csv.DictReader(open(FIXTURES / "qa_snapshot_jul_2022.csv", encoding="utf-8")))
    assert len(rows) == 74
    area = ServiceArea.objects.get(quality_assurance=True)
    assert area.measures.count() == 40
    # The performance snapshot, as printed, with its targets and words.
    assert _figure("QA01").value == 35
    assert _figure("QA02").value == 67
    assert _figure("QA03").value == 20
    assert _figure("QA04").value == 71
    assert _figure("QA05").value == 9
    assert _figure("QA14").value == 92
    assert Commentary.objects.get(measure__code="QA01").text.startswith("Decreased from 44")
    # Table 2: twelve months (no January 2022 column) adding to the 521 the report gives.
    months = Observation.objects.filter(measure__code="QA01", breakdown="")
    assert months.count() == 12
    assert sum(o.value for o in months) == 521
    assert not months.filter(period_end=date(2022, 1, 1)).exists()
    # Grades by legal status and area of practice are breakdowns of the grade measures.
    assert _figure("QA03", breakdown="Legal status: Children in care").value == 40
    assert _figure("QA05", breakdown="Legal status: Children with disabilities").value == 25
    assert _figure("QA03", breakdown="Area of practice: Permanence").value == 34
    # "between 18% and 20%" is not one figure: kept as printed, not made into a number.
    unsure = _figure("QA05", breakdown="Legal status: Children in need of protection")
    assert unsure.value is None and "between 18% and 20%" in unsure.note
    # Earlier figures the direction-of-travel words give, at their own period.
    assert _figure("QA03", month=date(2022, 6, 1)).value == 40
    assert _figure("QA03", month=date(2022, 3, 1)).value == 37
    assert _figure("QA02", month=date(2022, 5, 1)).value == 63
    # Moderation, February to July 2022; three numbers a row.
    assert _figure("QA43", month=date(2022, 2, 1)).value == 3
    assert _figure("QA44", month=JUL22).value == 49
    assert _figure("QA45", month=date(2022, 3, 1)).value == 100
    # Breakdowns of counts: the follow-up of audit actions.
    assert _figure("QA39", breakdown="Overdue").value == 59
    assert _figure("QA34", breakdown="Moderators").value == 27


def test_audit_measures_are_judged_by_the_engine(demo):
    status = MeasureStatus.objects.get(
        measure__code="QA01", period_end=JUL22, breakdown="", working=False
    )
    assert (status.value, status.target, status.rag) == (35, 45, "red")
    assert status.direction == "declining"  # 44 in June
    inadequate = MeasureStatus.objects.get(
        measure__code="QA05", period_end=JUL22, breakdown="", working=False
    )
    assert inadequate.rag == "green"  # 9% against a short-term target of 9%, smaller is better


def test_the_quality_page_shows_the_report(client_for, demo):
    client = client_for(COMMITTEE_MEMBER)
    response = client.get("/quality/", follow=True)
    assert response.redirect_chain[-1][0] == "/quality/quality-assurance/"
    page = response.content.decode()
    assert "Quality assurance: Jul 2022" in page
    assert "521 audits in the 12 months shown, 43 a month on average" in page
    assert "Decreased from 44 in June" in page
    assert "Grades by legal status, Jul 2022" in page
    assert "Grades by area of practice, Jul 2022" in page
    assert 'id="chart-grades"' in page and 'id="chart-audits"' in page
    assert "Moderation" in page and "Graded down" in page
    # The nav reaches it.
    assert 'href="/quality/"' in page
    # The transcriber's notes on figures are for staff, not members.
    assert "Header has no Jan 22 column" not in page
    officer = client_for(PERFORMANCE_OFFICER).get("/quality/quality-assurance/").content.decode()
    assert "Note for staff:</strong> Header has no Jan 22 column" in officer


def test_grade_mix_makes_the_rest_requires_improvement_only_when_both_ends_are_given():
    assert quality._mix(40.0, None, 8.0) == {
        "Good or better": 40.0,
        quality.REMAINDER: 52.0,
        "Inadequate": 8.0,
    }
    assert quality._mix(20.0, 71.0, 9.0)["Requires improvement"] == 71.0
    assert quality._mix(17.0, None, None)["Requires improvement"] is None


def test_the_grade_tables_read_as_the_report(demo):
    area = ServiceArea.objects.get(quality_assurance=True)
    data = quality.report(area, quality.months(area, drafts=False)[0], drafts=False)
    legal = next(g for g in data["categories"] if g["group"] == "Legal status")
    in_care = next(r for r in legal["rows"] if r["name"] == "Children in care")
    assert in_care["parts"] == {
        "Good or better": 40.0,
        quality.REMAINDER: 60.0,
        "Inadequate": 0.0,
    }
    assert legal["names"] == ["Good or better", quality.REMAINDER, "Inadequate"]
    assert in_care["previous_good"] == 54.0
    july = data["moderation"]["rows"][-1]
    assert july["month"] == "Jul 2022"
    assert july["parts"] == {"Graded up": 3.0, "Agreed": 48.0, "Graded down": 49.0}
    over_time = {r["month"]: r["parts"] for r in data["grades"]["rows"]}
    assert over_time["Jul 2022"]["Requires improvement"] == 71.0
    assert over_time["Mar 2022"]["Good or better"] == 37.0


@pytest.fixture
def small_qa(db):
    """A QA area of its own: grades a month, one published and one draft."""
    area = make_area(slug="qa", name="Audits")
    ServiceArea.objects.filter(pk=area.pk).update(quality_assurance=True)
    made = {}
    for code, role in (("G", QaRole.GOOD), ("R", QaRole.REQUIRES_IMPROVEMENT),
                       ("I", QaRole.INADEQUATE), ("A", QaRole.AUDITS)):  # fmt: skip
        made[role] = make_measure(
            area=area,
            code=code,
            qa_role=role,
            frequency=Frequency.MONTHLY,
            unit=Unit.COUNT if role == QaRole.AUDITS else Unit.PERCENT,
        )
    make_target(measure=made[QaRole.AUDITS], value=45, effective_from=date(2022, 1, 1))
    figures = [
        (QaRole.GOOD, 30, 55),
        (QaRole.REQUIRES_IMPROVEMENT, 60, 40),
        (QaRole.INADEQUATE, 10, 5),
        (QaRole.AUDITS, 41, 77),
    ]
    for role, published, draft in figures:
        make_observation(measure=made[role], period_end=date(2022, 7, 1), value=published)
        make_observation(
            measure=made[role], period_end=date(2022, 8, 1), value=draft, published=False
        )
    Measure.objects.filter(area=area).recompute_statuses()
    return area


def test_a_reader_sees_the_published_months_only(small_qa, client_for):
    member = client_for(COMMITTEE_MEMBER).get("/quality/qa/").content.decode()
    assert "Quality assurance: Jul 2022" in member and "Aug 2022" not in member
    assert "77" not in member.split("Audits completed by month")[1].split("</table>")[0]
    officer = client_for(PERFORMANCE_OFFICER).get("/quality/qa/").content.decode()
    assert "Quality assurance: Aug 2022" in officer
    # A month that is not offered is ignored, not an error.
    assert client_for(COMMITTEE_MEMBER).get("/quality/qa/?month=2022-08").status_code == 200
    assert client_for(COMMITTEE_MEMBER).get("/quality/qa/?month=<script>").status_code == 200


def test_without_a_quality_area_the_page_says_how_to_add_one(client_for, db):
    page = client_for(COMMITTEE_MEMBER).get("/quality/").content.decode()
    assert "No service area holds the quality-assurance report yet" in page
    assert client_for(COMMITTEE_MEMBER).get("/quality/nowhere/").status_code == 404


def _check(text):
    return loading.read_and_check(text.encode(), "audits.csv", today=date(2023, 1, 1))


def test_grade_shares_over_100_percent_are_refused_with_where_and_why(small_qa):
    figures, problems, _ = _check(
        "measure_code,period,area,value\nG,2022-09,,50\nR,2022-09,,45\nI,2022-09,,9\n"
    )
    assert [p.row for p in problems] == [2, 3, 4]
    message = problems[0].message
    assert "for the whole authority in Sep 2022 add up to 104%" in message
    assert "Good or better 50%" in message and "Inadequate 9%" in message
    assert problems[0].column == "D (value)"


def test_grade_shares_may_round_to_a_point_over_100_and_other_breakdowns_are_apart(small_qa):
    figures, problems, _ = _check(
        "measure_code,period,area,value\n"
        "G,2022-09,,33.4\nR,2022-09,,33.3\nI,2022-09,,34\n"
        "G,2022-09,Legal status: Care leavers,90\nI,2022-09,Legal status: Children in care,90\n"
    )
    assert problems == [] and len(figures) == 5


def test_moderation_shares_over_100_percent_are_refused(small_qa):
    for code, role in (("QA43", QaRole.MODERATED_UP), ("QA44", QaRole.MODERATED_DOWN)):
        make_measure(area=small_qa, code=code, qa_role=role, frequency=Frequency.MONTHLY)
    figures, problems, _ = _check(
        "measure_code,period,area,value\nQA43,2022-09,,60\nQA44,2022-09,,50\n"
    )
    assert len(problems) == 2 and "graded up 60%, graded down 50%" in problems[0].message


@pytest.fixture
def qa_council(db):
    """The QA report's area with July 2022's audits graded by legal status, as the demo's, and
    a scorecard area beside it."""
    area = make_area(slug="quality-assurance", name="Quality assurance")
    ServiceArea.objects.filter(pk=area.pk).update(quality_assurance=True)
    audits = make_measure(area=area, code="QA01", qa_role=QaRole.AUDITS, unit=Unit.COUNT,
                          frequency=Frequency.MONTHLY)  # fmt: skip
    make_observation(measure=audits, period_end=JUL22, value=41)
    for code, breakdown in (("QA03", "Legal status: Children in care"),
                            ("QA05", "Legal status: Care leavers")):  # fmt: skip
        good = make_measure(area=area, code=code, qa_role=QaRole.GOOD, frequency=Frequency.MONTHLY)
        make_observation(measure=good, period_end=JUL22, value=40)
        make_observation(measure=good, period_end=JUL22, value=45, breakdown=breakdown)
    make_observation(measure=make_measure(code="CSC01"), period_end=date(2022, 6, 1), value=40)
    Measure.objects.all().recompute_statuses()
    return area


def test_the_qa_template_has_a_row_per_measure_and_grade_category(client_for, qa_council):
    client = client_for(PERFORMANCE_OFFICER)
    response = client.get("/upload/template.xlsx?area=quality-assurance")
    book = load_workbook(io.BytesIO(response.content))
    rows = [r for r in book["Figures"].iter_rows(min_row=2, values_only=True) if r[0]]
    codes = {r[0] for r in rows}
    assert codes <= {f"QA{n:02d}" for n in range(1, 46)}
    assert ("QA03", "2022-08", "Legal status: Children in care") in {r[:3] for r in rows}
    csv_rows = client.get("/upload/template.csv?area=quality-assurance").content.decode("utf-8-sig")
    assert "QA05,2022-08,Legal status: Care leavers" in csv_rows
    # The whole template still has every area's measures, and no breakdown rows.
    whole = client.get("/upload/template.csv").content.decode("utf-8-sig")
    assert "CSC01" in whole and "Legal status" not in whole


def test_the_filled_qa_template_loads_on_the_figures_path(qa_council, users):
    text = loading.read_and_check(
        b"measure_code,period,area,value\nQA01,2022-08,,47\n"
        b"QA03,2022-08,Legal status: Children in care,45\n",
        "qa.csv",
        today=date(2022, 9, 10),
    )
    figures, problems, _ = text
    assert problems == []
    upload = loading.receive(
        b"measure_code,period,area,value\nQA01,2022-08,,47\n"
        b"QA03,2022-08,Legal status: Children in care,45\n",
        "qa.csv",
        users[PERFORMANCE_OFFICER],
    )
    loading.check_upload(upload)
    upload.refresh_from_db()
    assert upload.status == "ready", upload.problems
    loading.commit(upload, users[PERFORMANCE_OFFICER])
    assert _figure("QA01", month=date(2022, 8, 1)).value == Decimal("47")
    assert not _figure("QA01", month=date(2022, 8, 1)).published
