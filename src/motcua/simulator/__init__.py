"""A simulator of the source systems around a one-stop department (bộ phận một cửa).

It serves what the real systems serve, over the documented feed contract
(``docs/feed_contract.md``), so the extractors in :mod:`motcua.feeds` work unchanged against
either. It never imports the extractors, and they never import it.

- :mod:`~motcua.simulator.app`: ``create_app(profile, unit_codes, *, faults, fixtures_dir, truth)``
- :mod:`~motcua.simulator.dossiers`: dossiers (hồ sơ), ``SimulationProfile``
- :mod:`~motcua.simulator.catalogue`: procedure catalogue (danh mục TTHC) and its history
- :mod:`~motcua.simulator.ratings`, :mod:`~motcua.simulator.documents`: satisfaction ratings,
  e-office documents
- :mod:`~motcua.simulator.faults`: ``FaultConfig``; :mod:`~motcua.simulator.truth`: ``GroundTruth``
- :mod:`~motcua.simulator.fixtures`: fixture mode; :mod:`~motcua.simulator.spreadsheets`:
  ``write_spreadsheet_drop``

See docs/simulator.md.
"""
