"""Every form draws its inputs with GOV.UK Frontend's classes, without each form saying so."""

import inspect

import pytest
from django import forms

from improvement_plan import forms as plan_forms
from metrics import forms as metrics_forms
from scrutiny import forms as scrutiny_forms
from scrutiny.editing import GovukForm


class Sample(GovukForm):
    name = forms.CharField()
    email = forms.EmailField()
    count = forms.IntegerField()
    day = forms.DateField()
    note = forms.CharField(widget=forms.Textarea)
    long_note = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}))
    choice = forms.ChoiceField(choices=[("a", "A")])
    several = forms.MultipleChoiceField(choices=[("a", "A")])
    narrow = forms.CharField(widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}))
    radios = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
    tick = forms.BooleanField()
    ticks = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple)
    file = forms.FileField()
    hidden = forms.CharField(widget=forms.HiddenInput)


def test_each_kind_of_input_gets_its_class_and_radios_checkboxes_and_files_none():
    attrs = {name: field.widget.attrs for name, field in Sample().fields.items()}
    for name in ("name", "email", "count", "day"):
        assert attrs[name]["class"] == "govuk-input", name
    assert attrs["note"]["class"] == "govuk-textarea"
    assert attrs["choice"]["class"] == attrs["several"]["class"] == "govuk-select"
    for name in ("radios", "tick", "ticks", "file", "hidden"):
        assert "class" not in attrs[name], name


def test_a_form_keeps_the_class_and_rows_it_chose_and_a_plain_text_box_is_three_rows():
    attrs = {name: field.widget.attrs for name, field in Sample().fields.items()}
    assert attrs["narrow"]["class"] == "govuk-input--width-5"
    assert attrs["note"]["rows"] == 3
    assert attrs["long_note"]["rows"] == 8


FORMS = [
    form
    for module in (scrutiny_forms, metrics_forms, plan_forms)
    for _, form in inspect.getmembers(module, inspect.isclass)
    if issubclass(form, forms.BaseForm)
    and form.__module__ == module.__name__
    and form is not scrutiny_forms.LoginForm  # Django's sign-in form, with its own template
]


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.__name__)
def test_every_form_of_the_apps_is_drawn_the_gov_uk_way(form):
    assert issubclass(form, GovukForm), f"{form.__name__} should derive from GovukForm"
