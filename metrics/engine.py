"""From the database to ``calculations.judge`` and back: the statuses of whole measures.

Reads the figures, targets and baselines of a set of measures as arrays, judges them in one
vectorised pass per group of SPC settings, and replaces the measures' statuses in one
transaction.
"""

from __future__ import annotations

import time
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from metrics import calculations as calc

STATUS_BATCH = 5000


def _month_index(dates):
    dates = pd.to_datetime(pd.Series(dates))
    return (dates.dt.year * 12 + dates.dt.month - 1).to_numpy(dtype=np.int64)


def targets_in_force(measures, months, measure_ids):
    """(target, kind) arrays for each (measure, month index): the latest target to start at or
    before the month, if it has not ended by then (a measure's targets never overlap)."""
    from metrics.models import Target

    targets = pd.DataFrame.from_records(
        Target.objects.filter(measure_id__in=list(measure_ids)).values_list(
            "measure_id", "effective_from", "effective_to", "value", "kind"
        ),
        columns=["measure", "effective_from", "effective_to", "target", "target_kind"],
    )
    count = len(months)
    if targets.empty or not count:
        return np.full(count, np.nan), np.full(count, "", dtype=object)
    targets["from_month"] = _month_index(targets["effective_from"])
    targets["to_month"] = np.where(
        targets["effective_to"].isna(),
        np.iinfo(np.int64).max,
        _month_index(targets["effective_to"].fillna(pd.Timestamp("2000-01-01"))),
    )
    targets["target"] = targets["target"].astype(float)
    left = pd.DataFrame(
        {"measure": np.asarray(measures), "month": np.asarray(months, dtype=np.int64)}
    )
    left["order"] = np.arange(count)
    matched = pd.merge_asof(
        left.sort_values("month"),
        targets.sort_values("from_month"),
        left_on="month",
        right_on="from_month",
        by="measure",
        direction="backward",
    ).sort_values("order")
    in_force = matched["to_month"].to_numpy() >= left["month"].to_numpy()
    return (
        np.where(in_force, matched["target"].to_numpy(dtype=float), np.nan),
        np.where(in_force, matched["target_kind"].fillna("").to_numpy(dtype=object), ""),
    )


def load_frame(measure_ids):
    """One row per stored value of the measures, with everything ``judge`` needs."""
    from metrics.models import Baseline, Measure, Observation

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

    frame["target"], frame["target_kind"] = targets_in_force(
        frame["measure"], frame["month"], measure_ids
    )

    # A new SPC segment starts at the first value on or after each baseline a person set.
    frame["baseline_level"] = 0
    for measure_id, starts in Baseline.objects.filter(measure_id__in=measure_ids).values_list(
        "measure_id", "starts"
    ):
        start_month = starts.year * 12 + starts.month - 1
        frame.loc[
            (frame["measure"] == measure_id) & (frame["month"] >= start_month), "baseline_level"
        ] += 1
    return mark_rebases(frame.sort_values(["series", "month"], kind="stable"))


def mark_rebases(frame):
    """``rebase`` True on the first value of each series at or after a new baseline: marked
    again for each view, since the first published value after a baseline may not be the
    first value (a draft may come before it)."""
    frame = frame.reset_index(drop=True)
    level = frame["baseline_level"].to_numpy()
    series = frame["series"].to_numpy()
    rebase = np.zeros(len(frame), dtype=bool)  # an empty view stays empty
    rebase[1:] = (level[1:] != level[:-1]) & (series[1:] == series[:-1])
    frame["rebase"] = rebase
    return frame


def views_of(frame):
    """The two views the engine judges: ``(working, frame)`` pairs.

    The published view (working False) holds the published figures alone, judged as if the
    drafts did not exist: a draft never moves a published figure's previous value, direction,
    SPC limits or signals. The working view (working True) holds every figure, drafts
    included, for the officers preparing them. Where a measure has no drafts the two are the
    same figures judged the same way, and both are still written, so each reader's queries
    read one view with one filter."""
    published = frame["published"].to_numpy(dtype=bool)
    yield False, mark_rebases(frame[published])
    yield True, frame


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
    "working",
]


def _nullable(array):
    """Floats with NaN as None, rounded to the four places the database keeps."""
    return [None if np.isnan(v) else round(float(v), 4) for v in array]


def status_rows(frame, judged, now, working):
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
            [working] * len(frame),
            strict=True,
        )
    )


def recompute(measures, attempts=3):
    """Bring the statuses of these measures up to date with their figures; returns the number
    of figures judged.

    Reads and writes in one transaction with the measures' areas and the measures locked, so
    two recomputes of the same measures run one after the other and the later one, reading
    the figures as they are once it holds the locks, leaves the newest result. Only statuses
    that changed are written (their ``computed_at`` moves; the others keep theirs). A deadlock
    with another writer is retried."""
    measure_ids = sorted(int(pk) for pk in measures.values_list("pk", flat=True))
    for attempt in range(attempts):
        try:
            return _recompute_locked(measure_ids)
        except OperationalError as error:
            if attempt == attempts - 1 or not _retryable(error):
                raise
            time.sleep(0.05 * (attempt + 1))
    return 0


def _retryable(error):
    code = getattr(getattr(error, "__cause__", None), "sqlstate", None)
    return code in ("40P01", "40001")  # deadlock detected, serialization failure


def _recompute_locked(measure_ids):
    from metrics.models import AreaRagCount, Measure, ServiceArea

    started = timezone.now()
    with transaction.atomic():
        area_ids = sorted(
            set(Measure.objects.filter(pk__in=measure_ids).values_list("area_id", flat=True))
        )
        # Areas before measures, each in key order: the order every writer takes them in.
        list(ServiceArea.objects.select_for_update().filter(pk__in=area_ids).order_by("pk"))
        list(Measure.objects.select_for_update().filter(pk__in=measure_ids).order_by("pk"))
        frame = load_frame(measure_ids)
        rows = []
        judged = 0
        if not frame.empty:
            now = timezone.now()
            for working, view in views_of(frame):
                if not view.empty:
                    rows += status_rows(view, judge_frame(view), now, working)
                    judged = len(view) if working else judged
        replace_statuses(measure_ids, rows)
        AreaRagCount.rebuild(area_ids)
        # Done for every change made before it started (it read them under the lock).
        Measure.objects.filter(pk__in=measure_ids, recompute_wanted_at__lte=started).update(
            recompute_wanted_at=None
        )
    return judged


# The columns that say what a status is; computed_at changes only when one of them does.
KEY_COLUMNS = ["measure_id", "working", "period_kind", "period_end", "breakdown"]
CONTENT_COLUMNS = [c for c in STATUS_COLUMNS if c not in KEY_COLUMNS and c != "computed_at"]


def replace_statuses(measure_ids, rows):
    """Make the stored statuses of these measures exactly ``rows``: insert the new, update
    the changed, delete those no longer computed, and leave the unchanged alone."""
    if connection.vendor == "postgresql":
        _replace_on_postgresql(measure_ids, rows)
    else:
        _replace_with_orm(measure_ids, rows)


def _replace_on_postgresql(measure_ids, rows):
    from metrics.models import MeasureStatus

    table = MeasureStatus._meta.db_table
    columns = ", ".join(STATUS_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS status_new")
        cursor.execute(
            f"CREATE TEMP TABLE status_new ON COMMIT DROP AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY status_new ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} AS s ({columns}) SELECT {columns} FROM status_new "
            f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET "
            + ", ".join(f"{c} = EXCLUDED.{c}" for c in CONTENT_COLUMNS + ["computed_at"])
            + f" WHERE ({', '.join('s.' + c for c in CONTENT_COLUMNS)}) IS DISTINCT FROM "
            f"({', '.join('EXCLUDED.' + c for c in CONTENT_COLUMNS)})"
        )
        cursor.execute(
            f"DELETE FROM {table} s WHERE s.measure_id = ANY(%s) AND NOT EXISTS ("
            "SELECT 1 FROM status_new n WHERE "
            + " AND ".join(f"n.{c} = s.{c}" for c in KEY_COLUMNS)
            + ")",
            [list(measure_ids)],
        )


def _replace_with_orm(measure_ids, rows):
    from metrics.models import MeasureStatus

    key_at = [STATUS_COLUMNS.index(c) for c in KEY_COLUMNS]
    content_at = [STATUS_COLUMNS.index(c) for c in CONTENT_COLUMNS]
    stored = {
        tuple(row[: len(KEY_COLUMNS)]): (row[-1], tuple(row[len(KEY_COLUMNS) : -1]))
        for row in MeasureStatus.objects.filter(measure_id__in=measure_ids).values_list(
            *KEY_COLUMNS, *CONTENT_COLUMNS, "pk"
        )
    }
    fresh, stale = [], []
    for row in rows:
        key = tuple(row[i] for i in key_at)
        found = stored.pop(key, None)
        if found is None:
            fresh.append(row)
        elif _stored_form(tuple(row[i] for i in content_at)) != _stored_form(found[1]):
            stale.append(found[0])
            fresh.append(row)
    stale += [pk for pk, _ in stored.values()]
    for start in range(0, len(stale), STATUS_BATCH):
        MeasureStatus.objects.filter(pk__in=stale[start : start + STATUS_BATCH]).delete()
    for start in range(0, len(fresh), STATUS_BATCH):
        MeasureStatus.objects.bulk_create(
            MeasureStatus(**dict(zip(STATUS_COLUMNS, row, strict=True)))
            for row in fresh[start : start + STATUS_BATCH]
        )


def _stored_form(values):
    """Values as the database gives them back, to tell a changed status from an unchanged."""
    return tuple(None if v is None else float(v) if isinstance(v, Decimal) else v for v in values)
