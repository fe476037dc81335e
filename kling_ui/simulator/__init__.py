"""The embedded Kling API simulator: the demo backend and every test's Kling.

It speaks the HTTP contract of shared/KLING_API.md over real loopback HTTP: JWT checks,
Kling's validation and error codes, the account's concurrency limit, tasks that succeed or
fail by wall time, callbacks, injected faults, and a real H.264 video of the transition.
"""

from kling_ui.simulator.auth import sign_token
from kling_ui.simulator.config import SimulatorConfig
from kling_ui.simulator.samples import slide_b64, slide_png
from kling_ui.simulator.server import SimulatorServer

__all__ = ["SimulatorConfig", "SimulatorServer", "sign_token", "slide_b64", "slide_png"]
