"""The measure library from a spreadsheet into the database: what it would change (the
preview), then all of it in one transaction with the audit trail, and the statuses of every
measure it touched recomputed."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from metrics import calculations as calc
from metrics import library as reading
from metrics.loading import Refused
from metrics.models import (
    AreaRagCount,
    Comparator,
    Frequency,
    Measure,
    NationalMeasure,
    Polarity,
    ReportingBasis,
    Section,
    ServiceArea,
    Target,
    ToleranceKind,
    Unit,
)
from scrutiny import clock
from scrutiny.audit import AuditEntry

# The link to the DfE's measure this one is compared with (set only when the file has them).
LINK_FIELDS = ["national_measure", "national_note"]
# A measure's own fields as the library sets them (its code, area and section are looked up).
MEASURE_FIELDS = [
    c for c in reading.MEASURE_COLUMNS if c not in ("code", "area", "section", *LINK_FIELDS)
]
# Changing any of these changes how statuses are judged: a reason is required.
JUDGING = {
    "polarity",
    "frequency",
    "tolerance_kind",
    "tolerance",
    "judged",
    *Measure.SPC_FIELDS,
}


def choices():
    return {
        "unit": Unit.choices,
        "polarity": Polarity.choices,
        "frequency": Frequency.choices,
        "reporting_basis": ReportingBasis.choices,
        "tolerance_kind": ToleranceKind.choices,
        "deadband_kind": ToleranceKind.choices,
        "kind": Target.Kind.choices,
        "comparator_kind": Comparator.Kind.choices,
        "availability": Comparator.Availability.choices,
        "national_measure": list(NationalMeasure.objects.values_list("key", "key")),
    }


def read_and_check(data, name, max_bytes=20 * 1024 * 1024):
    """``(library, problems)``; the library is None when the file cannot be read."""
    try:
        frames = reading.read_library(name, data, max_bytes)
    except reading.FileRejected as rejected:
        return None, [
            reading.LibraryProblem("", p.row, p.column, p.field, p.message)
            for p in rejected.problems
        ]
    stored = {
        code: {"frequency": frequency, "unit": unit}
        for code, frequency, unit in Measure.objects.values_list("code", "frequency", "unit")
    }
    library, problems = reading.check_library(
        frames, choices=choices(), measures=stored, today=clock.today()
    )
    problems += _check_national_links(library.measures if library else [])
    return library, problems


def _check_national_links(rows):
    """A measure is compared with a national one only where both count the same direction as
    better."""
    national = {m.key: m for m in NationalMeasure.objects.all()}
    problems = []
    for row in rows:
        found = national.get(row.get("national_measure") or "")
        if found and found.polarity and row["polarity"] != found.polarity:
            problems.append(
                reading.LibraryProblem(
                    "Measures",
                    row["_row"],
                    row["_col"].get("national_measure", ""),
                    "national_measure",
                    f"{found.key}: the DfE counts {found.get_polarity_display().lower()}, "
                    f"but {row['code']} is {dict(Polarity.choices)[row['polarity']].lower()}.",
                )
            )
    return problems


def _link(measure, row, national):
    """Set the measure's national link from the row, where the file has the columns; returns
    the (field, old, new) changes."""
    changes = []
    if "national_measure" in row:
        new = national.get(row["national_measure"]) if row["national_measure"] else None
        old = measure.national_measure.key if measure.national_measure_id else ""
        if old != (new.key if new else ""):
            changes.append(("national_measure", old, new.key if new else ""))
            measure.national_measure = new
    if "national_note" in row and row["national_note"] != measure.national_note:
        changes.append(("national_note", measure.national_note, row["national_note"]))
        measure.national_note = row["national_note"]
    return changes


def _text(value):
    return "" if value is None else str(value)


def _raw(value):
    """A field's value as JSON keeps it (None stays None, so that it comes back as None)."""
    return value if value is None or isinstance(value, (bool, int, str)) else str(value)


def preview(library):
    """What committing the library would change, as plain data for a page or a terminal."""
    stored = {
        m.code: m for m in Measure.objects.filter(code__in=[r["code"] for r in library.measures])
    }
    areas = set(ServiceArea.objects.values_list("name", flat=True))
    national = {m.key: m for m in NationalMeasure.objects.all()}
    new_measures, changed, judging = [], [], []
    for row in library.measures:
        measure = stored.get(row["code"])
        if measure is None:
            new_measures.append(row["code"])
            continue
        differences = [
            (name, _text(getattr(measure, name)), _text(row[name]))
            for name in MEASURE_FIELDS
            if _same(getattr(measure, name), row[name]) is False
        ]
        if measure.area.name != row["area"]:
            differences.append(("area", measure.area.name, row["area"]))
        differences += _link(measure, row, national)
        if differences:
            changed.append({"code": row["code"], "changes": differences})
            judging += [row["code"] for name, _, _ in differences if name in JUDGING]
    ended = reading.end_open_targets(library.targets)
    _drop_unchanged(library)
    stored_open = [
        f"{target.measure.code} {target.value} from {target.effective_from:%b %Y} to "
        f"{calc.add_months(row['effective_from'], -calc.MONTHS_IN[row['frequency']]):%b %Y}"
        for row in library.targets
        for target in Target.objects.filter(
            measure__code=row["measure_code"],
            effective_to__isnull=True,
            effective_from__lt=row["effective_from"],
        ).select_related("measure")
    ]
    return {
        "new_measures": new_measures,
        "changed_measures": changed,
        "new_areas": sorted({r["area"] for r in library.measures} - areas),
        "new_sections": sorted(
            {f"{r['area']} / {r['section']}" for r in library.measures if r["section"]}
            - {f"{a} / {n}" for a, n in Section.objects.values_list("area__name", "name")}
        ),
        "targets": len(library.targets),
        "targets_ended_by_the_next": stored_open
        + [
            f"{t['measure_code']} {t['value']} from {t['effective_from']:%b %Y} to "
            f"{t['effective_to']:%b %Y}"
            for t in ended
        ],
        "comparators": len(library.comparators),
        **_register().preview(library.risks),
        **_plan().preview(library.plan),
        "needs_reason": sorted(set(judging)) or (["targets"] if library.targets else []),
    }


def _register():
    # The register belongs to the improvement plan's app, which sits on the measures': it is
    # reached at run time, so that the measures never import it.
    from improvement_plan import register_loading

    return register_loading


def _plan():
    from improvement_plan import plan_loading

    return plan_loading


def _drop_unchanged(library):
    """Targets and comparators already stored as they are in the file are left alone, so
    exporting the library and importing it back changes nothing."""
    library.targets = _unstored(
        library.targets,
        Target,
        {
            "measure_code": "measure__code",
            "effective_from": "effective_from",
            "effective_to": "effective_to",
            "value": "value",
            "kind": "kind",
        },
    )
    library.comparators = _unstored(
        library.comparators,
        Comparator,
        {
            "measure_code": "measure__code",
            "kind": "kind",
            "availability": "availability",
            "value": "value",
            "as_at": "as_at",
            "period_label": "period_label",
        },
    )


def _unstored(rows, model, fields):
    """The file's rows not already stored exactly so; ``fields`` maps each of a row's keys to
    the field that stores it. Numbers compare as numbers (the file's 85 is the stored 85.0000)."""

    def plain(value):
        return float(value) if isinstance(value, (Decimal, int, float)) else value

    stored = {
        tuple(plain(v) for v in values) for values in model.objects.values_list(*fields.values())
    }
    return [r for r in rows if tuple(plain(r[key]) for key in fields) not in stored]


def _same(stored, new):
    if stored is None or new is None:
        return stored == new
    try:
        return float(stored) == float(new) if not isinstance(new, (str, bool)) else stored == new
    except (TypeError, ValueError):
        return stored == new


def commit(library, user, reason="", context=""):
    """Write the library in one transaction: areas and sections, measures (changes audited),
    targets (an open target followed by a new one is ended), comparators; then recompute."""
    summary = preview(library)
    reason = (reason or "").strip()
    if summary["needs_reason"] and not reason:
        raise Refused(
            "Give a reason: this file changes how statuses are judged ("
            + ", ".join(summary["needs_reason"][:5])
            + ")."
        )
    context = context or "measure library import"
    touched = set()
    undo = {"measures": [], "changed": [], "targets": [], "ended": [], "comparators": []}
    national = {m.key: m for m in NationalMeasure.objects.all()}
    with transaction.atomic():
        for row in library.measures:
            area, _ = ServiceArea.objects.get_or_create(
                name=row["area"], defaults={"slug": _slug(row["area"])}
            )
            section = None
            if row["section"]:
                section, _ = Section.objects.get_or_create(area=area, name=row["section"])
            measure = Measure.objects.filter(code=row["code"]).first()
            before = Measure.objects.get(pk=measure.pk) if measure else None
            if before:
                undo["changed"].append(
                    {
                        "pk": before.pk,
                        **{n: _raw(getattr(before, n)) for n in MEASURE_FIELDS},
                        "area_id": before.area_id,
                        "section_id": before.section_id,
                        "national_measure_id": before.national_measure_id,
                        "national_note": before.national_note,
                    }
                )
            measure = measure or Measure(code=row["code"])
            _link(measure, row, national)
            for name in MEASURE_FIELDS:
                setattr(measure, name, row[name])
            measure.area, measure.section = area, section
            measure.save()
            if before and before.area_id != area.pk:
                # The area it left stops counting it at once, not at its next recompute.
                AreaRagCount.rebuild([before.area_id])
            AuditEntry.record_changes(
                measure,
                before,
                user=user,
                reason=reason,
                context=context,
                fields=["code", *MEASURE_FIELDS, "area", "section", *LINK_FIELDS],
            )
            touched.add(measure.pk)
            if before is None:
                undo["measures"].append(measure.pk)
        ids = dict(Measure.objects.values_list("code", "pk"))
        for target in library.targets:
            measure_id = ids[target["measure_code"]]
            step = calc.MONTHS_IN[target["frequency"]]
            for open_target in Target.objects.filter(
                measure_id=measure_id,
                effective_to__isnull=True,
                effective_from__lt=target["effective_from"],
            ):
                # Runs until the new target starts: ended the period before, and said so.
                open_target.effective_to = calc.add_months(target["effective_from"], -step)
                undo["ended"].append(open_target.pk)
                AuditEntry.save_with_trail(
                    open_target, user=user, reason=reason, context=context, fields=["effective_to"]
                )
            created = Target(measure_id=measure_id, **_own_fields(target, Target))
            try:
                created.full_clean()
            except Exception as error:  # noqa: BLE001 - reported with its row
                raise Refused(
                    f"Targets row {target['_row']}: {'; '.join(_messages(error))}"
                ) from None
            created.save()
            undo["targets"].append(created.pk)
            AuditEntry.record_changes(created, None, user=user, reason=reason, context=context)
            touched.add(measure_id)
        for row in library.comparators:
            comparator = Comparator.objects.create(
                measure_id=ids[row["measure_code"]], **_own_fields(row, Comparator)
            )
            undo["comparators"].append(comparator.pk)
            AuditEntry.record_changes(comparator, None, user=user, reason=reason, context=context)
            touched.add(comparator.measure_id)
        _register().commit(library.risks, user=user, reason=reason, context=context, undo=undo)
        _plan().commit(library.plan, user=user, reason=reason, context=context, undo=undo)
        Measure.objects.filter(pk__in=touched).request_recompute()
        _refresh_national(touched)
    return summary, undo, sorted(touched)


def _own_fields(row, model):
    """A file row's values for the model's own fields: the row also carries its measure's code,
    frequency and row number, which are not stored on it."""
    names = {field.name for field in model._meta.concrete_fields}
    return {key: value for key, value in row.items() if key in names}


def check_upload(upload):
    """Check a library file on the upload path; the preview is the upload's summary."""
    from metrics.models import Upload

    data = upload.contents()
    library, problems = read_and_check(data, upload.original_name)
    summary = None
    if not problems:
        try:
            summary = preview(library)
        except Refused as refused:
            problems = [reading.LibraryProblem("Plan", 2, "", "version", str(refused))]
    if problems:
        upload.status = Upload.Status.INVALID
        upload.problem_count = len(problems)
        upload.problems = [p.as_dict() for p in problems[:1000]]
    else:
        upload.status = Upload.Status.READY
        upload.summary = _plain(summary)
        upload.rows = len(library.measures) + len(library.targets) + len(library.comparators)
    upload.stage, upload.percent = "Checked", 100
    upload.save()
    return upload


def _plain(summary):
    """The preview as JSON can keep it."""
    return {
        **summary,
        "changed_measures": [
            {"code": c["code"], "changes": [list(change) for change in c["changes"]]}
            for c in summary["changed_measures"]
        ],
    }


def commit_upload(upload, user, reason=""):
    """Load a checked library file: checked again inside the transaction, then committed,
    with what it did kept on the upload so that it can be rolled back."""
    from metrics.loading import _recompute_after
    from metrics.models import Upload

    data = upload.contents()
    with transaction.atomic():
        locked = upload.locked(Upload.Status.READY)
        library, problems = read_and_check(data, upload.original_name)
        if problems:
            raise Refused(
                "The file no longer passes its checks (the library may have changed). "
                "Upload it again to see why."
            )
        summary, undo, touched = commit(library, user, reason, context=f"upload {upload.pk}")
        locked.status = Upload.Status.COMMITTED
        locked.committed_at = timezone.now()
        locked.committed_by = user
        locked.reason = (reason or "").strip()
        locked.summary = {**_plain(summary), "undo": undo}
        locked.new_count = len(summary["new_measures"]) + len(summary["new_risks"])
        locked.changed_count = len(summary["changed_measures"])
        locked.stage, locked.percent = "Working out the statuses", 0
        locked.save()
        _recompute_after(locked, touched)
    return locked


def roll_back_upload(upload, user, reason):
    """Undo a library file: what it added is removed, what it changed is put back, the
    targets it ended run on again; refused once figures have been loaded for a measure it
    added. Every step is in the audit trail."""
    from metrics.models import Observation, Upload

    context = f"rollback of upload {upload.pk}"
    with transaction.atomic():
        locked = upload.locked(Upload.Status.COMMITTED)
        undo = locked.summary.get("undo", {})
        if Observation.objects.filter(measure_id__in=undo.get("measures", [])).exists():
            raise Refused(
                "Figures have been loaded for measures this file added: roll those back first."
            )
        touched = set()
        for model, key in ((Comparator, "comparators"), (Target, "targets")):
            for obj in model.objects.filter(pk__in=undo.get(key, [])):
                touched.add(obj.measure_id)
                AuditEntry.record_deletion(obj, user=user, reason=reason, context=context)
                obj.delete()
        for target in Target.objects.filter(pk__in=undo.get("ended", [])):
            target.effective_to = None
            AuditEntry.save_with_trail(
                target, user=user, reason=reason, context=context, fields=["effective_to"]
            )
            touched.add(target.measure_id)
        for old in undo.get("changed", []):
            measure = Measure.objects.get(pk=old["pk"])
            for name in MEASURE_FIELDS:
                setattr(measure, name, Measure._meta.get_field(name).to_python(old[name]))
            measure.area_id, measure.section_id = old["area_id"], old["section_id"]
            if "national_measure_id" in old:
                measure.national_measure_id = old["national_measure_id"]
                measure.national_note = old["national_note"]
            AuditEntry.save_with_trail(
                measure,
                user=user,
                reason=reason,
                context=context,
                fields=[*MEASURE_FIELDS, "area", "section", *LINK_FIELDS],
            )
            touched.add(measure.pk)
        _plan().roll_back(undo, user=user, reason=reason, context=context)
        _register().roll_back(undo, user=user, reason=reason, context=context)
        for measure in Measure.objects.filter(pk__in=undo.get("measures", [])):
            AuditEntry.record_deletion(measure, user=user, reason=reason, context=context)
            measure.delete()
        locked.status = Upload.Status.ROLLED_BACK
        locked.rolled_back_at = timezone.now()
        locked.rolled_back_by = user
        locked.rollback_reason = reason
        locked.save()
        Measure.objects.filter(pk__in=touched).request_recompute()
        _refresh_national(touched)
    return locked


def _messages(error):
    found = getattr(error, "message_dict", None)
    if found:
        return [f"{field}: {' '.join(texts)}" for field, texts in found.items()]
    return [str(m) for m in getattr(error, "messages", [str(error)])]


def _slug(name):
    from django.utils.text import slugify

    base = slugify(name)[:45] or "area"
    slug, number = base, 2
    while ServiceArea.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _refresh_national(measure_ids):
    """The comparators computed from the national statistics follow the measures' links."""
    from metrics.national_loading import refresh_comparators

    refresh_comparators(Measure.objects.filter(pk__in=measure_ids))
