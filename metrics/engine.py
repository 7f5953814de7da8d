"""From the database to ``calculations.judge`` and back: the statuses of whole measures.

Reads the figures, targets and baselines of a set of measures as arrays, judges them in one
vectorised pass per group of SPC settings, and replaces the measures' statuses in one
transaction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from metrics import calculations as calc

STATUS_BATCH = 5000


def _month_index(dates):
    dates = pd.to_datetime(pd.Series(dates))
    return (dates.dt.year * 12 + dates.dt.month - 1).to_numpy(dtype=np.int64)


def load_frame(measure_ids):
    """One row per stored value of the measures, with everything ``judge`` needs."""
    from metrics.models import Baseline, Measure, Observation, Target

    settings = pd.DataFrame.from_records(
        Measure.objects.filter(pk__in=measure_ids).values(
            "id",
            "polarity",
            "tolerance_kind",
            "tolerance",
            "deadband_kind",
            "deadband",
            "judged",
            "spc_min_points",
            "spc_run_length",
            "spc_trend_length",
            "spc_screen_ranges",
            "spc_two_of_three_counts_beyond",
            "spc_baseline_points",
        )
    )
    observations = pd.DataFrame.from_records(
        Observation.objects.filter(measure_id__in=measure_ids)
        .order_by()
        .values_list(
            "id", "measure_id", "period_kind", "period_end", "breakdown", "value", "published"
        ),
        columns=[
            "observation",
            "measure",
            "period_kind",
            "period_end",
            "breakdown",
            "value",
            "published",
        ],
    )
    if observations.empty:
        return observations
    observations["value"] = observations["value"].astype(float)
    observations["month"] = _month_index(observations["period_end"])
    observations["step"] = observations["period_kind"].map(calc.MONTHS_IN).astype(np.int64)
    observations["series"] = pd.MultiIndex.from_frame(
        observations[["measure", "breakdown", "period_kind"]]
    ).factorize()[0]

    settings = settings.rename(columns={"id": "measure"})
    settings["sign"] = calc.polarity_sign(settings["polarity"].to_numpy())
    for column in ("tolerance", "deadband"):
        settings[column] = settings[column].astype(float)
    frame = observations.merge(settings, on="measure", how="left")

    targets = pd.DataFrame.from_records(
        Target.objects.filter(measure_id__in=measure_ids).values_list(
            "measure_id", "effective_from", "effective_to", "value", "kind"
        ),
        columns=["measure", "effective_from", "effective_to", "target", "target_kind"],
    )
    frame["target"] = np.nan
    frame["target_kind"] = ""
    if not targets.empty:
        targets["from_month"] = _month_index(targets["effective_from"])
        targets["to_month"] = np.where(
            targets["effective_to"].isna(),
            np.iinfo(np.int64).max,
            _month_index(targets["effective_to"].fillna(pd.Timestamp("2000-01-01"))),
        )
        targets["target"] = targets["target"].astype(float)
        # The target in force: the latest to start at or before the period's end month, if it
        # has not ended by then. Targets of one measure never overlap (Target.clean).
        matched = (
            pd.merge_asof(
                frame[["month", "measure"]].reset_index().sort_values("month"),
                targets.sort_values("from_month"),
                left_on="month",
                right_on="from_month",
                by="measure",
                direction="backward",
            )
            .set_index("index")
            .reindex(frame.index)
        )
        in_force = matched["to_month"].to_numpy() >= frame["month"].to_numpy()
        frame["target"] = np.where(in_force, matched["target"].to_numpy(dtype=float), np.nan)
        frame["target_kind"] = np.where(in_force, matched["target_kind"].fillna(""), "")

    # A new SPC segment starts at the first value on or after each baseline a person set.
    frame["baseline_level"] = 0
    for measure_id, starts in Baseline.objects.filter(measure_id__in=measure_ids).values_list(
        "measure_id", "starts"
    ):
        start_month = starts.year * 12 + starts.month - 1
        frame.loc[
            (frame["measure"] == measure_id) & (frame["month"] >= start_month), "baseline_level"
        ] += 1
    frame = frame.sort_values(["series", "month"], kind="stable").reset_index(drop=True)
    level = frame["baseline_level"].to_numpy()
    series = frame["series"].to_numpy()
    frame["rebase"] = np.concatenate(
        [[False], (level[1:] != level[:-1]) & (series[1:] == series[:-1])]
    )
    return frame


SPC_COLUMNS = [
    "spc_min_points",
    "spc_run_length",
    "spc_trend_length",
    "spc_screen_ranges",
    "spc_two_of_three_counts_beyond",
    "spc_baseline_points",
]


def judge_frame(frame):
    """``calc.judge`` for each group of measures that share SPC settings."""
    parts = []
    keys = frame[SPC_COLUMNS].astype(object).where(frame[SPC_COLUMNS].notna(), None)
    for values, index in keys.groupby(SPC_COLUMNS, dropna=False).groups.items():
        min_points, run, trend, screen, beyond, baseline = values
        spc = calc.SpcSettings(
            min_points=int(min_points),
            run_length=int(run),
            trend_length=int(trend),
            screen_ranges=bool(screen),
            two_of_three_counts_beyond=bool(beyond),
            baseline_points=int(baseline)
            if baseline is not None and not pd.isna(baseline)
            else None,
        )
        parts.append(calc.judge(frame.loc[index, list(calc.JUDGE_COLUMNS)], spc))
    return pd.concat(parts).reindex(frame.index)


STATUS_COLUMNS = [
    "measure_id",
    "period_kind",
    "period_end",
    "breakdown",
    "published",
    "value",
    "target",
    "target_kind",
    "rag",
    "previous_value",
    "direction",
    "year_ago_value",
    "direction_year",
    "spc_variation",
    "spc_assurance",
    "spc_signal",
    "spc_mean",
    "spc_lower",
    "spc_upper",
    "computed_at",
]


def _nullable(array):
    """Floats with NaN as None, rounded to the four places the database keeps."""
    return [None if np.isnan(v) else round(float(v), 4) for v in array]


def status_rows(frame, judged, now):
    """One tuple per status, in STATUS_COLUMNS order."""
    signal = calc.SIGNAL_NAMES[judged["spc_signal"].to_numpy()]
    return list(
        zip(
            frame["measure"].astype(int).tolist(),
            frame["period_kind"].tolist(),
            frame["period_end"].tolist(),
            frame["breakdown"].tolist(),
            frame["published"].astype(bool).tolist(),
            _nullable(frame["value"].to_numpy(dtype=float)),
            _nullable(frame["target"].to_numpy(dtype=float)),
            frame["target_kind"].tolist(),
            calc.rag_names(judged["rag"].to_numpy()).tolist(),
            _nullable(judged["previous_value"].to_numpy(dtype=float)),
            calc.direction_names(judged["direction"].to_numpy()).tolist(),
            _nullable(judged["year_ago_value"].to_numpy(dtype=float)),
            calc.direction_names(judged["direction_year"].to_numpy()).tolist(),
            calc.VARIATION_NAMES[judged["spc_variation"].to_numpy()].tolist(),
            calc.ASSURANCE_NAMES[judged["spc_assurance"].to_numpy()].tolist(),
            np.where(signal == "none", "", signal).tolist(),
            [None if np.isnan(v) else float(v) for v in judged["spc_mean"].to_numpy()],
            [None if np.isnan(v) else float(v) for v in judged["spc_lower"].to_numpy()],
            [None if np.isnan(v) else float(v) for v in judged["spc_upper"].to_numpy()],
            [now] * len(frame),
            strict=True,
        )
    )


def recompute(measures):
    """Replace the statuses of these measures with freshly computed ones; returns the count."""
    from metrics.models import AreaRagCount, Measure, MeasureStatus

    measure_ids = list(measures.values_list("pk", flat=True))
    frame = load_frame(measure_ids)
    rows = [] if frame.empty else status_rows(frame, judge_frame(frame), timezone.now())
    with transaction.atomic():
        MeasureStatus.objects.filter(measure_id__in=measure_ids).delete()
        write_statuses(rows)
        AreaRagCount.rebuild(
            Measure.objects.filter(pk__in=measure_ids).values_list("area_id", flat=True).distinct()
        )
    return len(rows)


def write_statuses(rows):
    """Insert status rows: COPY on PostgreSQL, the ORM in batches elsewhere."""
    from metrics.models import MeasureStatus

    if connection.vendor == "postgresql":
        table = MeasureStatus._meta.db_table
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(STATUS_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    for start in range(0, len(rows), STATUS_BATCH):
        MeasureStatus.objects.bulk_create(
            MeasureStatus(**dict(zip(STATUS_COLUMNS, row, strict=True)))
            for row in rows[start : start + STATUS_BATCH]
        )
