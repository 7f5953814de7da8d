"""A published pack as a PDF: rendered from the pack's snapshot with WeasyPrint, A4."""

import logging

from django.core.files.base import ContentFile
from django.template.loader import render_to_string

from scrutiny.models import MeetingPack

log = logging.getLogger(__name__)


def build(pack_id):
    pack = MeetingPack.objects.select_related("meeting__committee").get(pk=pack_id)
    MeetingPack.objects.filter(pk=pack_id).update(pdf_status=MeetingPack.PdfStatus.BUILDING)
    try:
        from weasyprint import HTML

        html = render_to_string("scrutiny/pack_print.html", {"pack": pack, "s": pack.readable()})
        # PDF/UA: tagged, with the document's language and title, headings as bookmarks and
        # table headers, so that a screen reader reads the pack as the page reads.
        document = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    except Exception as error:  # noqa: BLE001 - any failure is reported on the pack's page
        log.exception("PDF of pack %s failed", pack_id)
        MeetingPack.objects.filter(pk=pack_id).update(
            pdf_status=MeetingPack.PdfStatus.FAILED, pdf_error=str(error)[:2000]
        )
        return "failed"
    name = f"pack-{pack.meeting.date:%Y-%m-%d}-v{pack.version}.pdf"
    pack.pdf.save(name, ContentFile(document), save=False)
    MeetingPack.objects.filter(pk=pack_id).update(
        pdf=pack.pdf.name, pdf_status=MeetingPack.PdfStatus.READY, pdf_error=""
    )
    return pack.pdf.name
