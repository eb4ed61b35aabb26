"""Official accounts and their posts: plain arguments in, rows flushed (never committed).

Every state change by staff is written to the audit log. Domain errors carry a message for the
person (Japanese through the catalogue) and, for refusals, the HTTP status the view should use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import selectinload

from community import audit
from community.accounts.models import User, normalize_login_id
from community.core.database import utcnow
from community.core.once import insert_or_earlier
from community.extensions import db
from community.notifications.services import notify, notify_all
from community.official.models import (
    OfficialAccount,
    OfficialAccountMember,
    OfficialFollow,
    OfficialPost,
    OfficialPostReaction,
    OfficialPostRevision,
)
from community.policy import (
    can_follow_official,
    can_manage_official_accounts,
    can_post_as_official,
    can_react_to_official_post,
    can_withdraw_official_post,
    followed_official_posts,
    official_notification_recipients,
    visible_official_posts,
)

PER_PAGE = 20
SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
RESERVED_SLUGS = {"admin", "posts", "static", "new"}  # the package's own URLs under /official/


class OfficialError(Exception):
    """A refusal or a problem with the input; `field` names the form field it belongs to."""

    def __init__(self, message, *, field: str | None = None, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.status = status


class StaleEdit(OfficialError):
    """Someone corrected or withdrew the post after this form was opened."""

    def __init__(self, post: OfficialPost):
        super().__init__(
            _l("Someone else changed this post while you were editing it. The current text is shown below; "
               "your text is kept in the form. Please check it and send it again."),
            status=409,
        )
        self.post = post


class AlreadyDone(Exception):
    """A second submit of the same form: nothing more to do; `post` is the result of the first."""

    def __init__(self, post: OfficialPost):
        super().__init__("already done")
        self.post = post


def _forbidden():
    return OfficialError(_l("You are not a member of this official account, so you cannot post as it."), status=403)


# --- Accounts (admins) ----------------------------------------------------------------------------


def _require_admin(actor) -> None:
    if not can_manage_official_accounts(actor):
        raise OfficialError(_l("Only administrators can manage official accounts."), status=403)


def _check_unique(name: str, slug: str, account: OfficialAccount | None) -> None:
    others = select(OfficialAccount.id)
    if account is not None:
        others = others.where(OfficialAccount.id != account.id)
    if db.session.scalar(others.where(OfficialAccount.name == name)):
        raise OfficialError(_l("An official account with this name already exists."), field="name")
    if slug in RESERVED_SLUGS or db.session.scalar(others.where(OfficialAccount.slug == slug)):
        raise OfficialError(_l("This URL name is already used by another official account."), field="slug")


def create_account(actor, *, name: str, slug: str, description: str, may_issue_emergencies: bool) -> OfficialAccount:
    _require_admin(actor)
    _check_unique(name, slug, None)
    account = OfficialAccount(name=name, slug=slug, description=description,
                              may_issue_emergencies=bool(may_issue_emergencies), created_by_id=actor.id)
    db.session.add(account)
    db.session.flush()
    audit.record("official.account_create", actor=actor, target_type="official_account", target_id=account.id,
                 name=name, slug=slug, may_issue_emergencies=bool(may_issue_emergencies))
    return account


def update_account(actor, account: OfficialAccount, *, name: str, slug: str, description: str,
                   may_issue_emergencies: bool) -> OfficialAccount:
    _require_admin(actor)
    _check_unique(name, slug, account)
    before = {"name": account.name, "slug": account.slug, "description": account.description,
              "may_issue_emergencies": account.may_issue_emergencies}
    account.name, account.slug, account.description = name, slug, description
    account.may_issue_emergencies = bool(may_issue_emergencies)
    after = {"name": name, "slug": slug, "description": description, "may_issue_emergencies": bool(may_issue_emergencies)}
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    db.session.flush()
    if changed:
        audit.record("official.account_update", actor=actor, target_type="official_account", target_id=account.id,
                     changed=changed)
    return account


def set_account_active(actor, account: OfficialAccount, active: bool, reason: str = "") -> None:
    _require_admin(actor)
    if active == account.is_active:
        return  # a double click: already in that state
    account.deactivated_at = None if active else utcnow()
    db.session.flush()
    audit.record("official.account_reactivate" if active else "official.account_deactivate", actor=actor,
                 target_type="official_account", target_id=account.id, reason=reason, name=account.name)


def add_member(actor, account: OfficialAccount, login_id: str) -> User:
    _require_admin(actor)
    user = db.session.scalar(select(User).where(User.login_key == normalize_login_id(login_id or "")))
    if user is None:
        raise OfficialError(_l("No account has this login ID."), field="login_id")
    if user.role not in ("staff", "admin") or not user.is_verified:
        raise OfficialError(_l("Only verified staff or administrators can be added to an official account."),
                            field="login_id")
    if any(m.user_id == user.id for m in account.members):
        raise OfficialError(_l("%(name)s is already a member of this account.", name=user.nickname), field="login_id")
    account.members.append(OfficialAccountMember(user_id=user.id, added_by_id=actor.id))
    db.session.flush()
    audit.record("official.member_add", actor=actor, target_type="official_account", target_id=account.id,
                 user_id=user.id, login_id=user.login_id)
    return user


def remove_member(actor, account: OfficialAccount, user_id: int) -> None:
    _require_admin(actor)
    member = next((m for m in account.members if m.user_id == user_id), None)
    if member is None:
        return  # already removed (a double click or a stale page)
    account.members.remove(member)
    db.session.flush()
    audit.record("official.member_remove", actor=actor, target_type="official_account", target_id=account.id,
                 user_id=user_id)


def all_accounts() -> list[OfficialAccount]:
    return list(db.session.scalars(select(OfficialAccount).order_by(OfficialAccount.deactivated_at.is_not(None),
                                                                    OfficialAccount.name)))


def members_of(account: OfficialAccount) -> list[User]:
    ids = [m.user_id for m in account.members]
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.nickname)))


def account_by_slug(slug: str) -> OfficialAccount | None:
    return db.session.scalar(select(OfficialAccount).where(OfficialAccount.slug == slug))


def public_accounts() -> list[tuple[OfficialAccount, int]]:
    """Active accounts with their follower counts, one query."""
    followers = (select(func.count()).select_from(OfficialFollow)
                 .where(OfficialFollow.account_id == OfficialAccount.id).scalar_subquery())
    rows = db.session.execute(select(OfficialAccount, followers).where(OfficialAccount.deactivated_at.is_(None))
                              .order_by(OfficialAccount.name)).all()
    return [(a, n or 0) for a, n in rows]


# --- Follows ----------------------------------------------------------------------------------------


def is_following(user, account: OfficialAccount) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(db.session.scalar(select(exists().where(OfficialFollow.account_id == account.id,
                                                        OfficialFollow.user_id == user.id))))


def follower_count(account: OfficialAccount) -> int:
    return db.session.scalar(select(func.count()).select_from(OfficialFollow)
                             .where(OfficialFollow.account_id == account.id)) or 0


def follow(user, account: OfficialAccount) -> None:
    if not can_follow_official(user, account):
        raise OfficialError(_l("Only verified members can follow official accounts."), status=403)
    if not is_following(user, account):
        db.session.add(OfficialFollow(account_id=account.id, user_id=user.id))
        db.session.flush()


def follow_notifies(user, account: OfficialAccount) -> bool:
    """Whether the member hears of the account's new posts and emergency notices (False if not following)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(db.session.scalar(select(OfficialFollow.notify).where(OfficialFollow.account_id == account.id,
                                                                      OfficialFollow.user_id == user.id)))


def set_follow_notify(user, account: OfficialAccount, on: bool) -> bool:
    """Turn the follower's notices on or off; False when they do not follow the account (any more)."""
    changed = db.session.execute(
        update(OfficialFollow).where(OfficialFollow.account_id == account.id, OfficialFollow.user_id == user.id)
        .values(notify=bool(on)).execution_options(synchronize_session=False)
    ).rowcount
    db.session.flush()
    return changed == 1


def notify_followers(account: OfficialAccount, kind: str, *, actor, target_type: str, target_id: int) -> None:
    """One INSERT ... SELECT for every follower who left the notices on, however many there are.

    The department speaks, not the staff member: no actor is recorded, so a member's block of
    that staff member cannot hide an emergency notice from them; the staff member is skipped."""
    notify_all(official_notification_recipients(account), kind, skip=actor, target_type=target_type,
               target_id=target_id)


def unfollow(user, account: OfficialAccount) -> None:
    db.session.execute(delete(OfficialFollow).where(OfficialFollow.account_id == account.id,
                                                    OfficialFollow.user_id == user.id))
    db.session.flush()


# --- Posts -------------------------------------------------------------------------------------------


def create_post(author, account: OfficialAccount | None, *, title: str, body: str,
                submission_key: str | None = None) -> OfficialPost:
    if not can_post_as_official(author, account):
        raise _forbidden()
    if submission_key:
        earlier = db.session.scalar(select(OfficialPost).where(OfficialPost.submission_key == submission_key))
        if earlier is not None:
            raise AlreadyDone(earlier)
    post = OfficialPost(account_id=account.id, author_id=author.id, title=title, body=body,
                        submission_key=submission_key or None)
    post, created = insert_or_earlier(post, submission_key)
    if not created:
        raise AlreadyDone(post)
    audit.record("official.post_create", actor=author, target_type="official_post", target_id=post.id,
                 account_id=account.id)
    notify_followers(account, "official_new_post", actor=author, target_type="official_post", target_id=post.id)
    return post


def _interested(post: OfficialPost, actor) -> list[User]:
    """Who hears about a correction or withdrawal: members who pressed 「参考になった」."""
    return list(db.session.scalars(
        select(User).join(OfficialPostReaction, OfficialPostReaction.user_id == User.id)
        .where(OfficialPostReaction.post_id == post.id, User.id != actor.id)
    ))


def _claim(post: OfficialPost, condition, **values) -> bool:
    """A conditional UPDATE of one post; False (and the post re-read) when the condition no longer holds."""
    claimed = db.session.execute(
        update(OfficialPost).where(OfficialPost.id == post.id, condition).values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.refresh(post)
        return False
    return True


def correct_post(editor, post: OfficialPost, *, title: str, body: str, note: str, version: int) -> OfficialPostRevision:
    """A correction (訂正): a note is required; the form's version must still be the post's."""
    if not can_post_as_official(editor, post.account):
        raise _forbidden()
    if not (note or "").strip():
        raise OfficialError(_l("Please write what was corrected and why (訂正の内容)."), field="note")
    if version != post.version or post.withdrawn_at is not None:
        last = post.revisions[-1] if post.revisions else None
        if (last is not None and last.version == version + 1 and last.editor_id == editor.id
                and (last.new_title, last.new_body, last.note) == (title, body, note)):
            raise AlreadyDone(post)  # the same correction sent twice
        raise StaleEdit(post)
    if (title, body) == (post.title, post.body):
        raise OfficialError(_l("Nothing in the title or body has changed."), field="body")
    # Claim the version in the database: of two corrections racing from the same version, the
    # second's UPDATE matches nothing (PostgreSQL re-checks the row after the first commits).
    if not _claim(post, OfficialPost.version == version, version=version + 1):
        raise StaleEdit(post)
    revision = OfficialPostRevision(post_id=post.id, version=version + 1, old_title=post.title, new_title=title,
                                    old_body=post.body, new_body=body, note=note, editor_id=editor.id)
    post.revisions.append(revision)
    post.title, post.body = title, body
    post.version = version + 1  # already so in the database; set here so the row is seen as changed
    post.corrected_at = utcnow()
    revision.created_at = post.corrected_at
    db.session.flush()
    audit.record("official.post_correct", actor=editor, target_type="official_post", target_id=post.id,
                 reason=note, version=post.version)
    for user in _interested(post, editor):
        notify(user, "official_correction", actor=editor, target_type="official_post", target_id=post.id)
    return revision


def withdraw_post(actor, post: OfficialPost, *, reason: str) -> None:
    if post.withdrawn_at is not None:
        raise AlreadyDone(post)
    if not can_withdraw_official_post(actor, post):
        raise _forbidden()
    if not (reason or "").strip():
        raise OfficialError(_l("Please write why the post is withdrawn. Readers will see it."), field="reason")
    now = utcnow()
    if not _claim(post, OfficialPost.withdrawn_at.is_(None), withdrawn_at=now):
        raise AlreadyDone(post)  # someone withdrew it a moment ago
    post.withdrawn_at = now
    post.withdrawn_reason = reason
    post.withdrawn_by_id = actor.id
    db.session.flush()
    audit.record("official.post_withdraw", actor=actor, target_type="official_post", target_id=post.id, reason=reason)
    for user in _interested(post, actor):
        notify(user, "official_withdrawal", actor=actor, target_type="official_post", target_id=post.id)


def react(user, post: OfficialPost) -> None:
    if not can_react_to_official_post(user, post):
        raise OfficialError(_l("Only verified members can mark a post as helpful."), status=403)
    if not has_reacted(user, post):
        db.session.add(OfficialPostReaction(post_id=post.id, user_id=user.id))
        db.session.flush()


def unreact(user, post: OfficialPost) -> None:
    db.session.execute(delete(OfficialPostReaction).where(OfficialPostReaction.post_id == post.id,
                                                          OfficialPostReaction.user_id == user.id))
    db.session.flush()


def has_reacted(user, post: OfficialPost) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(db.session.scalar(select(exists().where(OfficialPostReaction.post_id == post.id,
                                                        OfficialPostReaction.user_id == user.id))))


def reaction_count(post: OfficialPost) -> int:
    return db.session.scalar(select(func.count()).select_from(OfficialPostReaction)
                             .where(OfficialPostReaction.post_id == post.id)) or 0


# --- Reading -----------------------------------------------------------------------------------------


@dataclass
class Page:
    items: list
    page: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def get_post(viewer, post_id: int) -> OfficialPost | None:
    return db.session.scalar(
        visible_official_posts(select(OfficialPost).where(OfficialPost.id == post_id), viewer, include_withdrawn=True)
        .options(selectinload(OfficialPost.account), selectinload(OfficialPost.revisions))
    )


def account_posts(viewer, account: OfficialAccount, page: int = 1) -> Page:
    """Newest first; withdrawn posts stay in the list, shown with their notice."""
    stmt = visible_official_posts(select(OfficialPost).where(OfficialPost.account_id == account.id), viewer,
                                  include_withdrawn=True)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(page, 1)
    items = list(db.session.scalars(stmt.order_by(OfficialPost.created_at.desc(), OfficialPost.id.desc())
                                    .limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
    return Page(items, page, total)


def followed_feed(viewer, limit: int = 5) -> list[OfficialPost]:
    """The newest posts of the accounts the viewer follows (one query, accounts eager-loaded)."""
    return list(db.session.scalars(
        followed_official_posts(select(OfficialPost), viewer)
        .options(selectinload(OfficialPost.account))
        .order_by(OfficialPost.created_at.desc(), OfficialPost.id.desc()).limit(limit)
    ))
