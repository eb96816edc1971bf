"""Portal departments to Motcua's unit codes (statistics-office codes), by their Vietnamese names.

The national portal names a commune's people's committee ("UBND xã Vân Canh", "UBND Xã Chư
Sê", "UBND phường Pleiku") and codes it its own way (``H21.227``); the statistics office
(Tổng cục Thống kê) lists the same commune as "Xã Vân Canh" with code ``23455``. Motcua's own
figures are per statistics-office code, so every portal commune needs that code to be
reconciled. This module proposes the mapping from names:

* a name is normalised (:func:`name_key`): "UBND"/"Ủy ban nhân dân" and a trailing "- tỉnh ..."
  dropped, the kind of unit (xã, phường, thị trấn, đặc khu) kept apart from the proper name, the
  proper name compared without case, spacing, or tone-mark placement differences ("Hoà" and
  "Hòa" are the same name) and, failing an exact match, without diacritics;
* a portal commune matches the reference unit of the same kind and name valid on the day; two
  candidates are ambiguous and left to a person;
* an override file (``portal_code,gso_unit_code``; an empty code says "no statistics-office
  unit") wins over any match;
* a province agency (childGroup AGENCY: sở, ban, ngành; its name says no kind of local unit)
  has no statistics-office code by design: it matches the agency of Motcua's unit list with the
  same short name ("Sở Tư pháp"), whose code is its own (``H41.01``); an agency the unit list does
  not have is mapped to none and never reported as unmatched. Before July 2025 the portal also
  grouped the districts' people's committees ("UBND huyện Quế Phong") with the agencies; those
  are matched by name like communes.

What does not match is reported, never guessed.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "NameKey",
    "PortalUnit",
    "ReferenceUnit",
    "UnitMatch",
    "match_units",
    "name_key",
    "read_overrides",
]

# Kinds of local units (communes; before July 2025 also districts, which the portal grouped with
# the agencies), longest first so that "thị trấn" is not read as "thị" + a name.
_KINDS = ("thành phố", "thị trấn", "đặc khu", "thị xã", "phường", "huyện", "quận", "xã")
_PREFIXES = re.compile(r"^\s*(ubnd|uỷ ban nhân dân|ủy ban nhân dân)\s+", re.IGNORECASE)
_PROVINCE_SUFFIX = re.compile(r"\s+-\s+(tỉnh|thành phố)\s+.*$", re.IGNORECASE)
# Old-style tone placement (hoà, thuý, khoẻ) -> new style (hòa, thúy, khỏe), as NFC strings.
_TONE_STYLE = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}  # fmt: skip


@dataclass(frozen=True)
class NameKey:
    """A unit name reduced for comparison: its kind (xã, phường, ...; "" when unsaid) and name."""

    kind: str
    name: str  # lower case, single spaces, new-style tone marks
    plain: str  # the same without diacritics (đ -> d)


@dataclass(frozen=True)
class PortalUnit:
    portal_code: str
    portal_name: str
    child_group: str  # AGENCY, COMMUNE or PROVINCE


@dataclass(frozen=True)
class ReferenceUnit:
    gso_unit_code: str  # the unit's code in Motcua: GSO, or a province agency's own
    full_name: str  # "Xã Vân Tụ", as the statistics office writes it
    name: str = ""  # short name: "Vân Tụ", "Sở Tư pháp" (what the portal calls an agency)


@dataclass(frozen=True)
class UnitMatch:
    portal_code: str
    portal_name: str
    child_group: str
    gso_unit_code: str | None
    # "name", "name without diacritics", "agency name", "override", "agency" (none in the unit
    # list), "province", "unmatched", "ambiguous"
    how: str
    candidates: tuple[str, ...] = ()  # the codes an ambiguous name could be

    @property
    def needs_a_person(self) -> bool:
        return self.how in ("unmatched", "ambiguous")


def _tone_style(text: str) -> str:
    for old, new in _TONE_STYLE.items():
        text = text.replace(old, new)
    return text


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def name_key(name: str) -> NameKey:
    """The comparable form of a unit's name (tên đơn vị chuẩn hoá)."""
    text = unicodedata.normalize("NFC", name).strip().lower()
    text = _PREFIXES.sub("", text)
    text = _PROVINCE_SUFFIX.sub("", text)
    text = " ".join(text.split())
    kind = next((k for k in _KINDS if text == k or text.startswith(k + " ")), "")
    proper = _tone_style(text[len(kind) :].strip())
    return NameKey(kind, proper, _plain(proper))


def read_overrides(path: Path | str) -> dict[str, str | None]:
    """``portal_code -> gso_unit_code`` (None: no statistics-office unit) from a CSV file."""
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"portal_code", "gso_unit_code"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: the override file needs the columns {', '.join(sorted(missing))}")
        return {row["portal_code"].strip(): (row["gso_unit_code"] or "").strip() or None for row in reader}


def match_units(
    portal_units: Iterable[PortalUnit],
    reference_units: Iterable[ReferenceUnit],
    overrides: Mapping[str, str | None] | None = None,
) -> list[UnitMatch]:
    """One match per portal unit, in the order given (see the module's rules)."""
    overrides = overrides or {}
    by_name: dict[tuple[str, str], list[str]] = {}
    by_plain: dict[tuple[str, str], list[str]] = {}
    agencies: dict[str, set[str]] = {}
    for unit in reference_units:
        key = name_key(unit.full_name)
        by_name.setdefault((key.kind, key.name), []).append(unit.gso_unit_code)
        by_plain.setdefault((key.kind, key.plain), []).append(unit.gso_unit_code)
        if not key.kind and unit.name:  # a province agency: the portal uses its short name
            agencies.setdefault(name_key(unit.name).name, set()).add(unit.gso_unit_code)

    matches = []
    for unit in portal_units:
        group = unit.child_group.upper()

        def found(code: str | None, how: str, candidates: tuple[str, ...] = (), unit: PortalUnit = unit) -> UnitMatch:
            return UnitMatch(unit.portal_code, unit.portal_name, unit.child_group, code, how, candidates)

        key = name_key(unit.portal_name)
        if unit.portal_code in overrides:
            matches.append(found(overrides[unit.portal_code], "override"))
        elif group == "AGENCY" and not key.kind and len(agencies.get(key.name, ())) == 1:
            matches.append(found(next(iter(agencies[key.name])), "agency name"))
        elif group == "PROVINCE" or (group == "AGENCY" and not key.kind):
            matches.append(found(None, group.lower()))
        else:
            for index, how in ((by_name, "name"), (by_plain, "name without diacritics")):
                codes = sorted(set(index.get((key.kind, key.name if how == "name" else key.plain), ())))
                if len(codes) == 1:
                    matches.append(found(codes[0], how))
                    break
                if len(codes) > 1:
                    matches.append(found(None, "ambiguous", tuple(codes)))
                    break
            else:
                matches.append(found(None, "unmatched"))
    return matches
