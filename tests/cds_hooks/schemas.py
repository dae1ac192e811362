"""JSON Schemas (draft 2020-12) for CDS Hooks 2.0, written from the specification's text.

Source: https://cds-hooks.hl7.org/2.0/ (as the cds-hooks/docs repository holds it, docs/specification/current.md at
commit 462a38f). Each rule names the section it comes from; "REQUIRED" rows of the spec's tables are `required` here,
and the enumerations are the spec's "Allowed values".
"""

from __future__ import annotations

from typing import Any

CODING: dict[str, Any] = {  # "Data Types" > "Coding": system, code, display (all strings)
    "type": "object",
    "properties": {"system": {"type": "string"}, "code": {"type": "string"}, "display": {"type": "string"}},
}

DISCOVERY: dict[str, Any] = {
    # "Discovery" > "Response": an object containing a list of CDS Services.
    "type": "object",
    "required": ["services"],
    "properties": {
        "services": {
            "type": "array",
            "items": {
                "type": "object",
                # "Discovery" > "Response": hook, description and id are REQUIRED; title RECOMMENDED.
                "required": ["hook", "description", "id"],
                "properties": {
                    "hook": {"type": "string"},
                    "title": {"type": "string"},
                    "description": {"type": "string"},
                    "id": {"type": "string"},
                    # "Prefetch Template": key -> a FHIR query string.
                    "prefetch": {"type": "object", "additionalProperties": {"type": "string"}},
                    "usageRequirements": {"type": "string"},  # "Discovery" > "Response": a string
                },
            },
        }
    },
}

FHIR_AUTHORIZATION: dict[str, Any] = {
    # "Passing the Access Token to the CDS Service": access_token, token_type (Bearer), expires_in, scope, subject.
    "type": "object",
    "required": ["access_token", "token_type", "expires_in", "scope", "subject"],
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"const": "Bearer"},
        "expires_in": {"type": "integer"},
        "scope": {"type": "string"},
        "subject": {"type": "string"},
        "patient": {"type": "string"},
    },
}

REQUEST: dict[str, Any] = {
    # "Calling a CDS Service" > "HTTP Request": hook, hookInstance and context REQUIRED; fhirServer CONDITIONAL.
    "type": "object",
    "required": ["hook", "hookInstance", "context"],
    "properties": {
        "hook": {"type": "string"},
        "hookInstance": {"type": "string", "minLength": 1},
        "fhirServer": {"type": "string", "format": "uri"},
        "fhirAuthorization": FHIR_AUTHORIZATION,
        "context": {"type": "object"},
        # "Prefetch Template": each value a FHIR resource (or a searchset Bundle), or null when there is no data.
        "prefetch": {"type": "object", "additionalProperties": {"type": ["object", "null"]}},
    },
    # "Calling a CDS Service": "If fhirAuthorization is provided, this field [fhirServer] is REQUIRED."
    "dependentRequired": {"fhirAuthorization": ["fhirServer"]},
}

ACTION: dict[str, Any] = {
    # "Action": type (create, update, delete) and description REQUIRED; a create SHALL carry the new resource.
    "type": "object",
    "required": ["type", "description"],
    "properties": {
        "type": {"enum": ["create", "update", "delete"]},
        "description": {"type": "string"},
        "resource": {"type": "object", "required": ["resourceType"]},
        "resourceId": {"type": "string"},
    },
    "if": {"properties": {"type": {"const": "create"}}},
    "then": {"required": ["resource"]},
}

CARD: dict[str, Any] = {
    # "Card Attributes": summary, indicator and source REQUIRED.
    "type": "object",
    "required": ["summary", "indicator", "source"],
    "properties": {
        "uuid": {"type": "string"},
        "summary": {"type": "string", "maxLength": 139},  # "One-sentence, <140-character summary"
        "detail": {"type": "string"},  # GitHub Flavored Markdown
        "indicator": {"enum": ["info", "warning", "critical"]},  # "Allowed values ... info, warning, critical"
        "source": {
            # "Source": label REQUIRED; url and icon absolute URLs; topic a Coding.
            "type": "object",
            "required": ["label"],
            "properties": {
                "label": {"type": "string"},
                "url": {"type": "string", "format": "uri"},
                "icon": {"type": "string", "format": "uri"},
                "topic": CODING,
            },
        },
        "suggestions": {
            "type": "array",
            "items": {
                # "Suggestion": label REQUIRED; uuid, isRecommended, actions optional.
                "type": "object",
                "required": ["label"],
                "properties": {
                    "label": {"type": "string"},
                    "uuid": {"type": "string"},
                    "isRecommended": {"type": "boolean"},
                    "actions": {"type": "array", "items": ACTION},
                },
            },
        },
        "selectionBehavior": {"enum": ["at-most-one", "any"]},  # "Card Attributes": allowed values
        # "Reasons for rejecting a card": Codings, each with a display ("MUST populate a display value").
        "overrideReasons": {"type": "array", "items": {**CODING, "required": ["display"]}},
        "links": {
            "type": "array",
            "items": {
                # "Link": label, url and type REQUIRED; type absolute or smart; appContext only for smart.
                "type": "object",
                "required": ["label", "url", "type"],
                "properties": {
                    "label": {"type": "string"},
                    "url": {"type": "string", "format": "uri"},
                    "type": {"enum": ["absolute", "smart"]},
                    "appContext": {"type": "string"},
                    "autolaunchable": {"type": "boolean"},
                },
                "if": {"properties": {"type": {"const": "absolute"}}},
                "then": {"not": {"required": ["appContext"]}},
            },
        },
    },
    # "Card Attributes": "If suggestions are present, selectionBehavior MUST also be provided."
    "dependentRequired": {"suggestions": ["selectionBehavior"]},
}

RESPONSE: dict[str, Any] = {
    # "CDS Service Response" > "HTTP Response": cards REQUIRED, systemActions optional (Actions).
    "type": "object",
    "required": ["cards"],
    "properties": {"cards": {"type": "array", "items": CARD}, "systemActions": {"type": "array", "items": ACTION}},
}

FEEDBACK: dict[str, Any] = {
    # "Feedback": an object containing an array `feedback`; card, outcome and outcomeTimestamp REQUIRED.
    "type": "object",
    "required": ["feedback"],
    "properties": {
        "feedback": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["card", "outcome", "outcomeTimestamp"],
                "properties": {
                    "card": {"type": "string"},
                    "outcome": {"enum": ["accepted", "overridden"]},
                    # "Suggestion accepted": AcceptedSuggestion id REQUIRED.
                    "acceptedSuggestions": {
                        "type": "array",
                        "items": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
                    },
                    # "OverrideReason": reason (a Coding), userComment (a string).
                    "overrideReason": {
                        "type": "object",
                        "properties": {"reason": CODING, "userComment": {"type": "string"}},
                    },
                    "outcomeTimestamp": {"type": "string"},
                },
                # "Feedback": acceptedSuggestions is "Required for accepted outcomes".
                "if": {"properties": {"outcome": {"const": "accepted"}}},
                "then": {"required": ["acceptedSuggestions"]},
            },
        }
    },
}
