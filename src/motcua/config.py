"""Settings read from the environment, in one place.

Only this module reads ``MOTCUA_*`` variables; everything else asks it. Secrets are never
defaults: a password only ever arrives inside ``MOTCUA_WAREHOUSE_URL`` or an Airflow
connection (``AIRFLOW_CONN_MOTCUA_WAREHOUSE``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Airflow connection ids the DAGs use; their values come from ``AIRFLOW_CONN_<ID>`` variables.
WAREHOUSE_CONN_ID = "motcua_warehouse"
ONE_STOP_CONN_ID = "motcua_one_stop"
PORTAL_CONN_ID = "motcua_portal"

PROJECT_DIR = Path(__file__).resolve().parents[2]


class ConfigError(RuntimeError):
    """A setting is missing or wrong. The message says what to set; no traceback is shown."""


@dataclass(frozen=True)
class Settings:
    project_dir: Path
    state_dir: Path
    warehouse_url: str | None

    @property
    def dbt_project_dir(self) -> Path:
        return self.project_dir / "dbt_project"

    @property
    def dags_dir(self) -> Path:
        return self.project_dir / "dags"

    @property
    def expectations_dir(self) -> Path:
        return self.project_dir / "expectations"

    @property
    def airflow_home(self) -> Path:
        return self.state_dir / "airflow"

    @property
    def quality_dir(self) -> Path:
        """The Great Expectations project validation writes: results and the Data Docs site."""
        return self.state_dir / "quality"

    @property
    def data_docs_dir(self) -> Path:
        """The static Data Docs site (``motcua quality-docs`` serves it)."""
        return self.quality_dir / "gx" / "uncommitted" / "data_docs" / "local_site"

    @property
    def data_docs_url(self) -> str:
        """Where people open the Data Docs site (``MOTCUA_DATA_DOCS_URL``, e.g. the address
        ``motcua quality-docs`` serves it at); alerts link their validation's page under it."""
        configured = os.environ.get("MOTCUA_DATA_DOCS_URL", "").strip()
        return configured.rstrip("/") + "/" if configured else self.data_docs_dir.as_uri() + "/"

    @property
    def dbt_docs_dir(self) -> Path:
        """The dbt docs site (``motcua dbt-docs`` writes and serves it; Airflow's UI shows it
        under Browse through Cosmos's plugin)."""
        return self.state_dir / "dbt-docs"

    @property
    def drop_dir(self) -> Path:
        """Where units without an API drop their spreadsheet exports (``MOTCUA_DROP_DIR``)."""
        return Path(os.environ.get("MOTCUA_DROP_DIR", self.state_dir / "drops"))


def load_settings() -> Settings:
    """Read the settings from the environment (``MOTCUA_STATE_DIR``, ``MOTCUA_WAREHOUSE_URL``)."""
    project_dir = Path(os.environ.get("MOTCUA_PROJECT_DIR", PROJECT_DIR)).resolve()
    state_dir = Path(os.environ.get("MOTCUA_STATE_DIR", project_dir / ".state")).resolve()
    url = os.environ.get("MOTCUA_WAREHOUSE_URL") or None
    if url is not None:
        validate_postgres_url(url, "MOTCUA_WAREHOUSE_URL")
    return Settings(project_dir=project_dir, state_dir=state_dir, warehouse_url=url)


def validate_postgres_url(url: str, setting: str) -> None:
    """Fail with a message naming ``setting`` when ``url`` is not a PostgreSQL URL with a database."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"):
        raise ConfigError(
            f"{setting} must be a PostgreSQL URL such as "
            f"postgresql://user:password@host:5432/motcua, got scheme {parts.scheme!r}."
        )
    if not parts.hostname:
        raise ConfigError(f"{setting} has no host: set it like postgresql://user:password@host:5432/motcua.")
    if not parts.path.strip("/"):
        raise ConfigError(f"{setting} names no database: add it after the port, e.g. .../motcua.")


@dataclass(frozen=True)
class PostgresTarget:
    """The parts of a PostgreSQL URL, as dbt's profile and libpq want them."""

    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_url(cls, url: str) -> PostgresTarget:
        parts = urlsplit(url)
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
            dbname=parts.path.strip("/"),
        )

    def libpq_url(self) -> str:
        """A URL for psycopg 3 (plain ``postgresql://`` scheme)."""
        from urllib.parse import quote

        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.dbname}"

    def dbt_env(self) -> dict[str, str]:
        """Environment variables read by ``dbt_project/profiles.yml``."""
        return {
            "MOTCUA_DBT_HOST": self.host,
            "MOTCUA_DBT_PORT": str(self.port),
            "MOTCUA_DBT_USER": self.user,
            "MOTCUA_DBT_PASSWORD": self.password,
            "MOTCUA_DBT_DBNAME": self.dbname,
        }


def warehouse_url_for_tasks() -> str:
    """The warehouse URL inside an Airflow task or a tool run by the ``motcua`` command.

    ``MOTCUA_WAREHOUSE_URL`` wins; otherwise the Airflow connection variable that the
    ``motcua`` command (or docker compose) exports.
    """
    url = os.environ.get("MOTCUA_WAREHOUSE_URL") or os.environ.get(f"AIRFLOW_CONN_{WAREHOUSE_CONN_ID.upper()}")
    if not url:
        raise ConfigError(
            "No warehouse configured: set MOTCUA_WAREHOUSE_URL "
            "(postgresql://user:password@host:port/database), or start Motcua with the "
            "`motcua` command, which runs an embedded PostgreSQL when the variable is unset."
        )
    validate_postgres_url(url, "MOTCUA_WAREHOUSE_URL")
    return PostgresTarget.from_url(url).libpq_url()


def one_stop_feed_url() -> str:
    """Base URL of the one-stop dossier feed (the simulator or a real system)."""
    return _http_url("MOTCUA_FEED_URL", ONE_STOP_CONN_ID, "one-stop feed")


def portal_feed_url() -> str:
    """Base URL of the national portal's evaluation service (or the simulator)."""
    return _http_url("MOTCUA_PORTAL_URL", PORTAL_CONN_ID, "national portal feed")


def _http_url(setting: str, conn_id: str, what: str) -> str:
    url = os.environ.get(setting) or os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if not url:
        raise ConfigError(
            f"No {what} configured: set {setting} (e.g. http://127.0.0.1:8765) "
            f"or the Airflow connection AIRFLOW_CONN_{conn_id.upper()}."
        )
    # Airflow's URI form for an HTTP connection is http://host:port; keep only scheme, host, port.
    parts = urlsplit(url)
    scheme = parts.scheme if parts.scheme in ("http", "https") else "http"
    return f"{scheme}://{parts.netloc.split('@')[-1]}"


def feed_timeouts() -> tuple[float, float]:
    """(request timeout, first retry backoff) in seconds for source-system requests.

    ``MOTCUA_FEED_TIMEOUT_SECONDS`` (default 30) and ``MOTCUA_FEED_BACKOFF_SECONDS`` (default
    0.5, doubled on each retry).
    """
    return _non_negative("MOTCUA_FEED_TIMEOUT_SECONDS", 30), _non_negative("MOTCUA_FEED_BACKOFF_SECONDS", 0.5)


def release_lock_timing() -> tuple[timedelta, timedelta]:
    """(lease, longest wait) of the warehouse release lock (orchestration/release_lock.py).

    ``MOTCUA_RELEASE_LEASE_MINUTES`` (default 240): a holder that crashed without giving the
    lock back loses it after this long, so it must exceed the longest build-to-publish.
    ``MOTCUA_RELEASE_WAIT_MINUTES`` (default 360): how long a run waits for another's release.
    """
    lease = _non_negative("MOTCUA_RELEASE_LEASE_MINUTES", 240)
    wait = _non_negative("MOTCUA_RELEASE_WAIT_MINUTES", 360)
    return timedelta(minutes=lease), timedelta(minutes=wait)


def portal_request_interval() -> float:
    """Seconds between two requests to the national portal (``MOTCUA_PORTAL_REQUEST_INTERVAL_SECONDS``,
    default 0.5): it is a public service, not a bulk API. The simulator on this machine needs none."""
    return _non_negative("MOTCUA_PORTAL_REQUEST_INTERVAL_SECONDS", 0.5)


def portal_serves_as_of() -> bool:
    """Whether the portal answers as of a given day (``MOTCUA_PORTAL_SERVES_AS_OF=1``: the
    simulator does; the real portal is real time and keeps no history, so a past day's
    year-to-date score cannot be pulled from it)."""
    return os.environ.get("MOTCUA_PORTAL_SERVES_AS_OF", "").strip() in ("1", "true", "yes")


def _non_negative(name: str, default: float) -> float:
    raw = os.environ.get(name, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {raw!r}")
    return value


def alert_channel_urls() -> list[str]:
    """Where alerts go besides ``ops.alerts``: Apprise URLs, whitespace-separated, from
    ``MOTCUA_ALERT_URLS`` (``mailtos://user:password@smtp.host?to=oncall@...``, ``slack://...``,
    ``msteams://...``, ``gchat://...``, ``json://host/path`` for a generic JSON webhook).

    ``MOTCUA_ALERT_WEBHOOK_URL`` (an http(s) address, the older setting) still works: it becomes
    Apprise's generic JSON webhook.
    """
    urls = os.environ.get("MOTCUA_ALERT_URLS", "").split()
    webhook = os.environ.get("MOTCUA_ALERT_WEBHOOK_URL", "").strip()
    if webhook:
        scheme, sep, rest = webhook.partition("://")
        if not sep or scheme not in ("http", "https"):
            raise ConfigError(f"MOTCUA_ALERT_WEBHOOK_URL must be an http(s) URL, got {webhook!r}.")
        urls.append(("jsons://" if scheme == "https" else "json://") + rest)
    return urls


#: Shares of a source's received items quarantined in one run above which the run warns, and
#: above which nothing from the source is published (``landing.feed_checks``).
FEED_WARN_SHARE = 0.02
FEED_BLOCK_SHARE = 0.25


def _per_source(setting: str, source: str) -> str | None:
    """A feed setting's value for ``source``: ``<SETTING>_<SOURCE>`` first, then ``<SETTING>``."""
    return os.environ.get(f"{setting}_{source.upper()}") or os.environ.get(setting)


def feed_check_thresholds(source: str) -> tuple[float, float]:
    """(warn, block) quarantined shares for ``source``: ``MOTCUA_FEED_WARN_SHARE`` /
    ``MOTCUA_FEED_BLOCK_SHARE``, or per source with the source's name appended in capitals
    (``MOTCUA_FEED_BLOCK_SHARE_SATISFACTION_RATINGS=0.5``)."""

    def share(setting: str, default: float) -> float:
        raw = _per_source(setting, source) or str(default)
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{setting} must be a share between 0 and 1, got {raw!r}.") from None
        if not 0 <= value <= 1:
            raise ConfigError(f"{setting} must be a share between 0 and 1, got {raw!r}.")
        return value

    warn, block = share("MOTCUA_FEED_WARN_SHARE", FEED_WARN_SHARE), share("MOTCUA_FEED_BLOCK_SHARE", FEED_BLOCK_SHARE)
    if block < warn:
        raise ConfigError(f"the block share of {source} ({block}) is below its warn share ({warn}).")
    return warn, block


def bi_login_password() -> str:
    """``MOTCUA_BI_PASSWORD``: the password ``motcua bi-login create`` gives a BI login (never an
    argument: it would stay in the shell history and the process list)."""
    password = os.environ.get("MOTCUA_BI_PASSWORD", "")
    if not password:
        raise ConfigError("set MOTCUA_BI_PASSWORD to the new login's password (read from the environment only).")
    return password


#: Days a unit's feed may deliver nothing before it is a silent feed (``landing.feed_silence``).
#: Ten days spans the longest public holiday (Tết) without a false alarm; ratings come from
#: kiosks that small communes' citizens use rarely; the catalogue is province-wide and changes
#: only when a decision publishes procedures, so its silence means nothing (0: not checked).
FEED_SILENT_DAYS = {
    "one_stop_dossiers": 10,
    "eoffice_documents": 10,
    "satisfaction_ratings": 21,
    "procedure_catalogue": 0,
}

#: How far back a unit's last delivery is looked for: a day's check reads this window of the
#: ledger, never its whole history; a threshold must stay below it.
FEED_SILENCE_LOOK_BACK_DAYS = 60


def feed_silent_days(source: str) -> float:
    """``MOTCUA_FEED_SILENT_DAYS`` (every source) or ``MOTCUA_FEED_SILENT_DAYS_<SOURCE>``: days
    without any delivered item after which a unit's feed alerts; 0 turns the check off."""
    setting = "MOTCUA_FEED_SILENT_DAYS"
    raw = _per_source(setting, source)
    if raw is None:
        return FEED_SILENT_DAYS.get(source, 10)
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{setting} must be a number of days, got {raw!r}.") from None
    if not 0 <= value < FEED_SILENCE_LOOK_BACK_DAYS:
        raise ConfigError(f"{setting} must be between 0 (off) and {FEED_SILENCE_LOOK_BACK_DAYS} days, got {raw!r}.")
    return value


#: At most this many units may be held back by one run (``quality.gate``): failures spread wider
#: than that are a systemic fault, and block the release instead. 0 turns unit holdback off.
HOLDBACK_MAX_UNITS = 5


def holdback_max_units() -> int:
    """``MOTCUA_HOLDBACK_MAX_UNITS``: how many units' failing rows a release may hold back while
    it publishes the other units (0: any failure blocks the release)."""
    raw = os.environ.get("MOTCUA_HOLDBACK_MAX_UNITS") or str(HOLDBACK_MAX_UNITS)
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"MOTCUA_HOLDBACK_MAX_UNITS must be a whole number of units, got {raw!r}.") from None
    if value < 0:
        raise ConfigError(f"MOTCUA_HOLDBACK_MAX_UNITS must be 0 or more, got {raw!r}.")
    return value
