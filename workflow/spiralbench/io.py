"""Reading and writing result files so that the same content always gives the same bytes.

Deterministic outputs are compared byte for byte by the reproducibility check, so every writer here
fixes what would otherwise vary between runs: zip timestamps in ``.npz`` files, key order in JSON,
float formatting, column order and line endings in CSV. Every reader turns a missing, truncated or
corrupted file into a ``ResultFileError`` that names the file, instead of a stack trace from deep
inside numpy or zipfile.

Files are written in place: the workflow engine deletes the declared outputs of a job that fails or
is killed, so a half-written file never survives a rerun, and no temporary file is left beside them.
"""
from __future__ import annotations

import io
import json
import math
import zipfile
from pathlib import Path

from typing import TYPE_CHECKING

import numpy as np

# pandas is imported where a CSV is read or written: it takes about a second to import, and the jobs
# that only read and write arrays (the data split, the fresh sample) do not need it.
if TYPE_CHECKING:
    import pandas as pd

# The earliest timestamp a zip entry can carry; any fixed value would do, this one is conventional.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class ResultFileError(RuntimeError):
    """A result file is missing, unreadable, or lacks what its reader needs. The message names the file.

    Raised ``from None``: the message already quotes the underlying error, and the chained traceback
    from inside numpy, zipfile or pandas would bury it.
    """


def _ensure_parent(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)


# ---------------------------------------------------------------- .npz


def save_npz(path, **arrays) -> None:
    """Write arrays to ``path`` like ``np.savez``, but byte-identical for identical arrays.

    ``np.savez`` stamps the current time into every zip entry; here each entry gets the same fixed
    timestamp and the entries are written in sorted-name order.
    """
    path = Path(path)
    _ensure_parent(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(arrays[name]), allow_pickle=False)
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_EPOCH)
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, buffer.getvalue())


def load_npz(path, keys=None) -> dict[str, np.ndarray]:
    """Read every array of an ``.npz`` file (or only ``keys``, which must all be present) into a dict."""
    path = Path(path)
    if not path.is_file():
        raise ResultFileError(f"{path}: file not found")
    try:
        with np.load(path, allow_pickle=False) as archive:
            available = sorted(archive.files)
            wanted = available if keys is None else list(keys)
            missing = [key for key in wanted if key not in available]
            if missing:
                raise ResultFileError(
                    f"{path}: missing array(s) {', '.join(missing)} (the file has: {', '.join(available)})"
                )
            return {key: archive[key] for key in wanted}
    except ResultFileError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as error:
        raise ResultFileError(f"{path}: not a readable .npz file (truncated or corrupted?): {error}") from None


# ---------------------------------------------------------------- JSON


def _json_ready(value):
    """Non-finite floats become null: JSON has no NaN, and a reader should see 'no value'."""
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path, data) -> None:
    """Write ``data`` as indented JSON with sorted keys (floats in Python's shortest round-trip form)."""
    path = Path(path)
    _ensure_parent(path)
    text = json.dumps(_json_ready(data), indent=2, sort_keys=True, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def read_json(path, required=()) -> dict:
    """Read a JSON object; ``required`` keys must be present."""
    path = Path(path)
    if not path.is_file():
        raise ResultFileError(f"{path}: file not found")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ResultFileError(f"{path}: not valid JSON (truncated or corrupted?): {error}") from None
    if not isinstance(data, dict):
        raise ResultFileError(f"{path}: expected a JSON object, found {type(data).__name__}")
    missing = [key for key in required if key not in data]
    if missing:
        raise ResultFileError(f"{path}: missing key(s) {', '.join(missing)}")
    return data


# ---------------------------------------------------------------- CSV


def format_float(value) -> str:
    """Shortest text that reads back as exactly the same float (Python's repr); empty for NaN."""
    value = float(value)
    if math.isnan(value):
        return ""
    return repr(value)


def write_csv(path, table: pd.DataFrame, columns=None) -> None:
    """Write a table with a fixed column order, exact floats, empty cells for missing values, ``\\n`` endings.

    Sorting rows is the caller's job (it knows the key columns).
    """
    path = Path(path)
    _ensure_parent(path)
    if columns is not None:
        absent = [column for column in columns if column not in table.columns]
        if absent:
            raise ValueError(f"writing {path}: table lacks column(s) {', '.join(absent)}")
        table = table[list(columns)]
    table.to_csv(path, index=False, float_format=format_float, na_rep="", lineterminator="\n")


def _last_byte(path: Path) -> bytes:
    with open(path, "rb") as stream:
        if stream.seek(0, io.SEEK_END) == 0:
            return b""
        stream.seek(-1, io.SEEK_END)
        return stream.read(1)


def read_csv(path, required_columns=()) -> pd.DataFrame:
    """Read a CSV table; ``required_columns`` must be present."""
    import pandas as pd
    path = Path(path)
    if not path.is_file():
        raise ResultFileError(f"{path}: file not found")
    # Every table written here ends with a newline; one cut short ends mid-line, and pandas would read
    # its last number cut short too, without a word.
    if _last_byte(path) not in (b"\n", b""):
        raise ResultFileError(f"{path}: does not end with a newline (truncated?)")
    try:
        table = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ResultFileError(f"{path}: not a readable CSV table (truncated or corrupted?): {error}") from None
    missing = [column for column in required_columns if column not in table.columns]
    if missing:
        raise ResultFileError(f"{path}: missing column(s) {', '.join(missing)}")
    return table
