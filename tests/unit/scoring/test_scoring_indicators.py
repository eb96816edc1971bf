"""Tests of the versioned Decision 766 indicator table (bảng chỉ số 766 theo phiên bản)."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from motcua.scoring.indicators import (
    DEFAULT_INDICATOR_CSV,
    Formula,
    IndicatorTableError,
    NoMethodologyForDateError,
    Scope,
    UnknownMethodologyVersionError,
    indicator_version,
    indicators_for,
    load_indicator_table,
)

HEADER = (
    "methodology_version,indicator_code,group_code,indicator_name_vi,indicator_name_en,"
    "max_points,scope,formula,target_rate,valid_from,valid_to\n"
)


def write_csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "indicators.csv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_seed_csv_is_the_default_path() -> None:
    assert DEFAULT_INDICATOR_CSV.name == "decision_766_indicators.csv"
    assert DEFAULT_INDICATOR_CSV.parent.parts[-3:] == ("dbt_project", "seeds", "scoring")
    assert DEFAULT_INDICATOR_CSV.is_file()


def test_766_2025_group_maxima_and_total() -> None:
    current = indicator_version("766-2025")
    assert {g: current.group_max(g) for g in current.group_codes} == {
        "CKMB": Decimal(18),
        "TDGQ": Decimal(20),
        "ONLINE": Decimal(12),
        "TTTT": Decimal(10),
        "MDSH": Decimal(22),
        "MDHL": Decimal(18),
    }
    assert current.max_total == Decimal(100)
    assert len(current) == 19


def test_766_2025_formulas_targets_and_scopes() -> None:
    current = indicator_version("766-2025")
    reused = current.get("REUSED_DIGITIZED_DATA")
    satisfaction = current.get("DOSSIER_RECEIVING_SATISFACTION")
    assert reused is not None and reused.formula is Formula.CAPPED_TARGET
    assert reused.target_rate == Decimal("0.80")
    assert satisfaction is not None and satisfaction.target_rate == Decimal("0.90")
    assert current.get("PETITION_PROCESSING_ON_TIME").formula is Formula.ZERO_DENOMINATOR_FULL
    assert current.get("PETITION_CLASSIFICATION_STAFF").max_points == 0
    assert current.get("ONLINE").formula is Formula.COMPOSITE
    assert current.get("TTTT").formula is Formula.COMPOSITE
    assert not any(ind.formula is Formula.PORTAL_ONLY for ind in current)
    # No indicator of the seed is known to exclude communes; the mechanism is tested in the engine.
    assert all(ind.scope is Scope.ALL for ind in current)
    assert all(ind.target_rate is None for ind in current if ind.formula is not Formula.CAPPED_TARGET)


def test_mdsh_split_is_flagged_as_motcua_assumption() -> None:
    current = indicator_version("766-2025")
    split = [
        "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
        "CITIZEN_DATA_CONNECTED_DOSSIER",
        "CITIZEN_DATA_CONNECTED_FORMALITY",
        "ELECTRONIC_CERTIFIED_COPY",
    ]
    assert sum(current.get(code).max_points for code in split) == Decimal(10)
    for code in split:
        indicator = current.get(code)
        assert "Motcua assumption" in indicator.name_en
        assert "giả định của Motcua" in indicator.name_vi


def test_version_selection_by_date_including_boundaries() -> None:
    assert indicators_for(date(2022, 8, 1)).methodology_version == "766-2022"
    assert indicators_for(date(2024, 12, 31)).methodology_version == "766-2022"
    assert indicators_for(date(2025, 1, 1)).methodology_version == "766-2025"
    assert indicators_for(date(2030, 6, 30)).methodology_version == "766-2025"


def test_766_2022_lacks_the_population_data_metrics() -> None:
    old = indicators_for(date(2023, 6, 30))
    assert "CITIZEN_DATA_CONNECTED_DOSSIER" not in old
    assert "CITIZEN_DATA_CONNECTED_FORMALITY" not in old
    assert "REUSED_DIGITIZED_DATA" in old
    # 6 + 4 + 2 + 4 + 2: the two dropped metrics are not redistributed.
    assert old.group_max("MDSH") == Decimal(18)


def test_date_before_first_version_is_a_clear_error() -> None:
    with pytest.raises(NoMethodologyForDateError, match=r"2022-07-31.*766-2022 \(2022-08-01\.\.2024-12-31\)"):
        indicators_for(date(2022, 7, 31))


def test_unknown_version_is_a_clear_error() -> None:
    with pytest.raises(UnknownMethodologyVersionError, match=r"766-1999.*766-2022, 766-2025"):
        indicator_version("766-1999")


def test_date_in_a_gap_between_versions_is_an_error(tmp_path: Path) -> None:
    table = load_indicator_table(
        write_csv(
            tmp_path,
            "V1,TDGQ,TDGQ,Tiến độ,Progress,20,all,proportional,,2022-01-01,2022-12-31",
            "V2,TDGQ,TDGQ,Tiến độ,Progress,20,all,proportional,,2023-02-01,",
        )
    )
    assert indicators_for(date(2022, 12, 31), table).methodology_version == "V1"
    assert indicators_for(date(2023, 2, 1), table).methodology_version == "V2"
    with pytest.raises(NoMethodologyForDateError, match="2023-01-15"):
        indicators_for(date(2023, 1, 15), table)


def test_overlapping_versions_are_rejected(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "V1,TDGQ,TDGQ,Tiến độ,Progress,20,all,proportional,,2022-01-01,",
        "V2,TDGQ,TDGQ,Tiến độ,Progress,20,all,proportional,,2023-01-01,",
    )
    with pytest.raises(IndicatorTableError, match="V1 and V2 overlap"):
        load_indicator_table(path)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("V1,X,G,x,x,2,all,linear,,2022-01-01,", "formula 'linear'"),
        ("V1,X,G,x,x,2,everyone,proportional,,2022-01-01,", "scope 'everyone'"),
        ("V1,X,G,x,x,2,all,proportional,0.8,2022-01-01,", "target_rate must be blank"),
        ("V1,X,G,x,x,2,all,capped_target,,2022-01-01,", "needs a target_rate"),
        ("V1,X,G,x,x,2,all,informational,,2022-01-01,", "max_points 0"),
        ("V1,X,G,x,x,two,all,proportional,,2022-01-01,", "max_points 'two'"),
        ("V1,X,G,x,x,2,all,proportional,,01/01/2022,", "YYYY-MM-DD"),
        ("V1,X,G,x,x,2,all,proportional,,2022-01-01,2021-01-01", "before valid_from"),
    ],
)
def test_malformed_rows_name_the_line(tmp_path: Path, row: str, message: str) -> None:
    with pytest.raises(IndicatorTableError, match="line 2") as excinfo:
        load_indicator_table(write_csv(tmp_path, row))
    assert message in str(excinfo.value)


def test_a_version_must_have_one_validity_window(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "V1,A,G,x,x,2,all,proportional,,2022-01-01,",
        "V1,B,G,x,x,2,all,proportional,,2022-06-01,",
    )
    with pytest.raises(IndicatorTableError, match="one validity window"):
        load_indicator_table(path)


def test_indicators_are_frozen() -> None:
    indicator = indicator_version("766-2025").get("TDGQ")
    with pytest.raises(dataclasses.FrozenInstanceError):
        indicator.max_points = Decimal(30)  # type: ignore[misc]


# --- composite indicators and their terms (decision_766_indicator_terms.csv) ------------------


def test_online_and_tttt_terms_add_up_to_their_maxima() -> None:
    current = indicator_version("766-2025")
    online, tttt = current.get("ONLINE"), current.get("TTTT")
    assert [(t.code, t.max_points, t.target_rate) for t in online.terms] == [
        ("ONLINE_PROVISION", Decimal(2), Decimal("0.80")),
        ("ONLINE_DOSSIER", Decimal(4), None),
        ("ONLINE_CHANNEL", Decimal(6), Decimal("0.50")),
    ]
    assert online.terms[0].numerator_counters == ("partialCount", "fullCount")
    assert [(t.code, t.max_points, t.target_rate) for t in tttt.terms] == [
        ("TTTT_DOSSIER_PAYMENT", Decimal(6), None),
        ("TTTT_FORMALITY_PAYMENT", Decimal(2), Decimal("0.80")),
        ("TTTT_FEE_FORMALITY", Decimal(2), Decimal("0.80")),
    ]
    assert tttt.counter_names == (
        "totalDossierOnlinePaymentSuccess",
        "totalDossierFinancialObligation",
        "totalDossierOnlineFormalityPaymentSuccess",
        "totalFeeDossierFormalityDistinct",
        "totalFeeDossierFormality",
        "totalFeeFormality",
    )
    assert all(not ind.terms for ind in current if ind.formula is not Formula.COMPOSITE)


def write_terms(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "terms.csv"
    header = (
        "methodology_version,indicator_code,term_code,term_name_vi,term_name_en,max_points,"
        "numerator_counters,denominator_counter,target_rate"
    )
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


COMPOSITE_ROW = "V1,PAY,PAY,Thanh toán,Payment,10,all,composite,,2022-01-01,"


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ((), "lists no term"),
        (("V1,PAY,A,a,a,6,x,y,", "V1,PAY,B,b,b,2,x,z,0.8"), "add up to 8"),
        (("V1,PAY,A,a,a,10,x + w,y,1.5",), "target_rate 1.5"),
        (("V1,PAY,A,a,a,10,x-y,y,",), "'x-y' is not a counter name"),
        (("V1,PAY,A,a,a,5,x,y,", "V1,PAY,A,a,a,5,x,y,"), "appears twice"),
        (("V1,PAY,A,a,a,10,x,y,", "V1,OTHER,B,b,b,1,x,y,"), "V1/OTHER"),
    ],
)
def test_malformed_terms_are_rejected(tmp_path: Path, terms: tuple[str, ...], message: str) -> None:
    table_path = write_csv(tmp_path, COMPOSITE_ROW)
    with pytest.raises(IndicatorTableError, match=re.escape(message)):
        load_indicator_table(table_path, write_terms(tmp_path, *terms))


def test_terms_of_a_non_composite_indicator_are_rejected(tmp_path: Path) -> None:
    table_path = write_csv(tmp_path, "V1,PAY,PAY,Thanh toán,Payment,10,all,proportional,,2022-01-01,")
    with pytest.raises(IndicatorTableError, match="not composite"):
        load_indicator_table(table_path, write_terms(tmp_path, "V1,PAY,A,a,a,10,x,y,"))


def test_composite_terms_read_from_a_given_file(tmp_path: Path) -> None:
    table = load_indicator_table(write_csv(tmp_path, COMPOSITE_ROW), write_terms(tmp_path, "V1,PAY,A,a,a,10,x + w,y,"))
    (indicator,) = table.version("V1").indicators
    assert indicator.terms[0].numerator_counters == ("x", "w")
    assert indicator.counter_names == ("x", "w", "y")
