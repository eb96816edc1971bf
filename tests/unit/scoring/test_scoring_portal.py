"""Tests of the portal evaluation-feed parser and of recomputing its official points.

The sample record is hand-made in the feed's shape; its official scores were worked out by hand
(comments) so that the round trip checks the engine against numbers it did not produce.
"""

from __future__ import annotations

import copy
import json
import warnings
from decimal import Decimal
from typing import Any

import pytest

from motcua.scoring.indicators import UnitKind, indicator_version
from motcua.scoring.portal import (
    MalformedRecordError,
    PortalFormatError,
    PortalSchemaWarning,
    UnknownIndicatorWarning,
    parse_evaluation,
    parse_unit,
    recompute,
)

D = Decimal
V2025 = indicator_version("766-2025")


def metric(code: str, numerator: Any, denominator: Any, ratio: Any, score: Any, max_score: int, **extra: Any):
    return {
        "code": code,
        "name": code.title(),
        "numerator": numerator,
        "denominator": denominator,
        "ratio": ratio,
        "score": score,
        "maxScore": max_score,
        **extra,
    }


def sample_record(code: str = "H41.123", child_group: str = "AGENCY") -> dict[str, Any]:
    """One agency record; every score below is computed by hand from its counters."""
    return {
        "departmentId": "019d2be3-6a88",
        "departmentName": "Sở Tư pháp tỉnh Nghệ An",
        "departmentCode": code,
        "childGroup": child_group,
        "totalScore": 83.87,  # 12.58 + 19.60 + 9.30 + 9.52 + 15.95 + 16.92
        "ratio": 83.87,
        "rank": 3,
        "groupRank": 2,
        "groupScores": {
            "CKMB": 12.58,
            "TDGQ": 19.60,
            "ONLINE": 9.30,
            "TTTT": 9.52,
            "MDSH": 15.95,
            "MDHL": 16.92,
        },
        "componentIndicators": {
            "TDGQ_TienDoGiaiQuyet": {
                "totalReceived": 1200,
                "totalOnTime": 1176,
                "totalOverdue": 24,
                "avgProcessingDays": 3.2,
                "ratio": 98.0,
                "score": 19.60,  # 20 x 1176/1200
                "maxScore": 20,
            },
            "CKMB_CongKhaiMinhBach": {
                "score": 12.58,
                "maxScore": 18,
                "ratio": 69.89,
                "metrics": [
                    metric("PUBLISH_ON_TIME", 45, 50, 90.0, 5.40, 6),  # 6 x 0.90
                    metric("PUBLIC_UPDATE_ON_TIME", 529, 800, 66.13, 2.65, 4),  # 4 x 0.66125 = 2.645
                    metric("PUBLIC_CONTENT_FULL", 19, 20, 95.0, 1.90, 2),  # 2 x 0.95
                    metric(
                        "DOSSIER_SYNC",
                        350,
                        800,
                        43.75,
                        2.63,  # 6 x 0.4375 = 2.625
                        6,
                        dataQualityStatus="WARNING",
                        dataQualityMessage="Đồng bộ chậm từ hệ thống một cửa",
                    ),
                ],
            },
            "MDSH_SoHoaHoSo": {
                "score": 15.95,
                "maxScore": 22,
                "ratio": 72.5,
                "metrics": [
                    metric("ORIGINAL_RESULT_AVAILABLE", 1104, 1200, 92.0, 5.52, 6),  # 6 x 0.92
                    metric("SO_HOA_GIAY_TO_GIAI_QUYET", 1020, 1200, 85.0, 3.40, 4),  # 4 x 0.85
                    metric("REUSED_DIGITIZED_DATA", 540, 1200, 45.0, 1.13, 2),  # 2 x 0.45/0.80 = 1.125
                    metric("SYNCED_WITH_DVCQG_PERSONAL_STORAGE", None, None, 37.5, 1.50, 4),  # 4 x 0.375
                    metric("CITIZEN_DATA_CONNECTED_DOSSIER", 600, 1200, 50.0, 1.00, 2),  # 2 x 0.5
                    metric("CITIZEN_DATA_CONNECTED_FORMALITY", None, None, 80.0, 1.60, 2),  # 2 x 0.80
                    metric("ELECTRONIC_CERTIFIED_COPY", 18, 20, 90.0, 1.80, 2),  # 2 x 0.90
                ],
            },
            "MDHL_MucDoHaiLong": {
                "score": 16.92,
                "maxScore": 18,
                "ratio": 94.0,
                "totalPetitions": 8,
                "totalDossiers": 1000,
                "metrics": [
                    metric("PETITION_CLASSIFICATION_TTHC", 3, None, None, None, 0),
                    metric("DOSSIER_RECEIVING_SATISFACTION", 850, 1000, 85.0, 5.67, 6),  # 6 x 0.85/0.90
                    metric("PETITION_PROCESSING_ON_TIME", 0, 0, 0, 6.00, 6),  # no petitions: full
                    metric("PETITION_HANDLING_SATISFACTION", 7, 8, 87.5, 5.25, 6),  # 6 x 0.875
                    metric("PETITION_CLASSIFICATION_STAFF", 5, None, None, None, 0),
                ],
            },
            # A child unit's ONLINE carries no counters on the portal: it cannot be recomputed.
            "ONLINE_DichVuTrucTuyen": {"score": 9.30, "maxScore": 12, "ratio": 77.5},
            "TTTT_ThanhToanTrucTuyen": {
                "score": 9.52,  # 5.64 + 1.88 + 2.00
                "maxScore": 10,
                "ratio": 94.0,
                "totalDossierOnlinePaymentSuccess": 846,  # 6 x 846/900 = 5.64
                "totalDossierFinancialObligation": 900,
                "totalDossierOnlineFormalityPaymentSuccess": 9,  # min(2, 2 x 9/12 / 0.8) = 1.875 -> 1.88
                "totalFeeDossierFormalityDistinct": 12,
                "totalFeeDossierFormality": 14,  # min(2, 2 x 14/16 / 0.8) = 2.00
                "totalFeeFormality": 16,
            },
        },
    }


def parse_quietly(record: dict[str, Any]):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the sample record must not trigger any warning
        return parse_unit(record, V2025)


def test_rows_one_per_unit_and_indicator() -> None:
    unit = parse_quietly(sample_record())
    # 4 CKMB + TDGQ + 7 MDSH + 5 MDHL + ONLINE + TTTT
    assert len(unit.rows) == 19
    assert {row.indicator_code for row in unit.rows} == set(V2025.codes)
    assert all(row.known_indicator for row in unit.rows)
    assert all(row.unit_code == "H41.123" and row.child_group == "AGENCY" for row in unit.rows)
    assert unit.unit_kind is UnitKind.AGENCY
    assert unit.total_score == D("83.87")
    assert unit.rank == 3 and unit.group_rank == 2
    assert unit.group_scores["MDHL"] == D("16.92")


def test_metric_row_fields_are_kept_as_published() -> None:
    unit = parse_quietly(sample_record())
    sync = next(row for row in unit.rows if row.indicator_code == "DOSSIER_SYNC")
    assert (sync.group_code, sync.numerator, sync.denominator) == ("CKMB", D(350), D(800))
    assert sync.ratio_percent == D("43.75")
    assert (sync.official_points, sync.official_max_points) == (D("2.63"), D(6))
    assert sync.data_quality_status == "WARNING"
    assert sync.data_quality_message == "Đồng bộ chậm từ hệ thống một cửa"
    classification = next(row for row in unit.rows if row.indicator_code == "PETITION_CLASSIFICATION_STAFF")
    assert classification.official_points is None  # null stays null, never 0
    assert classification.denominator is None


def test_single_indicator_sections_and_extras() -> None:
    unit = parse_quietly(sample_record())
    tdgq = next(row for row in unit.rows if row.indicator_code == "TDGQ")
    assert (tdgq.numerator, tdgq.denominator, tdgq.official_points) == (D(1176), D(1200), D("19.6"))
    tttt = next(row for row in unit.rows if row.indicator_code == "TTTT")
    assert (tttt.numerator, tttt.denominator) == (D(846), D(900))
    online = next(row for row in unit.rows if row.indicator_code == "ONLINE")
    assert online.numerator is None and online.ratio_percent == D("77.5")
    assert unit.extras["TDGQ_TienDoGiaiQuyet.totalOverdue"] == D(24)
    assert unit.extras["MDHL_MucDoHaiLong.totalPetitions"] == D(8)
    assert unit.extras["TTTT_ThanhToanTrucTuyen.totalFeeFormality"] == D(16)
    assert unit.counters["TTTT"].parts["totalFeeDossierFormalityDistinct"] == D(12)
    assert dict(unit.counters["ONLINE"].parts) == {}


def test_counters_convert_percent_ratio_to_fraction() -> None:
    unit = parse_quietly(sample_record())
    assert unit.counters["SYNCED_WITH_DVCQG_PERSONAL_STORAGE"].stated_ratio == D("0.375")  # 37.5 / 100
    assert unit.counters["SYNCED_WITH_DVCQG_PERSONAL_STORAGE"].numerator is None
    assert unit.counters["ONLINE"].stated_ratio == D("0.775")
    assert unit.counters["TDGQ"].numerator == D(1176)


def test_round_trip_recomputed_points_equal_official() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = recompute(sample_record(), V2025)
    assert len(result.indicators) == 19
    for row in result.indicators:
        if row.official_points is None:
            # only the two informational classification metrics publish no score
            assert row.indicator_code.startswith("PETITION_CLASSIFICATION")
            assert row.recomputed_points == D("0.00")
            continue
        if row.indicator_code == "ONLINE":
            assert row.recomputed_points is None and "not recomputed" in row.note
            continue
        assert row.difference == 0, (row.indicator_code, row.official_points, row.recomputed_points)
    status = {group.group_code: group.status for group in result.groups}
    assert status == {
        "CKMB": "equal",
        "TDGQ": "equal",
        "ONLINE": "not recomputed",
        "TTTT": "equal",
        "MDSH": "equal",
        "MDHL": "equal",
    }
    online = next(group for group in result.groups if group.group_code == "ONLINE")
    assert online.official_points == D("9.30") and online.difference is None
    assert online.reason.startswith("the input lacks partialCount, fullCount, authorityCount")
    assert result.official_total == D("83.87")
    assert result.recomputed_total is None and result.total_difference is None
    assert not any(row.is_estimate for row in result.indicators)


def test_the_crawlers_tttt_without_two_counters_is_not_recomputed() -> None:
    record = sample_record()
    tttt = record["componentIndicators"]["TTTT_ThanhToanTrucTuyen"]
    del tttt["totalFeeDossierFormality"], tttt["totalFeeDossierFormalityDistinct"]
    result = recompute(record, V2025)
    group = next(group for group in result.groups if group.group_code == "TTTT")
    assert (group.status, group.recomputed_points, group.official_points) == ("not recomputed", None, D("9.52"))
    assert group.missing_counters == ("totalFeeDossierFormalityDistinct", "totalFeeDossierFormality")
    row = next(r for r in result.indicators if r.indicator_code == "TTTT")
    assert row.recomputed_points is None and row.difference is None


def test_recompute_reports_a_disagreement() -> None:
    record = sample_record()
    # The portal says 5.50 for PUBLISH_ON_TIME; its own counters give 6 x 45/50 = 5.40.
    record["componentIndicators"]["CKMB_CongKhaiMinhBach"]["metrics"][0]["score"] = 5.50
    result = recompute(record, V2025)
    row = next(r for r in result.indicators if r.indicator_code == "PUBLISH_ON_TIME")
    assert row.difference == D("-0.10")


def test_recompute_of_a_record_missing_a_metric() -> None:
    record = sample_record()
    mdsh = record["componentIndicators"]["MDSH_SoHoaHoSo"]["metrics"]
    record["componentIndicators"]["MDSH_SoHoaHoSo"]["metrics"] = [
        m for m in mdsh if m["code"] != "ELECTRONIC_CERTIFIED_COPY"
    ]
    result = recompute(record, V2025)
    row = next(r for r in result.indicators if r.indicator_code == "ELECTRONIC_CERTIFIED_COPY")
    assert row.official_points is None and row.recomputed_points == D("0.00")
    assert "absent from the portal record" in row.note


def test_unknown_metric_code_is_kept_and_warned() -> None:
    record = sample_record()
    record["componentIndicators"]["MDSH_SoHoaHoSo"]["metrics"].append(
        metric("AI_ASSISTED_DOSSIER", 10, 20, 50.0, 1.0, 2)
    )
    with pytest.warns(UnknownIndicatorWarning, match=r"AI_ASSISTED_DOSSIER.*H41\.123.*766-2025"):
        unit = parse_unit(record, V2025)
    row = next(row for row in unit.rows if row.indicator_code == "AI_ASSISTED_DOSSIER")
    assert row.known_indicator is False
    assert (row.group_code, row.numerator, row.official_points) == ("MDSH", D(10), D("1.0"))
    assert "AI_ASSISTED_DOSSIER" not in unit.counters  # kept as a row, not fed to the engine
    assert len(unit.rows) == 20

    with pytest.warns(UnknownIndicatorWarning):
        result = recompute(record, V2025)
    unknown = next(r for r in result.indicators if r.indicator_code == "AI_ASSISTED_DOSSIER")
    assert unknown.recomputed_points is None and unknown.difference is None


def test_unknown_section_is_kept_and_warned() -> None:
    record = sample_record()
    record["componentIndicators"]["XYZ_ChiSoMoi"] = {"score": 1.5, "maxScore": 3, "ratio": 50.0}
    with pytest.warns(UnknownIndicatorWarning, match="XYZ"):
        unit = parse_unit(record, V2025)
    row = next(row for row in unit.rows if row.group_code == "XYZ")
    assert row.known_indicator is False and row.official_points == D("1.5")


def test_missing_section_warns() -> None:
    record = sample_record()
    del record["componentIndicators"]["ONLINE_DichVuTrucTuyen"]
    with pytest.warns(PortalSchemaWarning, match="ONLINE_DichVuTrucTuyen"):
        unit = parse_unit(record, V2025)
    assert "ONLINE" not in {row.indicator_code for row in unit.rows}


def test_missing_department_code_is_malformed() -> None:
    record = sample_record()
    del record["departmentCode"]
    with pytest.raises(MalformedRecordError, match="departmentCode") as excinfo:
        parse_unit(record, V2025)
    # the message still names the unit, by its id when the code is missing
    assert excinfo.value.unit == "019d2be3-6a88"
    assert excinfo.value.field == "departmentCode"


@pytest.mark.parametrize("bad", ["5,40", "N/A", True, [5.4]])
def test_non_numeric_metric_score_is_malformed(bad: Any) -> None:
    record = sample_record()
    record["componentIndicators"]["CKMB_CongKhaiMinhBach"]["metrics"][1]["score"] = bad
    with pytest.raises(MalformedRecordError) as excinfo:
        parse_unit(record, V2025)
    assert excinfo.value.unit == "H41.123"
    assert excinfo.value.field == "componentIndicators.CKMB_CongKhaiMinhBach.metrics[1].score"
    assert "H41.123" in str(excinfo.value) and "metrics[1].score" in str(excinfo.value)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("totalScore",), "83,75", "totalScore"),
        (("groupScores", "TDGQ"), "19.6", "groupScores.TDGQ"),
        (("componentIndicators", "TDGQ_TienDoGiaiQuyet", "totalReceived"), -5, "totalReceived"),
        (("childGroup",), "DISTRICT", "childGroup"),
        (("componentIndicators",), None, "componentIndicators"),
    ],
)
def test_other_malformed_fields(path: tuple[str, ...], value: Any, field: str) -> None:
    record = sample_record()
    target = record
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(MalformedRecordError, match=field):
        parse_unit(record, V2025)


def test_commune_record() -> None:
    unit = parse_quietly(sample_record("H41.456", "COMMUNE"))
    assert unit.unit_kind is UnitKind.COMMUNE
    assert unit.rows[0].child_group == "COMMUNE"


def test_parse_evaluation_from_json_text() -> None:
    payload = json.dumps({"data": [sample_record(), sample_record("H41.456", "COMMUNE")]})
    evaluation = parse_evaluation(payload, V2025)
    assert [u.unit_code for u in evaluation.units] == ["H41.123", "H41.456"]
    assert len(evaluation.rows) == 38
    # parsed from text with Decimal: 2.63 stays exactly 2.63
    sync = next(r for r in evaluation.rows if r.indicator_code == "DOSSIER_SYNC")
    assert sync.official_points == D("2.63")


def test_parse_evaluation_quarantines_malformed_records() -> None:
    bad = copy.deepcopy(sample_record("H41.999"))
    bad["totalScore"] = "n/a"
    records = [sample_record(), bad]
    with pytest.raises(MalformedRecordError, match=r"H41\.999"):
        parse_evaluation(records, V2025)
    evaluation = parse_evaluation(records, V2025, quarantine=True)
    assert [u.unit_code for u in evaluation.units] == ["H41.123"]
    assert len(evaluation.rejected) == 1
    assert (evaluation.rejected[0].index, evaluation.rejected[0].unit) == (1, "H41.999")
    assert evaluation.rejected[0].error.field == "totalScore"


@pytest.mark.parametrize("payload", ["not json", "{}", '{"data": {"a": 1}}', "42"])
def test_unreadable_payload(payload: str) -> None:
    with pytest.raises(PortalFormatError):
        parse_evaluation(payload, V2025)
