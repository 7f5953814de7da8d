"""The numbers: periods, RAG against target, direction of travel and SPC (XmR charts).

Pure Python, numpy and pandas: no Django. Everything that judges a figure lives here, and works
on whole arrays at once so that a million values take seconds. The rules are those in
``shared/DOMAIN.md``; the tests in ``tests/metrics/test_calculations.py`` work through each one.

Exactness: values arrive with at most four decimal places and are compared as float64. An edge
computed in floating point (a target minus 5%) can land a hair either side of the value typed
on it, so every comparison against an edge allows ``EPSILON`` (relative to the size of the
numbers), always in favour of the better status, as the council's rule says a value on an edge
takes the better status.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

import numpy as np

# --------------------------------------------------------------------------------------------
# Periods and financial years
# --------------------------------------------------------------------------------------------

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
PERIOD_KINDS = (MONTH, QUARTER, YEAR)
MONTHS_IN = {MONTH: 1, QUARTER: 3, YEAR: 12}

_MONTH_NAMES = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_MONTH_NAMES.update(
    {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
)
_MONTH_NAMES["sept"] = 9


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period, named by the month it ends in.

    A quarter is a financial quarter: Q1 is April to June, so "2022/23 Q1" ends in June 2022
    and "2022/23 Q4" ends in March 2023. A year is a financial year, ending in March.
    """

    end: date  # always the first day of the month the period ends in
    kind: str = MONTH

    def __post_init__(self):
        if self.kind not in PERIOD_KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if self.end.day != 1:
            object.__setattr__(self, "end", self.end.replace(day=1))
        if self.kind == QUARTER and self.end.month not in (3, 6, 9, 12):
            raise ValueError("a financial quarter ends in March, June, September or December")
        if self.kind == YEAR and self.end.month != 3:
            raise ValueError("a financial year ends in March")

    @property
    def start(self) -> date:
        return add_months(self.end, 1 - MONTHS_IN[self.kind])

    @property
    def financial_year(self) -> int:
        """The calendar year the financial year starts in (2022 for 2022/23)."""
        return financial_year_of(self.end)

    @property
    def quarter(self) -> int:
        return financial_quarter_of(self.end)

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return self.end.strftime("%b %Y")
        if self.kind == QUARTER:
            return f"{financial_year_label(self.financial_year)} Q{self.quarter}"
        return financial_year_label(self.financial_year)

    @property
    def short_label(self) -> str:
        """As the council's scorecard heads its columns: Jun22."""
        return self.end.strftime("%b%y")

    @property
    def key(self) -> str:
        """The month the period ends in, as YYYY-MM (the API's period parameter)."""
        return self.end.strftime("%Y-%m")

    def previous(self) -> Period:
        return Period(add_months(self.end, -MONTHS_IN[self.kind]), self.kind)

    def year_earlier(self) -> Period:
        return Period(add_months(self.end, -12), self.kind)

    def __str__(self):
        return self.label


def as_float(value):
    """A stored number (a Decimal) as a float for charts, JSON and sums; None stays None."""
    return None if value is None else float(value)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def financial_year_of(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def financial_quarter_of(day: date) -> int:
    return (day.month - 4) % 12 // 3 + 1


def financial_year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def quarter_period(start_year: int, quarter: int) -> Period:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("a quarter is 1, 2, 3 or 4")
    return Period(add_months(date(start_year, 6, 1), 3 * (quarter - 1)), QUARTER)


_FY = r"(?P<fy>\d{4})\s*[/-]\s*(?P<fy2>\d{2}|\d{4})"
_PATTERNS = [
    (re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})$"), MONTH),
    (re.compile(rf"^{_FY}\s*Q(?P<q>[1-4])$", re.I), QUARTER),
    (re.compile(rf"^Q(?P<q>[1-4])\s*{_FY}$", re.I), QUARTER),
    (re.compile(rf"^{_FY}$", re.I), YEAR),
    (re.compile(r"^(?P<mon>[A-Za-z]{3,9})[\s\-']*(?P<yy>\d{2}|\d{4})$"), MONTH),
]


def parse_period(text: str, kind: str | None = None) -> Period:
    """Read a period as people write it.

    "2022-06", "Jun22", "Jun-22", "June 2022" are months (or, with ``kind="quarter"``, the
    quarter ending that month); "2022/23 Q1" and "Q1 2022/23" are quarters; "2022/23" is a
    financial year. Raises ValueError saying what was expected.
    """
    cleaned = " ".join(str(text).strip().split())
    for pattern, found_kind in _PATTERNS:
        match = pattern.match(cleaned)
        if not match:
            continue
        parts = match.groupdict()
        if parts.get("fy"):
            start = int(parts["fy"])
            following = int(parts["fy2"])
            if following % 100 != (start + 1) % 100:
                continue  # not a financial year (the second year must follow the first)
            if found_kind == QUARTER:
                return quarter_period(start, int(parts["q"]))
            return Period(date(start + 1, 3, 1), YEAR)
        if parts.get("mon"):
            month = _MONTH_NAMES.get(parts["mon"].lower())
            if month is None:
                continue
            year = int(parts["yy"])
            year = year + 2000 if year < 100 else year
        else:
            year, month = int(parts["y"]), int(parts["m"])
        if not 1 <= month <= 12 or not 1900 <= year <= 2999:
            continue  # "2022-23" is a financial year, not month 23
        period = Period(date(year, month, 1), MONTH)
        if kind and kind != MONTH:
            return Period(period.end, kind)
        return period
    raise ValueError(
        f"{text!r} is not a period: use YYYY-MM (2022-06), a month (Jun22), "
        "a quarter (2022/23 Q1) or a financial year (2022/23)."
    )


# --------------------------------------------------------------------------------------------
# RAG against target
# --------------------------------------------------------------------------------------------

BIGGER = "bigger"
SMALLER = "smaller"
PLAN = "plan"
POLARITY_SIGN = {BIGGER: 1, SMALLER: -1, PLAN: 0}

RELATIVE = "relative"
ABSOLUTE = "absolute"

GREEN, AMBER, RED, NO_VALUE, MISSING_TARGET, NOT_JUDGED = range(6)
RAG_NAMES = np.array(["green", "amber", "red", "no_value", "missing_target", "not_judged"])

EPSILON = 1e-9
DEFAULT_TOLERANCE_PERCENT = 5.0


def polarity_sign(polarity):
    """+1 for Bigger is Better, -1 for Smaller is Better, 0 for Plan is best."""
    p = np.asarray(polarity)
    if p.dtype.kind in "iu":
        return p.astype(int)
    unknown = ~np.isin(p, list(POLARITY_SIGN))
    if unknown.any():
        raise ValueError(f"unknown polarity {p[unknown].flat[0]!r}")
    return np.where(p == BIGGER, 1, np.where(p == SMALLER, -1, 0))


def _slack(*arrays):
    """How far apart two floats may be and still count as equal, for numbers of this size."""
    scale = np.ones(np.broadcast(*arrays).shape)
    for array in arrays:
        scale = np.fmax(scale, np.abs(array))
    return EPSILON * scale


def tolerance_width(target, tolerance_kind, tolerance):
    """The tolerance in the measure's units: a share of the target, or a fixed amount."""
    target = np.asarray(target, dtype=float)
    tolerance = np.asarray(tolerance, dtype=float)
    relative = np.asarray(tolerance_kind) == RELATIVE
    return np.where(relative, np.abs(target) * tolerance / 100.0, tolerance)


def rag(
    values,
    targets,
    polarity,
    tolerance_kind=RELATIVE,
    tolerance=DEFAULT_TOLERANCE_PERCENT,
    judged=True,
):
    """RAG codes (GREEN, AMBER, RED, NO_VALUE, MISSING_TARGET, NOT_JUDGED) for each value.

    Bigger is Better: green at or above target, amber down to target − tolerance, red below.
    Smaller is Better mirrors it. Plan is best: green within ±tolerance, amber within
    ±2 × tolerance, red beyond. A value exactly on an edge takes the better status. Every
    argument may be an array (one entry per value) or a single value for all.
    """
    values = np.asarray(values, dtype=float)
    targets = np.asarray(targets, dtype=float)
    sign = polarity_sign(polarity)
    width = tolerance_width(targets, tolerance_kind, tolerance)
    slack = _slack(values, targets, width)
    # How far the value is on the bad side of the target (negative or zero when on the good side).
    shortfall = np.where(sign == 0, np.abs(values - targets), (targets - values) * sign)
    green_edge = np.where(sign == 0, width, 0.0)
    amber_edge = np.where(sign == 0, 2 * width, width)
    with np.errstate(invalid="ignore"):
        code = np.where(
            shortfall <= green_edge + slack,
            GREEN,
            np.where(shortfall <= amber_edge + slack, AMBER, RED),
        )
    code = np.where(np.isnan(targets), MISSING_TARGET, code)
    code = np.where(np.isnan(values), NO_VALUE, code)
    return np.where(np.asarray(judged, dtype=bool), code, NOT_JUDGED)


def rag_zones(target, width, polarity):
    """Where ``rag`` puts its edges around one target, for charts to draw the rule itself:
    ``{"green": (low, high), "amber": [(low, high), ...]}`` in the measure's units, None for
    an unbounded side. Bigger is Better: green from the target up, amber from target − width
    to the target. Smaller mirrors it. Plan is best: green within ±width, amber from there
    out to ±2 × width on both sides."""
    sign = int(polarity_sign(polarity))
    if sign > 0:
        return {"green": (target, None), "amber": [(target - width, target)]}
    if sign < 0:
        return {"green": (None, target), "amber": [(target, target + width)]}
    return {
        "green": (target - width, target + width),
        "amber": [(target - 2 * width, target - width), (target + width, target + 2 * width)],
    }


def rag_names(codes):
    return RAG_NAMES[np.asarray(codes)]


def headline(codes):
    """The committee's headline from RAG codes; see ``headline_from_counts``."""
    codes = np.asarray(codes)
    return headline_from_counts(
        int(np.count_nonzero(codes == GREEN)),
        int(np.count_nonzero(codes == AMBER)),
        int(np.count_nonzero(codes == RED)),
    )


def headline_from_counts(green, amber, red):
    """How many measures were judged, by status, and the share better than or within tolerance
    of target (green + amber over green + amber + red) as a percentage to one decimal place, or
    None when nothing was judged. Measures with no value or no target are not in the share."""
    judged = green + amber + red
    share = round(100.0 * (green + amber) / judged, 1) if judged else None
    return {"judged": judged, "green": green, "amber": amber, "red": red, "share": share}


# --------------------------------------------------------------------------------------------
# Direction of travel
# --------------------------------------------------------------------------------------------

IMPROVING, DECLINING, NO_CHANGE, NOT_COMPARABLE = range(4)
DIRECTION_NAMES = np.array(["improving", "declining", "no_change", "not_comparable"])
DEFAULT_DEADBAND_PERCENT = 1.0


def direction(
    values,
    earlier,
    polarity,
    deadband_kind=RELATIVE,
    deadband=DEFAULT_DEADBAND_PERCENT,
    targets=None,
    earlier_targets=None,
):
    """Direction of travel codes (IMPROVING, DECLINING, NO_CHANGE, NOT_COMPARABLE).

    A change smaller than the dead-band (by default 1% of the earlier value) is no change. For
    Plan is best, improving means moving closer to the target in force in each period, so
    without both targets it is not comparable.
    """
    values = np.asarray(values, dtype=float)
    earlier = np.asarray(earlier, dtype=float)
    sign = polarity_sign(polarity)
    n = np.broadcast(values, earlier, sign).shape
    targets = np.full(n, np.nan) if targets is None else np.asarray(targets, dtype=float)
    earlier_targets = (
        np.full(n, np.nan) if earlier_targets is None else np.asarray(earlier_targets, dtype=float)
    )
    band = np.where(
        np.asarray(deadband_kind) == RELATIVE,
        np.abs(earlier) * np.asarray(deadband, dtype=float) / 100.0,
        np.asarray(deadband, dtype=float),
    )
    # "Better" is a positive number: the gain in the good direction, or for Plan is best the
    # distance to target that was closed.
    gain = np.where(
        sign == 0,
        np.abs(earlier - earlier_targets) - np.abs(values - targets),
        (values - earlier) * sign,
    )
    slack = _slack(values, earlier, band)
    with np.errstate(invalid="ignore"):
        code = np.where(
            (np.abs(gain) <= slack) | (np.abs(gain) + slack < band),
            NO_CHANGE,
            np.where(gain > 0, IMPROVING, DECLINING),
        )
    comparable = ~np.isnan(values) & ~np.isnan(earlier)
    comparable &= (sign != 0) | (~np.isnan(targets) & ~np.isnan(earlier_targets))
    return np.where(comparable, code, NOT_COMPARABLE)


def movement(value, earlier, sign):
    """The change since an earlier value as a share of it, positive when better: +0.1 is 10%
    better. None without both values, or from zero. Plan is best has no better side, so its
    movement is the plain change."""
    if value is None or earlier is None or earlier == 0:
        return None
    change = (value - earlier) / abs(earlier)
    return change * sign if sign else change


RISK_BANDS = (("Low", 1, 6), ("Moderate", 7, 12), ("High", 13, 25))


def risk_band(score):
    """The council's bands for impact x likelihood: Low 1-6, Moderate 7-12, High 13-25."""
    if score is None:
        return ""
    for name, low, high in RISK_BANDS:
        if low <= score <= high:
            return name
    raise ValueError(f"a risk score is 1 to 25; got {score}")


def risk_direction(score, previous):
    """increasing / decreasing / no_change since the last assessment; "" with no earlier one."""
    if score is None or previous is None:
        return ""
    if score > previous:
        return "increasing"
    return "decreasing" if score < previous else "no_change"


def risk_rating_questioned(band, measures):
    """Why the figures question a risk's rating, or "" when they do not.

    ``measures`` holds (name, rag, direction) for the measures linked to the risk. A Low risk
    with a measure worse than tolerance, or any risk below High with a measure that is both
    worse than tolerance and declining, is flagged: the report's own question of "Low (6)".
    """
    red = [name for name, rag, _ in measures if rag == "red"]
    falling = [
        name for name, rag, direction in measures if rag == "red" and direction == "declining"
    ]
    if band == "Low" and red:
        return (
            f"Rated Low, but {len(red)} linked measure"
            f"{'s are' if len(red) > 1 else ' is'} worse than tolerance."
        )
    if band in ("Low", "Moderate") and falling:
        return (
            f"Rated {band}, but {len(falling)} linked measure"
            f"{'s are' if len(falling) > 1 else ' is'} worse than tolerance and declining."
        )
    return ""


def direction_names(codes):
    return DIRECTION_NAMES[np.asarray(codes)]


# --------------------------------------------------------------------------------------------
# Statistical process control: XmR charts, NHS England "Making Data Count"
# --------------------------------------------------------------------------------------------

COMMON_CAUSE, SPECIAL_IMPROVEMENT, SPECIAL_CONCERN, SPECIAL_NEUTRAL, NOT_ENOUGH_DATA = range(5)
VARIATION_NAMES = np.array(
    [
        "common_cause",
        "special_cause_improvement",
        "special_cause_concern",
        "special_cause_neutral",
        "not_enough_data",
    ]
)
NO_SIGNAL, BEYOND_LIMITS, TREND, TWO_OF_THREE, RUN = range(5)
SIGNAL_NAMES = np.array(["none", "beyond_limits", "trend", "two_of_three", "run"])
CONSISTENTLY_PASS, CONSISTENTLY_FAIL, HIT_AND_MISS, NO_TARGET, ASSURANCE_NOT_ENOUGH = range(5)
ASSURANCE_NAMES = np.array(
    ["consistently_pass", "consistently_fail", "hit_and_miss", "no_target", "not_enough_data"]
)

LIMIT_FACTOR = 2.66  # 3 / d2, with d2 = 1.128 for ranges of two points
RANGE_SCREEN_FACTOR = 3.267  # D4 for ranges of two points


@dataclass(frozen=True)
class SpcSettings:
    """The rule lengths and choices, with NHSRplotthedots' defaults."""

    min_points: int = 12
    run_length: int = 7
    trend_length: int = 7
    screen_ranges: bool = True
    two_of_three_counts_beyond: bool = False
    baseline_points: int | None = None  # fix the limits from the first n points of a segment

    def __post_init__(self):
        if self.min_points < 2 or self.run_length < 2 or self.trend_length < 3:
            raise ValueError("SPC needs at least 2 points, runs of 2 and trends of 3")
        if self.baseline_points is not None and self.baseline_points < self.min_points:
            raise ValueError("limits fixed from a baseline need at least min_points points")


def segments_of(series, rebase=None):
    """Segment numbers for points sorted by series then time: a new segment starts at each new
    series and at each point where a person set a new baseline (``rebase`` True)."""
    series = np.asarray(series)
    new = np.ones(len(series), dtype=bool)
    new[1:] = series[1:] != series[:-1]
    if rebase is not None:
        new |= np.asarray(rebase, dtype=bool)
    return np.cumsum(new) - 1


def _runs(keys, breaks):
    """Length of the run of equal keys each point belongs to; a run also ends at ``breaks``."""
    start = breaks.copy()
    start[1:] |= keys[1:] != keys[:-1]
    run_id = np.cumsum(start) - 1
    lengths = np.bincount(run_id)
    return lengths[run_id], start


def xmr(values, segments, sign, settings: SpcSettings = SpcSettings(), targets=None):
    """An XmR chart for every segment at once, and the rule each point breaks.

    ``values`` are sorted by segment and then by time; ``segments`` from ``segments_of``;
    ``sign`` is each point's polarity sign (+1, -1, 0 for Plan is best). Returns per-point
    arrays: mean, lower, upper (NaN where the segment has too few points), signal (one label
    per point, by precedence beyond limits, trend, two of three, run), variation and assurance.
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    seg_raw = np.asarray(segments)
    sign = np.broadcast_to(np.asarray(sign, dtype=int), (n,))
    targets = np.full(n, np.nan) if targets is None else np.asarray(targets, dtype=float)
    if n == 0:
        empty = np.array([], dtype=float)
        codes = np.array([], dtype=int)
        return {
            "mean": empty,
            "lower": empty,
            "upper": empty,
            "signal": codes,
            "variation": codes,
            "assurance": codes,
        }

    new = np.ones(n, dtype=bool)
    new[1:] = seg_raw[1:] != seg_raw[:-1]
    seg = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    k = len(starts)
    position = np.arange(n) - starts[seg]
    in_base = (
        position < settings.baseline_points if settings.baseline_points else np.ones(n, dtype=bool)
    )

    base_count = np.bincount(seg, weights=in_base, minlength=k)
    enough_seg = base_count >= settings.min_points
    seg_mean = np.bincount(seg, weights=np.where(in_base, x, 0.0), minlength=k) / np.maximum(
        base_count, 1
    )

    ranges = np.abs(np.diff(x))
    range_seg = seg[1:]
    range_ok = ~new[1:] & in_base[1:] & in_base[:-1]

    def mean_range(ok):
        count = np.bincount(range_seg, weights=ok, minlength=k)
        total = np.bincount(range_seg, weights=np.where(ok, ranges, 0.0), minlength=k)
        return total / np.maximum(count, 1)

    seg_range = mean_range(range_ok)
    if settings.screen_ranges:
        # Drop ranges not strictly below 3.267 × the mean range, then recompute once.
        seg_range = mean_range(range_ok & (ranges < RANGE_SCREEN_FACTOR * seg_range[range_seg]))

    span = LIMIT_FACTOR * seg_range
    enough = enough_seg[seg]
    mean = np.where(enough, seg_mean[seg], np.nan)
    upper = mean + span[seg]
    lower = mean - span[seg]
    slack = _slack(x, np.nan_to_num(mean))

    with np.errstate(invalid="ignore"):
        above_limit = x > upper + slack
        below_limit = x < lower - slack
        side = np.where(x > mean + slack, 1, np.where(x < mean - slack, -1, 0))

        # A run: N or more points in a row on one side of the mean; a point on the mean breaks it.
        run_length, _ = _runs(side, new)
        in_run = (side != 0) & (run_length >= settings.run_length)

        # A trend: N points each strictly above (or below) the one before; the first point of the
        # trend belongs to it too. A repeated value breaks a trend.
        step = np.zeros(n, dtype=int)
        step[1:] = np.sign(np.where(np.abs(np.diff(x)) <= slack[1:], 0.0, np.diff(x)))
        step[new] = 0
        step_length, step_start = _runs(step, new)
        in_trend = (step != 0) & (step_length >= settings.trend_length - 1)
        trend_direction = np.where(in_trend, step, 0)
        first = np.flatnonzero(in_trend & step_start)
        first = first[first > 0]
        in_trend[first - 1] = True
        trend_direction[first - 1] = step[first]

        # Two of three: at least two of three points in a row beyond two-thirds of the way to a
        # limit, all three on the same side of the mean; only the near points are flagged.
        two_sigma = (2.0 / 3.0) * span[seg]
        beyond_two_sigma_high = x > mean + two_sigma + slack
        beyond_two_sigma_low = x < mean - two_sigma - slack
        if not settings.two_of_three_counts_beyond:
            beyond_two_sigma_high &= ~above_limit
            beyond_two_sigma_low &= ~below_limit
    two_of_three = np.zeros(n, dtype=bool)
    if n >= 3:
        same_segment = seg[:-2] == seg[2:]
        for wanted_side, near in ((1, beyond_two_sigma_high), (-1, beyond_two_sigma_low)):
            window = (
                same_segment
                & (side[:-2] == wanted_side)
                & (side[1:-1] == wanted_side)
                & (side[2:] == wanted_side)
                & (near[:-2].astype(int) + near[1:-1] + near[2:] >= 2)
            )
            two_of_three[:-2] |= window & near[:-2]
            two_of_three[1:-1] |= window & near[1:-1]
            two_of_three[2:] |= window & near[2:]

    beyond = above_limit | below_limit
    signal = np.select(
        [beyond, in_trend, two_of_three, in_run],
        [BEYOND_LIMITS, TREND, TWO_OF_THREE, RUN],
        default=NO_SIGNAL,
    )
    signal = np.where(enough, signal, NO_SIGNAL)
    moved = np.where(signal == TREND, trend_direction, side)
    variation = np.select(
        [~enough, signal == NO_SIGNAL, sign == 0, moved * sign > 0],
        [NOT_ENOUGH_DATA, COMMON_CAUSE, SPECIAL_NEUTRAL, SPECIAL_IMPROVEMENT],
        default=SPECIAL_CONCERN,
    )

    # Assurance: where the target lies against the limits, strictly; on a limit is hit and miss.
    good_sign = np.where(sign == 0, 1, sign)
    with np.errstate(invalid="ignore"):
        target_slack = _slack(np.nan_to_num(targets), np.nan_to_num(mean))
        always_met = np.where(
            good_sign > 0, targets < lower - target_slack, targets > upper + target_slack
        ) & (sign != 0)
        never_met = np.where(
            good_sign > 0, targets > upper + target_slack, targets < lower - target_slack
        ) | ((sign == 0) & ((targets > upper + target_slack) | (targets < lower - target_slack)))
    assurance = np.select(
        [~enough, np.isnan(targets), always_met, never_met],
        [ASSURANCE_NOT_ENOUGH, NO_TARGET, CONSISTENTLY_PASS, CONSISTENTLY_FAIL],
        default=HIT_AND_MISS,
    )
    return {
        "mean": mean,
        "lower": np.where(enough, lower, np.nan),
        "upper": np.where(enough, upper, np.nan),
        "signal": signal,
        "variation": variation,
        "assurance": assurance,
    }


# --------------------------------------------------------------------------------------------
# Everything at once: the engine's single pass over many series
# --------------------------------------------------------------------------------------------

JUDGE_COLUMNS = (
    "series",
    "month",
    "step",
    "value",
    "target",
    "sign",
    "tolerance_kind",
    "tolerance",
    "deadband_kind",
    "deadband",
    "judged",
    "rebase",
)

# A series' rule columns where its measure sets none of its own: the defaults a new measure gets.
DEFAULT_RULES = {
    "tolerance_kind": RELATIVE,
    "tolerance": DEFAULT_TOLERANCE_PERCENT,
    "deadband_kind": RELATIVE,
    "deadband": DEFAULT_DEADBAND_PERCENT,
    "judged": True,
    "rebase": False,
}


def judge(frame, spc: SpcSettings = SpcSettings()):
    """Judge every value of many series in one vectorised pass.

    ``frame`` is a pandas DataFrame with the columns in ``JUDGE_COLUMNS``, one row per value:
    ``series`` an integer naming the series (a measure, breakdown and period kind), ``month``
    the period's end in months since year 0 (``year * 12 + month - 1``), ``step`` the months
    in a period (1, 3 or 12), ``target`` the target in force (NaN for none), ``sign`` the
    polarity sign, ``rebase`` True where a person set a new SPC baseline. Returns a DataFrame
    on the same index with the previous and year-earlier values, RAG, both directions and the
    SPC columns.
    """
    import pandas as pd

    ordered = frame.sort_values(["series", "month"], kind="stable")
    series = ordered["series"].to_numpy(dtype=np.int64)
    month = ordered["month"].to_numpy(dtype=np.int64)
    value = ordered["value"].to_numpy(dtype=float)
    target = ordered["target"].to_numpy(dtype=float)
    sign = ordered["sign"].to_numpy(dtype=int)

    # Look up the earlier periods by (series, month) key: exact periods, never "the row before",
    # so a gap in the data gives "not comparable" rather than a comparison across the gap.
    key = series * 100_000 + month
    lookup = pd.Index(key)
    if not lookup.is_unique:
        raise ValueError("two values for the same series and period")

    def earlier(months_back):
        position = lookup.get_indexer(key - months_back)
        found = position >= 0
        return (
            np.where(found, value[position], np.nan),
            np.where(found, target[position], np.nan),
        )

    previous_value, previous_target = earlier(ordered["step"].to_numpy(dtype=np.int64))
    year_value, year_target = earlier(np.full(len(key), 12))

    tolerance_kind = ordered["tolerance_kind"].to_numpy()
    deadband_kind = ordered["deadband_kind"].to_numpy()
    deadband = ordered["deadband"].to_numpy(dtype=float)
    result = pd.DataFrame(index=ordered.index)
    result["previous_value"] = previous_value
    result["year_ago_value"] = year_value
    result["rag"] = rag(
        value,
        target,
        sign,
        tolerance_kind,
        ordered["tolerance"].to_numpy(dtype=float),
        ordered["judged"].to_numpy(dtype=bool),
    )
    result["direction"] = direction(
        value, previous_value, sign, deadband_kind, deadband, target, previous_target
    )
    result["direction_year"] = direction(
        value, year_value, sign, deadband_kind, deadband, target, year_target
    )

    # SPC over the points that have a value.
    has_value = ~np.isnan(value)
    points = np.flatnonzero(has_value)
    chart = xmr(
        value[points],
        segments_of(series[points], ordered["rebase"].to_numpy(dtype=bool)[points]),
        sign[points],
        spc,
        target[points],
    )
    for name, empty in (
        ("mean", np.nan),
        ("lower", np.nan),
        ("upper", np.nan),
        ("signal", NO_SIGNAL),
        ("variation", NOT_ENOUGH_DATA),
        ("assurance", ASSURANCE_NOT_ENOUGH),
    ):
        column = np.full(len(value), empty, dtype=float if np.isnan(empty) else int)
        column[points] = chart[name]
        result[f"spc_{name}"] = column
    return result.reindex(frame.index)


# Benchmarking against other councils (DOMAIN.md, "Benchmarking")
# --------------------------------------------------------------------------------------------

QUARTILE_BANDS = "ABCD"  # A is the best quarter by polarity
FUNNEL_Z = {"95%": 1.96, "99.8%": 3.09}


def neighbour_average(values):
    """The unweighted mean of the neighbours' available values, and how many had one. No
    average (None) when none did."""
    present = [float(v) for v in values if v is not None and not np.isnan(float(v))]
    if not present:
        return None, 0
    return sum(present) / len(present), len(present)


def ranks(values, polarity):
    """Rank of each value among those present: 1 = best by polarity, ties share the lowest rank.
    NaN for a missing value, and for every value when the measure has no polarity."""
    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, np.nan)
    sign = POLARITY_SIGN.get(polarity, 0)
    present = ~np.isnan(values)
    if not sign or not present.any():
        return out
    ordered = np.sort(-sign * values[present])
    out[present] = np.searchsorted(ordered, -sign * values[present], side="left") + 1
    return out


def quartile_cuts(values):
    """Q1, Q2, Q3 of the values present (linear interpolation, numpy's default)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if not len(values):
        return None
    return np.quantile(values, [0.25, 0.5, 0.75])


def quartile_bands(values, cuts, polarity):
    """Band A–D of each value (A best). A value on a cut falls in the band below the cut in
    value order. '' for a missing value or a measure without polarity."""
    values = np.asarray(values, dtype=float)
    sign = POLARITY_SIGN.get(polarity, 0)
    if cuts is None or not sign:
        return np.full(values.shape, "", dtype=object)
    position = np.searchsorted(np.asarray(cuts, dtype=float), values, side="left")
    letters = np.array(list(QUARTILE_BANDS if sign < 0 else QUARTILE_BANDS[::-1]), dtype=object)
    bands = letters[np.minimum(position, 3)]
    bands[np.isnan(values)] = ""
    return bands


def against(value, reference, polarity):
    """A council's value against a reference (its neighbours' average): 'better', 'worse' or
    'the same' by polarity, with the size of the gap; 'not comparable' without both values or
    without a polarity."""
    sign = POLARITY_SIGN.get(polarity, 0)
    if value is None or reference is None or not sign:
        return "not comparable", None
    gap = sign * (value - reference)
    return ("better" if gap > 0 else "worse" if gap < 0 else "the same"), abs(value - reference)


def funnel_limits(centre, denominators, z, per=100.0):
    """Control limits around `centre` for each denominator. `per` = 100 for a percentage (the
    binomial limits p ± z·√(p(1−p)/n)); 10,000 for a rate per 10,000 (the Poisson limits: a
    count with mean λ = r·n/10,000 has standard deviation √λ, so r ± z·√(r·10,000/n))."""
    n = np.asarray(denominators, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if per == 100.0:
            p = centre / 100.0
            width = z * np.sqrt(p * (1 - p) / n) * 100.0
            return np.clip(centre - width, 0, 100), np.clip(centre + width, 0, 100)
        width = z * np.sqrt(centre * per / n)
        return np.clip(centre - width, 0, None), centre + width


def funnel_position(value, lower95, upper95, lower998, upper998):
    """Where a council sits against the funnel: 'within', 'above' / 'below' the 95% limits, or
    'far above' / 'far below' (beyond the 99.8% limits: more than chance)."""
    if value > upper998:
        return "far above"
    if value < lower998:
        return "far below"
    if value > upper95:
        return "above"
    if value < lower95:
        return "below"
    return "within"
