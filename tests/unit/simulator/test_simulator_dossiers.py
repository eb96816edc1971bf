"""Dossier generation: determinism, office hours, calibration against published press figures (docs/simulator.md)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from motcua_simulator.clock import add_working_days, in_office_hours, office_after
from motcua_simulator.dossiers import (
    READY,
    REJECTED,
    SUBMITTED,
    VN_TZ,
    WITHDRAWN,
    SimulationProfile,
    dossiers_received,
    generate_dossier,
    records_updated,
)
from motcua_simulator.reference import all_units, units_on
from motcua_simulator.workdays.deadlines import due_at

PROFILE = SimulationProfile()


def _unit(code: str, post_reform: bool = False):
    return next(u for u in all_units() if u.code == code and (u.valid_from is not None) == post_reform)


def _year(unit, year: int, profile: SimulationProfile = PROFILE):
    first = date(year, 1, 1)
    return [d for k in range(365) for d in dossiers_received(unit, first + timedelta(days=k), profile)]


@pytest.fixture(scope="module")
def quynh_luu_2017():
    return _year(_unit("421"), 2017)


def test_same_seed_same_dossiers_and_different_seed_differs():
    unit, day = _unit("430"), date(2025, 6, 30)
    a = [d.as_of(datetime(2025, 9, 1, tzinfo=VN_TZ)) for d in dossiers_received(unit, day, SimulationProfile(seed=7))]
    dossiers_received.cache_clear()
    b = [d.as_of(datetime(2025, 9, 1, tzinfo=VN_TZ)) for d in dossiers_received(unit, day, SimulationProfile(seed=7))]
    c = [d.as_of(datetime(2025, 9, 1, tzinfo=VN_TZ)) for d in dossiers_received(unit, day, SimulationProfile(seed=8))]
    assert a == b
    assert a != c
    # a single dossier regenerates alone, identically
    assert generate_dossier(unit, day, 3, SimulationProfile(seed=7)).as_of(datetime(2025, 9, 1, tzinfo=VN_TZ)) == a[2]


def test_staff_events_fall_in_office_hours_on_working_days(quynh_luu_2017):
    days_off = [date(2025, 4, 30), date(2025, 5, 3), date(2025, 1, 29)]  # holiday, Saturday, Tết
    sample = quynh_luu_2017 + [d for day in days_off for d in dossiers_received(_unit("430"), day, PROFILE)]
    checked = 0
    for dossier in sample:
        for status, at in dossier.events:
            if status != SUBMITTED:
                assert in_office_hours(at), (dossier.dossier_code, status, at)
                checked += 1
        if dossier.apology_letter_at:
            assert in_office_hours(dossier.apology_letter_at)
    assert checked > 50_000
    off = [d for day in days_off for d in dossiers_received(_unit("430"), day, PROFILE)]
    assert off and all(d.channel == 2 for d in off), "only online submissions arrive on days off"


def test_fast_deadline_arithmetic_matches_workdays_due_at():
    start = datetime(2025, 1, 20, 6, 30, tzinfo=VN_TZ)
    for k in range(200):
        moment = start + timedelta(minutes=97 * k)
        for days in (0.5, 1, 3, 7, 15):
            assert add_working_days(moment, days) == due_at(moment, days), (moment, days)
    assert office_after(datetime(2025, 5, 6, 16, 50, tzinfo=VN_TZ), 20) == datetime(2025, 5, 7, 7, 10, tzinfo=VN_TZ)


def test_appointment_due_matches_statutory_deadline(quynh_luu_2017):
    for dossier in quynh_luu_2017[:3000]:
        intake = next(at for s, at in dossier.events if s == 2)
        pauses = list(dossier.supplements)
        assert dossier.appointment_due_at == due_at(intake, dossier.procedure.statutory_working_days, pauses)


def test_district_year_calibration(quynh_luu_2017):
    dossiers = quynh_luu_2017
    assert 15_000 <= len(dossiers) <= 20_000  # Quynh Luu 2017: 17,334
    settled = [d for d in dossiers if any(s == READY for s, _ in d.events)]
    late = [d for d in settled if d.is_late]
    assert 0 < len(late) / len(settled) < 0.01  # 36 of 17,334
    assert sum(1 for d in late if d.apology_letter_at) / len(late) >= 0.85
    assert 0.75 <= sum(d.is_digitised for d in dossiers) / len(dossiers) <= 0.9
    fee_online = [d for d in dossiers if d.channel == 2 and d.procedure.fee_amount]
    assert 0.88 <= sum(d.paid_online for d in fee_online) / len(fee_online) <= 0.98
    channels = Counter(d.channel for d in dossiers)
    assert 0.02 <= channels[3] / len(dossiers) <= 0.10


def test_online_share_rises_by_year():
    unit = _unit("430")
    shares = {}
    for year in (2018, 2021, 2024):
        sample = [
            d for k in range(0, 365, 3) for d in dossiers_received(unit, date(year, 1, 1) + timedelta(days=k), PROFILE)
        ]
        shares[year] = sum(d.channel == 2 for d in sample) / len(sample)
    assert 0.12 <= shares[2018] <= 0.3
    assert shares[2018] < shares[2021] < shares[2024]
    assert 0.35 <= shares[2024] <= 0.6


def test_merged_commune_volume():
    communes = [u for u in units_on(date(2025, 8, 1))]
    means = []
    for unit in communes[:40]:
        days = [date(2025, 8, 4) + timedelta(days=k) for k in range(5)]
        means.append(sum(len(dossiers_received(unit, d, PROFILE)) for d in days) / 5)
    assert 20 <= sum(means) / len(means) <= 45
    assert max(means) >= 40  # large merged communes: 40-50 a day


def test_scale_factor_scales_volume():
    unit, day = _unit("430"), date(2025, 6, 30)
    base = len(dossiers_received(unit, day, SimulationProfile(scale=1)))
    tenfold = len(dossiers_received(unit, day, SimulationProfile(scale=10)))
    assert 7 * base <= tenfold <= 13 * base


def test_one_day_for_every_unit_is_fast():
    day = date(2025, 6, 30)
    profile = SimulationProfile(seed=99)
    started = time.perf_counter()
    total = sum(len(dossiers_received(u, day, profile)) for u in units_on(day))
    elapsed = time.perf_counter() - started
    assert total > 3000
    assert elapsed < 5, f"{total} dossiers for {len(units_on(day))} units took {elapsed:.2f}s"


def test_records_updated_keeps_its_contract():
    unit = _unit("430")
    since = datetime(2025, 6, 30, tzinfo=VN_TZ)
    until = since + timedelta(days=1)
    records = records_updated(unit, since, until, PROFILE)
    assert records
    stamps = [(r["updated_at"], r["dossier_code"]) for r in records]
    assert stamps == sorted(stamps)
    for r in records:
        assert since <= datetime.fromisoformat(r["updated_at"]) < until
        assert r["version"] == len(r["status_history"]) + (1 if r["apology_letter_issued_at"] else 0)


REFORM_MOMENT = datetime(2025, 7, 1, tzinfo=VN_TZ)


def _june_of(code: str):
    unit = _unit(code)
    return [d for k in range(30) for d in dossiers_received(unit, date(2025, 6, 1) + timedelta(days=k), PROFILE)]


def test_open_dossiers_of_an_abolished_commune_are_handed_to_its_successor_and_the_rest_stay():
    june = _june_of("17935")  # Xã Nghĩa Thái, merged whole into the 2025 commune 17935
    handed = [d for d in june if d.handed_over_to is not None]
    kept = [d for d in june if d.handed_over_to is None]
    assert handed and kept
    for d in handed:
        assert d.handed_over_to.code == "17935" and d.handed_over_to.valid_from == date(2025, 7, 1)
        assert d.handed_over_at == REFORM_MOMENT
        assert not any(status == READY and at < REFORM_MOMENT for status, at in d.events)
        before, after = d.as_of(REFORM_MOMENT - timedelta(microseconds=1)), d.as_of(REFORM_MOMENT)
        # One new version, the successor's; the receipt, the appointment and the history stay.
        assert (before["unit_code"], before["handed_over_from_unit_code"]) == ("17935", None)
        assert after["version"] == before["version"] + 1 and after["updated_at"] == REFORM_MOMENT.isoformat()
        assert after["handed_over_from_unit_code"] == "17935" and after["receiving_unit_code"] == "17935"
        for field in ("received_at", "appointment_due_at", "status_history"):
            assert after[field] == before[field]
    # Settled (or closed) before the reform: stays with the old commune.
    assert all(
        any(status in (READY, REJECTED, WITHDRAWN) and at < REFORM_MOMENT for status, at in d.events) for d in kept
    )


def test_a_districts_open_dossiers_go_to_the_communes_that_took_its_territory():
    successors = {d.handed_over_to.code for d in _june_of("430") if d.handed_over_to is not None}
    assert len(successors) > 1
    assert successors <= {"17935", "17944", "17950", "17971", "17989"}


def test_the_feed_serves_a_handed_over_dossier_from_its_successor_only():
    old, new = _unit("17938"), _unit("17935", post_reform=True)  # Xã Nam Lĩnh merged into 17935
    day = REFORM_MOMENT
    from_new = {r["dossier_code"]: r for r in records_updated(new, day, day + timedelta(days=1), PROFILE)}
    from_old = records_updated(old, day, day + timedelta(days=1), PROFILE)
    handed = {code for code, r in from_new.items() if r["handed_over_from_unit_code"] == "17938"}
    assert handed
    assert not {r["dossier_code"] for r in from_old} & handed


def test_some_dossiers_are_lodged_at_another_communes_desk_after_the_reform_only():
    unit = _unit("17935", post_reform=True)
    july = [d for k in range(20) for d in dossiers_received(unit, date(2025, 7, 1) + timedelta(days=k), PROFILE)]
    lodged = [d for d in july if d.receiving_unit is not None]
    assert 0.01 < len(lodged) / len(july) < 0.06
    assert all(d.channel != 2 and d.receiving_unit.code != "17935" for d in lodged)
    assert all(d.transferred_at == d.events[1][1] for d in lodged)
    assert not [d for d in _june_of("17935") if d.receiving_unit is not None]


def test_province_agencies_settle_province_procedures_received_mostly_at_the_service_centre():
    from motcua_simulator.reference import service_centre

    july = date(2025, 7, 1)
    listed = units_on(july)
    agencies = [u for u in listed if u.level == "agency"]
    centre = service_centre()
    # The service centre receives and settles nothing itself: it serves no feed.
    assert centre is not None and centre not in listed and len(agencies) == 8
    assert not [u for u in units_on(date(2025, 6, 30)) if u.level == "agency"]  # listed from 1 July 2025
    assert dossiers_received(centre, date(2025, 7, 2), PROFILE) == ()
    dossiers = [d for u in agencies for k in range(31) for d in dossiers_received(u, july + timedelta(days=k), PROFILE)]
    assert {d.procedure.level for d in dossiers} == {"province"}
    assert {d.dossier_code.split("-")[0] for d in dossiers} == {f"000.00.0{n}.H41" for n in range(1, 9)}
    in_person = [d for d in dossiers if d.channel != 2]
    at_centre = [d for d in in_person if d.receiving_unit == centre]
    assert 0.85 < len(at_centre) / len(in_person) < 0.95
    assert all(d.transferred_at == d.events[1][1] for d in at_centre)
    assert not [d for d in dossiers if d.channel == 2 and d.receiving_unit is not None]
