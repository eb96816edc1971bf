"""The national portal's evaluation API as it really is (Cổng DVCQG, ``/api/v1/reporting/evaluation``).

Seven endpoints, each ``POST`` with a JSON body ``{timeType, year, month | quarter, pageSize,
currentPage, rootDepartmentId}`` and an answer ``HTTP 201 {code: "OK", data: {...}, message:
"OK"}``. The shapes follow the real responses kept in ``tests/corpus/portal/`` (Gia Lai, 2026):

* ``service-results``: ``overview`` (the province), ``radar[]``, ``evaluation[]`` (each unit with
  its ``childGroup`` AGENCY or COMMUNE). The national view (``departmentType:
  "ADMINISTRATIVE_UNIT"``, no root) lists the provinces with their ``departmentId`` (the root a
  province's calls need) and ``groupScores``, where the online group is coded ``CLGQ``.
* ``transparency``, ``dossier-digitized``, ``handling-satisfaction``: ``overview`` (the
  province) and ``evaluation[]`` of units with ``metrics[]``, paged (``pagination``); the items
  of ``transparency`` and ``handling-satisfaction`` carry no ``departmentCode``, as on the portal.
* ``dvc-progress-tree``, ``provide-online-tree``, ``formality-online-payment-tree``:
  ``parent`` (the province) and ``children[]`` (``level`` PROVINCE for an agency, COMMUNE for a
  commune). Only the parent of the online tree carries ONLINE's counters; every node of the
  payment tree carries TTTT's six.

The numbers are those of :func:`motcua_simulator.portal.portal_evaluation` (the same units, the
same arithmetic), split by endpoint; the province's node is its units' counters added up.
"""

from __future__ import annotations

import copy
import math
import uuid
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from motcua_simulator import models
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.portal import PORTAL_PROVINCE_CODE, PROVINCE_NAME, _args, _evaluate

if TYPE_CHECKING:
    from fastapi import APIRouter

__all__ = [
    "API_ENDPOINTS",
    "AS_OF_HEADER",
    "NATIONAL_DEPARTMENT_TYPE",
    "PortalApiError",
    "api_response",
    "portal_api_router",
    "root_department_id",
]

API_ENDPOINTS = (
    "service-results",
    "transparency",
    "dvc-progress-tree",
    "provide-online-tree",
    "formality-online-payment-tree",
    "dossier-digitized",
    "handling-satisfaction",
)
PAGED_ENDPOINTS = ("transparency", "dossier-digitized", "handling-satisfaction")
NATIONAL_DEPARTMENT_TYPE = "ADMINISTRATIVE_UNIT"
#: The simulator's stand-in for the portal's real time (see :func:`api_response`).
AS_OF_HEADER = "X-Simulated-As-Of"

_SECTION_OF = {
    "transparency": "CKMB_CongKhaiMinhBach",
    "dossier-digitized": "MDSH_SoHoaHoSo",
    "handling-satisfaction": "MDHL_MucDoHaiLong",
    "dvc-progress-tree": "TDGQ_TienDoGiaiQuyet",
    "provide-online-tree": "ONLINE_DichVuTrucTuyen",
    "formality-online-payment-tree": "TTTT_ThanhToanTrucTuyen",
}
_GROUP_NAMES = (
    ("CKMB", "Công khai, minh bạch"),
    ("TDGQ", "Tiến độ giải quyết"),
    ("ONLINE_SERVICE", "Dịch vụ trực tuyến"),
    ("MDHL", "Mức độ hài lòng"),
    ("MDSH", "Số hóa hồ sơ"),
)
_COUNTER_KEYS = {
    "provide-online-tree": (
        "authorityCount",
        "partialCount",
        "fullCount",
        "onlineDossierCount",
        "onlineServiceTotal",
        "channelOnlineSum",
        "channelTotalSum",
    ),
    "formality-online-payment-tree": (
        "totalDossierOnlinePaymentSuccess",
        "totalDossierFinancialObligation",
        "totalDossierOnlineFormalityPaymentSuccess",
        "totalFeeDossierFormalityDistinct",
        "totalFeeDossierFormality",
        "totalFeeFormality",
    ),
}


class PortalApiError(ValueError):
    """A request the portal would refuse; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def root_department_id(province: str = PORTAL_PROVINCE_CODE) -> str:
    """The portal-internal id of a province's people's committee (its ``rootDepartmentId``)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"dichvucong.gov.vn/danhgia/{province}"))


def _period(body: dict) -> tuple[str, str]:
    time_type, year = body["timeType"], body["year"]
    if time_type == "year":
        return "year", f"{year}"
    if time_type == "quarter":
        if not body.get("quarter"):
            raise PortalApiError(400, "timeType quarter needs quarter (1-4)")
        return "quarter", f"{year}-Q{body['quarter']}"
    if not body.get("month"):
        raise PortalApiError(400, "timeType month needs month (1-12)")
    return "month", f"{year}-{body['month']:02d}"


def _envelope(data: dict) -> dict:
    return {"code": "OK", "data": data, "message": "OK"}


def _score(section: dict) -> Any:
    return section.get("score")


def _group_scores(record: dict, *, national: bool = False) -> dict:
    scores = dict(record["groupScores"])
    if national:  # the national view codes the online-services group CLGQ
        scores = {("CLGQ" if code == "ONLINE" else code): value for code, value in scores.items()}
    return scores


def _radar(record: dict) -> list[dict]:
    scores = record["groupScores"]
    maxima = {code: section["maxScore"] for code, section in _sections_by_group(record).items()}
    radar = []
    for code, name in _GROUP_NAMES:
        if code == "ONLINE_SERVICE":  # the portal's radar adds online services and payment
            score = round(scores["ONLINE"] + scores["TTTT"], 2)
            maximum = maxima["ONLINE"] + maxima["TTTT"]
        else:
            score, maximum = scores[code], maxima[code]
        radar.append(
            {"code": code, "name": name, "score": score, "maxScore": maximum, "ratio": round(100 * score / maximum, 2)}
        )
    return radar


def _sections_by_group(record: dict) -> dict[str, dict]:
    return {section.split("_", 1)[0]: body for section, body in record["componentIndicators"].items()}


def _metric_node(record: dict, endpoint: str, stt: int, *, with_code: bool) -> dict:
    section = record["componentIndicators"][_SECTION_OF[endpoint]]
    agency = record["childGroup"] != "COMMUNE"
    node = {
        "stt": stt,
        "departmentId": record["departmentId"],
        "departmentName": record["departmentName"],
        **({"departmentCode": record["departmentCode"]} if with_code else {}),
        "departmentType": "PROVINCIAL_DEPARTMENT" if agency else "COMMUNE_PEOPLE_COMMITTEE",
        "departmentLevel": "PROVINCE" if agency else "COMMUNE",
        "agencyLevel": "level_2",
        "totalScore": section["score"],
        "totalMaxScore": section["maxScore"],
        "ratio": section["ratio"],
        "scoreDelta": None,
        "metrics": copy.deepcopy(section["metrics"]),
    }
    if endpoint == "handling-satisfaction":
        node.update(totalPetitions=section.get("totalPetitions"), totalDossiers=section.get("totalDossiers"))
    return node


def _tree_node(record: dict, endpoint: str, *, parent: bool) -> dict:
    section = record["componentIndicators"][_SECTION_OF[endpoint]]
    node: dict[str, Any] = {
        "departmentId": record["departmentId"],
        "departmentName": record["departmentName"],
        "departmentCode": record["departmentCode"],
    }
    if not parent:
        node["level"] = "COMMUNE" if record["childGroup"] == "COMMUNE" else "PROVINCE"
    if endpoint == "dvc-progress-tree":
        node.update(
            totalReceived=section["totalReceived"],
            totalOnTime=section["totalOnTime"],
            totalOverdue=section["totalOverdue"],
            avgProcessingDays=section["avgProcessingDays"],
            ratio=section["ratio"],
        )
        # The portal's progress tree names the points score/maxScore on children only.
        node.update({"totalScore" if parent else "score": section["score"]})
        node.update({"totalMaxScore" if parent else "maxScore": section["maxScore"]})
    else:
        node.update(totalScore=section["score"], totalMaxScore=section["maxScore"], ratio=section["ratio"])
        if parent or endpoint == "formality-online-payment-tree":
            node.update({key: section[key] for key in _COUNTER_KEYS[endpoint] if key in section})
    if not parent:
        node["scoreDelta"] = None
    return node


def _national(record: dict, province: str) -> dict:
    return {
        "overview": {
            "departmentName": "Cả nước",
            "departmentCode": None,
            "totalScore": record["totalScore"],
            "totalMaxScore": 100,
            "ratio": record["ratio"],
        },
        "radar": _radar(record),
        "evaluation": [
            {
                "departmentId": root_department_id(province),
                "departmentName": PROVINCE_NAME,
                "departmentCode": province,
                "totalScore": record["totalScore"],
                "ratio": record["ratio"],
                "scoreDelta": None,
                "groupScores": _group_scores(record, national=True),
            }
        ],
    }


def api_response(
    endpoint: str,
    body: dict,
    profile: SimulationProfile | None = None,
    unit_codes: Iterable[str] | None = None,
    *,
    include_unknown_metric: bool = False,
    as_of: date | None = None,
) -> dict:
    """The portal's answer to ``POST /api/v1/reporting/evaluation/<endpoint>`` with ``body``.

    ``body`` holds every field of the request model (defaults filled in). ``unit_codes`` and
    ``include_unknown_metric`` are those of :func:`motcua_simulator.portal.portal_evaluation`.
    ``as_of`` stands in for the portal's real time: a period still running on that day is
    evaluated through it (the real portal evaluates to the moment of the request).
    Raises :class:`PortalApiError` with the status the portal's refusal would carry: 404 for an
    unknown endpoint or root department, 400 for a body the portal cannot serve.
    """
    if endpoint not in API_ENDPOINTS:
        raise PortalApiError(404, f"no evaluation endpoint {endpoint!r}")
    period_type, period = _period(body)
    national = body.get("departmentType") == NATIONAL_DEPARTMENT_TYPE and not body.get("rootDepartmentId")
    if not national and body.get("rootDepartmentId") != root_department_id():
        raise PortalApiError(404, f"no department {body.get('rootDepartmentId')!r} (the simulator serves H41 only)")
    if national and endpoint != "service-results":
        raise PortalApiError(400, f"the national view of {endpoint} is not simulated: give rootDepartmentId")
    try:
        response, _, parent = _evaluate(
            *_args(PORTAL_PROVINCE_CODE, period_type, period, profile, unit_codes), include_unknown_metric, as_of
        )
    except ValueError as err:
        raise PortalApiError(400, str(err)) from None
    if national:
        return _envelope(_national(parent, PORTAL_PROVINCE_CODE))
    records = response["data"]
    if endpoint == "service-results":
        data: dict[str, Any] = {
            "overview": {
                "departmentName": parent["departmentName"],
                "departmentCode": parent["departmentCode"],
                "totalScore": parent["totalScore"],
                "totalMaxScore": 100,
                "ratio": parent["ratio"],
            },
            "radar": _radar(parent),
            "evaluation": [
                {
                    "departmentId": r["departmentId"],
                    "departmentName": r["departmentName"],
                    "departmentCode": r["departmentCode"],
                    "totalScore": r["totalScore"],
                    "ratio": r["ratio"],
                    "scoreDelta": None,
                    "childGroup": r["childGroup"],
                }
                for r in records  # ranked, best first, as the portal lists them
            ],
        }
        return _envelope(copy.deepcopy(data))
    by_code = sorted(records, key=lambda r: r["departmentCode"])  # the portal's order on the other endpoints
    if endpoint in PAGED_ENDPOINTS:
        with_code = endpoint == "dossier-digitized"
        items = [_metric_node(r, endpoint, stt, with_code=with_code) for stt, r in enumerate(by_code, start=1)]
        page_size, page = body["pageSize"], body["currentPage"]
        overview = _metric_node(parent, endpoint, 1, with_code=with_code)
        data = {
            "overview": {
                **overview,
                "departmentType": "PROVINCE",
                "departmentLevel": "PROVINCE",
                "agencyLevel": "level_1",
            },
            "evaluation": items[(page - 1) * page_size : page * page_size],
            "pagination": {
                "total": len(items),
                "currentPage": page,
                "pageSize": page_size,
                "totalPages": max(1, math.ceil(len(items) / page_size)),
            },
            "source": "motcua simulator",
        }
        return _envelope(data)
    data = {
        "parent": _tree_node(parent, endpoint, parent=True),
        "children": [_tree_node(r, endpoint, parent=False) for r in by_code],
    }
    return _envelope(data)


def portal_api_router(profile: SimulationProfile | None = None, unit_codes: Iterable[str] | None = None) -> APIRouter:
    """A FastAPI router with the seven ``POST /api/v1/reporting/evaluation/<endpoint>`` operations."""
    from fastapi import APIRouter, Header, HTTPException
    from fastapi import Path as PathParam

    profile = profile or SimulationProfile()
    codes = None if unit_codes is None else frozenset(unit_codes)
    router = APIRouter(tags=["portal API"])

    @router.post(
        "/api/v1/reporting/evaluation/{endpoint}",
        status_code=201,
        response_model=None,
        responses={
            201: {"model": models.PortalApiEnvelope},
            400: {"model": models.ErrorMessage, "description": "a period the portal has no evaluation for"},
            404: {"model": models.ErrorMessage, "description": "an unknown root department"},
            422: {"model": models.ValidationFailure, "description": "a malformed body"},
        },
    )
    def evaluation(
        body: models.PortalEvaluationRequest,
        endpoint: Literal[API_ENDPOINTS] = PathParam(description="one of the seven evaluation endpoints"),  # type: ignore[valid-type]
        # A default, not Annotated[...]: the annotation is a string (postponed evaluation) that
        # FastAPI resolves in this module's globals, where the lazily imported Header is absent.
        as_of: date | None = Header(  # noqa: B008
            None,
            alias=AS_OF_HEADER,
            description="simulator only: the day the portal's real time stands at (a running period is evaluated "
            "through it); the real portal evaluates to the moment of the request",
        ),
    ) -> dict:
        """Decision 766 evaluation of the province's units for one endpoint (Cổng DVCQG)."""
        try:
            return api_response(endpoint, body.model_dump(), profile, codes, as_of=as_of)
        except PortalApiError as err:
            raise HTTPException(status_code=err.status, detail=str(err)) from None

    return router
