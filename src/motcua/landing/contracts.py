"""Field-level checks of the feed contract (docs/feed_contract.md), applied before landing.

Staging casts payload fields (``::timestamptz``, ``::smallint`` ...). One record whose
timestamp does not parse would fail that cast and stop the whole pipeline, so such records
are caught here and quarantined with a reason naming the field. Unknown fields are not an
error: they are reported as schema drift in the batch ledger and kept in the payload.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime


def _timestamp(value: object) -> str | None:
    if not isinstance(value, str):
        return f"expected an ISO timestamp string, got {type(value).__name__}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return f"not an ISO timestamp: {value[:40]!r}"
    if parsed.tzinfo is None:
        return f"timestamp without UTC offset: {value[:40]!r}"
    return None


def _integer(low: int, high: int) -> Callable[[object], str | None]:
    def check(value: object) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected an integer, got {value!r:.40}"
        if not low <= value <= high:
            return f"{value} is outside {low}..{high}"
        return None

    return check


def _number(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"expected a number, got {value!r:.40}"
    if value < 0:
        return f"negative value {value}"
    return None


def _boolean(value: object) -> str | None:
    return None if isinstance(value, bool) else f"expected true/false, got {value!r:.40}"


def _text(value: object) -> str | None:
    return None if isinstance(value, str) and value.strip() else f"expected a non-empty string, got {value!r:.40}"


def _array(value: object) -> str | None:
    return None if isinstance(value, list) else f"expected a list, got {type(value).__name__}"


def _one_of(*allowed: str) -> Callable[[object], str | None]:
    def check(value: object) -> str | None:
        return None if value in allowed else f"expected one of {', '.join(allowed)}, got {value!r:.40}"

    return check


def _date(value: object) -> str | None:
    if not isinstance(value, str):
        return f"expected an ISO date string, got {type(value).__name__}"
    try:
        date.fromisoformat(value)
    except ValueError:
        return f"not an ISO date: {value[:40]!r}"
    return None


def _object(value: object) -> str | None:
    return None if isinstance(value, dict) else f"expected an object, got {type(value).__name__}"


@dataclass(frozen=True)
class FieldRule:
    check: Callable[[object], str | None]
    required: bool = False  # required: present and not null
    aliases: tuple[str, ...] = ()  # names the field had in older or drifted feeds


DOSSIER_FIELDS: dict[str, FieldRule] = {
    "dossier_code": FieldRule(_text, required=True),
    "version": FieldRule(_integer(1, 10**9), required=True),
    "updated_at": FieldRule(_timestamp, required=True),
    "unit_code": FieldRule(_text, required=True),
    "unit_level": FieldRule(_text),
    "procedure_code": FieldRule(_text, required=True),
    "procedure_name": FieldRule(_text),
    "field_code": FieldRule(_text),
    "field_name": FieldRule(_text),
    "channel": FieldRule(_integer(1, 3), aliases=("kenh_nop",)),
    "status": FieldRule(_integer(1, 10), required=True),
    "received_at": FieldRule(_timestamp, required=True),
    "appointment_due_at": FieldRule(_timestamp),
    "statutory_working_days": FieldRule(_number),
    "completed_at": FieldRule(_timestamp),
    "returned_at": FieldRule(_timestamp),
    "status_history": FieldRule(_array),
    "supplement_requests": FieldRule(_array),
    "is_digitised": FieldRule(_boolean),
    "has_electronic_result": FieldRule(_boolean),
    "fee_amount": FieldRule(_number),
    "paid_online": FieldRule(_boolean),
    "apology_letter_issued_at": FieldRule(_timestamp),
    "applicant": FieldRule(_object),
}


PROCEDURE_FIELDS: dict[str, FieldRule] = {
    "procedure_code": FieldRule(_text, required=True),
    "authority_level": FieldRule(_one_of("province", "district", "commune"), required=True),
    "version": FieldRule(_integer(1, 10**9), required=True),
    "updated_at": FieldRule(_timestamp, required=True),
    "name_vi": FieldRule(_text, required=True),
    "field_code": FieldRule(_text),
    "field_name": FieldRule(_text),
    "online_level_legacy": FieldRule(_integer(1, 4)),
    "online_service_type": FieldRule(_one_of("full", "partial", "none")),
    "statutory_working_days": FieldRule(_number),
    "fee_amount": FieldRule(_number),
    "valid_from": FieldRule(_date, required=True),
    "valid_to": FieldRule(_date),
}

RATING_FIELDS: dict[str, FieldRule] = {
    "rating_id": FieldRule(_text, required=True),
    "version": FieldRule(_integer(1, 10**9), required=True),
    "updated_at": FieldRule(_timestamp, required=True),
    "rated_at": FieldRule(_timestamp, required=True),
    "dossier_code": FieldRule(_text, required=True),
    "unit_code": FieldRule(_text, required=True),
    "procedure_code": FieldRule(_text),
    "channel": FieldRule(_one_of("kiosk", "portal", "sms")),
    "score": FieldRule(_integer(1, 5)),
    "satisfaction": FieldRule(_one_of("satisfied", "normal", "unsatisfied"), required=True),
    "comment": FieldRule(_text),
}

DOCUMENT_FIELDS: dict[str, FieldRule] = {
    "document_id": FieldRule(_text, required=True),
    "version": FieldRule(_integer(1, 10**9), required=True),
    "updated_at": FieldRule(_timestamp, required=True),
    "unit_code": FieldRule(_text, required=True),
    "direction": FieldRule(_one_of("incoming", "outgoing"), required=True),
    "document_number": FieldRule(_text),
    "document_type": FieldRule(_text),
    "summary": FieldRule(_text),
    "counterpart": FieldRule(_text),
    "issued_on": FieldRule(_date),
    "received_at": FieldRule(_timestamp, required=True),
    "deadline_at": FieldRule(_timestamp),
    "completed_at": FieldRule(_timestamp),
    "status": FieldRule(_one_of("received", "processing", "completed", "issued")),
    "is_digitally_signed": FieldRule(_boolean),
}


@dataclass(frozen=True)
class Contract:
    fields: dict[str, FieldRule]

    @property
    def known_names(self) -> frozenset[str]:
        names = set(self.fields)
        for rule in self.fields.values():
            names.update(rule.aliases)
        return frozenset(names)

    def problems(self, payload: dict) -> list[str]:
        """Reasons the record breaks the contract (empty when it conforms)."""
        found = []
        for name, rule in self.fields.items():
            present = [n for n in (name, *rule.aliases) if payload.get(n) is not None]
            if not present:
                if rule.required:
                    found.append(f"{name}: missing")
                continue
            reason = rule.check(payload[present[0]])
            if reason:
                found.append(f"{present[0]}: {reason}")
        return found

    def unknown_fields(self, payload: dict) -> set[str]:
        return set(payload) - self.known_names


DOSSIER_CONTRACT = Contract(DOSSIER_FIELDS)
#: Spreadsheet rows carry the number of supplement requests, not their times, and no history.
SPREADSHEET_DOSSIER_CONTRACT = Contract(
    {
        **{k: v for k, v in DOSSIER_FIELDS.items() if k not in ("status_history", "supplement_requests")},
        "supplement_request_count": FieldRule(_integer(0, 1000)),
    }
)
PROCEDURE_CONTRACT = Contract(PROCEDURE_FIELDS)
RATING_CONTRACT = Contract(RATING_FIELDS)
DOCUMENT_CONTRACT = Contract(DOCUMENT_FIELDS)


class PortalRecordContract:
    """A portal evaluation record must parse (departmentCode, numeric scores); see
    :mod:`motcua.scoring.portal`. Unknown indicator codes are kept, not errors."""

    def problems(self, payload: dict) -> list[str]:
        import warnings

        from motcua.scoring.indicators import NoMethodologyForDateError, indicators_for
        from motcua.scoring.portal import PortalFormatError, parse_unit

        try:
            indicators = indicators_for(period_first_day(str(payload.get("_period", ""))))
        except (ValueError, NoMethodologyForDateError) as err:
            return [f"_period: {err}"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unknown codes are reported when scoring
            try:
                parse_unit(payload, indicators)
            except PortalFormatError as err:
                return [str(err)]
        return []

    def unknown_fields(self, payload: dict) -> set[str]:
        return set()


def period_first_day(period: str) -> date:
    """First day of a portal period: ``2025``, ``2025-Q3`` or ``2025-07``."""
    parts = period.split("-")
    if len(parts) == 1 and parts[0].isdigit():
        return date(int(parts[0]), 1, 1)
    if len(parts) == 2 and parts[1].upper().startswith("Q") and parts[1][1:] in ("1", "2", "3", "4"):
        return date(int(parts[0]), 3 * int(parts[1][1:]) - 2, 1)
    if len(parts) == 2 and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        return date(int(parts[0]), int(parts[1]), 1)
    raise ValueError(f"not a period (YYYY, YYYY-Qn or YYYY-MM): {period!r}")
