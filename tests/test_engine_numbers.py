"""Every clinical number lives in the threshold table: no threshold's digits are typed into the engine's words.

A figure typed into a sentence ("limit of 14 units") outlives the table it came from, and a signed letter then states
a stale number. The rules, facts, emergency rules, texts and output builder may only format numbers from the table.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from workup.rules import thresholds

ENGINE = Path(thresholds.__file__).parent
WORDING_MODULES = ("rules.py", "emergency.py", "text.py", "facts.py", "build.py", "engine.py")
NUMBER = re.compile(r"(?<![\w./-])\d+(?:\.\d+)?(?![\w.])")  # not inside a name ("U14", "NG127", "schema/1")


def threshold_values() -> set[float]:
    """Every number of the ruleset: named limits, band edges of every profile and scale, default lab limits."""
    values = {t.value for t in thresholds.LIMITS.values()}
    scales = [*thresholds.SCALES.values()]
    for kind in thresholds.PROFILE_KINDS.values():
        for profile in kind.values():
            scales += profile.values()
    values |= {edge.value for scale in scales for edge in scale.edges}
    for _, by_unit in thresholds.RANGE_LIMITS.values():
        values |= {t.value for limits in by_unit.values() for t in limits.values()}
    return values


def string_literals(source: str) -> list[tuple[int, str]]:
    """The string constants of a module (f-string parts included), docstrings left out: they cite, not say."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def typed_thresholds(source: str, values: set[float]) -> list[str]:
    """Each literal that types a threshold's digits, as 'line: text'."""
    return [
        f"{line}: {text!r}"
        for line, text in string_literals(source)
        if any(float(token) in values for token in NUMBER.findall(text))
    ]


@pytest.mark.parametrize("module", WORDING_MODULES)
def test_no_threshold_digits_are_typed_into_the_engines_words(module: str) -> None:
    source = (ENGINE / module).read_text(encoding="utf-8")
    assert typed_thresholds(source, threshold_values()) == []


def test_the_scan_finds_a_typed_threshold() -> None:
    source = 'WORDS = "Advise cutting alcohol to no more than 14 units a week"\nOTHER = "ABI above 1.40"\n'
    found = typed_thresholds(source, threshold_values())
    assert [f.split(":")[0] for f in found] == ["1", "2"]


def test_the_scan_leaves_docstrings_and_rule_ids_alone() -> None:
    source = 'def u3():\n    """U3: worsening for 8 weeks or more."""\n    return "U3", "call 999"\n'
    assert typed_thresholds(source, threshold_values()) == []


def test_texts_take_their_numbers_from_the_table() -> None:
    from workup.rules import text

    assert "no more than 14 units" in text.step_text("reduce_alcohol")
    assert "hydroxocobalamin 1 mg" in text.step_text("treat_b12_deficiency")
    assert "every 3-6 months" in text.foot_review_text("moderate")
