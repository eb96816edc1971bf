"""dbt's adapter start-up inside Airflow: behavior flags name their source without reading files
(``orchestration.dbt._name_flag_sources_without_reading_files``)."""

from __future__ import annotations

import inspect

from dbt_common import behavior_flags

import motcua.orchestration.dbt  # noqa: F401  (applies the change on import, as the DAG files do)


def test_a_flag_is_named_after_the_module_that_declared_it_as_before():
    flags = behavior_flags.Behavior([{"name": "probe_flag", "default": True, "description": "a probe"}], {})
    [flag] = flags._flags
    # What dbt-common's own lookup answers (the first frame outside behavior_flags: this module).
    assert flag._behavior_change_event.flag_source == inspect.getmodule(inspect.currentframe()).__name__


def test_an_explicit_source_is_kept():
    flags = behavior_flags.Behavior(
        [{"name": "probe_flag", "default": True, "description": "a probe", "source": "dbt-postgres"}], {}
    )
    assert flags._flags[0]._behavior_change_event.flag_source == "dbt-postgres"


def test_the_lookup_reads_no_source_file(monkeypatch):
    def no_files(*args, **kwargs):
        raise AssertionError("a source file was read")

    monkeypatch.setattr(inspect, "stack", no_files)
    monkeypatch.setattr(inspect, "getmodule", no_files)
    behavior_flags.Behavior([{"name": "probe_flag", "default": False, "description": "a probe"}], {})
