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
