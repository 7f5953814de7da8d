"""One way to add or change a record on a page: a form, saved with its audit entries (who,
when, old, new, why) in one transaction. Used by every app's add and change pages."""

import copy

from django import forms
from django.contrib import messages
from django.db import transaction
from django.forms.utils import ErrorDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from scrutiny.audit import AuditEntry

# GOV.UK Frontend's classes for inputs that are not the default for their kind (see GovukForm).
CODE = {"class": "govuk-input govuk-input--width-10"}  # a reference or a code
SHORT = {"class": "govuk-input govuk-input--width-5"}
NUMBER = {"class": "govuk-input govuk-input--width-3"}
DATE = {**CODE, "type": "date"}
MONTH = {**CODE, "type": "month"}
TYPED = {"text", "email", "number", "date", "month", "time", "url", "search", "tel", "password"}


def breadcrumbs(*steps):
    """The trail above a page: the dashboard, then ``steps``, each (label, URL); the last is
    the page itself, (label, None)."""
    return [("Dashboard", reverse("scrutiny:home")), *steps]


def add_and_change(prefix, view, name, key="<int:pk>"):
    """The two URLs of one add-or-change page: ``prefix``new/ (named ``name``_new) adds a
    record, ``prefix``<key>/change/ (``name``_change) changes the one the key names."""
    return [
        path(f"{prefix}new/", view, name=f"{name}_new"),
        path(f"{prefix}{key}/change/", view, name=f"{name}_change"),
    ]


def govuk_class(widget):
    """Give a widget GOV.UK Frontend's class for its kind (a text box, a select, an input),
    unless it names its own; a text box the form left at Django's ten rows gets three."""
    if "class" in widget.attrs:
        return
    if isinstance(widget, forms.Textarea):
        widget.attrs["class"] = "govuk-textarea"
        if widget.attrs.get("rows") == "10":  # Django's default: the form did not choose
            widget.attrs["rows"] = 3
    elif isinstance(widget, forms.Select):
        widget.attrs["class"] = "govuk-select"
    elif getattr(widget, "input_type", None) in TYPED:
        widget.attrs["class"] = "govuk-input"


class GovukForm(forms.Form):
    """Every form's base (or mixin, before ``forms.ModelForm``): each field is drawn with GOV.UK
    Frontend's class for its kind, so a form lists a widget only where it differs (a width, a
    date, a number of rows). Radios, checkboxes and file inputs are drawn by the template."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            govuk_class(field.widget)


class FilterForm(GovukForm):
    """Filters and sorting read from the URL, so a filtered page can be bookmarked and shared:
    every field optional, drawn as a GOV.UK select with its name as its id, and a value that is
    not offered is ignored (the page shows everything), never an error."""

    def __init__(self, data, **kwargs):
        super().__init__(data, auto_id="%s", **kwargs)
        for field in self.fields.values():
            field.required = False

    def full_clean(self):
        super().full_clean()
        self._errors = ErrorDict()  # a value not offered is left out of ``chosen``, not an error

    @property
    def chosen(self):
        """Each filter's value, "" where none or one not offered was given."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


class ReasonMixin(GovukForm):
    """For the add and change pages' model forms: a reason, required when changing something
    already recorded and kept in the trail; and every unique constraint checked as a message."""

    reason = forms.CharField(
        label="Why",
        required=False,
        max_length=1000,
        help_text="Kept in the audit trail. Required when changing something already recorded.",
    )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed() and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say why this is being changed.")
        return cleaned

    def validate_unique(self):
        """Also the constraints that involve the parent the page sets (the plan, the
        workstream), which a form leaves out: a duplicate number or reference is a message on
        the field, never a database error."""
        super().validate_unique()
        for constraint in self.instance._meta.constraints:
            fields = [f for f in getattr(constraint, "fields", ()) if f in self.fields]
            if not fields or any(f in self.errors for f in fields):
                continue
            if getattr(constraint, "condition", None) is not None:
                continue
            lookup = {f: getattr(self.instance, f) for f in constraint.fields}
            clash = type(self.instance).objects.filter(**lookup).exclude(pk=self.instance.pk)
            if clash.exists():
                label = self.fields[fields[-1]].label.lower()
                self.add_error(fields[-1], f"There is already one with this {label} here.")


def edit_with_trail(request, form, *, heading, caption, breadcrumbs, done, context, sets=()):
    """Show ``form``; when valid, save it and its audit entries and redirect to
    ``done(saved)``. ``sets`` names many-to-many fields, recorded as sets of their items."""
    if request.method == "POST" and form.is_valid():
        instance = form.instance
        before = copy.copy(type(instance).objects.get(pk=instance.pk)) if instance.pk else None
        old_sets = {name: _names(instance, name) if before else [] for name in sets}
        reason = form.cleaned_data.get("reason", "").strip()
        with transaction.atomic():
            saved = form.save()
            AuditEntry.record_changes(
                saved,
                before,
                user=request.user,
                reason=reason,
                context=context,
                fields=[f for f in form.Meta.fields if f not in sets],
            )
            if hasattr(form, "record_trail"):  # what the form keeps besides its fields
                form.record_trail(saved, user=request.user, reason=reason, context=context)
            for name in sets:
                AuditEntry.record_set(
                    saved,
                    name,
                    old_sets[name],
                    _names(saved, name),
                    user=request.user,
                    reason=reason,
                    context=context,
                )
        messages.success(request, f"{'Changed' if before else 'Added'}: {saved}.")
        return redirect(done(saved))
    return render(
        request,
        "scrutiny/object_form.html",
        {
            "form": form,
            "heading": heading,
            "caption": caption,
            "editing": form.instance.pk is not None,
            "breadcrumbs": [*breadcrumbs, (heading, None)],
        },
    )


def _names(instance, field):
    return [str(item) for item in getattr(instance, field).all()]


def redirect_back(request, fallback):
    """After a POST, back to the page it came from (its ``next`` field) if that is on this
    site, else to ``fallback`` (an object with a URL, or a URL)."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(fallback)
    return redirect(target)


def send_back(request, item, *, refused, ask, done, fallback):
    """Return ``item`` (a review or an update waiting for sign-off) to its author with the
    comment the form posted: ``refused`` is the message when it cannot be returned (falsy when
    it can), ``ask`` the one when no comment was given, ``done`` the one on success."""
    comment = request.POST.get("comment", "").strip()
    if refused:
        messages.error(request, refused)
    elif not comment:
        messages.error(request, ask)
    else:
        item.send_back(request.user, comment)
        messages.success(request, done)
    return redirect_back(request, fallback)
