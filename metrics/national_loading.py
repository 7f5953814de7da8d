"""Load the DfE's and Ofsted's published files as they are published.

`load(paths)` recognises each file by its columns: an explore-education-statistics CSV
(`time_period, geographic_level, …`), a statistical-neighbour table (CSV or the DfE's XLSX),
LAIT's data dictionary, or Ofsted's inspection outcomes (ODS). Loading is idempotent: a value
already stored as published is left alone; a later publication's different figure replaces it
and the change is kept as a `NationalRevision` with both figures; an earlier publication never
overwrites a later one (its different figure is kept as a revision all the same).
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import F

from metrics import national_catalogue as catalogue
from metrics.models import (
    Comparator,
    Geography,
    Measure,
    NationalMeasure,
    NationalRevision,
    NationalValue,
    Neighbour,
    NeighbourModel,
    OfstedJudgement,
)

ENGLAND = "E92000001"
MARKERS = {marker for marker, _ in NationalValue.Marker.choices if marker}
# Councils that ceased, and what became of them. Their figures stay, under their own code.
CEASED = {
    "928": "Ceased 31 March 2021: split into North Northamptonshire (940) and West "
    "Northamptonshire (941)",
    "909": "Ceased 31 March 2023: split into Cumberland (942) and Westmorland and Furness (943)",
}
QUANTUM = Decimal("0.0001")


class NationalFileError(ValueError):
    """A file that cannot be read: the message names the file and what is wrong."""


@dataclass
class Report:
    lines: list = field(default_factory=list)
    added: int = 0
    revised: int = 0
    unchanged: int = 0
    older: int = 0
    problems: list = field(default_factory=list)

    def say(self, text):
        self.lines.append(text)


class _FileRefused(Exception):
    pass


def load(paths, report=None, refresh=True):
    """Load every file, each in its own transaction: a file with any problem (a cell that is
    neither a figure nor a marker, a code that is not a council's) is not loaded at all, its
    problems are reported with their file, row and column, and the other files load. Then
    recompute the linked measures' comparators."""
    report = report or Report()
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise NationalFileError(f"{path}: there is no such file.")
        counts = (report.added, report.revised, report.unchanged, report.older)
        problems, lines = len(report.problems), len(report.lines)
        try:
            with transaction.atomic():
                _load_one(path, report)
                if len(report.problems) > problems:
                    raise _FileRefused
        except _FileRefused:
            report.added, report.revised, report.unchanged, report.older = counts
            del report.lines[lines:]
            found = len(report.problems) - problems
            report.say(
                f"{path.name}: not loaded, {found} problem{'s' if found != 1 else ''}; nothing "
                "from it was written."
            )
    if refresh:
        refresh_comparators()
    return report


def _load_one(path, report):
    suffix = path.suffix.lower()
    if suffix == ".ods":
        return load_ofsted(path, report)
    if suffix == ".parquet":
        return load_lait(path, report)
    if suffix == ".xlsx":
        return load_neighbours(path, _neighbour_table_xlsx(path), report)
    if suffix != ".csv":
        raise NationalFileError(
            f"{path.name}: not a file this reads (CSV from explore-education-statistics, the "
            "DfE's statistical neighbour table, LAIT's data dictionary or dataset, Ofsted's ODS)."
        )
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as error:
        raise NationalFileError(f"{path.name}: not a readable CSV ({error}).") from None
    columns = set(frame.columns)
    if {"time_period", "geographic_level"} <= columns:
        return load_ees(path.name, frame, report)
    if {"Measure", "Polarity"} <= columns:
        return load_dictionary(path.name, frame, report)
    if _neighbour_columns(list(frame.columns)):
        return load_neighbours(path, frame, report)
    raise NationalFileError(
        f"{path.name}: its columns ({', '.join(list(frame.columns)[:6])}…) are not those of a "
        "file this reads."
    )


# Explore-education-statistics files
# --------------------------------------------------------------------------------------------


def _period_end(period, year_basis):
    """`2022` is the year to 31 March 2022 (workforce: at 30 September 2022); a six-digit
    financial year `202122` ends in March 2022."""
    text = period.strip()
    if re.fullmatch(r"\d{6}", text):
        return date(int(text[:4]) + 1, 3, 31)
    if not re.fullmatch(r"\d{4}", text):
        return None
    year = int(text)
    if year_basis == catalogue.SEPTEMBER:
        return date(year, 9, 30)
    if year_basis == catalogue.ACADEMIC:
        return date(year, 8, 31)
    return date(year, 3, 31)


def _geography_codes(frame):
    level = frame["geographic_level"]
    codes = np.select(
        [level == "National", level == "Regional", level == "Local authority"],
        [
            frame.get("country_code", pd.Series(ENGLAND, index=frame.index)).replace("", ENGLAND),
            frame.get("region_code", ""),
            frame.get("old_la_code", ""),
        ],
        default="",
    )
    return pd.Series(codes, index=frame.index).str.strip()


def _layout_for(spec, frame):
    columns = set(frame.columns)
    for layout in spec.layouts:
        if not layout.columns() <= columns:
            continue
        if all((frame[column] == wanted).any() for column, wanted in layout.where.items()):
            return layout
    return None


def _select(frame, where):
    mask = pd.Series(True, index=frame.index)
    for column, wanted in where.items():
        mask &= frame[column] == wanted
    return frame[mask]


def _decimal(text):
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number.quantize(QUANTUM) if number.is_finite() else None


def _years_months(text):
    match = re.fullmatch(r"\s*(\d+):(\d{1,2})\s*", text or "")
    return Decimal(int(match[1]) * 12 + int(match[2])) if match else None


def load_ees(name, frame, report):
    frame = frame.copy()
    frame["geo_code_"] = _geography_codes(frame)
    frame = frame[frame["geo_code_"] != ""]
    years = pd.to_numeric(frame["time_period"].str[:4], errors="coerce")
    if years.isna().all():
        raise NationalFileError(f"{name}: column time_period holds no year.")
    vintage = int(years.max())
    geographies = _sync_geographies(frame, vintage)
    matched = 0
    for spec in catalogue.CATALOGUE:
        layout = _layout_for(spec, frame)
        if layout is None:
            continue
        matched += 1
        measure = _sync_measure(spec, layout, name, vintage)
        rows = _rows_of(spec, layout, frame, name, report)
        _store(measure, rows, geographies, name, vintage, f"{layout.publication} {vintage}", report)
    if not matched:
        raise NationalFileError(
            f"{name}: none of the catalogue's measures is in this file (its columns: "
            f"{', '.join(c for c in frame.columns if c != 'geo_code_')[:300]})."
        )
    report.say(f"{name}: {matched} measure{'s' if matched != 1 else ''}, years to {vintage}.")


def _rows_of(spec, layout, frame, name, report):
    chosen = _select(frame, layout.where)
    keys = ["time_period", "geo_code_"]
    out = chosen[keys].copy()
    out["text"] = chosen[layout.value].str.strip()
    out["numerator"] = chosen[layout.numerator] if layout.numerator else ""
    if isinstance(layout.denominator, dict):
        totals = _select(frame, layout.denominator["where"])[
            keys + [layout.denominator["column"]]
        ].rename(columns={layout.denominator["column"]: "denominator"})
        totals = totals.drop_duplicates(keys)
        out = out.merge(totals, on=keys, how="left").fillna({"denominator": ""})
        out.index = chosen.index
    elif layout.denominator:
        out["denominator"] = chosen[layout.denominator]
    else:
        out["denominator"] = ""
    records = []
    for line, row in zip(out.index, out.itertuples(index=False), strict=True):
        period_end = _period_end(row.time_period, spec.year_basis)
        if period_end is None:
            report.problems.append(
                f"{name}, row {line + 2}, column time_period: '{row.time_period[:20]}' is not a "
                "year."
            )
            continue
        text = row.text
        value = _years_months(text) if layout.years_months else _decimal(text)
        marker = ""
        if value is None:
            if text.lower() in MARKERS:
                marker = text.lower()
            elif text == "" or text in {"-", ".", ":"}:
                marker = "-"
            else:
                report.problems.append(
                    f"{name}, row {line + 2}, column {layout.value}: '{text[:20]}' is neither a "
                    "figure nor one of the publication's markers (c, x, z, u, k)."
                )
                continue
        records.append(
            (
                row.geo_code_,
                row.time_period.strip(),
                period_end,
                value,
                marker,
                _decimal(row.numerator),
                _decimal(row.denominator),
            )
        )
    return records


def _sync_geographies(frame, vintage):
    """Every place in the file, created or brought up to date from its latest row."""
    known = {g.code: g for g in Geography.objects.all()}
    latest = frame.assign(year_=frame["time_period"].str[:4]).sort_values("year_")
    latest = latest.drop_duplicates("geo_code_", keep="last")
    regions = {}
    for row in latest.itertuples(index=False):
        level = row.geographic_level
        if level == "National":
            fields = {"name": "England", "level": Geography.Level.ENGLAND, "ons_code": ENGLAND}
        elif level == "Regional":
            fields = {
                "name": row.region_name,
                "level": Geography.Level.REGION,
                "ons_code": row.region_code,
            }
        else:
            joint = "/" in row.geo_code_
            fields = {
                "name": row.la_name,
                "level": Geography.Level.JOINT if joint else Geography.Level.COUNCIL,
                "ons_code": "" if joint else getattr(row, "new_la_code", ""),
            }
            regions[row.geo_code_] = getattr(row, "region_code", "")
        geography = known.get(row.geo_code_)
        if geography is None:
            geography = Geography.objects.create(code=row.geo_code_, **fields)
            known[row.geo_code_] = geography
        elif int(row.year_ or 0) >= vintage and any(
            getattr(geography, key) != value for key, value in fields.items() if value
        ):
            for key, value in fields.items():
                if value:
                    setattr(geography, key, value)
            geography.save()
    # ONS codes seen over the years (councils were recoded: Gloucestershire kept E10000013)
    if "new_la_code" in frame.columns:
        seen = (
            frame[frame["geographic_level"] == "Local authority"]
            .groupby("geo_code_")["new_la_code"]
            .agg(lambda codes: sorted({c for c in codes if c}))
        )
        for code, codes in seen.items():
            geography = known[code]
            merged = sorted(set(filter(None, geography.ons_codes_seen.split(" "))) | set(codes))
            if " ".join(merged) != geography.ons_codes_seen:
                geography.ons_codes_seen = " ".join(merged)
                geography.save(update_fields=["ons_codes_seen"])
    for code, region_code in regions.items():
        region = known.get(region_code)
        geography = known[code]
        current = code not in CEASED
        note = CEASED.get(code, geography.note)
        if geography.level == Geography.Level.JOINT:
            note = f"Joint return of {' and '.join(code.split(' / '))}"
        if (geography.region_id, geography.current, geography.note) != (
            region.pk if region else geography.region_id,
            current,
            note,
        ):
            geography.region = region or geography.region
            geography.current = current
            geography.note = note
            geography.save(update_fields=["region", "current", "note"])
    return known


def _sync_measure(spec, layout, name, vintage):
    denominator = layout.denominator
    if isinstance(denominator, dict):
        where = ", ".join(f"{k} = {v}" for k, v in denominator["where"].items())
        denominator = f"{denominator['column']} (row where {where})"
    fields = {
        "name": spec.name,
        "unit": spec.unit,
        "precision": spec.precision,
        "year_basis": spec.year_basis,
        "lait_name": spec.lait,
        "source_file": name,
        "source_column": layout.value,
        "numerator_column": layout.numerator,
        "denominator_column": denominator,
        "filters": ", ".join(f"{k} = {v}" for k, v in layout.where.items()),
        "publication": f"{layout.publication} {vintage}",
    }
    measure, created = NationalMeasure.objects.get_or_create(
        key=spec.key,
        defaults={**fields, "polarity": spec.polarity, "definition": spec.definition},
    )
    stored_vintage = _vintage_of(measure.publication)
    if not created and vintage >= stored_vintage:
        changed = [key for key, value in fields.items() if getattr(measure, key) != value]
        for key in changed:
            setattr(measure, key, fields[key])
        if changed:
            measure.save(update_fields=changed)
    return measure


def _vintage_of(publication):
    found = re.search(r"(\d{4})$", publication or "")
    return int(found[1]) if found else 0


def _store(measure, records, geographies, name, vintage, publication, report):
    stored = {(v.geography_id, v.period): v for v in NationalValue.objects.filter(measure=measure)}
    known_revisions = set(
        NationalRevision.objects.filter(value__measure=measure).values_list(
            "value_id", "old_value", "old_marker", "new_value", "new_marker"
        )
    )
    new, changed, revisions = [], [], []
    for code, period, period_end, value, marker, numerator, denominator in records:
        geography = geographies[code]
        current = stored.get((geography.pk, period))
        if current is None:
            new.append(
                NationalValue(
                    measure=measure,
                    geography=geography,
                    period=period,
                    period_end=period_end,
                    value=value,
                    marker=marker,
                    numerator=numerator,
                    denominator=denominator,
                    publication=publication,
                    vintage=vintage,
                    source_file=name,
                )
            )
            continue
        if (current.value, current.marker) == (value, marker):
            if (current.numerator, current.denominator) != (numerator, denominator) and (
                vintage >= current.vintage
            ):
                current.numerator, current.denominator = numerator, denominator
                changed.append(current)
            else:
                report.unchanged += 1
            continue
        newer = vintage >= current.vintage
        old = (current.value, current.marker, current.publication, current.source_file)
        incoming = (value, marker, publication, name)
        first, last = (old, incoming) if newer else (incoming, old)
        key = (current.pk, first[0], first[1], last[0], last[1])
        if key in known_revisions:
            if not newer:
                report.unchanged += 1
                continue
        else:
            known_revisions.add(key)
            revisions.append(
                NationalRevision(
                    value=current,
                    old_value=first[0],
                    old_marker=first[1],
                    old_publication=first[2],
                    old_source_file=first[3],
                    new_value=last[0],
                    new_marker=last[1],
                    new_publication=last[2],
                    new_source_file=last[3],
                )
            )
        if newer:
            current.value, current.marker = value, marker
            current.numerator, current.denominator = numerator, denominator
            current.publication, current.vintage, current.source_file = publication, vintage, name
            changed.append(current)
            report.revised += 1
        else:
            report.older += 1  # a first-published figure, kept beside the revised one
    NationalValue.objects.bulk_create(new, batch_size=2000)
    NationalValue.objects.bulk_update(
        changed,
        ["value", "marker", "numerator", "denominator", "publication", "vintage", "source_file"],
        batch_size=2000,
    )
    NationalRevision.objects.bulk_create(revisions, batch_size=2000)
    report.added += len(new)
    if new or changed or revisions:
        NationalMeasure.objects.filter(pk=measure.pk).update(version=F("version") + 1)


# LAIT's dataset: one row per measure, year and place
# --------------------------------------------------------------------------------------------

LAIT_COLUMNS = ["Short Desc", "Years", "LA and Regions", "Values", "LA Number"]


def load_lait(path, report):
    """LAIT's benchmarking dataset (parquet). Its councils carry their DfE code; England and
    the regions carry LAIT's own numbers (970…), so they are matched by name to the places the
    DfE's files brought. Its "-" means no value, for any reason."""
    from fastparquet import ParquetFile

    try:
        frame = ParquetFile(str(path)).to_pandas(columns=LAIT_COLUMNS)
    except Exception as error:  # a damaged or foreign parquet file raises many kinds
        raise NationalFileError(
            f"{path.name}: not LAIT's dataset (needs the columns {', '.join(LAIT_COLUMNS)}): "
            f"{error}"
        ) from None
    frame = frame.astype({"Values": str, "Years": str, "LA and Regions": str})
    places = {g.code: g for g in Geography.objects.all()}
    by_name = {g.name.lower(): g for g in places.values() if not g.is_council}
    matched = 0
    for spec in catalogue.CATALOGUE:
        layout = spec.layouts[0]
        short = layout.where.get("Short Desc")
        if not short:
            continue
        rows = frame[frame["Short Desc"] == short]
        if rows.empty:
            continue
        matched += 1
        years = rows["Years"].str.fullmatch(r"\d{4}")
        vintage = int(rows.loc[years, "Years"].astype(int).max()) if years.any() else 0
        measure = _sync_measure(spec, layout, path.name, vintage)
        records = []
        for row in rows.itertuples(index=False):
            name = row[2].strip()
            number = row[4]
            code = None
            if number == number and number < 970:  # not NaN: a council's DfE code
                code = f"{int(number):03d}"
                if code not in places:
                    places[code] = _council(places, code, name)
            elif name.lower() in by_name:
                code = by_name[name.lower()].code
            elif name.lower() == "england":
                code = ENGLAND
            if code is None or code not in places:
                continue  # LAIT's own groupings (inner and outer London…), which the DfE does not
            period_end = _period_end(row[1], spec.year_basis)
            if period_end is None:
                continue  # three-year averages ("2014-16"): not a year of this measure
            text = row[3].strip()
            value = _decimal(text)
            marker = ""
            if value is None:
                marker = text.lower() if text.lower() in MARKERS else "-"
            records.append((code, row[1].strip(), period_end, value, marker, None, None))
        _store(measure, records, places, path.name, vintage, f"{catalogue.LAIT} {vintage}", report)
    report.say(f"{path.name}: {matched} measures from LAIT's dataset.")


# Statistical neighbours
# --------------------------------------------------------------------------------------------


def _neighbour_columns(header):
    """Positions of SN1…SN10 (or SN_1…SN_10) in a header; closeness is the column after."""
    positions = {}
    for position, name in enumerate(header):
        match = re.fullmatch(r"SN_?(\d{1,2})", str(name).strip())
        if match and 1 <= int(match[1]) <= 10:
            positions[int(match[1])] = position
    return positions if len(positions) == 10 else None


def _neighbour_table_xlsx(path):
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise NationalFileError(f"{path.name}: not a readable XLSX ({error}).") from None
    for sheet in book.worksheets:
        rows = sheet.iter_rows(values_only=True, max_row=2000, max_col=40)
        for index, row in enumerate(rows):
            if index > 20:
                break
            header = ["" if cell is None else str(cell) for cell in row]
            if _neighbour_columns(header):
                body = [["" if cell is None else str(cell) for cell in values] for values in rows]
                return pd.DataFrame(body, columns=_unique(header))
    raise NationalFileError(f"{path.name}: no sheet has the columns SN1 … SN10.")


def _unique(header):
    seen = {}
    out = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}.{seen[name] - 1}")
    return out


def _code(text):
    text = str(text).strip()
    return text[:-2] if text.endswith(".0") else text


def load_neighbours(path, frame, report):
    year = re.search(r"(20\d{2})", path.name)
    if not year:
        raise NationalFileError(
            f"{path.name}: the file's name does not say which year's model it is (2021, 2025)."
        )
    year = int(year[1])
    header = list(frame.columns)
    positions = _neighbour_columns(header)
    name_column = next((c for c in header if "name" in c.lower()), header[1])
    model, _ = NeighbourModel.objects.update_or_create(
        year=year,
        defaults={
            "name": f"DfE statistical neighbours, {year} model",
            "source": f"{path.name}, published by the Department for Education",
        },
    )
    known = {g.code: g for g in Geography.objects.all()}
    rows = []
    for line, values in enumerate(frame.itertuples(index=False), start=2):
        council_code = _code(values[0])
        if not re.fullmatch(r"\d{3}", council_code):
            continue
        council = _council(known, council_code, values[header.index(name_column)])
        for rank, position in sorted(positions.items()):
            code = _code(values[position])
            if code in {"", "-", "None", "nan"}:
                continue  # the model gives this council no neighbour of that rank
            if not re.fullmatch(r"\d{3}", code):
                report.problems.append(
                    f"{path.name}, row {line}, column {header[position]}: '{code[:10]}' is not "
                    "a council's 3-digit code."
                )
                continue
            closeness = values[position + 1] if position + 1 < len(values) else ""
            rows.append((council, rank, _council(known, code, ""), str(closeness).strip()))
    wanted = {(c.pk, rank, n.pk, closeness) for c, rank, n, closeness in rows}
    have = set(model.neighbours.values_list("council_id", "rank", "neighbour_id", "closeness"))
    if wanted == have:
        report.say(f"{path.name}: {model.name}, unchanged.")
        return
    model.neighbours.all().delete()
    NeighbourModel.objects.filter(pk=model.pk).update(version=F("version") + 1)
    Neighbour.objects.bulk_create(
        Neighbour(model=model, council=c, rank=rank, neighbour=n, closeness=closeness)
        for c, rank, n, closeness in rows
    )
    councils = len({c.pk for c, *_ in rows})
    report.say(f"{path.name}: {model.name}, ten neighbours for each of {councils} councils.")


def _council(known, code, name):
    geography = known.get(code)
    if geography is None:
        geography = Geography.objects.create(
            code=code,
            name=str(name).strip() or code,
            level=Geography.Level.COUNCIL,
            current=code not in CEASED,
            note=CEASED.get(code, ""),
        )
        known[code] = geography
    return geography


# LAIT's data dictionary: the DfE's polarity and definitions
# --------------------------------------------------------------------------------------------

POLARITY = {"high": catalogue.HIGH, "low": catalogue.LOW}


def load_dictionary(name, frame, report):
    entries = {str(row["Measure"]).strip(): row for _, row in frame.iterrows() if row["Measure"]}
    refreshed = 0
    for measure in NationalMeasure.objects.exclude(lait_name=""):
        row = entries.get(measure.lait_name)
        if row is None:
            report.problems.append(
                f"{name}: no measure named '{measure.lait_name}' (for {measure.key})."
            )
            continue
        polarity = POLARITY.get(str(row["Polarity"]).strip().lower(), "")
        description = re.sub(r"[ \t]*\r*\n", "\n", str(row.get("Description", ""))).strip()
        definition = re.sub(r"\n{3,}", "\n\n", description) or measure.definition
        if (measure.polarity, measure.definition) != (polarity, definition):
            measure.polarity, measure.definition = polarity, definition
            measure.version += 1
            measure.save(update_fields=["polarity", "definition", "version"])
            refreshed += 1
    report.say(f"{name}: polarity and definitions checked, {refreshed} brought up to date.")


# Ofsted's inspection outcomes
# --------------------------------------------------------------------------------------------

OFSTED_SHEET = "ILACS_inspection_history"
OFSTED_COLUMNS = {
    "Local authority area code": "ons",
    "Inspection date": "inspected_on",
    "Publication date": "published_on",
    "Inspection type": "kind",
    "Overall effectiveness": "overall",
    "The impact of leaders on social work practice with children and families": "leaders",
    "The experiences and progress of children who need help and protection": "help_and_protection",
    "The experiences and progress of children in care": "in_care",
    "The experiences and progress of care leavers": "care_leavers",
}


def load_ofsted(path, report):
    try:
        frame = pd.read_excel(path, engine="odf", sheet_name=OFSTED_SHEET, header=2, dtype=str)
    except ValueError as error:
        raise NationalFileError(
            f"{path.name}: no sheet '{OFSTED_SHEET}' with Ofsted's inspection history ({error})."
        ) from None
    missing = [c for c in OFSTED_COLUMNS if c not in frame.columns]
    if missing:
        raise NationalFileError(
            f"{path.name}, sheet {OFSTED_SHEET}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}."
        )
    frame = frame.rename(columns=OFSTED_COLUMNS).fillna("")
    by_ons = {}
    for geography in Geography.objects.filter(level=Geography.Level.COUNCIL):
        for ons in {geography.ons_code, *geography.ons_codes_seen.split(" ")} - {""}:
            by_ons[ons] = geography
    stored = {(j.council_id, j.inspected_on, j.kind): j for j in OfstedJudgement.objects.all()}
    added = unchanged = 0
    fields = [
        "published_on",
        "overall",
        "leaders",
        "help_and_protection",
        "in_care",
        "care_leavers",
    ]
    for line, row in enumerate(frame.itertuples(index=False), start=4):
        council = by_ons.get(row.ons.strip())
        if council is None:
            report.problems.append(
                f"{path.name}, sheet {OFSTED_SHEET}, row {line}: no council with ONS code "
                f"'{row.ons[:12]}' (load the DfE's files first)."
            )
            continue
        inspected_on = pd.to_datetime(row.inspected_on, errors="coerce")
        if pd.isna(inspected_on):
            report.problems.append(
                f"{path.name}, sheet {OFSTED_SHEET}, row {line}, column Inspection date: "
                f"'{row.inspected_on[:20]}' is not a date."
            )
            continue
        published_on = pd.to_datetime(row.published_on, errors="coerce")
        values = {
            "published_on": None if pd.isna(published_on) else published_on.date(),
            **{key: getattr(row, key).strip() for key in fields[1:]},
        }
        key = (council.pk, inspected_on.date(), row.kind.strip())
        current = stored.get(key)
        if current is None:
            OfstedJudgement.objects.create(
                council=council, inspected_on=key[1], kind=key[2], source=path.name, **values
            )
            added += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            current.save()
            added += 1
        else:
            unchanged += 1
    report.say(f"{path.name}: {added} inspections added or updated, {unchanged} unchanged.")


# The comparators the scorecard shows, computed from the national figures
# --------------------------------------------------------------------------------------------


def refresh_comparators(measures=None):
    """Replace the national comparators of every linked measure (or those given) with those the
    published figures give now. Imported lazily to keep the rules in one place."""
    from metrics.national import comparators_for

    measures = (
        Measure.objects.filter(national_measure__isnull=False) if measures is None else (measures)
    )
    for measure in measures:
        wanted = comparators_for(measure)
        have = [
            (c.kind, c.label, c.value, c.as_at, c.period_label, c.source, c.availability)
            for c in measure.comparators.filter(national=True).order_by("pk")
        ]
        if have == [
            (c.kind, c.label, c.value, c.as_at, c.period_label, c.source, c.availability)
            for c in wanted
        ]:
            continue
        measure.comparators.filter(national=True).delete()
        Comparator.objects.bulk_create(wanted)
    Comparator.objects.filter(national=True, measure__national_measure__isnull=True).delete()


def in_loading_order(paths):
    """Places before the tables that name them: the DfE's figures (which bring every council's
    codes), then neighbours, the dictionary and Ofsted; skips files that are not data."""

    def order(path):
        suffix = path.suffix.lower()
        if suffix in {".ods", ".parquet"}:
            return 3
        name = path.name.lower()
        if "dictionary" in name:
            return 2
        if (
            name.startswith(("sn_", "new_statistical", "statistical_neighbours"))
            or suffix == ".xlsx"
        ):
            return 1
        return 0

    data = [p for p in paths if p.suffix.lower() in {".csv", ".xlsx", ".ods", ".parquet"}]
    return sorted(data, key=lambda p: (order(p), str(p)))
