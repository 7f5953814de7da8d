"""Meetings and their frozen packs, for /api/v1/."""

from django.http import Http404
from ninja import Router, Schema

from scrutiny.api_schema import answers
from scrutiny.models import Meeting, MeetingPack
from scrutiny.packs import readable

router = Router(tags=["meetings"])


class PackRef(Schema):
    id: int
    version: int
    published_at: str


class AgendaItemOut(Schema):
    number: str
    title: str
    presenting_officer: str
    covers: str
    summary: str
    recommendations: str
    decisions: str


class MeetingOut(Schema):
    id: int
    committee: str
    date: str
    time: str | None
    place: str
    status: str
    agenda: list[AgendaItemOut]
    packs: list[PackRef]


@router.get(
    "/meetings", response=answers(list[MeetingOut]), summary="Meetings, agendas and their packs"
)
def meetings(request):
    found = Meeting.objects.select_related("committee").prefetch_related("items", "packs")
    return [
        {
            "id": m.pk,
            "committee": m.committee.name,
            "date": m.date.isoformat(),
            "time": m.time.strftime("%H:%M") if m.time else None,
            "place": m.place,
            "status": m.status,
            "agenda": [
                {
                    "number": i.number,
                    "title": i.title,
                    "presenting_officer": i.presenting_officer,
                    "covers": i.covers,
                    "summary": i.summary,
                    "recommendations": i.recommendations,
                    "decisions": i.decisions,
                }
                for i in m.items.all()
            ],
            "packs": [
                {"id": p.pk, "version": p.version, "published_at": p.published_at.isoformat()}
                for p in sorted(m.packs.all(), key=lambda p: p.version)
            ],
        }
        for m in found.order_by("date")
    ]


@router.get(
    "/packs/{pack_id}",
    response=answers(dict, not_found=True),
    summary="A published pack's frozen snapshot, exactly what its page renders",
)
def pack(request, pack_id: int):
    """Scorecard rows, risks and the plan are in the shape the scorecard, risks and plan
    operations give; a pack frozen before they were (no ``shape``, or 1) is read into it."""
    found = MeetingPack.objects.filter(pk=pack_id).values_list("snapshot", flat=True).first()
    if found is None:
        raise Http404(f"No pack {pack_id}.")
    return readable(found)
