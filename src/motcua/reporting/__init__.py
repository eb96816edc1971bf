"""The scorecard report (``motcua report``): figures read from ``published``, written as one
self-contained HTML file (``data`` reads, ``charts`` draws, ``render`` writes)."""
