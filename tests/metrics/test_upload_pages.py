"""The upload pages as an officer uses them, and hostile files that must never cause a 500."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from metrics.models import Frequency, Measure, Observation, ObservationChange, Upload
from scrutiny import roles
from tests.factories import make_measure, make_observation, make_target

HEADER = "measure_code,period,area,value,numerator,denominator,note\n"


@pytest.fixture
def figures(db):
    """Initial visits (quarterly, published to 2022/23 Q1: 68.9% against 85%) and one of the
    plan's monthly metrics (published to June 2022), as the demo has them."""
    visits = make_measure(code="CSC05", name="% Initial visits in time")
    make_target(measure=visits, value="85", effective_from=date(2022, 1, 1))
    make_observation(measure=visits, period_end=date(2022, 3, 1), value="62.4")
    make_observation(measure=visits, period_end=date(2022, 6, 1), value="68.9")
    monthly = make_measure(code="CIP-3-5-K01", frequency=Frequency.MONTHLY)
    make_observation(measure=monthly, period_end=date(2022, 6, 1), value="10")
    Measure.objects.all().recompute_statuses()


@pytest.fixture
def officer(client_for):
    return client_for(roles.PERFORMANCE_OFFICER)


@pytest.fixture
def send_file(officer, django_capture_on_commit_callbacks):
    """Upload a file as the officer, let the check run (it runs once the request's work is
    committed), and return the page the officer is sent to."""

    def send(content, name="figures.csv"):
        data = content.encode() if isinstance(content, str) else content
        with django_capture_on_commit_callbacks(execute=True):
            response = officer.post("/upload/", {"file": SimpleUploadedFile(name, data)})
        if response.status_code != 302:
            return response
        return officer.get(response["Location"])

    return send


def test_an_officer_uploads_previews_and_confirms(
    officer, send_file, figures, eager_tasks, django_capture_on_commit_callbacks
):
    page = send_file(HEADER + "CSC05,2022/23 Q2,,71.2,,,\nCSC05,2022-06,,69.0,,,\n")
    html = page.content.decode()
    assert "Check what this file changes" in html and "Discard this file" in html
    assert "already published" in html and ">68.9%" in html and ">Published<" in html
    upload = Upload.objects.get()
    refused = officer.post(f"/upload/{upload.pk}/confirm/", {"reason": ""}, follow=True)
    assert "Give a reason" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(f"/upload/{upload.pk}/confirm/", {"reason": "Corrected extract"})
    done = officer.get(f"/upload/{upload.pk}/")
    assert "Loaded 1 new and 1 changed figures" in done.content.decode()
    assert "Statuses recalculated" in done.content.decode()
    saved = Observation.objects.get(measure__code="CSC05", period_end=date(2022, 9, 1))
    assert saved.value == Decimal("71.2")


def test_problems_are_shown_as_an_error_summary_and_downloadable(
    officer, send_file, figures, eager_tasks
):
    page = send_file(HEADER + "CSC05,2022-09,,abc,,,\n=HYPERLINK(1),2022-09,,1,,,\n")
    html = page.content.decode()
    assert "There are problems in the file: nothing was loaded" in html
    assert "Row 2, column D (value): &#x27;abc&#x27; is not a number" in html
    upload = Upload.objects.get()
    text = officer.get(f"/upload/{upload.pk}/problems.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["row", "column", "field", "problem"]
    assert rows[1][:3] == ["2", "D (value)", "value"]
    assert rows[1][3].startswith("'abc' is not a number")
    assert rows[2][3].startswith("Unknown measure code '=HYPERLINK(1)'")
    assert not any(cell[:1] in "=+-@" and cell for row in rows for cell in row)
    assert Observation.objects.filter(period_end=date(2022, 9, 1)).count() == 0


def test_the_xlsx_template_lists_measures_and_the_periods_now_due(client_for, figures):
    response = client_for(roles.PERFORMANCE_OFFICER).get("/upload/template.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Instructions", "Figures", "Measures", "Periods now due"]
    figures = book["Figures"]
    header = [c.value for c in figures[1]]
    assert header == ["measure_code", "period", "area", "value", "numerator", "denominator",
                      "note", "measure_name", "unit", "last_value", "last_period", "target",
                      "due_by"]  # fmt: skip
    due = {(row[0].value, row[1].value): row for row in figures.iter_rows(min_row=2)}
    assert ("CSC05", "2022-09") in due and ("CIP-3-5-K01", "2022-07") in due
    visits = [c.value for c in due[("CSC05", "2022-09")]]
    assert visits[7:] == ["% Initial visits in time", "Percentage", "68.9%", "2022/23 Q1",
                          "85.0%", "2022-10-15"]  # fmt: skip
    # The figures may be typed; the measure, the period and the grey columns may not.
    assert figures.protection.sheet
    row = due[("CSC05", "2022-09")]
    assert not row[3].protection.locked and row[0].protection.locked and row[9].protection.locked
    # Read back as it is, the template's extra columns are ignored: only the blanks complain.
    from metrics import loading

    _, problems, _ = loading.read_and_check(response.content, "template.xlsx")
    assert problems and all(p.field == "value" for p in problems)
    assert figures.data_validations.dataValidation, "measure codes come from a drop-down"
    codes = {row[0].value for row in book["Measures"].iter_rows(min_row=2)}
    assert codes == {"CSC05", "CIP-3-5-K01"}


def test_the_csv_template_has_a_bom_and_the_due_periods(client_for, figures):
    text = client_for(roles.PERFORMANCE_OFFICER).get("/upload/template.csv").content
    assert text.startswith(b"\xef\xbb\xbfmeasure_code,period,area,value")
    assert b"\r\nCSC05,2022-09,,,,,\r\n" in text


def test_the_measure_page_offers_corrections_and_shows_the_trail(client_for, figures):
    client = client_for(roles.PERFORMANCE_OFFICER)
    response = client.post(
        "/measures/CSC05/correct/",
        {
            "figure": "2022-06|",
            "value": "69.0",
            "numerator": "",
            "denominator": "",
            "reason": "Late recording",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Corrected CSC05 for 2022/23 Q1" in html
    assert "History of the figures" in html and "Late recording" in html
    bad = client.post(
        "/measures/CSC05/correct/", {"figure": "2022-05|", "value": "69", "reason": "x"}
    )
    assert "Choose one of the measure&#x27;s figures" in bad.content.decode()
    # The form offers the measure's own figures with the value each has now, and shows the
    # chosen one's history.
    page = client.get("/measures/CSC05/correct/?period=2022/23 Q1").content.decode()
    assert "2022/23 Q1, whole authority: 69.0% (published)" in page
    assert "from 68.9% to 69.0%" in page and "Late recording" in page
    member_view = client_for(roles.COMMITTEE_MEMBER).get("/measures/CSC05/").content.decode()
    assert "History of the figures" not in member_view


hostile_text = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.lists(
            st.one_of(
                st.text(max_size=12),
                st.sampled_from(
                    [
                        "CSC05",
                        "2022-09",
                        "2022/23 Q2",
                        "=1+1",
                        "+cmd",
                        "-1",
                        "1e309",
                        "NaN",
                        "∞",
                        "٣",
                        "1,000.5",
                        "%",
                        "",
                        "\x00",
                        '"',
                        "99999999999999999999",
                    ]
                ),
            ),
            max_size=9,
        ),
        max_size=8,
    ).map(lambda rows: "\n".join(",".join(r) for r in rows)),
    st.builds(lambda body: HEADER + body, st.text(max_size=200)),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    content=hostile_text,
    binary=st.binary(max_size=200),
    name=st.sampled_from(["f.csv", "f.xlsx", "f.xls", "", "../../etc/passwd", "f\x00.csv"]),
)
def test_hostile_files_always_get_a_message_and_change_nothing(
    send_file, figures, eager_tasks, content, binary, name
):
    before = sorted(Observation.objects.values_list("id", "value", "published"))
    changes = ObservationChange.objects.count()
    for data in (content.encode("utf-8", "surrogatepass"), binary):
        response = send_file(data, name or "x")
        assert response.status_code == 200
        html = response.content.decode()
        assert (
            "There is a problem" in html
            or "There are problems" in html
            or "Check what this file changes" in html
            or "Choose a CSV" in html
            or "The submitted file is empty" in html
        ), html[:2000]
    assert sorted(Observation.objects.values_list("id", "value", "published")) == before
    assert ObservationChange.objects.count() == changes


def test_a_file_over_the_limit_is_refused_as_it_arrives_and_nothing_is_kept(
    send_file, db, settings
):
    settings.UPLOAD_MAX_BYTES = 64 * 1024
    big = HEADER + "CSC05,2022-06,,69.0,,,\n" * 10_000  # about 230 KB
    response = send_file(big)
    assert response.status_code == 200
    assert "The file is larger than 0 MB" not in response.content.decode()
    assert "the largest accepted" in response.content.decode()
    assert Upload.objects.count() == 0
