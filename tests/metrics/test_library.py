"""Importing a measure library: every rule says what is wrong and where (sheet, row, column),
nothing is written until the file is clean, and a clean file is loaded with its trail."""

from datetime import date
from decimal import Decimal

import pytest

from metrics import library_loading
from metrics.loading import Refused
from metrics.models import Comparator, Measure, ServiceArea, Target
from scrutiny.audit import AuditEntry
from tests.factories import make_measure, make_target, make_user
from tests.files import xlsx

MEASURES = ["code", "name", "area", "section", "unit", "polarity", "frequency", "tolerance"]
TARGETS = ["measure_code", "value", "effective_from", "effective_to", "kind"]
COMPARATORS = ["measure_code", "kind", "value", "as_at", "period_label"]


def workbook(measures=(), targets=(), comparators=(), headers=None):
    headers = headers or {}
    return xlsx(
        {
            name: [headers.get(name, header), *rows]
            for name, header, rows in (
                ("Measures", MEASURES, measures),
                ("Targets", TARGETS, targets),
                ("Comparators", COMPARATORS, comparators),
            )
            if rows or name in headers
        }
    )


VISITS = [
    "W01",
    "Initial visits in time",
    "Social Care",
    "Contact",
    "percent",
    "Bigger is Better",
    "Quarterly",
    "5",
]
REFERRALS = ["W02", "Re-referrals", "Social Care", "Contact", "percent", "smaller", "month", ""]


def checked(data, name="library.xlsx"):
    return library_loading.read_and_check(data, name)


def messages(data, name="library.xlsx"):
    _, problems = checked(data, name)
    return [(p.sheet, p.row, p.column.split(" ")[0], p.message) for p in problems]


def test_keys_and_labels_are_both_understood(db):
    library, problems = checked(workbook([VISITS, REFERRALS]))
    assert problems == []
    first, second = library.measures
    assert (first["polarity"], first["frequency"], second["polarity"], second["frequency"]) == (
        "bigger",
        "quarter",
        "smaller",
        "month",
    )


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ({5: "Purple is best"}, "F", "Unknown polarity 'Purple is best'"),
        ({4: "litres"}, "E", "Unknown unit 'litres'"),
        ({6: "Fortnightly"}, "G", "Unknown frequency 'Fortnightly'"),
        ({0: "W 01"}, "A", "is not a code"),
        ({1: "x" * 301}, "B", "The name is 301 characters; at most 300."),
        ({7: "five"}, "H", "'five' is not a number."),
    ],
)
def test_each_bad_measure_value_is_named_with_its_sheet_row_and_column(db, row, column, message):
    bad = list(VISITS)
    for index, value in row.items():
        bad[index] = value
    found = messages(workbook([bad]))
    assert len(found) == 1 and found[0][:3] == ("Measures", 2, column)
    assert message in found[0][3]


def test_a_duplicate_code_an_unknown_column_and_an_empty_file_are_refused(db):
    assert messages(workbook([VISITS, VISITS])) == [
        ("Measures", 3, "A", "The code W01 is also at row 2.")
    ]
    unknown = messages(workbook([VISITS], headers={"Measures": [*MEASURES[:-1], "colour"]}))
    assert unknown[0][:3] == ("Measures", 1, "H") and "Unknown column 'colour'" in unknown[0][3]
    assert messages(b"") == [("", None, "", "The file is empty.")]
    empty = messages(workbook(headers={"Measures": MEASURES}))
    assert empty == [("", None, "", "The file has no rows in it.")]


def test_target_rules(db):
    rows = [
        ["W01", "120", "2022-04", "", "standard"],  # a percentage above 100
        ["W02", "20", "2022/23 Q1", "", ""],  # a quarter for a monthly measure
        ["W03", "20", "2022-04", "", ""],  # no such measure
    ]
    found = messages(workbook([VISITS, REFERRALS], rows))
    assert ("Targets", 2, "B") == found[0][:3] and "between 0 and 100" in found[0][3]
    assert ("Targets", 3, "C") == found[1][:3] and "reported" in found[1][3]
    assert ("Targets", 4, "A") == found[2][:3] and "Unknown measure code 'W03'" in found[2][3]
    overlap = [
        ["W01", "80", "2022-04", "2023-03", ""],
        ["W01", "85", "2022-10", "", "stretch"],
    ]
    found = messages(workbook([VISITS], overlap))
    assert found == [("Targets", 3, "C", "This target of W01 overlaps the one at row 2.")]


def test_a_quarterly_target_from_april_applies_from_the_quarter_ending_june(db):
    library, problems = checked(workbook([VISITS], [["W01", "80", "2022-04", "", ""]]))
    assert problems == [] and library.targets[0]["effective_from"] == date(2022, 6, 1)


def test_a_clean_file_is_loaded_with_its_trail_and_an_open_target_is_ended(db):
    officer = make_user()
    existing = make_measure(code="W01", frequency="quarter")
    make_target(measure=existing, value=75, effective_from=date(2021, 6, 1))
    data = workbook(
        [VISITS, REFERRALS],
        [["W01", "80", "2022-04", "", ""], ["W02", "18", "2022-04", "", "stretch"]],
        [
            ["W01", "England", "77.3", "2022-03", "2021/22"],
            ["W02", "Region", "not available", "", ""],
        ],
    )
    library, problems = checked(data)
    assert problems == []
    summary = library_loading.preview(library)
    assert summary["new_measures"] == ["W02"] and summary["new_areas"] == ["Social Care"]
    assert summary["new_sections"] == ["Social Care / Contact"]
    assert {name for name, _, _ in summary["changed_measures"][0]["changes"]} >= {"name", "area"}
    with pytest.raises(Refused, match="Give a reason"):
        library_loading.commit(library, officer, "")
    assert not ServiceArea.objects.filter(name="Social Care").exists()  # nothing half-written

    library, _ = checked(data)
    library_loading.commit(library, officer, "New library for 2022/23")
    visits = Measure.objects.get(code="W01")
    assert (visits.name, visits.area.name, visits.section.name) == (
        "Initial visits in time",
        "Social Care",
        "Contact",
    )
    targets = list(Target.objects.filter(measure=visits).order_by("effective_from"))
    assert [(t.value, t.effective_from, t.effective_to) for t in targets] == [
        (Decimal("75.0000"), date(2021, 6, 1), date(2022, 3, 1)),
        (Decimal("80.0000"), date(2022, 6, 1), None),
    ]
    region = Comparator.objects.get(measure__code="W02")
    assert (region.availability, region.value) == ("not_available", None)
    entry = AuditEntry.objects.for_object(visits).get(field="name")
    assert (entry.old_value, entry.new_value, entry.reason) == (
        existing.name,
        "Initial visits in time",
        "New library for 2022/23",
    )
    assert Measure.objects.get(code="W02").recompute_wanted_at is not None


def test_a_csv_of_one_kind_is_recognised_by_its_header(db):
    make_measure(code="W01", frequency="quarter")
    text = "measure_code,value,effective_from\nW01,80,Jun22\n"
    library, problems = checked(text.encode(), "targets.csv")
    assert problems == [] and library.targets[0]["value"] == Decimal("80")
    _, problems = checked(b"what,is,this\n1,2,3\n", "odd.csv")
    assert "The header is not that of measures" in problems[0].message


def test_the_hostile_files_are_refused_quickly(db):
    import re
    import time

    from tests.metrics.test_figures import _with_sheet_xml

    bomb = _with_sheet_xml(
        workbook([VISITS]),
        lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml),
    )
    started = time.monotonic()
    library, problems = checked(bomb)
    assert problems == [] and len(library.measures) == 1
    assert time.monotonic() - started < 5
    assert checked(b"PK\x03\x04garbage")[1][0].message == "The file is not a valid XLSX workbook."


def test_the_command_previews_loads_and_names_problems(db, tmp_path, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    make_user(username="officer")
    good = tmp_path / "library.xlsx"
    good.write_bytes(workbook([VISITS]))
    call_command("import_measures", str(good), "--user", "officer", "--dry-run")
    assert "1 new measures" in capsys.readouterr().out and not Measure.objects.exists()
    call_command("import_measures", str(good), "--user", "officer")
    assert Measure.objects.get().code == "W01"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([[*VISITS[:5], "sideways", *VISITS[6:]]]))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_measures", str(bad), "--user", "officer")
    assert "bad.xlsx: Measures row 2 F (polarity): Unknown polarity" in capsys.readouterr().err


def test_on_the_upload_page_the_library_is_previewed_confirmed_and_rolled_back(
    client_for, db, eager_tasks, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from metrics.models import Upload
    from scrutiny import roles

    existing = make_measure(code="W01", frequency="quarter", name="Old name")
    make_target(measure=existing, value=75, effective_from=date(2021, 6, 1))
    officer = client_for(roles.PERFORMANCE_OFFICER)
    data = workbook([VISITS, REFERRALS], [["W01", "80", "2022-04", "", ""]])
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            "/upload/", {"kind": "library", "file": SimpleUploadedFile("library.xlsx", data)}
        )
    page = officer.get(response["Location"]).content.decode()
    assert "Check what this file changes in the measure library" in page
    assert "Discard this file" in page
    assert "Old name" in page and "Initial visits in time" in page and "W02" in page
    assert "Ended by the next target: W01 75.0000 from Jun 2021 to Mar 2022" in page
    upload = Upload.objects.get()
    refused = officer.post(f"/upload/{upload.pk}/confirm/", {"reason": ""}, follow=True)
    assert "Give a reason" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(f"/upload/{upload.pk}/confirm/", {"reason": "2022/23 library"})
    upload.refresh_from_db()
    assert upload.status == "committed" and upload.statuses_ready_at is not None
    assert Measure.objects.get(code="W01").name == "Initial visits in time"
    assert Measure.objects.filter(code="W02").exists()

    with django_capture_on_commit_callbacks(execute=True):
        officer.post(f"/upload/{upload.pk}/rollback/", {"reason": "Wrong file"})
    upload.refresh_from_db()
    assert upload.status == "rolled_back"
    visits = Measure.objects.get(code="W01")
    assert visits.name == "Old name" and visits.frequency == "quarter"
    assert not Measure.objects.filter(code="W02").exists()
    assert [(t.value, t.effective_to) for t in Target.objects.filter(measure=visits)] == [
        (Decimal("75.0000"), None)
    ]
    assert AuditEntry.objects.filter(context=f"rollback of upload {upload.pk}").exists()


def test_the_library_exported_and_imported_back_changes_nothing(client_for, demo):
    from scrutiny import roles

    exported = client_for(roles.PERFORMANCE_OFFICER).get("/upload/measure-library.xlsx")
    assert exported.status_code == 200
    library, problems = checked(exported.content)
    assert problems == [], problems[:5]
    summary = library_loading.preview(library)
    assert summary["new_measures"] == [] and summary["changed_measures"] == []
    assert (summary["targets"], summary["comparators"], summary["new_areas"]) == (0, 0, [])
    assert (summary["new_risks"], summary["changed_risks"]) == ([], [])


RISKS = ["reference", "title", "register", "owner", "inherent_impact", "inherent_likelihood",
         "target_score", "measures", "new_this_quarter"]  # fmt: skip


def _risks_workbook(rows):
    return xlsx({"Risks": [RISKS, *rows]})


def test_a_risk_register_is_checked_loaded_and_rolled_back_with_the_library(
    db, eager_tasks, django_capture_on_commit_callbacks
):
    from improvement_plan.models import Risk
    from metrics import loading

    make_measure(code="CSC11")
    found = messages(
        _risks_workbook([["SR1", "Workforce", "Strategic", "", "6", "2", "40", "NOPE", "maybe"]])
    )
    assert [(sheet, row, column) for sheet, row, column, _ in found] == [
        ("Risks", 2, "E"),  # impact 6
        ("Risks", 2, "F"),  # so a likelihood without an impact
        ("Risks", 2, "G"),  # target score 40
        ("Risks", 2, "H"),  # no measure NOPE
        ("Risks", 2, "I"),  # "maybe" is not yes or no
    ]
    twice = [["SR1", "Workforce", "Strategic"], ["SR1", "Sufficiency", "Strategic"]]
    assert messages(_risks_workbook(twice)) == [
        ("Risks", 3, "A", "The reference SR1 is also at row 2.")
    ]
    officer = make_user()
    data = _risks_workbook(
        [
            ["SR1", "Workforce", "Strategic Risk 7", "DCS", "4", "3", "8", "CSC11", "yes"],
            ["SR2", "Sufficiency", "Strategic Risk 7", "", "", "", "", "", ""],
        ]
    )
    upload = loading.receive(data, "register.xlsx", officer, kind="library")
    loading.check_upload(upload)
    upload.refresh_from_db()
    assert upload.status == "ready" and upload.summary["new_risks"] == ["SR1", "SR2"]
    with django_capture_on_commit_callbacks(execute=True):
        loading.commit(upload, officer, "")
    risk = Risk.objects.get(reference="SR1")
    assert (risk.inherent, risk.register.name, risk.new_this_quarter) == (
        12,
        "Strategic Risk 7",
        True,
    )
    assert [m.code for m in risk.measures.all()] == ["CSC11"]
    assert AuditEntry.objects.for_object(risk).filter(field="title").exists()
    upload.refresh_from_db()
    loading.roll_back(upload, officer, "Wrong register")
    assert not Risk.objects.exists()


def _plan_workbook(version="1.0", action_workstream="1.1", actions_twice=False):
    sheets = {
        "Plan": (["title", "version", "aim"], [["Improvement Plan", version, "Better help"]]),
        "Priorities": (["number", "title"], [["1", "Workforce"]]),
        "Workstreams": (
            ["priority", "number", "title", "lead", "rationale", "objectives"],
            [
                [
                    "1",
                    "1.1",
                    "Recruitment",
                    "Head of Workforce",
                    "Agency above 30% | Turnover",
                    "Stable workforce",
                ]
            ],
        ),
        "Actions": (
            ["workstream", "reference", "text", "owners", "due_month"],
            [[action_workstream, "1.1-A01", "Overseas campaign", "Ann; HR team", "2022-09"]]
            * (2 if actions_twice else 1),
        ),
        "Milestones": (
            ["workstream", "reference", "name", "month"],
            [["1.1", "M1", "Launch", "Oct22"]],
        ),
        "Metrics": (
            ["workstream", "reference", "name", "measure_code", "printed_values"],
            [["1.1", "K1", "Agency rate", "CSC13", ""]],
        ),
    }
    return xlsx({name: [header, *rows] for name, (header, rows) in sheets.items()})


def test_an_improvement_plan_is_loaded_from_its_workbook_and_rolled_back(
    db, eager_tasks, django_capture_on_commit_callbacks
):
    from improvement_plan.models import KeyAction, Plan, Workstream
    from metrics import loading

    make_measure(code="CSC13")
    found = messages(_plan_workbook(action_workstream="9.9"))
    assert found == [("Actions", 2, "A", "There is no workstream 9.9 in the file.")]
    twice = messages(_plan_workbook(actions_twice=True))
    assert twice == [("Actions", 3, "B", "The reference 1.1-A01 is also at row 2.")]
    officer = make_user()
    upload = loading.receive(_plan_workbook(), "plan.xlsx", officer, kind="library")
    loading.check_upload(upload)
    upload.refresh_from_db()
    assert upload.status == "ready", upload.problems
    assert upload.summary["plan"].startswith("Improvement Plan 1.0 (new)")
    with django_capture_on_commit_callbacks(execute=True):
        loading.commit(upload, officer, "")
    workstream = Workstream.objects.get(number="1.1")
    assert [i.text for i in workstream.items.filter(kind="local")] == [
        "Agency above 30%",
        "Turnover",
    ]
    rationale = AuditEntry.objects.for_object(workstream).get(field="rationale")
    assert rationale.new_value == "Agency above 30%\nTurnover"
    action = KeyAction.objects.get()
    assert (action.due_month, sorted(o.name for o in action.owners.all())) == (
        date(2022, 9, 1),
        ["Ann", "HR team"],
    )
    assert workstream.metrics.get().measure.code == "CSC13"

    other = loading.receive(_plan_workbook(version="2.0"), "plan2.xlsx", officer, kind="library")
    loading.check_upload(other)
    other.refresh_from_db()
    assert (
        other.status == "invalid" and "current plan is version 1.0" in other.problems[0]["message"]
    )

    upload.refresh_from_db()
    loading.roll_back(upload, officer, "Wrong plan")
    assert not Plan.objects.exists() and not KeyAction.objects.exists()


def test_spc_settings_are_read_and_checked(db):
    header = [*MEASURES, "spc_run_length", "spc_screen_ranges", "spc_baseline_points"]
    library, problems = checked(
        workbook([[*VISITS, "8", "no", "15"]], headers={"Measures": header})
    )
    assert problems == []
    row = library.measures[0]
    assert (row["spc_run_length"], row["spc_screen_ranges"], row["spc_baseline_points"]) == (
        8,
        False,
        15,
    )
    found = messages(workbook([[*VISITS, "1", "maybe", "3"]], headers={"Measures": header}))
    assert [column for _, _, column, _ in found] == ["I", "J", "K"]


def test_a_measure_moved_to_another_area_leaves_the_old_areas_counts(db):
    from metrics.models import AreaRagCount
    from tests.factories import make_observation

    measure = make_measure(code="W01", frequency="quarter")
    old_area = measure.area
    make_observation(measure=measure, value=50)
    Measure.objects.filter(pk=measure.pk).recompute_statuses()
    assert AreaRagCount.objects.filter(area=old_area).exists()
    library, problems = checked(workbook([VISITS]))
    assert problems == []
    library_loading.commit(library, make_user(), "Moved to Social Care")
    assert not AreaRagCount.objects.filter(area=old_area).exists()
