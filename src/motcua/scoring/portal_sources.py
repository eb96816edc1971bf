"""What the national portal's evaluation data arrives as, turned into child-unit records.

Three shapes reach Motcua, and each becomes the list of child-unit records that
:func:`motcua.scoring.portal.parse_evaluation` reads (``departmentCode``, ``childGroup``,
``groupScores``, ``componentIndicators``):

* **The portal's evaluation API** (Cổng DVCQG, ``POST /api/v1/reporting/evaluation/<endpoint>``):
  seven responses per province and period, each ``{code: "OK", data: {...}, message}``. One
  unit's evaluation is spread over all seven: groups from ``service-results``, CKMB metrics from
  ``transparency``, MDSH from ``dossier-digitized``, MDHL from ``handling-satisfaction``, TDGQ,
  ONLINE and TTTT from the three ``*-tree`` endpoints (``data.parent`` is the province,
  ``data.children[]`` its units). :func:`assemble_api_records` joins them on ``departmentId``
  (``transparency`` and ``handling-satisfaction`` items carry no ``departmentCode``). The
  province itself becomes a record too (``childGroup`` ``PROVINCE``): it is the only node whose
  ONLINE counters the portal publishes.
* **A community crawler's saved export** (``{metadata, count, communesDetail[]}`` or
  ``agenciesDetail[]``): records already in the child-unit shape, with two TTTT counters and
  all ONLINE counters dropped; ``count`` must equal the number of records.
* **Motcua's own raw layer and the simulator**: a list of records, or ``{"data": [...]}``.

Anything else is a :class:`~motcua.scoring.portal.PortalFormatError` naming the field that is
missing or unexpected; an empty list of units is an error too (a silent empty load would look
like a province with no units).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from motcua.domain import TIME_ZONE_NAME
from motcua.scoring.portal import PortalFormatError

__all__ = [
    "API_ENDPOINTS",
    "CRAWLER_EXPORT_LISTS",
    "PortalSource",
    "assemble_api_records",
    "load_portal_source",
    "read_portal_payload",
]

# Endpoint -> the key a crawler's raw file stores its response under.
API_ENDPOINTS: Mapping[str, str] = MappingProxyType(
    {
        "service-results": "SERVICE_RESULTS",
        "transparency": "TRANSPARENCY",
        "dvc-progress-tree": "PROGRESS",
        "provide-online-tree": "ONLINE",
        "formality-online-payment-tree": "PAYMENT",
        "dossier-digitized": "DIGITIZED",
        "handling-satisfaction": "HANDLING_SATISFACTION",
    }
)
CRAWLER_EXPORT_LISTS = ("communesDetail", "agenciesDetail")

# Metric endpoints (an ``evaluation[]`` of units with ``metrics[]``) -> the record's section.
_METRIC_SECTIONS = {
    "transparency": ("CKMB", "CKMB_CongKhaiMinhBach"),
    "dossier-digitized": ("MDSH", "MDSH_SoHoaHoSo"),
    "handling-satisfaction": ("MDHL", "MDHL_MucDoHaiLong"),
}
# Tree endpoints -> (group, section, the node's own fields kept in the section).
_TREE_SECTIONS = {
    "dvc-progress-tree": (
        "TDGQ",
        "TDGQ_TienDoGiaiQuyet",
        ("totalReceived", "totalOnTime", "totalOverdue", "totalCompleted", "avgProcessingDays"),
    ),
    "provide-online-tree": (
        "ONLINE",
        "ONLINE_DichVuTrucTuyen",
        (
            "authorityCount",
            "partialCount",
            "fullCount",
            "onlineDossierCount",
            "onlineServiceTotal",
            "channelOnlineSum",
            "channelDirectSum",
            "channelPostalSum",
            "channelTotalSum",
        ),
    ),
    "formality-online-payment-tree": (
        "TTTT",
        "TTTT_ThanhToanTrucTuyen",
        (
            "totalDossierOnlinePaymentSuccess",
            "totalDossierFinancialObligation",
            "totalDossierOnlineFormalityPaymentSuccess",
            "totalFeeDossierFormalityDistinct",
            "totalFeeDossierFormality",
            "totalFeeFormality",
        ),
    ),
}
PROVINCE_GROUP = "PROVINCE"


@dataclass(frozen=True)
class PortalSource:
    """Child-unit records read from one input, with what the input says about itself."""

    kind: str  # "api", "crawler-export" or "records"
    records: list[Any]
    province: str | None = None
    period_type: str | None = None
    period: str | None = None
    as_of: date | None = None  # the day the figures stand at (a crawler's extractedAt), when said


def _envelope_data(endpoint: str, envelope: object) -> Mapping[str, Any]:
    where = f"portal response of {endpoint}"
    if not isinstance(envelope, Mapping):
        raise PortalFormatError(f"{where} is not a JSON object (got {type(envelope).__name__})")
    missing = [key for key in ("code", "data") if key not in envelope]
    if missing:
        raise PortalFormatError(f"{where} lacks {', '.join(missing)} (keys: {', '.join(map(str, envelope)) or 'none'})")
    if envelope["code"] != "OK":
        raise PortalFormatError(f"{where} says code {envelope['code']!r}: {envelope.get('message')!r}")
    data = envelope["data"]
    if not isinstance(data, Mapping):
        raise PortalFormatError(f"{where}: data is not an object (got {data!r:.80})")
    pagination = data.get("pagination")
    if isinstance(pagination, Mapping) and (pagination.get("totalPages") or 1) > 1:
        # One saved page of several would silently drop units: ask for every page instead.
        raise PortalFormatError(
            f"{where} is page {pagination.get('currentPage')} of {pagination.get('totalPages')}; "
            "pass a response with every unit (a larger pageSize) or merge the pages first"
        )
    return data


def _list(data: Mapping[str, Any], key: str, endpoint: str) -> list[Mapping[str, Any]]:
    items = data.get(key)
    if not isinstance(items, list):
        raise PortalFormatError(f"portal response of {endpoint}: data.{key} is missing or not a list")
    for position, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise PortalFormatError(f"portal response of {endpoint}: data.{key}[{position}] is not an object")
        if not item.get("departmentId"):
            raise PortalFormatError(f"portal response of {endpoint}: data.{key}[{position}] has no departmentId")
    return items


def _metric_section(node: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "score": node.get("totalScore"),
        "maxScore": node.get("totalMaxScore"),
        "ratio": node.get("ratio"),
        "metrics": node.get("metrics") or [],
    }


def _tree_section(node: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    section = {
        # Children carry score/maxScore on the progress tree and totalScore/totalMaxScore elsewhere.
        "score": node.get("score", node.get("totalScore")),
        "maxScore": node.get("maxScore", node.get("totalMaxScore")),
        "ratio": node.get("ratio"),
    }
    section.update({name: node[name] for name in fields if name in node})
    return section


def assemble_api_records(responses: Mapping[str, object]) -> list[dict[str, Any]]:
    """One record per unit (and one for the province) from the seven endpoints' responses.

    ``responses`` maps an endpoint name (``service-results``, ...) to its ``{code, data,
    message}`` envelope. Units are those ``service-results`` lists; a unit absent from another
    endpoint's response gets no section for that group (the parser says so).
    """
    unknown = sorted(set(responses) - set(API_ENDPOINTS))
    if unknown:
        raise PortalFormatError(f"unknown portal endpoints {', '.join(unknown)}; known: {', '.join(API_ENDPOINTS)}")
    missing = [endpoint for endpoint in API_ENDPOINTS if endpoint not in responses]
    if missing:
        raise PortalFormatError(f"portal API responses are missing for {', '.join(missing)}; all seven are needed")
    data = {endpoint: _envelope_data(endpoint, envelope) for endpoint, envelope in responses.items()}

    units = _list(data["service-results"], "evaluation", "service-results")
    if not units:
        raise PortalFormatError("portal response of service-results lists no unit (data.evaluation is empty)")
    overview = data["service-results"].get("overview")
    if not isinstance(overview, Mapping) or not overview.get("departmentCode"):
        raise PortalFormatError("portal response of service-results: data.overview.departmentCode is missing")

    records: dict[str, dict[str, Any]] = {}
    for unit in units:
        if not unit.get("departmentCode"):
            raise PortalFormatError(f"service-results unit {unit['departmentId']} has no departmentCode")
        records[unit["departmentId"]] = {
            "departmentId": unit["departmentId"],
            "departmentName": unit.get("departmentName"),
            "departmentCode": unit["departmentCode"],
            "childGroup": unit.get("childGroup"),
            "totalScore": unit.get("totalScore"),
            "ratio": unit.get("ratio"),
            "groupScores": {},
            "componentIndicators": {},
        }
    province = {
        "departmentId": None,
        "departmentName": overview.get("departmentName"),
        "departmentCode": overview["departmentCode"],
        "childGroup": PROVINCE_GROUP,
        "totalScore": overview.get("totalScore"),
        "ratio": overview.get("ratio"),
        "groupScores": {},
        "componentIndicators": {},
    }

    def place(record: dict[str, Any] | None, group: str, section: str, body: dict[str, Any]) -> None:
        if record is not None:
            record["groupScores"][group] = body["score"]
            record["componentIndicators"][section] = body

    for endpoint, (group, section) in _METRIC_SECTIONS.items():
        parent = data[endpoint].get("overview")
        if isinstance(parent, Mapping):
            place(province, group, section, _metric_section(parent))
        for item in _list(data[endpoint], "evaluation", endpoint):
            place(records.get(item["departmentId"]), group, section, _metric_section(item))
    for endpoint, (group, section, fields) in _TREE_SECTIONS.items():
        parent = data[endpoint].get("parent")
        if not isinstance(parent, Mapping):
            raise PortalFormatError(f"portal response of {endpoint}: data.parent is missing or not an object")
        place(province, group, section, _tree_section(parent, fields))
        province["departmentId"] = province["departmentId"] or parent.get("departmentId")
        for child in _list(data[endpoint], "children", endpoint):
            place(records.get(child["departmentId"]), group, section, _tree_section(child, fields))
    return [province, *records.values()]


def _loads(text: str | bytes, where: str) -> Any:
    try:
        # Decimal keeps published values exact (5.4 stays 5.4, not 5.4000000000000003...).
        return json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        raise PortalFormatError(f"{where} is not valid JSON: {exc}") from exc


def read_portal_payload(payload: object, where: str = "portal input") -> PortalSource:
    """Recognise one decoded input (a crawler raw file, an export, records) and return its records."""
    if isinstance(payload, list):
        return PortalSource("records", payload)
    if not isinstance(payload, Mapping):
        raise PortalFormatError(f"{where} must be a JSON object or list (got {type(payload).__name__})")
    lists = [key for key in CRAWLER_EXPORT_LISTS if key in payload]
    if lists:
        return _crawler_export(payload, lists, where)
    by_raw_key = {raw_key: endpoint for endpoint, raw_key in API_ENDPOINTS.items()}
    if any(key in by_raw_key for key in payload):
        responses = {by_raw_key.get(str(key), str(key)): value for key, value in payload.items()}
        return PortalSource("api", assemble_api_records(responses))
    if any(key in API_ENDPOINTS for key in payload):
        return PortalSource("api", assemble_api_records(payload))
    if "data" in payload:
        records = payload["data"]
        if isinstance(records, Mapping) and "evaluation" in records:
            raise PortalFormatError(
                f"{where} is one endpoint's response (service-results?): a unit's evaluation needs all "
                f"seven endpoints ({', '.join(API_ENDPOINTS)})"
            )
        if not isinstance(records, list):
            raise PortalFormatError(f"{where}: data is not a list of unit records (got {type(records).__name__})")
        return PortalSource("records", records)
    keys = ", ".join(map(str, payload)) or "none"
    raise PortalFormatError(
        f"{where} is not a portal evaluation: expected a crawler export ({' or '.join(CRAWLER_EXPORT_LISTS)}), "
        f"the portal API's responses ({', '.join(API_ENDPOINTS)}) or {{'data': [...]}}; got keys {keys}"
    )


def _crawler_export(payload: Mapping[str, Any], lists: list[str], where: str) -> PortalSource:
    records: list[Any] = []
    for key in lists:
        items = payload[key]
        if not isinstance(items, list):
            raise PortalFormatError(f"{where}: {key} is not a list")
        records.extend(items)
    count = payload.get("count")
    if count is not None and count != len(records):
        raise PortalFormatError(f"{where}: count says {count} units but {' + '.join(lists)} holds {len(records)}")
    metadata = payload.get("metadata")
    if not isinstance(metadata, Mapping):
        raise PortalFormatError(f"{where}: metadata is missing (the export's province and period)")
    period_type = metadata.get("timeType")
    year = metadata.get("year")
    period = None
    if period_type == "year" and year:
        period = str(year)
    elif period_type == "quarter" and year and metadata.get("period"):
        period = f"{year}-Q{metadata['period']}"
    elif period_type == "month" and year and metadata.get("period"):
        period = f"{year}-{int(metadata['period']):02d}"
    return PortalSource(
        "crawler-export",
        records,
        province=metadata.get("provinceCode"),
        period_type=period_type,
        period=period,
        as_of=_local_day(metadata.get("extractedAt"), where),
    )


def _local_day(stamp: object, where: str) -> date | None:
    """The Vietnam day of an ISO timestamp (``2026-10-10T07:00:18Z``); None when there is none."""
    if stamp is None:
        return None
    try:
        moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        raise PortalFormatError(f"{where}: metadata.extractedAt {stamp!r} is not an ISO timestamp") from None
    if moment.tzinfo is None:
        raise PortalFormatError(f"{where}: metadata.extractedAt {stamp!r} has no UTC offset")
    return moment.astimezone(ZoneInfo(TIME_ZONE_NAME)).date()


def load_portal_source(path: Path | str) -> PortalSource:
    """Read a saved file, or a folder of ``api_<endpoint>.json`` responses, into records."""
    path = Path(path)
    if path.is_dir():
        files = {endpoint: path / f"api_{endpoint}.json" for endpoint in API_ENDPOINTS}
        absent = [str(file.name) for file in files.values() if not file.is_file()]
        if absent:
            raise PortalFormatError(f"{path}: the folder lacks {', '.join(absent)}")
        responses = {endpoint: _loads(file.read_bytes(), str(file)) for endpoint, file in files.items()}
        return PortalSource("api", assemble_api_records(responses))
    if not path.is_file():
        raise PortalFormatError(f"{path} does not exist")
    return read_portal_payload(_loads(path.read_bytes(), str(path)), str(path))
