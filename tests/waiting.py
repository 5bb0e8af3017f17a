import time
from collections.abc import Callable


def wait_until(condition: Callable[[], bool], *, timeout: float = 15, message: str = "condition") -> None:
    """Poll until the condition holds: for work a real worker does in its own thread."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(0.05)
