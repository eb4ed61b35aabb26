from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from community.accounts.models import District
from community.extensions import db
from search import services
from search.backends import SearchFilters, SearchUnavailable
from search.forms import SearchForm
from search.sources import category_choices

bp = Blueprint("search", __name__, url_prefix="/search", template_folder="templates")

TOKYO = ZoneInfo("Asia/Tokyo")


def _start_of(day) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=TOKYO) if day else None


@bp.get("/")
def index():
    args = MultiDict(request.args)
    form = SearchForm(formdata=args if args else None)
    districts = db.session.scalars(select(District).order_by(District.sort_order, District.id)).all()
    form.set_choices(districts, category_choices())
    context = {"form": form, "outcome": None, "unavailable": False, "truncated": False}
    if not args.get("q", "").strip():
        return render_template("search/index.html", **context)
    if not form.validate():
        for field in (form.date_from, form.date_to):
            if field.errors and field.raw_data and field.data is None:
                field.errors[:] = [_("Enter a date like 2026-04-01.")]
        if form.page.errors:  # not a field on the page: say it in words
            context["page_error"] = _("The page number is not valid. Please search again from the first page.")
        return render_template("search/index.html", **context), 400
    filters = SearchFilters(
        sources=(form.source.data,) if form.source.data else (),
        district_id=int(form.district.data) if form.district.data else None,
        category=form.category.data or "",
        date_from=_start_of(form.date_from.data),
        date_to=_start_of(form.date_to.data + timedelta(days=1)) if form.date_to.data else None,
    )
    try:
        outcome = services.search(
            form.q.data, current_user, filters, sort=form.sort.data or "relevance", page=form.page.data or 1
        )
    except SearchUnavailable as exc:
        current_app.logger.warning("search unavailable: %s", exc)
        context["unavailable"] = True
        return render_template("search/index.html", **context), 503
    context["outcome"] = outcome
    context["truncated"] = outcome.query.truncated
    return render_template("search/index.html", **context)


def page_url(page: int) -> str:
    args = request.args.to_dict()
    args["page"] = str(page)
    return url_for("search.index", **args)


def suggestion_url(suggestion) -> str:
    if suggestion.drop_filters:
        return url_for("search.index", q=suggestion.query)
    args = request.args.to_dict()
    args.update(q=suggestion.query, page="1")
    return url_for("search.index", **args)


@bp.app_context_processor
def search_helpers():
    return {"search_page_url": page_url, "search_suggestion_url": suggestion_url}


# -- FAQ (よくある質問) for community/questions, which may not import search -------------------------


@bp.record_once
def _publish_faq_search(state) -> None:
    from search import faq

    state.app.extensions["tsunagari.faq_search"] = faq.faq_ids


@bp.get("/suggest/faq")
def suggest_faq():
    """FAQ entries similar to a question being typed (the ask form's script calls this)."""
    from search import faq

    text = request.args.get("q", "")[:200]
    if len(text.strip()) < 2:
        return jsonify(results=[])
    try:
        results = faq.suggest(text, current_user, limit=5)
    except SearchUnavailable as exc:
        current_app.logger.warning("FAQ suggestions unavailable: %s", exc)
        return jsonify(results=[], unavailable=True), 503
    return jsonify(results=results)
