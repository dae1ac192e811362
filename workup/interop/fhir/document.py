"""The signed letter as a FHIR R4 document Bundle: the same source as the PDF, coded, with the PDF attached.

Deterministic: ids are UUIDv5 of the letter's id, entries are in a fixed order, and the only timestamp is the letter's
own (signed, else last saved). The same letter gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time
from html import escape
from typing import Any

from workup import letters as wording
from workup import rules
from workup.letters import LetterSource, find_referral
from workup.rules import codes, vocab
from workup.rules.units import normalise_unit
from workup.rules.vocab import label
from workup.services.workups import profiles

NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
GMC_NUMBER = "https://fhir.hl7.org.uk/Id/gmc-number"
URI = "urn:ietf:rfc:3986"
UKCORE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-"
# UK Core publishes a profile for each of these resource types; the Bundle itself is base R4.
UKCORE_PROFILES = frozenset(
    {
        "Composition",
        "Patient",
        "Practitioner",
        "PractitionerRole",
        "Organization",
        "ServiceRequest",
        "Condition",
        "Observation",
        "MedicationStatement",
        "AllergyIntolerance",
        "DocumentReference",
    }
)
PRIORITY = {"emergency": "stat", "urgent": "urgent", "routine": "routine"}
VERIFICATION = {"confirmed": "confirmed", "likely": "provisional", "possible": "provisional"}
# The engine's band -> v3 ObservationInterpretation; a band that reads nothing (indeterminate) gets none.
INTERPRETATION = {
    "normal": "N",
    "below_diabetes_range": "N",
    "prediabetes": "H",
    "diabetes": "H",
    "raised": "H",
    "high": "H",
    "deficient": "L",
    "low": "L",
    "reduced": "L",
    "severely_reduced": "L",
    "paraprotein": "A",
}
ARRANGED = {"ncs": "Nerve conduction studies", "emg": "Electromyography"}
SIDES = ("left", "right")


@dataclass(frozen=True)
class Pdf:
    """The letter's PDF as the document attaches it."""

    data: bytes
    sha256: str


def dumps(resource: dict[str, Any]) -> bytes:
    """The one serialisation of a FHIR resource: UTF-8, key order as built, two-space indent, final newline."""
    return (json.dumps(resource, ensure_ascii=False, indent=2) + "\n").encode()


def nhs_number(identifier: str) -> str | None:
    """The identifier as a 10-digit NHS number when it is one (Modulus 11 check digit), else None."""
    digits = re.sub(r"[\s-]", "", identifier or "")
    if not re.fullmatch(r"\d{10}", digits):
        return None
    remainder = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = (11 - remainder) % 11
    return digits if check != 10 and check == int(digits[9]) else None


def gmc_number(registration: str) -> str | None:
    """A GMC number from the referrer's registration field ('GMC 7654321', 'C1234567'), else None."""
    match = re.fullmatch(r"(?:GMC\s*(?:no\.?|number)?\s*:?\s*)?(C?\d{7})", (registration or "").strip(), re.IGNORECASE)
    return match.group(1).upper() if match else None


def timestamp(source: LetterSource) -> str:
    """The letter's own time: when it was signed, else last saved, else the start of the letter's date (UTC)."""
    letter = source.letter
    when = letter.signed_at or letter.updated_at or datetime.combine(source.on, time(0), UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class _Ids:
    """UUIDv5 ids under the letter's id: the same letter always gives the same ids."""

    def __init__(self, letter_id: uuid.UUID) -> None:
        self.root = letter_id

    def __call__(self, kind: str, key: str = "") -> str:
        return str(uuid.uuid5(self.root, f"{kind}/{key}"))


def ref(resource: dict[str, Any]) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource['id']}"}


def _resource(kind: str, rid: str, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": kind, "id": rid}
    if kind in UKCORE_PROFILES:
        out["meta"] = {"profile": [f"{UKCORE}{kind}"]}
    out["identifier"] = [{"system": URI, "value": f"urn:uuid:{rid}"}]
    out.update({k: v for k, v in fields.items() if v not in (None, [], {}, "")})
    return out


def _concept(text: str, *found: codes.Code | None) -> dict[str, Any]:
    codings = [c.coding() for c in found if c is not None]
    return {"coding": codings, "text": text} if codings else {"text": text}


Lines = list[tuple[str, str] | str]


def _div(rows: Lines) -> dict[str, str]:
    items = "".join(
        f"<li><b>{escape(r[0])}</b>: {escape(r[1])}</li>" if isinstance(r, tuple) else f"<li>{escape(r)}</li>"
        for r in rows
    )
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><ul>{items}</ul></div>'}


class DocumentBuilder:
    """Builds the resources of one letter's document, in the order the Bundle lists them."""

    def __init__(self, source: LetterSource, pdf: Pdf) -> None:
        self.source, self.pdf = source, pdf
        self.letter, self.case, self.rec = source.letter, source.case, source.recommendation
        self.ids = _Ids(self.letter.pk)
        self.when = timestamp(source)
        self.referral = find_referral(self.rec, self.letter.service) or {
            "service": self.letter.service,
            "urgency": self.letter.urgency,
            "requests": [],
            "reason": "",
        }

    # --- people and places ---------------------------------------------------------------------------------------

    def patient(self) -> dict[str, Any]:
        p = self.source.patient
        res = _resource(
            "Patient",
            self.ids("Patient"),
            name=[human_name(p.family_name, p.given_name, use="official")],
            telecom=[{"system": "phone", "value": p.phone}] if p.phone else [],
            gender=p.sex,
            birthDate=p.date_of_birth.isoformat(),
            address=[{"text": ", ".join(wording._lines(p.address))}] if p.address.strip() else [],
        )
        number = nhs_number(p.identifier)
        own: dict[str, Any] = (
            {"system": NHS_NUMBER, "value": number}
            if number
            else {
                "type": _concept("Medical record number", codes.MEDICAL_RECORD_NUMBER),
                "value": p.identifier,
            }
        )
        res["identifier"] = [own, *res["identifier"]]
        return res

    def organization(self) -> dict[str, Any]:
        c = self.source.clinic
        telecom = [{"system": s, "value": v} for s, v in (("phone", c.phone), ("email", c.email)) if v]
        address = [{"text": ", ".join(wording._lines(c.address))}] if c.address.strip() else []
        return _resource("Organization", self.ids("Organization"), name=c.name, telecom=telecom, address=address)

    def practitioner(self) -> dict[str, Any] | None:
        user = self.source.referrer
        if user is None:
            return None
        res = _resource(
            "Practitioner",
            self.ids("Practitioner"),
            name=[human_name(user.last_name, user.first_name, text=user.display_name())],
            telecom=[{"system": s, "value": v} for s, v in (("phone", user.phone), ("email", user.email)) if v],
        )
        gmc = gmc_number(user.registration_number)
        if gmc:
            res["identifier"].insert(0, {"system": GMC_NUMBER, "value": gmc})
        elif user.registration_number:
            res["identifier"].insert(0, {"value": user.registration_number})
        return res

    def practitioner_role(self, practitioner: dict[str, Any] | None, org: dict[str, Any]) -> dict[str, Any] | None:
        user = self.source.referrer
        if user is None or practitioner is None:
            return None
        return _resource(
            "PractitionerRole",
            self.ids("PractitionerRole"),
            practitioner=ref(practitioner),
            organization=ref(org),
            code=[{"text": user.job_title or user.get_role_display()}],
        )

    # --- clinical content ----------------------------------------------------------------------------------------

    def lab_observations(self, subject: dict[str, Any]) -> list[dict[str, Any]]:
        labs = wording.lab_rows(self.case.get("labs", []))  # the letter's order
        ordered = sorted(
            enumerate(self.case.get("labs", [])),
            key=lambda ir: (wording.LAB_ORDER.get(ir[1]["test"], 99), wording._neg_date(ir[1].get("collected_on"))),
        )
        return [self._lab(i, row, subject, printed) for (i, row), printed in zip(ordered, labs, strict=True)]

    def _lab(self, index: int, row: dict[str, Any], subject: dict[str, Any], printed: dict[str, Any]) -> dict[str, Any]:
        test, value, unit = row["test"], row["value"], row.get("unit", "")
        loinc = codes.export_loinc().get((test, normalise_unit(unit)))
        res = _resource(
            "Observation",
            self.ids("Observation", f"lab/{index}"),
            status="final",
            category=[{"coding": [codes.OBS_LABORATORY.coding()]}],
            code=_concept(label(vocab.LAB_TESTS, test), loinc),
            subject=ref(subject),
            effectiveDateTime=row.get("collected_on"),
        )
        if test == "spep":
            res["valueCodeableConcept"] = {"text": label(vocab.SPEP_VALUES, value)}
        else:
            res["valueQuantity"] = quantity(value, unit)
        reference = row.get("reference_range") or {}
        if reference:
            res["referenceRange"] = [reference_range(reference, unit, printed["reference"])]
        interpretation = self._interpretation(test, value, unit, reference)
        if interpretation:
            res["interpretation"] = [{"coding": [interpretation.coding()], "text": printed["flag"]}]
        return res

    def _interpretation(self, test: str, value: Any, unit: str, reference: dict[str, Any]) -> codes.Code | None:
        try:
            band = rules.band(test, value, unit, reference or None, **profiles())
        except ValueError:
            return None
        code = INTERPRETATION.get(band)
        return codes.INTERPRETATIONS[code] if code else None

    def exam_observations(self, subject: dict[str, Any]) -> list[dict[str, Any]]:
        exam = self.case.get("exam", {})
        out = []
        for item in (*vocab.SIDED_EXAM_ITEMS, *wording.SINGLE_EXAM_ITEMS):
            if item not in exam:
                continue
            res = _resource(
                "Observation",
                self.ids("Observation", f"exam/{item}"),
                status="final",
                category=[{"coding": [codes.OBS_EXAM.coding()]}],
                code={"text": vocab.EXAM_LABELS[item]},
                subject=ref(subject),
                issued=self.when,  # the exam's own date is not recorded: when the letter reported it
            )
            if item in wording.SINGLE_EXAM_ITEMS:
                res["valueString"] = wording.exam_value(item, exam[item])
            else:
                res["component"] = [
                    {"code": {"text": side.title()}, "valueString": wording.exam_value(item, exam[item][side])}
                    for side in SIDES
                    if side in exam[item]
                ]
            out.append(res)
        return out

    def conditions(self, subject: dict[str, Any], evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for cause in self.rec.get("causes", []):
            found = codes.CAUSE_CODES.get(cause["code"], ())
            res = _resource(
                "Condition",
                self.ids("Condition", cause["code"]),
                clinicalStatus={"coding": [codes.CLINICAL_ACTIVE.coding()]},
                verificationStatus={"coding": [codes.VERIFICATION[VERIFICATION[cause["certainty"]]].coding()]},
                category=[{"coding": [codes.ENCOUNTER_DIAGNOSIS.coding()]}],
                code=_concept(label(vocab.CAUSES, cause["code"]), *found),
                subject=ref(subject),
                evidence=[{"detail": [ref(o) for o in evidence]}] if evidence else [],
                note=[{"text": f"{label(vocab.CERTAINTY, cause['certainty'])}: {'; '.join(cause['evidence'])}"}]
                if cause.get("evidence")
                else [],
            )
            out.append(res)
        return out

    def medications(self, subject: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            _resource(
                "MedicationStatement",
                self.ids("MedicationStatement", code),
                status="active",
                medicationCodeableConcept={"text": label(vocab.MEDICATIONS, code)},
                subject=ref(subject),
                dateAsserted=self.when,
            )
            for code in self.case.get("history", {}).get("medications") or []
        ]

    def service_requests(
        self,
        subject: dict[str, Any],
        requester: dict[str, Any],
        reasons: list[dict[str, Any]],
        support: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        r = self.referral
        service = label(vocab.SERVICES, r["service"])
        timeframe = r.get("timeframe")
        notes = [{"text": self.letter.question}] if self.letter.question else []
        if timeframe:
            notes.append({"text": f"Target time: {label(vocab.TIMEFRAMES, timeframe).lower()}"})
        main = _resource(
            "ServiceRequest",
            self.ids("ServiceRequest", r["service"]),
            status="active",
            intent="order",
            category=[{"coding": [codes.REFERRAL_CATEGORY.coding()]}],
            priority=PRIORITY[r["urgency"]],
            code=_concept(f"Referral to {service.lower()}", codes.SERVICE_CODES.get(r["service"])),
            subject=ref(subject),
            authoredOn=self.when,
            requester=ref(requester),
            reasonCode=[{"text": r["reason"]}] if r.get("reason") else [],
            reasonReference=[ref(c) for c in reasons],
            supportingInfo=[ref(s) for s in support],
            note=notes,
        )
        extra = [
            _resource(
                "ServiceRequest",
                self.ids("ServiceRequest", f"{r['service']}/{request}"),
                basedOn=[ref(main)],
                status="active",
                intent="order",
                priority=PRIORITY[r["urgency"]],
                code={"text": ARRANGED[request]},
                subject=ref(subject),
                authoredOn=self.when,
                requester=ref(requester),
                reasonReference=[ref(c) for c in reasons],
            )
            for request in r.get("requests", [])
            if request in ARRANGED
        ]
        return [main, *extra]

    def document_reference(
        self, subject: dict[str, Any], author: dict[str, Any], custodian: dict[str, Any], requests: list[dict[str, Any]]
    ) -> dict[str, Any]:
        from workup.services.letters import pdf_filename

        sha256 = base64.urlsafe_b64encode(bytes.fromhex(self.pdf.sha256)).decode().rstrip("=")
        res = _resource(
            "DocumentReference",
            self.ids("DocumentReference"),
            status="current",
            docStatus="final" if self.letter.is_issued else "preliminary",
            type=_concept("Referral letter", codes.REFERRAL_NOTE),
            subject=ref(subject),
            date=self.when,
            author=[ref(author)],
            custodian=ref(custodian),
            description=f"Referral letter {wording.chain_reference(self.letter.reference)} v{self.letter.version}",
            content=[
                {
                    "attachment": {
                        "contentType": "application/pdf",
                        "data": base64.b64encode(self.pdf.data).decode(),
                        "size": len(self.pdf.data),
                        # FHIR R4 Attachment.hash is SHA-1; the letter's SHA-256 is the identifier below.
                        "hash": base64.b64encode(hashlib.sha1(self.pdf.data, usedforsecurity=False).digest()).decode(),
                        "title": pdf_filename(self.letter),
                        "creation": self.when,
                    }
                }
            ],
            context={"related": [ref(r) for r in requests]},
        )
        res["identifier"].append({"system": URI, "value": f"ni:///sha-256;{sha256}"})
        return res

    # --- the whole -----------------------------------------------------------------------------------------------

    def resources(self) -> list[dict[str, Any]]:
        """Every resource of the document, Composition first."""
        patient, org = self.patient(), self.organization()
        practitioner = self.practitioner()
        role = self.practitioner_role(practitioner, org)
        author = role or org
        labs, exam = self.lab_observations(patient), self.exam_observations(patient)
        conditions = self.conditions(patient, exam)
        meds = self.medications(patient)
        doc_ref_id = self.ids("DocumentReference")
        placeholder = {"id": doc_ref_id}
        requests = self.service_requests(patient, author, conditions, [*labs, *exam, placeholder])
        doc_ref = self.document_reference(patient, author, org, requests)
        people = [r for r in (patient, practitioner, role, org) if r is not None]
        body = [*requests, *conditions, *labs, *exam, *meds, doc_ref]
        composition = self.composition(patient, author, org, requests, conditions, labs, exam, meds, doc_ref)
        return [composition, *people, *body]

    def composition(
        self,
        patient: dict[str, Any],
        author: dict[str, Any],
        org: dict[str, Any],
        requests: list[dict[str, Any]],
        conditions: list[dict[str, Any]],
        labs: list[dict[str, Any]],
        exam: list[dict[str, Any]],
        meds: list[dict[str, Any]],
        doc_ref: dict[str, Any],
    ) -> dict[str, Any]:
        letter, r = self.letter, self.referral
        service = label(vocab.SERVICES, r["service"])
        res = _resource(
            "Composition",
            self.ids("Composition"),
            status="final" if letter.is_issued else "preliminary",
            type=_concept("Referral note", codes.REFERRAL_NOTE),
            subject=ref(patient),
            date=self.when,
            author=[ref(author)],
            title=f"Referral to {service.lower()}" if letter.kind == "referral" else "Emergency handover",
            attester=[{"mode": "legal", "time": self.when, "party": ref(author)}] if letter.is_issued else [],
            custodian=ref(org),
            relatesTo=self._relates_to(),
            section=self.sections(requests, conditions, labs, exam, meds, doc_ref),
        )
        res["identifier"] = res["identifier"][0]  # Composition.identifier is a single Identifier
        return res

    def _relates_to(self) -> list[dict[str, Any]]:
        amended = self.source.amended
        if amended is None:
            return []
        target = f"urn:uuid:{uuid.uuid5(amended.pk, 'Bundle/')}"
        return [{"code": "replaces", "targetIdentifier": {"system": URI, "value": target}}]

    def sections(
        self,
        requests: list[dict[str, Any]],
        conditions: list[dict[str, Any]],
        labs: list[dict[str, Any]],
        exam: list[dict[str, Any]],
        meds: list[dict[str, Any]],
        doc_ref: dict[str, Any],
    ) -> list[dict[str, Any]]:
        r, case, letter = self.referral, self.case, self.letter
        meds_text = wording._values(vocab.MEDICATIONS, case.get("history", {}).get("medications"))
        sections: list[tuple[str, Lines, list[dict[str, Any]]]] = [
            (
                "Service and urgency",
                [
                    ("Service", label(vocab.SERVICES, r["service"])),
                    ("Urgency", label(vocab.URGENCY, r["urgency"])),
                    *([("Reason for the urgency", r["reason"])] if r.get("reason") else []),
                    *([("Target time", label(vocab.TIMEFRAMES, r["timeframe"]))] if r.get("timeframe") else []),
                ],
                requests,
            ),
            ("Question for the specialist", [letter.question or "Not written"], []),
            ("History of presenting complaint", list(wording.presentation_rows(case.get("presentation", {}))), []),
            ("Relevant history", list(wording.history_rows(case.get("history", {}))), []),
            (
                "Medications and allergies",
                [
                    ("Medications", meds_text),
                    ("Allergies", "Not recorded in this system"),
                ],
                meds,
            ),
            (
                "Examination",
                [(row["label"], _sides(row)) for row in wording.exam_rows(case.get("exam", {}))] or ["Not recorded"],
                exam,
            ),
            (
                "Investigations",
                [_lab_text(row) for row in wording.lab_rows(case.get("labs", []))] or ["None recorded"],
                labs,
            ),
            (
                "Suspected causes",
                [
                    (c["cause"], f"{c['certainty']}: {c['evidence']}".rstrip(": "))
                    for c in wording.cause_rows(self.rec.get("causes", []))
                ]
                or ["None suggested"],
                conditions,
            ),
            (
                "Done and advised in primary care",
                [row["text"] for row in wording.primary_care_rows(self.rec)] or ["Nothing further"],
                [],
            ),
        ]
        if letter.free_text:
            sections.append(("Additional information from the referrer", [letter.free_text], []))
        sections.append(("Signed letter", [_pdf_text(letter)], [doc_ref]))
        return [
            {"title": title, "text": _div(rows), **({"entry": [ref(e) for e in entries]} if entries else {})}
            for title, rows, entries in sections
        ]


def _sides(row: dict[str, Any]) -> str:
    return row["both"] if row.get("both") is not None else f"left {row['left']}; right {row['right']}"


def _lab_text(row: dict[str, Any]) -> tuple[str, str]:
    return (
        row["test"],
        f"{row['value']} {row['unit']} (range {row['reference']}; {row['flag']}; {row['collected_on']})",
    )


def _pdf_text(letter: Any) -> str:
    state = "signed and issued" if letter.is_issued else "draft, not signed"
    return f"The referral letter as a PDF ({state}), attached to the DocumentReference"


def quantity(value: Any, unit: str) -> dict[str, Any]:
    """A lab value as a UCUM Quantity; a censored '<50' keeps its comparator."""
    unit = normalise_unit(unit)
    out: dict[str, Any] = {}
    if isinstance(value, str) and value[:1] in "<>":
        out["value"], out["comparator"] = _number(value[1:].strip()), value[0]
    else:
        out["value"] = _number(value)
    ucum = codes.UCUM_CODES.get(unit)
    out["unit"] = unit
    if ucum is not None:
        out |= {"system": codes.UCUM, "code": ucum.code}
    return {k: out[k] for k in ("value", "comparator", "unit", "system", "code") if k in out}


def reference_range(reference: dict[str, Any], unit: str, text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for end in ("low", "high"):
        if reference.get(end) is not None:
            out[end] = {k: v for k, v in quantity(reference[end], unit).items() if k != "comparator"}
    out["text"] = text
    return out


def _number(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def build_document(source: LetterSource, pdf: Pdf) -> dict[str, Any]:
    """The letter as a FHIR R4 document Bundle (a dict, in the order it is serialised)."""
    builder = DocumentBuilder(source, pdf)
    resources = builder.resources()
    return {
        "resourceType": "Bundle",
        "id": builder.ids("Bundle"),
        "meta": {"lastUpdated": builder.when},
        "identifier": {"system": URI, "value": f"urn:uuid:{builder.ids('Bundle')}"},
        "type": "document",
        "timestamp": builder.when,
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


def as_transaction(document: dict[str, Any]) -> dict[str, Any]:
    """The document's resources as a transaction Bundle of conditional creates (idempotent on each identifier)."""
    entries = []
    for entry in document["entry"]:
        resource = entry["resource"]
        identifiers = resource["identifier"] if isinstance(resource["identifier"], list) else [resource["identifier"]]
        first = next(i for i in identifiers if "system" in i)  # the NHS number, else the stable urn:uuid
        key = f"{first['system']}|{first['value']}"
        entries.append(
            {
                "fullUrl": entry["fullUrl"],
                "resource": resource,
                "request": {"method": "POST", "url": resource["resourceType"], "ifNoneExist": f"identifier={key}"},
            }
        )
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(uuid.UUID(document["id"]), "transaction")),
        "meta": document["meta"],
        "type": "transaction",
        "entry": entries,
    }


def human_name(family: str, given: str, *, use: str = "", text: str = "") -> dict[str, Any]:
    """A HumanName with only the parts recorded: FHIR forbids empty strings (a user may have no last name)."""
    name: dict[str, Any] = {"use": use} if use else {}
    if text:
        name["text"] = text
    if family.strip():
        name["family"] = family.strip()
    if given.strip():
        name["given"] = [given.strip()]
    return name
