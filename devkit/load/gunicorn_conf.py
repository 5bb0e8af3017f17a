"""gunicorn hooks for `manage.py load --profile`: each worker samples where its CPU goes
(devkit/load/profiler.py) and writes it to LOAD_PROFILE_DIR when it stops."""

import os

from devkit.load import profiler

PROFILE_DIR = os.environ.get("LOAD_PROFILE_DIR", "")


def post_worker_init(worker) -> None:
    if PROFILE_DIR:
        profiler.worker_started(PROFILE_DIR)


def post_request(worker, req, environ, resp) -> None:
    profiler.request_done()


def worker_exit(server, worker) -> None:
    profiler.worker_stopping()
