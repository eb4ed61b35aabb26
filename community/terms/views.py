"""/terms and /privacy (every published version stays readable), the agreement page, and the
administrators' editor under /admin/terms."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.urls import safe_next
from community.extensions import db
from community.policy.terms import can_edit_terms
from community.terms import services
from community.terms.forms import AgreeForm, PublishForm, TermsEditForm
from community.terms.models import KINDS

bp = Blueprint("terms", __name__, template_folder="templates")

# Reachable by a member who has not agreed yet: reading the documents, agreeing, signing out.
UNGATED_ENDPOINTS = frozenset({"terms.document", "terms.agree", "accounts.logout", "static"})


@bp.before_app_request
def ask_for_agreement():
    """After a new version is published a member may read (GET) but not act until they agree; the
    first page after signing in is the agreement page. Kiosk screens are left alone: a kiosk
    sign-in leads to a kiosk screen, and a member who has not agreed is asked on their own device."""
    endpoint = request.endpoint
    if (endpoint is None or endpoint in UNGATED_ENDPOINTS or endpoint.endswith(".static")
            or request.blueprint == "kiosk" or not current_user.is_authenticated):
        return None
    if not services.needs_agreement(current_user):
        return None
    if request.method in ("GET", "HEAD"):
        if not session_prompted():
            return redirect(url_for("terms.agree", next=request.full_path if request.query_string else request.path))
        return None
    flash(_("The terms of use or the privacy policy have changed. Please read them and agree to continue."), "error")
    return redirect(url_for("terms.agree", next=safe_next(request.referrer)))


def session_prompted() -> bool:
    """The agreement page is shown once per sign-in (signing in clears the session); reading stays
    possible after that."""
    if session.get("terms_prompted"):
        return True
    session["terms_prompted"] = True
    return False


def _kind(kind: str) -> str:
    if kind not in KINDS:
        abort(404)
    return kind


@bp.get("/terms", defaults={"kind": "terms", "version": None}, endpoint="document")
@bp.get("/terms/<int:version>", defaults={"kind": "terms"}, endpoint="document")
@bp.get("/privacy", defaults={"kind": "privacy", "version": None}, endpoint="document")
@bp.get("/privacy/<int:version>", defaults={"kind": "privacy"}, endpoint="document")
def document(kind: str, version: int | None):
    doc = services.published(kind, version)
    if doc is None and version is not None:
        abort(404)
    preamble, articles = services.parse(doc.body) if doc else ([], [])
    return render_template("terms/document.html", kind=kind, doc=doc, preamble=preamble, articles=articles,
                           kind_title=services.KIND_TITLES[kind], versions=services.versions(kind))


@bp.route("/terms/agree", methods=["GET", "POST"])
@login_required
def agree():
    target = safe_next(request.args.get("next")) or url_for("core.home")
    if not services.needs_agreement(current_user):
        return redirect(target)
    form = AgreeForm()
    if form.validate_on_submit():
        services.record_agreement(current_user, "signin")
        db.session.commit()
        flash(_("Thank you. You agreed to the current terms of use and privacy policy."), "success")
        return redirect(target)
    docs = [services.published(kind) for kind in KINDS]
    return render_template("terms/agree.html", form=form, docs=[d for d in docs if d],
                           titles=services.KIND_TITLES), (400 if form.errors else 200)


def _require_admin() -> None:
    if not current_user.is_authenticated:
        abort(401)
    if not can_edit_terms(current_user):
        abort(403)


@bp.get("/admin/terms")
@login_required
def admin_index():
    _require_admin()
    rows = [(kind, services.KIND_TITLES[kind], services.draft(kind), services.versions(kind)) for kind in KINDS]
    return render_template("terms/admin_index.html", rows=rows)


@bp.route("/admin/terms/<kind>", methods=["GET", "POST"])
@login_required
def admin_edit(kind: str):
    _require_admin()
    kind = _kind(kind)
    draft = services.draft(kind)
    source = draft or services.published(kind)
    form = TermsEditForm(obj=source)
    if form.validate_on_submit():
        try:
            services.save_draft(current_user, kind, title=form.title.data, body=form.body.data)
        except services.TermsError as error:
            form.body.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("The draft was saved. It is not shown to members until you publish it."), "success")
            return redirect(url_for("terms.admin_edit", kind=kind))
    preamble, articles = services.parse(form.body.data or "")
    return render_template(
        "terms/admin_edit.html", form=form, kind=kind, kind_title=services.KIND_TITLES[kind], draft=draft,
        current=services.published(kind), publish_form=PublishForm(), preamble=preamble, articles=articles,
    ), (400 if form.errors else 200)


@bp.post("/admin/terms/<kind>/publish")
@login_required
def admin_publish(kind: str):
    _require_admin()
    kind = _kind(kind)
    if not PublishForm().validate_on_submit():
        abort(400)
    try:
        doc = services.publish(current_user, kind)
    except services.TermsError as error:
        flash(str(error.message), "error")
        return redirect(url_for("terms.admin_edit", kind=kind))
    db.session.commit()
    flash(_("Version %(version)s was published. Members are asked to agree at their next sign-in.",
            version=doc.version), "success")
    return redirect(url_for("terms.admin_index"))
