"""The demo council's strategic risk register at Q1 2022/23, from fixtures/gloucestershire-2022/.

The papers print each rating as "Band Score" (Moderate 12) without impact or likelihood, so
every assessment keeps the printed score, marked as such; nothing is invented.
"""

import csv
import re
from datetime import date
from pathlib import Path

from django.conf import settings

from improvement_plan.models import Risk, RiskAssessment, RiskRegister
from metrics import calculations as calc
from metrics.models import Measure

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "gloucestershire-2022"
PAPER = (
    "Children and Families Overview and Scrutiny Committee, 15 September 2022: Continuous "
    "Improvement Board Performance and Risk Report, Quarter 1 2022/23, Strategic Risk Register"
)
QUARTERS = [
    ("Jun21", date(2021, 6, 1)),
    ("Sep21", date(2021, 9, 1)),
    ("Dec21", date(2021, 12, 1)),
    ("Mar22", date(2022, 3, 1)),
    ("Jun22", date(2022, 6, 1)),
]
# Measures the report discusses in the same paragraph as the risk's rating.
LINKED_MEASURES = {
    "SR7.2": (["CSC01"], "lines 6107-6121"),
    "SR7.5": (["CSC02"], "lines 6076-6085"),
    "SR7.7": (["CSC10", "CSC11", "CSC13"], "lines 6202-6221"),
}
RATING = re.compile(r"^(Low|Moderate|High) (\d+)")


def _rating(text):
    match = RATING.match(text.strip())
    if not match:
        return None
    band, score = match.group(1), int(match.group(2))
    if calc.risk_band(score) != band:
        raise ValueError(f"printed rating {text!r} does not agree with the bands")
    return score


def load_risks():
    rows = list(csv.DictReader(open(FIXTURES / "risk_register_q1_2022_23.csv", encoding="utf-8")))
    for row in rows:
        register, _ = RiskRegister.objects.get_or_create(name=row["register_table"].strip())
        inherent = int(row["inherent_score"]) if row["inherent_score"].strip() else None
        risk, _ = Risk.objects.update_or_create(
            reference=row["ref"],
            defaults={
                "title": row["title_repaired"] or row["title_description"],
                "owner": row["owner"] if row["owner"].strip() != "?" else "",
                "register": register,
                "inherent_score": inherent,
                "mitigations": row["mitigating_actions"],
                "new_this_quarter": "new risk" in row["Jun21"],
                "source": f"{PAPER} ({row['source_lines']})",
            },
        )
        for column, quarter_end in QUARTERS:
            score = _rating(row[column])
            if score is None:
                continue
            RiskAssessment.objects.update_or_create(
                risk=risk,
                quarter_end=quarter_end,
                defaults={
                    "printed_score": score,
                    "source": f"{PAPER}: printed as '{row[column].strip()}'; impact and "
                    "likelihood not printed",
                },
            )
        codes, lines = LINKED_MEASURES.get(risk.reference, ([], ""))
        risk.measures.set(Measure.objects.filter(code__in=codes))
    return [
        f"Risk register: {Risk.objects.count()} risks, "
        f"{RiskAssessment.objects.count()} quarterly ratings."
    ]
