"""Parse untrusted JSON within limits: nesting depth and number length are checked before anything can recurse.

Pure Python (no Django): the API uses it, and so can any other import path that reads a posted document.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 32  # a workup-case/1 document nests four levels; nothing legitimate comes near this
MAX_NUMBER_CHARS = 40  # the longest clinical number plus room for a sign, decimals and an exponent

# A JSON string as the parser lexes it (escapes included); an unterminated one runs to the end of the text.
# Possessive, so a failed match never backtracks: the scan is linear in the length of the text.
_STRING = re.compile(r'"(?:[^"\\]|\\.?)*+"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JsonLimitError(ValueError):
    """The document is beyond a limit (too deep, a number too long, a non-finite number)."""


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting of ``text`` outside strings, counted without recursion."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_STEP[ch] for ch in brackets), default=0)


def loads(text: str, *, max_depth: int = MAX_DEPTH, max_number_chars: int = MAX_NUMBER_CHARS) -> Any:
    """Parse ``text``; raise JsonLimitError past a limit, ValueError when it is not JSON."""
    depth = nesting_depth(text)
    if depth > max_depth:
        raise JsonLimitError(f"The document nests {depth} levels deep; at most {max_depth} are accepted.")
    doc = json.loads(
        text,
        parse_int=lambda s: int(_short(s, max_number_chars)),
        parse_float=lambda s: _finite(float(_short(s, max_number_chars)), s),
        parse_constant=_refuse_constant,
    )
    if "\\u0000" in text.lower() and _holds_nul(doc):
        # PostgreSQL cannot store U+0000 in text, and no clinical document needs it: refuse it here, once.
        raise JsonLimitError("The document holds a NUL character (U+0000), which is not accepted.")
    return doc


def _holds_nul(doc: Any) -> bool:
    """Whether any key or string of the parsed document holds U+0000 (walked without recursion)."""
    pending = [doc]
    while pending:
        node = pending.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return True
        elif isinstance(node, dict):
            pending.extend(node.keys())
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return False


def _short(literal: str, limit: int) -> str:
    if len(literal) > limit:
        raise JsonLimitError(
            f"A number in the document is {len(literal)} characters long; at most {limit} are accepted."
        )
    return literal


def _finite(value: float, literal: str) -> float:
    if not math.isfinite(value):
        raise JsonLimitError(f"The number {literal} is too large.")
    return value


def _refuse_constant(name: str) -> Any:
    raise JsonLimitError(f"{name} is not a number JSON allows.")
