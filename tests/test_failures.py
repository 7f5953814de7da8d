"""Nothing saved answers 500 because the broker or the mail server is down, and nothing waits
for ever: the work is recorded, and the sweeper hands it over once the service is back.

The broker here is a real Redis server started for the test and then stopped, and the mail
server a real address with nothing listening: the failures are the ones a council would meet.
"""

import shutil
import socket
import subprocess
import time
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from metrics import calculations as calc
from metrics.models import Measure, MeasureStatus, Upload
from scrutiny import roles
from scrutiny.celery import app
from scrutiny.mail import OutgoingEmail
from scrutiny.models import MeetingPack, Question
from scrutiny.sweeper import sweep
from tests.factories import (
    make_measure,
    make_meeting,
    make_observation,
    make_target,
)

HEADER = "measure_code,period,area,value,numerator,denominator,note\n"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broker_down(tmp_path, settings):
    """Celery pointed at a Redis server that was running and has been stopped."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server, which make test installs")
    port = _free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    server.terminate()
    server.wait(timeout=10)
    was = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    app.conf.task_always_eager = False
    app._pool = None
    yield
    app.conf.broker_url, app.conf.task_always_eager = was
    app._pool = None


@pytest.fixture
def broker_back():
    """The broker is back: here, tasks run at once in the test's process."""

    def back():
        app.conf.task_always_eager = True

    return back


@pytest.fixture
def measure(db):
    measure = make_measure(code="CSC05")
    make_target(measure=measure, value=85, effective_from=date(2022, 6, 1))
    make_observation(measure=measure, value="68.9", period_end=date(2022, 6, 1))
    Measure.objects.filter(pk=measure.pk).recompute_statuses()
    return measure


def _later():
    return timezone.now() + timedelta(hours=1)


def test_an_upload_with_the_broker_down_is_kept_and_checked_once_it_is_back(
    client_for, measure, broker_down, broker_back, django_capture_on_commit_callbacks
):
    client = client_for(roles.PERFORMANCE_OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/upload/",
            {"file": SimpleUploadedFile("f.csv", (HEADER + "CSC05,2022-09,,71.2,,,\n").encode())},
        )
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.CHECKING
    assert client.get(response["Location"]).status_code == 200

    broker_back()
    sweep(now=_later())
    upload.refresh_from_db()
    assert upload.status == Upload.Status.READY


def test_statuses_wanted_while_the_broker_is_down_are_worked_out_by_the_sweeper(
    client_for, measure, broker_down, broker_back, django_capture_on_commit_callbacks
):
    from metrics import loading
    from tests.factories import make_user

    officer = make_user(role=roles.PERFORMANCE_OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        loading.correct(
            measure,
            calc.Period(date(2022, 6, 1), calc.QUARTER),
            "",
            value="90.0",
            user=officer,
            reason="Late cases",
        )
    measure.refresh_from_db()
    assert measure.recompute_wanted_at is not None
    status = MeasureStatus.objects.in_view(drafts=False).get(measure=measure)
    assert status.rag == "red"  # not recomputed yet

    broker_back()
    sweep(now=_later())
    measure.refresh_from_db()
    assert measure.recompute_wanted_at is None
    assert MeasureStatus.objects.in_view(drafts=False).get(measure=measure).rag == "green"


def test_publishing_a_pack_with_the_broker_down_succeeds_and_its_pdf_is_built_later(
    client_for, db, broker_down, broker_back, django_capture_on_commit_callbacks, settings
):
    meeting = make_meeting()
    director = client_for(roles.DIRECTOR)
    with django_capture_on_commit_callbacks(execute=True):
        response = director.post(f"/meetings/{meeting.pk}/publish/")
    assert response.status_code == 302
    pack = MeetingPack.objects.get()
    assert pack.pdf_status == MeetingPack.PdfStatus.QUEUED
    page = director.get(pack.get_absolute_url()).content.decode()
    assert "The PDF is queued" in page

    # Long after, the page offers to build it again instead of waiting for ever.
    MeetingPack.objects.filter(pk=pack.pk).update(pdf_queued_at=timezone.now() - timedelta(hours=1))
    assert "Build the PDF again" in director.get(pack.get_absolute_url()).content.decode()

    broker_back()
    sweep(now=_later())
    pack.refresh_from_db()
    assert pack.pdf_status == MeetingPack.PdfStatus.READY and pack.pdf


def test_a_question_asked_while_mail_is_down_is_saved_and_its_email_sent_later(
    client_for, users, db, settings, eager_tasks, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nothing listens
    settings.EMAIL_TIMEOUT = 2
    meeting = make_meeting(day=date(2999, 1, 15))
    member = client_for(roles.COMMITTEE_MEMBER)
    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(
            f"/meetings/{meeting.pk}/ask/", {"about": "meeting", "text": "Why did it rise?"}
        )
    assert response.status_code == 302
    assert (
        "Nothing you entered has been saved"
        not in member.get(response["Location"]).content.decode()
    )
    assert Question.objects.get().text == "Why did it rise?"
    waiting = OutgoingEmail.objects.get()
    assert waiting.sent_at is None and waiting.attempts == 1
    assert "ConnectionRefusedError" in waiting.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sweep(now=_later())
    waiting.refresh_from_db()
    assert waiting.sent_at is not None
    (sent,) = mail.outbox
    assert "Why did it rise?" in sent.body
    sweep(now=_later() + timedelta(hours=1))
    assert len(mail.outbox) == 1  # sent once, never twice


def test_a_failed_recompute_after_an_upload_shows_the_failure_and_a_retry(
    client_for, measure, eager_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    from metrics import engine, loading
    from tests.factories import make_user

    officer = make_user(role=roles.PERFORMANCE_OFFICER)
    upload = loading.receive((HEADER + "CSC05,2022-09,,71.2,,,\n").encode(), "f.csv", officer)
    loading.check_upload(upload)
    upload.refresh_from_db()

    def broken(measure_ids):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(engine, "_recompute_locked", broken)
    with django_capture_on_commit_callbacks(execute=True):
        loading.commit(upload, officer)
    client = client_for(roles.PERFORMANCE_OFFICER)
    page = client.get(upload.get_absolute_url()).content.decode()
    assert "The statuses could not be worked out" in page and "Try again" in page
    assert 'hx-trigger="every 1s"' not in page  # the page stops polling

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/upload/{upload.pk}/retry-statuses/")
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.statuses_ready_at is not None and not upload.statuses_error


def test_a_file_that_keeps_failing_is_reported_not_redelivered_for_ever(measure):
    from metrics.tasks import CHECK_ATTEMPTS, check_upload_in_background
    from tests.factories import make_user

    upload = Upload.objects.create(
        original_name="f.csv",
        size=1,
        sha256="0",
        uploaded_by=make_user(),
        uploaded_at=timezone.now(),
        check_attempts=CHECK_ATTEMPTS,  # each earlier attempt stopped the worker
    )
    check_upload_in_background.run(upload.pk)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.INVALID
    assert "could not be checked" in upload.problems[0]["message"]
