"""Field-level checks of the feed contract (docs/feed_contract.md), applied before landing.

Staging casts payload fields (``::timestamptz``, ``::smallint`` ...). One record whose
timestamp does not parse would fail that cast and stop the whole pipeline, so such records
are caught here and quarantined with a reason naming the field. So are records that parse
but cannot be true (a dossier received in 2031, a result before the dossier was received, a
code that is not a code): published, they would move the official figures. Unknown fields are
not an error: they are reported as schema drift in the batch ledger and kept in the payload.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

#: Mã TTHC in the national database (``1.000656``), optionally with the full identifier's
#: suffix of a local variant (``1.000656.000.00.00.H41``). Anchored: nothing may follow.
PROCEDURE_CODE = re.compile(r"^[12]\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.H\d{2})?$")
#: Mã hồ sơ: ``{agency id}-{yyMMdd}-{NNNN}``, e.g. ``000.00.30.H41-250630-0012``.
DOSSIER_CODE = re.compile(r"^[0-9A-Z.]+-[0-9]{6}-[0-9]{4}$")
#: Unit codes: the statistics office (GSO) code of a territorial unit (province 2 digits, district
#: 3, commune 5) or, for a province agency (cơ quan cấp tỉnh), which has none, its QCVN 102:2016
#: identifier: ``H`` + the province's two digits, then the agency's number (``H41.01``).
UNIT_CODE_PATTERN = r"\d{2,5}|H\d{2}(?:\.\d{1,3})+"
UNIT_CODE = re.compile(rf"^(?:{UNIT_CODE_PATTERN})$")
UNIT_CODE_LABEL = "unit code (GSO, or a province agency's H41.nn)"

#: Events recorded by a source cannot be later than the moment they were extracted; this much
#: clock difference between the source and Motcua is tolerated.
CLOCK_SKEW = timedelta(hours=12)
#: No electronic one-stop record predates this day: earlier dates are placeholders or typos.
EARLIEST_EVENT = datetime(2000, 1, 1, tzinfo=UTC)


def base_procedure_code(code: str) -> str:
    """The national code of a procedure (``1.000656``) without a local variant's suffix."""
    return code[:8]


def _parse_timestamp(value: object) -> tuple[datetime | None, str | None]:
    if not isinstance(value, str):
        return None, f"expected an ISO timestamp string, got {type(value).__name__}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None, f"not an ISO timestamp: {value[:40]!r}"
    if parsed.tzinfo is None:
        return None, f"timestamp without UTC offset: {value[:40]!r}"
    return parsed, None


def _timestamp(value: object) -> str | None:
    """A timestamp that may lie in the future (a due date, a deadline)."""
    return _parse_timestamp(value)[1]


def _event(value: object, *, extracted_at: datetime) -> str | None:
    """A timestamp of something that happened: not in the future, not before electronic records."""
    parsed, problem = _parse_timestamp(value)
    if problem or parsed is None:
        return problem
    if parsed > extracted_at + CLOCK_SKEW:
        return f"{value[:40]} is in the future (extracted at {extracted_at:%Y-%m-%dT%H:%M%z})"
    if parsed < EARLIEST_EVENT:
        return f"{value[:40]} is before {EARLIEST_EVENT:%Y-%m-%d}, earlier than any electronic record"
    return None


def _code(pattern: re.Pattern[str], what: str) -> Callable[[object], str | None]:
    def check(value: object) -> str | None:
        if not isinstance(value, str):
            return f"expected a {what} string, got {type(value).__name__}"
        if not pattern.match(value):
            return f"not a {what}: {value[:60]!r}"
        return None

    return check


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
    event: bool = False  # a timestamp of something that happened: checked with _event


def _event_field(required: bool = False) -> FieldRule:
    return FieldRule(_timestamp, required=required, event=True)


#: A rule over several fields of a record: ``(later, earlier)`` means ``later`` may not come
#: before ``earlier`` when both are present.
Ordering = tuple[str, str]


DOSSIER_FIELDS: dict[str, FieldRule] = {
    "dossier_code": FieldRule(_code(DOSSIER_CODE, "dossier code"), required=True),
    "version": FieldRule(_integer(1, 10**9), required=True),
    "updated_at": _event_field(required=True),
    "unit_code": FieldRule(_code(UNIT_CODE, UNIT_CODE_LABEL), required=True),
    "unit_level": FieldRule(_text),
    # The desk that received it when another unit's (Decree 118/2025); absent: unit_code's own.
    "receiving_unit_code": FieldRule(_code(UNIT_CODE, UNIT_CODE_LABEL)),
    "transferred_at": _event_field(),
    # An abolished unit's open dossier handed over to unit_code, its successor (2025 reform).
    "handed_over_from_unit_code": FieldRule(_code(UNIT_CODE, UNIT_CODE_LABEL)),
    "handed_over_from_unit_level": FieldRule(_text),
    "handed_over_at": _event_field(),
    "procedure_code": FieldRule(_code(PROCEDURE_CODE, "procedure code (mã TTHC)"), required=True),
    "procedure_name": FieldRule(_text),
    "field_code": FieldRule(_text),
    "field_name": FieldRule(_text),
    "channel": FieldRule(_integer(1, 3), aliases=("kenh_nop",)),
    "status": FieldRule(_integer(1, 10), required=True),
    "received_at": _event_field(required=True),
    "appointment_due_at": FieldRule(_timestamp),
    "statutory_working_days": FieldRule(_number),
    "completed_at": _event_field(),
    "returned_at": _event_field(),
    "status_history": FieldRule(_array),
    "supplement_requests": FieldRule(_array),
    "is_digitised": FieldRule(_boolean),
    "has_electronic_result": FieldRule(_boolean),
    "fee_amount": FieldRule(_number),
    "paid_online": FieldRule(_boolean),
    "apology_letter_issued_at": _event_field(),
    "applicant": FieldRule(_object),
}
#: A result cannot be ready before the dossier was received, nor returned before it was ready.
DOSSIER_ORDERINGS: tuple[Ordering, ...] = (
    ("completed_at", "received_at"),
    ("returned_at", "received_at"),
    ("returned_at", "completed_at"),
    ("apology_letter_issued_at", "received_at"),
    ("updated_at", "received_at"),
    ("transferred_at", "received_at"),
    ("handed_over_at", "received_at"),
)


PROCEDURE_FIELDS: dict[str, FieldRule] = {
    "procedure_code": FieldRule(_code(PROCEDURE_CODE, "procedure code (mã TTHC)"), required=True),
    "authority_level": FieldRule(_one_of("province", "district", "commune"), required=True),
    "version": FieldRule(_integer(1, 10**9), required=True),
    "updated_at": _event_field(required=True),
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
    "updated_at": _event_field(required=True),
    "rated_at": _event_field(required=True),
    "dossier_code": FieldRule(_code(DOSSIER_CODE, "dossier code"), required=True),
    "unit_code": FieldRule(_code(UNIT_CODE, UNIT_CODE_LABEL), required=True),
    "procedure_code": FieldRule(_code(PROCEDURE_CODE, "procedure code (mã TTHC)")),
    "channel": FieldRule(_one_of("kiosk", "portal", "sms")),
    "score": FieldRule(_integer(1, 5)),
    "satisfaction": FieldRule(_one_of("satisfied", "normal", "unsatisfied"), required=True),
    "comment": FieldRule(_text),
}

DOCUMENT_FIELDS: dict[str, FieldRule] = {
    "document_id": FieldRule(_text, required=True),
    "version": FieldRule(_integer(1, 10**9), required=True),
    "updated_at": _event_field(required=True),
    "unit_code": FieldRule(_code(UNIT_CODE, UNIT_CODE_LABEL), required=True),
    "direction": FieldRule(_one_of("incoming", "outgoing"), required=True),
    "document_number": FieldRule(_text),
    "document_type": FieldRule(_text),
    "summary": FieldRule(_text),
    "counterpart": FieldRule(_text),
    "issued_on": FieldRule(_date),
    "received_at": _event_field(required=True),
    "deadline_at": FieldRule(_timestamp),
    "completed_at": _event_field(),
    "status": FieldRule(_one_of("received", "processing", "completed", "issued")),
    "is_digitally_signed": FieldRule(_boolean),
}


@dataclass(frozen=True)
class Contract:
    fields: dict[str, FieldRule]
    orderings: tuple[Ordering, ...] = ()
    #: The field holding a procedure code that must exist in the landed procedure catalogue.
    catalogue_field: str | None = None

    @property
    def known_names(self) -> frozenset[str]:
        names = set(self.fields)
        for rule in self.fields.values():
            names.update(rule.aliases)
        return frozenset(names)

    def problems(self, payload: dict, extracted_at: datetime | None = None) -> list[str]:
        """Reasons the record breaks the contract (empty when it conforms).

        ``extracted_at`` is when the record left its source (default: now): events after it
        are impossible.
        """
        extracted_at = extracted_at or datetime.now(UTC)
        found = []
        for name, rule in self.fields.items():
            present = [n for n in (name, *rule.aliases) if payload.get(n) is not None]
            if not present:
                if rule.required:
                    found.append(f"{name}: missing")
                continue
            value = payload[present[0]]
            reason = rule.check(value) or (_event(value, extracted_at=extracted_at) if rule.event else None)
            if reason:
                found.append(f"{present[0]}: {reason}")
        if not found:
            found.extend(self._ordering_problems(payload))
        return found

    def _ordering_problems(self, payload: dict) -> list[str]:
        found = []
        for later, earlier in self.orderings:
            if payload.get(later) is None or payload.get(earlier) is None:
                continue
            if datetime.fromisoformat(payload[later]) < datetime.fromisoformat(payload[earlier]):
                found.append(f"{later}: {payload[later]} is before {earlier} {payload[earlier]}")
        return found

    def unknown_fields(self, payload: dict) -> set[str]:
        return set(payload) - self.known_names


DOSSIER_CONTRACT = Contract(DOSSIER_FIELDS, DOSSIER_ORDERINGS, catalogue_field="procedure_code")
#: Spreadsheet rows carry the number of supplement requests, not their times, and no history.
SPREADSHEET_DOSSIER_CONTRACT = Contract(
    {
        **{k: v for k, v in DOSSIER_FIELDS.items() if k not in ("status_history", "supplement_requests")},
        "supplement_request_count": FieldRule(_integer(0, 1000)),
    },
    DOSSIER_ORDERINGS,
    catalogue_field="procedure_code",
)
PROCEDURE_CONTRACT = Contract(PROCEDURE_FIELDS)
RATING_CONTRACT = Contract(RATING_FIELDS)
DOCUMENT_CONTRACT = Contract(DOCUMENT_FIELDS, (("completed_at", "received_at"),))


class PortalRecordContract:
    """A portal evaluation record must parse (departmentCode, numeric scores); see
    :mod:`motcua.scoring.portal`. Unknown indicator codes are kept, not errors."""

    catalogue_field = None

    def problems(self, payload: dict, extracted_at: datetime | None = None) -> list[str]:
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
