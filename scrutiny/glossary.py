"""The glossary: the terms a member meets in the papers, and how a page marks them.

Every council starts with the terms below (a data migration adds those missing; officers edit
them from then on). A page marks the first use of each term with ``{{ text|explain:request }}``
and ends with the definitions of the terms it used.
"""

import re

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify

# (term, expansion, other forms, definition, where the meaning is set)
STARTER = [
    (
        "CIN",
        "Child in need",
        "child in need; children in need",
        "A child whose health or development is likely to suffer without help from the "
        "council's services, or who is disabled. The council assesses the child and may "
        "provide support under a child in need plan.",
        "Children Act 1989, section 17",
    ),
    (
        "Child protection plan",
        "",
        "CP plan; CPP; child protection plans",
        "A plan agreed at a child protection conference when a child is judged to be at risk "
        "of significant harm. It sets out what each agency will do to keep the child safe and "
        "is reviewed regularly until the child is no longer at risk.",
        "Working Together to Safeguard Children (statutory guidance)",
    ),
    (
        "CLA",
        "Children looked after",
        "children looked after; looked after children; CIC; children in care",
        "Children in the care of the council: under a court's care order, or accommodated by "
        "the council with their parents' agreement. The council is their corporate parent.",
        "Children Act 1989, sections 20 and 31",
    ),
    (
        "Care leaver",
        "",
        "care leavers; care experienced",
        "A young person who was looked after by the council for at least 13 weeks after their "
        "14th birthday, including some time after turning 16. The council keeps supporting "
        "them, with a personal adviser, up to the age of 25.",
        "Children (Leaving Care) Act 2000; Children and Social Work Act 2017",
    ),
    (
        "Section 47 enquiry",
        "",
        "section 47 enquiries; section 47; s47",
        "The enquiries the council must make when it has reasonable cause to suspect that a "
        "child is suffering, or is likely to suffer, significant harm, to decide whether to act "
        "to protect the child.",
        "Children Act 1989, section 47",
    ),
    (
        "ICPC",
        "Initial child protection conference",
        "initial child protection conference; initial child protection conferences",
        "The first meeting of the professionals involved with a child, and the family, after a "
        "section 47 enquiry, to decide whether the child needs a child protection plan. It "
        "should be held within 15 working days of the strategy discussion.",
        "Working Together to Safeguard Children (statutory guidance)",
    ),
    (
        "Referral",
        "",
        "referrals",
        "A request to children's social care to consider whether a child needs help or "
        "protection. A re-referral is a referral within 12 months of a previous one, which can "
        "mean the earlier help did not last.",
        "DfE, Children in need statistics: definitions",
    ),
    (
        "Single assessment",
        "",
        "single assessments",
        "The social worker's assessment of a child's needs after a referral, to decide what help "
        "the child and family need. It should be completed within 45 working days.",
        "Working Together to Safeguard Children (statutory guidance)",
    ),
    (
        "ILACS",
        "Inspection of local authority children's services",
        "",
        "Ofsted's framework for inspecting councils' children's services: standard and short "
        "inspections, focused visits and monitoring visits. Each inspection judges overall "
        "effectiveness as outstanding, good, requires improvement to be good, or inadequate.",
        "Ofsted, Inspecting local authority children's services (framework)",
    ),
    (
        "EHCP",
        "Education, health and care plan",
        "education, health and care plan; EHC plan",
        "A legal document for a child or young person up to 25 with special educational needs "
        "who needs more support than a school can usually give. It describes their needs and "
        "the help the council must make sure they get.",
        "Children and Families Act 2014; SEND code of practice",
    ),
    (
        "SEND",
        "Special educational needs and disabilities",
        "special educational needs",
        "A child has special educational needs when they have a learning difficulty or "
        "disability that calls for special educational provision: more or different help from "
        "that given to most children of the same age.",
        "SEND code of practice: 0 to 25 years",
    ),
    (
        "NEET",
        "Not in education, employment or training",
        "not in employment, education or training; not in education, employment or training",
        "A young person who is not studying, in a job or in training. For care leavers it is "
        "counted at ages 19 to 21.",
        "DfE, Children looked after in England: definitions",
    ),
    (
        "Alternative provision",
        "",
        "AP",
        "Education arranged for pupils who cannot attend a mainstream school, for example "
        "because they have been excluded or are too ill to attend. Councils must arrange "
        "suitable full-time education for these pupils.",
        "Education Act 1996, section 19; DfE, Alternative provision (statutory guidance)",
    ),
    (
        "Statistical neighbours",
        "",
        "statistical neighbour; SN average; SN",
        "The ten councils the Department for Education's model judges most like this one, on "
        "measures such as deprivation and population. Comparing with them is fairer than "
        "comparing with England as a whole.",
        "DfE, Children's services statistical neighbour benchmarking tool",
    ),
    (
        "Quartile band",
        "",
        "quartile",
        "Councils ranked on a measure and split into four equal groups: A is the best quarter, "
        "D the worst. Only measures where the DfE says which direction is better are banded.",
        "DfE, Local Authority Interactive Tool (LAIT)",
    ),
    (
        "RAG",
        "Red, amber, green",
        "RAG status",
        "A measure's status against its target: green is on or better than target, amber is "
        "worse than target but within its tolerance, red is worse than that.",
        "The council's key to symbols",
    ),
    (
        "Tolerance",
        "",
        "tolerances",
        "How far a figure may fall short of its target and still be amber rather than red; "
        "unless set otherwise, 5% of the target.",
        "The council's key to symbols",
    ),
    (
        "SPC",
        "Statistical process control",
        "statistical process control",
        "A way of telling real change from everyday ups and downs. The chart's limits show how "
        "far the figure usually varies; a point outside them, or a long run on one side of the "
        "average, is a signal worth asking about.",
        "NHS England, Making Data Count",
    ),
    (
        "Special cause variation",
        "",
        "special cause",
        "A change in a measure too large or too sustained to be chance, according to SPC. It "
        "may be an improvement or a concern, and is worth asking why.",
        "NHS England, Making Data Count",
    ),
    (
        "Common cause variation",
        "",
        "common cause",
        "The normal ups and downs of a measure that is not changing: no single month's rise or "
        "fall needs explaining.",
        "NHS England, Making Data Count",
    ),
    (
        "Direction of travel",
        "",
        "",
        "Whether a figure improved, declined or stayed about the same since the period before "
        "(or the same period a year earlier); a change smaller than 1% counts as no change.",
        "The council's key to symbols",
    ),
    (
        "Polarity",
        "",
        "bigger is better; smaller is better",
        "Which direction is good for a measure: for timeliness, bigger is better; for "
        "re-referrals, smaller is better.",
        "The council's key to symbols",
    ),
    (
        "Snapshot",
        "",
        "",
        "A figure counted on one day, usually the last day of the period, rather than over the "
        "whole period.",
        "The council's key to symbols",
    ),
    (
        "Rolling year",
        "",
        "rolling 12 months",
        "A figure for the twelve months up to the end of the period, so each quarter's figure "
        "overlaps the last.",
        "The council's key to symbols",
    ),
    (
        "Year to date",
        "",
        "YTD",
        "A figure for the financial year so far, from 1 April to the end of the period.",
        "The council's key to symbols",
    ),
    (
        "Persistent absence",
        "",
        "persistently absent; persistent absentees",
        "A pupil is persistently absent when they miss 10% or more of the school sessions they "
        "could have attended, for any reason.",
        "DfE, Pupil absence in schools in England: definitions",
    ),
    (
        "Placement stability",
        "",
        "",
        "How settled children in care are: how many move placement three or more times in a "
        "year, and how many who have been in care for two and a half years have lived with the "
        "same carer for two.",
        "DfE, Children looked after in England: definitions",
    ),
    (
        "UASC",
        "Unaccompanied asylum-seeking children",
        "unaccompanied asylum-seeking children",
        "Children who have applied for asylum in their own right and are separated from their "
        "parents and carers. The council looks after them.",
        "Home Office and DfE, Care of unaccompanied migrant children (statutory guidance)",
    ),
    (
        "DSG",
        "Dedicated Schools Grant",
        "Dedicated Schools Grant",
        "The government grant that pays for schools, early years and high needs (special "
        "educational needs) education. It is ring-fenced: the council reports it apart from "
        "its own budget.",
        "DfE, Dedicated Schools Grant conditions of grant",
    ),
    (
        "Outturn",
        "",
        "",
        "The actual income and spending for the financial year once it has ended, compared "
        "with the budget; an overspend is shown as a positive variance.",
        "The council's financial reports",
    ),
    (
        "Family Hubs",
        "",
        "Family Hub",
        "Places, and online and outreach services, where families with children and young "
        "people up to 19 (25 with SEND) can get help early, from pregnancy onwards.",
        "DfE, Family hubs and start for life programme guide",
    ),
]


def starter_terms():
    return [
        {
            "term": term,
            "slug": slugify(term),
            "expansion": expansion,
            "also": also,
            "definition": definition,
            "source": source,
        }
        for term, expansion, also, definition, source in STARTER
    ]


class Marker:
    """Marks the first use of each glossary term on one page. Kept on the request, so every
    ``explain`` on the page shares it, and the page's end lists the terms it marked."""

    def __init__(self, terms):
        self.terms = {t.slug: t for t in terms}
        forms = sorted(
            ((form, t.slug) for t in terms for form in t.forms), key=lambda f: -len(f[0])
        )
        self.slug_of = {}
        for form, slug in forms:
            self.slug_of.setdefault(form.lower(), slug)
        if forms:
            # Abbreviations match their case exactly (CIN, not "cin"); words any case.
            parts = [
                re.escape(form) if form.isupper() else f"(?i:{re.escape(form)})"
                for form, _ in forms
            ]
            self.pattern = re.compile(r"(?<![\w&#])(" + "|".join(parts) + r")(?!\w)")
        else:
            self.pattern = None
        self.used = []

    def mark(self, text):
        text = str(conditional_escape(text))
        if self.pattern is None:
            return mark_safe(text)

        def first_use(match):
            slug = self.slug_of[match.group(1).lower()]
            term = self.terms[slug]
            if term in self.used:
                return match.group(1)
            self.used.append(term)
            title = term.expansion or term.definition.split(". ")[0]
            return str(
                format_html(
                    '<abbr class="glossary-term" title="{}">{}</abbr>', title, match.group(1)
                )
            )

        return mark_safe(self.pattern.sub(first_use, text))


def marker_for(request):
    from scrutiny.models import GlossaryTerm

    if request is None:
        return Marker([])
    marker = getattr(request, "_glossary", None)
    if marker is None:
        marker = Marker(list(GlossaryTerm.objects.all()))
        request._glossary = marker
    return marker
