"""The dashboard, scorecard and measure pages: what they show, and a fixed query budget."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from metrics.models import Comparator, Measure, Section
from scrutiny import roles
from tests.factories import make_area, make_measure, make_observation, make_target, make_user

QUARTERS = [
    date(2021, 6, 1),
    date(2021, 9, 1),
    date(2021, 12, 1),
    date(2022, 3, 1),
    date(2022, 6, 1),
]


def test_exported_text_that_looks_like_a_formula_is_neutralised(client_for, db):
    area = make_area(slug="area")
    measure = make_measure(area=area, name='=HYPERLINK("http://x")')
    make_observation(measure=measure)
    Measure.objects.filter(pk=measure.pk).recompute_statuses()
    client = client_for(roles.DIRECTOR)
    text = client.get("/scorecards/area/export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    book = load_workbook(io.BytesIO(client.get("/scorecards/area/export.xlsx").content))
    names = [book.active.cell(row=r, column=3).value for r in range(3, book.active.max_row + 1)]
    assert names == ['\'=HYPERLINK("http://x")']


def build_area(n):
    area = make_area(slug=f"area-{n}")
    section = Section.objects.create(area=area, name="Section")
    for i in range(n):
        measure = make_measure(area=area, section=section, code=f"Q{n}-{i}")
        make_target(measure=measure, value=50, effective_from=QUARTERS[0])
        Comparator.objects.create(measure=measure, kind="england", value=45)
        for j, quarter in enumerate(QUARTERS):
            make_observation(measure=measure, period_end=quarter, value=40 + i % 20 + j)
    Measure.objects.filter(area=area).recompute_statuses()
    return area


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "page",
    ["/", "/scorecards/{slug}/", "/scorecards/{slug}/?rag=red", "/scorecards/{slug}/export.xlsx"],
)
def test_pages_run_the_same_number_of_queries_for_10_and_200_measures(
    client, db, page, django_assert_num_queries
):
    client.force_login(make_user(role=roles.COMMITTEE_MEMBER))
    small = build_area(10)
    with_small = queries_for(client, page.format(slug=small.slug))
    large = build_area(200)
    with django_assert_num_queries(with_small):
        client.get(page.format(slug=large.slug))
    assert with_small <= 20


def test_the_measure_page_runs_a_fixed_number_of_queries(client, db, django_assert_num_queries):
    client.force_login(make_user(role=roles.PERFORMANCE_OFFICER))
    build_area(3)
    first = queries_for(client, "/measures/Q3-0/")
    with django_assert_num_queries(first):
        client.get("/measures/Q3-1/")
    assert first <= 20


def test_a_cached_scorecard_shows_a_corrected_figure_and_new_commentary_at_once(
    client_for, eager_tasks, django_capture_on_commit_callbacks
):
    from metrics import calculations as calc
    from metrics import loading

    area = make_area(slug="childrens-social-care")
    visits = make_measure(area=area, code="CSC05", name="% Initial visits in time")
    make_target(measure=visits, value="85", effective_from=date(2022, 1, 1))
    make_observation(measure=visits, period_end=date(2022, 6, 1), value="68.9")
    Measure.objects.all().recompute_statuses()

    officer = client_for(roles.PERFORMANCE_OFFICER)
    url = "/scorecards/childrens-social-care/"
    assert "68.9%" in officer.get(url).content.decode()  # now cached
    measure = Measure.objects.get(code="CSC05")
    with django_capture_on_commit_callbacks(execute=True):
        loading.correct(
            measure,
            calc.parse_period("2022/23 Q1"),
            "",
            value="69.3",
            user=make_user(role=roles.PERFORMANCE_OFFICER),
            reason="Late data",
        )
    html = officer.get(url).content.decode()
    # The corrected figure, and the correction itself, as members read it too.
    assert "69.3%" in html and ": 68.9% → 69.3%, Late data" in html
    member = client_for(roles.COMMITTEE_MEMBER).get(url).content.decode()
    assert "Revised on" in member and ": 68.9% → 69.3%, Late data" in member
    officer = client_for(roles.PERFORMANCE_OFFICER)
    officer.post(
        "/measures/CSC05/commentary/",
        {"period": "2022-06", "action": "publish", "text": "Checked against the extract."},
    )
    assert "Checked against the extract." in officer.get(url).content.decode()


def test_an_export_in_any_other_format_is_not_found_and_names_no_file(client_for, db):
    from tests.factories import make_area

    make_area(slug="area")
    client = client_for(roles.COMMITTEE_MEMBER)
    for fmt in ("pdf", 'csv";x=', "xlsx%0d%0aSet-Cookie:a=b", "../../etc"):
        response = client.get(f"/scorecards/area/export.{fmt}")
        assert response.status_code == 404
        assert "Content-Disposition" not in response


def test_transcription_notes_are_for_staff_only(client_for, db):
    from html import escape

    from improvement_plan.models import PlanMetric
    from tests.factories import make_workstream

    # As the demo's: a figure the papers print ambiguously, and a metric with a note on it.
    area = make_area(slug="childrens-good-management")
    measure = make_measure(area=area, code="CYP-GM07")
    note = "AMBIGUOUS in the papers: 0 or 1 outstanding (line 6390)"
    make_observation(measure=measure, period_end=date(2022, 6, 1), value="0", note=note)
    Measure.objects.all().recompute_statuses()
    member = client_for(roles.COMMITTEE_MEMBER)
    for url in ("/scorecards/childrens-good-management/", f"/measures/{measure.code}/"):
        assert "AMBIGUOUS" not in member.get(url).content.decode(), url
    workstream = make_workstream()
    metric = PlanMetric.objects.create(
        workstream=workstream, reference="K01", name="m", measure=measure,
        note="The table's columns are shifted by one month & were re-aligned",
    )  # fmt: skip
    member = client_for(roles.COMMITTEE_MEMBER)
    assert escape(metric.note) not in member.get(workstream.get_absolute_url()).content.decode()
    officer = client_for(roles.PERFORMANCE_OFFICER).get(workstream.get_absolute_url())
    assert escape(metric.note) in officer.content.decode()


def test_a_scorecard_row_escapes_everything_typed_into_it(db):
    """Rows are built in Python, not by the template language: names, comments and
    comparator labels are still escaped."""
    from types import SimpleNamespace

    from metrics.templatetags.status import scorecard_row

    measure = make_measure(name='<script>alert("name")</script>')
    measure.history = [None]
    measure.status = None
    measure.comment = SimpleNamespace(text="<img src=x onerror=alert(1)>")
    measure.shown_comparators = [SimpleNamespace(summary="<b>England</b> 50%")]
    measure.sparkline = "<svg></svg>"
    period = SimpleNamespace(short_label="Jun<22>")
    html = scorecard_row(measure, [period])
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;name&quot;)" in html
    assert "<img" not in html and "&lt;img src=x" in html
    assert "<b>" not in html and "&lt;b&gt;England" in html
    assert 'data-label="Actual Jun&lt;22&gt;"' in html and "No value" in html
