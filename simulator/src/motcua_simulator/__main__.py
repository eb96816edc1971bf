"""``python -m motcua_simulator``: serve the simulator over HTTP (see :func:`motcua_simulator.server.main`)."""

import sys

from motcua_simulator.server import main

sys.exit(main())
