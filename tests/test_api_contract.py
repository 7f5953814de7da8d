"""The API does what its OpenAPI schema says, for a committee member and for an officer:
schemathesis generates requests from /api/v1/openapi.json (valid and invalid parameters)
against a live server and checks every answer against the schema — status codes, content
types and bodies — and that none is a server error."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from scrutiny import roles
from scrutiny.api import api
from scrutiny.tokens import ApiToken
from tests.factories import make_measure, make_meeting, make_observation, make_target, make_user

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


@pytest.fixture
def tokens(live_server, transactional_db):
    """A small council on a live server, and a token for each role tried."""
    from improvement_plan.models import Risk, RiskRegister
    from metrics.models import Measure
    from scrutiny.packs import publish

    measure = make_measure(code="CSC05")
    make_target(measure=measure, value=85)
    make_observation(measure=measure, value="68.9")
    Measure.objects.all().recompute_statuses()
    Risk.objects.create(
        reference="SR7.5", title="Workforce", register=RiskRegister.objects.create(name="SR7")
    )
    publish(make_meeting(), None)
    found = {}
    for role in (roles.COMMITTEE_MEMBER, roles.PERFORMANCE_OFFICER):
        _, key = ApiToken.issue(make_user(role=role), "contract test")
        found[role] = {"Authorization": f"Bearer {key}"}
    return live_server.url, found


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.parametrize("role", [roles.COMMITTEE_MEMBER, roles.PERFORMANCE_OFFICER])
def test_the_api_answers_as_its_schema_says(case, tokens, role):
    base_url, headers = tokens
    # Signing in is tested on its own (tests/metrics/test_api.py): here every request carries
    # a valid token, which the generated "invalid authentication" would only be added to.
    case.call_and_validate(
        base_url=base_url, headers=headers[role], excluded_checks=[checks.ignored_auth]
    )
