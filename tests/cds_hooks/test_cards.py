"""Discovery and the card builder: every card type against the response schema, on the contract's examples."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.cds_hooks import schemas
from tests.cds_hooks.builders import check, hook_body, prefetch, spec_example
from tests.factories import SHARED, make_workup
from workup import rules
from workup.interop.cds_hooks import cards
from workup.interop.cds_hooks.discovery import LAB_LOINCS
from workup.interop.fhir.checks import resource_problems

SETTING = cards.Setting(
    subject="Patient/p1",
    requester="Practitioner/example",
    link={"label": "Open the workup in Workup", "url": "https://workup.example/workups/1/", "type": "absolute"},
    source_url="https://workup.example/",
)
EXAMPLES = sorted((SHARED / "contract" / "examples").glob("*.json"))
EMERGENCIES = [p for p in EXAMPLES if json.loads(p.read_text())["expect"].get("urgency") == "emergency"]
EVALUABLE = [p for p in EXAMPLES if "error_paths" not in json.loads(p.read_text())["expect"]]


def _rec(path: Path) -> dict[str, Any]:
    return dict(rules.evaluate(json.loads(path.read_text())["case"], today=date(2026, 12, 1)))


def _orders(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a["resource"] for s in card.get("suggestions", []) for a in s["actions"]]


def test_spec_examples_match_the_schemas() -> None:
    check(schemas.DISCOVERY, spec_example("discovery.json"))
    check(schemas.RESPONSE, spec_example("response.json"))
    check(schemas.REQUEST, spec_example("request-patient-view.json"))


@pytest.mark.django_db
def test_discovery_lists_both_services_with_prefetch_and_usage() -> None:
    response = Client().get("/cds-services")
    assert response.status_code == 200
    body = response.json()
    check(schemas.DISCOVERY, body)
    by_id = {s["id"]: s for s in body["services"]}
    assert {k: s["hook"] for k, s in by_id.items()} == {
        "workup-patient-view": "patient-view",
        "workup-order-select": "order-select",
    }
    for service in by_id.values():
        assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"
        assert all(f"http://loinc.org|{code}" in service["prefetch"]["observations"] for code in LAB_LOINCS)
        assert "clinical-status=active" in service["prefetch"]["conditions"]
        assert {"medicationStatements", "medicationRequests"} <= set(service["prefetch"]) and service[
            "usageRequirements"
        ]


@pytest.mark.parametrize("path", EMERGENCIES, ids=lambda p: p.stem)
def test_every_red_flag_example_gives_one_critical_card_and_no_routine_suggestion(path: Path) -> None:
    result = cards.cards_for(_rec(path), SETTING)
    check(schemas.RESPONSE, {"cards": result})
    assert [c["indicator"] for c in result] == ["critical"]
    assert result[0]["summary"].endswith("send to the emergency department now")
    assert all(o["priority"] == "stat" for o in _orders(result[0])) and _orders(result[0])


@pytest.mark.parametrize("path", EVALUABLE, ids=lambda p: p.stem)
def test_every_card_of_every_example_matches_the_schema_with_valid_orders(path: Path) -> None:
    result = cards.cards_for(_rec(path), SETTING)
    check(schemas.RESPONSE, {"cards": result})
    for card in result:
        assert len(card["summary"]) < 140
        assert card["source"]["label"] and card["source"]["url"] and card["detail"]
        assert card["links"][0]["type"] in ("absolute", "smart")
        for order in _orders(card):
            assert resource_problems(order) == [], order


def test_cards_cover_every_indicator_across_the_examples() -> None:
    seen = {c["indicator"] for p in EVALUABLE for c in cards.cards_for(_rec(p), SETTING)}
    assert seen == {"info", "warning", "critical"}


def test_a_referral_suggestion_carries_the_service_and_its_requests() -> None:
    rec = _rec(SHARED / "contract" / "examples" / "05-inconclusive-refer-ncs-emg.json")
    orders = [o for c in cards.cards_for(rec, SETTING) for o in _orders(c)]
    texts = [o["code"].get("text") for o in orders]
    assert "Referral to neurology" in texts and "Nerve conduction studies" in texts
    main = next(o for o in orders if o["code"].get("text") == "Referral to neurology")
    assert main["code"]["coding"][0]["code"] == "788005004" and main["status"] == "draft" and main["intent"] == "order"


def test_summary_is_cut_below_140_characters() -> None:
    assert len(cards.summary("word " * 100)) < 140


def test_record_card_is_one_info_card_without_advice() -> None:
    card = cards.record_card(["presentation.onset: is required"], SETTING)
    check(schemas.RESPONSE, {"cards": [card]})
    assert card["indicator"] == "info" and "suggestions" not in card
    assert "no advice yet" in card["detail"] and "presentation.onset" in card["detail"]


def test_markdown_escape_defuses_links_and_html() -> None:
    assert cards.md("[x](javascript:1) <b>") == "\\[x\\]\\(javascript:1\\) \\<b\\>"


@pytest.mark.django_db
def test_end_to_end_red_flag_example_through_the_service(
    cds_client: Any, patient: Any, clinician: Any, call: Any
) -> None:
    """One mapping test end to end: contract example 02 stored as the clinic's workup, the EHR's data as prefetch."""
    make_workup(patient, clinician, json.loads(EMERGENCIES[0].read_text())["case"])
    response = call("/cds-services/workup-patient-view", hook_body(pre=prefetch()))
    result = response.json()["cards"]
    assert [c["indicator"] for c in result] == ["critical"]
    assert result[0]["summary"] == "Possible cauda equina syndrome: send to the emergency department now"
