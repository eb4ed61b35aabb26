"""Circle pages. Each request: load (404 if the viewer may not even know it), check, act, commit once."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from community.accounts.models import District, User
from community.circles import queries, services
from community.circles.categories import categories, category_label
from community.circles.forms import (
    JOIN_LABELS,
    MAX_PHOTOS,
    ROLE_LABELS,
    STATUS_LABELS,
    VISIBILITY_SHORT,
    WHO_LABELS,
    CircleForm,
    CircleSettingsForm,
    CodeForm,
    EventForm,
    InviteCodeForm,
    JoinRequestForm,
    MemberSearchForm,
    ReplyForm,
    TopicForm,
)
from community.circles.models import Circle, Event, Invitation, JoinRequest, Topic
from community.circles.services import CircleError, TextRefused
from community.core.csvexport import csv_response
from community.core.forms import choices
from community.core.i18n import TOKYO
from community.core.once import already_sent
from community.core.storage_full import commit_or_skip
from community.core.urls import parse_id
from community.extensions import db
from community.policy import (
    Capability,
    TextField,
    can_publish_text,
    memo,
    visible_members,
    why_cannot,
    why_cannot_publish,
)
from community.policy import circles as policy
from community.reach.services import record_view

bp = Blueprint(
    "circles",
    __name__,
    url_prefix="/circles",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


@bp.app_context_processor
def circle_labels():
    return {
        "circle_policy": policy,
        "circle_categories": categories,
        "category_label": category_label,
        "VISIBILITY_SHORT": VISIBILITY_SHORT,
        "JOIN_LABELS": JOIN_LABELS,
        "WHO_LABELS": WHO_LABELS,
        "ROLE_LABELS": ROLE_LABELS,
        "CIRCLE_STATUS_LABELS": STATUS_LABELS,
    }


# -- loading ----------------------------------------------------------------------------------------


def _circle(circle_id: int) -> Circle:
    circle = db.session.get(Circle, circle_id)
    if not policy.can_view_circle(current_user, circle):
        abort(404)
    return circle


def _readable_circle(circle_id: int) -> Circle:
    circle = _circle(circle_id)
    if not policy.can_read_circle_content(current_user, circle):
        abort(404)
    return circle


def _admin_circle(circle_id: int) -> Circle:
    circle = _circle(circle_id)
    if not policy.can_admin_circle(current_user, circle):
        abort(403)
    return circle


def _topic(topic_id: int) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if not policy.can_view_topic(current_user, topic):
        abort(404)
    return topic


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if not policy.can_view_event(current_user, event):
        abort(404)
    return event


def _districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.sort_order, District.id)))


def _district_choices():
    return [(0, _("Not tied to a district"))] + [(d.id, d.name) for d in _districts()]


def _fail(error: CircleError, endpoint: str, **values):
    db.session.rollback()
    flash(str(error), "error")
    return redirect(url_for(endpoint, **values))


def _local(value: datetime) -> datetime:
    """A naive local time typed into a form, as an aware UTC datetime."""
    return value.replace(tzinfo=TOKYO)


def _files(field) -> list:
    return [f for f in (field.data or []) if getattr(f, "filename", "")]


def _check_photos(field) -> list | None:
    """Validate every upload before anything is stored; None (with the field error set) if one fails."""
    from community.media.pipeline import PhotoError
    from community.media.services import check_photo, read_upload

    checked = []
    for upload in _files(field)[:MAX_PHOTOS]:
        try:
            data = read_upload(upload)
            checked.append((data, check_photo(data)))
        except PhotoError as error:
            field.errors = list(field.errors) + [str(error)]
            return None
    return checked


def _store_photos(checked, *, owner_type: str, owner_id: int, alt: str, fallback: str) -> None:
    from community.media.services import store_photo

    total = len(checked)
    for position, (data, processed) in enumerate(checked):
        label = alt.strip() or fallback
        store_photo(
            data,
            uploaded_by=current_user,
            owner_type=owner_type,
            owner_id=owner_id,
            position=position,
            alt_text=f"{label} ({position + 1}/{total})" if total > 1 else label,
            processed=processed,
        )


# -- listings ---------------------------------------------------------------------------------------


@bp.get("/")
def index():
    category = request.args.get("category") or None
    if category not in dict(categories()):
        category = None
    district_id = request.args.get("district", type=parse_id) or None
    sort = request.args.get("sort", "lively")
    if sort not in queries.SORTS:
        sort = "lively"
    rows = queries.circle_listing(current_user, category=category, district_id=district_id, sort=sort,
                                  q=(request.args.get("q") or "")[:100] or None)
    covers = queries.cover_photos([r.circle.id for r in rows])
    return render_template(
        "circles/index.html",
        rows=rows,
        covers=covers,
        districts=_districts(),
        category=category,
        district_id=district_id,
        sort=sort,
        q=request.args.get("q", "")[:100],
    )


@bp.get("/mine")
@login_required
def mine():
    rows = queries.my_circles(current_user)
    invitations = list(
        db.session.scalars(
            select(Invitation).where(Invitation.user_id == current_user.id, Invitation.status == "pending")
        )
    )
    invitations = [i for i in invitations if policy.can_accept_invitation(current_user, i.circle)]
    return render_template("circles/mine.html", rows=rows, invitations=invitations,
                           covers=queries.cover_photos([r.circle.id for r in rows]))


@bp.get("/events")
def events():
    days: dict = {}
    for item in queries.upcoming_events(current_user, limit=100):
        days.setdefault(item.starts_at.astimezone(TOKYO).date(), []).append(item)
    return render_template("circles/events.html", days=list(days.items()))


# -- creating and settings -------------------------------------------------------------------------


def _admins_from(text: str) -> tuple[list[User], list[str]]:
    from community.accounts.models import normalize_login_id

    keys = [normalize_login_id(p) for p in text.replace("、", ",").replace(" ", ",").split(",") if p.strip()]
    users = {u.login_key: u for u in db.session.scalars(select(User).where(User.login_key.in_(keys)))} if keys else {}
    missing = [k for k in keys if k not in users or not users[k].is_verified]
    return [users[k] for k in keys if k in users and users[k].is_verified], missing


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    staff = policy.can_create_official_circle(current_user)
    if not policy.can_create_circle(current_user) and not staff:
        return render_template("circles/cannot.html", reason=why_cannot(current_user, Capability.create_circle)), 403
    form = CircleForm()
    form.district_id.choices = _district_choices()
    form.category.choices = choices(categories())
    duplicate = False
    if form.validate_on_submit():
        if (resent := already_sent()) is not None:  # else "name taken" would answer a double click
            return resent
        official = staff and form.official.data
        district_id = form.district_id.data or None
        admins, missing = _admins_from(form.admins.data or "") if staff else ([], [])
        exists, _same = services.similar_circle_names(form.name.data, district_id)
        checked = _check_photos(form.cover)
        if missing:
            form.admins.errors = [_("These login IDs were not found among verified members: %(ids)s", ids=", ".join(missing))]
        elif exists and not _same and not form.confirm_duplicate.data:
            duplicate = True
        elif checked is not None:
            try:
                circle = services.create_circle(
                    current_user,
                    name=form.name.data,
                    description=form.description.data or "",
                    category=form.category.data,
                    district_id=district_id,
                    visibility=form.visibility.data,
                    join_mode=form.join_mode.data,
                    topic_policy=form.topic_policy.data,
                    comment_policy=form.comment_policy.data,
                    official=official,
                    admins=admins,
                )
                if checked:
                    _store_photos(checked[:1], owner_type="circle_cover", owner_id=circle.id,
                                  alt=_("Cover photo of %(name)s", name=circle.name), fallback="")
            except CircleError as error:
                db.session.rollback()
                form.name.errors = list(form.name.errors) + [str(error)]
            else:
                db.session.commit()
                flash(_("The circle was created."), "success")
                return redirect(url_for("circles.show", circle_id=circle.id))
    status = 400 if (form.errors or duplicate) and request.method == "POST" else 200
    return render_template("circles/new.html", form=form, staff=staff, duplicate=duplicate), status


@bp.route("/<int:circle_id>/settings", methods=["GET", "POST"])
@login_required
def settings(circle_id: int):
    circle = _circle(circle_id)
    if not policy.can_edit_circle(current_user, circle):
        abort(403)
    form = CircleSettingsForm(obj=circle)
    form.district_id.choices = _district_choices()
    form.category.choices = choices(categories(keep=circle.category))
    if request.method == "GET":
        form.district_id.data = circle.district_id or 0
    if text_refusal := why_cannot_publish(current_user, TextField.circle_text):
        for f in (form.name, form.description):  # read-only, still sent: the other settings stay editable
            f.render_kw = {**(f.render_kw or {}), "readonly": True}
    status = 200
    if form.validate_on_submit():
        try:
            services.update_circle(
                current_user,
                circle,
                name=form.name.data,
                description=form.description.data or "",
                category=form.category.data,
                district_id=form.district_id.data or None,
                visibility=form.visibility.data,
                join_mode=form.join_mode.data,
                topic_policy=form.topic_policy.data,
                comment_policy=form.comment_policy.data,
            )
        except CircleError as error:
            db.session.rollback()
            circle = _circle(circle_id)
            form.name.errors = list(form.name.errors) + [str(error)]
            status = 403 if isinstance(error, TextRefused) else 400
        else:
            db.session.commit()
            flash(_("The settings were saved."), "success")
            return redirect(url_for("circles.show", circle_id=circle.id))
    if status == 200 and form.errors:
        status = 400
    return render_template("circles/settings.html", circle=circle, form=form, text_refusal=text_refusal), status


@bp.post("/<int:circle_id>/status")
@login_required
def set_status(circle_id: int):
    circle = _circle(circle_id)
    try:
        services.set_status(current_user, circle, request.form.get("status", ""))
    except (CircleError, ValueError) as error:
        return _fail(CircleError(str(error) if isinstance(error, CircleError) else _("Please choose a valid status.")),
                     "circles.show", circle_id=circle_id)
    db.session.commit()
    flash(_("The circle's status was changed."), "success")
    return redirect(url_for("circles.show", circle_id=circle_id))


# -- the circle page --------------------------------------------------------------------------------


@bp.get("/<int:circle_id>")
def show(circle_id: int):
    circle = _circle(circle_id)
    membership = policy.membership(current_user, circle)
    if membership is not None and membership.state == "active":
        # Commit before loading the lists: a commit expires every loaded row, and the template
        # would then reload each topic one by one (a query per row).
        commit_or_skip("a circle's read-up-to time", lambda: services.mark_read(current_user, circle))
    with memo.reading():  # nothing below writes: the membership row is looked up once, not 7 times
        return _render_circle(circle, membership)


def _render_circle(circle: Circle, membership):
    readable = policy.can_read_circle_content(current_user, circle)
    topics = queries.circle_topics(current_user, circle) if readable else []
    events = queries.upcoming_events(current_user, circle, limit=10) if readable else []
    pending_requests = 0
    if policy.can_admin_circle(current_user, circle):
        pending_requests = len(list(db.session.scalars(
            select(JoinRequest.id).where(JoinRequest.circle_id == circle.id, JoinRequest.status == "pending"))))
    cover = queries.cover_photos([circle.id]).get(circle.id)
    return render_template(
        "circles/show.html",
        circle=circle,
        readable=readable,
        topics=topics,
        events=events,
        membership=membership,
        invitation=policy.pending_invitation(current_user, circle),
        join_request=policy.pending_join_request(current_user, circle),
        pending_requests=pending_requests,
        cover=cover,
        write_reason=_write_reason(circle),
    )


def _refusal(circle: Circle, allowed: bool, not_member: str, admins_only: str) -> str | None:
    """Why the viewer cannot write here, in plain Japanese (None when they can): the UI shows
    this instead of a dead button."""
    if allowed:
        return None
    if circle.status != "open":
        return str(services.CLOSED_MESSAGE)
    reason = why_cannot(current_user, Capability.write)
    if reason:
        return reason
    if not policy.is_circle_member(current_user, circle):
        return not_member
    return admins_only


def _write_reason(circle: Circle) -> str | None:
    return _refusal(
        circle,
        policy.can_post_topic(current_user, circle),
        _("Only members of this circle can post."),
        _("In this circle, only the circle's admins start topics."),
    )


@bp.post("/<int:circle_id>/join")
@login_required
def join(circle_id: int):
    circle = _circle(circle_id)
    try:
        services.join(current_user, circle)
    except CircleError as error:
        return _fail(error, "circles.show", circle_id=circle_id)
    db.session.commit()
    flash(_("You joined %(name)s.", name=circle.name), "success")
    return redirect(url_for("circles.show", circle_id=circle_id))


@bp.route("/<int:circle_id>/request", methods=["GET", "POST"])
@login_required
def request_join(circle_id: int):
    circle = _circle(circle_id)
    form = JoinRequestForm()
    if message_refusal := why_cannot_publish(current_user, TextField.join_request_message):
        form.message.render_kw = {**(form.message.render_kw or {}), "disabled": True}  # never sent
    status = 200
    if form.validate_on_submit():
        if (resent := already_sent()) is not None:  # else "you have already sent a request"
            return resent
        try:
            services.request_to_join(current_user, circle, form.message.data or "")
        except TextRefused as error:
            db.session.rollback()
            form.message.errors.append(str(error))
            status = 403
        except CircleError as error:
            return _fail(error, "circles.show", circle_id=circle_id)
        else:
            db.session.commit()
            flash(_("Your request was sent. You will be notified when the admins answer."), "success")
            return redirect(url_for("circles.show", circle_id=circle_id))
    if status == 200 and form.errors:
        status = 400
    return render_template("circles/request.html", circle=circle, form=form, message_refusal=message_refusal), status


@bp.post("/requests/<int:request_id>/withdraw")
@login_required
def withdraw_request(request_id: int):
    req = db.session.get(JoinRequest, request_id)
    if req is None or req.user_id != current_user.id:
        abort(404)
    try:
        services.withdraw_request(current_user, req)
    except CircleError as error:
        return _fail(error, "circles.show", circle_id=req.circle_id)
    db.session.commit()
    flash(_("Your request was withdrawn."), "success")
    return redirect(url_for("circles.index"))


@bp.post("/<int:circle_id>/leave")
@login_required
def leave(circle_id: int):
    circle = _circle(circle_id)
    try:
        services.leave(current_user, circle)
    except CircleError as error:
        return _fail(error, "circles.show", circle_id=circle_id)
    db.session.commit()
    flash(_("You left %(name)s.", name=circle.name), "success")
    return redirect(url_for("circles.mine"))


@bp.post("/<int:circle_id>/follow")
@login_required
def follow(circle_id: int):
    circle = _circle(circle_id)
    follow_on = request.form.get("follow") == "1"
    try:
        services.set_follow(current_user, circle, follow_on)
    except CircleError as error:
        return _fail(error, "circles.show", circle_id=circle_id)
    db.session.commit()
    flash(_("You will be notified of new topics.") if follow_on else _("You will no longer be notified of new topics."),
          "success")
    return redirect(url_for("circles.show", circle_id=circle_id))


@bp.post("/<int:circle_id>/invitation/<answer>")
@login_required
def answer_invitation(circle_id: int, answer: str):
    circle = _circle(circle_id)
    inv = policy.pending_invitation(current_user, circle)
    if inv is None or answer not in ("accept", "decline"):
        abort(404)
    try:
        if answer == "accept":
            services.accept_invitation(current_user, inv)
        else:
            services.decline_invitation(current_user, inv)
    except CircleError as error:
        return _fail(error, "circles.mine")
    db.session.commit()
    if answer == "accept":
        flash(_("You joined %(name)s.", name=circle.name), "success")
        return redirect(url_for("circles.show", circle_id=circle_id))
    flash(_("You declined the invitation."), "success")
    return redirect(url_for("circles.mine"))


@bp.route("/code", methods=["GET", "POST"])
@login_required
def join_by_code():
    """A printed code handed out at the school or the community centre."""
    form = CodeForm(request.args) if request.method == "GET" and request.args.get("code") else CodeForm()
    invitation = None
    error_message = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            membership = services.accept_invitation(current_user, services.find_code(form.code.data))
        except CircleError as error:
            db.session.rollback()
            error_message = str(error)
        else:
            db.session.commit()
            flash(_("You joined %(name)s.", name=membership.circle.name), "success")
            return redirect(url_for("circles.show", circle_id=membership.circle_id))
    elif request.method == "GET" and form.code.data:
        try:
            invitation = services._check_invitation(services.find_code(form.code.data))
        except CircleError as error:
            error_message = str(error)
    if error_message:
        form.code.errors = list(form.code.errors) + [error_message]
    status = 400 if form.code.errors else 200
    return render_template("circles/code.html", form=form, invitation=invitation), status


# -- topics and posts -------------------------------------------------------------------------------


@bp.route("/<int:circle_id>/topics/new", methods=["GET", "POST"])
@login_required
def new_topic(circle_id: int):
    circle = _readable_circle(circle_id)
    if not policy.can_post_topic(current_user, circle):
        return render_template("circles/cannot.html", circle=circle, reason=_write_reason(circle)), 403
    form = TopicForm()
    if form.validate_on_submit():
        checked = _check_photos(form.photos)
        if checked is not None:
            try:
                topic = services.create_topic(
                    current_user, circle, title=form.title.data, body=form.body.data,
                    pinned=bool(form.pinned.data),
                )
                post = services.first_post(topic)
                _store_photos(checked, owner_type="circle_post", owner_id=post.id, alt=form.photo_alt.data or "",
                              fallback=_("Photo for \u300c%(title)s\u300d", title=topic.title))
            except CircleError as error:
                db.session.rollback()
                form.body.errors = list(form.body.errors) + [str(error)]
            else:
                db.session.commit()
                flash(_("The topic was posted."), "success")
                return redirect(url_for("circles.topic", topic_id=topic.id))
    return render_template("circles/topic_new.html", circle=circle, form=form), (400 if form.errors else 200)


@bp.get("/topics/<int:topic_id>")
def topic(topic_id: int):
    # Loading the topic, counting the view, the comment form and the pin button each look up the
    # viewer's membership row: once per page (policy.memo; a write in between starts it afresh).
    with memo.reading():
        topic = _topic(topic_id)
        record_view("circle_topic", topic.id, "circle", topic.circle_id, current_user, author_id=topic.author_id)
        posts = queries.topic_posts(current_user, topic)
        photos = queries.photos_by_post([p.id for p in posts])
        form = ReplyForm()
        return render_template("circles/topic.html", circle=topic.circle, topic=topic, posts=posts, photos=photos,
                               form=form, write_reason=_comment_reason(topic))


def _comment_reason(topic: Topic) -> str | None:
    return _refusal(
        topic.circle,
        policy.can_comment(current_user, topic),
        _("Only members of this circle can comment."),
        _("In this circle, only the circle's admins comment."),
    )


@bp.post("/topics/<int:topic_id>/reply")
@login_required
def reply(topic_id: int):
    topic = _topic(topic_id)
    form = ReplyForm()
    if form.validate_on_submit():
        checked = _check_photos(form.photos)
        if checked is not None:
            try:
                post = services.reply(current_user, topic, form.body.data)
                _store_photos(checked, owner_type="circle_post", owner_id=post.id, alt=form.photo_alt.data or "",
                              fallback=_("Photo for \u300c%(title)s\u300d", title=topic.title))
            except CircleError as error:
                db.session.rollback()
                topic = _topic(topic_id)
                form.body.errors = list(form.body.errors) + [str(error)]
            else:
                db.session.commit()
                flash(_("Your comment was posted."), "success")
                return redirect(url_for("circles.topic", topic_id=topic_id, _anchor=f"post-{post.id}"))
    posts = queries.topic_posts(current_user, topic)
    return render_template("circles/topic.html", circle=topic.circle, topic=topic, posts=posts,
                           photos=queries.photos_by_post([p.id for p in posts]), form=form,
                           write_reason=_comment_reason(topic)), 400


@bp.post("/topics/<int:topic_id>/pin")
@login_required
def pin(topic_id: int):
    topic = _topic(topic_id)
    try:
        services.set_pinned(current_user, topic, request.form.get("pinned") == "1")
    except CircleError as error:
        return _fail(error, "circles.topic", topic_id=topic_id)
    db.session.commit()
    return redirect(url_for("circles.topic", topic_id=topic_id))


# -- events -----------------------------------------------------------------------------------------


@bp.route("/<int:circle_id>/events/new", methods=["GET", "POST"])
@login_required
def new_event(circle_id: int):
    circle = _readable_circle(circle_id)
    if not policy.can_create_event(current_user, circle):
        return render_template("circles/cannot.html", circle=circle, reason=_write_reason(circle)), 403
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = services.create_event(
                current_user, circle, title=form.title.data, starts_at=_local(form.starts_at.data),
                ends_at=_local(form.ends_at.data), place=form.place.data or "",
                description=form.description.data or "", capacity=form.capacity.data,
            )
        except CircleError as error:
            db.session.rollback()
            form.title.errors = list(form.title.errors) + [str(error)]
        else:
            db.session.commit()
            flash(_("The event was created."), "success")
            return redirect(url_for("circles.event", event_id=event.id))
    return render_template("circles/event_new.html", circle=circle, form=form), (400 if form.errors else 200)


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    event = _event(event_id)
    signup = services.signup_of(event, current_user)
    position = queries.waiting_position(event, signup) if signup is not None and signup.status == "waiting" else None
    return render_template("circles/event.html", circle=event.circle, event=event, signup=signup, position=position,
                           waiting=queries.waiting_count(event))


@bp.post("/events/<int:event_id>/signup")
@login_required
def sign_up(event_id: int):
    event = _event(event_id)
    try:
        result = services.sign_up(current_user, event)
    except CircleError as error:
        return _fail(error, "circles.event", event_id=event_id)
    db.session.commit()
    if result.status == "confirmed":
        flash(_("You are signed up."), "success")
    else:
        flash(_("The event is full, so you are on the waiting list. You will be told if a place becomes free."),
              "success")
    return redirect(url_for("circles.event", event_id=event_id))


@bp.post("/events/<int:event_id>/cancel")
@login_required
def cancel(event_id: int):
    event = _event(event_id)
    try:
        services.cancel_signup(current_user, event)
    except CircleError as error:
        return _fail(error, "circles.event", event_id=event_id)
    db.session.commit()
    flash(_("Your sign-up was cancelled."), "success")
    return redirect(url_for("circles.event", event_id=event_id))


@bp.get("/events/<int:event_id>/participants")
@login_required
def participants(event_id: int):
    event = _event(event_id)
    if not policy.can_view_participants(current_user, event):
        abort(403)
    rows = services.participants(event)
    return render_template("circles/participants.html", circle=event.circle, event=event,
                           confirmed=[r for r in rows if r.status == "confirmed"],
                           waiting=[r for r in rows if r.status == "waiting"])


# -- admin tools ------------------------------------------------------------------------------------


@bp.get("/<int:circle_id>/members")
@login_required
def members(circle_id: int):
    circle = _admin_circle(circle_id)
    requests_ = list(
        db.session.scalars(
            select(JoinRequest)
            .where(JoinRequest.circle_id == circle.id, JoinRequest.status == "pending")
            .order_by(JoinRequest.created_at)
        )
    )
    # A message sent by someone who may not post (e.g. before the rule) stays stored but unread.
    unshown = {r.id for r in requests_ if r.message and not can_publish_text(r.user, TextField.join_request_message)}
    return render_template("circles/members.html", circle=circle, rows=services.member_rows(circle),
                           requests=requests_, unshown_messages=unshown,
                           can_own=policy.can_own_circle(current_user, circle))


@bp.get("/<int:circle_id>/members.csv")
@login_required
def members_csv(circle_id: int):
    circle = _admin_circle(circle_id)
    return csv_response(services.member_csv_rows(current_user, circle), f"circle-{circle.id}-members.csv")


def _member_from_form(circle: Circle) -> User:
    user_id = request.form.get("user_id", type=parse_id)
    if user_id is None:
        abort(400)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/<int:circle_id>/members/<action>")
@login_required
def member_action(circle_id: int, action: str):
    circle = _admin_circle(circle_id)
    member = _member_from_form(circle)
    try:
        if action == "remove":
            services.remove_member(current_user, circle, member)
            message = _("%(name)s was removed from the circle.", name=member.nickname)
        elif action == "ban":
            services.remove_member(current_user, circle, member, ban=True)
            message = _("%(name)s was banned from the circle.", name=member.nickname)
        elif action == "unban":
            services.unban(current_user, circle, member)
            message = _("The ban on %(name)s was lifted.", name=member.nickname)
        elif action in ("make-admin", "make-member"):
            services.set_role(current_user, circle, member, "admin" if action == "make-admin" else "member")
            message = _("The role of %(name)s was changed.", name=member.nickname)
        elif action == "transfer":
            services.transfer_ownership(current_user, circle, member)
            message = _("%(name)s is now the owner of the circle.", name=member.nickname)
        else:
            abort(404)
    except CircleError as error:
        return _fail(error, "circles.members", circle_id=circle_id)
    db.session.commit()
    flash(message, "success")
    if not policy.can_admin_circle(current_user, circle):
        return redirect(url_for("circles.show", circle_id=circle_id))
    return redirect(url_for("circles.members", circle_id=circle_id))


@bp.post("/requests/<int:request_id>/<decision>")
@login_required
def decide(request_id: int, decision: str):
    req = db.session.get(JoinRequest, request_id)
    if req is None or decision not in ("approve", "reject"):
        abort(404)
    _admin_circle(req.circle_id)
    try:
        services.decide_request(current_user, req, decision == "approve")
    except CircleError as error:
        return _fail(error, "circles.members", circle_id=req.circle_id)
    db.session.commit()
    flash(_("The request was approved.") if decision == "approve" else _("The request was declined."), "success")
    return redirect(url_for("circles.members", circle_id=req.circle_id))


@bp.route("/<int:circle_id>/invite", methods=["GET", "POST"])
@login_required
def invite(circle_id: int):
    circle = _admin_circle(circle_id)
    search = MemberSearchForm(request.args)
    code_form = InviteCodeForm()
    found: list[User] = []
    if request.args.get("q") and search.validate():
        q = search.q.data.strip()
        like = f"%{q}%"
        stmt = visible_members(select(User), current_user).where(
            User.status == "verified", or_(User.nickname.ilike(like), User.login_key == q.casefold())
        )
        found = list(db.session.scalars(stmt.order_by(User.nickname).limit(20)))
    if request.method == "POST" and request.form.get("user_id"):
        if (resent := already_sent()) is not None:  # else "already invited"
            return resent
        member = _member_from_form(circle)
        try:
            services.invite_member(current_user, circle, member)
        except CircleError as error:
            return _fail(error, "circles.invite", circle_id=circle_id)
        db.session.commit()
        flash(_("%(name)s was invited.", name=member.nickname), "success")
        return redirect(url_for("circles.invite", circle_id=circle_id))
    if request.method == "POST" and code_form.validate_on_submit():
        try:
            inv = services.new_invitation_code(current_user, circle, max_uses=code_form.max_uses.data,
                                               days=code_form.days.data)
        except CircleError as error:
            return _fail(error, "circles.invite", circle_id=circle_id)
        db.session.commit()
        flash(_("A new invitation code was made."), "success")
        return redirect(url_for("circles.print_code", circle_id=circle_id, invitation_id=inv.id))
    codes = list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.circle_id == circle.id, Invitation.code.is_not(None), Invitation.status == "pending")
            .order_by(Invitation.created_at.desc())
        )
    )
    invited = list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.circle_id == circle.id, Invitation.user_id.is_not(None), Invitation.status == "pending")
            .order_by(Invitation.created_at.desc())
        )
    )
    status = 400 if code_form.errors else 200
    return render_template("circles/invite.html", circle=circle, search=search, found=found, code_form=code_form,
                           codes=codes, invited=invited), status


@bp.get("/<int:circle_id>/invitations/<int:invitation_id>/print")
@login_required
def print_code(circle_id: int, invitation_id: int):
    circle = _admin_circle(circle_id)
    inv = db.session.get(Invitation, invitation_id)
    if inv is None or inv.circle_id != circle.id or inv.code is None:
        abort(404)
    return render_template("circles/print_code.html", circle=circle, invitation=inv)


@bp.post("/<int:circle_id>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(circle_id: int, invitation_id: int):
    circle = _admin_circle(circle_id)
    inv = db.session.get(Invitation, invitation_id)
    if inv is None or inv.circle_id != circle.id:
        abort(404)
    try:
        services.revoke_invitation(current_user, inv)
    except CircleError as error:
        return _fail(error, "circles.invite", circle_id=circle_id)
    db.session.commit()
    flash(_("The invitation was cancelled."), "success")
    return redirect(url_for("circles.invite", circle_id=circle_id))

