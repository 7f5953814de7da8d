"""The public pages: off until the council turns them on for an area, then the published
scorecard only, to anyone, without names or drafts."""

from datetime import date

import pytest

from metrics.models import ServiceArea
from tests.factories import make_area, make_measure, make_observation, make_target


@pytest.fixture
def area(db):
    area = make_area(slug="early-help", name="Early Help")
    measure = make_measure(area=area, code="EH1", name="Early help assessments in time")
    make_target(measure=measure, value=80)
    make_observation(measure=measure, value=61.5, period_end=date(2022, 3, 1))
    make_observation(measure=measure, value=77.7, period_end=date(2022, 6, 1), published=False)
    measure.__class__.objects.filter(pk=measure.pk).recompute_statuses()
    return area


def test_nothing_is_public_until_the_council_turns_it_on(area, client):
    assert client.get("/public/").status_code == 404
    assert client.get("/public/early-help/").status_code == 404
    ServiceArea.objects.filter(pk=area.pk).update(public_scorecard=True)
    assert client.get("/public/").status_code == 200
    assert client.get("/public/early-help/").status_code == 200
    ServiceArea.objects.filter(pk=area.pk).update(public_scorecard=False)
    assert client.get("/public/").status_code == 404
    assert client.get("/public/early-help/").status_code == 404


def test_the_public_scorecard_shows_published_figures_only_and_no_names(area, client):
    from tests.factories import make_commentary, make_user

    ServiceArea.objects.filter(pk=area.pk).update(public_scorecard=True)
    writer = make_user(username="a.officer")
    measure = area.measures.get()
    make_commentary(measure=measure, period_end=date(2022, 3, 1), text="Published words.",
                    published=True, written_by=writer)  # fmt: skip
    make_commentary(measure=measure, text="Draft words.", written_by=writer)
    ServiceArea.objects.filter(pk=area.pk).update(figures_version=99)
    page = client.get("/public/early-help/").content.decode()
    assert "61.5%" in page and "2021/22 Q4" in page
    assert "77.7%" not in page  # the draft figure
    assert "Draft words." not in page and "Published words." in page
    assert "a.officer" not in page
    assert "Sign out" not in page
