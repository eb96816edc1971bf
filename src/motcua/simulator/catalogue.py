"""The simulated procedure catalogue (danh mục thủ tục hành chính).

Names and fields are real procedures handled by one-stop departments; codes follow the
national database's format (``^[12]\\.\\d{6}$``). Only 1.001193 (birth registration) is the
real national code; the others are simulated codes in the same format.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field_code: str
    field_name: str
    level: str  # level of authority: "commune" or "district"
    statutory_working_days: float
    online_level_legacy: int  # 2..4 under Decree 43/2011
    fee_amount: int  # VND; 0 = free
    share: float  # relative frequency among the level's dossiers


CATALOGUE: tuple[Procedure, ...] = (
    Procedure("1.001193", "Đăng ký khai sinh", "HT", "Hộ tịch", "commune", 1, 4, 0, 0.22),
    Procedure("1.001022", "Đăng ký kết hôn", "HT", "Hộ tịch", "commune", 1, 3, 0, 0.06),
    Procedure("1.000656", "Đăng ký khai tử", "HT", "Hộ tịch", "commune", 1, 4, 0, 0.05),
    Procedure("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "HT", "Hộ tịch", "commune", 3, 4, 0, 0.10),
    Procedure("2.000815", "Chứng thực bản sao từ bản chính", "CT", "Chứng thực", "commune", 0.5, 2, 2000, 0.42),
    Procedure("2.000884", "Chứng thực chữ ký trong giấy tờ, văn bản", "CT", "Chứng thực", "commune", 1, 2, 10000, 0.10),
    Procedure("1.003596", "Trợ cấp xã hội hằng tháng đối với người cao tuổi", "BTXH", "Bảo trợ xã hội",
              "commune", 7, 3, 0, 0.05),
    Procedure("2.000046", "Đăng ký thành lập hộ kinh doanh", "TLHKD", "Thành lập và hoạt động của hộ kinh doanh",
              "district", 3, 4, 100000, 0.18),
    Procedure("1.011612", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "XD", "Hoạt động xây dựng",
              "district", 15, 3, 75000, 0.12),
    Procedure("1.004227", "Đăng ký biến động quyền sử dụng đất", "DD", "Đất đai", "district", 10, 3, 50000, 0.35),
    Procedure("2.001711", "Cấp Giấy chứng nhận đủ điều kiện an toàn thực phẩm", "ATTP", "An toàn thực phẩm",
              "district", 15, 3, 700000, 0.05),
    Procedure("1.001766", "Cấp bản sao trích lục hộ tịch", "HT", "Hộ tịch", "district", 1, 4, 8000, 0.30),
)


def procedures_for(level: str) -> tuple[Procedure, ...]:
    return tuple(p for p in CATALOGUE if p.level == level)
