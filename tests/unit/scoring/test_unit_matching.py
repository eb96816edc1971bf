"""Portal departments to statistics-office codes by name, checked against the simulator's unit map.

The simulator's ``PORTAL_UNIT_MAP`` (the seed ``portal_unit_map.csv``) is the ground truth: the
matcher sees only names, written the ways the real portal writes them.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from motcua.scoring.unit_matching import PortalUnit, ReferenceUnit, match_units, name_key, read_overrides
from motcua_simulator.portal import PORTAL_UNIT_MAP

SEEDS = Path(__file__).parents[3] / "dbt_project" / "seeds" / "reference"
REFORM = date(2025, 7, 1)


def reference(*files: str) -> list[ReferenceUnit]:
    units = []
    for name in files:
        with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
            units += [ReferenceUnit(row["code"], row["full_name"], row["name"]) for row in csv.DictReader(handle)]
    return units


def as_the_portal_writes(name: str, number: int) -> str:
    """The real portal's variants: "UBND Xã", new-style tone marks, a province suffix, spacing."""
    variants = (
        name,
        name.replace("UBND xã", "UBND Xã").replace("UBND phường", "UBND Phường"),
        name.replace("oà", "òa").replace("uỷ", "ủy") + " - tỉnh Nghệ An",
        "  " + name.replace(" ", "  ") + " ",
        name.replace("UBND ", "Ủy ban nhân dân "),
    )
    return variants[number % len(variants)]


@pytest.mark.parametrize(("after_reform", "files"), [
    (True, ("units__nghe_an_communes_2025.csv", "units__nghe_an_province_agencies.csv")),
    (False, ("units__nghe_an_districts_pre2025.csv",)),
])  # fmt: skip
def test_names_alone_give_the_unit_map(after_reform: bool, files: tuple[str, ...]) -> None:
    rows = [r for r in PORTAL_UNIT_MAP if (r.valid_from == REFORM) == after_reform]
    portal = [
        PortalUnit(r.portal_code, as_the_portal_writes(r.portal_name, n), r.child_group) for n, r in enumerate(rows)
    ]
    matches = match_units(portal, reference(*files))
    assert [m.gso_unit_code for m in matches] == [r.gso_unit_code for r in rows]
    assert not [m for m in matches if m.needs_a_person]
    # The sở, ban, ngành have no statistics-office code: each matches its own agency code by name.
    agencies = [m for m in matches if m.how == "agency name"]
    assert len(agencies) == (8 if after_reform else 0)
    assert all(m.gso_unit_code == m.portal_code for m in agencies)


def test_an_agency_missing_from_the_unit_list_maps_to_none_unreported() -> None:
    portal = [PortalUnit("H41.01", "Sở Tư pháp", "AGENCY"), PortalUnit("H41.77", "Ban Dân tộc", "AGENCY")]
    matches = match_units(portal, reference("units__nghe_an_province_agencies.csv"))
    assert [(m.gso_unit_code, m.how, m.needs_a_person) for m in matches] == [
        ("H41.01", "agency name", False),
        (None, "agency", False),
    ]


def test_real_portal_names_normalise() -> None:
    assert name_key("UBND Xã Chư Sê") == name_key("UBND xã Chư Sê") == name_key("Xã Chư Sê")
    assert name_key("UBND xã Chư Sê").kind == "xã" and name_key("UBND xã Chư Sê").name == "chư sê"
    assert name_key("UBND thị xã Thái Hoà") == name_key("Thị xã Thái Hòa")
    assert name_key("Sở Y tế - tỉnh Gia Lai").kind == "" and name_key("Sở Y tế - tỉnh Gia Lai").name == "sở y tế"
    assert name_key("UBND phường Quy Nhơn Bắc").plain == "quy nhon bac"
    assert name_key("UBND xã Đăk Song").plain == "dak song"


def test_unmatched_ambiguous_and_overrides_are_said_never_guessed(tmp_path: Path) -> None:
    references = [ReferenceUnit("100", "Xã An Hòa"), ReferenceUnit("200", "Xã An Hoà"), ReferenceUnit("300", "Xã Bình")]
    portal = [
        PortalUnit("H99.1", "UBND xã An Hòa", "COMMUNE"),  # two reference units with one name
        PortalUnit("H99.2", "UBND xã Không Có", "COMMUNE"),
        PortalUnit("H99.3", "UBND phường Bình", "COMMUNE"),  # a ward is not the commune Bình
        PortalUnit("H99.4", "UBND xã Binh", "COMMUNE"),  # written without diacritics
        PortalUnit("H99.5", "Trung tâm Phục vụ hành chính công tỉnh", "AGENCY"),
        PortalUnit("H99", "UBND tỉnh Mẫu", "PROVINCE"),
    ]
    matches = {m.portal_code: m for m in match_units(portal, references)}
    assert (matches["H99.1"].how, matches["H99.1"].candidates) == ("ambiguous", ("100", "200"))
    assert (matches["H99.2"].how, matches["H99.3"].how) == ("unmatched", "unmatched")
    assert (matches["H99.4"].gso_unit_code, matches["H99.4"].how) == ("300", "name without diacritics")
    assert (matches["H99.5"].how, matches["H99.5"].gso_unit_code) == ("agency", None)
    assert matches["H99"].how == "province"
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("portal_code,gso_unit_code\nH99.1,200\nH99.2,\n", encoding="utf-8")
    fixed = {m.portal_code: m for m in match_units(portal, references, read_overrides(overrides))}
    assert (fixed["H99.1"].gso_unit_code, fixed["H99.1"].how) == ("200", "override")
    assert (fixed["H99.2"].gso_unit_code, fixed["H99.2"].needs_a_person) == (None, False)


def test_an_override_file_without_its_columns_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "overrides.csv"
    bad.write_text("code,gso\nH99.1,200\n", encoding="utf-8")
    with pytest.raises(ValueError, match="gso_unit_code, portal_code"):
        read_overrides(bad)
