"""Reach pages: load the owner (404), check can_view_reach (403), build the report, render."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.extensions import db
from community.policy import can_view_reach, reach_owners_for
from community.reach import charts, kinds, services
from community.reach.forms import ReportForm

bp = Blueprint("reach", __name__, template_folder="templates", static_folder="static",
               static_url_path="/reach/static")


@bp.get("/reach")
@login_required
def index():
    accounts, circles = reach_owners_for(current_user)
    return render_template("reach/index.html", accounts=accounts, circles=circles)


@bp.get("/official/<slug>/reach")
@login_required
def official(slug: str):
    from community.official.models import OfficialAccount

    account = db.session.scalar(select(OfficialAccount).where(OfficialAccount.slug == slug))
    if account is None:
        abort(404)
    if not can_view_reach(current_user, account):
        # The account itself is public (its page lists its posts), so 403 reveals nothing new.
        abort(403)
    back = url_for("official.account", slug=account.slug) if "official.account" in current_app.view_functions else None
    return _report("official", account.id, account.name, back)


@bp.get("/circles/<int:circle_id>/reach")
@login_required
def circle(circle_id: int):
    from community.circles.models import Circle
    from community.policy import can_view_circle

    found = db.session.get(Circle, circle_id)
    if not can_view_circle(current_user, found):
        abort(404)  # as the circle's own pages: a secret circle does not exist for outsiders
    if not can_view_reach(current_user, found):
        abort(403)
    return _report("circle", found.id, found.name, url_for("circles.show", circle_id=found.id))


def _weekday_labels() -> list[str]:
    return [str(w) for w in services.WEEKDAYS]


def _report(owner_kind: str, owner_id: int, owner_name: str, owner_url: str | None):
    form = ReportForm(request.args)
    valid = form.validate() if request.args else True
    if not valid:
        # Keep what was chosen where it is valid; report on the defaults for the rest.
        for name in form.errors:
            getattr(form, name).data = getattr(form, name).default
    days = int(form.days.data or 30)
    audience = form.audience.data or "all"
    report = services.build_report(owner_kind, owner_id, days)
    kinds.name_items(current_user, report.top)
    suggestion = services.suggest(report, audience)
    weekdays = _weekday_labels()
    hour_chart = charts.bar_chart([(str(h), v) for h, v in enumerate(report.by_hour)], label_every=3)
    weekday_chart = charts.bar_chart(list(zip(weekdays, report.by_weekday, strict=True)), height=220)
    band_chart = charts.hbar_chart([(b.label, b.views) for b in report.bands])
    heat = charts.heat_map(
        report.heat, weekdays,
        lambda w, h, v: _("%(weekday)s %(hour)d:00: %(n)d views", weekday=w, hour=h, n=v),
    )
    return render_template(
        "reach/report.html", owner_kind=owner_kind, owner_id=owner_id, owner_name=owner_name, owner_url=owner_url,
        form=form,
        report=report, suggestion=suggestion, hour_chart=hour_chart, weekday_chart=weekday_chart,
        band_chart=band_chart, heat=heat, weekdays=weekdays, suppress_below=services.SUPPRESS_BELOW,
        suggest_min=services.SUGGEST_MIN_VIEWS,
    ), (200 if valid else 400)
