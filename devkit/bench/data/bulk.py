"""Bulk loading for the benchmark data: COPY on Postgres, bulk INSERT elsewhere, with progress."""

import csv
import io
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime

from django.db import connection, transaction


class Progress:
    """One updating line on stderr: what, how many of how many, and how long so far."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.started = label, total, 0, time.monotonic()

    def advance(self, count: int) -> None:
        self.done += count
        percent = min(100, 100 * self.done / self.total) if self.total else 100
        elapsed = time.monotonic() - self.started
        sys.stderr.write(f"\r{self.label}: {self.done:,} ({percent:.0f}%) {elapsed:.1f}s")
        sys.stderr.flush()

    def finish(self) -> None:
        sys.stderr.write("\n")


def bulk_write(
    model, columns: list[str], rows: Iterator[tuple], progress: Progress, batch: int = 20_000
) -> None:
    """Insert rows in batches: COPY on Postgres, bulk INSERT elsewhere."""
    write: Callable[[list[tuple]], None] = (
        _copy(model, columns) if connection.vendor == "postgresql" else _insert(model, columns)
    )
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            write(chunk)
            progress.advance(len(chunk))
            chunk = []
    if chunk:
        write(chunk)
        progress.advance(len(chunk))
    progress.finish()


def _copy(model, columns: list[str]) -> Callable[[list[tuple]], None]:
    table = model._meta.db_table

    def write(chunk: list[tuple]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in chunk:
            writer.writerow(["\\N" if value is None else _csv(value) for value in row])
        buffer.seek(0)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
            )

    return write


def _csv(value) -> str:
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _insert(model, columns: list[str]) -> Callable[[list[tuple]], None]:
    def write(chunk: list[tuple]) -> None:
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in chunk], batch_size=2000
        )

    return write
