"""Scale data for `flask tsunagari generate`: the city's web pages (10,000 at 100,000 members).

Bodies are put together from the demo pages' sentences, so search finds words city pages really use.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from community.core.generate import GenerateContext
from search.citypages.demo import PAGES, SITE
from search.citypages.models import CityPage

SECTIONS = ["kosodate", "kenko", "kurashi", "bosai", "kyoiku", "fukushi", "kankyo", "shisei"]


def generate_city_pages(ctx: GenerateContext) -> None:
    rng = ctx.rng
    lines = [line for page in PAGES for line in page[4].split("\n") if line]
    titles = [page[1] for page in PAGES]
    departments = sorted({page[2] for page in PAGES})
    first = ctx.next_id(CityPage.__table__)
    n = ctx.count(10_000)

    def rows():
        for k in range(n):
            body = "\n".join(rng.choices(lines, k=rng.randint(3, 8)))
            fetched = ctx.when(120)
            yield {
                "id": first + k, "url": f"{SITE}/{rng.choice(SECTIONS)}/p{first + k:06d}.html",
                "title": f"{rng.choice(titles)}（{ctx.text.place()}地区）", "body": body,
                "department": rng.choice(departments),
                "page_updated_on": (fetched - timedelta(days=rng.randint(0, 400))).date(), "etag": "",
                "last_modified": "", "content_hash": hashlib.sha256(body.encode()).hexdigest(),
                "fetched_at": fetched, "removed_at": None,
            }

    ctx.insert(CityPage.__table__, rows())
