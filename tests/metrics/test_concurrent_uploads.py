"""Two officers loading the same figures at once, in two real database sessions on PostgreSQL:
the second waits for the first and is then refused, so no update is ever lost."""

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections

from metrics import loading
from metrics.models import Observation, ObservationChange, Upload
from scrutiny import roles
from tests.conftest import services_required
from tests.factories import make_measure, make_observation, make_user

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not services_required(), reason="needs the PostgreSQL make test starts"),
]
HEADER = "measure_code,period,area,value,numerator,denominator,note\n"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_commits_of_the_same_figures_never_lose_an_update(monkeypatch):
    assert connection.vendor == "postgresql"
    officer = make_user(role=roles.PERFORMANCE_OFFICER)
    measure = make_measure(code="VISITS")
    make_observation(measure=measure, period_end=date(2022, 6, 1), value="68.9")
    uploads = []
    for value in ("71.2", "75.0"):
        upload = loading.receive(
            (HEADER + f"VISITS,2022-09,,{value},,,\n").encode(), f"{value}.csv", officer
        )
        loading.check_upload(upload)
        uploads.append(Upload.objects.get(pk=upload.pk))
    assert all(u.status == Upload.Status.READY for u in uploads)

    # Hold the first commit inside its transaction, measures locked, long enough for the
    # second to arrive.
    real_load = loading._load_staged
    inside = threading.Event()

    def slow_load(*args):
        inside.set()
        time.sleep(1.5)
        return real_load(*args)

    monkeypatch.setattr(loading, "_load_staged", slow_load)
    outcomes = {}

    def load(upload, name, wait_for=None):
        try:
            if wait_for:
                wait_for.wait(10)
            started = time.monotonic()
            loading.commit(upload, officer, "")
            outcomes[name] = ("loaded", time.monotonic() - started)
        except loading.Refused as refused:
            outcomes[name] = (str(refused), time.monotonic() - started)
        finally:
            connections.close_all()

    first = threading.Thread(target=load, args=(uploads[0], "first"))
    second = threading.Thread(target=load, args=(uploads[1], "second", inside))
    first.start()
    second.start()
    first.join(30)
    second.join(30)

    assert outcomes["first"][0] == "loaded"
    message, waited = outcomes["second"]
    assert "changed or published by someone else after this file was checked" in message
    assert waited > 1.0, "the second commit waited for the first to finish"
    assert Observation.objects.get(period_end=date(2022, 9, 1)).value == Decimal("71.2")
    assert ObservationChange.objects.count() == 1
    assert Upload.objects.get(pk=uploads[1].pk).status == Upload.Status.READY
