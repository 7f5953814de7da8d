"""A second council, Westshire, sets itself up from the empty product through its pages, and
a member reads its first published quarter. The time the setup takes is logged."""

import re
import time

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from scrutiny.mail import OutgoingEmail
from tests.browser.conftest import PASSWORD, assert_accessible, screenshot, sign_in
from tests.files import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.services]

AREAS = ["Early Help", "Children's Social Care", "Education"]
POLARITIES = ["Bigger is Better", "Smaller is Better", "Plan is best"]
FREQUENCIES = ["Monthly", "Quarterly", "Annual"]


def westshire_library():
    """30 measures across three areas, the three polarities and the three frequencies, each
    with a target that changes in April 2022, and a comparator."""
    measures = [["code", "name", "area", "section", "unit", "polarity", "frequency"]]
    targets = [["measure_code", "value", "effective_from", "effective_to", "kind"]]
    comparators = [["measure_code", "kind", "value", "as_at", "period_label"]]
    codes = []
    for number in range(30):
        code = f"WS{number + 1:02d}"
        frequency = FREQUENCIES[number % 3]
        measures.append(
            [
                code,
                f"Westshire measure {number + 1}",
                AREAS[number % 3],
                "Performance",
                "percent",
                POLARITIES[(number // 3) % 3],
                frequency,
            ]
        )
        start = {"Monthly": "2021-04", "Quarterly": "2021-06", "Annual": "2021-03"}[frequency]
        targets.append([code, 70, start, "", "standard"])
        targets.append([code, 75, "2022-04", "", "stretch"])
        comparators.append([code, "England", 72.5, "2022-03", "2021/22"])
        codes.append((code, frequency))
    return xlsx({"Measures": measures, "Targets": targets, "Comparators": comparators}), codes


def first_quarter(codes):
    lines = ["measure_code,period,area,value"]
    for number, (code, frequency) in enumerate(codes):
        value = 60 + number
        if frequency == "Monthly":
            lines += [f"{code},{month},,{value}" for month in ("2022-04", "2022-05", "2022-06")]
        elif frequency == "Quarterly":
            lines.append(f"{code},2022-06,,{value}")
        else:
            lines.append(f"{code},2022/23,,{value}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def empty_site(transactional_db, live_server, settings):
    """The product as a new council finds it: no data, one administrator made by
    createsuperuser, and the council's own name."""
    settings.COUNCIL_NAME = "Westshire County Council"
    User.objects.create_superuser("admin", "admin@westshire.example", PASSWORD)
    return live_server.url


def _set_password_from_invitation(page, site, email):
    body = OutgoingEmail.objects.get(recipient=email).body
    link = re.search(r"/accounts/reset/\S+", body).group(0)
    page.goto(f"{site}{link}")
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_text("Your password is set")).to_be_visible()


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_westshire_sets_itself_up_and_a_member_reads_its_first_quarter(
    empty_site, page, worker, tmp_path
):
    started = time.monotonic()
    site = empty_site
    sign_in(page, site, "admin")
    expect(page.get_by_role("link", name="Westshire County Council")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Set up").click()
    expect(page.get_by_text("10 of 10 steps still to do")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "westshire-setup-empty")

    # Users, by invitation.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    for name, email, role in (
        ("Olive Officer", "officer@westshire.example", "Performance officer"),
        ("Leo Lead", "lead@westshire.example", "Service lead"),
        ("Dee Director", "director@westshire.example", "Director"),
        ("Cllr May Member", "member@westshire.example", "Committee member"),
    ):
        page.get_by_label("Full name").fill(name)
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Role").select_option(role)
        page.get_by_role("button", name="Send the invitation").click()
        expect(page.get_by_text(f"{name} is invited")).to_be_visible()

    # The committee and its first meeting.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    page.get_by_role("link", name="Add a committee").click()
    page.get_by_label("Name").fill("Children's Services Scrutiny Committee")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add a member").click()
    page.get_by_label("Name").fill("Cllr May Member")
    page.get_by_label("Role").select_option("chair")
    page.get_by_label("Their account").select_option(label="member@westshire.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="Chair")).to_be_visible()
    page.goto(f"{site}/meetings/new/")
    page.get_by_label("Committee").select_option(index=1)
    page.get_by_label("Date").fill("2022-09-20")
    page.get_by_label("Place").fill("Westshire County Hall")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Tuesday 20 September 2022")).to_be_visible()
    _sign_out(page)

    # The officer loads the measure library and the first quarter, and publishes it.
    for email in ("officer", "lead", "member"):
        _set_password_from_invitation(page, site, f"{email}@westshire.example")
    library, codes = westshire_library()
    (tmp_path / "library.xlsx").write_bytes(library)
    (tmp_path / "q1.csv").write_text(first_quarter(codes))
    sign_in(page, site, "officer@westshire.example")
    page.goto(f"{site}/upload/")
    page.get_by_label("Measures, targets and comparators (the measure library)").check()
    page.get_by_label("Upload a file of figures").set_input_files(str(tmp_path / "library.xlsx"))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("new-measures")).to_contain_text("30:")
    page.get_by_label("Reason for the changes").fill("Westshire's library for 2022/23")
    page.get_by_role("button", name="Confirm and load the measure library").click()
    expect(page.get_by_text("Measure library loaded")).to_be_visible()
    page.goto(f"{site}/upload/")
    page.get_by_label("Upload a file of figures").set_input_files(str(tmp_path / "q1.csv"))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("new-count")).to_have_text("50")
    page.get_by_role("button", name="Confirm and load the figures").click()
    expect(page.get_by_test_id("statuses-ready")).to_be_visible(timeout=30_000)
    page.goto(f"{site}/publish/")
    while page.get_by_role("button", name=re.compile(r"^Publish")).count():
        page.get_by_role("button", name=re.compile(r"^Publish")).first.click()
        expect(page.locator(".govuk-notification-banner")).to_be_visible()
    _sign_out(page)

    # The lead writes the plan and the risk register.
    sign_in(page, site, "lead@westshire.example")
    page.goto(f"{site}/plan/")
    page.get_by_role("link", name="Start the improvement plan").click()
    page.get_by_label("Title").fill("Westshire Children's Services Improvement Plan")
    page.get_by_label("Version").fill("1.0")
    page.get_by_role("button", name="Save").click()
    page.goto(f"{site}/plan/priorities/new/")
    page.get_by_label("Number").fill("1")
    page.get_by_label("Title").fill("Help at the right time")
    page.get_by_role("button", name="Save").click()
    for number, title in (("1.1", "Front door"), ("1.2", "Early help offer")):
        page.goto(f"{site}/plan/workstreams/new/")
        page.get_by_label("Priority").select_option(index=1)
        page.get_by_label("Number").fill(number)
        page.get_by_label("Title").fill(title)
        page.get_by_label("Objectives").fill("Timely decisions\nFewer re-referrals")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", name=f"{number} {title}")).to_be_visible()
    for number in range(1, 4):
        page.goto(f"{site}/risks/new/")
        page.get_by_label("Reference").fill(f"WR{number}")
        page.get_by_label("Title").fill(f"Westshire risk {number}")
        page.get_by_label("Or a new register").fill("Westshire strategic risks")
        page.get_by_label("Inherent impact").select_option(str(number + 2))
        page.get_by_label("Inherent likelihood").select_option("3")
        page.get_by_role("button", name="Add the risk").click()
        expect(page.get_by_text(f"WR{number} added.")).to_be_visible()
    _sign_out(page)

    # A member reads the first published quarter.
    sign_in(page, site, "member@westshire.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scorecards").click()
    page.get_by_role("link", name="Children's Social Care").first.click()
    expect(page.get_by_text("judged measures were better than or within tolerance")).to_be_visible()
    expect(page.get_by_role("link", name="Westshire measure 2", exact=True)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "westshire-first-scorecard")
    print(
        f"Westshire set up from empty to a member reading its scorecard in "
        f"{time.monotonic() - started:.0f} s of browser time"
    )
