"""The upload preview: every figure beside the current one, its target and the status it will
get; implausible figures flagged, and loaded only once the officer says they are checked."""

from datetime import date
from decimal import Decimal

import pytest

from metrics import loading
from metrics.models import Measure, Observation
from scrutiny.roles import PERFORMANCE_OFFICER
from tests.factories import make_area, make_measure, make_observation, make_target

MONTHS = [date(2021, m, 1) for m in range(4, 13)] + [date(2022, m, 1) for m in range(1, 7)]


@pytest.fixture
def measures(db):
    area = make_area(slug="care")
    visits = make_measure(area=area, code="VISITS", name="Initial visits in time",
                          frequency="month")  # fmt: skip
    make_target(measure=visits, value=85, effective_from=date(2021, 4, 1))
    children = make_measure(area=area, code="CIC", name="Children in care", unit="count",
                            polarity="plan", frequency="month")  # fmt: skip
    for i, month in enumerate(MONTHS):
        make_observation(measure=visits, period_end=month, value=68 + (i % 3),
                         numerator=68 + (i % 3), denominator=100)  # fmt: skip
        make_observation(measure=children, period_end=month, value=840 + (i % 5))
    Measure.objects.all().recompute_statuses()
    return visits, children


def _preview(text, users):
    upload = loading.receive(text.encode(), "figures.csv", users[PERFORMANCE_OFFICER])
    loading.check_upload(upload)
    upload.refresh_from_db()
    assert upload.status == "ready", upload.problems
    return upload, {(r["code"], r["period"]): r for r in upload.summary["preview"]["rows"]}


HEADER = "measure_code,period,area,value,numerator,denominator\n"


def test_each_figure_is_shown_with_what_it_replaces_its_target_and_its_status(measures, users):
    upload, rows = _preview(HEADER + "VISITS,2022-07,,71.0,,\nVISITS,2022-06,,70,70,100\n", users)
    new = rows[("VISITS", "Jul 2022")]
    assert (new["new"], new["current"], new["before"]) == ("71.0%", "", "70.0%")
    assert (new["target"], new["status"], new["group"]) == ("85.0%", "red", "new")
    changed = rows[("VISITS", "Jun 2022")]
    assert (changed["current"], changed["group"], changed["status"]) == (
        "70.0%",
        "unchanged",
        "red",
    )
    assert upload.summary["preview"]["flagged"] == 0


@pytest.mark.parametrize(
    "line, words",
    [
        ("VISITS,2022-07,,6.9,,", "6.9 is about a tenth of the figure before (70): a slipped"),
        ("VISITS,2022-07,,100,,", "100 is far outside the measure's usual range"),
        ("CIC,2022-07,,841.5,,", "841.5 is a count that is not a whole number"),
        ("CIC,2022-07,,8420,,", "8,420 is about ten times the figure before (844)"),
        ("VISITS,2022-07,,70,7,10", "The denominator 10 is far from the one before (100)"),
    ],
)
def test_implausible_figures_are_flagged_with_the_value_and_why(measures, users, line, words):
    upload, rows = _preview(HEADER + line + "\n", users)
    (row,) = rows.values()
    assert any(words in flag for flag in row["flags"]), row["flags"]
    assert upload.summary["preview"]["flagged"] == 1


def test_a_flagged_file_loads_from_the_page_only_once_the_officer_ticks(
    measures, users, client_for
):
    upload, _ = _preview(HEADER + "VISITS,2022-07,,6.9,,\nVISITS,2022-08,,71,,\n", users)
    client = client_for(PERFORMANCE_OFFICER)
    page = client.get(upload.get_absolute_url()).content.decode()
    assert "1 figure looks implausible" in page and "a slipped decimal point?" in page
    flagged_only = client.get(upload.get_absolute_url() + "?show=flagged").content.decode()
    assert "Aug 2022" not in flagged_only.split('data-testid="preview"')[1]
    response = client.post(f"/upload/{upload.pk}/confirm/", {"reason": ""}, follow=True)
    assert "1 figure looks implausible" in response.content.decode()
    assert not Observation.objects.filter(period_end=date(2022, 7, 1)).exists()
    client.post(f"/upload/{upload.pk}/confirm/", {"reason": "", "checked_flags": "yes"})
    assert Observation.objects.get(period_end=date(2022, 7, 1)).value == Decimal("6.9")
