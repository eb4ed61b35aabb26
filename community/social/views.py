"""Profiles, friends, blocks and the member's own settings (withdraw, download my data)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from community.accounts.models import District
from community.accounts.sessions import end_session
from community.core.database import utcnow
from community.core.urls import parse_id, safe_next
from community.extensions import db
from community.media.pipeline import PhotoError
from community.media.services import read_upload
from community.policy import (
    Capability,
    TextField,
    are_friends,
    bio_shown_to_others,
    can,
    can_accept_friend_request,
    can_block,
    can_edit_profile,
    can_view_profile,
    can_withdraw,
    friend_request_refusal,
    has_blocked,
    visible_profile_fields,
    why_cannot,
    why_cannot_publish,
)
from community.policy.social import profile_settings
from community.social import services
from community.social.forms import ProfileForm, WithdrawForm
from community.social.services import SocialError

bp = Blueprint("social", __name__, template_folder="templates")

# Headings for the keys of "download my data"; other packages' keys are shown as they give them.
EXPORT_LABELS = {
    "login_id": _l("Login ID"),
    "nickname": _l("Nickname"),
    "bio": _l("Self-introduction"),
    "district": _l("District"),
    "email": _l("E-mail address"),
    "birth_date": _l("Birth date"),
    "status": _l("Account status"),
    "role": _l("Role"),
    "applied_at": _l("Applied on"),
    "verified_at": _l("Verified on"),
    "public_nickname": _l("Nickname shown to people who are not logged in"),
    "bio_visibility": _l("Who can see the self-introduction"),
    "district_visibility": _l("Who can see the district"),
    "avatar_visibility": _l("Who can see the profile photo"),
    "avatar": _l("Profile photo"),
    "since": _l("Friends since"),
    "sent_at": _l("Sent on"),
    "received_at": _l("Received on"),
    "blocked_at": _l("Blocked on"),
}


def _refused(error: SocialError, back: str):
    db.session.rollback()
    return render_template("social/refused.html", message=str(error.message), back=back), error.status


def _back(default: str) -> str:
    return safe_next(request.form.get("next")) or default


# --- Profiles ------------------------------------------------------------------------------------


@bp.get("/members/<int:user_id>")
def profile(user_id: int):
    member = services.get_member(user_id)
    settings = profile_settings(member) if member is not None else None
    fields = visible_profile_fields(current_user, member, settings) if member is not None else frozenset()
    if not fields:
        abort(404)
    is_self = current_user.is_authenticated and current_user.id == member.id
    bio_hidden = "bio" in fields and bool(member.bio) and not bio_shown_to_others(member)
    context = {"member": member, "fields": fields, "is_self": is_self, "settings": settings, "bio_hidden": bio_hidden}
    if current_user.is_authenticated and not is_self and can(current_user, Capability.read_members):
        friendship = services.friendship_between(current_user, member)
        context.update(
            friendship=friendship,
            i_blocked=has_blocked(current_user, member),
            refusal=friend_request_refusal(current_user, member),
            can_block=can_block(current_user, member),
        )
        refusal = context["refusal"]
        context["refusal_text"] = services.refusal_message(refusal, current_user) if refusal else None
    district = db.session.get(District, member.district_id) if "district" in fields and member.district_id else None
    avatar = services.avatar_of(member) if "avatar" in fields else None
    return render_template("social/profile.html", district=district, avatar=avatar, **context)


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    user = current_user
    if not can_edit_profile(user):
        abort(403)
    settings = profile_settings(user)
    districts = db.session.scalars(select(District).order_by(District.sort_order, District.id)).all()
    form = ProfileForm(
        data=None if request.method == "POST" else {
            "nickname": user.nickname,
            "bio": user.bio,
            "district_id": str(user.district_id or ""),
            "public_nickname": settings.public_nickname,
            "bio_visibility": settings.bio_visibility,
            "district_visibility": settings.district_visibility,
            "avatar_visibility": settings.avatar_visibility,
        }
    )
    form.district_id.choices = [SelectChoice("", _("Not set"))] + [SelectChoice(str(d.id), d.name) for d in districts]
    bio_refusal = why_cannot_publish(user, TextField.bio)
    if bio_refusal:  # greyed out with the reason; a disabled field is never sent, so nothing stored is lost
        form.bio.render_kw = {**(form.bio.render_kw or {}), "disabled": True}
    status = 200
    if form.validate_on_submit():
        raw_district = form.district_id.data or ""
        try:
            district_id = parse_id(raw_district) if raw_district else None
            services.update_profile(
                user,
                nickname=form.nickname.data,
                # No bio field on the form of a member who may not publish one: keep what is stored.
                bio=(form.bio.data or "") if "bio" in request.form else None,
                district_id=district_id,
                public_nickname=form.public_nickname.data,
                bio_visibility=form.bio_visibility.data,
                district_visibility=form.district_visibility.data,
                avatar_visibility=form.avatar_visibility.data,
            )
            upload = form.avatar.data
            if form.remove_avatar.data:
                services.remove_avatar(user)
            elif upload and upload.filename:
                services.set_avatar(user, read_upload(upload))
        except PhotoError as error:
            db.session.rollback()
            form.avatar.errors.append(str(error.message))
        except ValueError:
            db.session.rollback()
            form.district_id.errors.append(_("Please choose a district from the list."))
        except SocialError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
            status = error.status
        else:
            db.session.commit()
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("social.edit_profile"))
    if status == 200 and (form.errors or form.form_errors):
        status = 400
    return render_template("social/edit_profile.html", form=form, avatar=services.avatar_of(user),
                           bio_refusal=bio_refusal), status


# --- Friends -----------------------------------------------------------------------------------------


@bp.get("/friends")
@login_required
def friends():
    user = current_user
    return render_template(
        "social/friends.html",
        friends=services.friends_of(user),
        incoming=services.incoming_requests(user),
        outgoing=services.outgoing_requests(user),
        can_accept=can_accept_friend_request(user),
        cannot_write=why_cannot(user, Capability.write),
    )


@bp.post("/members/<int:user_id>/friend-request")
@login_required
def send_request(user_id: int):
    # Not viewable_member: a member who blocked you, or who is not active, gets a clear refusal.
    target = services.get_member(user_id)
    if target is None:
        abort(404)
    back = url_for("social.profile", user_id=user_id) if can_view_profile(current_user, target) \
        else url_for("social.friends")
    try:
        row = services.send_friend_request(current_user, target)
    except SocialError as error:
        return _refused(error, back)
    db.session.commit()
    if row.status == "accepted":
        flash(_("You are now friends with %(name)s.", name=target.nickname), "success")
    else:
        flash(_("Your friend request to %(name)s has been sent.", name=target.nickname), "success")
    return redirect(_back(back), 303)


@bp.post("/friends/requests/<int:friendship_id>/<any(accept, decline, cancel):action>")
@login_required
def answer_request(friendship_id: int, action: str):
    back = url_for("social.friends")
    try:
        if action == "accept":
            row = services.accept_friend_request(current_user, friendship_id)
            name = services.get_member(row.requester_id).nickname
            message = _("You are now friends with %(name)s.", name=name)
        elif action == "decline":
            services.decline_friend_request(current_user, friendship_id)
            message = _("You declined the friend request.")
        else:
            services.cancel_friend_request(current_user, friendship_id)
            message = _("You cancelled your friend request.")
    except SocialError as error:
        return _refused(error, back)
    db.session.commit()
    flash(message, "success")
    return redirect(_back(back), 303)


@bp.post("/members/<int:user_id>/unfriend")
@login_required
def unfriend(user_id: int):
    other = services.get_member(user_id)
    if other is None:
        abort(404)
    try:
        services.remove_friend(current_user, other)
    except SocialError as error:
        return _refused(error, url_for("social.friends"))
    db.session.commit()
    flash(_("%(name)s is no longer your friend.", name=other.nickname), "success")
    return redirect(_back(url_for("social.friends")), 303)


# --- Blocks --------------------------------------------------------------------------------------------


@bp.route("/members/<int:user_id>/block", methods=["GET", "POST"])
@login_required
def block(user_id: int):
    target = services.viewable_member(current_user, user_id)
    if target is None:
        abort(404)
    if request.method == "GET":
        if not can_block(current_user, target):
            abort(404 if target.id != current_user.id else 400)
        return render_template(
            "social/block.html", member=target, friends=are_friends(current_user, target)
        )
    try:
        services.block(current_user, target)
    except SocialError as error:
        return _refused(error, url_for("social.profile", user_id=user_id))
    db.session.commit()
    flash(_("You blocked %(name)s.", name=target.nickname), "success")
    return redirect(url_for("social.blocks"), 303)


@bp.post("/members/<int:user_id>/unblock")
@login_required
def unblock(user_id: int):
    target = services.get_member(user_id)
    if target is None:
        abort(404)
    services.unblock(current_user, target)
    db.session.commit()
    flash(_("You unblocked %(name)s.", name=target.nickname), "success")
    return redirect(_back(url_for("social.blocks")), 303)


@bp.get("/settings/blocks")
@login_required
def blocks():
    return render_template("social/blocks.html", blocks=services.blocks_of(current_user))


# --- Withdraw and download my data ------------------------------------------------------------------------


@bp.route("/settings/withdraw", methods=["GET", "POST"])
@login_required
def withdraw():
    form = WithdrawForm()
    allowed = can_withdraw(current_user)
    keep = services.withdrawn_content_is_kept()
    if allowed and form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.withdraw(user, form.password.data)
        except SocialError as error:
            db.session.rollback()
            form.password.errors.append(str(error.message))
        else:
            end_session(None)  # the server-side rows went with the account
            db.session.commit()
            flash(_("Your account has been closed. Thank you for taking part."), "success")
            return redirect(url_for("core.home"), 303)
    status = 400 if form.errors else (403 if request.method == "POST" and not allowed else 200)
    return render_template("social/withdraw.html", form=form, allowed=allowed, keep=keep), status


@bp.get("/settings/export")
@login_required
def export():
    return render_template("social/export.html", sections=services.export_data(current_user), labels=EXPORT_LABELS)


@bp.get("/settings/export.json")
@login_required
def export_json():
    payload = {
        "site": "tsunagari",
        "exported_at": utcnow().isoformat(),
        "sections": services.export_data(current_user),
    }
    body = json.dumps(payload, ensure_ascii=False, indent=2)
    filename = f"tsunagari-{utcnow():%Y%m%d}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
