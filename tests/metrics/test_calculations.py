"""Worked examples for every rule in metrics/calculations.py, and properties that must hold."""

import subprocess
import sys
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics import calculations as calc
from metrics.calculations import (
    AMBER,
    BIGGER,
    DECLINING,
    GREEN,
    IMPROVING,
    MISSING_TARGET,
    NO_CHANGE,
    NO_VALUE,
    NOT_COMPARABLE,
    NOT_JUDGED,
    PLAN,
    RED,
    SMALLER,
    Period,
)


@pytest.mark.parametrize(
    "module", ["metrics.calculations", "metrics.charts", "metrics.figure_files", "metrics.library"]
)
def test_the_rules_charts_and_file_checks_import_no_django(module):
    """Pure code: the rules, the charts and the file checks run (and are tested) without a
    database or settings."""
    code = (
        f"import sys; import {module}; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith('django'))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# Periods --------------------------------------------------------------------------------------


def test_quarter_one_is_april_to_june():
    q1 = calc.parse_period("2022/23 Q1")
    assert q1 == Period(date(2022, 6, 1), calc.QUARTER)
    assert q1.start == date(2022, 4, 1)
    assert q1.label == "2022/23 Q1"
    assert q1.key == "2022-06"


def test_quarter_four_ends_in_march_of_the_next_calendar_year():
    q4 = calc.parse_period("Q4 2021/22")
    assert q4.end == date(2022, 3, 1)
    assert q4.financial_year == 2021
    assert q4.previous().label == "2021/22 Q3"
    assert q4.year_earlier().label == "2020/21 Q4"


@pytest.mark.parametrize("text", ["2022-06", "Jun22", "Jun-22", "June 2022", "jun 2022"])
def test_months_are_read_as_people_write_them(text):
    assert calc.parse_period(text) == Period(date(2022, 6, 1), calc.MONTH)


def test_a_month_can_name_the_quarter_ending_in_it():
    assert calc.parse_period("2022-06", kind=calc.QUARTER).label == "2022/23 Q1"


def test_financial_year():
    year = calc.parse_period("2022/23")
    assert year.kind == calc.YEAR and year.end == date(2023, 3, 1)
    assert year.start == date(2022, 4, 1)


@pytest.mark.parametrize(
    "text",
    [
        "2022/24 Q1",
        "2022-13",
        "Q5 2022/23",
        "June",
        "",
        "2022/23 Q",
        "Smarch 2022",
        "=cmd|' /C calc'!A0",
    ],
)
def test_malformed_periods_are_refused_with_what_was_expected(text):
    with pytest.raises(ValueError, match="period|financial year|quarter"):
        calc.parse_period(text)


def test_a_quarter_must_end_in_a_quarter_end_month():
    with pytest.raises(ValueError, match="quarter"):
        Period(date(2022, 5, 1), calc.QUARTER)


# RAG ------------------------------------------------------------------------------------------


def one(values, targets, polarity, **kwargs):
    return int(calc.rag([values], [targets], [polarity], **kwargs)[0])


def test_green_when_exactly_on_target():
    assert one(80, 80, BIGGER) == GREEN
    assert one(80, 80, SMALLER) == GREEN


def test_amber_when_exactly_on_the_tolerance_edge():
    # DOMAIN.md's own example: 76.0 against 80 with 5% tolerance is amber.
    assert one(76.0, 80, BIGGER) == AMBER
    assert one(75.99, 80, BIGGER) == RED


def test_amber_when_within_five_percent_of_target_smaller_is_better():
    assert one(84, 80, SMALLER) == AMBER
    assert one(84.01, 80, SMALLER) == RED
    assert one(79, 80, SMALLER) == GREEN


def test_edges_hold_for_decimals_that_floats_cannot_represent():
    # 21.5 + 5% = 22.575, which float arithmetic puts a hair away from 22.575.
    assert one(22.575, 21.5, SMALLER) == AMBER
    assert one(85.5, 90, BIGGER) == AMBER  # 90 − 4.5
    assert one(94.905, 99.9, BIGGER) == AMBER


def test_the_demo_councils_own_judgements():
    # Q1 2022/23 paper: "85.9% ... within tolerance of the stretch target (90%)" (lines 6079-81)
    assert one(85.9, 90, BIGGER) == AMBER
    # "23.2% against a stretch target of 23.5%": better than target (lines 6177-78)
    assert one(23.2, 23.5, SMALLER) == GREEN
    # "12.3% ... within tolerance of the stretch target" of 12% (lines 6203-04)
    assert one(12.3, 12.0, SMALLER) == AMBER
    # "64.0% ... moved to a worse than target position from within tolerance" of 68%
    assert one(64.0, 68, BIGGER) == RED
    assert one(65.9, 68, BIGGER) == AMBER


def test_plan_is_best_is_amber_within_twice_the_tolerance_on_either_side():
    # Target 85, tolerance 4.25: green 80.75–89.25, amber to 76.5 and 93.5.
    assert one(89.25, 85, PLAN) == GREEN
    assert one(80.75, 85, PLAN) == GREEN
    assert one(93.5, 85, PLAN) == AMBER
    assert one(76.5, 85, PLAN) == AMBER
    assert one(96, 85, PLAN) == RED  # the fostering report's 96% utilisation "is too high"


def test_absolute_tolerance_is_in_the_measures_units():
    assert one(77, 80, BIGGER, tolerance_kind=calc.ABSOLUTE, tolerance=3) == AMBER
    assert one(76.9, 80, BIGGER, tolerance_kind=calc.ABSOLUTE, tolerance=3) == RED


def test_target_zero_has_no_relative_tolerance():
    assert one(0, 0, SMALLER) == GREEN
    assert one(0.1, 0, SMALLER) == RED
    assert one(1, 0, SMALLER, tolerance_kind=calc.ABSOLUTE, tolerance=1) == AMBER


def test_no_value_missing_target_and_not_judged_are_not_red():
    assert one(np.nan, 80, BIGGER) == NO_VALUE
    assert one(50, np.nan, BIGGER) == MISSING_TARGET
    assert int(calc.rag([50], [80], [BIGGER], judged=[False])[0]) == NOT_JUDGED


def test_unknown_polarity_is_refused():
    with pytest.raises(ValueError, match="polarity"):
        calc.rag([1], [1], ["higher"])


def test_headline_counts_green_and_amber_over_all_judged():
    codes = [GREEN, GREEN, AMBER, AMBER, AMBER, RED, RED, MISSING_TARGET, NO_VALUE]
    assert calc.headline(codes) == {"judged": 7, "green": 2, "amber": 3, "red": 2, "share": 71.4}


def test_headline_with_nothing_judged_is_none_not_zero():
    assert calc.headline([MISSING_TARGET, NO_VALUE])["share"] is None


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(value=finite, target=finite, tolerance=st.floats(min_value=0, max_value=50))
def test_flipping_polarity_and_mirroring_values_mirrors_the_status(value, target, tolerance):
    bigger = one(value, target, BIGGER, tolerance=tolerance)
    smaller = one(-value, -target, SMALLER, tolerance=tolerance)
    assert bigger == smaller


@given(value=finite, target=finite, shift=finite, tolerance=st.floats(min_value=0, max_value=100))
@settings(max_examples=300)
def test_adding_a_constant_changes_no_rag_under_absolute_tolerance(value, target, shift, tolerance):
    # Whole numbers of hundredths, as the figures are, so the shift itself is exact.
    value, target, shift, tolerance = (round(x, 2) for x in (value, target, shift, tolerance))
    before = one(value, target, BIGGER, tolerance_kind=calc.ABSOLUTE, tolerance=tolerance)
    after = one(
        value + shift, target + shift, BIGGER, tolerance_kind=calc.ABSOLUTE, tolerance=tolerance
    )
    assert before == after


@given(target=positive, gap=st.floats(min_value=0, max_value=1e5))
def test_a_worse_value_is_never_judged_better(target, gap):
    assert one(target - gap, target, BIGGER) >= one(target, target, BIGGER)


# Direction of travel --------------------------------------------------------------------------


def direction_of(value, earlier, polarity, **kwargs):
    return int(calc.direction([value], [earlier], [polarity], **kwargs)[0])


def test_improving_and_declining_follow_polarity():
    assert direction_of(80.4, 77.4, BIGGER) == IMPROVING
    assert direction_of(80.4, 77.4, SMALLER) == DECLINING
    assert direction_of(13.6, 10.3, SMALLER) == DECLINING


def test_a_change_smaller_than_one_percent_of_the_earlier_value_is_no_change():
    assert direction_of(80.4, 80.9, BIGGER) == NO_CHANGE  # 0.5 < 0.809
    assert direction_of(4.2, 4.2, SMALLER) == NO_CHANGE


def test_a_change_of_exactly_the_dead_band_counts():
    assert direction_of(101, 100, BIGGER) == IMPROVING
    assert direction_of(99, 100, BIGGER) == DECLINING


def test_no_earlier_value_is_not_comparable():
    assert direction_of(50, np.nan, BIGGER) == NOT_COMPARABLE
    assert direction_of(np.nan, 50, BIGGER) == NOT_COMPARABLE


def test_from_zero_any_change_is_a_change():
    assert direction_of(1, 0, SMALLER) == DECLINING
    assert direction_of(0, 0, SMALLER) == NO_CHANGE


def test_plan_is_best_improves_by_moving_closer_to_the_target_in_force():
    assert (
        int(calc.direction([90], [96], [PLAN], targets=[85], earlier_targets=[85])[0]) == IMPROVING
    )
    assert (
        int(calc.direction([80], [84], [PLAN], targets=[85], earlier_targets=[85])[0]) == DECLINING
    )
    assert int(calc.direction([90], [96], [PLAN])[0]) == NOT_COMPARABLE


def test_absolute_dead_band():
    assert direction_of(51.5, 50, BIGGER, deadband_kind=calc.ABSOLUTE, deadband=2) == NO_CHANGE
    assert direction_of(52, 50, BIGGER, deadband_kind=calc.ABSOLUTE, deadband=2) == IMPROVING


@given(value=finite, earlier=finite)
def test_mirroring_values_and_polarity_keeps_the_direction(value, earlier):
    assert direction_of(value, earlier, BIGGER) == direction_of(-value, -earlier, SMALLER)


# SPC ------------------------------------------------------------------------------------------


def chart(values, sign=1, targets=None, **settings):
    values = np.asarray(values, dtype=float)
    return calc.xmr(
        values, np.zeros(len(values), dtype=int), sign, calc.SpcSettings(**settings), targets
    )


def signals(result):
    return list(calc.SIGNAL_NAMES[result["signal"]])


STEADY = [10, 12, 11, 13, 10, 12, 11, 13, 10, 12, 11, 13]


def test_fewer_points_than_needed_is_not_enough_data():
    result = chart(STEADY[:11])
    assert set(calc.VARIATION_NAMES[result["variation"]]) == {"not_enough_data"}
    assert np.isnan(result["upper"]).all()


def test_limits_are_mean_plus_and_minus_2_66_mean_moving_ranges():
    result = chart(STEADY)
    mean = np.mean(STEADY)
    mr = np.mean(np.abs(np.diff(STEADY)))
    assert result["mean"][0] == pytest.approx(mean)
    assert result["upper"][0] == pytest.approx(mean + 2.66 * mr)
    assert result["lower"][0] == pytest.approx(mean - 2.66 * mr)
    assert set(signals(result)) == {"none"}


def test_moving_ranges_are_screened_once_but_the_mean_is_not():
    values = STEADY[:11] + [40]
    result = chart(values)
    ranges = np.abs(np.diff(values))
    kept = ranges[ranges < 3.267 * ranges.mean()]
    assert result["upper"][0] == pytest.approx(np.mean(values) + 2.66 * kept.mean())
    unscreened = chart(values, screen_ranges=False)
    assert unscreened["upper"][0] == pytest.approx(np.mean(values) + 2.66 * ranges.mean())


def test_a_point_beyond_the_upper_limit_is_improvement_when_bigger_is_better():
    values = STEADY + [30]
    result = chart(values)
    assert signals(result)[-1] == "beyond_limits"
    assert calc.VARIATION_NAMES[result["variation"][-1]] == "special_cause_improvement"
    concern = chart(values, sign=-1)
    assert calc.VARIATION_NAMES[concern["variation"][-1]] == "special_cause_concern"
    neutral = chart(values, sign=0)
    assert calc.VARIATION_NAMES[neutral["variation"][-1]] == "special_cause_neutral"


def test_a_run_of_seven_on_one_side_of_the_mean():
    values = [10, 12, 10, 12, 10, 12, 10] + [12.5] * 7
    result = chart(values, run_length=7, trend_length=20)
    assert signals(result)[-7:] == ["run"] * 7
    assert "run" not in signals(result)[:7]


def test_a_point_exactly_on_the_mean_breaks_a_run():
    base = [10, 13] * 6  # limits fixed from these: mean exactly 11.5
    unbroken = chart(base + [12] * 7, baseline_points=12, trend_length=20)
    assert signals(unbroken)[-7:] == ["run"] * 7
    broken = chart(base + [12, 12, 12, 11.5, 12, 12, 12], baseline_points=12, trend_length=20)
    assert "run" not in signals(broken)


def test_six_strict_rises_make_a_trend_of_seven_and_a_repeat_breaks_it():
    values = [10, 14, 9, 13, 10, 12, 8, 9, 10, 11, 12, 13, 14]
    result = chart(values, run_length=20)
    assert signals(result)[-7:] == ["trend"] * 7
    assert signals(result)[-8] != "trend"
    repeated = [10, 14, 9, 13, 10, 12, 8, 9, 10, 10, 12, 13, 14]
    assert "trend" not in signals(chart(repeated, run_length=20))


def test_a_falling_trend_is_concern_when_bigger_is_better_whichever_side_of_the_mean():
    values = [10, 14, 9, 13, 10, 12, 15, 14, 13, 12, 11, 10, 9]
    result = chart(values, run_length=20)
    assert signals(result)[-7:] == ["trend"] * 7
    assert calc.VARIATION_NAMES[result["variation"][-1]] == "special_cause_concern"
    assert calc.VARIATION_NAMES[result["variation"][-7]] == "special_cause_concern"


def test_two_of_three_beyond_two_thirds_flags_only_the_near_points():
    base = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11]
    values = base + [12.5, 10.6, 12.5]
    result = chart(values, run_length=20, trend_length=20, baseline_points=12)
    upper, mean = result["upper"][0], result["mean"][0]  # 13.16 and 10.5
    near_line = mean + (2 / 3) * (upper - mean)  # 12.27
    assert near_line < 12.5 < upper and mean < 10.6 < near_line
    assert signals(result)[-3:] == ["two_of_three", "none", "two_of_three"]
    # Three in a row must all be on one side of the mean.
    crossing = chart(base + [12.5, 10.4, 12.5], run_length=20, trend_length=20, baseline_points=12)
    assert "two_of_three" not in signals(crossing)


def test_precedence_beyond_limits_wins_over_a_run():
    values = [10, 12] * 6 + [12.5] * 6 + [40]
    result = chart(values, trend_length=20)
    assert signals(result)[-1] == "beyond_limits"
    assert signals(result)[-2] == "run"


def test_a_new_baseline_restarts_the_limits():
    first = STEADY
    second = [x + 100 for x in STEADY]
    values = np.array(first + second, dtype=float)
    segments = calc.segments_of(np.zeros(24, dtype=int), np.arange(24) == 12)
    result = calc.xmr(values, segments, 1)
    assert result["mean"][0] == pytest.approx(np.mean(first))
    assert result["mean"][-1] == pytest.approx(np.mean(second))
    assert set(signals(result)) == {"none"}


def test_limits_fixed_from_the_first_twelve_points_still_test_every_point():
    values = STEADY + [30]
    result = chart(values, baseline_points=12)
    assert result["mean"][-1] == pytest.approx(np.mean(STEADY))
    assert signals(result)[-1] == "beyond_limits"


def test_assurance_compares_the_target_with_the_limits_strictly():
    result = chart(STEADY, targets=[5] * 12)
    assert calc.ASSURANCE_NAMES[result["assurance"][-1]] == "consistently_pass"
    result = chart(STEADY, targets=[20] * 12)
    assert calc.ASSURANCE_NAMES[result["assurance"][-1]] == "consistently_fail"
    result = chart(STEADY, targets=[11.5] * 12)
    assert calc.ASSURANCE_NAMES[result["assurance"][-1]] == "hit_and_miss"
    upper = result["upper"][-1]
    on_limit = chart(STEADY, targets=[upper] * 12)
    assert calc.ASSURANCE_NAMES[on_limit["assurance"][-1]] == "hit_and_miss"
    smaller = chart(STEADY, sign=-1, targets=[20] * 12)
    assert calc.ASSURANCE_NAMES[smaller["assurance"][-1]] == "consistently_pass"


def test_no_target_means_no_assurance():
    result = chart(STEADY)
    assert calc.ASSURANCE_NAMES[result["assurance"][-1]] == "no_target"


@given(
    st.lists(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), min_size=12, max_size=40),
    st.floats(min_value=-1e4, max_value=1e4),
)
@settings(max_examples=200)
def test_shifting_a_series_shifts_its_limits_and_keeps_its_signals(values, shift):
    values = [round(v, 2) for v in values]
    shift = round(shift, 2)
    before = chart(values)
    after = chart([v + shift for v in values])
    assert list(after["signal"]) == list(before["signal"]) or np.ptp(values) < 1e-6
    assert after["mean"][0] == pytest.approx(before["mean"][0] + shift, abs=1e-6)


# The whole pass -------------------------------------------------------------------------------


def test_judge_compares_with_the_exact_earlier_periods_not_the_row_before():
    frame = pd.DataFrame(
        {
            "series": [1, 1, 1],
            "month": [2021 * 12 + 5, 2022 * 12 + 2, 2022 * 12 + 5],  # Jun21, Mar22, Jun22
            "step": [3, 3, 3],
            "value": [50.0, 60.0, 70.0],
            "target": [np.nan, np.nan, 65.0],
            "sign": [1, 1, 1],
            **calc.DEFAULT_RULES,
        }
    )
    result = calc.judge(frame)
    assert list(calc.rag_names(result["rag"])) == ["missing_target", "missing_target", "green"]
    assert np.isnan(result["previous_value"].iloc[1])  # Dec21 is missing: no comparison
    assert result["previous_value"].iloc[2] == 60.0
    assert result["year_ago_value"].iloc[2] == 50.0
    assert list(calc.direction_names(result["direction"])) == [
        "not_comparable",
        "not_comparable",
        "improving",
    ]


def test_judge_refuses_two_values_for_one_period():
    frame = pd.DataFrame(
        {
            "series": [1, 1],
            "month": [100, 100],
            "step": [1, 1],
            "value": [1.0, 2.0],
            "target": np.nan,
            "sign": 1,
            **calc.DEFAULT_RULES,
        }
    )
    with pytest.raises(ValueError, match="same series and period"):
        calc.judge(frame)


def test_movement_is_relative_and_positive_when_better():
    assert calc.movement(23.2, 29.5, -1) == pytest.approx(0.2136, abs=1e-4)
    assert calc.movement(80, 100, 1) == pytest.approx(-0.2)
    assert calc.movement(5, 0, 1) is None
    assert calc.movement(None, 3, 1) is None


def test_a_stored_number_becomes_a_float_and_none_stays_none():
    assert calc.as_float(Decimal("68.9000")) == 68.9
    assert calc.as_float(None) is None
