"""A simulator of the source systems around a one-stop department (bộ phận một cửa).

It serves what the real systems serve, over the documented feed contract
(``docs/feed_contract.md``), so the extractors in :mod:`motcua.feeds` work unchanged against
either. It never imports the extractors, and they never import it.

- :mod:`~motcua_simulator.app`: ``create_app(profile, unit_codes, *, faults, fixtures_dir, truth)``
- :mod:`~motcua_simulator.dossiers`: dossiers (hồ sơ), ``SimulationProfile``
- :mod:`~motcua_simulator.catalogue`: procedure catalogue (danh mục TTHC) and its history
- :mod:`~motcua_simulator.ratings`, :mod:`~motcua_simulator.documents`: satisfaction ratings,
  e-office documents
- :mod:`~motcua_simulator.faults`: ``FaultConfig``; :mod:`~motcua_simulator.truth`: ``GroundTruth``
- :mod:`~motcua_simulator.fixtures`: fixture mode; :mod:`~motcua_simulator.spreadsheets`:
  ``write_spreadsheet_drop``

See docs/simulator.md.
"""
