"""Benchmarking against every English council: the rules (DOMAIN.md, "Benchmarking"), the
import of the DfE's files as published, and the comparisons the scorecard shows."""

import math
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from metrics import calculations as calc
from metrics import national, national_catalogue, national_loading
from metrics.models import (
    Comparator,
    Geography,
    Measure,
    NationalMeasure,
    NationalRevision,
    NationalValue,
    Neighbour,
)
from scrutiny import roles
from scrutiny.audit import AuditEntry
from tests.factories import make_measure
from tests.files import saved

nan = math.nan


# The rules, on small hand-made sets
# --------------------------------------------------------------------------------------------


def test_ties_share_the_lowest_rank_and_smaller_is_better_ranks_lowest_first():
    assert calc.ranks([10, 20, 20, 30], calc.SMALLER).tolist() == [1, 2, 2, 4]
    assert calc.ranks([10, 20, 20, 30], calc.BIGGER).tolist() == [4, 2, 2, 1]


def test_a_council_without_a_value_has_no_rank_and_is_not_counted():
    ranked = calc.ranks([10, nan, 5], calc.SMALLER)
    assert ranked[0] == 2 and math.isnan(ranked[1]) and ranked[2] == 1


def test_no_rank_and_no_quartile_for_a_measure_without_polarity():
    assert np.isnan(calc.ranks([1, 2, 3], "")).all()
    assert calc.quartile_bands([1, 2, 3], calc.quartile_cuts([1, 2, 3]), "").tolist() == [""] * 3


def test_a_value_on_a_quartile_cut_falls_in_the_band_below_the_cut_in_value_order():
    """Values 1…9: numpy's linear quartiles are Q1 = 3, Q2 = 5, Q3 = 7 (exactly on values).
    Smaller is better: ≤ 3 is A, ≤ 5 is B, ≤ 7 is C, else D. Bigger is better: ≤ 3 is D,
    ≤ 5 is C, ≤ 7 is B, else A."""
    values = list(range(1, 10))
    cuts = calc.quartile_cuts(values)
    assert cuts.tolist() == [3, 5, 7]
    assert "".join(calc.quartile_bands(values, cuts, calc.SMALLER)) == "AAABBCCDD"
    assert "".join(calc.quartile_bands(values, cuts, calc.BIGGER)) == "DDDCCBBAA"


def test_quartiles_interpolate_between_values():
    """Values 10, 20, 30, 40: Q1 = 17.5, Q2 = 25, Q3 = 32.5."""
    assert calc.quartile_cuts([40, 10, nan, 30, 20]).tolist() == [17.5, 25, 32.5]


def test_neighbour_average_is_the_mean_of_those_with_a_value_and_says_how_many():
    assert calc.neighbour_average([10, None, 20, nan, 33]) == (21, 3)
    assert calc.neighbour_average([None, nan]) == (None, 0)


def test_against_the_neighbours_is_better_or_worse_by_polarity():
    assert calc.against(24.5, 20.27, calc.SMALLER) == ("worse", pytest.approx(4.23))
    assert calc.against(24.5, 20.27, calc.BIGGER) == ("better", pytest.approx(4.23))
    assert calc.against(20.0, 20.0, calc.BIGGER) == ("the same", 0.0)
    assert calc.against(24.5, None, calc.BIGGER) == ("not comparable", None)
    assert calc.against(24.5, 20.0, "") == ("not comparable", None)


def test_funnel_limits_narrow_as_the_denominator_grows():
    """England 20%: for n = 100 the 95% limits are 20 ± 1.96·√(0.2·0.8/100)·100 = 20 ± 7.84."""
    low, high = calc.funnel_limits(20.0, [100, 10_000], 1.96)
    assert low[0] == pytest.approx(12.16) and high[0] == pytest.approx(27.84)
    assert high[1] - low[1] < high[0] - low[0]
    low, high = calc.funnel_limits(70.0, [250_000], 1.96, per=10_000)
    assert high[0] == pytest.approx(70 + 1.96 * math.sqrt(70 * 10_000 / 250_000))
    assert calc.funnel_position(30, 12, 28, 10, 31) == "above"
    assert calc.funnel_position(32, 12, 28, 10, 31) == "far above"
    assert calc.funnel_position(20, 12, 28, 10, 31) == "within"


# Importing the files as published
# --------------------------------------------------------------------------------------------

HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,category,referral_count,rereferral_count,"
    "rereferral_percent\n"
)


def _ees(tmp_path, name, rows):
    path = tmp_path / name
    lines = [HEADER]
    for year, level, region, code, ons, council, referrals, re_referrals, percent in rows:
        region_name = {"E12000009": "South West", "": ""}[region]
        lines.append(
            f"{year},Reporting year,{level},E92000001,England,{region},{region_name},{code},"
            f"{ons},{council},Referrals and Re-referrals,{referrals},{re_referrals},{percent}\n"
        )
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _rows(year, gloucestershire="24.5", wiltshire="14.3"):
    return [
        (year, "National", "", "", "", "", 650000, 140000, "21.5"),
        (year, "Regional", "E12000009", "", "", "", 50000, 11000, "22.6"),
        (
            year,
            "Local authority",
            "E12000009",
            "916",
            "E10000013",
            "Gloucestershire",
            5000,
            1225,
            gloucestershire,
        ),
        (
            year,
            "Local authority",
            "E12000009",
            "865",
            "E06000054",
            "Wiltshire",
            4000,
            572,
            wiltshire,
        ),
        (
            year,
            "Local authority",
            "E12000009",
            "800",
            "E06000022",
            "Bath and North East Somerset",
            "c",
            "c",
            "c",
        ),
    ]


@pytest.fixture
def loaded(db, tmp_path):
    path = _ees(tmp_path, "referrals_2022.csv", _rows("2022") + _rows("2021", "23.0", "15.0"))
    report = national_loading.load([path])
    return path, report


def test_import_reads_every_geography_year_and_marker(loaded):
    _, report = loaded
    measure = NationalMeasure.objects.get(key="rereferrals_within_12_months")
    assert measure.polarity == calc.SMALLER
    assert measure.source_column == "rereferral_percent"
    assert measure.numerator_column == "rereferral_count"
    assert measure.publication == "Children in need 2022"
    value = NationalValue.objects.get(measure=measure, geography__code="916", period="2022")
    assert (value.value, value.numerator, value.denominator) == (
        Decimal("24.5"),
        Decimal("1225"),
        Decimal("5000"),
    )
    assert value.period_end == date(2022, 3, 31)
    suppressed = NationalValue.objects.get(measure=measure, geography__code="800", period="2022")
    assert suppressed.value is None and suppressed.marker == "c"
    assert suppressed.as_text == "Suppressed to protect confidentiality"
    england = Geography.objects.get(level=Geography.Level.ENGLAND)
    assert NationalValue.objects.get(measure=measure, geography=england, period="2022").value == (
        Decimal("21.5")
    )
    assert Geography.objects.get(code="916").region.name == "South West"
    assert report.problems == []


def test_importing_the_same_file_again_changes_nothing(loaded):
    path, _ = loaded
    before = list(NationalValue.objects.values_list("pk", "value", "marker", "publication"))
    report = national_loading.load([path])
    assert report.added == report.revised == report.older == 0
    assert list(NationalValue.objects.values_list("pk", "value", "marker", "publication")) == (
        before
    )
    assert not NationalRevision.objects.exists()


def test_a_later_publication_adds_its_year_and_keeps_both_figures_of_a_revised_one(
    loaded, tmp_path
):
    later = _ees(
        tmp_path,
        "referrals_2023.csv",
        _rows("2023", "25.0") + _rows("2022", "24.7") + _rows("2021", "23.0", "15.0"),
    )
    report = national_loading.load([later])
    assert report.revised == 1
    value = NationalValue.objects.get(
        measure__key="rereferrals_within_12_months", geography__code="916", period="2022"
    )
    assert value.value == Decimal("24.7") and value.publication == "Children in need 2023"
    revision = NationalRevision.objects.get(value=value)
    assert (revision.old_value, revision.new_value) == (Decimal("24.5"), Decimal("24.7"))
    assert revision.old_publication == "Children in need 2022"
    assert NationalValue.objects.filter(period="2023", geography__code="916").exists()
    # an earlier publication loaded afterwards never overwrites the later figure
    national_loading.load([loaded[0]])
    value.refresh_from_db()
    assert value.value == Decimal("24.7")
    assert NationalRevision.objects.filter(value=value).count() == 1


def test_a_bad_figure_is_reported_with_its_file_row_and_column_and_its_file_is_not_loaded(
    db, tmp_path
):
    rows = _rows("2022")
    rows[3] = rows[3][:-1] + ("fourteen",)
    bad = _ees(tmp_path, "bad.csv", rows)
    good = _ees(tmp_path, "good.csv", _rows("2021"))
    report = national_loading.load([bad, good])
    assert report.problems == [
        "bad.csv, row 5, column rereferral_percent: 'fourteen' is neither a figure nor one of "
        "the publication's markers (c, x, z, u, k)."
    ]
    assert "bad.csv: not loaded, 1 problem; nothing from it was written." in report.lines
    assert set(NationalValue.objects.values_list("period", flat=True)) == {"2021"}
    assert report.added == NationalValue.objects.count()
    with pytest.raises(CommandError, match="The files with problems were not loaded"):
        call_command(
            "import_national",
            str(bad),
            stdout=open("/dev/null", "w"),
            stderr=open("/dev/null", "w"),
        )


def test_a_file_no_measure_reads_is_refused_with_its_name(db, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("time_period,geographic_level,something\n2022,National,1\n")
    with pytest.raises(CommandError, match="other.csv: none of the catalogue's measures"):
        call_command("import_national", str(path))
    assert not NationalMeasure.objects.exists()


def test_joint_returns_and_ceased_councils(db, tmp_path):
    path = tmp_path / "workforce.csv"
    path.write_text(
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,agency_rate_fte\n"
        "2022,Reporting year,National,E92000001,England,,,,,,17.6\n"
        "2022,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,"
        "940 / 941,E06000061 / E06000062,North Northamptonshire / West Northamptonshire,21.0\n"
        "2020,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,928,"
        "E10000021,Northamptonshire,25.0\n"
        "2022,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,916,"
        "E10000013,Somewhere,10.0\n"
    )
    national_loading.load([path])
    joint = Geography.objects.get(code="940 / 941")
    assert joint.level == Geography.Level.JOINT
    assert not Geography.objects.get(code="928").current
    assert "split into North Northamptonshire" in Geography.objects.get(code="928").note
    north = Geography.objects.create(
        code="940", name="North Northamptonshire", level=Geography.Level.COUNCIL
    )
    measure = NationalMeasure.objects.get(key="sw_agency_rate")
    comparison = national.compare(measure, "2022", north)
    assert comparison.council.text == "21.0%" and comparison.council.joint
    assert comparison.period_end == date(2022, 9, 30)  # the workforce is at 30 September
    assert (comparison.council.rank, comparison.of) == (2, 2)  # the joint return counts once


def test_neighbour_tables_load_in_both_layouts(db):
    call_command(
        "import_national",
        "fixtures/dfe/sn_model_2025_wide.csv",
        "fixtures/dfe/New_Statistical_Neighbour_Groupings_April_2021.csv",
        stdout=open("/dev/null", "w"),
    )
    ranked = list(
        Neighbour.objects.filter(model__year=2025, council__code="916")
        .order_by("rank")
        .values_list("neighbour__code", flat=True)
    )
    assert ranked == ["937", "938", "850", "802", "865", "895", "855", "931", "881", "885"]
    assert Neighbour.objects.get(model__year=2021, council__code="916", rank=1).closeness == (
        "Extremely Close"
    )
    assert Neighbour.objects.filter(model__year=2021, council__code="928").count() == 10


# On the real files
# --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_gloucestershire_against_the_real_2021_22_re_referrals(national_data):
    """c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv, 2022 (year to March
    2022), column rereferral_percent. Gloucestershire 24.5; England 21.5; South West 22.6.
    2025-model neighbours: Warwickshire 20.5, West Sussex 25.6, Hampshire 35.7, North Somerset
    13.2, Wiltshire 14.3, Cheshire East 14.7, Leicestershire 19.6, Oxfordshire 18.2, Essex 19.7,
    Worcestershire 21.2: sum 202.7, average 20.27 (10 of 10). 150 councils published a figure
    (three c, ... markers aside); 125 of them are lower (better), so Gloucestershire ranks 126
    of 150; quartiles 16.9 / 19.6 / 22.15, so 24.5 is in band D."""
    measure = NationalMeasure.objects.get(key="rereferrals_within_12_months")
    comparison = national.compare(measure, "2022", Geography.objects.get(code="916"))
    assert comparison.council.text == "24.5%"
    assert comparison.neighbour_average == pytest.approx(20.27)
    assert comparison.neighbour_count == 10
    assert comparison.england.text == "21.5%" and comparison.region.text == "22.6%"
    assert (comparison.council.rank, comparison.of, comparison.council.quartile) == (126, 150, "D")
    assert comparison.cuts.tolist() == pytest.approx([16.9, 19.6, 22.15])
    assert comparison.model.year == 2025


@pytest.mark.django_db
def test_second_plans_and_the_2021_model(national_data):
    """d3_cpps_subsequent_plan_2013_to_2025.csv, 2022: Gloucestershire 28.9% (294 of 1,016
    plans started), England 22.7%, South West 25.3%; 149 councils with a figure, 134 lower, so
    rank 135 of 149, band D (Q3 = 26.6)."""
    measure = NationalMeasure.objects.get(key="cpp_second_or_subsequent")
    gloucestershire = Geography.objects.get(code="916")
    comparison = national.compare(measure, "2022", gloucestershire)
    assert comparison.council.value.numerator == Decimal("294")
    assert comparison.council.value.denominator == Decimal("1016")
    assert (comparison.council.rank, comparison.of, comparison.council.quartile) == (135, 149, "D")
    assert comparison.england.text == "22.7%" and comparison.region.text == "25.3%"
    older = national.compare(measure, "2022", gloucestershire, national.neighbour_model(2021))
    assert [n.geography.code for n in older.neighbours][:3] == ["865", "800", "938"]


@pytest.mark.django_db
def test_the_scorecard_shows_the_neighbours_average_region_and_england_for_its_period(
    national_data, client_for
):
    comparators = {
        c.kind: c
        for c in Comparator.objects.get_queryset().filter(
            measure__code="CSC03", national=True, as_at=date(2022, 3, 31)
        )
    }
    assert comparators[Comparator.Kind.STATISTICAL_NEIGHBOURS].value == Decimal("20.27")
    assert comparators[Comparator.Kind.ENGLAND].value == Decimal("21.5")
    page = (
        client_for(roles.COMMITTEE_MEMBER)
        .get("/scorecards/childrens-social-care/")
        .content.decode()
    )
    assert "SN average (2025 model, 10 of 10): 20.3% (2021/22)" in page
    assert "England: 21.5% (2021/22)" in page
    assert "South West: 22.6% (2021/22)" in page
    assert "(2024/25)" not in page  # no year published after the scorecard's quarter


def test_a_measure_without_national_comparators_keeps_those_typed_in(db):
    measure = make_measure()
    Comparator.objects.create(measure=measure, kind="peer_group", value=Decimal("19.0"))
    assert [c.kind for c in measure.comparators_at(date(2022, 6, 30))] == ["peer_group"]


# Pages, API and pack
# --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_members_compare_gloucestershire_on_every_page_that_shows_benchmarks(
    national_data, client_for
):
    client = client_for(roles.COMMITTEE_MEMBER)
    measure = client.get("/measures/CSC03/").content.decode()
    assert "Compared with other councils" in measure
    assert "the DfE publishes the year to 31 March" in measure  # the definitions differ
    assert '20.3% <span class="govuk-body-s">(10 with a figure)</span>' in measure  # 2021/22
    assert "126 of 150" in measure
    assert 'data-funnel="' in measure and "denominator" in measure
    assert "Warwickshire" in measure  # the first neighbour, 2025 model
    assert "Among itself and its 10 neighbours with a figure, Gloucestershire ranks" in measure
    older = client.get("/measures/CSC03/?model=2021").content.decode()
    assert "DfE statistical neighbours, 2021 model" in older

    every = client.get("/benchmarks/rereferrals_within_12_months/?period=2022").content.decode()
    assert every.count('<tr class="govuk-table__row') >= 150
    assert "This council" in every and "Northamptonshire" in every
    neighbours_only = client.get(
        "/benchmarks/rereferrals_within_12_months/?period=2022&show=neighbours&sort=value"
    ).content.decode()
    table = neighbours_only[neighbours_only.index('id="councils-caption"') :]
    assert "11 councils shown" in neighbours_only
    assert table.index("North Somerset") < table.index("Hampshire")  # lowest first
    for hostile in ("?period=x&show=<b>&sort=drop&model=1&order=up", "?period=2099"):
        assert client.get("/benchmarks/rereferrals_within_12_months/" + hostile).status_code == (
            200
        )
    assert client.get("/benchmarks/no-such-measure/").status_code == 404

    area = client.get("/scorecards/childrens-social-care/compare/").content.decode()
    assert "Re-referrals" in area or "re-referrals" in area
    assert area.count("govuk-tag--red") + area.count("govuk-tag--green") >= 5
    index = client.get("/benchmarks/").content.decode()
    assert "How we compare" in index and "/benchmarks/cpp_second_or_subsequent/" in index
    from improvement_plan.models import (
        Inspection,
    )

    listed = client.get("/inspections/").content.decode()
    assert f'href="/inspections/{Inspection.objects.get().pk}/"' in listed
    page = client.get(f"/inspections/{Inspection.objects.get().pk}/").content.decode()
    assert "How Ofsted judged our statistical neighbours" in page
    assert "Hampshire" in page and "Outstanding" in page


@pytest.mark.django_db
def test_the_benchmark_api_answers_as_the_issue_describes(national_data, client_for):
    client = client_for(roles.COMMITTEE_MEMBER)
    listed = client.get("/api/v1/national-measures").json()
    re_referrals = next(m for m in listed if m["key"] == "rereferrals_within_12_months")
    assert re_referrals["source_column"] == "rereferral_percent"
    assert re_referrals["polarity"] == calc.SMALLER
    answer = client.get("/api/v1/benchmarks/rereferrals_within_12_months?period=2022").json()
    assert answer["council"] == {
        "code": "916",
        "name": "Gloucestershire",
        "value": 24.5,
        "marker": "",
        "rank": 126,
        "of": 150,
        "quartile": "D",
        "joint_return": False,
    }
    assert answer["statistical_neighbours"]["average"] == pytest.approx(20.27)
    assert answer["statistical_neighbours"]["count"] == 10
    assert answer["statistical_neighbours"]["members"][0]["name"] == "Warwickshire"
    assert answer["region"] == {"name": "South West", "value": 22.6, "marker": ""}
    assert answer["england"] == {"value": 21.5, "marker": ""}
    other = client.get("/api/v1/benchmarks/rereferrals_within_12_months?period=2022&council=865")
    assert other.json()["council"]["name"] == "Wiltshire"
    assert client.get(
        "/api/v1/benchmarks/rereferrals_within_12_months?council=999"
    ).status_code == (404)
    assert client.get("/api/v1/benchmarks/rereferrals_within_12_months?model=2019").status_code == (
        404
    )


@pytest.mark.django_db
def test_a_pack_freezes_how_we_compare_as_at_its_scorecard_period(national_data, users):
    from datetime import date as day

    from scrutiny.models import Meeting
    from scrutiny.packs import build_snapshot

    snapshot = build_snapshot(Meeting.objects.get(date=day(2022, 9, 15)), day(2022, 9, 8))
    social_care = next(a for a in snapshot["scorecards"] if a["slug"] == "childrens-social-care")
    rows = {r["code"]: r for r in social_care["compare"]}
    assert rows["CSC03"]["period"] == "2021/22"  # not a year published after the quarter
    assert rows["CSC03"]["value"] == "24.5%" and rows["CSC03"]["against"] == "worse"
    re_referrals = next(m for m in social_care["measures"] if m["code"] == "CSC03")
    assert "SN average (2025 model, 10 of 10): 20.3% (2021/22)" in re_referrals["comparators_shown"]


def test_linking_a_measure_computes_its_comparators_and_unlinking_removes_them(loaded):
    from django.core.exceptions import ValidationError

    from metrics.models import Polarity

    national_measure = NationalMeasure.objects.get(key="rereferrals_within_12_months")
    measure = make_measure(polarity=Polarity.BIGGER)
    measure.national_measure = national_measure
    with pytest.raises(ValidationError, match="cannot be compared"):
        measure.full_clean()
    measure.polarity = Polarity.SMALLER
    measure.save()
    national_loading.refresh_comparators([measure])
    shown = measure.comparators_at(date(2022, 6, 30))
    assert [(c.kind, c.label, c.value, c.period_label) for c in shown] == [
        ("region", "South West", Decimal("22.6"), "2021/22"),
        ("england", "England", Decimal("21.5"), "2021/22"),
    ]  # no neighbour table loaded: no neighbours' average
    measure.national_measure = None
    measure.save()
    national_loading.refresh_comparators([measure])
    assert not measure.comparators.exists()


PUBLISHED = Path(__file__).resolve().parents[3] / "shared" / "data" / "dfe"


@pytest.mark.skipif(not PUBLISHED.is_dir(), reason=f"the DfE's files are not at {PUBLISHED}")
@pytest.mark.django_db
def test_every_published_file_loads_twice_and_the_second_time_changes_nothing():
    """Every file of ../shared/data/dfe/ that the product reads as published: the ees/ CSVs
    (and their 2024 editions in earlier/), the neighbour tables as CSV and as the DfE's XLSX,
    LAIT's dictionary and dataset, and Ofsted's ODS. All of it loads in well under a minute."""
    files = [
        *sorted((PUBLISHED / "ees").rglob("*.csv")),
        PUBLISHED / "lait" / "sn_may_2025.xlsx",
        PUBLISHED / "lait" / "sn_april_2021.xlsx",
        PUBLISHED / "reference" / "sn_model_2025_wide.csv",
        PUBLISHED / "lait" / "lait_data_dictionary.csv",
        PUBLISHED / "lait" / "bds_long_0.parquet",
        PUBLISHED / "reference" / "LA_Inspection_Outcomes_as_at_31_March_2025.ods",
    ]
    first = national_loading.load(national_loading.in_loading_order(files))
    assert first.problems == []
    assert NationalMeasure.objects.count() == len(national_catalogue.CATALOGUE)
    assert first.revised + first.older > 0  # the 2025 editions revise the 2024 ones
    assert Neighbour.objects.filter(model__year=2025).count() == 1530
    assert Neighbour.objects.filter(model__year=2021).count() >= 1530
    second = national_loading.load(national_loading.in_loading_order(files))
    assert second.added == second.revised == second.older == 0
    nine_sixteen = Geography.objects.get(code="916")
    assert nine_sixteen.inspections.latest("inspected_on").overall == (
        "Requires improvement to be good"
    )
    revised = NationalRevision.objects.select_related("value").first()
    assert revised.old_publication.endswith("2024") and revised.new_publication.endswith("2025")


@pytest.mark.django_db
def test_lait_dataset_gives_the_measures_the_releases_do_not_carry(national_data):
    """bds_long_0.parquet, Short Desc Continue_Assess_Comp, Years 2022: Gloucestershire (916)
    78.599999999999994 (stored as 78.6), Warwickshire 79.9, England (LAIT's 970) 84.5, South
    West (LAIT's 990) 81.7; 151 councils with a figure, 113 of them higher (better), so rank
    114 of 151."""
    measure = NationalMeasure.objects.get(key="assessments_within_45_days")
    assert measure.polarity == calc.BIGGER and measure.source_file == "bds_long_0.parquet"
    comparison = national.compare(measure, "2022", Geography.objects.get(code="916"))
    assert comparison.council.text == "78.6%"
    assert comparison.england.text == "84.5%" and comparison.region.text == "81.7%"
    assert (comparison.council.rank, comparison.of) == (114, 151)
    assert comparison.neighbours[0].text == "79.9%"  # Warwickshire
    absence = NationalMeasure.objects.get(key="cla_persistent_absence")
    covid = NationalValue.objects.get(measure=absence, geography__code="916", period="2020")
    assert covid.value is None and covid.as_text == "Not published"
    assert national.period_label(covid) == "2019/20 school year"


@pytest.mark.django_db
def test_the_measure_library_links_measures_to_national_ones_and_round_trips(
    national_data, client_for, users
):
    import io

    from openpyxl import load_workbook

    from metrics import library_loading

    officer = client_for(roles.PERFORMANCE_OFFICER)
    exported = officer.get("/upload/measure-library.xlsx").content
    library, problems = library_loading.read_and_check(exported, "library.xlsx")
    assert problems == []
    summary = library_loading.preview(library)
    assert summary["changed_measures"] == [] and summary["comparators"] == 0  # round trip

    book = load_workbook(io.BytesIO(exported))
    sheet = book["Measures"]
    header = [c.value for c in sheet[1]]
    code, link, note = (header.index(n) for n in ("code", "national_measure", "national_note"))
    for row in sheet.iter_rows(min_row=2):
        if row[code].value == "CSC03":
            assert row[link].value == "rereferrals_within_12_months"
            row[link].value = ""
        if row[code].value == "CSC15":  # readmissions: smaller is better
            row[link].value = "cla_long_term_stability"  # bigger is better: refused
    _, problems = library_loading.read_and_check(saved(book), "library.xlsx")
    assert [p.message for p in problems] == [
        "cla_long_term_stability: the DfE counts bigger is better, but CSC15 is smaller is better."
    ]
    for row in sheet.iter_rows(min_row=2):
        if row[code].value == "CSC15":
            row[link].value = ""
    library, problems = library_loading.read_and_check(saved(book), "library.xlsx")
    preview = library_loading.preview(library)
    assert preview["changed_measures"] == [
        {"code": "CSC03", "changes": [("national_measure", "rereferrals_within_12_months", "")]}
    ]
    library_loading.commit(library, users[roles.PERFORMANCE_OFFICER], reason="Not comparable")
    unlinked = Measure.objects.get(code="CSC03")
    assert unlinked.national_measure is None
    assert not unlinked.comparators.filter(national=True).exists()
    entry = AuditEntry.objects.filter(field="national_measure").latest("pk")
    assert entry.reason == "Not comparable"


@pytest.mark.django_db
def test_drafted_commentary_cites_the_neighbours_of_its_own_year(national_data, client_for):
    """Drafting CSC03's Q1 2022/23 commentary from the figures quotes the comparator in force
    then (2021/22), never a year published after the quarter."""
    officer = client_for(roles.PERFORMANCE_OFFICER)
    page = officer.post(
        "/measures/CSC03/commentary/", {"period": "2022-06", "action": "draft", "text": ""}
    ).content.decode()
    assert "sn average (2025 model, 10 of 10) is 20.3% (2021/22)" in page
    assert "2024/25" not in page
