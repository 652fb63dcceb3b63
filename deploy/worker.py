"""One Streamlit worker: `streamlit run ...` with every thread's stack on SIGUSR1 (deploy/supervise.py).

`kill -USR1 <pid>` writes the Python stack of every thread to the worker's log without stopping it. The
handler runs in C and does not need the GIL, so it works when the worker is stuck with the GIL held,
which is what the load test's stall watchdog looks for (it prefers `py-spy dump --native` when installed).
"""

from __future__ import annotations

import faulthandler
import signal
import sys

from streamlit.web.cli import main

if __name__ == "__main__":
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    sys.argv[0] = "streamlit"
    sys.exit(main())
