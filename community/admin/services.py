"""The administration screens' services: site settings, facilities, districts, circle categories,
the staff list.

Services flush, never commit; each change is audited with what it was before and after.
"""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community import audit
from community.accounts.models import FACILITY_KINDS, District, Facility
from community.circles.categories import BUILT_IN
from community.circles.categories import forget as forget_categories
from community.circles.models import Circle, CircleCategory
from community.core.settings import EDITABLE, save_site_settings, settings_row
from community.extensions import db
from community.official.models import OfficialAccount, OfficialAccountMember

FACILITY_FIELDS = ("name", "kind", "address", "hours", "phone", "district_id", "verifies_identity", "hosts_kiosks")
DISTRICT_FIELDS = ("name", "sort_order")
CATEGORY_FIELDS = ("key", "label", "label_en", "sort_order", "active")


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


# --- circle categories ---------------------------------------------------------------------------

def all_categories() -> list[CircleCategory]:
    return list(db.session.scalars(select(CircleCategory).order_by(CircleCategory.sort_order, CircleCategory.id)))


def circles_in(key: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Circle).where(Circle.category == key)) or 0


def _seed_built_in() -> None:
    """The first change copies the built-in list into the table (see circles.categories.BUILT_IN):
    from then on the table, not the code, is the list."""
    if db.session.scalar(select(CircleCategory.id).limit(1)) is None:
        for n, (key, label) in enumerate(BUILT_IN.items()):
            with force_locale("ja"):  # the stored label is the Japanese one, whoever reads the page
                japanese = str(label)
            with force_locale("en"):
                english = str(label)
            db.session.add(CircleCategory(key=key, label=japanese, label_en=english, sort_order=(n + 1) * 10))
        db.session.flush()


def save_category(admin, category: CircleCategory | None, *, key: str | None = None, **values) -> CircleCategory:
    """Add (category None, with its key) or change a category's names, order and whether it is offered."""
    _seed_built_in()
    if category is None and db.session.scalar(select(CircleCategory.id).where(CircleCategory.key == key)):
        raise AdminError(_l("A category with this key already exists."), "key")
    before = {} if category is None else _snapshot(category, CATEGORY_FIELDS)
    if category is None:
        category = CircleCategory(key=key)
        db.session.add(category)
    for name in CATEGORY_FIELDS[1:]:
        setattr(category, name, values[name])
    db.session.flush()
    forget_categories()
    changed_before, after = _changes(before, _snapshot(category, CATEGORY_FIELDS))
    if after:
        audit.record("category.changed" if before else "category.created", actor=admin,
                     target_type="circle_category", target_id=category.id, before=changed_before, after=after)
    return category


def delete_category(admin, category: CircleCategory) -> None:
    """Only a category no circle has: circles keep their category (turn it off instead)."""
    if used := circles_in(category.key):
        raise AdminError(_l("%(name)s is used by %(count)d circles, so it cannot be deleted. To stop offering it, "
                            "turn it off instead.", name=category.label, count=used))
    audit.record("category.deleted", actor=admin, target_type="circle_category", target_id=category.id,
                 before=_snapshot(category, CATEGORY_FIELDS), after={})
    db.session.delete(category)
    db.session.flush()
    forget_categories()


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
