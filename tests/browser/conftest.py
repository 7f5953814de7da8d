"""Playwright driving Debian's Chromium against the live test server."""

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from tests.conftest import ROLE_USERNAMES, services_required
from tests.factories import make_user

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "browser-test-password"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if services_required():
            pytest.fail(f"{CHROMIUM} is missing: make test installs it with apt")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def _clean_screenshots():
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def site(transactional_db, live_server):
    """The demo council and one user per role, on a live server."""
    call_command("load_demo", "--without-national", stdout=open(os.devnull, "w"))
    for role, username in ROLE_USERNAMES.items():
        make_user(role=role, username=username, password=PASSWORD)
    return live_server.url


@pytest.fixture
def national_site(site):
    """The demo with every council's published statistics (fixtures/dfe/)."""
    from metrics.demo import load_national

    load_national()
    return site


@pytest.fixture
def page(browser):
    """A browser tab; every page it loads runs under the Content-Security-Policy, and a
    script or style the policy blocks fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert not blocked, "The Content-Security-Policy blocked:\n" + "\n".join(blocked)


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def screenshot(page, name):
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def overflow(page):
    """How many pixels the page is wider than the screen: 0 or less when it fits."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def check_at_both_widths(page, name):
    """At 1,280 and at 320 px: no serious accessibility violation, nothing wider than the
    screen, and a screenshot named for each width. Leaves the page at 1,280 px."""
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        assert overflow(page) <= 0, f"{page.url} is {overflow(page)}px wider than {width}px"
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


_axe = Axe()


def assert_accessible(page):
    """axe-core finds no serious or critical violation on the page as it stands."""
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    details = "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in bad
    )
    assert not bad, f"axe-core violations on {page.url}:\n{details}"
