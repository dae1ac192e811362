"""The screens' forms: patient registration, worklist search, and one form per workup section."""

from workup.forms.labs import BaseLabFormSet, LabFormSet, LabRowForm, lab_formset, lab_initial
from workup.forms.patients import PatientForm
from workup.forms.problems import ProblemTarget, attach_error, problem_target
from workup.forms.sections import SECTION_FORMS, ExamForm, HistoryForm, PresentationForm, SectionForm, VersionForm
from workup.forms.worklist import SearchForm, WorklistFilterForm

__all__ = [
    "SECTION_FORMS",
    "BaseLabFormSet",
    "ExamForm",
    "HistoryForm",
    "LabFormSet",
    "LabRowForm",
    "PatientForm",
    "PresentationForm",
    "ProblemTarget",
    "SearchForm",
    "SectionForm",
    "VersionForm",
    "WorklistFilterForm",
    "attach_error",
    "lab_formset",
    "lab_initial",
    "problem_target",
]
