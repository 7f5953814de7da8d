"""Users and roles: administrators invite and give roles within limits, nobody raises their
own privileges, and every change is kept."""

import re

import pytest
from django.contrib.auth.models import Group, User

from scrutiny import roles
from scrutiny.audit import AuditEntry
from scrutiny.mail import OutgoingEmail
from tests.factories import make_user


@pytest.fixture
def administrator(db):
    return make_user(role=roles.ADMINISTRATOR, username="admin")


def test_an_administrator_cannot_raise_their_own_privileges_in_the_admin(client, administrator):
    client.force_login(administrator)
    director = Group.objects.get(name=roles.DIRECTOR)
    url = f"/admin/auth/user/{administrator.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page
    client.post(
        url,
        {
            "username": "admin",
            "email": "someone@example.org",
            "is_active": "on",
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [director.pk],
            "date_joined_0": "2022-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    administrator.refresh_from_db()
    assert not administrator.is_superuser
    assert roles.role_of(administrator) == [roles.ADMINISTRATOR]


def test_a_superusers_change_of_roles_in_the_admin_is_kept_in_the_trail(client, db):
    superuser = User.objects.create_superuser("root", "root@example.org", "a-long-password-1")
    officer = make_user(role=roles.PERFORMANCE_OFFICER, username="officer")
    client.force_login(superuser)
    client.post(
        f"/admin/auth/user/{officer.pk}/change/",
        {
            "username": "officer",
            "email": "officer@example.org",
            "is_active": "on",
            "groups": [Group.objects.get(name=roles.SERVICE_LEAD).pk],
            "date_joined_0": "2022-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert roles.role_of(officer) == [roles.SERVICE_LEAD]
    entry = AuditEntry.objects.for_object(officer).get(field="roles")
    assert (entry.old_value, entry.new_value) == (roles.PERFORMANCE_OFFICER, roles.SERVICE_LEAD)
    assert entry.user == superuser and entry.context == "admin"
    assert not AuditEntry.objects.for_object(officer).filter(field="permissions").exists()


def test_an_administrator_cannot_set_another_users_password(client, administrator):
    other = make_user(role=roles.DIRECTOR, username="director")
    client.force_login(administrator)
    response = client.post(
        f"/admin/auth/user/{other.pk}/password/",
        {"password1": "a-brand-new-password-1", "password2": "a-brand-new-password-1"},
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert not other.check_password("a-brand-new-password-1")


def test_an_invited_officer_sets_a_password_from_the_link_and_signs_in(
    client, administrator, eager_tasks, django_capture_on_commit_callbacks
):
    from django.core import mail

    client.force_login(administrator)
    page = client.get("/users/").content.decode()
    assert roles.DIRECTOR not in page.split('name="role"')[1].split("</select>")[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/users/",
            {"name": "Ann Officer", "email": "Ann@Example.org", "role": roles.PERFORMANCE_OFFICER},
        )
    assert response.status_code == 302
    ann = User.objects.get(username="ann@example.org")
    assert roles.role_of(ann) == [roles.PERFORMANCE_OFFICER] and ann.is_staff
    assert not ann.has_usable_password()
    entry = AuditEntry.objects.for_object(ann).get(field="roles")
    assert (entry.old_value, entry.new_value, entry.user) == (
        "",
        roles.PERFORMANCE_OFFICER,
        administrator,
    )
    (invitation,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/reset/\S+", invitation.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.logout()
    form = client.get(f"/{path}", follow=True)
    assert "Choose your password" in form.content.decode()
    client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else f"/{path}",
        {"new_password1": "a-long-new-password-9", "new_password2": "a-long-new-password-9"},
    )
    signed_in = client.post(
        "/accounts/login/", {"username": "ann@example.org", "password": "a-long-new-password-9"}
    )
    assert signed_in.status_code == 302
    assert OutgoingEmail.objects.get().sent_at is not None


def test_only_a_superuser_gives_the_director_role_and_nobody_changes_their_own(
    client, administrator
):
    lead = make_user(role=roles.SERVICE_LEAD, username="lead")
    client.force_login(administrator)
    refused = client.post(
        f"/users/{lead.pk}/", {"role": roles.DIRECTOR, "reason": "promoted"}
    ).content.decode()
    assert "Select a valid choice" in refused
    assert roles.role_of(lead) == [roles.SERVICE_LEAD]
    own = client.post(
        f"/users/{administrator.pk}/", {"role": roles.SERVICE_LEAD, "reason": "x"}
    ).content.decode()
    assert "Nobody changes their own role" in own
    director = make_user(role=roles.DIRECTOR, username="director")
    with pytest.raises(roles.RoleRefused, match="Only a superuser may change the role"):
        roles.set_role(director, roles.SERVICE_LEAD, by=administrator)

    root = User.objects.create_superuser("root", "root@example.org", "a-long-root-password")
    roles.set_role(lead, roles.DIRECTOR, by=root, reason="Interim director")
    entry = AuditEntry.objects.for_object(lead).get(field="roles", new_value=roles.DIRECTOR)
    assert (entry.old_value, entry.reason, entry.user) == (
        roles.SERVICE_LEAD,
        "Interim director",
        root,
    )


def test_role_and_permission_changes_in_the_admin_are_kept(client, db):
    root = User.objects.create_superuser("root", "root@example.org", "a-long-root-password")
    target = make_user(role=roles.COMMITTEE_MEMBER, username="cllr")
    client.force_login(root)
    page = client.get(f"/admin/auth/user/{target.pk}/change/")
    assert page.status_code == 200
    data = {
        "username": "cllr",
        "email": "someone@example.org",
        "is_active": "on",
        "is_staff": "on",
        "groups": [Group.objects.get(name=roles.DIRECTOR).pk],
        "date_joined_0": "2022-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(f"/admin/auth/user/{target.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    roles_entry = AuditEntry.objects.for_object(target).get(field="roles")
    assert (roles_entry.old_value, roles_entry.new_value) == (
        roles.COMMITTEE_MEMBER,
        roles.DIRECTOR,
    )
    staff = AuditEntry.objects.for_object(target).get(field="is_staff")
    assert (staff.old_value, staff.new_value, staff.user) == ("False", "True", root)


def test_a_deactivated_user_cannot_sign_in_and_the_change_is_kept(client, administrator):
    member = make_user(role=roles.COMMITTEE_MEMBER, username="cllr", password="a-long-password-1")
    client.force_login(administrator)
    client.post(f"/users/{member.pk}/deactivate/")
    member.refresh_from_db()
    assert not member.is_active
    assert AuditEntry.objects.for_object(member).get(field="is_active").new_value == "False"
    assert client.post(f"/users/{administrator.pk}/deactivate/").status_code == 302
    administrator.refresh_from_db()
    assert administrator.is_active
    client.logout()
    refused = client.post("/accounts/login/", {"username": "cllr", "password": "a-long-password-1"})
    assert refused.status_code == 200 and b"There is a problem" in refused.content


def test_switching_an_account_off_and_on_is_kept_and_refused_where_the_rules_say(administrator):
    from scrutiny import accounts

    officer = make_user(role=roles.PERFORMANCE_OFFICER, username="officer")
    director = make_user(role=roles.DIRECTOR, username="director")
    assert accounts.switch_active(officer, by=administrator) is False
    assert accounts.switch_active(officer, by=administrator) is True
    trail = AuditEntry.objects.for_object(officer).filter(field="is_active").order_by("pk")
    assert [(e.old_value, e.new_value, e.user) for e in trail] == [
        ("True", "False", administrator),
        ("False", "True", administrator),
    ]
    for person, why in ((administrator, "your own"), (director, "Only a superuser")):
        with pytest.raises(roles.RoleRefused, match=why):
            accounts.switch_active(person, by=administrator)
        person.refresh_from_db()
        assert person.is_active
