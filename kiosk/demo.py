"""Demo kiosk settings. No PC is enrolled: enrolment happens on the real PC (see docs/kiosk.md)."""

from __future__ import annotations

from sqlalchemy import select

from community.accounts.models import Facility
from community.extensions import db
from kiosk.models import KioskSettings

# (facility name, minutes before the warning, minutes from warning to logout, help text)
SETTINGS = [
    ("中央図書館", 8, 2, "1階カウンターの職員に声をかけてください。"),
    ("北公民館", 10, 2, "事務室（入口の右）の職員に声をかけてください。"),
    ("南公民館", 10, 2, "事務室の職員に声をかけてください。"),
    ("緑ヶ丘コミュニティセンター", 8, 2, "受付の職員に声をかけてください。"),
]


def load() -> None:
    facilities = {f.name: f for f in db.session.scalars(select(Facility))}
    for name, idle, warning, help_text in SETTINGS:
        facility = facilities.get(name)
        if facility is not None:
            db.session.add(
                KioskSettings(facility_id=facility.id, idle_minutes=idle, warning_minutes=warning, help_text=help_text)
            )
