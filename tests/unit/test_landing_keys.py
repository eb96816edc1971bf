from __future__ import annotations

from motcua.landing.contracts import DOSSIER_CONTRACT
from motcua.landing.loader import checksum, key_of
from motcua.landing.raw_sources import ONE_STOP_DOSSIERS

VALID = {
    "dossier_code": "X-250101-0001",
    "version": 3,
    "updated_at": "2025-01-01T09:00:00+07:00",
    "unit_code": "430",
    "procedure_code": "1.001193",
    "status": 4,
    "received_at": "2025-01-01T08:00:00+07:00",
}


def test_checksum_ignores_key_order_but_not_content():
    a = {"dossier_code": "X-250101-0001", "version": 1, "procedure_name": "Đăng ký khai sinh"}
    b = dict(reversed(list(a.items())))
    assert checksum(a) == checksum(b)
    assert checksum(a) != checksum({**a, "version": 2})


def test_key_of_accepts_a_valid_record():
    assert key_of(ONE_STOP_DOSSIERS, VALID) == ("X-250101-0001", 3)


def test_key_of_explains_each_defect():
    assert key_of(ONE_STOP_DOSSIERS, None) == "record is not a JSON object"
    assert key_of(ONE_STOP_DOSSIERS, {"version": 1}) == "missing or empty dossier_code"
    assert key_of(ONE_STOP_DOSSIERS, {"dossier_code": " ", "version": 1}) == "missing or empty dossier_code"
    assert "positive integer" in key_of(ONE_STOP_DOSSIERS, {"dossier_code": "X", "version": "2"})
    assert "positive integer" in key_of(ONE_STOP_DOSSIERS, {"dossier_code": "X", "version": True})
    assert "positive integer" in key_of(ONE_STOP_DOSSIERS, {"dossier_code": "X", "version": 0})


def test_contract_names_each_broken_field():
    record = {
        **VALID,
        "received_at": "2025-01-01 08:00",  # no offset
        "status": 11,
        "channel": "online",
        "fee_amount": -5,
        "paid_online": "yes",
    }
    reason = key_of(ONE_STOP_DOSSIERS, record)
    assert reason.startswith("breaks the feed contract: ")
    for needle in (
        "received_at: timestamp without UTC offset",
        "status: 11 is outside 1..10",
        "channel: expected an integer",
        "fee_amount: negative value -5",
        "paid_online: expected true/false",
    ):
        assert needle in reason


def test_required_fields_and_nulls():
    assert DOSSIER_CONTRACT.problems({**VALID, "completed_at": None}) == []
    assert DOSSIER_CONTRACT.problems({k: v for k, v in VALID.items() if k != "status"}) == ["status: missing"]


def test_renamed_field_is_accepted_under_its_alias_and_unknown_fields_are_reported():
    drifted = {**VALID, "kenh_nop": 3, "ma_moi": "x"}
    assert DOSSIER_CONTRACT.problems(drifted) == []
    assert DOSSIER_CONTRACT.problems({**VALID, "kenh_nop": 9}) == ["kenh_nop: 9 is outside 1..3"]
    assert DOSSIER_CONTRACT.unknown_fields(drifted) == {"ma_moi"}


def test_unit_codes_are_gso_codes_or_a_province_agencys_code():
    for code in ("40", "430", "17935", "H41.01", "H41.101"):
        assert DOSSIER_CONTRACT.problems({**VALID, "unit_code": code, "receiving_unit_code": "H41.09"}) == []
    for code in ("123456", "H41", "h41.01", "H41.01; drop table x", "Sở Tư pháp"):
        (problem,) = DOSSIER_CONTRACT.problems({**VALID, "unit_code": code})
        assert problem.startswith("unit_code: ") and "H41.nn" in problem, problem
