"""A council starting empty: the Set up page says what is missing, counted, until the first
period can be published; the council's name, code, colour and logo are settings."""

import re
from datetime import date

from scrutiny import roles
from tests.factories import make_measure, make_observation, make_target, make_user


def _steps(html):
    return dict(
        re.findall(
            r'(?:task-list__link"[^>]*>|bold">)\d+\. ([^<]+)<'
            r'.*?task-list__status"[^>]*>(.*?)</div>',
            html,
            re.S,
        )
    )


def test_an_empty_council_sees_every_step_to_do_and_the_first_publication_last(client_for, db):
    html = client_for(roles.ADMINISTRATOR).get("/setup/").content.decode()
    steps = _steps(html)
    assert list(steps)[0] == "Service areas and their sections"
    assert list(steps)[-1] == "First period published"
    assert "Done" not in steps["Measures"] and "To do" in steps["Measures"]
    assert "1 performance officer" in html and "1 director" in html
    assert "Done by a performance officer" in html  # the administrator cannot add measures
    assert 'href="/users/"' in html


def test_the_steps_are_done_as_the_council_sets_itself_up(client_for, db):
    officer = client_for(roles.PERFORMANCE_OFFICER)
    make_user(role=roles.DIRECTOR)
    measure = make_measure()
    make_observation(measure=measure, period_end=date(2022, 6, 1))
    html = officer.get("/setup/").content.decode()
    steps = _steps(html)
    assert "Done" in steps["Measures"] and "To do" in steps["Targets"]
    assert "0 of 1 judged measures have a target" in html
    make_target(measure=measure, value=80)
    html = officer.get("/setup/").content.decode()
    assert "Done" in _steps(html)["Targets"]
    assert "publish your first period" in html  # everything a publication needs is there
    assert 'href="/admin/metrics/measure/"' in html


def test_the_setup_page_is_for_officers_and_administrators_and_in_their_navigation(client_for, db):
    for role in roles.ROLES:
        client = client_for(role)
        allowed = role in (roles.PERFORMANCE_OFFICER, roles.ADMINISTRATOR)
        assert client.get("/setup/").status_code == (200 if allowed else 403)
        assert ('href="/setup/"' in client.get("/").content.decode()) == allowed


def test_the_councils_name_colour_and_logo_are_settings(client_for, db, settings):
    settings.COUNCIL_NAME = "Westshire Council"
    settings.COUNCIL_BRAND_COLOUR = "#1d4f2a"
    settings.COUNCIL_LOGO = "img/favicon.svg"
    html = client_for(roles.COMMITTEE_MEMBER).get("/").content.decode()
    assert "Westshire Council" in html and "--council-brand: #1d4f2a" in html
    assert 'class="council-header__logo" src="/static/img/favicon.svg"' in html
