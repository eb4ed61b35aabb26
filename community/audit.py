"""The append-only audit log (監査ログ): who did what to whom, when, where and why.

Rows are only ever inserted. A mapper event refuses updates and deletes from the ORM, so no
route or service can rewrite history.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from community.core.database import UTCDateTime, utcnow
from community.extensions import db


class AuditLogImmutable(Exception):
    pass


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[int | None] = mapped_column(index=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")
    ip: Mapped[str] = mapped_column(String(64), default="")

    @property
    def detail_data(self) -> dict[str, Any]:
        return json.loads(self.detail or "{}")


@event.listens_for(AuditLog, "before_update")
def _refuse_update(mapper, connection, target):
    raise AuditLogImmutable("audit log rows cannot be changed")


@event.listens_for(AuditLog, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AuditLogImmutable("audit log rows cannot be deleted")


def record(
    action: str,
    *,
    actor=None,
    target_type: str = "",
    target_id: int | None = None,
    facility_id: int | None = None,
    reason: str = "",
    **detail: Any,
) -> AuditLog:
    entry = AuditLog(
        action=action,
        actor_id=getattr(actor, "id", actor),
        target_type=target_type,
        target_id=target_id,
        facility_id=facility_id,
        reason=reason,
        detail=json.dumps(detail, ensure_ascii=False, default=str),
        ip=(request.remote_addr or "") if has_request_context() else "",
    )
    db.session.add(entry)
    return entry
