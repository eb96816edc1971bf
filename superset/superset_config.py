"""Superset's configuration for Motcua (SUPERSET_CONFIG_PATH points here).

Everything that differs between machines comes from the environment, set by `motcua bi superset`
(src/motcua/bi/superset.py) or by docker-compose.yml: where Superset keeps its own metadata
(SQLite by default), its secret key, and the BI login's password. Nothing secret is in this file.
"""

import os

DATA_DIR = os.environ["SUPERSET_HOME"]
SECRET_KEY = os.environ["MOTCUA_SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = os.environ.get(
    "MOTCUA_SUPERSET_METADATA_URI", f"sqlite:///{DATA_DIR}/superset.db?check_same_thread=false"
)
# No example data: the import would otherwise create an `examples` database beside the warehouse.
SQLALCHEMY_EXAMPLES_URI = SQLALCHEMY_DATABASE_URI

# A content security policy that lets pages load from this server only. Superset's own policy
# allows its telemetry pixel (apachesuperset.gateway.scarf.sh, drawn in the menu of every page
# by the compiled front end, with no setting to turn it off) and map tiles: a provincial
# warehouse's dashboards must not call out. Served on 127.0.0.1 (or behind the compose stack's
# proxy): no HTTPS redirect here.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
# Every chart of a dashboard renders, also those below the fold (leaders print the page).
FEATURE_FLAGS = {"DASHBOARD_VIRTUALIZATION": False}


def _warehouse_password(url):
    """The warehouse connection's password: the BI login's, from the environment only."""
    return os.environ.get("MOTCUA_BI_PASSWORD")


SQLALCHEMY_CUSTOM_PASSWORD_STORE = _warehouse_password
