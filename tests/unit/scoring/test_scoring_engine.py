"""Tests of the Decision 766 scoring engine.

Every expected value is worked out by hand in the comment next to it; none is produced by the
engine under test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from motcua.scoring.engine import Counters, ScoringInputError, round_points, score_indicator, score_unit
from motcua.scoring.indicators import (
    Formula,
    Indicator,
    IndicatorSet,
    Scope,
    UnitKind,
    indicator_version,
)

D = Decimal
V2025 = indicator_version("766-2025")


def points(code: str, counters: Counters | None, kind: str = "agency") -> Decimal:
    return score_indicator(V2025.get(code), counters, kind).points


# --- CKMB: công khai, minh bạch (publicity and transparency) ---------------------------------


def test_publish_on_time_proportional() -> None:
    # 6 x 45/50 = 6 x 0.90 = 5.40
    assert points("PUBLISH_ON_TIME", Counters(45, 50)) == D("5.40")


def test_public_update_on_time_proportional() -> None:
    # 4 x 30/40 = 4 x 0.75 = 3.00
    assert points("PUBLIC_UPDATE_ON_TIME", Counters(30, 40)) == D("3.00")


def test_public_content_full_proportional() -> None:
    # 2 x 19/20 = 2 x 0.95 = 1.90
    assert points("PUBLIC_CONTENT_FULL", Counters(19, 20)) == D("1.90")


def test_dossier_sync_rounds_half_up() -> None:
    # 6 x 350/800 = 6 x 0.4375 = 2.625 -> 2.63 half up (half-even would give 2.62)
    assert points("DOSSIER_SYNC", Counters(350, 800)) == D("2.63")


def test_proportional_zero_denominator_scores_zero_with_note() -> None:
    scored = score_indicator(V2025.get("DOSSIER_SYNC"), Counters(0, 0), "agency")
    assert scored.points == D("0.00")
    assert scored.rate is None
    assert "denominator 0: 0 points" in scored.note


def test_rate_above_one_is_capped() -> None:
    # 55/50 = 1.10 -> capped at 1 -> 6 x 1 = 6.00
    scored = score_indicator(V2025.get("PUBLISH_ON_TIME"), Counters(55, 50), "agency")
    assert scored.points == D("6.00")
    assert scored.rate == D(1)
    assert "capped at 1" in scored.note


# --- TDGQ: tiến độ giải quyết (processing progress) ------------------------------------------


def test_tdgq_proportional() -> None:
    # 20 x 1176/1200 = 20 x 0.98 = 19.60
    assert points("TDGQ", Counters(1176, 1200)) == D("19.60")


def test_tdgq_repeating_fraction_rounds_to_two_decimals() -> None:
    # 20 x 2/3 = 13.333... -> 13.33
    assert points("TDGQ", Counters(2, 3)) == D("13.33")


# --- MDSH: số hóa hồ sơ (digitisation) -------------------------------------------------------


def test_original_result_available() -> None:
    # 6 x 1104/1200 = 6 x 0.92 = 5.52
    assert points("ORIGINAL_RESULT_AVAILABLE", Counters(1104, 1200)) == D("5.52")


def test_so_hoa_giay_to_giai_quyet() -> None:
    # 4 x 1020/1200 = 4 x 0.85 = 3.40
    assert points("SO_HOA_GIAY_TO_GIAI_QUYET", Counters(1020, 1200)) == D("3.40")


def test_mdsh_metric_capped_at_its_maximum() -> None:
    # 2 x min(1, 25/20) = 2 x 1 = 2.00
    assert points("ELECTRONIC_CERTIFIED_COPY", Counters(25, 20)) == D("2.00")


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (540, 1200, D("1.13")),  # 0.45 -> 2 x 0.45 / 0.80 = 1.125 -> 1.13
        (480, 1000, D("1.20")),  # 0.48 -> 2 x 0.48 / 0.80 = 1.20
    ],
)
def test_reused_digitized_data_below_target(numerator: int, denominator: int, expected: Decimal) -> None:
    assert points("REUSED_DIGITIZED_DATA", Counters(numerator, denominator)) == expected


@pytest.mark.parametrize("numerator", [80, 96, 100])
def test_reused_digitized_data_full_points_from_80_percent(numerator: int) -> None:
    # 80/100 -> 2 x 0.80/0.80 = 2; 96/100 -> 2 x 1.2 = 2.4 -> min(2, 2.4) = 2.00; 100/100 -> 2.00
    assert points("REUSED_DIGITIZED_DATA", Counters(numerator, 100)) == D("2.00")


def test_stated_ratio_fallback_with_null_counters() -> None:
    # numerator/denominator null, stated ratio 0.375 -> 4 x 0.375 = 1.50
    scored = score_indicator(
        V2025.get("SYNCED_WITH_DVCQG_PERSONAL_STORAGE"), Counters(None, None, D("0.375")), "agency"
    )
    assert scored.points == D("1.50")
    assert scored.rate == D("0.375")
    assert "stated ratio" in scored.note


def test_stated_ratio_fallback_goes_through_the_cap() -> None:
    # REUSED_DIGITIZED_DATA from a stated ratio 0.60: 2 x 0.60 / 0.80 = 1.50
    assert points("REUSED_DIGITIZED_DATA", Counters(stated_ratio=D("0.60"))) == D("1.50")
    # CITIZEN_DATA_CONNECTED_FORMALITY stated 1.05: capped at 1 -> 2 x 1 = 2.00
    assert points("CITIZEN_DATA_CONNECTED_FORMALITY", Counters(stated_ratio=D("1.05"))) == D("2.00")


def test_counters_win_over_stated_ratio() -> None:
    # counts 600/1200 = 0.5 -> 2 x 0.5 = 1.00, the stated 0.9 is ignored
    assert points("CITIZEN_DATA_CONNECTED_DOSSIER", Counters(600, 1200, D("0.9"))) == D("1.00")


def test_no_data_scores_zero_with_note() -> None:
    scored = score_indicator(V2025.get("ORIGINAL_RESULT_AVAILABLE"), None, "agency")
    assert scored.points == D("0.00")
    assert scored.note == "no data: 0 points"


# --- MDHL: mức độ hài lòng (satisfaction) ----------------------------------------------------


def test_dossier_receiving_satisfaction_below_target() -> None:
    # 850/1000 = 0.85 -> 6 x 0.85 / 0.90 = 5.666... -> 5.67
    assert points("DOSSIER_RECEIVING_SATISFACTION", Counters(850, 1000)) == D("5.67")


@pytest.mark.parametrize(("numerator", "denominator"), [(90, 100), (95, 100), (100, 100)])
def test_dossier_receiving_satisfaction_full_points_from_90_percent(numerator: int, denominator: int) -> None:
    # 0.90 -> 6 x 1 = 6; 0.95 -> 6 x 1.0556 = 6.33 -> min(6, 6.33) = 6.00; 1.00 -> 6.00
    assert points("DOSSIER_RECEIVING_SATISFACTION", Counters(numerator, denominator)) == D("6.00")


def test_dossier_receiving_satisfaction_zero_denominator_scores_zero() -> None:
    # capped_target is not a zero_denominator_full formula: no ratings -> 0 points
    assert points("DOSSIER_RECEIVING_SATISFACTION", Counters(0, 0)) == D("0.00")


@pytest.mark.parametrize("code", ["PETITION_PROCESSING_ON_TIME", "PETITION_HANDLING_SATISFACTION"])
def test_petition_zero_denominator_full_points(code: str) -> None:
    scored = score_indicator(V2025.get(code), Counters(0, 0), "agency")
    assert scored.points == D("6.00")
    assert "full points" in scored.note


@pytest.mark.parametrize("code", ["PETITION_PROCESSING_ON_TIME", "PETITION_HANDLING_SATISFACTION"])
def test_petition_proportional_otherwise(code: str) -> None:
    # 6 x 7/8 = 6 x 0.875 = 5.25
    assert points(code, Counters(7, 8)) == D("5.25")


@pytest.mark.parametrize("code", ["PETITION_CLASSIFICATION_TTHC", "PETITION_CLASSIFICATION_STAFF"])
def test_classification_metrics_are_informational(code: str) -> None:
    scored = score_indicator(V2025.get(code), Counters(3, 10), "agency")
    assert scored.points == D("0.00")
    assert scored.max_points == D(0)
    assert scored.rate == D("0.3")  # still reported, never scored
    assert "informational" in scored.note


# --- ONLINE / TTTT: composite indicators scored from the portal's named counters ------------


def online_parts(**override: object) -> dict[str, object]:
    parts: dict[str, object] = {
        "partialCount": 30,
        "fullCount": 50,
        "authorityCount": 120,
        "onlineDossierCount": 700,
        "onlineServiceTotal": 1000,
        "channelOnlineSum": 450,
        "channelTotalSum": 1200,
    }
    return {**parts, **override}


def tttt_parts(**override: object) -> dict[str, object]:
    parts: dict[str, object] = {
        "totalDossierOnlinePaymentSuccess": 846,
        "totalDossierFinancialObligation": 900,
        "totalDossierOnlineFormalityPaymentSuccess": 9,
        "totalFeeDossierFormalityDistinct": 12,
        "totalFeeDossierFormality": 14,
        "totalFeeFormality": 16,
        "totalFeeDossierFormalityUnused": 99,  # a counter no term reads is ignored
    }
    return {**parts, **override}


def test_online_adds_three_terms_each_rounded() -> None:
    scored = score_indicator(V2025.get("ONLINE"), Counters(parts=online_parts()), "agency")
    # provision: min(2, 2 x (30 + 50)/120 / 0.80) = 1.6667 -> 1.67
    # dossiers:  4 x 700/1000 = 2.80
    # channel:   min(6, 6 x 450/1200 / 0.50) = 6 x 0.375 / 0.5 = 4.50
    assert dict(scored.term_points) == {
        "ONLINE_PROVISION": D("1.67"),
        "ONLINE_DOSSIER": D("2.80"),
        "ONLINE_CHANNEL": D("4.50"),
    }
    assert scored.points == D("8.97")
    assert scored.is_estimate is False and scored.missing_counters == ()


def test_online_caps_at_80_and_50_percent() -> None:
    parts = online_parts(partialCount=40, fullCount=60, authorityCount=110, channelOnlineSum=700, channelTotalSum=1000)
    scored = score_indicator(V2025.get("ONLINE"), Counters(parts=parts), "commune")
    # provision: 100/110 = 0.909 >= 0.80 -> 2.00; channel: 0.70 >= 0.50 -> 6.00; dossiers 2.80
    assert scored.term_points["ONLINE_PROVISION"] == D("2.00")
    assert scored.term_points["ONLINE_CHANNEL"] == D("6.00")
    assert scored.points == D("10.80")


def test_online_zero_denominators_score_zero() -> None:
    parts = online_parts(authorityCount=0, channelTotalSum=0)
    scored = score_indicator(V2025.get("ONLINE"), Counters(parts=parts), "agency")
    # provision 0 (no procedure in competence), channel 0 (no dossier), dossiers 2.80
    assert scored.points == D("2.80")
    assert "authorityCount 0" in scored.note and "channelTotalSum 0" in scored.note


def test_tttt_adds_three_terms_with_the_80_percent_caps() -> None:
    scored = score_indicator(V2025.get("TTTT"), Counters(846, 900, parts=tttt_parts()), "commune")
    # dossiers paid online: 6 x 846/900 = 6 x 0.94 = 5.64
    # procedures paid online: min(2, 2 x 9/12 / 0.80) = 1.875 -> 1.88 (each term rounded half up)
    # procedures with fee dossiers: min(2, 2 x 14/16 / 0.80) = min(2, 2.1875) = 2.00
    assert dict(scored.term_points) == {
        "TTTT_DOSSIER_PAYMENT": D("5.64"),
        "TTTT_FORMALITY_PAYMENT": D("1.88"),
        "TTTT_FEE_FORMALITY": D("2.00"),
    }
    assert scored.points == D("9.52")
    assert scored.rate == D("0.94")  # the headline rate: dossiers paid online


def test_tttt_zero_denominators_score_zero() -> None:
    parts = tttt_parts(totalDossierFinancialObligation=0, totalDossierOnlinePaymentSuccess=0, totalFeeFormality=0)
    scored = score_indicator(V2025.get("TTTT"), Counters(parts=parts), "commune")
    # nothing to pay: 0 (the portal gives no free points here); 1.88 from the second term; 0
    assert scored.points == D("1.88")


def test_a_missing_counter_is_not_recomputed_and_never_scored_as_zero() -> None:
    parts = tttt_parts()
    del parts["totalFeeDossierFormality"]
    parts["totalFeeDossierFormalityDistinct"] = None
    scored = score_indicator(V2025.get("TTTT"), Counters(846, 900, parts=parts), "commune")
    assert scored.points is None and scored.points_exact is None
    assert scored.missing_counters == ("totalFeeDossierFormalityDistinct", "totalFeeDossierFormality")
    assert "not recomputed" in scored.note
    assert scored.rate == D("0.94")  # the headline rate is still known
    counters = {**full_counters(), "TTTT": Counters(846, 900, parts=parts)}
    unit = score_unit(counters, "commune", V2025)
    assert unit.group("TTTT").points is None
    assert unit.group("TTTT").missing_counters == scored.missing_counters
    assert unit.total is None  # a total without TTTT would look exact and be wrong
    assert unit.group("CKMB").points == D("12.58")


def test_published_formulas_are_not_estimates() -> None:
    assert score_indicator(V2025.get("TDGQ"), Counters(1, 2), "agency").is_estimate is False


def test_the_2022_methodology_still_estimates_online_and_tttt() -> None:
    v2022 = indicator_version("766-2022")
    # 12 x 0.775 = 9.30, flagged as Motcua's estimate: the 2022 portal's formula is not known
    scored = score_indicator(v2022.get("ONLINE"), Counters(stated_ratio=D("0.775")), "agency")
    assert scored.points == D("9.30")
    assert scored.is_estimate is True and "estimate" in scored.note


# --- scope: indicators that do not apply to a unit kind --------------------------------------


def _made_up_set(scope: Scope) -> IndicatorSet:
    # A made-up indicator: no real 766 indicator is known to exclude communes.
    made_up = Indicator(
        methodology_version="TEST",
        code="PROVINCE_ONLY_THING",
        group_code="TEST",
        name_vi="Chỉ số thử",
        name_en="Test indicator",
        max_points=D(4),
        scope=scope,
        formula=Formula.PROPORTIONAL,
        target_rate=None,
        valid_from=date(2025, 1, 1),
        valid_to=None,
    )
    return IndicatorSet("TEST", date(2025, 1, 1), None, (made_up,))


def test_commune_gets_full_points_for_agency_only_indicator() -> None:
    made_up_set = _made_up_set(Scope.AGENCY)
    counters = {"PROVINCE_ONLY_THING": Counters(1, 4)}
    commune = score_unit(counters, "COMMUNE", made_up_set)
    agency = score_unit(counters, "AGENCY", made_up_set)
    # commune: does not apply -> 4.00; agency: 4 x 1/4 = 1.00
    assert commune.indicator("PROVINCE_ONLY_THING").points == D("4.00")
    assert "does not apply to commune" in commune.indicator("PROVINCE_ONLY_THING").note
    assert agency.indicator("PROVINCE_ONLY_THING").points == D("1.00")


def test_agency_gets_full_points_for_commune_only_indicator() -> None:
    made_up_set = _made_up_set(Scope.COMMUNE)
    result = score_unit({"PROVINCE_ONLY_THING": Counters(0, 4)}, UnitKind.AGENCY, made_up_set)
    assert result.total == D("4.00")


# --- groups and total ------------------------------------------------------------------------


def full_counters() -> dict[str, Counters]:
    return {
        "PUBLISH_ON_TIME": Counters(45, 50),  # 6 x 0.90 = 5.40
        "PUBLIC_UPDATE_ON_TIME": Counters(529, 800),  # 4 x 0.66125 = 2.645 -> 2.65
        "PUBLIC_CONTENT_FULL": Counters(19, 20),  # 2 x 0.95 = 1.90
        "DOSSIER_SYNC": Counters(350, 800),  # 6 x 0.4375 = 2.625 -> 2.63
        "TDGQ": Counters(1176, 1200),  # 20 x 0.98 = 19.60
        "ONLINE": Counters(parts=online_parts()),  # 1.67 + 2.80 + 4.50 = 8.97
        "TTTT": Counters(846, 900, parts=tttt_parts()),  # 5.64 + 1.88 + 2.00 = 9.52
        "ORIGINAL_RESULT_AVAILABLE": Counters(1104, 1200),  # 6 x 0.92 = 5.52
        "SO_HOA_GIAY_TO_GIAI_QUYET": Counters(1020, 1200),  # 4 x 0.85 = 3.40
        "REUSED_DIGITIZED_DATA": Counters(540, 1200),  # 2 x 0.45/0.80 = 1.125 -> 1.13
        "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": Counters(None, None, D("0.375")),  # 4 x 0.375 = 1.50
        "CITIZEN_DATA_CONNECTED_DOSSIER": Counters(600, 1200),  # 2 x 0.5 = 1.00
        "CITIZEN_DATA_CONNECTED_FORMALITY": Counters(None, None, D("0.80")),  # 2 x 0.80 = 1.60
        "ELECTRONIC_CERTIFIED_COPY": Counters(18, 20),  # 2 x 0.90 = 1.80
        "DOSSIER_RECEIVING_SATISFACTION": Counters(850, 1000),  # 6 x 0.85/0.90 = 5.666 -> 5.67
        "PETITION_PROCESSING_ON_TIME": Counters(0, 0),  # no petitions -> 6.00
        "PETITION_HANDLING_SATISFACTION": Counters(7, 8),  # 6 x 0.875 = 5.25
        "PETITION_CLASSIFICATION_TTHC": Counters(3, None),  # informational -> 0
        "PETITION_CLASSIFICATION_STAFF": Counters(5, None),  # informational -> 0
    }


def test_group_scores_are_sums_of_rounded_metric_points() -> None:
    result = score_unit(full_counters(), "agency", V2025)
    # CKMB: 5.40 + 2.65 + 1.90 + 2.63 = 12.58 (the unrounded sum 5.40 + 2.645 + 1.90 + 2.625
    # = 12.57 would round to 12.57: the published group is the sum of the published metrics)
    assert result.group("CKMB").points == D("12.58")
    assert result.group("CKMB").points_exact == D("12.57")
    assert result.group("TDGQ").points == D("19.60")
    assert result.group("ONLINE").points == D("8.97")
    assert result.group("TTTT").points == D("9.52")
    # MDSH: 5.52 + 3.40 + 1.13 + 1.50 + 1.00 + 1.60 + 1.80 = 15.95
    assert result.group("MDSH").points == D("15.95")
    # MDHL: 5.67 + 6.00 + 5.25 + 0 + 0 = 16.92
    assert result.group("MDHL").points == D("16.92")


def test_total_is_sum_of_group_scores_with_two_decimals() -> None:
    result = score_unit(full_counters(), "agency", V2025)
    # 12.58 + 19.60 + 8.97 + 9.52 + 15.95 + 16.92 = 83.54
    assert result.total == D("83.54")
    assert result.total.as_tuple().exponent == -2
    assert result.max_total == D(100)
    assert result.is_estimate is False  # since 766-2025 every group has a public formula
    assert all(s.methodology_version == "766-2025" for s in result.indicators)


def test_missing_indicators_score_zero_and_keep_the_full_list() -> None:
    result = score_unit({"TDGQ": Counters(1, 2)}, "agency", V2025)
    assert len(result.indicators) == 19
    assert result.total == D("10.00")  # 20 x 0.5


def test_unknown_code_in_counters_is_rejected() -> None:
    with pytest.raises(ScoringInputError, match="NOT_A_766_CODE"):
        score_unit({"NOT_A_766_CODE": Counters(1, 2)}, "agency", V2025)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"numerator": -1, "denominator": 2},
        {"stated_ratio": "abc"},
        {"denominator": True},
        {"numerator": "NaN"},
    ],
)
def test_invalid_counters_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ScoringInputError):
        Counters(**kwargs)  # type: ignore[arg-type]


def test_unknown_unit_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unit kind"):
        score_unit({}, "district", V2025)


def test_round_points_is_half_up() -> None:
    assert round_points(D("2.625")) == D("2.63")
    assert round_points(D("2.615")) == D("2.62")
    assert round_points(D("2.6149")) == D("2.61")
