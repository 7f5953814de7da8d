"""Scrutiny's own pages, under the ``scrutiny`` namespace: the dashboard, committees,
meetings, questions and packs, accounts, the glossary and the public pages' front door."""

from django.urls import path

from metrics import public_views
from scrutiny import committee_views, meeting_views, user_views, views
from scrutiny import public_views as committee_public
from scrutiny.editing import add_and_change

app_name = "scrutiny"

urlpatterns = [
    path("", views.home, name="home"),
    path("awaiting/", views.awaiting, name="awaiting"),
    path("setup/", views.setup, name="setup"),
    path("users/", user_views.users, name="users"),
    path("users/<int:pk>/", user_views.user, name="user"),
    path("users/<int:pk>/deactivate/", user_views.deactivate, name="user_deactivate"),
    path("meetings/", meeting_views.meetings, name="meetings"),
    *add_and_change("meetings/", committee_views.meeting_form, "meeting"),
    *add_and_change(
        "meetings/<int:pk>/items/", committee_views.agenda_item_form, "agenda_item", "<int:item>"
    ),
    path(
        "meetings/<int:pk>/actions/new/",
        committee_views.minute_action_form,
        name="minute_action_new",
    ),
    # "committees/new/" before "committees/<slug>/", which would take "new" for a slug.
    *add_and_change("committees/", committee_views.committee_form, "committee", "<slug:slug>"),
    path("committees/<slug:slug>/", committee_views.committee_members, name="committee_members"),
    *add_and_change(
        "committees/<slug:slug>/members/", committee_views.membership_form, "membership"
    ),
    *add_and_change(
        "committees/<slug:slug>/work-programme/",
        committee_views.programme_item_form,
        "programme_item",
    ),
    path("meetings/<int:pk>/", meeting_views.meeting, name="meeting"),
    path("meetings/<int:pk>/publish/", meeting_views.publish_pack, name="publish_pack"),
    path("meetings/<int:pk>/ask/", meeting_views.ask, name="ask"),
    path(
        "meetings/<int:pk>/items/<int:item>/report",
        meeting_views.agenda_report,
        name="agenda_report",
    ),
    path("packs/<int:pk>/", meeting_views.pack, name="pack"),
    path("packs/<int:pk>/pdf/", meeting_views.pack_pdf, name="pack_pdf"),
    path("packs/<int:pk>/pdf/build/", meeting_views.pack_pdf_build, name="pack_pdf_build"),
    path("questions/", meeting_views.my_questions, name="my_questions"),
    path("questions/<int:pk>/", meeting_views.question, name="question"),
    path("questions/<int:pk>/approve/", meeting_views.approve_answer, name="approve_answer"),
    path("questions/<int:pk>/return/", meeting_views.return_answer, name="return_answer"),
    path("questions/<int:pk>/assign/", meeting_views.assign_question, name="assign_question"),
    path(
        "committees/<slug:slug>/work-programme/",
        meeting_views.work_programme,
        name="work_programme",
    ),
    path("committees/<slug:slug>/actions/", meeting_views.minute_actions, name="minute_actions"),
    path("actions/<int:pk>/", meeting_views.minute_action, name="minute_action"),
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("public/", committee_public.index, name="public_index"),
    path("public/risks/", committee_public.risks, name="public_risks"),
    path("public/plan/", committee_public.plan, name="public_plan"),
    path("public/packs/", committee_public.packs, name="public_packs"),
    path("public/packs/<int:pk>/", committee_public.pack, name="public_pack"),
    path("public/<slug:slug>/", public_views.scorecard, name="public_scorecard"),
    path("glossary/", views.glossary, name="glossary"),
    path("glossary/add/", views.glossary_term, name="glossary_add"),
    path("glossary/<slug:slug>/change/", views.glossary_term, name="glossary_change"),
    path("healthz", views.healthz, name="healthz"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
]
