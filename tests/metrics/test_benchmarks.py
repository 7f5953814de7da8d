import re

import pytest
from django.core.management import call_command

from metrics import calculations as calc
from metrics.benchmarks import generate_series


def test_generated_series_look_like_councils_figures():
    frame = generate_series(series=50, months=24)
    assert len(frame) == 1200
    values = frame["value"].dropna()
    assert values.between(0, 100).all()
    assert set(frame["sign"].unique()) <= {1, -1, 0}
    assert frame.groupby("series")["month"].is_monotonic_increasing.all()


def test_bench_engine_reports_time_memory_and_the_floor(capsys):
    call_command("bench", "engine", "--series", "30", "--months", "40")
    out = capsys.readouterr().out
    assert "Generated 1,200 observations" in out
    assert "Every status (RAG, direction vs previous and year, SPC):" in out
    assert "Peak memory of the process:" in out
    assert "x the floor" in out
    judged = calc.judge(generate_series(series=30, months=40))
    assert len(judged) == 1200


def test_bench_national_data_is_every_council_and_is_dropped_again(db):
    from metrics.benchmarks import clear_database, fill_national
    from metrics.models import Geography, NationalValue
    from tests.factories import make_measure

    make_measure(code="BENCH-00000")
    lines = []
    measure, model = fill_national(lines.append, measures=3, years=2)
    assert NationalValue.objects.filter(measure=measure).count() == 163 * 2
    assert model.neighbours.count() == 1530
    assert "978 figures for 163 places" in lines[0]
    clear_database()
    assert not Geography.objects.exists() and not NationalValue.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_each_bench_makes_and_removes_its_own_data_so_they_run_one_after_another(capsys):
    """`bench engine --database` then `bench upload` in one database, as `make bench` runs
    them, each ending with its figures beside their floors; nothing generated is left."""
    from django.db import connection

    from metrics.models import Measure, MeasureStatus, Observation, ServiceArea

    if connection.vendor != "postgresql":
        call_command("bench", "upload", "--rows", "400")
        assert "needs PostgreSQL" in capsys.readouterr().out
        return
    call_command("bench", "engine", "--database", "--series", "20", "--months", "30")
    call_command("bench", "upload", "--rows", "400")
    out = capsys.readouterr().out
    for stage in ["first compute", "nothing changed", "one figure is corrected", "a new month"]:
        assert stage in out
    assert "read " in out and "judge " in out and "write " in out
    figures = re.findall(r"^bench: (\S+) (\S+) (\S+) \(floor (\S+) (\S+), (\S+)x\)$", out, re.M)
    for _, value, _, floor, _, ratio in figures:
        assert float(value) > 0 and float(floor) > 0 and float(ratio) > 0
    names = [name for name, *_ in figures]
    assert names == [
        "engine-computation",
        "engine-computation-peak-memory",
        "engine-first",
        "engine-unchanged",
        "engine-one-corrected",
        "engine-new-month",
        "upload",
        "upload-peak-memory",
    ]
    assert not Measure.objects.filter(code__startswith="BENCH-").exists()
    assert not ServiceArea.objects.filter(slug__startswith="bench-area-").exists()
    assert not Observation.objects.exists() and not MeasureStatus.objects.exists()
