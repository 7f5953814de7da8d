"""Loading figures: check a file, preview what it changes, commit it in one transaction, roll
it back, correct one value, publish or withdraw a period. Every change to a figure is written to
ObservationChange, the figures' audit trail. Used by the upload pages, `manage.py
import_figures` and the benchmark alike, so they all follow the same path.
"""

from __future__ import annotations

import hashlib
import logging
from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from metrics import calculations as calc
from metrics import engine, figure_files, preview
from metrics.models import (
    Commentary,
    Measure,
    Narrative,
    Observation,
    ObservationChange,
    Publication,
    StagedFigure,
    Upload,
)
from scrutiny import clock
from scrutiny.queue import enqueue

logger = logging.getLogger(__name__)
KEY = ["measure_id", "period_kind", "period_end", "breakdown"]
PROBLEMS_KEPT = 10_000
CHANGES_SHOWN = 500
BATCH = 5_000


class Refused(Exception):
    """The change cannot be made as asked; the message says why and what to do."""


def catalogue():
    return {
        code: figure_files.MeasureInfo(
            id=pk,
            code=code,
            frequency=frequency,
            unit=unit,
            active=active,
            qa_role=qa_role,
            area_id=area_id,
            name=name,
        )
        for pk, code, frequency, unit, active, qa_role, area_id, name in (
            Measure.objects.values_list(
                "pk", "code", "frequency", "unit", "active", "qa_role", "area_id", "name"
            )
        )
    }


def receive(data, name, user, kind=Upload.Kind.FIGURES):
    """Keep an uploaded file as a new Upload, to be checked."""
    digest = hashlib.sha256(data).hexdigest()
    upload = Upload(
        kind=kind,
        original_name=name[:255],
        size=len(data),
        sha256=digest,
        uploaded_by=user,
        uploaded_at=timezone.now(),
        stage="Waiting to be checked",
    )
    upload.file.save(name[-100:] or "figures", ContentFile(data), save=False)
    upload.save()
    return upload


def _progress(upload, stage, percent):
    Upload.objects.filter(pk=upload.pk).update(stage=stage, percent=percent)


def read_and_check(data, name, today=None):
    """(figures, problems, layout) for a file's bytes; figures is None when unreadable."""
    try:
        table = figure_files.read_table(name, data, settings.UPLOAD_MAX_BYTES)
    except figure_files.FileRejected as rejected:
        return None, rejected.problems, ""
    return figure_files.check(table, catalogue(), today=today or clock.today())


def check_upload(upload):
    """Check an upload's file and, when it is clean, preview what it would change."""
    if upload.status != Upload.Status.CHECKING:
        return upload
    if upload.kind == Upload.Kind.LIBRARY:
        from metrics.library_loading import check_upload as check_library

        return check_library(upload)
    if upload.kind == Upload.Kind.FINANCE:
        from metrics.finance import check_upload as check_finance

        return check_finance(upload)
    _progress(upload, "Reading the file", 10)
    data = upload.contents()
    _progress(upload, "Checking every figure", 30)
    try:
        figures, problems, layout = read_and_check(data, upload.original_name)
    except Exception:  # a file we failed to foresee must still get an answer, never hang
        logger.exception("Upload %s could not be checked", upload.pk)
        figures, layout = None, ""
        problems = [
            figure_files.Problem(
                None,
                "",
                "file",
                "The file could not be read. Check it opens in a spreadsheet, save it as CSV or "
                "XLSX, and upload it again. If this keeps happening, tell the service's support "
                f"team the upload number ({upload.pk}).",
            )
        ]
    upload.layout = layout
    upload.rows = 0 if figures is None else len(figures) + len(problems)
    if problems:
        upload.status = Upload.Status.INVALID
        upload.problem_count = len(problems)
        upload.problems = [p.as_dict() for p in problems[:PROBLEMS_KEPT]]
        upload.stage, upload.percent = "Checked", 100
        upload.save()
        return upload
    _progress(upload, "Comparing with the figures already loaded", 70)
    diff = compare(figures)
    upload.rows = len(figures)
    upload.new_count = int(diff["is_new"].sum())
    upload.changed_count = int(diff["is_changed"].sum())
    upload.unchanged_count = len(diff) - upload.new_count - upload.changed_count
    upload.summary = {
        **_summary(diff),
        "preview": preview.build(diff),
        "catalogue": _catalogue_state(diff["measure_id"].unique()),
    }
    _progress(upload, "Keeping the checked figures", 90)
    with transaction.atomic():
        stage(upload, figures)
        upload.status = Upload.Status.READY
        upload.stage, upload.percent = "Checked", 100
        upload.save()
    return upload


# A figure's key and what a file gives of it, as the figures' table names them.
FIGURE_COLUMNS = [*KEY, "value", "numerator", "denominator", "note"]
STAGED_COLUMNS = ["upload_id", "row", *FIGURE_COLUMNS]


def stage(upload, figures):
    """Keep an upload's checked figures in the database (replacing any kept before), so the
    commit starts from them: on PostgreSQL one COPY of the rows as CSV."""
    StagedFigure.objects.filter(upload=upload).delete()
    rows = figures.assign(upload_id=upload.pk)[STAGED_COLUMNS]
    if connection.vendor != "postgresql":
        fields = [c for c in STAGED_COLUMNS if c != "upload_id"]
        for start in range(0, len(rows), BATCH):
            StagedFigure.objects.bulk_create(
                StagedFigure(upload=upload, **dict(zip(fields, row, strict=True)))
                for row in rows[fields].iloc[start : start + BATCH].itertuples(index=False)
            )
        return
    text = rows.to_csv(index=False, header=False)  # Decimals as written: exact
    with (
        connection.cursor() as cursor,
        cursor.copy(
            f"COPY {StagedFigure._meta.db_table} ({', '.join(STAGED_COLUMNS)}) "
            "FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (breakdown, note))"
        ) as copy,
    ):
        copy.write(text)


def _staged(upload):
    """The upload's staged figures as the check gave them."""
    return pd.DataFrame.from_records(
        StagedFigure.objects.filter(upload=upload)
        .order_by("row")
        .values_list(*[c for c in STAGED_COLUMNS if c != "upload_id"]),
        columns=[c for c in STAGED_COLUMNS if c != "upload_id"],
    )


def _catalogue_state(measure_ids):
    """A digest of what the check relied on about these measures: if any of it changed
    before the file is loaded, the file must be checked again."""
    rows = (
        Measure.objects.filter(pk__in=sorted(int(pk) for pk in measure_ids))
        .order_by("pk")
        .values_list("pk", "code", "frequency", "unit", "active", "qa_role", "area_id")
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def give_up_checking(upload):
    """A file whose check failed every time (or stopped the worker) is reported, not retried."""
    upload.status = Upload.Status.INVALID
    upload.problems = [
        figure_files.Problem(
            None,
            "",
            "file",
            "The file could not be checked: each attempt failed. Check it opens in a "
            "spreadsheet, save it as CSV or XLSX, and upload it again. If this keeps "
            f"happening, tell the service's support team the upload number ({upload.pk}).",
        ).as_dict()
    ]
    upload.problem_count = 1
    upload.stage, upload.percent = "Checked", 100
    upload.save()
    return upload


def _same(new, old):
    """Row by row, whether two columns hold the same number (50.0 is 50.0000) or both none."""
    new, old = new.to_numpy(dtype=object), old.to_numpy(dtype=object)
    new_none, old_none = pd.isna(new), pd.isna(old)
    both = ~new_none & ~old_none
    same = new_none & old_none
    same[both] = new[both] == old[both]  # Decimal against Decimal, exactly
    return same


def compare(figures):
    """The figures with the stored observation each would replace, and whether it is new,
    changed or unchanged."""
    measure_ids = sorted({int(i) for i in figures["measure_id"].unique()})
    existing = pd.DataFrame.from_records(
        Observation.objects.filter(measure_id__in=measure_ids)
        .order_by()
        .values_list("id", *FIGURE_COLUMNS, "published"),
        columns=[
            "observation_id",
            *KEY,
            *[f"old_{c}" for c in FIGURE_COLUMNS[len(KEY) :]],
            "was_published",
        ],
    )
    figures = figures.copy()
    figures["measure_id"] = figures["measure_id"].astype(int)
    diff = figures.merge(existing, on=KEY, how="left")
    diff["is_new"] = diff["observation_id"].isna()
    same = (
        _same(diff["value"], diff["old_value"])
        & _same(diff["numerator"], diff["old_numerator"])
        & _same(diff["denominator"], diff["old_denominator"])
        & (diff["note"].fillna("").to_numpy() == diff["old_note"].fillna("").to_numpy())
    )
    diff["is_changed"] = ~diff["is_new"] & ~same
    diff["was_published"] = diff["was_published"].fillna(False).astype(bool)
    return diff


def _summary(diff):
    codes = dict(
        Measure.objects.filter(pk__in=diff["measure_id"].unique().tolist()).values_list(
            "pk", "code"
        )
    )
    changed = diff[diff["is_changed"]].sort_values(
        ["was_published", "row"], ascending=[False, True]
    )
    shown = [
        {
            "row": int(r.row),
            "measure": codes[r.measure_id],
            "period": calc.Period(r.period_end, r.period_kind).label,
            "breakdown": r.breakdown,
            "old": None if pd.isna(r.old_value) else _plain(r.old_value),
            "new": None if r.value is None else str(r.value),
            "published": bool(r.was_published),
        }
        for r in changed.head(CHANGES_SHOWN).itertuples()
    ]
    versions = dict(
        Measure.objects.filter(pk__in=list(codes)).values_list("pk", "figures_revision")
    )
    return {
        "changes": shown,
        "published_changes": int((diff["is_changed"] & diff["was_published"]).sum()),
        "measures": sorted(codes.values()),
        "versions": {str(k): v for k, v in versions.items()},
    }


def _plain(number):
    """68.9000 -> '68.9'; 100.0000 -> '100'."""
    return f"{Decimal(number).normalize():f}"


def commit(upload, user, reason="", acknowledged=None):
    """Write a checked upload's figures in one transaction: all or nothing. From the upload page
    (``acknowledged`` given), a file with implausible figures loads only once the officer has
    ticked that they have checked them."""
    if upload.status != Upload.Status.READY:
        raise Refused("Only a checked file that is ready can be loaded.")
    flagged = (upload.summary.get("preview") or {}).get("flagged", 0)
    if acknowledged is False and flagged:
        raise Refused(
            f"{flagged} figure{'s look' if flagged > 1 else ' looks'} implausible. Check "
            f"{'them' if flagged > 1 else 'it'} in the preview and tick to confirm before "
            "loading, or upload a corrected file."
        )
    if upload.kind == Upload.Kind.LIBRARY:
        from metrics.library_loading import commit_upload

        return commit_upload(upload, user, reason)
    if upload.kind == Upload.Kind.FINANCE:
        from metrics.finance import commit_upload as commit_finance

        return commit_finance(upload, user, reason)
    reason = (reason or "").strip()
    if upload.summary.get("published_changes") and not reason:
        raise Refused("Give a reason: this file changes figures that have already been published.")
    with transaction.atomic():
        upload.locked(Upload.Status.READY)
        measure_ids = sorted(int(pk) for pk in upload.summary.get("versions", {}))
        _lock_measures(measure_ids, upload.summary.get("versions", {}))
        if _catalogue_state(measure_ids) != upload.summary.get("catalogue"):
            raise Refused(
                "A measure in this file was changed (or removed) after the file was checked. "
                "Nothing was loaded: upload the file again to check it against the measures "
                "as they are now."
            )
        if connection.vendor == "postgresql":
            counts = _load_staged(upload, user, reason)
            # A first load of years of history: the recompute that follows plans with
            # statistics of the figures as they are now.
            engine.keep_statistics(Observation, counts[0])
        else:
            diff = compare(_staged(upload))
            # Checked again under the lock: a period published since the preview makes
            # changes to published figures that need a reason (publishing also moves the
            # version above).
            if (diff["is_changed"] & diff["was_published"]).any() and not reason:
                raise Refused(PUBLISHED_NEEDS_A_REASON)
            counts = _write(diff, user=user, reason=reason, upload=upload)
        StagedFigure.objects.filter(upload=upload).delete()
        upload.status = Upload.Status.COMMITTED
        upload.committed_at = timezone.now()
        upload.committed_by = user
        upload.reason = reason
        upload.new_count, upload.changed_count, upload.unchanged_count = counts
        upload.stage, upload.percent = "Working out the statuses", 0
        upload.save()
        _recompute_after(upload, measure_ids)
    return upload


PUBLISHED_NEEDS_A_REASON = (
    "Give a reason: this file changes figures that have already been published."
)


def _load_staged(upload, user, reason):
    """PostgreSQL: the staged figures against the stored ones, in the database: one query
    finds what is new or changed, then one INSERT writes the audit entries, one UPDATE the
    changed figures and one INSERT the new. Returns (new, changed, unchanged)."""
    staged, stored = StagedFigure._meta.db_table, Observation._meta.db_table
    now = timezone.now()
    user_id = user.pk if user else None
    source = f"Upload {upload.pk}: {upload.original_name}"[:500]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS upload_diff")
        cursor.execute(
            "CREATE TEMP TABLE upload_diff ON COMMIT DROP AS SELECT s.*, o.id AS "
            "observation_id, o.value AS old_value, o.numerator AS old_numerator, "
            "o.denominator AS old_denominator, o.note AS old_note, "
            "coalesce(o.published, false) AS was_published "
            f"FROM {staged} s LEFT JOIN {stored} o ON o.measure_id = s.measure_id "
            "AND o.period_kind = s.period_kind AND o.period_end = s.period_end "
            "AND o.breakdown = s.breakdown WHERE s.upload_id = %s AND (o.id IS NULL OR "
            "(o.value, o.numerator, o.denominator, o.note) IS DISTINCT FROM "
            "(s.value, s.numerator, s.denominator, s.note))",
            [upload.pk],
        )
        cursor.execute(
            "SELECT count(*) FILTER (WHERE observation_id IS NULL), "
            "count(*) FILTER (WHERE observation_id IS NOT NULL), "
            "count(*) FILTER (WHERE was_published) FROM upload_diff"
        )
        new, changed, published = cursor.fetchone()
        if published and not reason:
            raise Refused(PUBLISHED_NEEDS_A_REASON)
        cursor.execute(
            f"INSERT INTO {ObservationChange._meta.db_table} ({', '.join(AUDIT_COLUMNS)}) "
            "SELECT measure_id, period_kind, period_end, breakdown, "
            "CASE WHEN observation_id IS NULL THEN %s ELSE %s END, old_value, value, "
            "old_numerator, numerator, old_denominator, denominator, coalesce(old_note, ''), "
            "note, observation_id IS NOT NULL, was_published, %s, %s, %s, %s "
            "FROM upload_diff ORDER BY observation_id IS NOT NULL, row",
            [
                ObservationChange.Action.ADD,
                ObservationChange.Action.CHANGE,
                reason,
                upload.pk,
                user_id,
                now,
            ],
        )
        cursor.execute(
            f"UPDATE {stored} o SET value = d.value, numerator = d.numerator, "
            "denominator = d.denominator, note = d.note, "
            "quality = CASE WHEN d.was_published THEN %s ELSE '' END, updated_at = %s, "
            "updated_by_id = %s FROM upload_diff d WHERE o.id = d.observation_id",
            [Observation.Quality.REVISED, now, user_id],
        )
        cursor.execute(
            f"INSERT INTO {stored} ({', '.join(NEW_COLUMNS)}) SELECT measure_id, period_kind, "
            "period_end, breakdown, value, numerator, denominator, '', note, %s, false, %s, %s "
            "FROM upload_diff WHERE observation_id IS NULL ORDER BY row",
            [source, now, user_id],
        )
        cursor.execute(f"SELECT count(*) FROM {staged} WHERE upload_id = %s", [upload.pk])
        (total,) = cursor.fetchone()
    return new, changed, total - new - changed


def _lock_measures(measure_ids, versions):
    """Lock the measures' rows so that a second load of the same figures waits, then refuse
    it if the figures changed since it was previewed: no update is ever lost."""
    ids = sorted(int(i) for i in measure_ids)
    rows = list(
        Measure.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "code", "figures_revision")
    )
    moved = [code for pk, code, version in rows if versions.get(str(pk), version) != version]
    if moved:
        raise Refused(
            f"Figures for {', '.join(moved[:5])}{' and others' if len(moved) > 5 else ''} were "
            "changed or published by someone else after this file was checked. Nothing was "
            "loaded: upload the file again to see the changes it would make now."
        )
    Measure.objects.filter(pk__in=ids).update(figures_revision=F("figures_revision") + 1)


def _key(row):
    """A figure's key, as the figures' and the trail's tables order it."""
    return int(row.measure_id), row.period_kind, row.period_end, row.breakdown


def _figure(row):
    return row.value, row.numerator, row.denominator


def _write(diff, *, user, reason, upload=None):
    """Write new and changed figures and their audit entries; returns the counts."""
    now = timezone.now()
    new = diff[diff["is_new"]]
    changed = diff[diff["is_changed"]]
    source = f"Upload {upload.pk}: {upload.original_name}"[:500] if upload else ""
    user_id = user.pk if user else None
    upload_id = upload.pk if upload else None
    new_rows = [
        (*_key(r), *_figure(r), "", r.note or "", source, False, now, user_id)
        for r in new.itertuples()
    ]
    changed_rows = [
        (
            int(r.observation_id),
            *_figure(r),
            r.note or "",
            Observation.Quality.REVISED if r.was_published else "",
            now,
            user_id,
        )
        for r in changed.itertuples()
    ]
    audit_rows = [
        (
            *_key(r),
            ObservationChange.Action.ADD if r.is_new else ObservationChange.Action.CHANGE,
            None if r.is_new else _decimal(r.old_value),
            r.value,
            None if r.is_new else _decimal(r.old_numerator),
            r.numerator,
            None if r.is_new else _decimal(r.old_denominator),
            r.denominator,
            "" if r.is_new else (r.old_note or ""),
            r.note or "",
            not r.is_new,
            bool(r.was_published),
            reason,
            upload_id,
            user_id,
            now,
        )
        for r in pd.concat([new, changed]).itertuples()
    ]
    if connection.vendor == "postgresql":
        _copy_rows(new_rows, changed_rows, audit_rows)
    else:
        _orm_rows(new_rows, changed_rows, audit_rows)
    return len(new), len(changed), len(diff) - len(new) - len(changed)


NEW_COLUMNS = [
    *KEY,
    "value",
    "numerator",
    "denominator",
    "quality",
    "note",
    "source",
    "published",
    "updated_at",
    "updated_by_id",
]
CHANGED_COLUMNS = [
    "id",
    "value",
    "numerator",
    "denominator",
    "note",
    "quality",
    "updated_at",
    "updated_by_id",
]
AUDIT_COLUMNS = [
    *KEY,
    "action",
    "old_value",
    "new_value",
    "old_numerator",
    "new_numerator",
    "old_denominator",
    "new_denominator",
    "old_note",
    "new_note",
    "existed_before",
    "was_published",
    "reason",
    "upload_id",
    "changed_by_id",
    "changed_at",
]


def _copy_rows(new_rows, changed_rows, audit_rows):
    """PostgreSQL: COPY, a hundred times faster than INSERTs for a month's worth of figures."""
    observation = Observation._meta.db_table
    with connection.cursor() as cursor:
        _copy(cursor, observation, NEW_COLUMNS, new_rows)
        if changed_rows:
            # Dropped at commit; dropped here too for a second write in the same transaction.
            cursor.execute("DROP TABLE IF EXISTS changed_figures")
            cursor.execute(
                "CREATE TEMP TABLE changed_figures (id bigint, value numeric, numerator numeric,"
                " denominator numeric, note text, quality text, updated_at timestamptz,"
                " updated_by_id integer) ON COMMIT DROP"
            )
            _copy(cursor, "changed_figures", CHANGED_COLUMNS, changed_rows)
            cursor.execute(
                f"UPDATE {observation} AS o SET value = c.value, numerator = c.numerator, "
                "denominator = c.denominator, note = c.note, quality = c.quality, "
                "updated_at = c.updated_at, updated_by_id = c.updated_by_id "
                "FROM changed_figures AS c WHERE o.id = c.id"
            )
        _copy(cursor, ObservationChange._meta.db_table, AUDIT_COLUMNS, audit_rows)


def _copy(cursor, table, columns, rows):
    if not rows:
        return
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _orm_rows(new_rows, changed_rows, audit_rows):
    """Any other database: the ORM, a batch at a time so memory stays flat."""
    for start in range(0, len(new_rows), BATCH):
        Observation.objects.bulk_create(
            Observation(**dict(zip(NEW_COLUMNS, row, strict=True)))
            for row in new_rows[start : start + BATCH]
        )
    for start in range(0, len(changed_rows), BATCH):
        Observation.objects.bulk_update(
            [
                Observation(**dict(zip(CHANGED_COLUMNS, row, strict=True)))
                for row in changed_rows[start : start + BATCH]
            ],
            CHANGED_COLUMNS[1:],
        )
    for start in range(0, len(audit_rows), BATCH):
        ObservationChange.objects.bulk_create(
            ObservationChange(**dict(zip(AUDIT_COLUMNS, row, strict=True)))
            for row in audit_rows[start : start + BATCH]
        )


def _decimal(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value


def _recompute_after(upload, measure_ids):
    """Queue the statuses of a committed upload (the upload without ``statuses_ready_at`` is
    the record the sweeper finds if the broker cannot take it)."""
    from metrics.tasks import recompute_after_upload

    ids = [int(i) for i in measure_ids]
    Measure.objects.filter(pk__in=ids).update(recompute_wanted_at=timezone.now())
    enqueue(recompute_after_upload, upload.pk, ids)


def retry_statuses(upload):
    """Work out a loaded file's statuses again, after a failure."""
    if upload.status != Upload.Status.COMMITTED or upload.statuses_ready_at:
        raise Refused("The statuses of this file are not waiting to be worked out.")
    with transaction.atomic():
        Upload.objects.filter(pk=upload.pk).update(
            statuses_error="", stage="Working out the statuses", percent=0
        )
        _recompute_after(upload, upload.changes.values_list("measure_id", flat=True).distinct())


def discard(upload):
    if upload.status not in (Upload.Status.READY, Upload.Status.INVALID, Upload.Status.CHECKING):
        raise Refused("Only a file that has not been loaded can be discarded.")
    upload.status = Upload.Status.DISCARDED
    upload.save(update_fields=["status"])
    StagedFigure.objects.filter(upload=upload).delete()


def roll_back(upload, user, reason):
    """Put back every figure the upload changed, as it was; the rollback is audited too."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused("Give a reason for rolling back this upload.")
    if upload.kind == Upload.Kind.LIBRARY:
        from metrics.library_loading import roll_back_upload

        return roll_back_upload(upload, user, reason)
    if upload.kind == Upload.Kind.FINANCE:
        from metrics.finance import roll_back_upload as roll_back_finance

        return roll_back_finance(upload, user, reason)
    with transaction.atomic():
        locked = upload.locked(Upload.Status.COMMITTED)
        changes = list(locked.changes.exclude(action=ObservationChange.Action.ROLLBACK))
        measure_ids = sorted({c.measure_id for c in changes})
        list(Measure.objects.select_for_update().filter(pk__in=measure_ids).order_by("pk"))
        last = max((c.pk for c in changes), default=0)
        # A later upload that was itself rolled back left the figures as it found them.
        undone = Upload.objects.filter(status=Upload.Status.ROLLED_BACK).values("pk")
        later = (
            ObservationChange.objects.filter(pk__gt=last, measure_id__in=measure_ids)
            .exclude(upload=locked)
            .exclude(upload__in=undone)
        )
        touched = {(c.measure_id, c.period_kind, c.period_end, c.breakdown) for c in changes}
        clash = next(
            (
                c
                for c in later.select_related("upload", "changed_by")
                if (c.measure_id, c.period_kind, c.period_end, c.breakdown) in touched
            ),
            None,
        )
        if clash:
            source = f"upload {clash.upload_id}" if clash.upload_id else "a correction"
            raise Refused(
                f"Some of these figures were changed again afterwards ({source} by "
                f"{clash.changed_by} on {clash.changed_at:%d %b %Y %H:%M}). Roll that back or "
                "correct the figures by hand instead."
            )
        now = timezone.now()
        restored = []
        for change in changes:
            observation = Observation.objects.get(
                measure_id=change.measure_id,
                period_kind=change.period_kind,
                period_end=change.period_end,
                breakdown=change.breakdown,
            )
            restored.append(
                ObservationChange(
                    measure_id=change.measure_id,
                    period_kind=change.period_kind,
                    period_end=change.period_end,
                    breakdown=change.breakdown,
                    action=ObservationChange.Action.ROLLBACK,
                    old_value=observation.value,
                    new_value=change.old_value,
                    old_numerator=observation.numerator,
                    new_numerator=change.old_numerator,
                    old_denominator=observation.denominator,
                    new_denominator=change.old_denominator,
                    old_note=observation.note,
                    new_note=change.old_note,
                    existed_before=True,
                    was_published=observation.published,
                    reason=reason,
                    upload=locked,
                    changed_by=user,
                    changed_at=now,
                )
            )
            if not change.existed_before:
                observation.delete()
                continue
            observation.value = change.old_value
            observation.numerator = change.old_numerator
            observation.denominator = change.old_denominator
            observation.note = change.old_note
            observation.updated_by = user
            observation.save()
        ObservationChange.objects.bulk_create(restored, batch_size=BATCH)
        Measure.objects.filter(pk__in=measure_ids).update(
            figures_revision=F("figures_revision") + 1
        )
        locked.status = Upload.Status.ROLLED_BACK
        locked.rolled_back_at = now
        locked.rolled_back_by = user
        locked.rollback_reason = reason
        locked.save()
        _recompute_measures(measure_ids)
    return locked


def _recompute_measures(measure_ids):
    Measure.objects.filter(pk__in=[int(i) for i in measure_ids]).request_recompute()


def correct(
    measure, period, breakdown, *, value, numerator=None, denominator=None, note="", user, reason
):
    """Correct or add one figure, with the same checks as a file and the same trail."""
    row = {
        "measure_code": measure.code,
        "period": period.key,
        "area": breakdown,
        "value": "" if value is None else str(value),
        "numerator": "" if numerator is None else str(numerator),
        "denominator": "" if denominator is None else str(denominator),
        "note": note,
    }
    table = pd.DataFrame([row], dtype=str)
    figures, problems, _ = figure_files.check(table, catalogue(), today=clock.today())
    if problems:
        raise Refused(" ".join(p.message for p in problems))
    with transaction.atomic():
        versions = {str(measure.pk): Measure.objects.get(pk=measure.pk).figures_revision}
        _lock_measures([measure.pk], versions)
        diff = compare(figures)
        if diff["is_changed"].any() and diff["was_published"].any() and not reason.strip():
            raise Refused("Give a reason: this figure has already been published.")
        if not reason.strip():
            raise Refused("Give a reason for the correction.")
        counts = _write(diff, user=user, reason=reason.strip())
        _recompute_measures([measure.pk])
    return counts


def publish(area, period, user):
    """Publish an area's figures, commentary and narrative for a period: members see them from
    now on. Publishing is allowed with red measures that have no commentary; which they were is
    kept with the publication."""
    missing = red_without_commentary(area, period)
    return _set_published(
        area,
        period,
        user,
        Publication.Action.PUBLISH,
        "",
        missing="; ".join(f"{m.code} {m.name}" for m in missing),
    )


def red_without_commentary(area, period):
    """The area's measures that are red for the period (drafts included) with no commentary
    written for it: what members will ask about first."""
    from metrics.models import MeasureStatus, Rag

    red = MeasureStatus.objects.in_view(drafts=True).filter(
        measure__area=area,
        measure__active=True,
        period_kind=period.kind,
        period_end=period.end,
        breakdown="",
        rag=Rag.RED,
    )
    explained = Commentary.objects.filter(
        measure__area=area, period_kind=period.kind, period_end=period.end
    ).values("measure_id")
    return list(
        Measure.objects.filter(pk__in=red.values("measure_id"))
        .exclude(pk__in=explained)
        .order_by("order", "code")
    )


def withdraw(area, period, user, reason):
    """Withdraw published figures (with a reason): members no longer see them."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused("Give a reason for withdrawing published figures.")
    return _set_published(area, period, user, Publication.Action.WITHDRAW, reason)


def _set_published(area, period, user, action, reason, missing=""):
    published = action == Publication.Action.PUBLISH
    in_period = {"measure__area": area, "period_kind": period.kind, "period_end": period.end}
    with transaction.atomic():
        # Lock and move the area's measures' versions, as a load does: a file checked before
        # the publication must be checked again, since what it changes is now published.
        measure_ids = list(area.measures.values_list("pk", flat=True))
        versions = dict(
            Measure.objects.filter(pk__in=measure_ids).values_list("pk", "figures_revision")
        )
        _lock_measures(measure_ids, {str(pk): version for pk, version in versions.items()})
        count = Observation.objects.filter(**in_period, published=not published).update(
            published=published
        )
        Commentary.objects.filter(**in_period).update(published=published)
        Narrative.objects.filter(area=area, period_kind=period.kind, period_end=period.end).update(
            published=published
        )
        # What members see changes now (commentary, narrative), before the recompute runs.
        type(area).objects.filter(pk=area.pk).update(figures_version=F("figures_version") + 1)
        Publication.objects.create(
            area=area,
            period_kind=period.kind,
            period_end=period.end,
            action=action,
            figures=count,
            reason=reason,
            red_without_commentary=missing,
            by=user,
            at=timezone.now(),
        )
        _recompute_measures(measure_ids)
    return count
