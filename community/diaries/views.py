"""Diary pages: thin views over community.diaries.services; every read goes through the policy."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.accounts.models import User
from community.core.urls import parse_id
from community.diaries import services
from community.diaries.forms import (
    VISIBILITY_LABELS,
    AudienceListForm,
    CommentForm,
    EntryForm,
    SettingsForm,
    as_choices,
)
from community.diaries.models import MAX_PHOTOS, PHOTO_OWNER, AudienceList, DiaryComment
from community.extensions import csrf, db
from community.media import services as media
from community.media.pipeline import PhotoError
from community.policy import (
    Capability,
    can_comment_on_entry,
    can_delete_comment,
    can_delete_entry,
    can_edit_entry,
    can_like_entry,
    can_write_diary,
    memo,
    why_cannot,
)

bp = Blueprint("diaries", __name__, template_folder="templates", static_folder="static",
               static_url_path="/diaries/static")


@bp.before_request
def allow_long_text():
    """A text field may carry up to 4 MB here (Flask's default is 500 kB), so an over-long entry is
    answered by the form's own message with the text kept, instead of a bare 413 page."""
    if request.endpoint in ("diaries.new", "diaries.edit", "diaries.comment"):
        request.max_form_memory_size = 4 * 1024 * 1024


def _page() -> int:
    return max(request.args.get("page", 1, type=parse_id) or 1, 1)


@bp.get("/diaries")
def index():
    return render_template("diaries/index.html", page=services.latest(current_user, _page()),
                           heading=_("New diary entries"), feed="latest")


@bp.get("/diaries/friends")
@login_required
def friends():
    return render_template("diaries/index.html", page=services.friends_feed(current_user, _page()),
                           heading=_("Friends' diaries"), feed="friends")


def _visible_member(user_id: int) -> User:
    member = db.session.get(User, user_id)
    if member is None or (member.status != "verified" and member.id != getattr(current_user, "id", None)):
        abort(404)
    return member


@bp.get("/diaries/members/<int:user_id>")
@bp.get("/diaries/members/<int:user_id>/<int:year>/<int:month>")
def member(user_id: int, year: int | None = None, month: int | None = None):
    member = _visible_member(user_id)
    if month is not None and not (1 <= month <= 12 and 2000 <= year <= 2100):
        abort(404)
    page = services.member_feed(current_user, member, _page(), year, month)
    months = services.archive_months(current_user, member)
    if not months and member.id != getattr(current_user, "id", None) and year is None:
        abort(404)  # nothing this viewer may read: the page does not exist for them
    return render_template("diaries/member.html", member=member, page=page, months=months, year=year, month=month)


# --- Writing ---------------------------------------------------------------------------------------


def _prepare(form: EntryForm, author, entry=None) -> None:
    form.audience_members.choices = as_choices((u.id, u.nickname) for u in services.selectable_friends(author))
    form.audience_lists.choices = as_choices((al.id, f"{al.name}（{len(al.members)}）") for al in services.lists_of(author))
    if entry is not None:
        form.remove_photos.choices = as_choices((p.id, str(p.position)) for p in media.photos_of(PHOTO_OWNER, entry.id))


def _readers(author, form: EntryForm) -> dict:
    """For each visibility, the sentence that says who will be able to read the entry."""
    members = form.audience_members.data or []
    lists = form.audience_lists.data or []
    return {
        v: services.readers_sentence(v, services.reader_count(author, v, members, lists))
        for v in VISIBILITY_LABELS
    }


def _checked_photos(form: EntryForm) -> list | None:
    """Validate every uploaded file before anything is stored; None (with an error) if one is bad."""
    files = [f for f in request.files.getlist(form.photos.name) if f and f.filename]
    if len(files) > MAX_PHOTOS:
        form.photos.errors = [_("You can attach up to %(count)s photos.", count=MAX_PHOTOS)]
        return None
    processed = []
    for number, upload in enumerate(files, start=1):
        try:
            processed.append(media.check_photo(media.read_upload(upload)))
        except PhotoError as error:
            form.photos.errors = [_("Photo %(number)s: %(message)s", number=number, message=str(error.message)) + " "
                                  + _("Please choose your photos again; your text is kept.")]
            return None
    return processed


def _write_denied():
    return render_template("diaries/cannot_write.html", reason=why_cannot(current_user, Capability.write)), 403


def _expired_form():
    """The login ran out while writing: show the text back so nothing is lost."""
    return render_template(
        "diaries/expired.html", title=request.form.get("title", ""), body=request.form.get("body", "")
    ), 401


@bp.route("/diaries/new", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired one re-shows the text instead of an error page
def new():
    if not current_user.is_authenticated:
        if request.method == "POST":
            return _expired_form()
        return current_app.login_manager.unauthorized()
    if not can_write_diary(current_user):
        return _write_denied()
    form = EntryForm()
    if request.method == "GET":
        form.visibility.data = services.default_visibility(current_user)
    _prepare(form, current_user)
    if form.validate_on_submit():
        photos = _checked_photos(form)
        if photos is not None:
            try:
                entry = services.create_entry(
                    current_user, title=form.title.data, body=form.body.data, visibility=form.visibility.data,
                    member_ids=form.audience_members.data or [], list_ids=form.audience_lists.data or [],
                    photos=photos,
                )
            except (services.DiaryError, PhotoError) as error:
                db.session.rollback()
                form.photos.errors = [str(error.message)]
            else:
                db.session.commit()
                flash(_("Your diary entry is posted."), "success")
                return redirect(url_for("diaries.show", entry_id=entry.id, posted=1))
    return render_template("diaries/form.html", form=form, entry=None, readers=_readers(current_user, form),
                           photos=[]), (400 if request.method == "POST" else 200)


def _own_entry(entry_id: int):
    entry = services.get_visible_entry(current_user, entry_id)
    if entry is None or not can_delete_entry(current_user, entry):
        abort(404)  # someone else's entry is not "forbidden": for this viewer it does not exist
    return entry


@bp.route("/diaries/<int:entry_id>/edit", methods=["GET", "POST"])
@csrf.exempt  # see new()
def edit(entry_id: int):
    if not current_user.is_authenticated:
        if request.method == "POST":
            return _expired_form()
        return current_app.login_manager.unauthorized()
    entry = _own_entry(entry_id)
    if not can_edit_entry(current_user, entry):
        return _write_denied()
    form = EntryForm(obj=entry if request.method == "GET" else None)
    if request.method == "GET":
        form.audience_members.data = [m.user_id for m in entry.audience_members]
        form.audience_lists.data = [al.list_id for al in entry.audience_lists]
    _prepare(form, current_user, entry)
    if form.validate_on_submit():
        photos = _checked_photos(form)
        if photos is not None:
            try:
                services.update_entry(
                    entry, current_user, title=form.title.data, body=form.body.data, visibility=form.visibility.data,
                    member_ids=form.audience_members.data or [], list_ids=form.audience_lists.data or [],
                    photos=photos, remove_photo_ids=form.remove_photos.data or [],
                )
            except (services.DiaryError, PhotoError) as error:
                db.session.rollback()
                form.photos.errors = [str(error.message)]
            else:
                db.session.commit()
                flash(_("Your diary entry is updated."), "success")
                return redirect(url_for("diaries.show", entry_id=entry.id, posted=2))
    return render_template("diaries/form.html", form=form, entry=entry, readers=_readers(current_user, form),
                           photos=media.photos_of(PHOTO_OWNER, entry.id)), (400 if request.method == "POST" else 200)


@bp.route("/diaries/<int:entry_id>/delete", methods=["GET", "POST"])
@login_required
def delete(entry_id: int):
    entry = _own_entry(entry_id)
    if request.method == "POST":
        services.delete_entry(entry)
        db.session.commit()
        flash(_("Your diary entry is deleted."), "success")
        return redirect(url_for("diaries.member", user_id=current_user.id))
    return render_template("diaries/delete.html", entry=entry)


# --- Reading one entry, comments and likes ---------------------------------------------------------


def _visible_entry(entry_id: int):
    entry = services.get_visible_entry(current_user, entry_id)
    if entry is None:
        abort(404)
    return entry


def _render_entry(entry, comment_form=None, status=200):
    viewer = current_user
    # Each of these asks the entry's whole visibility rule again (and whether a block stands
    # between viewer and author): ask once per page. The policy lets a member like exactly the
    # entries they may comment on (can_like_entry), so one answer serves both buttons (issue 9).
    may_comment = bool(viewer.is_authenticated and can_comment_on_entry(viewer, entry))
    readers = services.readers_sentence(
        entry.visibility,
        services.reader_count(entry.author, entry.visibility, [m.user_id for m in entry.audience_members],
                              [al.list_id for al in entry.audience_lists]),
    ) if can_delete_entry(viewer, entry) else None
    return render_template(
        "diaries/show.html",
        entry=entry,
        photos=services.photos_for([entry.id]).get(entry.id, []),
        comments=services.comments_for(viewer, entry),
        likers=services.likers_of(viewer, entry),
        liked=services.has_liked(viewer, entry),
        comment_form=comment_form or CommentForm(),
        may_comment=may_comment,
        may_like=may_comment,
        may_edit=can_edit_entry(viewer, entry),
        may_delete=can_delete_entry(viewer, entry),
        can_delete_comment=lambda c: can_delete_comment(viewer, c),
        readers=readers,
        visibility_label=VISIBILITY_LABELS[entry.visibility],
        write_reason=why_cannot(viewer, Capability.write),
    ), status


@bp.get("/diaries/<int:entry_id>")
def show(entry_id: int):
    with memo.reading():  # a GET that changes nothing: one visibility answer per page
        return _render_entry(_visible_entry(entry_id))


@bp.post("/diaries/<int:entry_id>/comments")
@login_required
def comment(entry_id: int):
    entry = _visible_entry(entry_id)
    if not can_comment_on_entry(current_user, entry):
        abort(403)  # the page never offers the form then; this is a crafted request
    form = CommentForm()
    if form.validate_on_submit():
        created = services.add_comment(entry, current_user, form.body.data)
        db.session.commit()
        flash(_("Your comment is posted."), "success")
        return redirect(url_for("diaries.show", entry_id=entry.id, _anchor=f"comment-{created.id}"))
    return _render_entry(entry, form, 400)


@bp.post("/diaries/comments/<int:comment_id>/delete")
@login_required
def delete_comment(comment_id: int):
    found = db.session.get(DiaryComment, comment_id)
    if found is None or services.get_visible_entry(current_user, found.entry_id) is None \
            or not can_delete_comment(current_user, found):
        abort(404)
    entry_id = found.entry_id
    services.delete_comment(found)
    db.session.commit()
    flash(_("The comment is deleted."), "success")
    return redirect(url_for("diaries.show", entry_id=entry_id, _anchor="comments"))


@bp.post("/diaries/<int:entry_id>/like")
@login_required
def like(entry_id: int):
    entry = _visible_entry(entry_id)
    if not can_like_entry(current_user, entry):
        abort(403)
    if request.form.get("undo"):
        services.unlike(entry, current_user)
    else:
        services.like(entry, current_user)
    db.session.commit()
    return redirect(url_for("diaries.show", entry_id=entry.id, _anchor="likes"))


# --- Settings and saved lists ----------------------------------------------------------------------


@bp.route("/diaries/settings", methods=["GET", "POST"])
@login_required
def settings():
    if not can_write_diary(current_user):
        return _write_denied()
    form = SettingsForm()
    if request.method == "GET":
        form.default_visibility.data = services.default_visibility(current_user)
    if form.validate_on_submit():
        services.set_default_visibility(current_user, form.default_visibility.data)
        db.session.commit()
        flash(_("Your diary settings are saved."), "success")
        return redirect(url_for("diaries.settings"))
    return render_template("diaries/settings.html", form=form, lists=services.lists_of(current_user)), \
        (400 if form.errors else 200)


def _own_list(list_id: int) -> AudienceList:
    found = db.session.scalar(select(AudienceList).where(AudienceList.id == list_id,
                                                         AudienceList.owner_id == current_user.id))
    if found is None:
        abort(404)
    return found


@bp.route("/diaries/lists/new", methods=["GET", "POST"])
@bp.route("/diaries/lists/<int:list_id>", methods=["GET", "POST"])
@login_required
def edit_list(list_id: int | None = None):
    if not can_write_diary(current_user):
        return _write_denied()
    audience_list = _own_list(list_id) if list_id else None
    form = AudienceListForm(obj=audience_list if request.method == "GET" else None)
    form.members.choices = as_choices((u.id, u.nickname) for u in services.selectable_friends(current_user))
    if request.method == "GET" and audience_list:
        form.members.data = [m.user_id for m in audience_list.members]
    if form.validate_on_submit():
        try:
            services.save_list(current_user, form.name.data, form.members.data or [], audience_list)
        except services.DiaryError as error:
            db.session.rollback()
            form.name.errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("The list is saved."), "success")
            return redirect(url_for("diaries.settings"))
    return render_template("diaries/list_form.html", form=form, audience_list=audience_list), \
        (400 if form.errors else 200)


@bp.post("/diaries/lists/<int:list_id>/delete")
@login_required
def delete_list(list_id: int):
    services.delete_list(_own_list(list_id))
    db.session.commit()
    flash(_("The list is deleted."), "success")
    return redirect(url_for("diaries.settings"))


