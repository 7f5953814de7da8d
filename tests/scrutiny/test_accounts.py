import pytest
from django.test import override_settings

from scrutiny import roles
from tests.factories import make_user


def test_signing_in_shows_the_dashboard_with_the_users_role(client, db):
    make_user(role=roles.COMMITTEE_MEMBER, username="cllr", password="a-long-enough-password")
    response = client.post(
        "/accounts/login/", {"username": "cllr", "password": "a-long-enough-password"}, follow=True
    )
    assert response.status_code == 200
    assert b"Committee member" in response.content
    assert b"Sign out" in response.content


def test_a_wrong_password_says_so_without_saying_which_field(client, db):
    make_user(role=roles.COMMITTEE_MEMBER, username="cllr", password="a-long-enough-password")
    response = client.post("/accounts/login/", {"username": "cllr", "password": "wrong"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Enter a correct user name and password" in response.content


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failed_sign_ins_are_locked_out(client, db):
    make_user(role=roles.COMMITTEE_MEMBER, username="cllr", password="a-long-enough-password")
    for _ in range(3):
        client.post("/accounts/login/", {"username": "cllr", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "cllr", "password": "a-long-enough-password"}
    )
    assert response.status_code == 429
    assert b"Too many attempts to sign in" in response.content


def test_signing_out_is_a_post_and_ends_the_session(client, db):
    user = make_user(role=roles.DIRECTOR)
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_change(client, db):
    user = make_user(role=roles.DIRECTOR, password="the-old-password-1")
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "the-old-password-1",
            "new_password1": "a-brand-new-passphrase-2",
            "new_password2": "a-brand-new-passphrase-2",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase-2")


@pytest.mark.parametrize("role", roles.ROLES)
def test_each_role_has_exactly_its_capabilities(db, role):
    user = make_user(role=role)
    admin_models = {f"{app}.{codename}" for app, codename in roles.MODEL_PERMISSIONS.get(role, [])}
    capabilities = {
        p.split(".", 1)[1]
        for p in user.get_all_permissions()
        if p.startswith("scrutiny.") and p not in admin_models
    }
    assert capabilities == set(roles.ROLE_CAPABILITIES[role])
    assert admin_models <= user.get_all_permissions()


def test_only_directors_sign_off_and_only_officers_upload(db):
    director = make_user(role=roles.DIRECTOR)
    officer = make_user(role=roles.PERFORMANCE_OFFICER)
    member = make_user(role=roles.COMMITTEE_MEMBER)
    assert director.has_perm("scrutiny.sign_off") and not officer.has_perm("scrutiny.sign_off")
    assert officer.has_perm("scrutiny.upload_figures")
    assert not member.has_perm("scrutiny.upload_figures")
    assert not member.has_perm("scrutiny.view_drafts")


def test_demo_users_are_refused_when_debug_is_off(db, settings):
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError, match="never created"):
        call_command("create_demo_users")


def _sign_in(client, username, password, address, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


@override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXIES=["10.0.0.5"])
def test_behind_the_proxy_one_client_cannot_lock_another_out(client, db):
    """Every request reaches the application from the proxy: counted by the proxy's address,
    anyone could lock the director out by failing three times."""
    make_user(role=roles.DIRECTOR, username="director", password="a-long-enough-password")
    for _ in range(3):
        _sign_in(client, "director", "wrong", "10.0.0.5", forwarded="203.0.113.9")
    assert _sign_in(client, "director", "x", "10.0.0.5", "203.0.113.9").status_code == 429
    ok = _sign_in(client, "director", "a-long-enough-password", "10.0.0.5", "198.51.100.7")
    assert ok.status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXIES=[])
def test_a_forged_forwarded_address_from_outside_the_proxies_is_ignored(client, db):
    make_user(role=roles.DIRECTOR, username="director", password="a-long-enough-password")
    for number in range(3):
        _sign_in(client, "director", "wrong", "192.0.2.1", forwarded=f"203.0.113.{number}")
    assert _sign_in(client, "director", "x", "192.0.2.1", "203.0.113.99").status_code == 429


@override_settings(AXES_FAILURE_LIMIT=5, LOGIN_ADDRESS_FAILURE_LIMIT=8)
def test_a_few_passwords_on_each_of_many_accounts_are_throttled_by_address(client, db):
    for number in range(5):
        make_user(role=roles.COMMITTEE_MEMBER, username=f"cllr{number}")
    for number in range(4):
        for _ in range(2):
            _sign_in(client, f"cllr{number}", "guess", "192.0.2.50")
    response = _sign_in(client, "cllr4", "correct-horse-battery-staple", "192.0.2.50")
    assert response.status_code == 429
    elsewhere = _sign_in(client, "cllr4", "correct-horse-battery-staple", "192.0.2.51")
    assert elsewhere.status_code == 302


@override_settings(
    TRUSTED_PROXIES=[], DEBUG=False, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_a_forged_scheme_header_from_outside_the_proxies_is_dropped(rf):
    from scrutiny.proxy import TrustedProxyHeaders

    request = rf.get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="192.0.2.1")
    TrustedProxyHeaders(lambda r: r)(request)
    assert not request.is_secure()
    trusted = rf.get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.0.0.5")
    with override_settings(TRUSTED_PROXIES=["10.0.0.0/24"]):
        TrustedProxyHeaders(lambda r: r)(trusted)
    assert trusted.is_secure()
