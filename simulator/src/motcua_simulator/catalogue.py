"""The simulated procedure catalogue (danh mục thủ tục hành chính) and its history.

Twelve entries are real procedures handled by one-stop departments (only 1.001193, birth
registration, carries its real national code; the others are simulated codes in the national
format ``^[12]\\.\\d{6}$``). Around them a few hundred plausible procedures are generated from
field (lĩnh vực) templates, so the catalogue has the size press reports give (Nam Dan: 451
procedures online, 143 level 4, 52 level 3, 256 level 2; Nghia Dan: 278 district-level, 103
commune-level).

Every procedure has a history of versions (``ProcedureVersion``): online level upgrades from
2017 to 2022 (Decree 43/2011 levels), the switch to Decree 42/2022 service types
(full/partial online), processing-time reductions (Nam Dan cut the time of 73 of 272 district
procedures), a few fee changes and abolitions, and on 1 July 2025 the transfer of district-level
procedures to communes (the district record ends, a commune-level record begins).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from functools import lru_cache

from motcua.domain import REFORM_DATE
from motcua_simulator.clock import rng_for
from motcua_simulator.workdays.deadlines import VN_TZ

DECREE_42_DATE = date(2022, 8, 1)  # Decree 42/2022/ND-CP: online service types replace levels 1-4
CATALOGUE_START = date(2016, 1, 1)
CATALOGUE_SEED = 451  # the catalogue does not depend on the simulation seed: it is reference data


@dataclass(frozen=True)
class Procedure:
    """A procedure as a dossier sees it (the version in force on the dossier's intake day)."""

    code: str
    name: str
    field_code: str
    field_name: str
    level: str  # level of authority: "province", "district" or "commune"
    statutory_working_days: float
    online_level_legacy: int  # 1..4 under Decree 43/2011
    fee_amount: int  # VND; 0 = free
    share: float  # relative frequency among the level's dossiers


def online_service_type(level_legacy: int) -> str:
    """Decree 42/2022 type from the Decree 43/2011 level: 4 full, 3 partial, else none."""
    return "full" if level_legacy >= 4 else "partial" if level_legacy == 3 else "none"


@dataclass(frozen=True)
class ProcedureVersion:
    """One version of a catalogue record (key: procedure_code + authority_level)."""

    procedure: Procedure
    version: int
    valid_from: date
    valid_to: date | None  # exclusive; set when the procedure is abolished or transferred
    changed_at: datetime  # when the catalogue record changed (updated_at)
    change: str  # what changed, for docs and tests: created|online_upgrade|time_cut|fee|abolished|...

    def record(self) -> dict:
        p = self.procedure
        return {
            "procedure_code": p.code,
            "authority_level": p.level,
            "version": self.version,
            "updated_at": self.changed_at.isoformat(),
            "name_vi": p.name,
            "field_code": p.field_code,
            "field_name": p.field_name,
            "online_level_legacy": p.online_level_legacy,
            "online_service_type": online_service_type(p.online_level_legacy),
            "statutory_working_days": p.statutory_working_days,
            "fee_amount": p.fee_amount,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


REAL: tuple[Procedure, ...] = (
    Procedure("1.001193", "Đăng ký khai sinh", "HT", "Hộ tịch", "commune", 1, 4, 0, 0.22),
    Procedure("1.001022", "Đăng ký kết hôn", "HT", "Hộ tịch", "commune", 1, 3, 0, 0.06),
    Procedure("1.000656", "Đăng ký khai tử", "HT", "Hộ tịch", "commune", 1, 4, 0, 0.05),
    Procedure("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "HT", "Hộ tịch", "commune", 3, 4, 0, 0.10),
    Procedure("2.000815", "Chứng thực bản sao từ bản chính", "CT", "Chứng thực", "commune", 0.5, 2, 2000, 0.42),
    Procedure("2.000884", "Chứng thực chữ ký trong giấy tờ, văn bản", "CT", "Chứng thực", "commune", 1, 2, 10000, 0.10),
    Procedure(
        "1.003596",
        "Trợ cấp xã hội hằng tháng đối với người cao tuổi",
        "BTXH",
        "Bảo trợ xã hội",
        "commune",
        7,
        3,
        0,
        0.05,
    ),
    Procedure(
        "2.000046",
        "Đăng ký thành lập hộ kinh doanh",
        "TLHKD",
        "Thành lập và hoạt động của hộ kinh doanh",
        "district",
        3,
        4,
        100000,
        0.18,
    ),
    Procedure(
        "1.011612", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "XD", "Hoạt động xây dựng", "district", 15, 3, 75000, 0.12
    ),
    Procedure("1.004227", "Đăng ký biến động quyền sử dụng đất", "DD", "Đất đai", "district", 10, 3, 50000, 0.35),
    Procedure(
        "2.001711",
        "Cấp Giấy chứng nhận đủ điều kiện an toàn thực phẩm",
        "ATTP",
        "An toàn thực phẩm",
        "district",
        15,
        3,
        700000,
        0.05,
    ),
    Procedure("1.001766", "Cấp bản sao trích lục hộ tịch", "HT", "Hộ tịch", "district", 1, 4, 8000, 0.30),
)

#: Explicit history of the real procedures: (code, level) -> [(date, changes, label)].
REAL_HISTORY: dict[tuple[str, str], list[tuple[date, dict, str]]] = {
    ("1.001193", "commune"): [
        (date(2016, 1, 1), {"online_level_legacy": 2}, "created"),
        (date(2020, 3, 2), {"online_level_legacy": 3}, "online_upgrade"),
        (date(2021, 6, 1), {"online_level_legacy": 4}, "online_upgrade"),
    ],
    ("1.004873", "commune"): [
        (date(2016, 1, 1), {"online_level_legacy": 2}, "created"),
        (date(2021, 6, 1), {"online_level_legacy": 4}, "online_upgrade"),
    ],
    ("2.000046", "district"): [
        (date(2016, 1, 1), {"statutory_working_days": 5, "online_level_legacy": 3}, "created"),
        (date(2021, 1, 4), {"statutory_working_days": 3}, "time_cut"),
        (date(2022, 8, 1), {"online_level_legacy": 4}, "online_upgrade"),
    ],
    ("1.004227", "district"): [
        (date(2016, 1, 1), {"statutory_working_days": 15, "online_level_legacy": 2}, "created"),
        (date(2019, 10, 1), {"statutory_working_days": 10}, "time_cut"),
        (date(2023, 3, 1), {"online_level_legacy": 3}, "online_upgrade"),
    ],
    ("1.011612", "district"): [
        (date(2016, 1, 1), {"online_level_legacy": 2}, "created"),
        (date(2020, 7, 1), {"online_level_legacy": 3}, "online_upgrade"),
    ],
}

# Field templates: (field code, field name, levels, objects, actions). A generated name is
# "{action} {object}"; "" as action uses the object as the whole name.
FIELDS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "HT",
        "Hộ tịch",
        ("commune", "district"),
        (
            "khai sinh",
            "kết hôn",
            "khai tử",
            "nhận cha, mẹ, con",
            "giám hộ",
            "chấm dứt giám hộ",
            "khai sinh có yếu tố nước ngoài",
            "kết hôn có yếu tố nước ngoài",
            "thay đổi, cải chính thông tin hộ tịch",
            "xác định lại dân tộc",
            "khai sinh kết hợp nhận cha, mẹ, con",
        ),
        ("Đăng ký", "Đăng ký lại"),
    ),
    (
        "CT",
        "Chứng thực",
        ("commune", "district"),
        (
            "hợp đồng, giao dịch liên quan đến tài sản là động sản",
            "di chúc",
            "văn bản từ chối nhận di sản",
            "văn bản thỏa thuận phân chia di sản",
            "chữ ký người dịch",
            "việc sửa lỗi sai sót trong hợp đồng, giao dịch",
            "hợp đồng, giao dịch liên quan đến quyền sử dụng đất",
            "bản sao từ bản chính giấy tờ do cơ quan nước ngoài cấp",
        ),
        ("Chứng thực",),
    ),
    (
        "BTXH",
        "Bảo trợ xã hội",
        ("commune", "district"),
        (
            "trợ cấp xã hội hằng tháng đối với đối tượng bảo trợ xã hội",
            "hỗ trợ chi phí mai táng",
            "trợ giúp xã hội khẩn cấp về hỗ trợ làm nhà ở",
            "chăm sóc, nuôi dưỡng đối tượng tại cộng đồng",
            "hỗ trợ kinh phí nhận chăm sóc đối tượng cần bảo vệ khẩn cấp",
            "trợ cấp đối với người khuyết tật",
        ),
        ("Thực hiện", "Điều chỉnh, thôi hưởng", "Chi trả"),
    ),
    (
        "NCC",
        "Người có công",
        ("commune", "district"),
        (
            "chế độ ưu đãi đối với người có công với cách mạng",
            "trợ cấp tuất liệt sĩ",
            "chế độ ưu đãi giáo dục",
            "hỗ trợ cải thiện nhà ở đối với người có công",
            "trợ cấp thờ cúng liệt sĩ",
        ),
        ("Giải quyết", "Điều chỉnh"),
    ),
    (
        "DD",
        "Đất đai",
        ("district", "commune"),
        (
            "Giấy chứng nhận quyền sử dụng đất lần đầu",
            "Giấy chứng nhận quyền sử dụng đất do bị mất",
            "chuyển mục đích sử dụng đất",
            "gia hạn sử dụng đất nông nghiệp",
            "tách thửa hoặc hợp thửa đất",
            "đính chính Giấy chứng nhận đã cấp",
            "xóa đăng ký cho thuê, cho thuê lại quyền sử dụng đất",
            "hòa giải tranh chấp đất đai",
            "thu hồi đất ở trong khu vực bị ô nhiễm môi trường",
            "đăng ký thế chấp quyền sử dụng đất",
        ),
        ("Cấp", "Cấp lại", "Thẩm định", "Giải quyết"),
    ),
    (
        "XD",
        "Hoạt động xây dựng",
        ("district",),
        (
            "giấy phép xây dựng công trình không theo tuyến",
            "giấy phép sửa chữa, cải tạo công trình",
            "giấy phép di dời công trình",
            "báo cáo kinh tế - kỹ thuật đầu tư xây dựng",
            "nhiệm vụ quy hoạch chi tiết xây dựng",
        ),
        ("Cấp", "Điều chỉnh", "Gia hạn", "Cấp lại", "Thẩm định"),
    ),
    (
        "TLHKD",
        "Thành lập và hoạt động của hộ kinh doanh",
        ("district",),
        (
            "thay đổi nội dung đăng ký hộ kinh doanh",
            "tạm ngừng hoạt động hộ kinh doanh",
            "chấm dứt hoạt động hộ kinh doanh",
            "Giấy chứng nhận đăng ký hộ kinh doanh",
        ),
        ("Đăng ký", "Thông báo", "Cấp lại"),
    ),
    (
        "HTX",
        "Kinh tế hợp tác",
        ("district",),
        (
            "thành lập hợp tác xã",
            "thay đổi tên, địa chỉ trụ sở hợp tác xã",
            "giải thể tự nguyện hợp tác xã",
            "chi nhánh, văn phòng đại diện của hợp tác xã",
        ),
        ("Đăng ký",),
    ),
    (
        "LTHH",
        "Lưu thông hàng hoá trong nước",
        ("district",),
        (
            "Giấy phép bán lẻ sản phẩm rượu",
            "Giấy phép bán lẻ sản phẩm thuốc lá",
            "Giấy phép sản xuất rượu thủ công nhằm mục đích kinh doanh",
            "Giấy phép kinh doanh bán lẻ khí dầu mỏ hoá lỏng",
        ),
        ("Cấp", "Cấp lại", "Cấp sửa đổi, bổ sung"),
    ),
    (
        "ATTP",
        "An toàn thực phẩm",
        ("district",),
        (
            "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm đối với cơ sở kinh doanh dịch vụ ăn uống",
            "Giấy xác nhận kiến thức về an toàn thực phẩm",
        ),
        ("Cấp", "Cấp lại"),
    ),
    (
        "GDDT",
        "Giáo dục và Đào tạo",
        ("district", "commune"),
        (
            "thành lập trường mầm non",
            "thành lập trường tiểu học",
            "thành lập trường trung học cơ sở",
            "hoạt động giáo dục nhóm trẻ, lớp mẫu giáo độc lập",
            "chuyển trường đối với học sinh trung học cơ sở",
            "hỗ trợ học tập đối với trẻ mẫu giáo, học sinh dân tộc thiểu số",
        ),
        ("Cho phép", "Sáp nhập, chia, tách", "Giải thể", "Xét duyệt"),
    ),
    (
        "VH",
        "Văn hoá",
        ("district", "commune"),
        (
            "danh hiệu gia đình văn hoá",
            "danh hiệu thôn, tổ dân phố văn hoá",
            "lễ hội cấp huyện",
            "thư viện cộng đồng",
            "Giấy phép kinh doanh dịch vụ karaoke",
        ),
        ("Xét tặng", "Thông báo", "Đăng ký", "Cấp"),
    ),
    (
        "TDKT",
        "Thi đua, khen thưởng",
        ("district", "commune"),
        (
            "Giấy khen theo công trạng",
            "Giấy khen cho gia đình",
            "danh hiệu Lao động tiên tiến",
            "Giấy khen theo đợt, chuyên đề",
            "danh hiệu Chiến sĩ thi đua cơ sở",
        ),
        ("Tặng", "Xét tặng"),
    ),
    (
        "TG",
        "Tín ngưỡng, tôn giáo",
        ("district", "commune"),
        (
            "hoạt động tín ngưỡng",
            "sinh hoạt tôn giáo tập trung",
            "người được bổ nhiệm, bầu cử, suy cử",
            "tổ chức lễ hội tín ngưỡng",
            "thuyên chuyển chức sắc, chức việc",
        ),
        ("Đăng ký", "Thông báo", "Đề nghị"),
    ),
    (
        "NN",
        "Nông nghiệp và phát triển nông thôn",
        ("district", "commune"),
        (
            "hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai",
            "Giấy chứng nhận kinh tế trang trại",
            "hỗ trợ dự án liên kết sản xuất",
            "phương án khai thác thủy sản",
            "hỗ trợ giống cây trồng",
        ),
        ("Phê duyệt", "Cấp", "Xác nhận"),
    ),
    (
        "TNN",
        "Tài nguyên nước và Môi trường",
        ("district", "commune"),
        (
            "kế hoạch bảo vệ môi trường",
            "khai thác, sử dụng nước mặt",
            "công trình xử lý chất thải",
            "hồ sơ đề nghị miễn giảm tiền thuê đất",
        ),
        ("Đăng ký", "Xác nhận", "Thẩm định"),
    ),
    (
        "GTVT",
        "Giao thông vận tải",
        ("district",),
        ("phương tiện thủy nội địa", "đường ngang", "giấy phép thi công trên đường huyện"),
        ("Đăng ký lần đầu", "Xóa đăng ký", "Cấp", "Gia hạn"),
    ),
    (
        "NV",
        "Nội vụ",
        ("district", "commune"),
        (
            "hội có phạm vi hoạt động trong huyện",
            "điều lệ hội",
            "quỹ xã hội, quỹ từ thiện",
            "xếp hạng đơn vị sự nghiệp công lập",
        ),
        ("Công nhận", "Phê duyệt", "Cho phép thành lập", "Đổi tên"),
    ),
    (
        "TCD",
        "Tiếp công dân, khiếu nại, tố cáo",
        ("district", "commune"),
        ("khiếu nại lần đầu", "khiếu nại lần hai", "tố cáo", "kiến nghị, phản ánh"),
        ("Giải quyết", "Tiếp nhận, xử lý"),
    ),
    (
        "HGCS",
        "Hòa giải ở cơ sở",
        ("commune",),
        ("hòa giải viên", "tổ trưởng tổ hòa giải", "thù lao cho hòa giải viên"),
        ("Công nhận", "Thôi làm", "Thanh toán"),
    ),
    (
        "NCN",
        "Nuôi con nuôi",
        ("commune",),
        ("nuôi con nuôi trong nước", "lại việc nuôi con nuôi trong nước", "nuôi con nuôi thực tế"),
        ("Đăng ký",),
    ),
    (
        "DN",
        "Thành lập và hoạt động doanh nghiệp",
        ("province",),
        (
            "thành lập doanh nghiệp tư nhân",
            "thành lập công ty trách nhiệm hữu hạn",
            "thành lập công ty cổ phần",
            "thay đổi người đại diện theo pháp luật",
            "giải thể doanh nghiệp",
            "tạm ngừng kinh doanh",
        ),
        ("Đăng ký", "Thông báo"),
    ),
    (
        "DT",
        "Đầu tư tại Việt Nam",
        ("province",),
        ("chủ trương đầu tư", "Giấy chứng nhận đăng ký đầu tư", "dự án đầu tư"),
        ("Chấp thuận", "Cấp", "Điều chỉnh", "Chấm dứt hoạt động"),
    ),
    (
        "DB",
        "Đường bộ",
        ("province",),
        ("giấy phép lái xe", "giấy phép liên vận", "phù hiệu xe kinh doanh vận tải", "biển hiệu xe du lịch"),
        ("Cấp", "Cấp đổi", "Cấp lại"),
    ),
    (
        "KCB",
        "Khám bệnh, chữa bệnh",
        ("province",),
        ("chứng chỉ hành nghề khám bệnh, chữa bệnh", "giấy phép hoạt động phòng khám", "giấy phép hoạt động nhà thuốc"),
        ("Cấp", "Cấp lại", "Điều chỉnh"),
    ),
    (
        "LD",
        "Việc làm",
        ("province",),
        ("giấy phép lao động cho người nước ngoài", "trợ cấp thất nghiệp", "hỗ trợ học nghề"),
        ("Cấp", "Gia hạn", "Giải quyết", "Tạm dừng"),
    ),
)

#: Target number of generated procedures per level (real ones come on top).
TARGET_COUNT = {"district": 268, "commune": 98, "province": 80}
#: Legacy online levels once upgrades are done (2022), from Nam Dan's 143/52/256 of 451.
LEVEL_MIX_2022 = ((4, 143 / 451), (3, 52 / 451), (2, 256 / 451))
TIME_CHOICES = (1, 2, 3, 5, 7, 10, 12, 15, 20, 30)
FEE_CHOICES = (0, 0, 0, 0, 10000, 20000, 50000, 100000, 200000, 500000)


def _names(level: str) -> list[tuple[str, str, str]]:
    out = []
    for code, name, levels, objects, actions in FIELDS:
        if level not in levels:
            continue
        for obj in objects:
            for action in actions:
                out.append((code, name, f"{action} {obj}"))
    return out


def _midday(day: date) -> datetime:
    return datetime.combine(day, time(8, 0), VN_TZ)


def _random_day(rng, first: date, last: date) -> date:
    day = date.fromordinal(rng.randrange(first.toordinal(), last.toordinal() + 1))
    while day.weekday() >= 5:
        day = date.fromordinal(day.toordinal() + 1)
    return day


def _history_of(base: Procedure, steps: list[tuple[date, dict, str]], abolished: date | None) -> list[ProcedureVersion]:
    versions: list[ProcedureVersion] = []
    steps = [s for s in steps if abolished is None or s[0] < abolished]
    current = base
    valid_from = steps[0][0]
    for number, (day, changes, label) in enumerate(sorted(steps, key=lambda s: s[0]), start=1):
        current = replace(current, **changes)
        if label != "created":
            valid_from = day
        versions.append(ProcedureVersion(current, number, valid_from, None, _midday(day), label))
    if abolished is not None:
        last = versions[-1]
        versions.append(
            replace(
                last,
                version=last.version + 1,
                valid_to=abolished,
                changed_at=_midday(abolished),
                change="abolished" if abolished != REFORM_DATE else "transferred_to_commune",
            )
        )
    return versions


def _generated(level: str, used: set[str]) -> list[tuple[Procedure, list[tuple[date, dict, str]], date | None]]:
    rng = rng_for(CATALOGUE_SEED, "catalogue", level)
    names = _names(level)
    rng.shuffle(names)
    out = []
    for field_code, field_name, name in names[: TARGET_COUNT[level]]:
        while True:
            code = f"{rng.choice('12')}.{rng.randrange(0, 12000):06d}"
            if code not in used:
                used.add(code)
                break
        draw, final = rng.random(), 2
        for lvl, share in LEVEL_MIX_2022:
            if draw < share:
                final = lvl
                break
            draw -= share
        if level == "province" and final == 2 and rng.random() < 0.3:
            final = 1
        days = float(rng.choice(TIME_CHOICES))
        fee = rng.choice(FEE_CHOICES)
        if level != "province":
            share = 0.002 + 0.01 * rng.random() ** 3
        else:  # drawn apart, so the catalogue's own draws (and its history) stay as they were
            share = 0.002 + 0.01 * rng_for(CATALOGUE_SEED, "province-share", code).random() ** 3
        base = Procedure(
            code, name[0].upper() + name[1:], field_code, field_name, level, days, min(final, 2), fee, share
        )
        steps: list[tuple[date, dict, str]] = [(CATALOGUE_START, {}, "created")]
        # Online upgrades: 2 -> 3 -> 4 between 2017 and mid-2022.
        if final >= 3:
            when = _random_day(rng, date(2017, 3, 1), date(2021, 12, 31))
            steps.append((when, {"online_level_legacy": 3}, "online_upgrade"))
            if final == 4:
                steps.append(
                    (
                        _random_day(rng, when.replace(day=1) if when.month < 12 else when, date(2022, 7, 15)),
                        {"online_level_legacy": 4},
                        "online_upgrade",
                    )
                )
        # Processing-time reductions (Nam Dan: 73 of 272 district procedures, 2021-2022).
        if days >= 3 and rng.random() < 0.27:
            cut = max(1.0, float(round(days * rng.uniform(0.5, 0.8))))
            steps.append(
                (_random_day(rng, date(2019, 1, 1), date(2022, 12, 31)), {"statutory_working_days": cut}, "time_cut")
            )
        # Decree 42/2022: some partial services become full-process online in 2023-2025.
        if final == 3 and rng.random() < 0.3:
            steps.append(
                (_random_day(rng, date(2023, 1, 2), date(2025, 5, 30)), {"online_level_legacy": 4}, "online_upgrade")
            )
        if fee and rng.random() < 0.1:
            steps.append(
                (_random_day(rng, date(2020, 1, 1), date(2024, 12, 31)), {"fee_amount": int(fee * 1.5)}, "fee")
            )
        abolished = _random_day(rng, date(2019, 1, 1), date(2024, 12, 31)) if rng.random() < 0.03 else None
        out.append((base, steps, abolished))
    return out


@lru_cache(maxsize=1)
def catalogue_history() -> dict[tuple[str, str], tuple[ProcedureVersion, ...]]:
    """Every catalogue record's versions, keyed by (procedure_code, authority_level)."""
    used = {p.code for p in REAL}
    entries: list[tuple[Procedure, list[tuple[date, dict, str]], date | None]] = []
    for proc in REAL:
        steps = REAL_HISTORY.get((proc.code, proc.level), [(CATALOGUE_START, {}, "created")])
        entries.append((proc, steps, None))
    for level in ("commune", "district", "province"):
        entries.extend(_generated(level, used))
    history: dict[tuple[str, str], tuple[ProcedureVersion, ...]] = {}
    for base, steps, abolished in entries:
        key = (base.code, base.level)
        if base.level == "district":
            # Two-level local government: district records end, communes take the procedures over.
            end = abolished if abolished is not None and abolished < REFORM_DATE else REFORM_DATE
            versions = _history_of(base, steps, end)
            if end == REFORM_DATE:
                last = versions[-2].procedure
                moved = replace(last, level="commune")
                history[(base.code, "commune")] = (
                    ProcedureVersion(moved, 1, REFORM_DATE, None, _midday(REFORM_DATE), "transferred_from_district"),
                )
        else:
            versions = _history_of(base, steps, abolished)
        history[key] = tuple(versions)
    return history


@lru_cache(maxsize=1)
def _change_days() -> tuple[date, ...]:
    days = {v.valid_from for versions in catalogue_history().values() for v in versions}
    days |= {v.valid_to for versions in catalogue_history().values() for v in versions if v.valid_to}
    return tuple(sorted(days))


def _epoch(day: date) -> int:
    return bisect.bisect_right(_change_days(), day)


def procedures_in_force(level: str, day: date) -> tuple[Procedure, ...]:
    """Procedures of ``level`` in force on ``day``, as of their version on that day."""
    epoch = _epoch(day)
    return _in_force(level, _change_days()[epoch - 1] if epoch else CATALOGUE_START)


@lru_cache(maxsize=1024)
def _in_force(level: str, day: date) -> tuple[Procedure, ...]:
    out = []
    for (_code, lvl), versions in catalogue_history().items():
        if lvl != level:
            continue
        current = None
        for v in versions:
            if v.valid_from <= day:
                current = v
        if current is not None and (current.valid_to is None or day < current.valid_to):
            out.append(current.procedure)
    return tuple(out)


def procedures_for(level: str, day: date | None = None) -> tuple[Procedure, ...]:
    """Procedures of ``level`` (in force on ``day``; today's catalogue when omitted)."""
    return procedures_in_force(level, day or date.today())


#: Backwards compatible: the real procedures as first published.
CATALOGUE: tuple[Procedure, ...] = REAL
