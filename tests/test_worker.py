"""A real Celery worker consuming from the real Redis that `make test` starts."""

import time

import pytest
from django.db import connection

from metrics.models import MeasureStatus
from metrics.tasks import recompute_in_background
from scrutiny import roles
from tests.conftest import services_required
from tests.factories import make_measure, make_observation, make_target

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not services_required(), reason="needs the Redis that make test starts"),
]


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def test_the_worker_computes_statuses_from_a_queued_task(worker):
    assert connection.vendor == "postgresql"
    measure = make_measure()
    make_observation(measure=measure, value=76)
    make_target(measure=measure, value=80)
    recompute_in_background.delay([measure.pk])
    assert wait_for(
        lambda: MeasureStatus.objects.in_view(drafts=True).filter(measure=measure).exists()
    )
    assert MeasureStatus.objects.in_view(drafts=True).get(measure=measure).rag == "amber"


def test_a_target_changed_in_the_admin_is_judged_within_seconds(worker, client):
    from tests.factories import make_user

    officer = make_user(role=roles.PERFORMANCE_OFFICER)
    client.force_login(officer)
    measure = make_measure()
    make_observation(measure=measure, value=76)
    target = make_target(measure=measure, value=80)
    recompute_in_background.delay([measure.pk])
    assert wait_for(
        lambda: (
            MeasureStatus.objects.in_view(drafts=True).filter(measure=measure, rag="amber").exists()
        )
    )

    started = time.monotonic()
    response = client.post(
        f"/admin/metrics/target/{target.pk}/change/",
        {
            "measure": measure.pk,
            "kind": "stretch",
            "value": "90",
            "effective_from": "2022-06-01",
            "effective_to": "",
            "source": "",
            "note": "",
            "change_reason": "Stretch from April",
        },
    )
    assert response.status_code == 302
    assert wait_for(
        lambda: (
            MeasureStatus.objects.in_view(drafts=True).filter(measure=measure, rag="red").exists()
        ),
        30,
    )
    print(f"recomputed {time.monotonic() - started:.1f} s after the change")
