"""The administration screens' services: site settings, facilities, districts, the staff list.

Services flush, never commit; each change is audited with what it was before and after.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community import audit
from community.accounts.models import FACILITY_KINDS, District, Facility
from community.core.settings import EDITABLE, save_site_settings, settings_row
from community.extensions import db
from community.official.models import OfficialAccount, OfficialAccountMember

FACILITY_FIELDS = ("name", "kind", "address", "hours", "phone", "district_id", "verifies_identity", "hosts_kiosks")
DISTRICT_FIELDS = ("name", "sort_order")


class AdminError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


def references(row) -> int:
    """How many rows in any table point at this row. Read from the schema, so a table added later
    (a kiosk, a survey's district) counts without this module knowing it."""
    table = type(row).__table__
    total = 0
    for other in db.metadata.tables.values():
        for fk in other.foreign_keys:
            if fk.column.table is table:
                total += db.session.scalar(
                    select(func.count()).select_from(other).where(fk.parent == row.id)
                ) or 0
    return total


def _snapshot(row, fields) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields}


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    changed = [key for key in after if before.get(key) != after[key]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def _name_taken(model, name: str, own_id: int | None) -> bool:
    query = select(model.id).where(model.name == name)
    if own_id is not None:
        query = query.where(model.id != own_id)
    return db.session.scalar(query) is not None


# --- facilities ----------------------------------------------------------------------------------

def all_facilities() -> list[Facility]:
    return list(db.session.scalars(select(Facility).order_by(Facility.name)))


def save_facility(admin, facility: Facility | None, **values) -> Facility:
    """Create (facility None) or change a facility; audited with before -> after."""
    if values["kind"] not in FACILITY_KINDS:
        raise AdminError(_l("Please choose the kind of facility."), "kind")
    if _name_taken(Facility, values["name"], getattr(facility, "id", None)):
        raise AdminError(_l("A facility with this name already exists."), "name")
    if values["district_id"] is not None and db.session.get(District, values["district_id"]) is None:
        raise AdminError(_l("Please choose the district from the list."), "district_id")
    before = {} if facility is None else _snapshot(facility, FACILITY_FIELDS)
    if facility is None:
        facility = Facility()
        db.session.add(facility)
    for name in FACILITY_FIELDS:
        setattr(facility, name, values[name])
    db.session.flush()
    changed_before, after = _changes(before, _snapshot(facility, FACILITY_FIELDS))
    if after:
        audit.record("facility.changed" if before else "facility.created", actor=admin, target_type="facility",
                     target_id=facility.id, before=changed_before, after=after)
    return facility


def delete_facility(admin, facility: Facility) -> None:
    """Only a facility nothing refers to: verifications, kiosks and the audit log keep theirs."""
    if references(facility):
        raise AdminError(_l("%(name)s is referred to by verifications, kiosks or the history, so it cannot be "
                            "deleted. To stop using it, turn off identity checks and kiosks instead.",
                            name=facility.name))
    before = _snapshot(facility, FACILITY_FIELDS)
    audit.record("facility.deleted", actor=admin, target_type="facility", target_id=facility.id,
                 before=before, after={})
    db.session.delete(facility)
    db.session.flush()


# --- districts -----------------------------------------------------------------------------------

def all_districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.sort_order, District.id)))


def save_district(admin, district: District | None, *, name: str, sort_order: int) -> District:
    if _name_taken(District, name, getattr(district, "id", None)):
        raise AdminError(_l("A district with this name already exists."), "name")
    before = {} if district is None else _snapshot(district, DISTRICT_FIELDS)
    if district is None:
        district = District()
        db.session.add(district)
    district.name, district.sort_order = name, sort_order
    db.session.flush()
    changed_before, after = _changes(before, _snapshot(district, DISTRICT_FIELDS))
    if after:
        audit.record("district.changed" if before else "district.created", actor=admin, target_type="district",
                     target_id=district.id, before=changed_before, after=after)
    return district


def delete_district(admin, district: District) -> None:
    """Only a district nobody lives in and nothing refers to (members, facilities, circles, surveys)."""
    if references(district):
        raise AdminError(_l("%(name)s is used by members, facilities, circles or surveys, so it cannot be "
                            "deleted. You can rename it instead.", name=district.name))
    audit.record("district.deleted", actor=admin, target_type="district", target_id=district.id,
                 before=_snapshot(district, DISTRICT_FIELDS), after={})
    db.session.delete(district)
    db.session.flush()


# --- staff accounts ------------------------------------------------------------------------------

def official_accounts_of(user_ids: list[int]) -> dict[int, list[str]]:
    """The official (department) accounts each person may post as, named at /official/admin/."""
    found: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(OfficialAccountMember.user_id, OfficialAccount.name)
        .join(OfficialAccount, OfficialAccount.id == OfficialAccountMember.account_id)
        .where(OfficialAccountMember.user_id.in_(user_ids)).order_by(OfficialAccount.name)
    ) if user_ids else []
    for user_id, name in rows:
        found.setdefault(user_id, []).append(name)
    return found


# --- site settings -------------------------------------------------------------------------------

def save_settings(admin, **values: str) -> None:
    """The city's name, web site, contact and help text; audited with what changed."""
    row = settings_row()
    before = {name: getattr(row, name) if row is not None else "" for name in EDITABLE}
    save_site_settings(**values)
    changed_before, after = _changes(before, {name: values[name] for name in EDITABLE})
    if after:
        audit.record("site.settings_changed", actor=admin, target_type="site", before=changed_before, after=after)
