"""Lab results in: a FHIR Observation, DiagnosticReport or Bundle, or an HL7 v2 ORU^R01 message, read into rows.

Every row is matched through one table keyed by (code system, code) (codes.import_map), its unit through an explicit
table (codes.IMPORT_UNITS), its reference range parsed, and then checked by the engine's own validation exactly as a
typed result is. Nothing here writes: the preview is computed, and services.lab_import commits it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from workup import rules
from workup.cases import lab_to_case, workup_to_case
from workup.interop import safe_json
from workup.interop.fhir.document import NHS_NUMBER, nhs_number
from workup.models import LabResult, Patient, Workup
from workup.rules import codes, vocab

MAX_MESSAGE_BYTES = 1_000_000
HL7_SYSTEMS = {"LN": codes.LOINC, "SCT": codes.SNOMED, "SNM": codes.SNOMED}
SYSTEM_NAMES = {codes.LOINC: "LOINC", codes.SNOMED: "SNOMED CT"}
# The SPEP reading as a message may word it -> the contract's value. Nothing else is read as an SPEP result.
SPEP_TEXTS = {
    "normal": "normal",
    "no paraprotein detected": "normal",
    "paraprotein": "paraprotein",
    "paraprotein detected": "paraprotein",
}
RANGE = re.compile(
    r"^\s*(?:(?P<low>-?\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(?P<high>-?\d+(?:\.\d+)?)"
    r"|(?P<op>[<>≤≥]=?)\s*(?P<limit>-?\d+(?:\.\d+)?))\s*$"
)
CENSORED = re.compile(r"^\s*(?P<op>[<>]=?)\s*(?P<number>-?\d+(?:\.\d+)?)\s*$")


class ImportError_(Exception):
    """The message cannot be read at all (not FHIR JSON nor HL7 v2): the reason is the message."""


@dataclass(frozen=True)
class MessagePatient:
    """Who the message says the results are for."""

    nhs_number: str = ""
    family: str = ""
    given: str = ""
    birth_date: date | None = None


@dataclass
class Incoming:
    """One result as the message has it, before it is matched."""

    codings: list[tuple[str, str, str]]  # (system, code, display)
    value: Any = None  # a number, a censored '<50', or SPEP text
    unit: str = ""
    collected_on: date | None = None
    range_text: str = ""
    low: Decimal | None = None
    high: Decimal | None = None
    problem: str = ""  # a reason to refuse found while reading


@dataclass
class Row:
    """One result after matching: recognised (with LabResult fields) or refused with the reason."""

    incoming: Incoming
    test: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    refused: str = ""
    duplicate: bool = False

    @property
    def recognised(self) -> bool:
        return not self.refused

    @property
    def to_save(self) -> bool:
        return self.recognised and not self.duplicate

    def line(self) -> str:
        """What the command prints: 'recognised <test> <value> <unit> <date>' or 'refused: <reason>'."""
        if self.refused:
            return f"refused: {self.refused}"
        when = self.fields["collected_on"].isoformat() if self.fields.get("collected_on") else "no-date"
        value = lab_to_case(LabResult(**self.fields))["value"]
        line = f"recognised {self.test} {value} {self.fields['unit'] or '-'} {when}"
        return line + " (duplicate of a result already recorded: not saved again)" if self.duplicate else line


@dataclass
class Preview:
    """The whole message read against a workup: the patient check, then every row."""

    kind: str
    patient_problem: str
    rows: list[Row]

    @property
    def to_save(self) -> list[Row]:
        return [] if self.patient_problem else [r for r in self.rows if r.to_save]

    def lines(self) -> list[str]:
        if self.patient_problem:
            return [f"refused: {self.patient_problem}"]
        return [row.line() for row in self.rows]


# --- reading the message -----------------------------------------------------------------------------------------


def read_message(data: bytes | str) -> tuple[str, MessagePatient | None, list[Incoming]]:
    """(kind, patient, results) from FHIR JSON or HL7 v2 text; raise ImportError_ if it is neither."""
    if isinstance(data, bytes):
        if len(data) > MAX_MESSAGE_BYTES:
            raise ImportError_(f"The message is larger than {MAX_MESSAGE_BYTES // 1000} kB.")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportError_("The message is not UTF-8 text.") from exc
    text = data.strip()
    if text.startswith("MSH"):
        return ("HL7 v2", *read_hl7(text))
    try:
        doc = safe_json.loads(text)
    except safe_json.JsonLimitError as exc:
        raise ImportError_(f"The message is refused: {exc}") from exc
    except ValueError as exc:
        raise ImportError_(
            "The message is neither FHIR JSON nor an HL7 v2 message (it should start with MSH)."
        ) from exc
    return ("FHIR", *read_fhir(doc))


def read_fhir(doc: Any) -> tuple[MessagePatient | None, list[Incoming]]:
    """An Observation, a DiagnosticReport (contained Observations) or a Bundle (any of these, and a Patient)."""
    if not isinstance(doc, dict) or doc.get("resourceType") not in ("Observation", "DiagnosticReport", "Bundle"):
        kind = doc.get("resourceType") if isinstance(doc, dict) else type(doc).__name__
        raise ImportError_(f"A FHIR {kind} carries no results: send an Observation, DiagnosticReport or Bundle.")
    resources = [e.get("resource", {}) for e in doc.get("entry", [])] if doc["resourceType"] == "Bundle" else [doc]
    everything = [x for r in resources for x in (r, *r.get("contained", []))]  # a report's results in its place
    patient = next((_fhir_patient(r) for r in everything if r.get("resourceType") == "Patient"), None)
    observations = [r for r in everything if r.get("resourceType") == "Observation"]
    if patient is None:
        patient = next((p for p in (_subject_patient(o) for o in observations) if p), None)
    return patient, [_fhir_observation(o) for o in observations]


def _fhir_patient(resource: dict[str, Any]) -> MessagePatient:
    nhs = next((i.get("value", "") for i in resource.get("identifier", []) if i.get("system") == NHS_NUMBER), "")
    name = (resource.get("name") or [{}])[0]
    return MessagePatient(
        nhs_number=nhs,
        family=name.get("family", ""),
        given=(name.get("given") or [""])[0],
        birth_date=_date(resource.get("birthDate")),
    )


def _subject_patient(observation: dict[str, Any]) -> MessagePatient | None:
    identifier = observation.get("subject", {}).get("identifier", {})
    return MessagePatient(nhs_number=identifier["value"]) if identifier.get("system") == NHS_NUMBER else None


def _fhir_observation(obs: dict[str, Any]) -> Incoming:
    codings = [
        (c.get("system", ""), c.get("code", ""), c.get("display", "")) for c in obs.get("code", {}).get("coding", [])
    ]
    incoming = Incoming(codings=codings, collected_on=_date(obs.get("effectiveDateTime") or obs.get("issued")))
    if "valueQuantity" in obs:
        q = obs["valueQuantity"]
        incoming.unit = q.get("code", "") if q.get("system") == codes.UCUM else q.get("unit", "")
        incoming.unit = incoming.unit or q.get("unit", "")
        number = q.get("value")
        incoming.value = f"{q['comparator']}{number}" if q.get("comparator") else number
    elif "valueString" in obs:
        incoming.value = obs["valueString"]
    elif "valueCodeableConcept" in obs:
        concept = obs["valueCodeableConcept"]
        incoming.value = concept.get("text") or next((c.get("display") for c in concept.get("coding", [])), "")
    else:
        incoming.problem = "the result has no value"
    reference = (obs.get("referenceRange") or [{}])[0]
    incoming.low = _decimal(reference.get("low", {}).get("value"))
    incoming.high = _decimal(reference.get("high", {}).get("value"))
    if incoming.low is None and incoming.high is None and reference.get("text"):
        incoming.range_text = reference["text"]
    return incoming


def read_hl7(text: str) -> tuple[MessagePatient | None, list[Incoming]]:
    """An HL7 v2 ORU^R01: the PID, and one result per OBX (its date from OBX-14, else the OBR-7 before it)."""
    from hl7apy.exceptions import HL7apyException
    from hl7apy.parser import parse_message

    try:
        message = parse_message(re.sub(r"\r?\n", "\r", text), find_groups=False)
    except HL7apyException as exc:
        raise ImportError_(f"The HL7 v2 message could not be parsed: {exc}") from exc
    kind = message.msh.msh_9.to_er7()
    if not kind.startswith("ORU^R01"):
        raise ImportError_(f"The HL7 v2 message is {kind or 'of no type'}, not ORU^R01 (observation results).")
    patient, results, order_date = None, [], None
    for segment in message.children:
        if segment.name == "PID":
            patient = _hl7_patient(segment)
        elif segment.name == "OBR":
            order_date = _date(segment.obr_7.to_er7())
        elif segment.name == "OBX":
            results.append(_hl7_result(segment, order_date))
    return patient, results


def _hl7_patient(pid: Any) -> MessagePatient:
    nhs = ""
    for cx in (c for c in pid.children if c.name == "PID_3"):
        parts = cx.to_er7().split("^")
        parts += [""] * (5 - len(parts))
        if parts[4] == "NH" or "NHS" in parts[3].upper():
            nhs = parts[0]
    return MessagePatient(
        nhs_number=nhs,
        family=pid.pid_5.pid_5_1.to_er7(),
        given=pid.pid_5.pid_5_2.to_er7(),
        birth_date=_date(pid.pid_7.to_er7()),
    )


def _hl7_result(obx: Any, order_date: date | None) -> Incoming:
    code = obx.obx_3.to_er7().split("^")
    code += [""] * (6 - len(code))
    codings = [(HL7_SYSTEMS.get(code[2], code[2]), code[0], code[1])]
    if code[3]:
        codings.append((HL7_SYSTEMS.get(code[5], code[5]), code[3], code[4]))
    value_type, raw = obx.obx_2.to_er7(), obx.obx_5.to_er7()
    incoming = Incoming(
        codings=codings,
        unit=obx.obx_6.obx_6_1.to_er7(),
        collected_on=_date(obx.obx_14.to_er7()) or order_date,
        range_text=obx.obx_7.to_er7(),
    )
    if value_type == "SN":  # structured numeric: comparator^number
        comparator, _, number = raw.partition("^")
        incoming.value = f"{comparator}{number}" if comparator else number
    elif value_type == "NM":
        incoming.value = raw
    elif value_type in ("ST", "TX", "CE", "CWE"):
        incoming.value = raw.split("^")[1] if value_type in ("CE", "CWE") and "^" in raw else raw
    else:
        incoming.problem = f"OBX-2 value type {value_type or 'missing'} is not one the app reads (NM, SN, ST, CE)"
    return incoming


def _date(text: Any) -> date | None:
    if not isinstance(text, str):
        return None
    digits = re.sub(r"\D", "", text[:10])
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])) if len(digits) >= 8 else None
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def parse_range(text: str) -> tuple[Decimal | None, Decimal | None]:
    """'180-900' -> (180, 900); '<5.0' -> (None, 5.0); '>= 60' -> (60, None); raise ValueError if unreadable."""
    match = RANGE.match(text.replace(",", "."))
    if match is None:
        raise ValueError(text)
    if match["low"] is not None:
        return Decimal(match["low"]), Decimal(match["high"])
    limit = Decimal(match["limit"])
    return (limit, None) if match["op"][0] in ">≥" else (None, limit)


# --- matching ------------------------------------------------------------------------------------------------------


IMPORT_MAP = codes.import_map()


def match(incoming: Incoming) -> Row:
    """One result through the mapping table, the unit table and the range parser (the engine comes after)."""
    row = Row(incoming=incoming)
    if incoming.problem:
        row.refused = incoming.problem
        return row
    found = next(((s, c) for s, c, _ in incoming.codings if (s, c) in IMPORT_MAP), None)
    if found is None:
        row.refused = f"unknown code {_named(incoming.codings)}: not in the mapping table"
        return row
    test, units = IMPORT_MAP[found]
    row.test = test
    try:
        row.fields = _fields(test, units, found, incoming)
    except ValueError as exc:
        row.refused = str(exc)
    return row


def _named(codings: list[tuple[str, str, str]]) -> str:
    named = [f"{SYSTEM_NAMES.get(s, s or 'no system')} {c}" + (f" ({d})" if d else "") for s, c, d in codings]
    return ", ".join(named) or "(no code)"


def _fields(test: str, units: frozenset[str], found: tuple[str, str], incoming: Incoming) -> dict[str, Any]:
    low, high = incoming.low, incoming.high
    if incoming.range_text:
        try:
            low, high = parse_range(incoming.range_text)
        except ValueError:
            raise ValueError(
                f"reference range {incoming.range_text!r} is not one the app reads (e.g. 180-900, <5.0, >= 60)"
            ) from None
    out: dict[str, Any] = {
        "test": test,
        "comparator": "",
        "value": None,
        "text_value": "",
        "unit": "",
        "collected_on": incoming.collected_on,
        "reference_low": low,
        "reference_high": high,
    }
    if test == "spep":
        reading = SPEP_TEXTS.get(str(incoming.value or "").strip().lower())
        if reading is None:
            raise ValueError(f"SPEP result {incoming.value!r} is not read (normal or paraprotein detected)")
        return out | {"text_value": reading, "reference_low": None, "reference_high": None}
    unit = codes.IMPORT_UNITS.get(incoming.unit.strip())
    if unit is None:
        raise ValueError(f"unit {incoming.unit or '(none)'!r} is not in the unit table: {test} not imported")
    if unit not in units:
        system, code = found
        raise ValueError(f"{SYSTEM_NAMES.get(system, system)} {code} is reported in {_or(units)}, not {unit}")
    comparator, number = _value(incoming.value)
    return out | {"unit": unit, "comparator": comparator, "value": number}


def _or(units: frozenset[str]) -> str:
    return " or ".join(sorted(units))


def _value(value: Any) -> tuple[str, Decimal]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "", Decimal(str(value))
    text = str(value if value is not None else "").strip()
    censored = CENSORED.match(text)
    if censored:
        op = censored["op"]
        if op.endswith("="):
            raise ValueError(f"value {text!r}: only < and > are kept for a censored result")
        return op, Decimal(censored["number"])
    number = _decimal(text)
    if number is None:
        raise ValueError(f"value {text or '(none)'!r} is not a number")
    return "", number


# --- against a workup ------------------------------------------------------------------------------------------------


def patient_problem(message: MessagePatient | None, patient: Patient) -> str:
    """'' when the message's patient is the workup's; else the mismatch, named."""
    if message is None or not (message.nhs_number or (message.family and message.birth_date)):
        return "the message does not identify the patient (an NHS number, or family name and date of birth)"
    problems = []
    if message.nhs_number:
        ours = nhs_number(patient.identifier)
        if ours is None:
            problems.append("the message gives an NHS number but the workup's patient has none recorded")
        elif re.sub(r"\D", "", message.nhs_number) != ours:
            problems.append(f"NHS number {message.nhs_number} is not the patient's ({ours})")
    if message.family and message.family.strip().lower() != patient.family_name.strip().lower():
        problems.append(f"family name {message.family!r} is not the patient's ({patient.family_name!r})")
    if message.given and message.given.strip().lower() != patient.given_name.strip().lower():
        problems.append(f"given name {message.given!r} is not the patient's ({patient.given_name!r})")
    if message.birth_date and message.birth_date != patient.date_of_birth:
        problems.append(f"date of birth {message.birth_date} is not the patient's ({patient.date_of_birth})")
    return "wrong patient: " + "; ".join(problems) if problems else ""


def preview(workup: Workup, data: bytes | str, *, today: date) -> Preview:
    """Read ``data`` against ``workup``: the patient check, each row matched, validated and checked for duplicates."""
    kind, message_patient, results = read_message(data)
    rows = [match(incoming) for incoming in results]
    _validate(workup, rows, today)
    _flag_duplicates(workup, rows)
    problem = patient_problem(message_patient, workup.patient)
    if not results and not problem:
        problem = "the message holds no results"
    return Preview(kind=kind, patient_problem=problem, rows=rows)


def _validate(workup: Workup, rows: list[Row], today: date) -> None:
    if any(r.recognised for r in rows):
        validate_rows(workup_to_case(workup, labs=[], as_of=today), rows, today=today)


def validate_rows(case: dict[str, Any], rows: list[Row], *, today: date) -> None:
    """The engine's own checks on every recognised row at once, inside ``case`` (as a typed result is checked)."""
    candidates = [r for r in rows if r.recognised]
    if not candidates:
        return
    case = {**case, "as_of": today.isoformat()}
    case["labs"] = [lab_to_case(LabResult(**r.fields)) for r in candidates]
    _, errors, _ = rules.validate(case, today=today)
    for problem in errors:
        index = _lab_index(problem.path)
        if index is not None and not candidates[index].refused:
            candidates[index].refused = f"{candidates[index].test}: {problem.path.split('.', 1)[-1]} {problem.message}"
    for row in candidates:
        if not row.refused and row.test != "spep":
            errors_, _ = rules.check_lab_value(
                row.test, lab_to_case(LabResult(**row.fields))["value"], row.fields["unit"]
            )
            if errors_:
                row.refused = f"{row.test}: {'; '.join(errors_)}"


def _lab_index(path: str) -> int | None:
    found = re.match(r"labs\[(\d+)\]", path)
    return int(found.group(1)) if found else None


def _key(fields: dict[str, Any]) -> tuple[Any, ...]:
    value = fields.get("value")
    return (
        fields["test"],
        fields.get("comparator", ""),
        None if value is None else Decimal(value).normalize(),
        fields.get("text_value", ""),
        fields.get("unit", ""),
        fields.get("collected_on"),
    )


def _flag_duplicates(workup: Workup, rows: list[Row]) -> None:
    seen = {_key(_stored(lab)) for lab in workup.labs.all()}
    for row in rows:
        if row.recognised:
            key = _key(row.fields)
            row.duplicate = key in seen
            seen.add(key)


def _stored(lab: LabResult) -> dict[str, Any]:
    return {f: getattr(lab, f) for f in ("test", "comparator", "value", "text_value", "unit", "collected_on")}


def stored_rows(workup: Workup) -> Iterator[dict[str, Any]]:
    """The workup's results as replace_labs rows, so an import adds to them rather than replacing them."""
    for lab in workup.labs.all():
        yield {
            f: getattr(lab, f)
            for f in (
                "test",
                "comparator",
                "value",
                "text_value",
                "unit",
                "collected_on",
                "reference_low",
                "reference_high",
            )
        }


def label_of(test: str) -> str:
    return vocab.label(vocab.LAB_TESTS, test)
