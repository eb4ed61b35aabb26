from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.accounts.forms import LoginForm
from community.accounts.services import AuthenticationError, authenticate
from community.accounts.sessions import end_session, start_session
from community.core.urls import safe_next
from community.extensions import db

bp = Blueprint("accounts", __name__, template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.login_id.data, form.password.data)
        except AuthenticationError:
            form.password.errors.append(_("The login ID or password is incorrect."))
        else:
            start_session(user)
            db.session.commit()
            flash(_("You are now logged in."), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
    return render_template("accounts/login.html", form=form), (400 if form.errors else 200)


@bp.post("/logout")
@login_required
def logout():
    end_session(current_user)
    db.session.commit()
    flash(_("You have been logged out."), "success")
    return redirect(url_for("core.home"))
