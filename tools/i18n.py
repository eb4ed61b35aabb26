"""Translation catalogues: each feature unit owns `translations/ja/LC_MESSAGES/messages.po`.

Source strings (msgids) are English; Japanese is the default locale and its catalogue must be
complete. A unit is a folder with a `translations/` folder; it covers its own files, minus nested
units. `community/core` also covers the top-level `templates/` and `app.py`.

    python -m tools.i18n update    # extract strings and merge them into every ja catalogue
    python -m tools.i18n compile   # .po -> .mo (run by make before serving or testing)
    python -m tools.i18n check     # list msgids without a Japanese translation (exit 1 if any)
    python -m tools.i18n fill UNIT < ja.json   # set msgstrs from a {"msgid": "訳"} JSON object
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("community", "search", "moderation", "kiosk")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
JINJA_OPTIONS = {"extensions": "jinja2.ext.do", "trimmed": "true"}
SKIP_PARTS = {"tests", "translations", "__pycache__", "node_modules", ".venv"}


def units() -> list[Path]:
    found = []
    for package in PACKAGES:
        base = ROOT / package
        if not base.exists():
            continue
        for translations in base.rglob("translations"):
            if translations.is_dir() and "__pycache__" not in translations.parts:
                found.append(translations.parent)
    return sorted(found)


def unit_sources(unit: Path, all_units: list[Path]) -> list[Path]:
    nested = [u for u in all_units if u != unit and unit in u.parents]
    files = []
    for path in sorted(unit.rglob("*")):
        if path.suffix not in (".py", ".html", ".txt", ".xml") or not path.is_file():
            continue
        if path.suffix == ".txt" and "templates" not in path.parts:
            continue
        if SKIP_PARTS & set(path.relative_to(ROOT).parts):
            continue
        if any(n in path.parents for n in nested):
            continue
        files.append(path)
    if unit == ROOT / "community" / "core":
        files += sorted((ROOT / "templates").rglob("*.html")) + [ROOT / "app.py"]
        # Shared community modules that are not a unit of their own (policy, audit, extensions).
        for path in sorted((ROOT / "community").rglob("*.py")):
            if not any(u in path.parents for u in all_units) and "tests" not in path.parts:
                files.append(path)
    return files


def extract(unit: Path, all_units: list[Path]) -> Catalog:
    catalog = Catalog(locale=None, project="tsunagari", charset="utf-8")
    for path in unit_sources(unit, all_units):
        method = "python" if path.suffix == ".py" else "jinja2"
        options = {} if method == "python" else JINJA_OPTIONS
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options
        ):
            catalog.add(message, None, [(str(path.relative_to(ROOT)), lineno)], auto_comments=comments,
                        context=context)
    return catalog


def po_path(unit: Path) -> Path:
    return unit / "translations" / "ja" / "LC_MESSAGES" / "messages.po"


def load_po(path: Path) -> Catalog:
    if not path.exists():
        return Catalog(locale="ja", project="tsunagari", charset="utf-8")
    with path.open("rb") as fh:
        return read_po(fh, locale="ja")


def update() -> None:
    all_units = units()
    for unit in all_units:
        template = extract(unit, all_units)
        path = po_path(unit)
        catalog = load_po(path)
        if path.exists():
            # Keep the header's dates, so that re-extracting changes a file only when its strings do.
            template.creation_date = catalog.creation_date
            template.revision_date = catalog.revision_date
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        write_po(buf, catalog, width=0, omit_header=False, sort_output=False, include_previous=False)
        path.write_bytes(buf.getvalue())
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages")


def compile_all() -> None:
    for unit in units():
        path = po_path(unit)
        if not path.exists():
            continue
        catalog = load_po(path)
        with path.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)


def missing() -> list[tuple[str, str]]:
    """(unit, msgid) for every source string with no (or only a fuzzy) Japanese translation."""
    all_units = units()
    problems = []
    for unit in all_units:
        template = extract(unit, all_units)
        catalog = load_po(po_path(unit))
        for message in template:
            if not message.id:
                continue
            translated = catalog.get(message.id, context=message.context)
            strings = translated.string if translated else None
            ok = translated is not None and not translated.fuzzy and (
                all(strings) if isinstance(strings, tuple | list) else bool(strings)
            )
            if not ok:
                msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                problems.append((str(unit.relative_to(ROOT)), msgid))
    return problems


def fill(unit: Path, mapping: dict[str, str]) -> int:
    path = po_path(unit)
    catalog = load_po(path)
    changed = 0
    for msgid, msgstr in mapping.items():
        message = catalog.get(msgid)
        if message is None:
            print(f"not in catalogue (run update first?): {msgid!r}", file=sys.stderr)
            continue
        message.string = msgstr
        message.flags.discard("fuzzy")
        changed += 1
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, sort_output=False, include_previous=False)
    path.write_bytes(buf.getvalue())
    return changed


def conflicts() -> list[tuple[str, list[tuple[str, str]]]]:
    """msgids translated differently in two units. Flask-Babel merges the catalogues into one, so
    only one of the translations would ever be shown; use pgettext (a context) for a different one."""
    seen: dict[tuple[str, str | None], dict[str, str]] = {}
    for unit in units():
        for message in load_po(po_path(unit)):
            if not message.id or not message.string or isinstance(message.id, tuple):
                continue
            seen.setdefault((message.id, message.context), {})[str(unit.relative_to(ROOT))] = message.string
    problems = []
    for (msgid, _context), by_unit in seen.items():
        if len(set(by_unit.values())) > 1:
            problems.append((msgid, sorted(by_unit.items())))
    return problems


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "fill":
        import json

        count = fill(ROOT / argv[2], json.load(sys.stdin))
        print(f"{count} translations set")
    elif command == "compile":
        compile_all()
    elif command == "check":
        problems = missing()
        for unit, msgid in problems:
            print(f"{unit}: missing Japanese for {msgid!r}")
        clashes = conflicts()
        for msgid, by_unit in clashes:
            print(f"translated differently: {msgid!r}: " + "; ".join(f"{u}={t}" for u, t in by_unit))
        return 1 if problems or clashes else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
