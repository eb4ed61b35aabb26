"""The staff report of the last crawls (/staff/citypages)."""

from __future__ import annotations

import re

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.policy import Capability, can
from search.citypages.services import page_counts, recent_runs

bp = Blueprint("citypages", __name__, url_prefix="/staff/citypages", template_folder="templates")


def may_see_crawl_reports(user) -> bool:
    # Those who run the site or publish the city's own information look after the import.
    return can(user, Capability.configure_site) or can(user, Capability.publish_official)


def describe_error(message: str) -> str:
    """The crawler records errors in English (as the CLI prints them); staff read them in Japanese."""
    http = re.fullmatch(r"(sitemap: |robots\.txt: )?HTTP (\d{3})", message)
    if http:
        code = int(http.group(2))
        if code in (404, 410):
            return _("The page does not exist (HTTP %(code)s): a broken link on the city's site.", code=code)
        return _("The site answered with an error (HTTP %(code)s).", code=code)
    if message.endswith("timed out"):
        return _("The site did not answer in time.")
    if message.endswith("could not connect"):
        return _("Could not connect to the site.")
    if message.startswith("redirect to another site"):
        return _("The page redirects to another site, which is not crawled.")
    if message.startswith("redirect to a page robots.txt disallows"):
        return _("The page redirects to a page that robots.txt forbids.")
    return _("Unexpected error: %(detail)s", detail=message)


@bp.get("/")
@login_required
def report():
    if not may_see_crawl_reports(current_user):
        abort(403)
    runs = recent_runs(limit=10)
    return render_template(
        "citypages/report.html",
        last=runs[0] if runs else None,
        earlier=runs[1:],
        counts=page_counts(),
        describe_error=describe_error,
    )
