"""A simulator of the source systems around a one-stop department (bộ phận một cửa).

It serves what the real systems serve, over the documented feed contract
(``docs/feed_contract.md``), so the extractors in :mod:`motcua.feeds` work unchanged against
either. It never imports the extractors, and they never import it.
"""
