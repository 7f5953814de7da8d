"""A scorecard row as plain data: one shape, the API's (its field names are the API's published
contract), which a meeting pack freezes. Figures come twice: as numbers for programs and as the
text the measure prints them as ("44.0%"), so a frozen pack keeps what was read on the day even
if the measure's precision changes later. ``scrutiny.packs.readable`` reads a pack frozen in an
earlier shape."""

from metrics import calculations as calc


def day(value):
    """A date as YYYY-MM-DD, or None."""
    return value.isoformat() if value else None


def comparator(found):
    return {
        "kind": found.kind,
        "label": found.label,
        "availability": found.availability,
        "value": calc.as_float(found.value),
        "as_at": day(found.as_at),
        "period": found.period_label,
        "source": found.source,
    }


def _figure(measure, value):
    return {
        "value": calc.as_float(value),
        "value_text": "" if value is None else measure.format_value(value),
    }


def scorecard_row(measure, periods):
    """A measure from ``Measure.objects.for_scorecard``: its status in the latest of
    ``periods``, the figures of each, the status before, comparators, commentary and any
    revision of a published figure."""
    status = measure.status
    before = measure.history[-2] if len(measure.history) > 1 else None
    comparators = measure.shown_comparators
    figure = _figure(measure, status.value if status else None)
    target = _figure(measure, status.target if status else None)
    return {
        "code": measure.code,
        "name": measure.name,
        "section": measure.section.name if measure.section else None,
        "unit": measure.unit,
        "polarity": measure.polarity,
        **figure,
        "target": target["value"],
        "target_text": target["value_text"],
        "rag": status.rag if status else "no_value",
        "direction": status.direction if status else "not_comparable",
        "direction_year": status.direction_year if status else "not_comparable",
        "spc_variation": status.spc_variation if status else "not_enough_data",
        "spc_assurance": status.spc_assurance if status else "not_enough_data",
        "comparator": comparator(comparators[0]) if comparators else None,
        "comparators_shown": [c.summary for c in comparators],
        "revision": status.revision.revision_data(measure)
        if status and getattr(status, "revision", None)
        else None,
        "history": [
            {"period": period.label, **_figure(measure, s.value if s else None)}
            for period, s in zip(periods, measure.history, strict=True)
        ],
        "previous": {"rag": before.rag, **_figure(measure, before.value)} if before else None,
        "commentary": measure.comment.text if measure.comment else "",
    }
