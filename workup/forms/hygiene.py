"""Input hygiene shared by every form: no invisible control or direction characters in typed text.

A right-to-left override (U+202E) or an invisible character in a name or free text makes the screen and the
signed PDF read differently from what was typed, so such text is refused with a message naming the character.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

ALLOWED_CONTROLS = frozenset("\t\n\r")
# Cc: control characters; Cf: format characters (bidi embeddings, overrides and isolates U+202A-U+202E and
# U+2066-U+2069, zero-width U+200B-U+200F, the byte-order mark U+FEFF, soft hyphen); Zl/Zp: line and
# paragraph separators, which break a line in the PDF where the form showed none.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def invisible_characters(text: str) -> list[str]:
    """The distinct refused characters in ``text``, in order of appearance."""
    found = (ch for ch in text if ch not in ALLOWED_CONTROLS and unicodedata.category(ch) in REFUSED_CATEGORIES)
    return list(dict.fromkeys(found))


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character')}".rstrip()


def validate_visible_text(value: Any) -> None:
    """Refuse text holding control, direction-override or invisible characters (tab and new lines are fine)."""
    if not isinstance(value, str):
        return
    found = invisible_characters(value)
    if found:
        names = ", ".join(_describe(ch) for ch in found[:3])
        raise ValidationError(
            "This text contains an invisible or direction-changing character (%(names)s). Remove it and type the "
            "text again: it could make the printed letter read differently from what you see.",
            code="invisible_character",
            params={"names": names},
        )


def guard_text_fields(form: forms.BaseForm) -> None:
    """Add the visible-text check to every text field of ``form`` (passwords are never printed: left alone)."""
    for field in form.fields.values():
        is_text = isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)
        if is_text and validate_visible_text not in field.validators:
            field.validators.append(validate_visible_text)


class VisibleTextMixin:
    """Put before the form class: ``class PatientForm(VisibleTextMixin, forms.ModelForm)``.

    The check is added when the form validates, so fields a form adds in its own ``__init__`` are covered too.
    """

    def full_clean(self) -> None:
        guard_text_fields(self)  # type: ignore[arg-type]
        super().full_clean()  # type: ignore[misc]
