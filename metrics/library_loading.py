"""The measure library from a spreadsheet into the database: what it would change (the
preview), then all of it in one transaction with the audit trail, and the statuses of every
measure it touched recomputed."""

from django.db import transaction
from django.utils import timezone

from metrics import calculations as calc
from metrics import library as reading
from metrics.loading import Refused
from metrics.models import (
    Comparator,
    Frequency,
    Measure,
    Polarity,
    ReportingBasis,
    Section,
    ServiceArea,
    Target,
    ToleranceKind,
    Unit,
)
from scrutiny.models import AuditEntry

MEASURE_FIELDS = [
    "name",
    "unit",
    "polarity",
    "frequency",
    "reporting_basis",
    "tolerance_kind",
    "tolerance",
    "deadband_kind",
    "deadband",
    "precision",
    "definition",
    "owner",
    "source",
    "judged",
    "active",
]
# Changing any of these changes how statuses are judged: a reason is required.
JUDGING = {"polarity", "frequency", "tolerance_kind", "tolerance", "judged"}


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
    return reading.check_library(
        frames, choices=choices(), measures=stored, today=timezone.localdate()
    )


def _text(value):
    return "" if value is None else str(value)


def preview(library):
    """What committing the library would change, as plain data for a page or a terminal."""
    stored = {
        m.code: m for m in Measure.objects.filter(code__in=[r["code"] for r in library.measures])
    }
    areas = set(ServiceArea.objects.values_list("name", flat=True))
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
        if differences:
            changed.append({"code": row["code"], "changes": differences})
            judging += [row["code"] for name, _, _ in differences if name in JUDGING]
    ended = reading.end_open_targets(library.targets)
    return {
        "new_measures": new_measures,
        "changed_measures": changed,
        "new_areas": sorted({r["area"] for r in library.measures} - areas),
        "targets": len(library.targets),
        "targets_ended_by_the_next": [
            f"{t['measure_code']} {t['value']} from {t['effective_from']:%b %Y} to "
            f"{t['effective_to']:%b %Y}"
            for t in ended
        ],
        "comparators": len(library.comparators),
        "needs_reason": sorted(set(judging)) or (["targets"] if library.targets else []),
    }


def _same(stored, new):
    if stored is None or new is None:
        return stored == new
    try:
        return float(stored) == float(new) if not isinstance(new, (str, bool)) else stored == new
    except (TypeError, ValueError):
        return stored == new


def commit(library, user, reason=""):
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
    context = "measure library import"
    touched = set()
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
            measure = measure or Measure(code=row["code"])
            for name in MEASURE_FIELDS:
                setattr(measure, name, row[name])
            measure.area, measure.section = area, section
            measure.save()
            AuditEntry.record_changes(
                measure,
                before,
                user=user,
                reason=reason,
                context=context,
                fields=["code", *MEASURE_FIELDS, "area", "section"],
            )
            touched.add(measure.pk)
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
                AuditEntry.save_with_trail(
                    open_target, user=user, reason=reason, context=context, fields=["effective_to"]
                )
            created = Target(
                measure_id=measure_id,
                value=target["value"],
                effective_from=target["effective_from"],
                effective_to=target["effective_to"],
                kind=target["kind"],
                source=target["source"],
                note=target["note"],
            )
            try:
                created.full_clean()
            except Exception as error:  # noqa: BLE001 - reported with its row
                raise Refused(
                    f"Targets row {target['_row']}: {'; '.join(_messages(error))}"
                ) from None
            created.save()
            AuditEntry.record_changes(created, None, user=user, reason=reason, context=context)
            touched.add(measure_id)
        for row in library.comparators:
            comparator = Comparator.objects.create(
                measure_id=ids[row["measure_code"]],
                kind=row["kind"],
                label=row["label"],
                availability=row["availability"],
                value=row["value"],
                as_at=row["as_at"],
                period_label=row["period_label"],
                source=row["source"],
            )
            AuditEntry.record_changes(comparator, None, user=user, reason=reason, context=context)
        Measure.objects.filter(pk__in=touched).request_recompute()
    return summary


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
