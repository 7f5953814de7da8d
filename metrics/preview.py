"""What an officer checks before loading a file of figures: every figure beside the current one
(or the last period's, for a new figure), the target in force and the status it will get, and
the figures that look implausible, which must be acknowledged before the file is loaded.

All of it is worked out in whole-array operations over the compared figures (``loading.compare``),
so a file of a million rows costs a few seconds; the preview keeps the first ``SHOWN`` figures
(flagged first) and counts the rest.
"""

import numpy as np
import pandas as pd

from metrics import calculations as calc
from metrics.engine import targets_in_force

SHOWN = 500
# A figure ten times or a tenth of the one before it is most likely a slipped decimal point.
SLIP_RATIO = 9.5
# Beyond the SPC limits by half their width again: well outside the measure's usual range.
WIDE_MARGIN = 0.5
# A denominator three times or a third of the one before: the numbers counted have changed.
DENOMINATOR_RATIO = 3.0


def _month(dates):
    dates = pd.to_datetime(pd.Series(list(dates)))
    return (dates.dt.year * 12 + dates.dt.month - 1).to_numpy(dtype=np.int64)


def _number(series):
    return pd.to_numeric(pd.Series(series, dtype=object), errors="coerce").to_numpy(dtype=float)


def build(diff):
    """The preview as plain data for the upload's summary: counts, the flagged figures and the
    figures shown, each with its measure, period, area, values, target and status."""
    from metrics.models import Measure, Observation, SpcLimits

    if diff.empty:
        return {"rows": [], "flagged": 0, "shown": 0, "total": 0}
    frame = diff.reset_index(drop=True).copy()
    ids = sorted({int(i) for i in frame["measure_id"].unique()})
    measures = {
        m["id"]: m
        for m in Measure.objects.filter(pk__in=ids).values(
            "id", "code", "name", "unit", "precision", "polarity", "tolerance_kind", "tolerance",
            "judged",
        )
    }  # fmt: skip
    frame["month"] = _month(frame["period_end"])
    value = _number(frame["value"])
    old = _number(frame["old_value"])

    # The figure before: the same series' latest stored value before this period.
    stored = pd.DataFrame.from_records(
        Observation.objects.filter(measure_id__in=ids, value__isnull=False)
        .order_by()
        .values_list(
            "measure_id", "breakdown", "period_kind", "period_end", "value", "denominator"
        ),  # fmt: skip
        columns=["measure_id", "breakdown", "period_kind", "period_end", "before", "before_den"],
    )
    before = np.full(len(frame), np.nan)
    before_den = np.full(len(frame), np.nan)
    if not stored.empty:
        stored["month"] = _month(stored["period_end"])
        stored["before"] = _number(stored["before"])
        stored["before_den"] = _number(stored["before_den"])
        left = frame[["measure_id", "breakdown", "period_kind", "month"]].copy()
        left["probe"] = left["month"] - 1
        left["order"] = np.arange(len(left))
        stored = stored.sort_values("month")
        matched = pd.merge_asof(
            left.sort_values("probe"),
            stored[
                ["measure_id", "breakdown", "period_kind", "month", "before", "before_den"]
            ].rename(columns={"month": "stored_month"}),
            left_on="probe",
            right_on="stored_month",
            by=["measure_id", "breakdown", "period_kind"],
            direction="backward",
        ).sort_values("order")
        before = matched["before"].to_numpy(dtype=float)
        before_den = matched["before_den"].to_numpy(dtype=float)
    reference = np.where(np.isnan(old), before, old)

    # The target in force for each figure's period, as the engine reads it.
    target, _ = targets_in_force(frame["measure_id"].astype(int), frame["month"], ids)

    settings = pd.DataFrame(list(measures.values())).set_index("id")
    per_row = settings.reindex(frame["measure_id"].to_numpy())
    codes = calc.rag(
        value,
        target,
        per_row["polarity"].to_numpy(),
        per_row["tolerance_kind"].to_numpy(),
        per_row["tolerance"].astype(float).to_numpy(),
        per_row["judged"].astype(bool).to_numpy(),
    )
    frame["status"] = calc.rag_names(codes)

    # The SPC limits each measure's latest working status was judged against.
    limits = pd.DataFrame.from_records(
        SpcLimits.objects.filter(
            measure_id__in=ids,
            in_working_view=True,
            lower__isnull=False,
            upper__isnull=False,
        )
        .order_by("measure_id", "breakdown", "starts")
        .values_list("measure_id", "breakdown", "lower", "upper"),
        columns=["measure_id", "breakdown", "lower", "upper"],
    ).drop_duplicates(["measure_id", "breakdown"], keep="last")
    bounds = frame[["measure_id", "breakdown"]].merge(
        limits, on=["measure_id", "breakdown"], how="left"
    )
    lower = bounds["lower"].to_numpy(dtype=float)
    upper = bounds["upper"].to_numpy(dtype=float)

    unit = per_row["unit"].to_numpy()
    denominator = _number(frame["denominator"])
    flags = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = value / reference
        slip = (reference != 0) & (value != 0) & ((ratio >= SLIP_RATIO) | (ratio <= 1 / SLIP_RATIO))
        fraction = (unit == "count") & (np.abs(value - np.round(value)) > 1e-9)
        width = upper - lower
        wide = (value > upper + WIDE_MARGIN * width) | (value < lower - WIDE_MARGIN * width)
        den_ratio = denominator / before_den
        den_jump = (before_den > 0) & (
            (den_ratio >= DENOMINATOR_RATIO) | (den_ratio <= 1 / DENOMINATOR_RATIO)
        )
    for i in np.flatnonzero(slip):
        size = "ten times" if ratio[i] > 1 else "a tenth of"
        flags.setdefault(i, []).append(
            f"{_plain(value[i])} is about {size} the figure before ({_plain(reference[i])}): "
            "a slipped decimal point?"
        )
    for i in np.flatnonzero(fraction):
        flags.setdefault(i, []).append(f"{_plain(value[i])} is a count that is not a whole number.")
    for i in np.flatnonzero(wide & ~slip):
        flags.setdefault(i, []).append(
            f"{_plain(value[i])} is far outside the measure's usual range "
            f"({_plain(lower[i])} to {_plain(upper[i])})."
        )
    for i in np.flatnonzero(den_jump):
        flags.setdefault(i, []).append(
            f"The denominator {_plain(denominator[i])} is far from the one before "
            f"({_plain(before_den[i])}): check the numerator and denominator count the same "
            "children."
        )
    frame["group"] = np.where(
        frame["is_new"], "new", np.where(frame["is_changed"], "changed", "unchanged")
    )
    frame["flagged"] = slip | fraction | (wide & ~slip) | den_jump
    frame["reference"] = reference
    frame["target_value"] = target
    frame["rank"] = np.where(frame["flagged"], 0, np.where(frame["is_changed"], 1, 2))
    shown = frame.sort_values(["rank", "row"]).head(SHOWN)
    rows = []
    for index, r in zip(shown.index, shown.itertuples(), strict=True):
        m = measures[r.measure_id]
        rows.append({
            "row": int(r.row),
            "code": m["code"],
            "name": m["name"],
            "period": calc.Period(r.period_end, r.period_kind).label,
            "area": r.breakdown,
            "new": _shown(r.value, m),
            "current": _shown(r.old_value, m),
            "before": "" if not np.isnan(r.reference) and not pd.isna(r.old_value) else
            _shown(r.reference, m),
            "target": _shown(r.target_value, m),
            "status": r.status,
            "group": r.group,
            "published": bool(r.was_published),
            "flags": flags.get(index, []),
        })  # fmt: skip
    return {
        "rows": rows,
        "flagged": int(frame["flagged"].sum()),
        "shown": len(rows),
        "total": len(frame),
    }


def _plain(number):
    return f"{number:,.4f}".rstrip("0").rstrip(".")


def _shown(value, measure):
    if value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value):
        return ""
    text = f"{float(value):,.{measure['precision']}f}"
    return f"{text}%" if measure["unit"] == "percent" else text
