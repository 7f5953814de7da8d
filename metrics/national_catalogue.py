"""Which columns of the DfE's published files are which national measures.

A file is recognised by its columns, not by its name: a council downloads next year's file from
explore-education-statistics under whatever name the DfE gives it, and the same measure comes in
more than one layout (the 2024 publication of the care-leaver files names its columns `age`,
`activity`, `number`, `percentage`; the 2025 one `care_leaver_age`, `breakdown`,
`care_leaver_count`, `care_leaver_percent`). Each layout of a measure says:

- `value`: the column holding the published figure;
- `where`: the filter columns and the value each must have for the row to be this measure;
- `numerator`, `denominator`: the columns holding the counts, where published. A denominator
  given as `{"column": ..., "where": {...}}` is read from the row of the same year and geography
  whose filters are `where` (in the long files the total is a row of its own).

Polarity and definitions are the DfE's own, from LAIT's data dictionary (`lait`: the
dictionary's `Measure`); blank polarity where the DfE says neither direction is better. Importing
the dictionary refreshes them.
"""

from dataclasses import dataclass, field

from metrics import calculations as calc

HIGH, LOW, NEITHER = calc.BIGGER, calc.SMALLER, ""

# The publication's title; the year is the latest in the file ("Children in need 2025").
CIN = "Children in need"
CLA = "Children looked after in England including adoptions"
CSWW = "Children's social work workforce"

MARCH = "year ending 31 March"
SEPTEMBER = "at 30 September"
ACADEMIC = "academic year"
LAIT = "Local Authority Interactive Tool"


@dataclass(frozen=True)
class Layout:
    value: str
    where: dict = field(default_factory=dict)
    numerator: str = ""
    denominator: object = ""  # a column, or {"column": ..., "where": {...}}
    publication: str = ""
    years_months: bool = False  # published as "years:months" ("01:03"), read as months

    def columns(self):
        needed = {self.value, *self.where}
        if self.numerator:
            needed.add(self.numerator)
        if isinstance(self.denominator, dict):
            needed |= {self.denominator["column"], *self.denominator["where"]}
        elif self.denominator:
            needed.add(self.denominator)
        return needed


@dataclass(frozen=True)
class Spec:
    key: str
    name: str
    unit: str
    polarity: str
    layouts: tuple
    lait: str = ""
    definition: str = ""
    year_basis: str = MARCH
    precision: int = 1


def _long(value, count, where, total, publication):
    """A measure of the DfE's long files: one row per breakdown, the total a row of its own."""
    return Layout(
        value=value,
        where=where,
        numerator=count,
        denominator={"column": count, "where": total},
        publication=publication,
    )


def _care_leavers(breakdown, old_breakdown, age, old_age, file="activity"):
    """The care-leaver files in their 2025 and their 2024 layouts."""
    total = "Total" if file == "activity" else "Suitability total"
    old_total = "Total" if file == "activity" else "Total"
    old_column = "activity" if file == "activity" else "accommodation_suitability"
    return (
        _long(
            "care_leaver_percent",
            "care_leaver_count",
            {"care_leaver_age": age, "breakdown": breakdown},
            {"care_leaver_age": age, "breakdown": total},
            CLA,
        ),
        _long(
            "percentage",
            "number",
            {"age": old_age, old_column: old_breakdown},
            {"age": old_age, old_column: old_total},
            CLA,
        ),
    )


def _cla(
    group,
    column,
    breakdown,
    total,
    publication=CLA,
    count="children_count",
    percent="children_percent",
    group_column="cla_group",
):
    return _long(
        percent,
        count,
        {group_column: group, column: breakdown},
        {group_column: group, column: total},
        publication,
    )


_STABILITY_3 = ("CLA on 31 March", "placement_stability")
_LONG_TERM = (
    "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years",
    "placement_stability",
)
_HEALTH = "Health assessments: Children looked after all ages"


def _health(breakdown, total="Total all ages", characteristic=_HEALTH):
    return (
        _cla(characteristic, "breakdown", breakdown, total, group_column="characteristic"),
        _cla(
            characteristic,
            "characteristic",
            breakdown,
            total,
            CLA,
            count="number",
            percent="percentage",
            group_column="cla_group",
        ),
    )


def _cla_rate(population_type):
    return (
        Layout(
            value="rate_per_10000",
            where={"population_type": population_type},
            numerator="children_count",
            denominator="population_estimate",
            publication=CLA,
        ),
        Layout(
            value="rate_per_10000",
            where={"population_count": population_type},
            numerator="number",
            denominator="population_estimate",
            publication=CLA,
        ),
    )


def _csww(column, old_column):
    layouts = [Layout(value=column, publication=CSWW)]
    if old_column and old_column != column:
        layouts.append(Layout(value=old_column, publication=CSWW))
    return tuple(layouts)


CATALOGUE = (
    # Children in need (b1): counts, and the rates per 10,000 of the 2024 publication
    Spec(
        "cin_at_31_march",
        "Children in need at 31 March (episodes)",
        "count",
        NEITHER,
        (Layout("At31_episodes", {"category": "Children in Need"}, publication=CIN),),
        precision=0,
    ),
    Spec(
        "cin_rate_at_31_march",
        "Children in need at 31 March, rate per 10,000 children",
        "rate_10k",
        NEITHER,
        (
            Layout(
                "At31_episodes_rate",
                {"category": "Children in Need"},
                numerator="At31_episodes",
                publication=CIN,
            ),
        ),
        lait="Children in Need rate per 10,000",
    ),
    Spec(
        "cin_during_year",
        "Children in need at any point in the year",
        "count",
        NEITHER,
        (Layout("Anypoint_child", {"category": "Children in Need"}, publication=CIN),),
        precision=0,
    ),
    # Referrals and re-referrals (c1)
    Spec(
        "referrals",
        "Referrals to children's social care in the year",
        "count",
        NEITHER,
        (Layout("referral_count", publication=CIN),),
        lait="Number of referrals to Children's Social Services",
        precision=0,
    ),
    Spec(
        "rereferrals_within_12_months",
        "Re-referrals within 12 months of a previous referral (% of referrals)",
        "percent",
        LOW,
        (
            Layout(
                "rereferral_percent",
                numerator="rereferral_count",
                denominator="referral_count",
                publication=CIN,
            ),
        ),
        lait="Percentage of re-referrals to children's social care within 12 months",
        definition="Referrals in the year to 31 March that were within 12 months of a previous "
        "referral, as a percentage of all referrals in the year.",
    ),
    Spec(
        "referrals_no_further_action",
        "Referrals closed with no further action (% of referrals)",
        "percent",
        NEITHER,
        (
            Layout(
                "no_further_action_percent",
                numerator="no_further_action_count",
                denominator="referral_count",
                publication=CIN,
            ),
        ),
        lait="Referrals to children's social care closed with no further action",
    ),
    Spec(
        "referrals_not_in_need",
        "Referrals assessed and found not to be in need (% of referrals)",
        "percent",
        NEITHER,
        (
            Layout(
                "not_in_need_percent",
                numerator="not_in_need_count",
                denominator="referral_count",
                publication=CIN,
            ),
        ),
        lait="Referrals where the child is assessed but not found to be in need",
    ),
    # Factors at the end of assessment (c3)
    Spec(
        "assessments_with_factors",
        "Episodes with an assessment factor recorded",
        "count",
        NEITHER,
        (Layout("Episodes_with_assessment_factor", publication=CIN),),
        precision=0,
    ),
    Spec(
        "factor_domestic_abuse",
        "Assessments identifying domestic abuse (concerning any person)",
        "count",
        NEITHER,
        (Layout("Domestic_Abuse_person", publication=CIN),),
        precision=0,
    ),
    Spec(
        "factor_mental_health",
        "Assessments identifying mental health (concerning any person)",
        "count",
        NEITHER,
        (Layout("Mental_Health_person", publication=CIN),),
        precision=0,
    ),
    Spec(
        "factor_neglect",
        "Assessments identifying neglect",
        "count",
        NEITHER,
        (Layout("Neglect", publication=CIN),),
        precision=0,
    ),
    # Section 47 enquiries and initial child protection conferences (c4)
    Spec(
        "section_47_enquiries",
        "Section 47 enquiries started in the year",
        "count",
        NEITHER,
        (Layout("Section47", publication=CIN),),
        precision=0,
    ),
    Spec(
        "initial_conferences",
        "Initial child protection conferences in the year",
        "count",
        NEITHER,
        (Layout("ICPC", publication=CIN),),
        precision=0,
    ),
    Spec(
        "s47_to_icpc_median_days",
        "Working days from the strategy discussion to the initial conference (median)",
        "days",
        NEITHER,
        (Layout("Duration_median", publication=CIN),),
        precision=0,
    ),
    # Child protection plans (d3, d5)
    Spec(
        "cpp_second_or_subsequent",
        "Child protection plans that were a second or subsequent plan (% of plans started)",
        "percent",
        LOW,
        (
            Layout(
                "CPP_subsequent_percent",
                numerator="CPP_subsequent",
                denominator="CPP_start",
                publication=CIN,
            ),
        ),
        lait="Percentage of children who became the subject of a plan for a second or "
        "subsequent time",
    ),
    Spec(
        "cpp_at_31_march",
        "Children on a child protection plan at 31 March",
        "count",
        NEITHER,
        (Layout("CPP_At31", publication=CIN),),
        lait="Number of Children with CPP",
        precision=0,
    ),
    Spec(
        "cpp_two_years_or_more",
        "Child protection plans at 31 March lasting 2 years or more (%)",
        "percent",
        LOW,
        (
            Layout(
                "2_years_or_more_percent",
                numerator="2_years_or_more",
                denominator="CPP_At31",
                publication=CIN,
            ),
        ),
        lait="Child Protection Plans lasting 2 years or more as at 31 March",
    ),
    # Children looked after: numbers and rates (cla_number_and_rate_per_10k_children)
    Spec(
        "cla_rate_at_31_march",
        "Children looked after at 31 March, rate per 10,000 children",
        "rate_10k",
        NEITHER,
        _cla_rate("Children looked after on 31 March each year"),
        lait="Children looked after rate per 10,000",
        precision=0,
    ),
    Spec(
        "cla_starting_rate",
        "Children starting to be looked after in the year, rate per 10,000 children",
        "rate_10k",
        NEITHER,
        _cla_rate("Children starting to be looked after each year"),
        lait="Rate of Children starting to be looked after each year",
        precision=0,
    ),
    Spec(
        "cla_ceasing_rate",
        "Children ceasing to be looked after in the year, rate per 10,000 children",
        "rate_10k",
        NEITHER,
        _cla_rate("Children ceasing to be looked after each year"),
        lait="Rate of Children ceasing to be looked after each year",
        precision=0,
    ),
    # Placement stability
    Spec(
        "cla_three_or_more_placements",
        "Children looked after with 3 or more placements in the year (%)",
        "percent",
        LOW,
        (
            _cla(*_STABILITY_3, "With 3 or more placements during the year", "Total children"),
            _cla(
                *_STABILITY_3,
                "With 3 or more placements during the year",
                "Total children",
                CLA,
                count="number",
                percent="percentage",
            ),
        ),
        lait="Placement 1 - % CLA with three or more placements",
        precision=0,
    ),
    Spec(
        "cla_long_term_stability",
        "Children looked after for 2.5 years or more, under 16, living in the same placement "
        "for at least 2 years (%)",
        "percent",
        HIGH,
        (
            _cla(*_LONG_TERM, "Living with the same carer for at least 2 years", "Total children"),
            _cla(
                *_LONG_TERM,
                "Living with the same carer for at least 2 years",
                "Total children",
                CLA,
                count="number",
                percent="percentage",
            ),
        ),
        lait="Long Term Placement Stability (%)",
        precision=0,
    ),
    Spec(
        "cla_new_placements_far_outside",
        "New placements outside the council's boundary and more than 20 miles from home (%)",
        "percent",
        LOW,
        (
            _cla(
                "Location of new placements during the year",
                "breakdown",
                "Placed outside LA boundary more than 20 miles from home",
                "Total new placements",
                group_column="characteristic",
            ),
        ),
        lait="Children looked after placed more than 20 miles from home, outside LA Boundary (%)",
        precision=0,
    ),
    Spec(
        "cla_mid_year_school_move",
        "Children looked after with a mid-year school move in the year (%)",
        "percent",
        LOW,
        (
            Layout(
                "percentage",
                {
                    "cla_group": "CLA on 31 March",
                    "move_measure": "Mid-year moves",
                    "school_stability": "With one or more mid-year moves during the year",
                },
                numerator="number",
                denominator={
                    "column": "number",
                    "where": {
                        "cla_group": "CLA on 31 March",
                        "move_measure": "Mid-year moves",
                        "school_stability": "Total children",
                    },
                },
                publication=CLA,
            ),
        ),
        lait="School stability: CLA with a mid-year school move",
        precision=0,
    ),
    Spec(
        "cla_three_or_more_social_workers",
        "Children looked after with 3 or more social workers in the year (%)",
        "percent",
        LOW,
        (
            Layout(
                "percentage",
                {
                    "cla_group": "CLA on 31 March",
                    "sw_stability": "3 or more social workers during the year",
                },
                numerator="number",
                denominator={
                    "column": "number",
                    "where": {"cla_group": "CLA on 31 March", "sw_stability": "Total children"},
                },
                publication=CLA,
            ),
        ),
        lait="Social Worker instability (3 or more social workers during the year)",
        precision=0,
    ),
    Spec(
        "cla_ceased_adopted",
        "Children ceasing to be looked after who were adopted (%)",
        "percent",
        NEITHER,
        (
            _cla(
                "Reason episode ceased",
                "characteristic",
                "Adopted",
                "Total",
                CLA,
                count="number",
                percent="percentage",
            ),
        ),
        precision=0,
    ),
    Spec(
        "cla_ceased_special_guardianship",
        "Children ceasing to be looked after through a special guardianship order (%)",
        "percent",
        NEITHER,
        (
            _cla(
                "Reason episode ceased",
                "characteristic",
                "Special guardianship orders",
                "Total",
                CLA,
                count="number",
                percent="percentage",
            ),
        ),
        lait="CLA ceased because of a Special Guardianship Order - Total (%)",
        precision=0,
    ),
    # Health and offending
    Spec(
        "cla_health_assessments",
        "Children looked after who had their annual health assessment (%)",
        "percent",
        HIGH,
        _health("Had their annual health assessment"),
        lait="Percentage of CLA having Health Checks",
        precision=0,
    ),
    Spec(
        "cla_immunisations",
        "Children looked after whose immunisations were up to date (%)",
        "percent",
        HIGH,
        _health("Had their immunisations up to date"),
        lait="Percentage of CLA Had their immunisations up to date",
        precision=0,
    ),
    Spec(
        "cla_dental_checks",
        "Children looked after who had their teeth checked by a dentist (%)",
        "percent",
        HIGH,
        _health("Had their teeth checked by a dentist"),
        lait="Percentage of CLA having Dental Checks",
        precision=0,
    ),
    Spec(
        "cla_convictions",
        "Children looked after aged 10 to 17 convicted or subject to a youth caution (%)",
        "percent",
        LOW,
        _health(
            "Convicted or subject to youth cautions, or youth conditional cautions during the year",
            "Total ages 10 to 17 years",
            "Convictions: Children looked after Ages 10 to 17 years",
        ),
        lait="Children looked after who are convicted or subject to a youth caution (%)",
        precision=0,
    ),
    Spec(
        "cla_sdq_average",
        "Average strengths and difficulties (SDQ) score, children looked after aged 5 to 16",
        "number",
        LOW,
        (
            Layout(
                "children_count",
                {
                    "characteristic": "Ages 5 to 16 years with SDQ score",
                    "breakdown": "SDQ average score",
                },
                publication=CLA,
            ),
            Layout(
                "number",
                {
                    "cla_group": "Ages 5 to 16 years with SDQ score",
                    "characteristic": "SDQ average score",
                },
                publication=CLA,
            ),
        ),
        lait="Emotional Health of Looked after Children",
    ),
    # Care leavers
    Spec(
        "care_leavers_19_21_suitable_accommodation",
        "Care leavers aged 19 to 21 in suitable accommodation (%)",
        "percent",
        HIGH,
        _care_leavers(
            "Accommodation considered suitable",
            "Accommodation considered suitable",
            "19 to 21 years",
            "19 to 21 years",
            file="accommodation",
        ),
        lait="Care Leavers - Suitable accommodation (%)",
        precision=0,
    ),
    Spec(
        "care_leavers_19_21_eet",
        "Care leavers aged 19 to 21 in education, employment or training (%)",
        "percent",
        HIGH,
        _care_leavers(
            "Total in education, employment or training",
            "Total in education, employment or training",
            "19 to 21 years",
            "Aged 19 to 21",
        ),
        lait="Care Leavers - Education, Employment & Training (EET) (%)",
        precision=0,
    ),
    Spec(
        "care_leavers_19_21_neet",
        "Care leavers aged 19 to 21 not in education, employment or training (%)",
        "percent",
        LOW,
        _care_leavers(
            "Total not in education, employment or training",
            "Total not in education, employment or training",
            "19 to 21 years",
            "Aged 19 to 21",
        ),
        lait="Care Leavers - NEET (%)",
        precision=0,
    ),
    # The social work workforce (at 30 September)
    Spec(
        "sw_fte",
        "Children and family social workers in post (FTE)",
        "number",
        NEITHER,
        _csww("inpost_fte", "social_worker_fte"),
        lait="Number FTE of children's social workers",
        year_basis=SEPTEMBER,
    ),
    Spec(
        "sw_agency_rate",
        "Agency social workers (% of FTE)",
        "percent",
        LOW,
        _csww("agency_rate_fte", "agency_worker_rate_fte_%"),
        lait="Percentage of agency social workers",
        year_basis=SEPTEMBER,
    ),
    Spec(
        "sw_turnover_rate",
        "Social worker turnover (% of FTE leaving in the year)",
        "percent",
        LOW,
        _csww("turnover_rate_fte", "turnover_rate_fte_%"),
        lait="Percentage rate of social worker turnover",
        year_basis=SEPTEMBER,
    ),
    Spec(
        "sw_vacancy_rate",
        "Social worker vacancies (% of FTE posts)",
        "percent",
        LOW,
        _csww("vacancy_rate_fte", "vacancy_rate_fte_%"),
        lait="Percentage of social worker vacancies",
        year_basis=SEPTEMBER,
    ),
    Spec(
        "sw_caseload",
        "Average caseload per case-holding social worker (FTE)",
        "number",
        LOW,
        _csww("caseload_fte", "caseload_fte"),
        lait="Average number of cases per children and family social worker (based on FTE counts)",
        year_basis=SEPTEMBER,
    ),
    Spec(
        "sw_absence_rate",
        "Social worker sickness absence (% of working days)",
        "percent",
        LOW,
        _csww("absence_rate_fte", "absence_rate_fte_%"),
        lait="Social Worker absence rate",
        year_basis=SEPTEMBER,
    ),
    # Adoption (England only): published as years:months
    Spec(
        "adoption_entry_to_decision_months",
        "Average time from entering care to the decision that the child should be adopted "
        "(months, England)",
        "number",
        LOW,
        (
            Layout(
                "number",
                {
                    "cla_group": "Age on starting final period of care",
                    "stage_of_adoption_process": "1. Average time between entry into care and "
                    "decision that child should be placed for adoption",
                    "age_start_poc": "Total",
                },
                publication=CLA,
                years_months=True,
            ),
        ),
        precision=0,
    ),
)


def _lait(short):
    """A measure of LAIT's own dataset (`bds_long_0.parquet`): one row per measure ("Short
    Desc"), year and place."""
    return (Layout("Values", {"Short Desc": short}, publication=LAIT),)


# Measures the DfE publishes only through LAIT's dataset among the files it reads.
CATALOGUE += (
    Spec(
        "cla_persistent_absence",
        "Children looked after who are persistent absentees from school (%)",
        "percent",
        LOW,
        _lait("LAC_Pers_Abs"),
        lait="Percentage of CLA who are classed as persistent absentees",
        year_basis=ACADEMIC,
    ),
    Spec(
        "assessments_within_45_days",
        "Assessments completed within 45 working days (%)",
        "percent",
        HIGH,
        _lait("Continue_Assess_Comp"),
        lait="Continuous assessments completed within 45 working days",
    ),
    Spec(
        "icpc_within_15_days",
        "Initial child protection conferences held within 15 working days (%)",
        "percent",
        HIGH,
        _lait("CP_conf_15days"),
        lait="Percentage of child protection conferences held within 15 days",
    ),
    Spec(
        "cp_reviews_in_time",
        "Child protection plans reviewed within the required timescales (%)",
        "percent",
        HIGH,
        _lait("RevCP"),
        lait="Review of Child Protection Cases",
    ),
    Spec(
        "cla_in_foster_care",
        "Children looked after in foster care at 31 March (%)",
        "percent",
        HIGH,
        _lait("LAC_Foster_Placements"),
        lait="% of CLA in foster care",
    ),
)

BY_KEY = {spec.key: spec for spec in CATALOGUE}
