"""What every recommendation must satisfy, whatever the case (contract and clinical-rules.md section 7)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
CONTRACT = SHARED / "contract"
URGENCY_RANK = {"emergency": 0, "urgent": 1, "routine": 2}
SERVICE = {
    "emergency_care": "emergency_department",
    "refer_neurology": "neurology",
    "refer_spinal": "spinal",
    "refer_vascular": "vascular",
    "refer_diabetic_foot_service": "diabetic_foot_service",
    "refer_foot_protection_service": "foot_protection_service",
    "refer_podiatry": "podiatry",
    "refer_physiotherapy": "physiotherapy",
    "refer_haematology": "haematology",
    "refer_stroke_service": "stroke_service",
    "contact_ms_team": "ms_team",
    "refer_paediatrics": "paediatrics",
    "refer_antenatal_diabetes": "antenatal_diabetes_team",
}
TIMEFRAME_RANK = {
    t: i
    for i, t in enumerate(
        (
            "now",
            "same_day",
            "within_1_working_day",
            "within_7_days",
            "within_2_weeks",
            "within_2_to_4_weeks",
            "within_6_to_8_weeks",
            "routine",
        )
    )
}


def contract_dir() -> Path:
    """The shared contract folder; its absence is a failure, never a skip."""
    assert CONTRACT.is_dir(), f"the shared contract is missing: {CONTRACT}"
    return CONTRACT


_validator: Draft202012Validator | None = None


def schema_validator() -> Draft202012Validator:
    global _validator
    if _validator is None:
        schema = json.loads((contract_dir() / "recommendation.schema.json").read_text())
        _validator = Draft202012Validator(schema)
    return _validator


def assert_valid_recommendation(rec: Mapping[str, Any]) -> None:
    """Schema-valid, and the section 7 output rules hold."""
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in schema_validator().iter_errors(rec)]
    assert not errors, errors
    steps = rec["next_steps"]
    step_codes = [s["code"] for s in steps]
    assert len(step_codes) == len(set(step_codes)), step_codes
    assert rec["urgency"] == min((s["urgency"] for s in steps), key=URGENCY_RANK.__getitem__, default="routine")
    for s in steps:
        assert s["rules"] and s["source"] and s["text"] and s["why"], s
    referral_steps = [s for s in steps if s["code"] in SERVICE]
    assert [SERVICE[s["code"]] for s in referral_steps] == [r["service"] for r in rec["referrals"]]
    for s, r in zip(referral_steps, rec["referrals"], strict=True):
        assert (s["urgency"], s["timeframe"], s["requests"]) == (r["urgency"], r["timeframe"], r["requests"])
        assert r["reason"] and s["why"].lower()[:30] in r["reason"].lower()
    cause_codes = [c["code"] for c in rec["causes"]]
    assert len(cause_codes) == len(set(cause_codes))
    assert all(c["rules"] for c in rec["causes"]) and all(f["rules"] for f in rec["findings"])
    for s in steps:
        if s["urgency"] == "routine":
            assert s["timeframe"] in ("routine", "within_6_to_8_weeks"), s
        if s["urgency"] == "emergency":
            assert s["timeframe"] == "now", s
    assert ("safety_net" in step_codes) == (rec["urgency"] != "emergency"), step_codes
    assert rec["profiles"]["b12"] and rec["profiles"]["glycaemia"]
    if rec["urgency"] == "emergency":
        assert step_codes == ["emergency_care"] and rec["stage"] == "emergency"
        assert [r["service"] for r in rec["referrals"]] == ["emergency_department"]
        assert rec["referrals"][0]["requests"] == ["assessment"]
