import json

from django.db import OperationalError, connection


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["broker"]["ok"]


def test_healthz_is_503_when_the_database_is_unreachable(client, db, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == {"ok": False, "detail": "OperationalError"}


def test_healthz_is_503_when_the_broker_is_unreachable(client, db, monkeypatch):
    from kombu import Connection

    from scrutiny.celery import app

    was = app.conf.task_always_eager
    app.conf.task_always_eager = False
    # Nothing listens on port 1: the same code path as a Redis that is down.
    monkeypatch.setattr(app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0"))
    try:
        response = client.get("/healthz")
    finally:
        app.conf.task_always_eager = was
    assert response.status_code == 503
    assert json.loads(response.content)["broker"]["ok"] is False
