"""The scorecard report's dbt exposure names exactly the marts whose published views the report
reads: lineage in dbt docs shows the report under every mart it would break with."""

from __future__ import annotations

import json
import re
from pathlib import Path

from motcua.orchestration.dbt import MANIFEST_PATH
from motcua.publishing.contract import published_views
from motcua.reporting import data


def test_the_report_exposure_depends_on_the_marts_the_report_reads():
    source = Path(data.__file__).read_text(encoding="utf-8")
    read = set(re.findall(r"published\.([a-z0-9_]+)", source))
    # _published() checks a view by name: those names are read too.
    read |= set(re.findall(r'_published\(conn, "([a-z0-9_]+)"\)', source))
    marts = {view.view: view.mart for view in published_views(MANIFEST_PATH)}
    assert read <= set(marts), read - set(marts)
    manifest = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    exposure = manifest["exposures"]["exposure.motcua.scorecard_report"]
    assert {node.removeprefix("model.motcua.") for node in exposure["depends_on"]["nodes"]} == {
        marts[view] for view in read
    }
