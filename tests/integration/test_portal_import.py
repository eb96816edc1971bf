"""``motcua portal import``: a saved evaluation lands in the raw layer as a pull would, then scores.

Real responses from tests/corpus/portal/ (Gia Lai, H21, year 2026), a PostgreSQL warehouse.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from motcua.cli.main import main
from motcua.scoring.store import score_portal

CORPUS = Path(__file__).parents[1] / "corpus" / "portal"
EXPORT = CORPUS / "crawler_export_communes.json"


@pytest.fixture(autouse=True)
def _empty_warehouse(reset_warehouse):
    reset_warehouse()
    yield
    reset_warehouse()


def landed(conn) -> dict[str, dict]:
    rows = conn.execute(
        """select payload ->> 'departmentCode', payload from raw.portal_evaluations
           where payload ->> '_province' = 'H21'"""
    ).fetchall()
    return dict(rows)


def test_an_export_lands_once_with_its_province_and_period(wh_conn, capsys) -> None:
    assert main(["portal", "import", str(EXPORT)]) == 0
    assert "4 records of H21 year 2026: 4 landed, 0 already present, 0 quarantined" in capsys.readouterr().out
    records = landed(wh_conn)
    assert set(records) == {"H21.227", "H21.125", "H21.203", "H21.198"}
    assert {(r["_period_type"], r["_period"]) for r in records.values()} == {("year", "2026")}
    # The day the figures stand at is the export's (extractedAt 2026-10-10T07:00:18Z, 14:00 in
    # Vietnam), not the day of the import: the history dates the snapshot by it.
    assert {r["_as_of"] for r in records.values()} == {"2026-10-10"}
    # Importing the same file again lands nothing new.
    assert main(["portal", "import", str(EXPORT)]) == 0
    assert "0 landed, 4 already present" in capsys.readouterr().out
    assert len(wh_conn.execute("select * from raw.portal_evaluations").fetchall()) == 4

    summary = score_portal(wh_conn, "H21", "year", "2026")
    assert summary["units"] == 4 and not summary["rejected"]
    scored = wh_conn.execute(
        """select unit_code, indicator_code, official_points, points, note from scoring.indicator_scores
           where score_source = 'portal' and province_code = 'H21' and indicator_code in ('TDGQ', 'TTTT')"""
    ).fetchall()
    for unit_code, indicator, official, points, note in scored:
        if indicator == "TDGQ":
            assert points == official, unit_code
        else:  # the crawler's export drops two of TTTT's counters
            assert points is None and "totalFeeDossierFormality" in note, unit_code
    assert {row[0] for row in scored} == {"H21.227", "H21.125", "H21.203", "H21.198"}


def test_api_responses_need_the_period_and_land_the_province_node(wh_conn, capsys) -> None:
    assert main(["portal", "import", str(CORPUS)]) == 2
    assert "give --province --period-type --period" in capsys.readouterr().err
    options = ["--province", "H21", "--period-type", "year", "--period", "2026"]
    assert main(["portal", "import", str(CORPUS), *options]) == 0
    records = landed(wh_conn)
    assert len(records) == 11 and records["H21"]["childGroup"] == "PROVINCE"
    assert not any("_as_of" in r for r in records.values())  # the responses do not say their day
    score_portal(wh_conn, "H21", "year", "2026")
    online = dict(
        wh_conn.execute(
            """select unit_code, points from scoring.indicator_scores
               where score_source = 'portal' and indicator_code = 'ONLINE'"""
        ).fetchall()
    )
    assert online.pop("H21") == Decimal("9.14")  # the province's node carries ONLINE's counters
    assert set(online.values()) == {None}


def test_a_record_the_parser_does_not_understand_is_quarantined_with_its_reason(wh_conn, tmp_path, capsys) -> None:
    export = json.loads(EXPORT.read_text(encoding="utf-8"))
    export["communesDetail"][0]["componentIndicators"]["TDGQ_TienDoGiaiQuyet"]["score"] = "19,41"
    bad = tmp_path / "export.json"
    bad.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    assert main(["portal", "import", str(bad)]) == 0
    assert "3 landed, 0 already present, 1 quarantined" in capsys.readouterr().out
    (reason,) = wh_conn.execute("select reason from raw.quarantine where source = 'portal_evaluations'").fetchone()
    assert "H21.227" in reason and "TDGQ_TienDoGiaiQuyet.score" in reason and "not a number" in reason
