"""The parsed case (workup-case/1) and the problems found while reading it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a case, named by its path (``labs[0].value``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class CaseError(ValueError):
    """The case cannot be evaluated; ``problems`` names every problem, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(slots=True)
class Lab:
    """One lab result as reported: a number, a censored bound (``censor`` "<" or ">"), or spep text."""

    index: int
    test: str
    unit: str
    value: float
    censor: str = ""
    text: str = ""
    collected_on: date | None = None
    ref_low: float | None = None
    ref_high: float | None = None

    @property
    def path(self) -> str:
        return f"labs[{self.index}]"


# Per-side exam values: (left, right), None where a side was not recorded (or could not be read).
Sided = tuple[Any, Any]
NOT_RECORDED: Sided = (None, None)


@dataclass(slots=True)
class Case:
    """A workup case as the rules read it. Fields that could not be read are empty and named in ``unread``.

    ``red_flags`` and ``foot_inspection`` are None when never asked or inspected; an empty set is an answer ("none").
    """

    as_of: date
    age_years: int | None = None
    sex: str | None = None
    pregnant: bool = False
    onset: str | None = None
    duration_weeks: float | None = None
    course: str | None = None
    sides: str | None = None
    areas: frozenset[str] = frozenset()
    symptoms: frozenset[str] = frozenset()
    red_flags: frozenset[str] | None = None
    notes: str = ""
    notes_checked: bool = False
    diabetes: str | None = None
    alcohol_units_per_week: float | None = None
    chemotherapy: frozenset[str] = frozenset()
    chemotherapy_ended_months_ago: float | None = None
    b12_risks: frozenset[str] = frozenset()
    medications: frozenset[str] = frozenset()
    cns_history: frozenset[str] = frozenset()
    spine_history: frozenset[str] = frozenset()
    family_history_neuropathy: bool = False
    foot_history: frozenset[str] = frozenset()
    exam: dict[str, Sided] = field(default_factory=dict)
    romberg: str | None = None
    foot_inspection: frozenset[str] | None = None
    labs: tuple[Lab, ...] = ()
    unread: frozenset[str] = frozenset()

    def sided(self, item: str) -> Sided:
        """Return the (left, right) values of an exam item."""
        return self.exam.get(item, NOT_RECORDED)
