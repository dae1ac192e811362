"""The reviewed codes table: every row has a source, every contract unit a UCUM code, one test per code."""

from __future__ import annotations

import pytest

from workup.rules import codes, loinc_for, vocab


def test_active_b12_is_holotranscobalamin_not_total_cobalamin() -> None:
    assert loinc_for("active_b12", "pmol/L") == "72160-5"
    assert loinc_for("b12", "pmol/L") == "14685-2"


def test_every_code_names_the_source_that_confirms_it() -> None:
    for code in codes.all_codes():
        assert code.source.strip(), code
        assert code.display.strip(), code


def test_every_contract_unit_has_a_ucum_code_spelt_as_ucum_spells_it() -> None:
    units = {u for us in vocab.LAB_UNITS.values() for u in us}
    assert units <= set(codes.UCUM_CODES)
    assert codes.UCUM_CODES["mIU/L"].code == "m[IU]/L"
    assert codes.UCUM_CODES["uIU/mL"].code == "u[IU]/mL"
    assert codes.UCUM_CODES["mL/min/1.73m2"].code == "mL/min/{1.73_m2}"
    assert codes.UCUM_CODES["umol/L"].code == "umol/L"


def test_every_exported_loinc_is_for_a_unit_the_test_accepts() -> None:
    for (test, unit), code in codes.export_loinc().items():
        assert test in vocab.codes(vocab.LAB_TESTS)
        assert unit in vocab.LAB_UNITS[test] or (test == "spep" and unit == ""), (test, unit)
        assert code.system == codes.LOINC


def test_tests_without_a_verified_loinc_export_none_rather_than_a_guess() -> None:
    for test in ("vitamin_b6", "calcium_adjusted", "magnesium"):
        assert all(loinc_for(test, unit) == "" for unit in vocab.LAB_UNITS[test])


@pytest.mark.parametrize("row", codes.LAB_CODES, ids=lambda r: f"{r.code.code}-{r.test}-{r.unit}")
def test_every_mapping_row_reads_back_to_its_test_and_unit(row: codes.LabCode) -> None:
    test, units = codes.import_map()[(row.code.system, row.code.code)]
    assert test == row.test and row.unit in units


def test_several_egfr_loincs_map_to_egfr() -> None:
    egfr = [key for key, (test, _) in codes.import_map().items() if test == "egfr"]
    assert {("http://loinc.org", c) for c in ("98979-8", "62238-1", "33914-3", "48642-3")} <= set(egfr)


def test_service_codes_are_for_known_services_and_leave_unverified_ones_out() -> None:
    assert set(codes.SERVICE_CODES) <= vocab.codes(vocab.SERVICES)
    assert codes.SERVICE_CODES["neurology"].code == "788005004"
    for unverified in ("diabetic_foot_service", "foot_protection_service", "ms_team", "antenatal_diabetes_team"):
        assert unverified not in codes.SERVICE_CODES
    # 306206005 is "Referral to service", not a neurology referral: it names no service.
    assert "306206005" not in {c.code for c in codes.all_codes()}


def test_cause_codes_are_for_known_causes() -> None:
    assert set(codes.CAUSE_CODES) <= vocab.codes(vocab.CAUSES)


def test_import_units_never_guess_an_unlisted_unit() -> None:
    assert codes.IMPORT_UNITS["µmol/L"] == "umol/L"
    assert codes.IMPORT_UNITS["m[IU]/L"] == "mIU/L"
    assert "10*3/uL" not in codes.IMPORT_UNITS
    assert "mU/L" not in codes.IMPORT_UNITS
