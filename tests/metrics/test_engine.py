"""The engine on made-up measures (and reloading the demo): statuses as the council's rules give.
The demo's own statuses, as its papers print them, are checked in test_demo_matches_the_papers."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from metrics import engine
from metrics.models import Baseline, Measure, MeasureStatus, Polarity, SpcLimits
from tests.factories import make_measure, make_observation, make_target

Q1 = date(2022, 6, 1)


def test_demo_load_is_idempotent(demo):
    before = list(MeasureStatus.objects.values_list("measure__code", "period_end", "rag", "value"))
    counts = [Measure.objects.count(), MeasureStatus.objects.in_view(drafts=True).count()]
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert [Measure.objects.count(), MeasureStatus.objects.in_view(drafts=True).count()] == counts
    after = list(MeasureStatus.objects.values_list("measure__code", "period_end", "rag", "value"))
    assert sorted(after) == sorted(before)


def test_the_target_in_force_for_each_period_is_used(db):
    measure = make_measure(polarity=Polarity.BIGGER)
    for period_end, value in [(date(2022, 3, 1), 80), (Q1, 80)]:
        make_observation(measure=measure, period_end=period_end, value=value)
    make_target(
        measure=measure, value=82, effective_from=date(2021, 6, 1), effective_to=date(2022, 3, 1)
    )
    make_target(measure=measure, value=90, effective_from=Q1, kind="stretch")
    Measure.objects.filter(pk=measure.pk).recompute_statuses()
    statuses = {s.period_end: s for s in measure.statuses.in_view(drafts=True)}
    assert statuses[date(2022, 3, 1)].rag == "amber"  # 80 against 82: within 4.1
    assert statuses[date(2022, 3, 1)].target == Decimal("82")
    assert statuses[Q1].rag == "red"  # 80 against the stretch 90: beyond 4.5
    assert statuses[Q1].target_kind == "stretch"


def test_recompute_twice_gives_the_same_statuses(db):
    measure = make_measure()
    make_observation(measure=measure, value=50)
    make_target(measure=measure, value=60)
    queryset = Measure.objects.filter(pk=measure.pk)
    queryset.recompute_statuses()
    first = list(MeasureStatus.objects.values("rag", "value", "target", "direction"))
    queryset.recompute_statuses()
    assert list(MeasureStatus.objects.values("rag", "value", "target", "direction")) == first
    assert MeasureStatus.objects.in_view(drafts=True).count() == 1


def test_a_recompute_killed_halfway_leaves_the_old_statuses(db, monkeypatch):
    measure = make_measure()
    observation = make_observation(measure=measure, value=50)
    make_target(measure=measure, value=60)
    queryset = Measure.objects.filter(pk=measure.pk)
    queryset.recompute_statuses()
    observation.value = 70
    observation.save()

    real_write = engine.replace_statuses

    def die_halfway(measure_ids, rows):
        real_write(measure_ids, rows[:1])  # one view's status is written, then the end
        raise SystemExit("worker killed")

    monkeypatch.setattr(engine, "replace_statuses", die_halfway)
    with pytest.raises(SystemExit):
        queryset.recompute_statuses()
    # The old statuses, not half a new set.
    assert {s.rag for s in MeasureStatus.objects.all()} == {"red"}
    monkeypatch.undo()
    queryset.recompute_statuses()
    assert {s.rag for s in MeasureStatus.objects.all()} == {"green"}


def test_a_new_baseline_starts_new_spc_limits(db):
    measure = make_measure(frequency="month")
    values = [10, 12, 11, 13, 10, 12, 11, 13, 10, 12, 11, 13]
    months = [date(2020 + (i // 12), i % 12 + 1, 1) for i in range(24)]
    for month, value in zip(months, values + [v + 50 for v in values], strict=True):
        make_observation(measure=measure, period_end=month, value=value)
    queryset = Measure.objects.filter(pk=measure.pk)
    queryset.recompute_statuses()
    series = list(measure.statuses.in_view(drafts=True).order_by("period_end"))
    assert [mean for mean, _, _ in SpcLimits.objects.along(series)] == [pytest.approx(36.5)] * 24
    Baseline.objects.create(measure=measure, starts=months[12], reason="New service model")
    queryset.recompute_statuses()
    series = list(measure.statuses.in_view(drafts=True).order_by("period_end"))
    limits = SpcLimits.objects.along(series)
    assert limits[0][0] == pytest.approx(11.5)
    assert limits[11][0] == pytest.approx(11.5)
    assert limits[12][0] == pytest.approx(61.5)
    assert limits[-1][0] == pytest.approx(61.5)
    assert series[-1].spc_variation == "common_cause"
    assert SpcLimits.objects.filter(measure=measure).count() == 2


def test_a_month_with_no_value_has_no_spc_limits_on_the_chart(db):
    measure = make_measure(frequency="month")
    months = [date(2020 + (i // 12), i % 12 + 1, 1) for i in range(14)]
    for i, month in enumerate(months):
        make_observation(measure=measure, period_end=month, value=None if i == 5 else 10 + i % 3)
    Measure.objects.filter(pk=measure.pk).recompute_statuses()
    series = list(measure.statuses.in_view(drafts=False).order_by("period_end"))
    limits = SpcLimits.objects.along(series)
    assert limits[5] == (None, None, None)
    assert limits[0] == limits[13] and limits[0][0] == pytest.approx(141 / 13)
    assert SpcLimits.objects.along([]) == []


def test_recompute_command_names_unknown_measures(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="NOPE"):
        call_command("recompute", "--measure", "NOPE")


def test_recompute_command_recomputes_one_measure(db, capsys):
    measure = make_measure(code="ABC1")
    make_observation(measure=measure, value=50)
    call_command("recompute", "--measure", "ABC1")
    assert "Recomputed 1 statuses for 1 measures" in capsys.readouterr().out
    assert measure.statuses.in_view(drafts=True).get().rag == "missing_target"


# Every column the engine writes, the key first.
STATUS_FIELDS = [*engine.KEY_COLUMNS, *engine.CONTENT_COLUMNS, "row_hash"]


def _stored():
    return sorted(MeasureStatus.objects.values_list(*STATUS_FIELDS), key=repr), sorted(
        SpcLimits.objects.values_list(*engine.LIMITS_COLUMNS), key=repr
    )


def test_writing_only_what_changed_leaves_what_a_fresh_compute_would(db):
    """After figures are added, corrected, made drafts, removed and given a breakdown, the
    statuses the engine updated in place are exactly those it computes from nothing, and the
    statuses it did not need to touch keep the time they were computed."""
    measures = [make_measure(frequency="month") for _ in range(4)]
    months = [date(2021 + (i // 12), i % 12 + 1, 1) for i in range(18)]
    figures = {}
    for number, measure in enumerate(measures):
        make_target(measure=measure, value=60 + number, effective_from=months[0])
        for i, month in enumerate(months[:15]):
            figures[(number, i)] = make_observation(
                measure=measure, period_end=month, value=50 + (i * 7 + number * 3) % 20
            )
    queryset = Measure.objects.filter(pk__in=[m.pk for m in measures])
    queryset.recompute_statuses()
    untouched = MeasureStatus.objects.get(measure=measures[3], period_end=months[3])

    make_observation(measure=measures[0], period_end=months[15], value=90, published=False)
    figures[(1, 4)].value = Decimal("12.5")
    figures[(1, 4)].save()
    figures[(0, 14)].delete()
    make_observation(measure=measures[1], period_end=months[2], value=3, breakdown="Under 5s")
    make_target(measure=measures[2], value=70, effective_from=months[16])
    make_observation(measure=measures[2], period_end=months[16], value=71)
    queryset.recompute_statuses()
    updated = _stored()
    # Measure 4's figures did not change, so its statuses were not written again.
    assert MeasureStatus.objects.get(pk=untouched.pk).computed_at == untouched.computed_at

    MeasureStatus.objects.all().delete()
    SpcLimits.objects.all().delete()
    queryset.recompute_statuses()
    assert updated == _stored()
    # Measure 0's series with a draft has limits in each view; the others one set for both.
    assert SpcLimits.objects.filter(measure=measures[0]).count() == 2
    assert SpcLimits.objects.filter(measure=measures[1]).count() == 2  # and its breakdown
    # The series with a draft is stored twice; the others once, shared by both views.
    assert MeasureStatus.objects.filter(measure=measures[0], working=True).count() == 15
    assert not MeasureStatus.objects.filter(measure__in=measures[1:], working=True).exists()
    assert MeasureStatus.objects.in_view(drafts=False).count() == 14 + 16 + 16 + 15
    assert MeasureStatus.objects.in_view(drafts=True).count() == 15 + 16 + 16 + 15


def test_the_dashboard_counts_follow_the_statuses_the_engine_wrote(db):
    from metrics.models import AreaRagCount

    measure = make_measure(frequency="month")
    other = make_measure(area=measure.area, frequency="month")
    make_target(measure=measure, value=60)
    make_target(measure=other, value=60)
    make_observation(measure=measure, value=70)
    make_observation(measure=other, value=40)
    make_observation(measure=other, value=80, published=False, period_end=date(2022, 7, 1))
    Measure.objects.filter(pk=measure.pk).recompute_statuses()
    Measure.objects.filter(pk=other.pk).recompute_statuses()
    counts = {
        (c.period_end, c.rag): (c.total, c.published)
        for c in AreaRagCount.objects.filter(area=measure.area)
    }
    assert counts == {
        (date(2022, 6, 1), "green"): (1, 1),
        (date(2022, 6, 1), "red"): (1, 1),
        (date(2022, 7, 1), "green"): (1, 0),
    }


def test_changes_in_any_year_are_written_as_a_fresh_compute_would_write_them(db):
    """Over five years of monthly figures, rounds of random changes — a new month, a figure
    corrected years back, one deleted, one made a draft, a breakdown added, a measure emptied —
    each leave the statuses updated in place (the engine reads back only the stretches of a
    year that differ) exactly as those computed from nothing."""
    import random

    rng = random.Random(2022)
    months = [date(2018 + i // 12, i % 12 + 1, 1) for i in range(72)]
    measures = [make_measure(frequency="month") for _ in range(5)]
    figures = {}
    for number, measure in enumerate(measures):
        make_target(measure=measure, value=55 + number, effective_from=months[0])
        for i, month in enumerate(months[:60]):
            figures[(number, i)] = make_observation(
                measure=measure, period_end=month, value=rng.randint(40, 70)
            )
    queryset = Measure.objects.filter(pk__in=[m.pk for m in measures])
    queryset.recompute_statuses()
    latest = 60
    for round_ in range(6):
        for number in rng.sample(range(5 if round_ < 3 else 4), 3):
            measure = measures[number]
            change = rng.choice(["month", "correct", "delete", "draft", "breakdown"])
            old = [key for key in figures if key[0] == number]
            if change == "month" or not old:
                figures[(number, latest)] = make_observation(
                    measure=measure, period_end=months[latest], value=rng.randint(40, 70)
                )
                continue
            figure = figures[rng.choice(old)]
            if change == "correct":
                figure.value = Decimal(rng.randint(10, 90))
                figure.save()
            elif change == "delete":
                figures.pop(next(k for k, v in figures.items() if v.pk == figure.pk))
                figure.delete()
            elif change == "draft":
                figure.published = False
                figure.save()
            else:
                make_observation(
                    measure=measure, period_end=figure.period_end, value=5, breakdown="Girls"
                )
        if round_ == 3:  # a measure with no figures left keeps no statuses
            measures[4].observations.all().delete()
            figures = {k: v for k, v in figures.items() if k[0] != 4}
        latest += 1
        queryset.recompute_statuses()
        updated = _stored()
        if round_ >= 3:
            assert not MeasureStatus.objects.filter(measure=measures[4]).exists()
        MeasureStatus.objects.all().delete()
        SpcLimits.objects.all().delete()
        queryset.recompute_statuses()
        assert updated == _stored(), f"round {round_}"
