"""Official account pages: thin views over community.official.services; rules from community.policy."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.forms import choices
from community.core.urls import parse_id
from community.extensions import db
from community.official import services
from community.official.forms import (
    AccountForm,
    ActionForm,
    CorrectionForm,
    MemberForm,
    PostForm,
    ReasonForm,
    WithdrawForm,
)
from community.official.models import OfficialAccount
from community.policy import (
    can_act_as_official,
    can_correct_official_post,
    can_follow_official,
    can_manage_official_accounts,
    can_react_to_official_post,
    can_withdraw_official_post,
    official_accounts_for,
)
from community.reach.services import record_view

bp = Blueprint("official", __name__, template_folder="templates", static_folder="static",
               static_url_path="/official/static")


def _field_error(form, error: services.OfficialError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = list(target.errors) + [str(error.message)]
    else:
        flash(str(error.message), "error")


# --- Public pages ----------------------------------------------------------------------------------


@bp.get("/official/")
def index():
    return render_template("official/index.html", accounts=services.public_accounts(),
                           may_post=bool(current_user.is_authenticated
                                         and db.session.scalar(official_accounts_for(current_user).limit(1))))


def _account(slug: str) -> OfficialAccount:
    account = services.account_by_slug(slug)
    if account is None:
        abort(404)
    return account  # a deactivated account's page stays, with a notice: its posts are public record


@bp.get("/official/<slug>")
def account(slug: str):
    found = _account(slug)
    return render_template(
        "official/account.html", account=found,
        page=services.account_posts(current_user, found, request.args.get("page", 1, type=parse_id)),
        following=services.is_following(current_user, found), followers=services.follower_count(found),
        notifies=services.follow_notifies(current_user, found),
        may_follow=can_follow_official(current_user, found), may_post=can_act_as_official(current_user, found),
        action_form=ActionForm(),
    )


@bp.post("/official/<slug>/follow")
@login_required
def follow(slug: str):
    found = _account(slug)
    if not can_follow_official(current_user, found):
        abort(403)
    if request.form.get("undo"):
        services.unfollow(current_user, found)
        message = _("You no longer follow %(name)s.", name=found.name)
    else:
        services.follow(current_user, found)
        message = _("You now follow %(name)s. Its posts appear on your home page.", name=found.name)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("official.account", slug=found.slug))


@bp.post("/official/<slug>/notify")
@login_required
def follow_notify(slug: str):
    """A follower turns the notices of new posts and emergency notices on or off."""
    found = _account(slug)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    on = request.form.get("on") == "1"
    if not services.set_follow_notify(current_user, found, on):
        flash(_("You do not follow %(name)s, so there is nothing to turn on or off.", name=found.name), "error")
    else:
        db.session.commit()
        flash(_("You will be notified of %(name)s's new posts and emergency notices.", name=found.name) if on
              else _("You will no longer be notified of %(name)s's new posts. They still appear on your home page.",
                     name=found.name), "success")
    return redirect(url_for("official.account", slug=found.slug))


def _post(post_id: int):
    post = services.get_post(current_user, post_id)
    if post is None:
        abort(404)
    return post


@bp.get("/official/posts/<int:post_id>")
def post(post_id: int):
    found = _post(post_id)
    record_view("official_post", found.id, "official", found.account_id, current_user, author_id=found.author_id)
    return render_template(
        "official/post.html", post=found, account=found.account,
        reactions=services.reaction_count(found), reacted=services.has_reacted(current_user, found),
        may_react=can_react_to_official_post(current_user, found),
        may_correct=can_correct_official_post(current_user, found),
        may_withdraw=can_withdraw_official_post(current_user, found),
        action_form=ActionForm(),
    )


@bp.post("/official/posts/<int:post_id>/helpful")
@login_required
def helpful(post_id: int):
    found = _post(post_id)
    if not can_react_to_official_post(current_user, found):
        abort(403)
    if request.form.get("undo"):
        services.unreact(current_user, found)
    else:
        services.react(current_user, found)
    db.session.commit()
    return redirect(url_for("official.post", post_id=found.id, _anchor="helpful"))


# --- Posting, corrections, withdrawal (department members) -------------------------------------------


@bp.route("/official/posts/new", methods=["GET", "POST"])
@login_required
def new_post():
    mine = list(db.session.scalars(official_accounts_for(current_user)))
    if not mine:
        return render_template("official/not_member.html"), 403
    form = PostForm()
    form.account_id.choices = choices((a.id, a.name) for a in mine)
    if request.method == "GET":
        wanted = request.args.get("account")
        form.account_id.data = next((a.id for a in mine if a.slug == wanted), mine[0].id)
        form.submission_key.data = secrets.token_urlsafe(24)
    status = 200
    if form.validate_on_submit():
        chosen = db.session.get(OfficialAccount, form.account_id.data) if form.account_id.data else None
        try:
            created = services.create_post(current_user, chosen, title=form.title.data, body=form.body.data,
                                           submission_key=form.submission_key.data)
        except services.AlreadyDone as done:
            db.session.rollback()
            flash(_("This post was already published; it was not posted twice."), "info")
            return redirect(url_for("official.post", post_id=done.post.id), code=303)
        except services.OfficialError as error:
            db.session.rollback()
            form.account_id.errors = [str(error.message)]
            status = error.status
        else:
            db.session.commit()
            flash(_("Your post is published as %(name)s.", name=created.account.name), "success")
            return redirect(url_for("official.post", post_id=created.id))
    elif request.method == "POST":
        status = 400
    return render_template("official/post_form.html", form=form), status


@bp.route("/official/posts/<int:post_id>/correct", methods=["GET", "POST"])
@login_required
def correct(post_id: int):
    found = _post(post_id)
    if not can_act_as_official(current_user, found.account):
        return render_template("official/not_member.html", account=found.account), 403
    if found.is_withdrawn and request.method == "GET":
        flash(_("This post has been withdrawn and can no longer be corrected."), "error")
        return redirect(url_for("official.post", post_id=found.id))
    form = CorrectionForm(obj=found if request.method == "GET" else None)
    if request.method == "GET":
        form.note.data = ""
    status, current = 200, None
    if form.validate_on_submit():
        try:
            services.correct_post(current_user, found, title=form.title.data, body=form.body.data,
                                  note=form.note.data, version=form.version.data or 0)
        except services.AlreadyDone:
            db.session.rollback()
            flash(_("This correction was already saved."), "info")
            return redirect(url_for("official.post", post_id=found.id, _anchor="corrections"))
        except services.StaleEdit as error:
            db.session.rollback()
            current = _post(post_id)
            # Sending again corrects the text now shown (the field renders raw_data, so set both).
            form.version.data, form.version.raw_data = current.version, [str(current.version)]
            flash(str(error.message), "error")
            status = error.status
        except services.OfficialError as error:
            db.session.rollback()
            _field_error(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("The correction is published. Readers see 「訂正あり」 and what changed."), "success")
            return redirect(url_for("official.post", post_id=found.id, _anchor="corrections"))
    elif request.method == "POST":
        status = 400
    return render_template("official/correct.html", form=form, post=found, current=current), status


@bp.route("/official/posts/<int:post_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(post_id: int):
    found = _post(post_id)
    if not (can_act_as_official(current_user, found.account) or can_manage_official_accounts(current_user)):
        return render_template("official/not_member.html", account=found.account), 403
    form = WithdrawForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.withdraw_post(current_user, found, reason=form.reason.data)
        except services.AlreadyDone:
            db.session.rollback()
            flash(_("This post had already been withdrawn."), "info")
            return redirect(url_for("official.post", post_id=found.id))
        except services.OfficialError as error:
            db.session.rollback()
            _field_error(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("The post is withdrawn. Its page now shows the withdrawal notice."), "success")
            return redirect(url_for("official.post", post_id=found.id))
    elif request.method == "POST":
        status = 400
    if found.is_withdrawn and request.method == "GET":
        flash(_("This post had already been withdrawn."), "info")
        return redirect(url_for("official.post", post_id=found.id))
    return render_template("official/withdraw.html", form=form, post=found), status


# --- Administration (admins only) ------------------------------------------------------------------


def _admin() -> None:
    if not current_user.is_authenticated:
        abort(401)
    if not can_manage_official_accounts(current_user):
        abort(403)


def _admin_account(account_id: int) -> OfficialAccount:
    _admin()
    found = db.session.get(OfficialAccount, account_id)
    if found is None:
        abort(404)
    return found


@bp.get("/official/admin/")
@login_required
def admin_index():
    _admin()
    return render_template("official/admin_index.html", accounts=services.all_accounts())


def _save_account(form: AccountForm, found: OfficialAccount | None):
    try:
        if found is None:
            found = services.create_account(current_user, name=form.name.data, slug=form.slug.data,
                                            description=form.description.data,
                                            may_issue_emergencies=form.may_issue_emergencies.data)
        else:
            services.update_account(current_user, found, name=form.name.data, slug=form.slug.data,
                                    description=form.description.data,
                                    may_issue_emergencies=form.may_issue_emergencies.data)
    except services.OfficialError as error:
        db.session.rollback()
        _field_error(form, error)
        return None
    db.session.commit()
    return found


@bp.route("/official/admin/new", methods=["GET", "POST"])
@login_required
def admin_new():
    _admin()
    form = AccountForm()
    if form.validate_on_submit():
        created = _save_account(form, None)
        if created is not None:
            flash(_("The official account %(name)s is created. Now add the staff who may post as it.",
                    name=created.name), "success")
            return redirect(url_for("official.admin_edit", account_id=created.id))
    return render_template("official/admin_form.html", form=form, account=None), (400 if form.errors else 200)


@bp.route("/official/admin/<int:account_id>", methods=["GET", "POST"])
@login_required
def admin_edit(account_id: int):
    found = _admin_account(account_id)
    form = AccountForm(obj=found if request.method == "GET" else None)
    if form.validate_on_submit():
        if _save_account(form, found) is not None:
            flash(_("The official account is saved."), "success")
            return redirect(url_for("official.admin_edit", account_id=found.id))
    return _render_admin(found, form=form, status=400 if form.errors else 200)


def _render_admin(found, *, form=None, member_form=None, status=200):
    return render_template("official/admin_form.html", account=found,
                           form=form or AccountForm(obj=found), member_form=member_form or MemberForm(),
                           members=services.members_of(found), reason_form=ReasonForm()), status


@bp.post("/official/admin/<int:account_id>/members")
@login_required
def admin_add_member(account_id: int):
    found = _admin_account(account_id)
    member_form = MemberForm()
    if member_form.validate_on_submit():
        try:
            user = services.add_member(current_user, found, member_form.login_id.data)
        except services.OfficialError as error:
            db.session.rollback()
            _field_error(member_form, error)
        else:
            db.session.commit()
            flash(_("%(name)s may now post as %(account)s.", name=user.nickname, account=found.name), "success")
            return redirect(url_for("official.admin_edit", account_id=found.id, _anchor="members"))
    db.session.expire_all()
    return _render_admin(db.session.get(OfficialAccount, account_id), member_form=member_form, status=400)


@bp.post("/official/admin/<int:account_id>/members/<int:user_id>/remove")
@login_required
def admin_remove_member(account_id: int, user_id: int):
    found = _admin_account(account_id)
    if not ReasonForm().validate_on_submit():
        abort(400)
    services.remove_member(current_user, found, user_id)
    db.session.commit()
    flash(_("The staff member was removed from %(account)s.", account=found.name), "success")
    return redirect(url_for("official.admin_edit", account_id=found.id, _anchor="members"))


@bp.post("/official/admin/<int:account_id>/<any(deactivate, reactivate):action>")
@login_required
def admin_set_active(account_id: int, action: str):
    found = _admin_account(account_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_account_active(current_user, found, action == "reactivate", form.reason.data or "")
    db.session.commit()
    if action == "reactivate":
        flash(_("%(name)s is active again.", name=found.name), "success")
    else:
        flash(_("%(name)s is deactivated. Its posts stay readable, but nobody can post as it.", name=found.name),
              "success")
    return redirect(url_for("official.admin_edit", account_id=found.id))
