"""管理 screens under /admin/: load the object (404), check the capability (403), act, commit once."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.accounts import qr
from community.accounts.forms import ROLE_LABELS, StaffAccountForm
from community.accounts.models import District, Facility, Role, User
from community.accounts.services import AccountError, create_staff_account, format_code, revoke_staff
from community.admin import services
from community.admin.forms import CategoryForm, ConfirmForm, DistrictForm, FacilityForm, SettingsForm
from community.circles.categories import BUILT_IN
from community.circles.models import CircleCategory
from community.core.once import already_sent
from community.core.settings import EDITABLE, site_settings
from community.extensions import db
from community.policy import Capability, can

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can(current_user, Capability.configure_site):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _load(model, row_id: int):
    found = db.session.get(model, row_id)
    if found is None:
        abort(404)
    return found


def _field_error(form, error: services.AdminError | AccountError) -> None:
    field = getattr(form, getattr(error, "field", None) or "name", None) or form.name
    field.errors = [*field.errors, error.message]


@bp.get("/")
@admin_required
def index():
    return render_template("admin/index.html")


# --- site settings -------------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    # The form starts from what residents see now (the row, else the configuration).
    form = SettingsForm(obj=site_settings() if request.method == "GET" else None)
    if form.validate_on_submit():
        services.save_settings(current_user, **{name: getattr(form, name).data or "" for name in EDITABLE})
        db.session.commit()
        flash(_("The site settings are saved."), "success")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form), (400 if form.errors else 200)


# --- facilities ----------------------------------------------------------------------------------

@bp.get("/facilities/")
@admin_required
def facilities():
    return render_template("admin/facilities.html", facilities=services.all_facilities(), confirm=ConfirmForm())


def _facility_form(found: Facility | None) -> FacilityForm:
    # Only the page's first load fills in the stored values: a sent form shows what was typed.
    form = FacilityForm(obj=found if request.method == "GET" else None)
    form.set_districts(services.all_districts())
    return form


@bp.route("/facilities/new", methods=["GET", "POST"], endpoint="facility_new")
@bp.route("/facilities/<int:facility_id>", methods=["GET", "POST"], endpoint="facility_edit")
@admin_required
def facility_form(facility_id: int | None = None):
    found = _load(Facility, facility_id) if facility_id else None
    form = _facility_form(found)
    if found is None and request.method == "GET":
        form.verifies_identity.data = form.hosts_kiosks.data = True
    if found is None and (earlier := already_sent()) is not None:  # not "this name already exists"
        return earlier
    if form.validate_on_submit():
        try:
            saved = services.save_facility(current_user, found, **form.values())
        except services.AdminError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is saved.", name=saved.name), "success")
            return redirect(url_for("admin.facilities"))
    return render_template("admin/facility_form.html", form=form, facility=found), (400 if form.errors else 200)


@bp.post("/facilities/<int:facility_id>/delete")
@admin_required
def facility_delete(facility_id: int):
    found = _load(Facility, facility_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_facility(current_user, found)
    except services.AdminError as error:
        db.session.rollback()
        flash(error.message, "error")
        return render_template("admin/facilities.html", facilities=services.all_facilities(),
                               confirm=ConfirmForm()), 409
    db.session.commit()
    flash(_("The facility is deleted."), "success")
    return redirect(url_for("admin.facilities"))


# --- districts -----------------------------------------------------------------------------------

@bp.get("/districts/")
@admin_required
def districts():
    return render_template("admin/districts.html", districts=services.all_districts(), confirm=ConfirmForm())


@bp.route("/districts/new", methods=["GET", "POST"], endpoint="district_new")
@bp.route("/districts/<int:district_id>", methods=["GET", "POST"], endpoint="district_edit")
@admin_required
def district_form(district_id: int | None = None):
    found = _load(District, district_id) if district_id else None
    form = DistrictForm(obj=found if request.method == "GET" else None)
    if found is not None and request.method == "GET":
        form.sort_order.data = str(found.sort_order)
    if found is None and (earlier := already_sent()) is not None:
        return earlier
    if form.validate_on_submit():
        try:
            saved = services.save_district(current_user, found, name=form.name.data,
                                           sort_order=form.sort_order_value)
        except services.AdminError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is saved.", name=saved.name), "success")
            return redirect(url_for("admin.districts"))
    return render_template("admin/district_form.html", form=form, district=found), (400 if form.errors else 200)


@bp.post("/districts/<int:district_id>/delete")
@admin_required
def district_delete(district_id: int):
    found = _load(District, district_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_district(current_user, found)
    except services.AdminError as error:
        db.session.rollback()
        flash(error.message, "error")
        return render_template("admin/districts.html", districts=services.all_districts(),
                               confirm=ConfirmForm()), 409
    db.session.commit()
    flash(_("The district is deleted."), "success")
    return redirect(url_for("admin.districts"))


# --- circle categories ---------------------------------------------------------------------------

def _categories_page():
    rows = services.all_categories()
    return render_template("admin/categories.html", categories=rows, confirm=ConfirmForm(),
                           built_in=[] if rows else [(key, str(label)) for key, label in BUILT_IN.items()])


@bp.get("/categories/")
@admin_required
def categories():
    return _categories_page()


@bp.route("/categories/new", methods=["GET", "POST"], endpoint="category_new")
@bp.route("/categories/<int:category_id>", methods=["GET", "POST"], endpoint="category_edit")
@admin_required
def category_form(category_id: int | None = None):
    found = _load(CircleCategory, category_id) if category_id else None
    form = CategoryForm(obj=found if request.method == "GET" else None)
    if found is not None:
        del form.key  # circles store the key: only the names, order and "offered" change
    if found is None and (earlier := already_sent()) is not None:  # not "this key already exists"
        return earlier
    if form.validate_on_submit():
        try:
            saved = services.save_category(current_user, found, key=None if found else form.key.data,
                                           **form.values())
        except services.AdminError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is saved.", name=saved.label), "success")
            return redirect(url_for("admin.categories"))
    return render_template("admin/category_form.html", form=form, category=found), (400 if form.errors else 200)


@bp.post("/categories/<int:category_id>/delete")
@admin_required
def category_delete(category_id: int):
    found = _load(CircleCategory, category_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_category(current_user, found)
    except services.AdminError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _categories_page(), 409
    db.session.commit()
    flash(_("The category is deleted."), "success")
    return redirect(url_for("admin.categories"))


# --- staff accounts ------------------------------------------------------------------------------

@bp.get("/staff/")
@admin_required
def staff():
    return _staff_page()


def _staff_page():
    people = db.session.scalars(
        select(User).where(User.role.in_((Role.staff.value, Role.admin.value))).order_by(User.login_key)
    )
    people = list(people)
    return render_template("admin/staff.html", people=people, role_labels=ROLE_LABELS, confirm=ConfirmForm(),
                           departments=services.official_accounts_of([p.id for p in people]))


@bp.route("/staff/new", methods=["GET", "POST"])
@admin_required
def staff_new():
    form = StaffAccountForm()
    if (earlier := already_sent()) is not None:  # not "this login ID is in use", and no second code
        return earlier
    if form.validate_on_submit():
        try:
            user, code = create_staff_account(admin=current_user, login_id=form.login_id.data,
                                              nickname=form.nickname.data)
        except AccountError as error:
            db.session.rollback()
            form.login_id.errors.append(error.message)
        else:
            db.session.commit()
            # Shown once, here: only the code's hash is kept.
            return render_template(
                "accounts/staff/code_slip.html", user=user, code=format_code(code), initial=True,
                qr_svg=qr.svg(code, label=_("QR code of one-time code %(code)s", code=format_code(code))),
            )
    return render_template("admin/staff_new.html", form=form), (400 if form.errors else 200)


@bp.post("/staff/<int:user_id>/revoke")
@admin_required
def staff_revoke(user_id: int):
    user = _load(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        revoke_staff(user, admin=current_user)
    except AccountError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _staff_page(), 409
    db.session.commit()
    flash(_("%(name)s is a member again and has been signed out everywhere.", name=user.nickname), "success")
    if user.id == current_user.id:
        return redirect(url_for("core.home"))
    return redirect(url_for("admin.staff"))
