"""A city page (市のページ) as imported: its text, a link to the original on the city's site, and
「このページは役に立ちましたか」 (the feedback widget of community/questions)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user

from community.extensions import db
from community.policy import can_view_city_page
from search.citypages.models import CityPage

bp = Blueprint("citypage", __name__, url_prefix="/city-pages", template_folder="templates")


@bp.get("/<int:page_id>")
def show(page_id: int):
    page = db.session.get(CityPage, page_id)
    if not can_view_city_page(current_user, page):
        abort(404)
    return render_template("citypages/page.html", page=page)


def describe(page_id: int):
    """For the feedback report: (title, link) or None when the page is gone."""
    page = db.session.get(CityPage, page_id)
    if not can_view_city_page(current_user, page):
        return None
    return page.title or page.url, url_for("citypage.show", page_id=page_id)


@bp.record_once
def _register_feedback_target(state) -> None:
    from community.questions import register_feedback_target

    register_feedback_target(state.app, "citypage", describe)
