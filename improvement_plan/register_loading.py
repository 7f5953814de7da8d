"""The risk register's rows of a library workbook: previewed and written with the rest of the
file, in its transaction, with the audit trail and what to undo."""

from improvement_plan.models import Risk, RiskRegister
from metrics.models import Measure
from scrutiny.audit import AuditEntry

RISK_FIELDS = [
    "title",
    "description",
    "owner",
    "inherent_impact",
    "inherent_likelihood",
    "target_score",
    "new_this_quarter",
    "source",
]


def _text(value):
    return "" if value is None else str(value)


def preview(rows):
    stored = {
        r.reference: r for r in Risk.objects.filter(reference__in=[r["reference"] for r in rows])
    }
    new, changed = [], []
    for row in rows:
        risk = stored.get(row["reference"])
        if risk is None:
            new.append(row["reference"])
            continue
        differences = [
            [name, _text(getattr(risk, name)), _text(row[name])]
            for name in RISK_FIELDS
            if _text(getattr(risk, name)) != _text(row[name])
        ]
        if risk.register.name != row["register"]:
            differences.append(["register", risk.register.name, row["register"]])
        codes = sorted(m.code for m in risk.measures.all())
        if codes != sorted(row["measures"]):
            differences.append(["measures", ", ".join(codes), ", ".join(sorted(row["measures"]))])
        if differences:
            changed.append({"reference": row["reference"], "changes": differences})
    return {"new_risks": new, "changed_risks": changed}


def commit(rows, *, user, reason, context, undo):
    undo.setdefault("risks", [])
    undo.setdefault("changed_risks", [])
    for row in rows:
        register, _ = RiskRegister.objects.get_or_create(name=row["register"])
        risk = Risk.objects.filter(reference=row["reference"]).first()
        before = Risk.objects.get(pk=risk.pk) if risk else None
        old_codes = sorted(m.code for m in risk.measures.all()) if risk else []
        if before:
            undo["changed_risks"].append(
                {
                    "pk": before.pk,
                    **{n: getattr(before, n) for n in RISK_FIELDS},
                    "register_id": before.register_id,
                    "measures": [m.pk for m in before.measures.all()],
                }
            )
        risk = risk or Risk(reference=row["reference"])
        for name in RISK_FIELDS:
            setattr(risk, name, row[name])
        risk.register = register
        risk.save()
        risk.measures.set(Measure.objects.filter(code__in=row["measures"]))
        AuditEntry.record_changes(
            risk,
            before,
            user=user,
            reason=reason,
            context=context,
            fields=["reference", *RISK_FIELDS, "register"],
        )
        AuditEntry.record_set(
            risk, "measures", old_codes, row["measures"], user=user, reason=reason, context=context
        )
        if before is None:
            undo["risks"].append(risk.pk)


def roll_back(undo, *, user, reason, context):
    for old in undo.get("changed_risks", []):
        risk = Risk.objects.get(pk=old["pk"])
        for name in RISK_FIELDS:
            setattr(risk, name, old[name])
        risk.register_id = old["register_id"]
        AuditEntry.save_with_trail(
            risk, user=user, reason=reason, context=context, fields=[*RISK_FIELDS, "register"]
        )
        risk.measures.set(old["measures"])
    for risk in Risk.objects.filter(pk__in=undo.get("risks", [])):
        if risk.assessments.exists():
            from metrics.loading import Refused

            raise Refused(f"{risk.reference} has been reviewed since: close it instead.")
        AuditEntry.record_deletion(risk, user=user, reason=reason, context=context)
        risk.delete()
