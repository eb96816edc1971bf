"""Satisfaction ratings (đánh giá mức độ hài lòng) of dossier handling.

Each rating belongs to a generated dossier that was returned (status 10): citizens rate at the
kiosk of the one-stop department when they collect the result, on the portal, or by SMS. At
most one rating per dossier (``rating_id`` = dossier code + ``-DG``); a small share is edited
later (version 2). Late dossiers are rated worse. Calibrated so that ~90-95 % of ratings are
"satisfied" (the 766 index counts full points at 90 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from motcua_simulator.clock import office_after, rng_for
from motcua_simulator.dossiers import RETURNED, Dossier, SimulationProfile

RATING_PROBABILITY = {1: 0.35, 2: 0.30, 3: 0.15}  # by dossier channel: direct, online, postal
COMMENTS_GOOD = ("Cán bộ hướng dẫn nhiệt tình, chu đáo", "Giải quyết nhanh, đúng hẹn", "Rất hài lòng")
COMMENTS_BAD = ("Trả kết quả chậm so với giấy hẹn", "Phải đi lại nhiều lần", "Hướng dẫn chưa rõ ràng")
SCORES_ON_TIME = ((5, 0.70), (4, 0.23), (3, 0.05), (2, 0.015), (1, 0.005))
SCORES_LATE = ((5, 0.15), (4, 0.25), (3, 0.25), (2, 0.20), (1, 0.15))


def satisfaction_of(score: int) -> str:
    """4-5 satisfied (hài lòng), 3 normal (bình thường), 1-2 unsatisfied (không hài lòng)."""
    return "satisfied" if score >= 4 else "normal" if score == 3 else "unsatisfied"


def _score(rng, late: bool) -> int:
    draw = rng.random()
    for score, p in SCORES_LATE if late else SCORES_ON_TIME:
        if draw < p:
            return score
        draw -= p
    return 5


@dataclass(frozen=True)
class Rating:
    rating_id: str
    dossier: Dossier
    channel: str  # kiosk | portal | sms
    versions: tuple[tuple[datetime, int, str | None], ...]  # (at, score, comment)

    def change_times(self) -> list[datetime]:
        return [at for at, _, _ in self.versions]

    def as_of(self, as_of: datetime) -> dict | None:
        seen = [v for v in self.versions if v[0] <= as_of]
        if not seen:
            return None
        at, score, comment = seen[-1]
        return {
            "rating_id": self.rating_id,
            "version": len(seen),
            "updated_at": at.isoformat(),
            "rated_at": self.versions[0][0].isoformat(),
            "dossier_code": self.dossier.dossier_code,
            "unit_code": self.dossier.unit.code,
            "procedure_code": self.dossier.procedure.code,
            "channel": self.channel,
            # SMS ratings have no numeric score, only the three-way answer.
            "score": None if self.channel == "sms" else score,
            "satisfaction": satisfaction_of(score),
            "comment": comment,
        }


def rating_for(dossier: Dossier, profile: SimulationProfile) -> Rating | None:
    """The rating of ``dossier``, if its applicant left one (deterministic)."""
    returned = next((at for s, at in dossier.events if s == RETURNED), None)
    if returned is None:
        return None
    rng = rng_for(profile.seed, "rating", dossier.dossier_code)
    if rng.random() >= RATING_PROBABILITY.get(dossier.channel, 0.3):
        return None
    if dossier.channel == 1 and rng.random() < 0.8:
        channel = "kiosk"
        rated_at = office_after(returned, rng.randrange(1, 10))
    elif rng.random() < 0.6:
        channel = "portal"
        rated_at = returned + timedelta(minutes=rng.randrange(5, 72 * 60))
    else:
        channel = "sms"
        rated_at = returned + timedelta(minutes=rng.randrange(10, 24 * 60))
    rated_at = rated_at.replace(microsecond=0)
    late = dossier.is_late
    score = _score(rng, late)
    comment = None
    if rng.random() < 0.15:
        comment = rng.choice(COMMENTS_GOOD if score >= 4 else COMMENTS_BAD)
    versions = [(rated_at, score, comment)]
    if channel != "kiosk" and rng.random() < 0.03:  # the citizen changes the rating later
        versions.append((rated_at + timedelta(minutes=rng.randrange(30, 48 * 60)), min(5, score + 1), comment))
    return Rating(f"{dossier.dossier_code}-DG", dossier, channel, tuple(versions))


#: Ratings can follow the dossier's last change by up to this much (portal 72 h + edit 48 h).
RATING_LAG = timedelta(days=6)
