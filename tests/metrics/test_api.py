"""The read-only JSON API: the scorecard as the council judges it, published figures only for
committee members, clear JSON errors, and personal tokens that can be revoked."""

import json

import pytest

from scrutiny import roles
from scrutiny.tokens import ApiToken
from tests.factories import make_area, make_measure, make_observation, make_target, make_user


def get(client, url, **headers):
    response = client.get(url, **headers)
    return response.status_code, json.loads(response.content)


@pytest.mark.parametrize(
    ("url", "status", "text"),
    [
        ("/api/v1/scorecard?area=nowhere&period=2022-06", 404, "No service area"),
        ("/api/v1/scorecard?area=childrens-social-care&period=June", 422, "query.period"),
        ("/api/v1/scorecard?area=childrens-social-care&period=2022-13", 422, "query.period"),
        ("/api/v1/scorecard?area=childrens-social-care&period=2022/23", 422, "query.period"),
        ("/api/v1/measures/NOPE", 404, "No measure with code"),
    ],
)
def test_errors_are_json_with_a_message(client_for, db, url, status, text):
    make_area(slug="childrens-social-care", name="Children's Social Care")
    code, body = get(client_for(roles.DIRECTOR), url)
    assert code == status
    assert text in body["message"]


def test_a_missing_parameter_is_a_json_error(client_for, db):
    make_area(slug="childrens-social-care", name="Children's Social Care")
    code, body = get(client_for(roles.DIRECTOR), "/api/v1/scorecard?area=childrens-social-care")
    assert code == 422
    assert "query.period" in body["message"] and body["errors"][0]["where"] == "query.period"


def test_committee_members_see_published_values_only(client_for, db):
    measure = make_measure(code="DRAFTY")
    make_target(measure=measure, value=50)
    make_observation(measure=measure, value=40, published=True)
    from datetime import date

    make_observation(measure=measure, value=60, published=False, period_end=date(2022, 9, 1))
    measure.__class__.objects.filter(pk=measure.pk).recompute_statuses()
    _, member_view = get(client_for(roles.COMMITTEE_MEMBER), "/api/v1/measures/DRAFTY")
    assert [v["value"] for v in member_view["values"]] == [40.0]
    assert len(member_view["statuses"]) == 1
    _, officer_view = get(client_for(roles.PERFORMANCE_OFFICER), "/api/v1/measures/DRAFTY")
    assert [v["value"] for v in officer_view["values"]] == [40.0, 60.0]


def test_anonymous_requests_get_401_json(client, db):
    response = client.get("/api/v1/areas")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_a_personal_token_works_until_revoked(client, db):
    user = make_user(role=roles.COMMITTEE_MEMBER, username="cllr")
    client.force_login(user)
    unnamed = client.post("/account/tokens/", {"name": "", "expires_in": "90"}).content.decode()
    assert "There is a problem" in unnamed and "Say what the token is for" in unnamed
    page = client.post("/account/tokens/", {"name": "Power BI", "expires_in": "90"})
    key = page.context["new_key"]
    assert key and key.encode() in page.content
    client.logout()

    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/v1/areas", **auth).status_code == 200
    assert ApiToken.objects.get().last_used_at is not None
    assert client.get("/api/v1/areas", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401

    client.force_login(user)
    client.post("/account/tokens/", {"revoke": ApiToken.objects.get().pk})
    client.logout()
    assert client.get("/api/v1/areas", **auth).status_code == 401


def test_nobody_can_revoke_another_users_token(client, db):
    owner = make_user(role=roles.DIRECTOR)
    token, _ = ApiToken.issue(owner, "script")
    client.force_login(make_user(role=roles.DIRECTOR))
    response = client.post("/account/tokens/", {"revoke": token.pk}, follow=True)
    assert "does not exist or is already revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_revoke_with_a_malformed_id_is_a_message_not_an_error(client, db):
    client.force_login(make_user(role=roles.DIRECTOR))
    for bad in ("abc", "1 OR 1=1", "9" * 40, ""):
        response = client.post("/account/tokens/", {"revoke": bad}, follow=True)
        assert response.status_code == 200, bad


def test_a_user_with_no_role_is_refused_by_the_api_as_by_the_pages(client, db):
    user = make_user()
    client.force_login(user)
    assert client.get("/").status_code == 403
    response = client.get("/api/v1/areas")
    assert response.status_code == 403 and "role" in response.json()["message"]
    _, key = ApiToken.issue(user, "script")
    client.logout()
    assert client.get("/api/v1/areas", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 403


def test_a_token_stops_working_when_it_expires_or_the_password_changes(client, db):
    from datetime import timedelta

    from django.utils import timezone

    user = make_user(role=roles.COMMITTEE_MEMBER)
    _, lasting = ApiToken.issue(user, "lasting")
    _, expired = ApiToken.issue(user, "old", expires_at=timezone.now() - timedelta(seconds=1))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {lasting}"}
    assert client.get("/api/v1/areas", **auth).status_code == 200
    assert client.get("/api/v1/areas", HTTP_AUTHORIZATION=f"Bearer {expired}").status_code == 401
    user.set_password("a-new-and-long-password")
    user.save()
    assert client.get("/api/v1/areas", **auth).status_code == 401
    client.force_login(user)
    page = client.get("/account/tokens/").content.decode()
    assert "Stopped: your password changed since it was made" in page
    assert "Expired" in page


def test_the_openapi_schema_describes_the_api(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    assert {
        "/api/v1/areas",
        "/api/v1/measures",
        "/api/v1/measures/{code}",
        "/api/v1/scorecard",
    } <= set(paths)
