"""The scorecard's filters as a form, without HTTP: what the URL chooses, what it cannot, and
what is drawn."""

from datetime import date

from django.http import QueryDict

from metrics import calculations as calc
from metrics.forms import ScorecardFilter

Q = calc.QUARTER
LATEST = calc.Period(date(2022, 6, 1), Q)
EARLIER = calc.Period(date(2022, 3, 1), Q)


class Section:
    def __init__(self, pk, name):
        self.pk, self.name = pk, name


def scorecard_filter(query, breakdowns=()):
    return ScorecardFilter(
        QueryDict(query),
        latest=LATEST,
        kind=Q,
        periods=[LATEST, EARLIER],
        sections=[Section(1, "Early help"), Section(2, "Children in care")],
        breakdowns=list(breakdowns),
        sorts=[("", "Paper order"), ("rag", "Status, worst first")],
    )


def test_without_a_query_the_latest_period_is_shown_unfiltered_in_paper_order():
    filters = scorecard_filter("")
    assert filters.period == LATEST and filters.problem == ""
    assert filters.chosen == {
        "period": "2022-06", "section": "", "rag": "", "direction": "", "breakdown": "", "sort": "",
    }  # fmt: skip
    assert 'value="2022-06" selected' in str(filters["period"])


def test_a_period_may_be_written_as_people_write_it_and_is_shown_chosen():
    filters = scorecard_filter("period=Mar22&section=2&rag=red&sort=rag")
    assert filters.period == EARLIER
    assert 'value="2022-03" selected' in str(filters["period"])
    chosen = filters.chosen
    assert (chosen["section"], chosen["rag"], chosen["sort"]) == ("2", "red", "rag")


def test_what_cannot_be_read_is_named_and_the_rest_still_applies():
    filters = scorecard_filter("period=banana&rag=purple&direction=declining")
    assert filters.period == LATEST
    assert filters.problem.startswith("'banana' is not a period")
    assert filters.problem.endswith("Showing the latest period instead")
    assert filters.problems[1] == "There is no rag 'purple'. It has been ignored"
    assert filters.chosen["rag"] == "" and filters.chosen["direction"] == "declining"
    assert "aria-invalid" not in str(filters["rag"])  # ignored, not an error on the page


def test_the_area_filter_is_drawn_only_where_the_figures_have_localities():
    assert "breakdown" not in [f.name for f in scorecard_filter("").offered]
    filters = scorecard_filter("breakdown=Forest of Dean", breakdowns=["Forest of Dean"])
    assert "breakdown" in [f.name for f in filters.offered]
    assert filters.chosen["breakdown"] == "Forest of Dean"
    assert scorecard_filter("breakdown=Nowhere").problem == (
        "There is no breakdown 'Nowhere'. It has been ignored"
    )
