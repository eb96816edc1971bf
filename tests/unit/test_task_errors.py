"""Inside a task, an unreachable warehouse is one clear line naming where and what to check.

Before, the validate task failed with Great Expectations' 124-line traceback and the other
tasks with psycopg's multi-line error chained under it.
"""

from __future__ import annotations

import traceback
from datetime import UTC, datetime

import pytest

from motcua.orchestration import tasks
from motcua.warehouse.connect import WarehouseUnreachable

NOWHERE = "postgresql://motcua:secret@127.0.0.1:1/motcua"
DAY = (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC))

TASKS = {
    "validate": lambda: tasks.validate("manual__x", ["fct_dossiers"]),
    "publish": lambda: tasks.publish_run("manual__x", ["fct_dossiers"]),
    "begin_release": lambda: tasks.begin_release("motcua_daily/manual__x"),
    "extract_load_unit": lambda: tasks.extract_load_unit("430", *DAY),
    "land_spreadsheet_drops": tasks.land_spreadsheet_drops,
}


@pytest.mark.parametrize("task", TASKS)
def test_an_unreachable_warehouse_is_one_clear_line(monkeypatch, task):
    monkeypatch.setenv("MOTCUA_WAREHOUSE_URL", NOWHERE)
    monkeypatch.setenv("MOTCUA_FEED_URL", "http://127.0.0.1:1")
    with pytest.raises(WarehouseUnreachable) as failure:
        TASKS[task]()
    message = str(failure.value)
    assert "\n" not in message
    assert message.startswith("Cannot connect to the warehouse at 127.0.0.1:1/motcua as motcua: ")
    assert "MOTCUA_WAREHOUSE_URL" in message and "secret" not in message
    # No chained psycopg or GX error under it: the log shows this line and where it was raised.
    assert failure.value.__cause__ is None and failure.value.__suppress_context__
    printed = "".join(traceback.format_exception(failure.value))
    assert "During handling" not in printed and "great_expectations" not in printed
