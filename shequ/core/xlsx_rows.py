"""Reading the rows of a large .xlsx in a second process, so parsing the file (openpyxl: about a third of an
import's time) runs on another core while this process validates and writes.

`rows(path)` yields `(total_rows_estimate, iterator of row tuples)`. Small files are read in this process (a
second interpreter costs ~0.3 s). The reader process is started with "spawn" (a fresh interpreter: forking a
threaded web worker that holds database connections is unsafe) and imports nothing but this module and
openpyxl, so it needs no Django. Errors in the reader are raised here; a consumer that stops early stops it.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_module

CHUNK = 1000
INLINE_BELOW_BYTES = 256 * 1024  # about 5,000 rows of residents


def _read(path: str, out) -> None:
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        out.put(("total", ws.max_row or 0))
        chunk = []
        for row in ws.iter_rows(values_only=True):
            chunk.append(row)
            if len(chunk) >= CHUNK:
                out.put(("rows", chunk))
                chunk = []
        if chunk:
            out.put(("rows", chunk))
        wb.close()
        out.put(("end", None))
    except Exception as exc:  # reported to the consumer, which raises it
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def _inline(path: str):
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]

    def iterate():
        try:
            yield from ws.iter_rows(values_only=True)
        finally:
            wb.close()

    return ws.max_row or 0, iterate()


class ReaderError(Exception):
    pass


def rows(path: str):
    if os.path.getsize(path) < INLINE_BELOW_BYTES:
        return _inline(path)
    ctx = mp.get_context("spawn")
    out = ctx.Queue(maxsize=8)
    process = ctx.Process(target=_read, args=(str(path), out), daemon=True)
    process.start()

    def receive():
        while True:
            try:
                return out.get(timeout=5)
            except queue_module.Empty:
                if not process.is_alive():
                    raise ReaderError("the reader process ended unexpectedly") from None

    first = receive()
    if first[0] == "error":
        process.join(5)
        raise ReaderError(first[1])

    def iterate():
        try:
            while True:
                kind, payload = receive()
                if kind == "rows":
                    yield from payload
                elif kind == "end":
                    return
                else:
                    raise ReaderError(payload)
        finally:
            if process.is_alive():
                process.terminate()
            process.join(5)
            out.close()

    return first[1], iterate()


def cell(row, mapping: dict, header: str):
    """The value under `header` in a read row (`mapping`: header → column index): whole floats as ints,
    datetimes as dates, text stripped; None when the column is missing or the row is short."""
    import datetime as dt

    index = mapping.get(header)
    if index is None or index >= len(row):
        return None
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        value = value.strip()
    return value
