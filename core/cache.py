"""The Redis client behind the cache: after a call fails or times out, the calls of the next
REDIS_BREAKER_SECONDS fail at once instead of each waiting REDIS_TIMEOUT_SECONDS again.

django-redis turns every failure into a miss (IGNORE_EXCEPTIONS), so a page works without Redis;
but a page makes several cache calls (the session read and written, the collision notice, the
dashboard's counts), and with Redis frozen each one waited its full timeout: pages took seconds,
gunicorn's workers were all waiting, and /readyz waited behind them past its 2 s bound
(bench/faults/redis_outage.py). Now a process pays one timeout per REDIS_BREAKER_SECONDS while
Redis is away, and the first call after that finds out whether it is back.
"""

import threading
import time

import redis
from django.conf import settings

_lock = threading.Lock()
_skip_until = 0.0  # time.monotonic() until which this process does not try Redis


class CircuitBreakingRedis(redis.Redis):
    """redis.Redis that stops trying for a few seconds after a connection error or timeout."""

    def execute_command(self, *args, **options):
        _raise_if_open()
        try:
            return super().execute_command(*args, **options)
        except (redis.ConnectionError, redis.TimeoutError):
            _open()
            raise

    def pipeline(self, *args, **kwargs):
        _raise_if_open()
        return _BreakingPipeline(super().pipeline(*args, **kwargs))


class _BreakingPipeline:
    def __init__(self, pipeline) -> None:
        self._pipeline = pipeline

    def __getattr__(self, name):
        return getattr(self._pipeline, name)

    def execute(self, *args, **kwargs):
        try:
            return self._pipeline.execute(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError):
            _open()
            raise


def _raise_if_open() -> None:
    if time.monotonic() < _skip_until:
        raise redis.ConnectionError("Redis failed moments ago; not tried again yet")


def _open() -> None:
    global _skip_until
    with _lock:
        _skip_until = time.monotonic() + settings.REDIS_BREAKER_SECONDS


def breaker_reset() -> None:
    """Try Redis again at the next call (tests)."""
    global _skip_until
    with _lock:
        _skip_until = 0.0
