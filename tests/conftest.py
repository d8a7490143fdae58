"""What every test process shares: an xdist worker starts with COLUMNS=80 and LINES=24 in its environment (a plain
`pytest` process has none). The CLI's rich console reads COLUMNS once, when it is imported, so a test that asks
a wider console through CliRunner's `env` would get 80 columns on a worker; unset, the console reads COLUMNS at
each print, as it does in a plain run."""

from __future__ import annotations

import os

if os.environ.get("PYTEST_XDIST_WORKER"):
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)
