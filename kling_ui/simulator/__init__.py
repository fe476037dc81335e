"""The embedded Kling API simulator: the demo backend and every test's Kling.

It speaks the HTTP contract of shared/KLING_API.md over real loopback HTTP: JWT and API-key
checks, Kling's validation and error codes, the account's concurrency limit (shared with
other apps' foreign tasks), tasks that succeed or fail by wall time, callbacks, injected
faults and unreachable phases, and a real H.264 video of the transition. `realworld` mode
answers in every shape the docs leave open (see realworld.py).
"""

from kling_ui.simulator.auth import sign_token
from kling_ui.simulator.config import SimulatorConfig
from kling_ui.simulator.samples import slide_b64, slide_png
from kling_ui.simulator.server import SimulatorServer

__all__ = ["SimulatorConfig", "SimulatorServer", "sign_token", "slide_b64", "slide_png"]
