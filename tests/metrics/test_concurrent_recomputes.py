"""Recomputes of the same measures at once, in real database sessions on PostgreSQL: none
fails with a duplicate key, and none leaves an older result over a newer one."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from metrics import calculations as calc
from metrics import engine, loading
from metrics.models import Measure, MeasureStatus
from scrutiny import roles
from tests.conftest import services_required
from tests.factories import make_area, make_measure, make_observation, make_target, make_user

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not services_required(), reason="needs the PostgreSQL make test starts"),
]


def _run(function, errors):
    try:
        function()
    except Exception as error:  # noqa: BLE001 - reported by the test
        errors.append(error)
    finally:
        connections.close_all()


def _in_threads(*functions):
    errors = []
    threads = [threading.Thread(target=_run, args=(f, errors)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_many_recomputes_of_one_area_at_once_all_succeed_and_agree():
    assert connection.vendor == "postgresql"
    area = make_area()
    measures = []
    for number in range(4):
        measure = make_measure(area=area, code=f"M{number}")
        for month in (3, 6, 9, 12):
            make_observation(measure=measure, period_end=date(2021, month, 1), value=50 + month)
        make_target(measure=measure, value=60, effective_from=date(2021, 3, 1))
        measures.append(measure)
    ids = [m.pk for m in measures]

    def recompute(chosen):
        return lambda: Measure.objects.filter(pk__in=chosen).recompute_statuses()

    errors = _in_threads(
        recompute(ids), recompute(ids[:2]), recompute(ids[1:]), recompute(ids), recompute(ids[2:])
    )
    assert errors == []
    stored = sorted(MeasureStatus.objects.values_list("measure_id", "working", "period_end", "rag"))
    Measure.objects.filter(pk__in=ids).recompute_statuses()
    assert (
        sorted(MeasureStatus.objects.values_list("measure_id", "working", "period_end", "rag"))
        == stored
    )
    assert len(stored) == 4 * 4  # no drafts: each status serves both views


@pytest.mark.django_db(transaction=True)
def test_a_recompute_that_read_before_a_publication_never_hides_it(monkeypatch):
    """The first recompute is held after it has read the figures; a publication and its own
    recompute arrive meanwhile. With the measures locked from the read to the write, the
    publication's recompute waits and then reads the published figures: members see them."""
    measure = make_measure(code="VISITS")
    make_target(measure=measure, value=85, effective_from=date(2022, 6, 1))
    make_observation(measure=measure, period_end=date(2022, 6, 1), value="70", published=False)
    officer = make_user(role=roles.PERFORMANCE_OFFICER)
    Measure.objects.filter(pk=measure.pk).recompute_statuses()

    real_load = engine.load_frame
    read = threading.Event()

    def slow_load(measure_ids):
        frame = real_load(measure_ids)
        if threading.current_thread().name == "stale":
            read.set()
            threading.Event().wait(1.5)
        return frame

    monkeypatch.setattr(engine, "load_frame", slow_load)

    def stale():
        Measure.objects.filter(pk=measure.pk).recompute_statuses()

    def publish():
        read.wait(10)
        loading.publish(measure.area, calc.Period(date(2022, 6, 1), calc.QUARTER), officer)
        Measure.objects.filter(pk=measure.pk).recompute_statuses()

    errors = []
    first = threading.Thread(target=lambda: _run(stale, errors), name="stale")
    second = threading.Thread(target=lambda: _run(publish, errors), name="publish")
    first.start()
    second.start()
    first.join(60)
    second.join(60)
    assert errors == []
    published = MeasureStatus.objects.in_view(drafts=False).filter(measure=measure)
    assert [(s.period_end, float(s.value)) for s in published] == [(date(2022, 6, 1), 70.0)]
