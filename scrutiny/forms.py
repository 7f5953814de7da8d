from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct user name and password. Both are case-sensitive.",
        "inactive": "This account is disabled. Ask an administrator to enable it.",
    }


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="What is the token for?",
        max_length=100,
        help_text="For example, “Power BI report” or “monthly export script”.",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-two-thirds"}),
    )
    expires_in = forms.TypedChoiceField(
        label="When should it stop working?",
        coerce=int,
        choices=[(30, "In 30 days"), (90, "In 90 days"), (365, "In a year"), (0, "Never")],
        initial=90,
        help_text="It also stops working when your password changes, or when you revoke it.",
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
