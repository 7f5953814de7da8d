"""Settings come from the environment; a bad value stops start-up and names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from scrutiny.env import broker_from_url, database_from_url

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k" * 20 + "a-random-enough-production-secret-key-for-the-check-0123",
    "DJANGO_ALLOWED_HOSTS": "scrutiny.example.org",
}


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL"))
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "false"}, "DJANGO_SECRET_KEY"),
        ({**PRODUCTION, "DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DATABASE_URL": "mysql://db/x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://db:port/x"}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": "amqp://rabbit"}, "CELERY_BROKER_URL"),
        ({"REDIS_URL": "redis://:notaport"}, "REDIS_URL"),
        ({"AXES_FAILURE_LIMIT": "five"}, "AXES_FAILURE_LIMIT"),
        ({"TRUSTED_PROXIES": "the proxy"}, "TRUSTED_PROXIES"),
        ({"COUNCIL_LA_CODE": "E10000013"}, "COUNCIL_LA_CODE"),
        ({"COUNCIL_BRAND_COLOUR": "blue"}, "COUNCIL_BRAND_COLOUR"),
        ({"COUNCIL_BRAND_COLOUR": "#ffdd00"}, "too light for white text"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr.splitlines()[-1]


def test_database_urls(tmp_path):
    sqlite = database_from_url("DATABASE_URL", "sqlite:///data/db.sqlite3", tmp_path)
    assert sqlite["NAME"] == str(tmp_path / "data" / "db.sqlite3")
    absolute = database_from_url("DATABASE_URL", "sqlite:////var/lib/x.sqlite3", tmp_path)
    assert absolute["NAME"] == "/var/lib/x.sqlite3"
    pg = database_from_url(
        "DATABASE_URL", "postgres://user:p%40ss@db.internal:6543/scrutiny?sslmode=require", tmp_path
    )
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "user",
        "p@ss",
        "db.internal",
        "6543",
        "scrutiny",
    )
    assert pg["OPTIONS"] == {"sslmode": "require", "options": "-c jit=off"}
    own = database_from_url("DATABASE_URL", "postgres://db/x?options=-c%20jit%3Don", tmp_path)
    assert own["OPTIONS"] == {"options": "-c jit=on"}
    with pytest.raises(ImproperlyConfigured, match="names no database"):
        database_from_url("DATABASE_URL", "postgres://db/", tmp_path)


def test_broker_urls():
    assert broker_from_url("REDIS_URL", "redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    with pytest.raises(ImproperlyConfigured, match="names no host"):
        broker_from_url("REDIS_URL", "redis://")


def test_with_nothing_set_the_app_runs_on_sqlite_with_eager_tasks():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG, "
        "s.EMAIL_BACKEND)",
        CELERY_BROKER_URL="",
        REDIS_URL="",
    )
    assert result.stdout.split()[-4:] == [
        "django.db.backends.sqlite3",
        "True",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_as_at_reads_the_council_as_at_a_day_and_says_so_on_every_page(client_for, settings):
    from datetime import date

    from scrutiny.roles import COMMITTEE_MEMBER
    from tests.factories import make_meeting

    make_meeting(day=date(2022, 9, 15))
    member = client_for(COMMITTEE_MEMBER)
    settings.AS_AT = None
    page = member.get("/").content.decode()
    assert 'data-testid="as-at"' not in page
    assert "Next: <a" not in page  # the meeting is long past

    settings.AS_AT = date(2022, 9, 14)
    page = member.get("/").content.decode()
    assert "This service shows the council as at <strong>Wednesday 14 September 2022" in page
    # In a landmark of its own, so a screen reader's list of regions reaches it.
    assert 'role="region" aria-label="The day the service reads as"' in page
    assert "Thursday 15 September 2022</a>. Questions by" in page
    for url in ("/scorecards/", "/risks/", "/glossary/"):
        assert 'data-testid="as-at"' in member.get(url).content.decode(), url


def test_as_at_must_be_a_date(monkeypatch):
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    from scrutiny.env import env_date

    monkeypatch.setenv("AS_AT", "14/09/2022")
    with pytest.raises(ImproperlyConfigured, match="AS_AT must be a date as YYYY-MM-DD"):
        env_date("AS_AT")
    monkeypatch.setenv("AS_AT", "")
    assert env_date("AS_AT") is None
