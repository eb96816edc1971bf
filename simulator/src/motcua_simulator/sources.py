"""The four feeds the simulator serves, as versioned entities over time.

An entity is a record with a key and the moments it changed (one ``version`` each). A pull of
``[updated_since, updated_until)`` returns every entity whose last *visible* change falls in the
interval, at its state as of that change. A change is visible once committed: normally at once,
with the late-commit fault up to ``late_commit_max_minutes`` later (the extractor's one-hour
overlap window catches it on the next pull).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from motcua_simulator.catalogue import catalogue_history
from motcua_simulator.documents import DOCUMENT_LIFETIME, documents_of_day
from motcua_simulator.dossiers import SimulationProfile, active_dossiers, dossiers_held, state_held_by
from motcua_simulator.ratings import RATING_LAG, rating_for
from motcua_simulator.reference import Unit, in_force
from motcua_simulator.workdays.deadlines import VN_TZ

SOURCES = ("dossiers", "procedures", "ratings", "documents")
UNIT_SOURCES = ("dossiers", "ratings", "documents")
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "dossiers": ("dossier_code",),
    "procedures": ("procedure_code", "authority_level"),
    "ratings": ("rating_id",),
    "documents": ("document_id",),
}
#: Field aliases a correct extractor must accept (schema drift of some source versions).
FIELD_ALIASES: dict[str, dict[str, str]] = {"dossiers": {"kenh_nop": "channel"}}


@dataclass(frozen=True)
class Entity:
    key: str
    changes: tuple[datetime, ...]  # sorted; one version each
    state: Callable[[datetime], dict | None]


def record_key(source: str, record: dict) -> str:
    """The key of a record as one string (``procedure_code|authority_level`` for procedures)."""
    return "|".join(str(record[f]) for f in KEY_FIELDS[source])


def _parse_ts(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def validate(source: str, item: object) -> str | None:
    """Why ``item`` must be quarantined, or None for a good record."""
    if not isinstance(item, dict):
        return "not_an_object"
    for name in KEY_FIELDS[source]:
        value = item.get(name)
        if not isinstance(value, str) or not value:
            return "missing_key"
    version = item.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        return "version_not_integer"
    if _parse_ts(item.get("updated_at")) is None:
        return "broken_timestamp"
    return None


def interval_records(
    entities: Iterable[Entity],
    since: datetime,
    until: datetime,
    lag: Callable[[str, int], timedelta] | None = None,
) -> list[tuple[datetime, str, dict]]:
    """(updated_at, key, record) of entities whose last visible change is in ``[since, until)``."""
    out: list[tuple[datetime, str, dict]] = []
    for entity in entities:
        visible = None
        for number, at in enumerate(entity.changes, start=1):
            if at >= until:
                break
            if lag is not None and at + lag(entity.key, number) >= until:
                continue
            visible = at
        if visible is not None and visible >= since:
            record = entity.state(visible)
            if record is not None:
                out.append((visible, entity.key, record))
    out.sort(key=lambda item: (item[0], item[1]))
    return out


# -- generated entities ----------------------------------------------------------------------
def dossier_entities(unit: Unit, since: datetime, until: datetime, profile: SimulationProfile) -> list[Entity]:
    return [
        Entity(d.dossier_code, tuple(d.change_times()), state_held_by(d, unit))
        for d in dossiers_held(unit, since, until, profile)
        if d.first_seen_at < until
    ]


def rating_entities(unit: Unit, since: datetime, until: datetime, profile: SimulationProfile) -> list[Entity]:
    out = []
    for dossier in active_dossiers(unit, since - RATING_LAG, until, profile):
        rating = rating_for(dossier, profile)
        if rating is not None and rating.change_times()[-1] >= since:
            out.append(Entity(rating.rating_id, tuple(rating.change_times()), rating.as_of))
    return out


def document_entities(unit: Unit, since: datetime, until: datetime, profile: SimulationProfile) -> list[Entity]:
    out = []
    day = (since - DOCUMENT_LIFETIME).astimezone(VN_TZ).date()
    last = until.astimezone(VN_TZ).date()
    while day <= last:
        if in_force(unit, day):
            for doc in documents_of_day(unit, day, profile):
                changes = doc.change_times()
                if changes[-1] >= since and changes[0] < until:
                    out.append(Entity(doc.document_id, tuple(changes), doc.as_of))
        day += timedelta(days=1)
    return out


def procedure_entities() -> list[Entity]:
    out = []
    for (code, level), versions in catalogue_history().items():

        def state(at: datetime, versions=versions) -> dict | None:
            current = [v for v in versions if v.changed_at <= at]
            if not current:
                return None
            record = current[-1].record()
            record["version"] = len(current)
            return record

        out.append(Entity(f"{code}|{level}", tuple(v.changed_at for v in versions), state))
    return out


UNIT_GENERATORS: dict[str, Callable[[Unit, datetime, datetime, SimulationProfile], list[Entity]]] = {
    "dossiers": dossier_entities,
    "ratings": rating_entities,
    "documents": document_entities,
}
