"""Every text a person can type has a ceiling, and an over-long value is a GOV.UK error.

PostgreSQL refuses a value longer than its varchar column with an error page (and SQLite
silently keeps it), so a field bound to a limited column takes the column's length
(`column_length`); free text that lands in an unlimited column takes FREE_TEXT_LIMIT, so
that nobody can paste a novel into a record. Every form the service shows mixes in
`BoundedInput`. It lives at the bottom of the dependency graph so that every app's forms
can use it."""

from django import forms
from django.core.validators import MaxLengthValidator
from django.db import models

# About 3,000 words: far more than any one answer in a strategy discussion record needs.
FREE_TEXT_LIMIT = 20_000


def column_length(model: type[models.Model], name: str) -> int:
    """The length of a varchar column, for a plain form field that is saved into it."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length, f"{name} has no length"
    return field.max_length


def length_message(label: object, limit: int) -> str:
    return f"{label or 'This answer'} must be {limit} characters or fewer"


def field_bound(field: forms.Field) -> None:
    """Gives a text field its ceiling (unless it has one) and says so in the GOV.UK way."""
    if not isinstance(field, forms.CharField):
        return
    if field.max_length is None:
        field.max_length = FREE_TEXT_LIMIT
    if not any(isinstance(v, MaxLengthValidator) for v in field.validators):
        # A max_length set after the field was made (Django's own sign-in form does this)
        # is otherwise never checked.
        field.validators.append(MaxLengthValidator(field.max_length))
    field.error_messages.setdefault("max_length", length_message(field.label, field.max_length))


class BoundedInput:
    """Form mixin: bounds every text field when the form is checked, including the fields
    a form adds in its own __init__ (one per invitee, one per requirement)."""

    fields: dict[str, forms.Field]

    def full_clean(self) -> None:
        for field in self.fields.values():
            field_bound(field)
        super().full_clean()  # type: ignore[misc]
