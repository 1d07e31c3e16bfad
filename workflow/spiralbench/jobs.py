"""What every workflow script does around its work: send its output, and any traceback, to the log."""
from __future__ import annotations

import contextlib
import os
import sys
import traceback
from pathlib import Path


@contextlib.contextmanager
def logging_to(log_path):
    """Redirect stdout and stderr (Python's and the C level's) to ``log_path`` for the block.

    An exception is written to the log as a traceback and raised again, so the job fails and the
    workflow's message points to a log that says why.
    """
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log_path, "w", encoding="utf-8") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        except BaseException:
            traceback.print_exc()
            raise
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
