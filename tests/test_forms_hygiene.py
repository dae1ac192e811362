"""Invisible and direction-changing characters are refused in every form's text, so a PDF reads as typed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from workup.forms import PresentationForm, SearchForm
from workup.forms.clinic import StaffChangeForm, StaffForm, TokenForm
from workup.forms.hygiene import invisible_characters, validate_visible_text
from workup.forms.letters import AddendumForm, DraftForm
from workup.models import Letter, Patient, User
from workup.services import letters as services

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Dr Smith \u202eenod" prints as "Dr Smith done"
REFUSED = "invisible or direction-changing character"
HOSTILE = [
    "\u202a",  # LEFT-TO-RIGHT EMBEDDING
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    "\u2066",  # LEFT-TO-RIGHT ISOLATE
    "\u2069",  # POP DIRECTIONAL ISOLATE
    "\u200b",  # ZERO WIDTH SPACE
    "\u200f",  # RIGHT-TO-LEFT MARK
    "\ufeff",  # BYTE ORDER MARK
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",  # NEXT LINE (C1 control)
    "\u2028",  # LINE SEPARATOR
]


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# The validator


@pytest.mark.parametrize("ch", HOSTILE)
def test_control_and_format_characters_are_refused(ch: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_visible_text(f"Okafor{ch}Smith")
    assert f"U+{ord(ch):04X}" in caught.value.messages[0]


def test_the_message_names_the_character() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_visible_text(f"Take 1 tablet {RLO}yliad")
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in caught.value.messages[0]


@pytest.mark.parametrize(
    "ok", ["Zoë O'Brien-Łukasz", "محمد", "张伟", "Line one\nline two\r\n\tindented", "50 µg/L · ≥ 14 units", ""]
)
def test_ordinary_text_in_any_script_tabs_and_new_lines_pass(ok: str) -> None:
    validate_visible_text(ok)
    assert invisible_characters(ok) == []


# Every form with text


def test_patient_form_refuses_a_bidi_override_in_a_name(login: Any, intake: Any) -> None:
    data = {
        "given_name": f"Joan{RLO}",
        "family_name": "Adebayo",
        "date_of_birth": "1958-07-02",
        "sex": "female",
        "identifier": "485 777 3456",
        "address": "4 Elm Row\u200b",
    }
    response = login(intake).post(reverse("patient_new"), data)
    assert response.status_code == 200 and REFUSED in text(response)
    assert set(response.context["form"].errors) == {"given_name", "address"}
    assert not Patient.objects.exists()


def test_section_forms_guard_any_text_field_they_have(workup: Any) -> None:
    class WithNotes(PresentationForm):
        notes = forms.CharField(required=False)

    form = WithNotes({"presentation-version": 0, "presentation-notes": f"left{RLO}"}, instance=workup)
    assert not form.is_valid()
    assert REFUSED in form.errors["notes"][0]


def test_letter_edit_refuses_hidden_characters_and_keeps_the_draft(login: Any, intake: Any, workup: Any) -> None:
    draft = services.create_draft(user=intake, workup=workup, service="neurology")
    url = reverse("letter_edit", kwargs={"letter_id": draft.pk})
    response = login(intake).post(url, {"question": "Please assess.", "free_text": f"x{RLO}y", "draft_version": 0})
    assert response.status_code == 200 and REFUSED in text(response)
    assert Letter.objects.get(pk=draft.pk).free_text == ""


def test_addendum_reason_refuses_hidden_characters(login: Any, clinician: Any, workup: Any) -> None:
    issued = services.issue(
        user=clinician, letter=services.create_draft(user=clinician, workup=workup, service="neurology")
    )
    url = reverse("letter_addendum", kwargs={"letter_id": issued.pk})
    response = login(clinician).post(url, {"reason": "Corrected\u2066 result"})
    assert response.status_code == 200 and REFUSED in text(response)
    assert not Letter.objects.filter(amends=issued).exists()


def test_staff_form_refuses_hidden_characters_in_names(login: Any, clinic_admin: Any) -> None:
    data = {
        "username": "nina",
        "password": "a-long-unusual-passphrase",
        "first_name": "Nina\ufeff",
        "last_name": "Nurse",
        "role": "clinician",
        "job_title": f"GP{RLO}",
    }
    response = login(clinic_admin).post("/clinic/staff/", data)
    assert response.status_code == 200 and REFUSED in text(response)
    assert set(response.context["form"].errors) == {"first_name", "job_title"}
    assert not User.objects.filter(username="nina").exists()


def test_staff_edit_refuses_hidden_characters(login: Any, clinic_admin: Any, intake: Any) -> None:
    data = {"role": "intake", "is_active": "on", "registration_number": f"GMC{RLO}1234"}
    response = login(clinic_admin).post(f"/clinic/staff/{intake.pk}/", data)
    assert response.status_code == 200 and REFUSED in text(response)
    intake.refresh_from_db()
    assert intake.registration_number == ""


def test_token_name_refuses_hidden_characters(login: Any, clinician: Any) -> None:
    response = login(clinician).post("/clinic/account/tokens/", {"name": "link\x1b[31m"})
    assert response.status_code == 200 and REFUSED in text(response)
    assert not clinician.api_tokens.exists()


@pytest.mark.parametrize(
    ("form_class", "field", "kwargs"),
    [
        (DraftForm, "question", {}),
        (AddendumForm, "reason", {}),
        (StaffForm, "last_name", {}),
        (TokenForm, "name", {}),
        (SearchForm, "q", {}),
    ],
)
def test_every_text_form_carries_the_check(form_class: type[forms.Form], field: str, kwargs: dict[str, Any]) -> None:
    form = form_class({field: f"a{RLO}b"}, **kwargs)
    form.is_valid()
    assert REFUSED in " ".join(map(str, form.errors.get(field, [])))


def test_staff_change_form_carries_the_check(clinic_admin: Any, intake: Any) -> None:
    form = StaffChangeForm({"role": "intake", "phone": f"0113{RLO}"}, instance=intake, acting_user=clinic_admin)
    assert not form.is_valid() and REFUSED in form.errors["phone"][0]


def test_passwords_are_not_checked(clinic_admin: Any) -> None:
    form = StaffForm({"password": f"pass{RLO}word-long-enough"})
    form.is_valid()
    assert REFUSED not in " ".join(map(str, form.errors.get("password", [])))
