"""Files under UPLOAD_DIR/photos, written atomically and tied to the database transaction.

A file is written to a temporary name in the same folder, flushed to disk and renamed, so a full
disk leaves no half-written photo. New files are removed again if the transaction rolls back, and
files of deleted photos are removed only after the deletion is committed.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

_NEW = "tsunagari.media.new_files"
_DOOMED = "tsunagari.media.doomed_files"


def photo_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "photos"


def path_for(relative: str) -> Path:
    return photo_root() / relative


def write_atomic(relative: str, data: bytes) -> Path:
    target = path_for(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o640)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def remove_quietly(paths) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def track_new(session: Session, paths) -> None:
    session.info.setdefault(_NEW, []).extend(paths)


def delete_after_commit(session: Session, paths) -> None:
    session.info.setdefault(_DOOMED, []).extend(paths)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_NEW, None)
    remove_quietly(session.info.pop(_DOOMED, []))


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is not None:  # a savepoint: the outer transaction may still commit
        return
    remove_quietly(session.info.pop(_NEW, []))
    session.info.pop(_DOOMED, None)
