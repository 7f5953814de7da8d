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

    # Hold the first commit inside its transaction, measures locked, until the second is seen
    # waiting for those locks in PostgreSQL: ordered by what happens, not by how long it takes.
    real_load = loading._load_staged
    inside, second_blocked = threading.Event(), threading.Event()

    def load_once_the_second_waits(*args):
        inside.set()
        deadline = time.monotonic() + 20
        with connection.cursor() as cursor:
            while time.monotonic() < deadline and not second_blocked.is_set():
                cursor.execute("SELECT pg_stat_clear_snapshot()")  # else fixed per transaction
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    second_blocked.set()
                else:
                    time.sleep(0.01)  # polling for the event, not waiting for time to pass
        return real_load(*args)

    monkeypatch.setattr(loading, "_load_staged", load_once_the_second_waits)
    outcomes = {}

    def load(upload, name, wait_for=None):
        try:
            if wait_for:
                wait_for.wait(10)
            loading.commit(upload, officer, "")
            outcomes[name] = "loaded"
        except loading.Refused as refused:
            outcomes[name] = str(refused)
        finally:
            connections.close_all()

    first = threading.Thread(target=load, args=(uploads[0], "first"))
    second = threading.Thread(target=load, args=(uploads[1], "second", inside))
    first.start()
    second.start()
    first.join(30)
    second.join(30)

    assert outcomes["first"] == "loaded"
    assert second_blocked.is_set(), "the second commit waited for the first's locks"
    assert "changed or published by someone else after this file was checked" in outcomes["second"]
    assert Observation.objects.get(period_end=date(2022, 9, 1)).value == Decimal("71.2")
    assert ObservationChange.objects.count() == 1
    assert Upload.objects.get(pk=uploads[1].pk).status == Upload.Status.READY
