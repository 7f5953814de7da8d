import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from scrutiny import roles
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[1]
ROLE_USERNAMES = {
    roles.COMMITTEE_MEMBER: "member",
    roles.PERFORMANCE_OFFICER: "officer",
    roles.SERVICE_LEAD: "lead",
    roles.DIRECTOR: "director",
    roles.ADMINISTRATOR: "admin",
}


def services_required():
    """make test starts real PostgreSQL and Redis; anywhere else such tests are skipped."""
    return os.environ.get("CELERY_BROKER_URL", "").startswith("redis://")


@pytest.fixture
def demo(db):
    call_command("load_demo", "--without-national", stdout=open(os.devnull, "w"))


@pytest.fixture
def national_data(demo):
    """The demo with every council's published statistics (fixtures/dfe/)."""
    from metrics.demo import load_national

    load_national()


@pytest.fixture
def users(db):
    return {role: make_user(role=role, username=name) for role, name in ROLE_USERNAMES.items()}


@pytest.fixture
def client_for(client, users):
    """A test client signed in as the given role."""

    def sign_in(role):
        client.force_login(users[role])
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs a third of a second per user; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in the test's process even when make test provides a real broker."""
    from scrutiny.celery import app

    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was


@pytest.fixture
def worker(transactional_db, tmp_path):
    if not services_required():
        pytest.skip("needs the Redis that make test starts")
    """A worker process on the test database, stopped before the database is flushed."""
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    log = open(tmp_path / "worker.log", "w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "scrutiny",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
    print((tmp_path / "worker.log").read_text()[-3000:])


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rendered pages are cached by area and figures version; every test starts a new database,
    # where the same numbers would otherwise find another test's pages.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
