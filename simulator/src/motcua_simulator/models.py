"""Response models for the OpenAPI description (Vietnamese term - English meaning).

The endpoints return plain JSON (faults can make items deviate from these shapes on purpose),
so the models document the contract; they do not validate what is served.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ErrorMessage(BaseModel):
    """Body of an error the service raises itself (400, 404, 429, 500)."""

    detail: str = Field(description="lỗi - what was wrong")


class ValidationIssue(BaseModel):
    """One invalid parameter, as FastAPI reports it (``input`` and ``ctx`` may follow)."""

    loc: list[str | int] = Field(description='vị trí - where, e.g. ["query", "limit"]')
    msg: str = Field(description="thông báo - message")
    type: str = Field(description="loại lỗi - error type")


class ValidationFailure(BaseModel):
    """422 body: one issue per invalid parameter, or a message when parameters conflict
    (``updated_since`` not before ``updated_until``, a timestamp without a UTC offset)."""

    detail: str | list[ValidationIssue] = Field(description="lỗi - what was wrong")


class Health(BaseModel):
    status: Literal["ok"]
    seed: int = Field(description="seed of the generated data")
    scale: float = Field(description="volume multiplier of the generated data")
    mode: Literal["generated", "fixtures"]
    faults: bool = Field(description="whether any fault switch is on")


class Unit(BaseModel):
    unit_code: str = Field(description="mã đơn vị - GSO code of the unit; a province agency's H41.nn")
    name: str = Field(description="tên đơn vị - unit name")
    level: str | None = Field(description="cấp - district | commune | agency")
    parent_code: str | None = Field(description="đơn vị cấp trên - district before 1 July 2025, province after")


class UnitList(BaseModel):
    items: list[Unit]


class StatusChange(BaseModel):
    status: int = Field(description="trạng thái - status code 1..10")
    at: str = Field(description="thời điểm - when")


class SupplementRequest(BaseModel):
    requested_at: str = Field(description="ngày yêu cầu bổ sung - supplement requested")
    received_at: str | None = Field(description="ngày nhận bổ sung - supplement received, null while waiting")


class Applicant(BaseModel):
    full_name: str = Field(description="họ tên người nộp - applicant's name (personal data)")
    id_number: str = Field(description="số định danh - ID number (personal data)")
    phone: str = Field(description="số điện thoại - phone (personal data)")
    address: str = Field(description="địa chỉ - address (personal data)")


class Dossier(BaseModel):
    dossier_code: str = Field(description="mã hồ sơ - dossier code, key")
    version: int = Field(description="phiên bản - grows with each change")
    updated_at: str = Field(description="cập nhật lúc - last change")
    unit_code: str = Field(description="cơ quan có thẩm quyền giải quyết - competent unit, whose system holds it")
    unit_level: str = Field(description="cấp đơn vị - district | commune | agency")
    receiving_unit_code: str | None = Field(
        default=None, description="đơn vị tiếp nhận - one-stop desk that received it; unit_code when lodged there"
    )
    transferred_at: str | None = Field(
        default=None, description="thời điểm chuyển hồ sơ - handed from the receiving desk to the competent unit"
    )
    handed_over_from_unit_code: str | None = Field(
        default=None, description="đơn vị bàn giao - abolished unit that handed the open dossier over (2025 reform)"
    )
    handed_over_from_unit_level: str | None = Field(default=None, description="cấp đơn vị bàn giao - its level")
    handed_over_at: str | None = Field(default=None, description="thời điểm bàn giao - when it was handed over")
    procedure_code: str = Field(description="mã TTHC - procedure code")
    procedure_name: str = Field(description="tên TTHC - procedure name")
    field_code: str = Field(description="mã lĩnh vực - field code")
    field_name: str = Field(description="tên lĩnh vực - field name")
    channel: int | None = Field(description="kênh nộp - 1 direct, 2 online, 3 postal (some records: kenh_nop)")
    status: int = Field(description="trạng thái - status 1..10")
    received_at: str = Field(description="ngày tiếp nhận - received (online: submitted)")
    appointment_due_at: str = Field(description="ngày hẹn trả - due date on the receipt slip (Form 01)")
    statutory_working_days: float = Field(description="thời hạn giải quyết - statutory working days")
    completed_at: str | None = Field(description="ngày có kết quả - result ready")
    returned_at: str | None = Field(description="ngày trả kết quả - result returned")
    status_history: list[StatusChange] = Field(description="lịch sử trạng thái - status history")
    supplement_requests: list[SupplementRequest] = Field(description="yêu cầu bổ sung - supplement requests")
    is_digitised: bool = Field(description="số hoá - digitised")
    has_electronic_result: bool = Field(description="kết quả điện tử - electronic result")
    fee_amount: int = Field(description="phí, lệ phí (VND) - fee")
    paid_online: bool = Field(description="thanh toán trực tuyến - paid online")
    apology_letter_issued_at: str | None = Field(description="phiếu xin lỗi - apology letter (Form 04)")
    applicant: Applicant = Field(description="người nộp - applicant (personal data)")


class Procedure(BaseModel):
    procedure_code: str = Field(description="mã TTHC - procedure code (key with authority_level)")
    authority_level: Literal["province", "district", "commune"] = Field(description="cấp thẩm quyền - level")
    version: int = Field(description="phiên bản - version")
    updated_at: str = Field(description="cập nhật lúc - when the catalogue record changed")
    name_vi: str = Field(description="tên TTHC - procedure name")
    field_code: str = Field(description="mã lĩnh vực - field code")
    field_name: str = Field(description="tên lĩnh vực - field name")
    online_level_legacy: int = Field(description="mức độ DVCTT (Nghị định 43/2011) - online level 1-4")
    online_service_type: Literal["full", "partial", "none"] = Field(
        description="toàn trình / một phần (Nghị định 42/2022) - online service type"
    )
    statutory_working_days: float = Field(description="thời hạn giải quyết - statutory working days")
    fee_amount: int = Field(description="phí, lệ phí (VND) - fee")
    valid_from: str = Field(description="hiệu lực từ - valid from (this version)")
    valid_to: str | None = Field(description="hiệu lực đến - valid to (exclusive), abolished/transferred")


class Rating(BaseModel):
    rating_id: str = Field(description="mã đánh giá - rating id, key")
    version: int = Field(description="phiên bản - version")
    updated_at: str = Field(description="cập nhật lúc - last change")
    rated_at: str = Field(description="thời điểm đánh giá - when rated")
    dossier_code: str = Field(description="mã hồ sơ - rated dossier")
    unit_code: str = Field(description="mã đơn vị - unit")
    procedure_code: str = Field(description="mã TTHC - procedure code")
    channel: Literal["kiosk", "portal", "sms"] = Field(description="kênh đánh giá - rating channel")
    score: int | None = Field(description="điểm 1-5 - score (null for SMS)")
    satisfaction: Literal["satisfied", "normal", "unsatisfied"] = Field(
        description="hài lòng / bình thường / không hài lòng - satisfaction"
    )
    comment: str | None = Field(description="ý kiến - comment")


class Document(BaseModel):
    document_id: str = Field(description="mã văn bản - document id, key")
    version: int = Field(description="phiên bản - version")
    updated_at: str = Field(description="cập nhật lúc - last change")
    unit_code: str = Field(description="mã đơn vị - unit")
    direction: Literal["incoming", "outgoing"] = Field(description="văn bản đến / đi - direction")
    document_number: str = Field(description="số, ký hiệu - document number")
    document_type: str = Field(description="loại văn bản - type (Công văn, Quyết định...)")
    summary: str = Field(description="trích yếu - summary")
    counterpart: str = Field(description="nơi gửi / nơi nhận - sender or recipient")
    issued_on: str = Field(description="ngày ban hành - date of issue")
    received_at: str = Field(description="ngày đến / ngày đi - received (incoming) or registered (outgoing)")
    deadline_at: str | None = Field(description="hạn xử lý - processing deadline")
    completed_at: str | None = Field(description="ngày hoàn thành - completed")
    status: Literal["received", "processing", "completed", "issued"] = Field(description="trạng thái - status")
    is_digitally_signed: bool = Field(description="chữ ký số - digitally signed")


class Page(BaseModel):
    items: list[Any] = Field(description="bản ghi - records (see the record schema of the endpoint)")
    total: int = Field(ge=0, description="tổng số - items in the interval (pages may overlap under faults)")
    next_cursor: str | None = Field(
        min_length=1, description="con trỏ trang sau - opaque cursor, null (never empty) on the last page"
    )


class DossierPage(Page):
    items: list[Dossier]


class ProcedurePage(Page):
    items: list[Procedure]


class RatingPage(Page):
    items: list[Rating]


class DocumentPage(Page):
    items: list[Document]


class TruthRecord(BaseModel):
    key: str = Field(description="khoá - record key")
    version: int = Field(description="phiên bản mới nhất - latest served version")
    updated_at: str
    drift: list[str] = Field(description="schema drift seen on the record (renamed:/added:)")
    record: dict[str, Any]


class TruthMalformed(BaseModel):
    malformed_id: str = Field(description="sha256 of the canonical JSON text, 16 hex digits")
    reason: str = Field(description="not_an_object | missing_key | version_not_integer | broken_timestamp")
    raw_text: str = Field(description="canonical JSON text (json.dumps sort_keys, ensure_ascii=False)")
    times_served: int
    first_served_until: str | None
    unit_code: str | None


class Truth(BaseModel):
    source: str
    unit_code: str | None
    as_of: str | None
    records: list[TruthRecord]
    malformed: list[TruthMalformed]
    faults: dict[str, int] = Field(default_factory=dict, description="fault counters so far")


# -- the national portal's evaluation service (docs/portal_feed.md) -----------------------------


class PortalRecord(BaseModel):
    """One child unit's Decision 766 evaluation; fields as the portal names them (more may follow)."""

    model_config = ConfigDict(extra="allow")

    departmentCode: str = Field(description="mã đơn vị trên Cổng - portal code H41.<n> (not the GSO code)")
    departmentId: str | None = Field(None, description="portal-internal id")
    departmentName: str | None = Field(None, description="tên đơn vị - unit name")
    childGroup: str | None = Field(None, description="AGENCY | COMMUNE")
    totalScore: float | None = Field(None, description="tổng điểm - total points")
    ratio: float | None = Field(None, description="total / maximum total x 100")
    rank: int | None = Field(None, description="xếp hạng - rank among the records returned")
    groupRank: int | None = Field(None, description="rank within the child group")
    groupScores: dict[str, float | None] | None = Field(None, description="points per group: CKMB, TDGQ, ...")
    componentIndicators: dict[str, Any] | None = Field(None, description="one section per group")


class PortalEvaluations(BaseModel):
    provinceCode: str = Field(description="mã tỉnh trên Cổng - portal province code (H41)")
    periodType: Literal["month", "quarter", "year"]
    period: str = Field(description="2025-06, 2025-Q2 or 2025")
    data: list[PortalRecord] = Field(description="one record per child unit")


class PortalUnitMapRow(BaseModel):
    portal_code: str
    portal_name: str
    gso_unit_code: str | None
    child_group: Literal["AGENCY", "COMMUNE"]
    valid_from: str | None = Field(description="first day (ISO date), null = open")
    valid_to: str | None = Field(description="day after the last (ISO date), null = open")


class PortalUnitMap(BaseModel):
    items: list[PortalUnitMapRow]


class PortalEvaluationRequest(BaseModel):
    """Body of ``POST /api/v1/reporting/evaluation/<endpoint>`` (as the portal's own pages send it)."""

    model_config = ConfigDict(extra="forbid")

    timeType: Literal["year", "quarter", "month"] = Field(description="kỳ đánh giá - period type")
    year: int = Field(ge=2022, le=2100, description="năm")
    quarter: int | None = Field(None, ge=1, le=4, description="quý, with timeType quarter")
    month: int | None = Field(None, ge=1, le=12, description="tháng, with timeType month")
    pageSize: int = Field(10, ge=1, le=1000, description="units per page (paged endpoints)")
    currentPage: int = Field(1, ge=1, le=100000, description="page, from 1")
    rootDepartmentId: str | None = Field(None, description="the province's department id (from the national view)")
    departmentType: Literal["ADMINISTRATIVE_UNIT"] | None = Field(
        None, description="the national view (all provinces), sent instead of a root"
    )


class PortalApiEnvelope(BaseModel):
    """Every answer of the evaluation API: ``{code, data, message}`` with HTTP 201."""

    code: Literal["OK"]
    data: dict = Field(description="the endpoint's payload (overview, evaluation[], parent, children[], ...)")
    message: str
