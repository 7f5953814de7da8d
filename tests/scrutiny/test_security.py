"""Headers and stored files: what a hostile page or a curious reader cannot do."""

import re
from datetime import date

from django.core.files.base import ContentFile

from scrutiny import roles
from scrutiny.models import AgendaItem
from tests.factories import make_meeting


def test_every_page_carries_a_policy_that_allows_only_our_own_and_nonced_scripts(client_for, db):
    response = client_for(roles.COMMITTEE_MEMBER).get("/")
    policy = response["Content-Security-Policy"]
    script = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'self'" in script and "'nonce-" in script and "unsafe-inline" not in script
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    nonce = re.search(r"'nonce-([^']+)'", script).group(1)
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline and all(f'nonce="{nonce}"' in attributes for attributes in inline)


def test_charts_are_drawn_from_data_not_inline_script(client_for, db):
    from metrics.models import Measure
    from tests.factories import make_measure, make_observation

    measure = make_measure(code="CSC05")
    make_observation(measure=measure, value=60)
    Measure.objects.filter(pk=measure.pk).recompute_statuses()
    html = client_for(roles.COMMITTEE_MEMBER).get("/measures/CSC05/").content.decode()
    assert 'class="plotly-chart" data-plotly="' in html
    assert "Plotly.newPlot" not in html


def _meeting_with_report(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = make_meeting(day=date(2022, 9, 15))
    item = AgendaItem.objects.create(meeting=meeting, order=1, number="34", title="Family Hubs")
    item.report.save("family-hubs.pdf", ContentFile(b"%PDF-1.4 report"))
    return meeting, item


def test_an_agenda_report_is_served_to_readers_of_the_meeting_only(
    client, client_for, db, settings, tmp_path
):
    meeting, item = _meeting_with_report(settings, tmp_path)
    page = client_for(roles.COMMITTEE_MEMBER).get(f"/meetings/{meeting.pk}/").content.decode()
    link = f"/meetings/{meeting.pk}/items/{item.pk}/report"
    assert f'href="{link}"' in page and "/media/" not in page
    response = client_for(roles.COMMITTEE_MEMBER).get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 report"
    assert 'attachment; filename="family-hubs' in response["Content-Disposition"]
    client.logout()
    assert client.get(link).status_code == 302  # sign in first
    assert client.get(f"/media/{item.report.name}").status_code in (302, 404)
    other = make_meeting(day=date(2022, 11, 9))
    assert (
        client_for(roles.DIRECTOR).get(f"/meetings/{other.pk}/items/{item.pk}/report").status_code
        == 404
    )


def test_behind_nginx_the_file_is_handed_over_not_read(client_for, db, settings, tmp_path):
    meeting, item = _meeting_with_report(settings, tmp_path)
    settings.PROTECTED_FILES_ACCEL_PREFIX = "/protected/"
    response = client_for(roles.COMMITTEE_MEMBER).get(
        f"/meetings/{meeting.pk}/items/{item.pk}/report"
    )
    assert response["X-Accel-Redirect"] == f"/protected/{item.report.name}"
    assert response.content == b""


def test_the_docker_image_never_carries_the_environment_file():
    from pathlib import Path

    ignored = (Path(__file__).resolve().parents[2] / ".dockerignore").read_text().split()
    assert ".env" in ignored and "!.env.example" in ignored
    compose = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    assert '"127.0.0.1:8000:8000"' in compose
