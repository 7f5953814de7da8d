"""From the database to ``calculations.judge`` and back: the statuses of whole measures.

Reads the figures, targets and baselines of a set of measures as arrays, judges them in one
vectorised pass per group of SPC settings, and replaces the measures' statuses in one
transaction.
"""

from __future__ import annotations

import time
from datetime import date

import numpy as np
import pandas as pd
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from metrics import calculations as calc

STATUS_BATCH = 5000


def targets_in_force(measures, months, measure_ids):
    """(target, kind) arrays for each (measure, month index): the latest target to start at or
    before the month, if it has not ended by then (a measure's targets never overlap)."""
    from metrics.models import Target

    count = len(months)
    targets = list(
        Target.objects.filter(measure_id__in=list(measure_ids))
        .order_by()
        .values_list("measure_id", "effective_from", "effective_to", "value", "kind")
    )
    if not targets or not count:
        return np.full(count, np.nan), np.full(count, "", dtype=object)
    measure, start, end, value, kind = (
        np.asarray(column, dtype=object) for column in zip(*targets, strict=True)
    )
    month_of = np.vectorize(lambda day: day.year * 12 + day.month - 1, otypes=[np.int64])
    # One sorted key per target start, (measure, month) packed into one integer.
    starts = measure.astype(np.int64) * MONTH_SPAN + month_of(start)
    ends = np.where(end == None, np.iinfo(np.int64).max, 0)  # noqa: E711 (elementwise)
    ended = end != None  # noqa: E711
    ends[ended] = month_of(end[ended])
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    value, kind, measure = value[order].astype(float), kind[order], measure[order].astype(np.int64)
    months = np.asarray(months, dtype=np.int64)
    keys = np.asarray(measures, dtype=np.int64) * MONTH_SPAN + months
    at = np.searchsorted(starts, keys, side="right") - 1
    found = at >= 0
    at = np.where(found, at, 0)
    in_force = found & (measure[at] == np.asarray(measures, dtype=np.int64)) & (ends[at] >= months)
    return (
        np.where(in_force, value[at], np.nan),
        np.where(in_force, kind[at], ""),
    )


MONTH_SPAN = 1 << 20  # more month indices than any date needs (year 87,000)


FIGURE_COLUMNS = ["measure", "period_kind", "period_end", "breakdown", "value", "published"]


def read_figures(measure_ids):
    """The measures' stored figures as columns, one row per figure: on PostgreSQL packed as
    fixed-width binary that numpy reads without parsing, with no model instances and no
    Decimals."""
    from metrics.models import Observation

    if connection.vendor != "postgresql":
        frame = pd.DataFrame.from_records(
            Observation.objects.filter(measure_id__in=measure_ids)
            .order_by()
            .values_list(
                "measure_id", "period_kind", "period_end", "breakdown", "value", "published"
            ),
            columns=FIGURE_COLUMNS,
        )
        frame["value"] = frame["value"].astype(float)
        frame["period_end"] = pd.to_datetime(frame["period_end"])
        return frame
    rows = _fixed_width_rows(
        Observation._meta.db_table,
        {
            "period_end": ("period_end - DATE '1970-01-01'", np.int32),
            "value": ("coalesce(value::float8, 'NaN')", float),
            "published": ("published", bool),
        },
        [],
        measure_ids,
        by=("measure_id", "period_kind", "breakdown"),
    )
    return pd.DataFrame(
        {
            "measure": rows["measure_id"].to_numpy(dtype=np.int64),
            "period_kind": rows["period_kind"],
            "period_end": pd.to_datetime(rows["period_end"].to_numpy(), unit="D"),
            "breakdown": rows["breakdown"],
            "value": rows["value"],
            "published": rows["published"],
        }
    )


def load_frame(measure_ids):
    """One row per stored value of the measures, with everything ``judge`` needs."""
    from metrics.models import Baseline, Measure

    settings = pd.DataFrame.from_records(
        Measure.objects.filter(pk__in=measure_ids).values(
            "id",
            "polarity",
            "tolerance_kind",
            "tolerance",
            "deadband_kind",
            "deadband",
            "judged",
            *Measure.SPC_FIELDS,
        )
    )
    observations = read_figures(measure_ids)
    if observations.empty:
        return observations
    ends = observations["period_end"].dt
    observations["month"] = (ends.year * 12 + ends.month - 1).to_numpy(dtype=np.int64)
    observations["step"] = observations["period_kind"].map(calc.MONTHS_IN).astype(np.int64)
    measure = pd.factorize(observations["measure"])[0].astype(np.int64)
    breakdown, breakdowns = pd.factorize(observations["breakdown"])
    kind = pd.factorize(observations["period_kind"])[0]
    observations["series"] = pd.factorize(
        (measure * len(breakdowns) + breakdown) * len(calc.MONTHS_IN) + kind
    )[0]

    settings["sign"] = calc.polarity_sign(settings["polarity"].to_numpy())
    for column in ("tolerance", "deadband"):
        settings[column] = settings[column].astype(float)
    # Measures that share SPC settings are judged together.
    spc = settings[list(Measure.SPC_FIELDS)]
    settings["spc_group"] = pd.MultiIndex.from_frame(
        spc.astype(object).where(spc.notna(), -1)
    ).factorize()[0]
    at = pd.Index(settings["id"]).get_indexer(observations["measure"])
    frame = observations.assign(
        **{c: settings[c].to_numpy()[at] for c in settings.columns if c != "id"}
    )

    frame["target"], frame["target_kind"] = targets_in_force(
        frame["measure"], frame["month"], measure_ids
    )

    # A new SPC segment starts at the first value on or after each baseline a person set.
    level = np.zeros(len(frame), dtype=np.int64)
    measures, months = frame["measure"].to_numpy(), frame["month"].to_numpy()
    for measure_id, starts in Baseline.objects.filter(measure_id__in=measure_ids).values_list(
        "measure_id", "starts"
    ):
        level += (measures == measure_id) & (months >= starts.year * 12 + starts.month - 1)
    frame["baseline_level"] = level
    order = np.lexsort((frame["month"].to_numpy(), frame["series"].to_numpy()))
    return mark_rebases(frame.take(order))


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
    """The two views the engine judges: ``(working, frame, in_working_view)``.

    The published view (working False) holds the published figures alone, judged as if the
    drafts did not exist: a draft never moves a published figure's previous value, direction,
    SPC limits or signals. The working view, drafts included, is for the officers preparing
    them. A series (measure, breakdown, period kind) with no drafts is the same in both views,
    so it is judged and stored once, as published statuses marked ``in_working_view``; only a
    series with drafts is judged again with them (working True). Each reader still reads one
    view with one filter (``MeasureStatusQuerySet.in_view``)."""
    published = frame["published"].to_numpy(dtype=bool)
    series = frame["series"].to_numpy()
    with_drafts = np.isin(series, np.unique(series[~published]))
    yield False, mark_rebases(frame[published]), ~with_drafts[published]
    if with_drafts.any():
        yield True, frame[with_drafts], np.ones(int(with_drafts.sum()), dtype=bool)


def judge_frame(frame):
    """``calc.judge`` for each group of measures that share SPC settings."""
    groups = frame["spc_group"].to_numpy()
    codes, first = np.unique(groups, return_index=True)
    columns = list(calc.JUDGE_COLUMNS)
    if len(codes) == 1:
        return calc.judge(frame[columns], _spc_settings(frame.iloc[first[0]]))
    parts = [
        calc.judge(frame.loc[groups == code, columns], _spc_settings(frame.iloc[at]))
        for code, at in zip(codes, first, strict=True)
    ]
    return pd.concat(parts).reindex(frame.index)


def _spc_settings(row):
    baseline = row["spc_baseline_points"]
    return calc.SpcSettings(
        min_points=int(row["spc_min_points"]),
        run_length=int(row["spc_run_length"]),
        trend_length=int(row["spc_trend_length"]),
        screen_ranges=bool(row["spc_screen_ranges"]),
        two_of_three_counts_beyond=bool(row["spc_two_of_three_counts_beyond"]),
        baseline_points=None if baseline is None or pd.isna(baseline) else int(baseline),
    )


def _codes(values, names):
    """Each value's place in ``names`` (a fixed list of what the column may hold)."""
    return pd.Categorical(values, categories=names).codes.astype(np.int16)


def _four_places(values):
    """Floats rounded to the four places the database keeps, NaN for none."""
    return np.round(np.asarray(values, dtype=float), 4)


def statuses_of(view, judged, working, in_working_view):
    """One view's statuses as columns: the key, and the content as numbers (names as their
    place in the lists of names ``names_of`` gives), with a hash of the key and of what the
    status says (not whether it is also the working view's) to tell a changed status from an
    unchanged one without reading it back."""
    from metrics.models import Frequency, Target

    statuses = pd.DataFrame(
        {
            "measure_id": view["measure"].to_numpy(dtype=np.int64),
            "working": np.full(len(view), working),
            "period_kind": _codes(view["period_kind"].to_numpy(), Frequency.values),
            "period_end": view["period_end"].to_numpy(dtype="datetime64[D]").astype(np.int64),
            "breakdown": view["breakdown"].to_numpy(dtype=object),
            "in_working_view": np.asarray(in_working_view, dtype=bool),
            "published": view["published"].to_numpy(dtype=bool),
            "value": _four_places(view["value"]),
            "target": _four_places(view["target"]),
            "target_kind": _codes(view["target_kind"].to_numpy(), ["", *Target.Kind.values]),
            "rag": judged["rag"].to_numpy(dtype=np.int16),
            "previous_value": _four_places(judged["previous_value"]),
            "direction": judged["direction"].to_numpy(dtype=np.int16),
            "year_ago_value": _four_places(judged["year_ago_value"]),
            "direction_year": judged["direction_year"].to_numpy(dtype=np.int16),
            "spc_variation": judged["spc_variation"].to_numpy(dtype=np.int16),
            "spc_assurance": judged["spc_assurance"].to_numpy(dtype=np.int16),
            "spc_signal": judged["spc_signal"].to_numpy(dtype=np.int16),
        }
    )
    statuses["row_hash"] = (
        pd.util.hash_pandas_object(statuses[[*KEY_COLUMNS, *SAID_COLUMNS]], index=False)
        .to_numpy()
        .view(np.int64)
    )
    return statuses


LIMITS_COLUMNS = [
    "measure_id",
    "working",
    "period_kind",
    "breakdown",
    "starts",
    "in_working_view",
    "mean",
    "lower",
    "upper",
]


def limits_of(view, judged, working, in_working_view):
    """One view's SPC segments as columns: for each series and baseline, where its first
    point with a value is, and the mean and limits every point of the segment was judged
    against (NaN where too few points)."""
    value = view["value"].to_numpy(dtype=float)
    points = np.flatnonzero(~np.isnan(value))
    segment = calc.segments_of(
        view["series"].to_numpy()[points], view["rebase"].to_numpy(dtype=bool)[points]
    )
    first = (
        points[np.flatnonzero(np.r_[True, segment[1:] != segment[:-1]])] if len(points) else points
    )
    return pd.DataFrame(
        {
            "measure_id": view["measure"].to_numpy(dtype=np.int64)[first],
            "working": np.full(len(first), working),
            "period_kind": view["period_kind"].to_numpy(dtype=object)[first],
            "breakdown": view["breakdown"].to_numpy(dtype=object)[first],
            "starts": view["period_end"].to_numpy(dtype="datetime64[D]")[first].astype(np.int64),
            "in_working_view": np.asarray(in_working_view, dtype=bool)[first],
            "mean": judged["spc_mean"].to_numpy(dtype=float)[first],
            "lower": judged["spc_lower"].to_numpy(dtype=float)[first],
            "upper": judged["spc_upper"].to_numpy(dtype=float)[first],
        }
    )


NO_LIMITS = pd.DataFrame(
    {
        column: pd.Series(dtype=dtype)
        for column, dtype in zip(
            LIMITS_COLUMNS,
            [np.int64, bool, object, object, np.int64, bool, float, float, float],
            strict=True,
        )
    }
)


def replace_limits(measure_ids, limits):
    """Make the stored SPC segments of these measures exactly ``limits``, rewriting only the
    measures where any of them differs (a few rows per series, so whole measures at a time)."""
    from metrics.models import SpcLimits

    stored = pd.DataFrame.from_records(
        SpcLimits.objects.filter(measure_id__in=measure_ids)
        .order_by()
        .values_list(*LIMITS_COLUMNS),
        columns=LIMITS_COLUMNS,
    )
    stored["starts"] = (
        pd.to_datetime(stored["starts"]).to_numpy(dtype="datetime64[D]").astype(np.int64)
    )
    stored = stored.astype({"measure_id": np.int64, "working": bool, "in_working_view": bool})
    for column in ("mean", "lower", "upper"):
        stored[column] = stored[column].astype(float)
    both = pd.concat([stored, limits], ignore_index=True)
    differs = both[~both.duplicated(LIMITS_COLUMNS, keep=False)]
    changed = pd.unique(differs["measure_id"]).tolist()
    if not changed:
        return 0
    SpcLimits.objects.filter(measure_id__in=changed).delete()
    rows = [
        (
            int(measure),
            bool(working),
            kind,
            breakdown,
            date.fromordinal(int(starts) + EPOCH),
            bool(shared),
            *(None if np.isnan(number) else float(number) for number in (mean, lower, upper)),
        )
        for measure, working, kind, breakdown, starts, shared, mean, lower, upper in limits[
            limits["measure_id"].isin(changed)
        ][LIMITS_COLUMNS].itertuples(index=False)
    ]
    if connection.vendor == "postgresql":  # one COPY: 10,000 segments in a few milliseconds
        with connection.cursor() as cursor:
            with cursor.copy(
                f"COPY {SpcLimits._meta.db_table} ({', '.join(LIMITS_COLUMNS)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        SpcLimits.objects.bulk_create(
            [SpcLimits(**dict(zip(LIMITS_COLUMNS, row, strict=True))) for row in rows],
            batch_size=STATUS_BATCH,
        )
    return len(rows)


def names_of():
    """For each coded column, the names its codes stand for (the stored values)."""
    from metrics.models import Frequency, Target

    signals = np.where(calc.SIGNAL_NAMES == "none", "", calc.SIGNAL_NAMES)
    return {
        "period_kind": list(Frequency.values),
        "target_kind": ["", *Target.Kind.values],
        "rag": list(calc.RAG_NAMES),
        "direction": list(calc.DIRECTION_NAMES),
        "direction_year": list(calc.DIRECTION_NAMES),
        "spc_variation": list(calc.VARIATION_NAMES),
        "spc_assurance": list(calc.ASSURANCE_NAMES),
        "spc_signal": [str(name) for name in signals],
    }


KEY_COLUMNS = ["measure_id", "working", "period_kind", "period_end", "breakdown"]
CONTENT_COLUMNS = [
    "in_working_view",
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
]
# What a status says to its reader; whether it is also the working view's is kept apart, so
# that a draft arriving in its series leaves a published status (and when it was computed)
# as it was.
SAID_COLUMNS = [c for c in CONTENT_COLUMNS if c != "in_working_view"]


def recompute(measures, attempts=3, timings=None):
    """Bring the statuses of these measures up to date with their figures; returns the number
    of figures judged.

    Reads and writes in one transaction with the measures' areas and the measures locked, so
    two recomputes of the same measures run one after the other and the later one, reading
    the figures as they are once it holds the locks, leaves the newest result. Only statuses
    that changed are written (their ``computed_at`` moves; the others keep theirs). A deadlock
    with another writer is retried. ``timings``, a dict, receives the seconds spent reading,
    judging and writing, and the number of statuses inserted, updated or deleted."""
    measure_ids = sorted(int(pk) for pk in measures.values_list("pk", flat=True))
    for attempt in range(attempts):
        try:
            return _recompute_locked(measure_ids, timings)
        except OperationalError as error:
            if attempt == attempts - 1 or not _retryable(error):
                raise
            time.sleep(0.05 * (attempt + 1))
    return 0


def _retryable(error):
    code = getattr(getattr(error, "__cause__", None), "sqlstate", None)
    return code in ("40P01", "40001")  # deadlock detected, serialization failure


def _recompute_locked(measure_ids, timings=None):
    """The recompute itself; ``timings``, if given, receives the seconds of each stage."""
    from metrics.models import AreaRagCount, Measure, MeasureStatus, ServiceArea

    started = timezone.now()
    clock = _Stages(timings)
    with transaction.atomic():
        area_ids = sorted(
            set(Measure.objects.filter(pk__in=measure_ids).values_list("area_id", flat=True))
        )
        # Areas before measures, each in key order: the order every writer takes them in.
        list(ServiceArea.objects.select_for_update().filter(pk__in=area_ids).order_by("pk"))
        list(Measure.objects.select_for_update().filter(pk__in=measure_ids).order_by("pk"))
        frame = load_frame(measure_ids)
        clock.stage("read")
        parts, segments = [], [NO_LIMITS]
        if not frame.empty:
            for working, view, shared in views_of(frame):
                if not view.empty:
                    judged = judge_frame(view)
                    parts.append(statuses_of(view, judged, working, shared))
                    segments.append(limits_of(view, judged, working, shared))
        statuses = pd.concat(parts, ignore_index=True) if parts else None
        clock.stage("judge")
        written = replace_statuses(measure_ids, statuses)
        keep_statistics(MeasureStatus, written[0] + written[2])
        replace_limits(measure_ids, pd.concat(segments, ignore_index=True))
        AreaRagCount.rebuild(area_ids, None if statuses is None else rag_counts(statuses))
        # Done for every change made before it started (it read them under the lock).
        Measure.objects.filter(pk__in=measure_ids, recompute_wanted_at__lte=started).update(
            recompute_wanted_at=None
        )
        clock.stage("write")
    if timings is not None:
        timings["statuses written"] = sum(written)
    return len(frame)


def keep_statistics(model, rows_written):
    """On PostgreSQL, gather the planner's statistics for ``model``'s table at once after a
    write of a tenth of its rows or more (or when it has none), as autovacuum would within a
    minute: until then the planner takes a table just filled with a million rows for empty,
    and the next recompute's reads sort on disk (measured: 0.37 s for a query that takes
    0.09 s with statistics)."""
    if connection.vendor != "postgresql" or not rows_written:
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        (known,) = cursor.fetchone()
        if known < 0 or rows_written >= known / 10:
            cursor.execute(f"ANALYZE {table}")


class _Stages:
    def __init__(self, timings):
        self.timings, self.last = timings, time.perf_counter()

    def stage(self, name):
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = now - self.last
        self.last = now


def replace_statuses(measure_ids, statuses):
    """Make the stored statuses of these measures exactly ``statuses``: insert the new,
    update the changed, delete those no longer computed, and leave the unchanged alone.
    Returns (inserted, updated, deleted).

    On PostgreSQL, stored statuses are read back only for the measures where they differ, and
    only from the first stretch of a year where their number or combined hash does
    (``_changed_since``): after a new month, the last year or so of each measure."""
    from metrics.models import MeasureStatus

    if statuses is None or statuses.empty:
        deleted, _ = MeasureStatus.objects.filter(measure_id__in=measure_ids).delete()
        return 0, 0, deleted
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        since = _changed_since(measure_ids, statuses)
        if not since:
            return 0, 0, 0
        first = statuses["measure_id"].map(since).to_numpy(dtype=float)
        statuses = statuses[statuses["period_end"].to_numpy() >= first]  # NaN: unchanged
    breakdowns = pd.unique(statuses["breakdown"].to_numpy(dtype=object))
    statuses = statuses.assign(breakdown=pd.Index(breakdowns).get_indexer(statuses["breakdown"]))
    if postgresql:
        stored = _stored_on_postgresql(since, breakdowns)
    else:
        stored = _stored_with_orm(measure_ids, breakdowns)
    fresh, changed, shared, gone = _differences(statuses, stored)
    (_write_on_postgresql if postgresql else _write_with_orm)(
        statuses, breakdowns, fresh, changed, shared, gone
    )
    return len(fresh), len(changed[0]) + len(shared[0]), len(gone)


# Stored statuses are compared with the new ones a stretch of days at a time, by their number
# and combined hash; only from the first stretch that differs is a measure's read back.
STRETCH_DAYS = 365
DAYS_1900_TO_1970 = 25567  # stretches counted from 1900, so every day number is positive


def _changed_since(measure_ids, statuses):
    """For each measure whose stored statuses differ from ``statuses``, the first day (days
    since 1970) of the earliest stretch in which they differ in number or combined hash."""
    from metrics.models import MeasureStatus

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT measure_id, (period_end - DATE '1900-01-01') / {STRETCH_DAYS}, count(*), "
            "count(*) FILTER (WHERE in_working_view), bit_xor(row_hash) "
            f"FROM {MeasureStatus._meta.db_table} WHERE measure_id = ANY(%s) GROUP BY 1, 2",
            [list(measure_ids)],
        )
        stored = {(measure, stretch): tuple(rest) for measure, stretch, *rest in cursor.fetchall()}
    stretch = (statuses["period_end"].to_numpy() + DAYS_1900_TO_1970) // STRETCH_DAYS
    order = np.lexsort((stretch, statuses["measure_id"].to_numpy()))
    measures, stretch = statuses["measure_id"].to_numpy()[order], stretch[order]
    hashes = statuses["row_hash"].to_numpy()[order]
    shared = statuses["in_working_view"].to_numpy(dtype=np.int64)[order]
    starts = np.flatnonzero(
        np.r_[True, (measures[1:] != measures[:-1]) | (stretch[1:] != stretch[:-1])]
    )
    new = dict(
        zip(
            zip(measures[starts].tolist(), stretch[starts].tolist(), strict=True),
            zip(
                np.diff(np.r_[starts, len(measures)]).tolist(),
                np.add.reduceat(shared, starts).tolist(),
                np.bitwise_xor.reduceat(hashes, starts).tolist(),
                strict=True,
            ),
            strict=True,
        )
    )
    since = {}
    for measure, stretch in stored.keys() ^ new.keys() | {
        key for key in stored.keys() & new.keys() if stored[key] != new[key]
    }:
        since[measure] = min(since.get(measure, stretch), stretch)
    return {
        measure: stretch * STRETCH_DAYS - DAYS_1900_TO_1970 for measure, stretch in since.items()
    }


def rag_counts(statuses):
    """What the whole-authority statuses of these measures add to their areas' RAG counts:
    (measure ids, {(area id, period kind, period end, rag): (working view, published view)})."""
    from metrics.models import Measure

    measure_ids = pd.unique(statuses["measure_id"].to_numpy()).tolist()
    areas = dict(
        Measure.objects.filter(pk__in=measure_ids, active=True).values_list("pk", "area_id")
    )
    whole = statuses[statuses["breakdown"].to_numpy() == ""]
    area = whole["measure_id"].map(areas)
    counted = pd.DataFrame(
        {
            "area": area,
            "period_kind": whole["period_kind"],
            "period_end": whole["period_end"],
            "rag": whole["rag"],
            "total": whole["in_working_view"].astype(int),
            "published": (~whole["working"]).astype(int),
        }
    )[area.notna()]
    counted = counted.groupby(["area", "period_kind", "period_end", "rag"]).sum()
    names = names_of()
    counts = {
        (
            int(area),
            names["period_kind"][kind],
            date.fromordinal(int(end) + EPOCH),
            names["rag"][rag],
        ): (int(total), int(published))
        for (area, kind, end, rag), total, published in zip(
            counted.index, counted["total"], counted["published"], strict=True
        )
    }
    return measure_ids, counts


STORED_COLUMNS = ["id", *KEY_COLUMNS, "in_working_view", "row_hash"]


def _differences(statuses, stored):
    """Matching on the key: the positions of new statuses; (stored ids, positions) of those
    that say something new, and of those that only joined or left the working view; the ids
    of stored statuses no longer computed."""
    known = (stored["period_kind"].to_numpy() >= 0) & (stored["breakdown"].to_numpy() >= 0)
    gone = stored["id"].to_numpy()[~known].tolist()
    stored = stored[known]
    found = pd.MultiIndex.from_frame(stored[KEY_COLUMNS]).get_indexer(
        pd.MultiIndex.from_frame(statuses[KEY_COLUMNS])
    )
    matched = np.zeros(len(stored), dtype=bool)
    matched[found[found >= 0]] = True
    gone += stored["id"].to_numpy()[~matched].tolist()
    fresh = np.flatnonzero(found < 0)
    at = np.flatnonzero(found >= 0)
    says = stored["row_hash"].to_numpy()[found[at]] != statuses["row_hash"].to_numpy()[at]
    view = (
        stored["in_working_view"].to_numpy(dtype=bool)[found[at]]
        != statuses["in_working_view"].to_numpy(dtype=bool)[at]
    )
    ids = stored["id"].to_numpy()
    changed, shared = at[says], at[view & ~says]
    return fresh, (ids[found[changed]], changed), (ids[found[shared]], shared), gone


def _stored_with_orm(measure_ids, breakdowns):
    from metrics.models import MeasureStatus

    kinds = {name: code for code, name in enumerate(names_of()["period_kind"])}
    places = {name: code for code, name in enumerate(breakdowns)}
    rows = MeasureStatus.objects.filter(measure_id__in=measure_ids).values_list(
        "id",
        "measure_id",
        "working",
        "period_kind",
        "period_end",
        "breakdown",
        "in_working_view",
        "row_hash",
    )
    stored = pd.DataFrame.from_records(
        [
            (
                pk,
                measure,
                working,
                kinds.get(kind, -1),
                end.toordinal() - EPOCH,
                places.get(b, -1),
                shared,
                h,
            )
            for pk, measure, working, kind, end, b, shared, h in rows
        ],
        columns=STORED_COLUMNS,
    )
    return stored.astype({"id": np.int64, "measure_id": np.int64, "working": bool})


EPOCH = date(1970, 1, 1).toordinal()


def _write_with_orm(statuses, breakdowns, fresh, changed, shared, gone):
    from metrics.models import MeasureStatus

    for pk, position in zip(*shared, strict=True):
        MeasureStatus.objects.filter(pk=int(pk)).update(
            in_working_view=bool(statuses["in_working_view"].iat[position])
        )
    ids, positions = changed
    gone = [*gone, *(int(pk) for pk in ids)]
    for start in range(0, len(gone), STATUS_BATCH):
        MeasureStatus.objects.filter(pk__in=gone[start : start + STATUS_BATCH]).delete()
    rows = statuses.iloc[np.concatenate([fresh, positions])]
    names = names_of()
    now = timezone.now()
    decoded = {
        column: (
            np.asarray(names[column], dtype=object)[rows[column].to_numpy()]
            if column in names
            else rows[column].to_numpy()
        )
        for column in statuses.columns
    }
    decoded["breakdown"] = np.asarray(breakdowns, dtype=object)[rows["breakdown"].to_numpy()]
    objects = []
    for i in range(len(rows)):
        fields = {column: _python(column, decoded[column][i]) for column in statuses.columns}
        objects.append(MeasureStatus(computed_at=now, **fields))
    MeasureStatus.objects.bulk_create(objects, batch_size=STATUS_BATCH)


def _python(column, value):
    if column == "period_end":
        return date.fromordinal(int(value) + EPOCH)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


# PostgreSQL's binary COPY of fixed-width rows: each row is the number of fields, then each
# field's length and big-endian value. NaN stands for none in floats, turned into NULL in SQL.
_SQL_TYPES = {
    np.dtype(np.int64): ("int8", ">i8"),
    np.dtype(np.int32): ("int4", ">i4"),
    np.dtype(np.int16): ("int2", ">i2"),
    np.dtype(bool): ("bool", "?"),
    np.dtype(float): ("float8", ">f8"),
}
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8


def _binary_copy_rows(columns):
    """The binary COPY data for equal-length numpy arrays ``{name: array}``."""
    count = len(next(iter(columns.values())))
    fields = [("fields", ">i2")]
    for name, array in columns.items():
        fields += [(f"{name}_size", ">i4"), (name, _SQL_TYPES[array.dtype][1])]
    rows = np.empty(count, dtype=np.dtype(fields))
    rows["fields"] = len(columns)
    for name, array in columns.items():
        rows[f"{name}_size"] = rows.dtype[name].itemsize
        rows[name] = array
    return _COPY_HEADER + rows.tobytes() + b"\xff\xff"


def _stored_on_postgresql(since, breakdowns):
    """The stored statuses of the measures in ``since`` ({measure: first day}) from that day."""
    from metrics.models import MeasureStatus

    columns = {
        "id": ("id", np.int64),
        "working": ("working", bool),
        "period_kind": ("coalesce(array_position(%s::text[], period_kind::text), 0) - 1", np.int32),
        "period_end": ("period_end - DATE '1970-01-01'", np.int32),
        "breakdown": ("coalesce(array_position(%s::text[], breakdown::text), 0) - 1", np.int32),
        "in_working_view": ("in_working_view", bool),
        "row_hash": ("row_hash", np.int64),
    }
    stored = _fixed_width_rows(
        MeasureStatus._meta.db_table,
        columns,
        [names_of()["period_kind"], list(breakdowns)],
        list(since),
        since=list(since.values()),
    )
    return stored.astype({"measure_id": np.int64})[STORED_COLUMNS]


def _fixed_width_rows(table, columns, params, measure_ids, by=("measure_id",), since=None):
    """The measures' rows of ``table`` (if ``since`` is given, each measure's from the day at
    the same place in it, in days since 1970) as a DataFrame of ``columns`` ({name: (SQL, numpy
    type)}, every one fixed-width and never NULL) and of the columns ``by``: PostgreSQL packs
    the rows of each group of equal ``by`` into one binary string of big-endian values, which
    numpy reads without parsing; each group's ``by`` values are sent once, not on every row."""
    send = {
        np.dtype(np.int64): "int8send",
        np.dtype(np.int32): "int4send",
        np.dtype(bool): "boolsend",
        np.dtype(float): "float8send",
    }
    packed = " || ".join(f"{send[np.dtype(kind)]}({sql})" for sql, kind in columns.values())
    with connection.cursor() as cursor:
        if since is None:
            where, where_params = "measure_id = ANY(%s)", [list(measure_ids)]
        else:
            # One condition per first day (a few: one per year at most), never a join, whose
            # plan could go wrong before the table's statistics are gathered.
            from_day = {}
            for measure, day in zip(measure_ids, since, strict=True):
                from_day.setdefault(int(day), []).append(measure)
            where = " OR ".join(
                "(measure_id = ANY(%s) AND period_end >= DATE '1970-01-01' + %s)" for _ in from_day
            )
            where_params = [p for day, ids in from_day.items() for p in (ids, day)]
        cursor.execute(
            f"SELECT {', '.join(by)}, string_agg({packed}, ''::bytea) FROM {table} "
            f"WHERE {where} GROUP BY {', '.join(by)}",
            [*params, *where_params],
        )
        groups = cursor.fetchall()
    layout = np.dtype(
        [(name, _SQL_TYPES[np.dtype(kind)][1]) for name, (_, kind) in columns.items()]
    )
    rows = np.frombuffer(b"".join(bytes(group[-1]) for group in groups), dtype=layout)
    sizes = [len(group[-1]) // layout.itemsize for group in groups]
    frame = {
        name: np.repeat(np.asarray([group[i] for group in groups], dtype=object), sizes)
        for i, name in enumerate(by)
    }
    frame.update((name, rows[name].astype(kind)) for name, (_, kind) in columns.items())
    return pd.DataFrame(frame)


def _write_on_postgresql(statuses, breakdowns, fresh, changed, shared, gone):
    from metrics.models import MeasureStatus

    table = MeasureStatus._meta.db_table
    ids = np.concatenate([changed[0], shared[0]]).astype(np.int64)
    positions = np.concatenate([changed[1], shared[1]]).astype(np.int64)
    with connection.cursor() as cursor:
        if gone:
            cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [gone])
        rows = statuses.iloc[np.concatenate([fresh, positions])]
        if rows.empty:
            return
        columns = {"id": np.concatenate([np.zeros(len(fresh), dtype=np.int64), ids])}
        columns.update(
            (column, rows[column].to_numpy()) for column in rows.columns if column != "period_end"
        )
        columns["breakdown"] = columns["breakdown"].astype(np.int32)
        columns["period_end"] = rows["period_end"].to_numpy().astype(np.int32) - DAYS_1970_TO_2000
        cursor.execute("DROP TABLE IF EXISTS status_new")
        cursor.execute(
            "CREATE TEMP TABLE status_new ("
            + ", ".join(
                f"{name} {'date' if name == 'period_end' else _SQL_TYPES[array.dtype][0]}"
                for name, array in columns.items()
            )
            + ") ON COMMIT DROP"
        )
        with cursor.copy(
            f"COPY status_new ({', '.join(columns)}) FROM STDIN WITH (FORMAT binary)"
        ) as copy:
            copy.write(_binary_copy_rows(columns))
        # Each column's value in SQL, with the list of names a coded column stands for.
        names = {**names_of(), "breakdown": [str(b) for b in breakdowns]}
        sql = {
            column: (f"(%s::text[])[n.{column} + 1]", [names[column]])
            if column in names
            else (f"NULLIF(n.{column}, 'NaN')", [])
            if columns[column].dtype == np.dtype(float)
            else (f"n.{column}", [])
            for column in [*KEY_COLUMNS, *CONTENT_COLUMNS, "row_hash"]
        }
        now = timezone.now()
        # Changed statuses are updated in place; the key never changes, so PostgreSQL can
        # keep them on their page without touching the indexes (the table leaves room).
        content = [*CONTENT_COLUMNS, "row_hash"]
        cursor.execute(
            f"UPDATE {table} s SET "
            + ", ".join(f"{c} = {sql[c][0]}" for c in content)
            # A status that only joined or left the working view keeps when it was computed.
            + ", computed_at = CASE WHEN s.row_hash = n.row_hash THEN s.computed_at ELSE %s END"
            # The ids again as an array, so the rows are found by their key, not by hashing
            # every status of the table (0.5 s for a million).
            " FROM status_new n WHERE n.id <> 0 AND s.id = n.id AND s.id = ANY(%s)",
            [*(p for c in content for p in sql[c][1]), now, ids.tolist()],
        )
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(sql)}, computed_at) SELECT "
            + ", ".join(value for value, _ in sql.values())
            + ", %s FROM status_new n WHERE n.id = 0",
            [*(p for _, ps in sql.values() for p in ps), now],
        )


DAYS_1970_TO_2000 = 10957
