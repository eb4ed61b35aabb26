"""From the bytes of a city page to what search needs: text, title, department, 更新日 and links.

Japanese municipal sites are served in UTF-8, Shift_JIS (really CP932) and EUC-JP, often with a
wrong or missing `<meta charset>`; the HTTP header wins, then a BOM, then the meta tag, then
detection limited to the encodings such sites use.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from charset_normalizer import from_bytes
from lxml import etree

from search.citypages.dates import find_updated_date

# What browsers actually do: the Shift_JIS label means Windows-31J, which has ①, ㈱, 髙 and friends.
_CHARSET_ALIASES = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "csshiftjis": "cp932",
    "ms932": "cp932",
    "x-euc-jp": "euc_jp",
    "euc-jp": "euc_jp",
    "iso-2022-jp": "iso2022_jp",
}
_DETECT_CANDIDATES = ["utf_8", "cp932", "euc_jp", "iso2022_jp"]
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return _codec(value)
    return None


def decode_html(raw: bytes, content_type: str | None = None) -> tuple[str, str]:
    """The page's text and the codec used to read it."""
    declared = charset_from_content_type(content_type)
    if declared:
        return raw.decode(declared, errors="replace"), declared
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(codec, errors="replace"), codec
    meta = _META_CHARSET.search(raw[:4096])
    codec = _codec(meta.group(1).decode("ascii")) if meta else None
    if codec:
        return raw.decode(codec, errors="replace"), codec
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw, cp_isolation=_DETECT_CANDIDATES).best()
    codec = _codec(best.encoding) if best is not None else None
    return raw.decode(codec or "cp932", errors="replace"), codec or "cp932"


@dataclass
class ExtractedPage:
    title: str = ""
    body: str = ""
    department: str = ""
    updated_on: date | None = None
    links: list[str] = field(default_factory=list)
    noindex: bool = False

    @property
    def content_hash(self) -> str:
        """Only what we store counts: a changed menu or a per-request token is not a change."""
        parts = [self.title, self.body, self.department, self.updated_on.isoformat() if self.updated_on else ""]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


# Where municipal CMSs put the page's own content, most specific first.
_MAIN_XPATHS = (
    "//main",
    "//*[@role='main']",
    "//*[@id='contents']",
    "//*[@id='tmp_contents']",
    "//*[@id='main']",
    "//*[@id='main_contents']",
    "//*[@id='main-contents']",
    "//*[@id='content']",
    "//article",
)
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "object", "embed", "button", "select")
_BOILERPLATE_TAGS = ("nav", "header", "footer", "aside", "form")
_BOILERPLATE_ROLES = ("navigation", "banner", "contentinfo", "complementary", "search")
_BOILERPLATE_NAME = re.compile(
    r"(^|[-_\s])(breadcrumbs?|topicpath|pankuzu|bread|gnav|global-?nav|globalmenu|local-?nav|lnav|"
    r"menu|side(bar|menu|nav)?|header|footer|skip|sns|share|pagetop|page-top|feedback|questionnaire|"
    r"enquete|evaluation|banner|tmp_header|tmp_footer|tmp_gnavi|tmp_pankuzu|tmp_feedback)($|[-_\s])",
    re.IGNORECASE,
)
_FEEDBACK_TEXT = ("このページの情報は役に立ちましたか", "このページは分かりやすかったですか", "このページの内容は分かりやすかったですか")
_DEPARTMENT_LABEL = re.compile(
    r"^\s*(このページの情報発信元|このページに関するお問い合わせ先?|このページについてのお問い合わせ先?|"
    r"お問い合わせ先|お問合せ先|問い合わせ先|担当課|担当部署|担当(?=\s*[:：]))"
    # the label stands alone: 「お問い合わせ先は以下のとおり」 is a sentence, not a label
    r"(?:\s*[:：]\s*|\s+|$)(.*)$",
    re.DOTALL,
)
_CONTACT_LINE = re.compile(r"^(〒|電話|tel|fax|ファクス|ファックス|住所|メール|e-?mail|https?://|内線|\d)", re.IGNORECASE)
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "br",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "address", "figure", "figcaption", "hr",
}
_SKIP_LINK_EXTENSIONS = re.compile(
    r"\.(pdf|jpe?g|png|gif|svg|webp|zip|lzh|docx?|xlsx?|pptx?|csv|mp[34]|mov|avi|ics|jtd|txt)$", re.IGNORECASE
)
_TITLE_SEPARATORS = re.compile(r"\s*(?:｜|\||／| - | – | — |：|:: )\s*")


def _text(el) -> str:
    return re.sub(r"\s+", " ", el.text_content() or "").strip()


def _drop(el) -> None:
    parent = el.getparent()
    if parent is not None:
        el.drop_tree()


def _class_id(el) -> str:
    return f"{el.get('id') or ''} {el.get('class') or ''}"


def _is_boilerplate(el) -> bool:
    if el.tag in _BOILERPLATE_TAGS:
        return True
    if (el.get("role") or "").lower() in _BOILERPLATE_ROLES:
        return True
    return bool(_BOILERPLATE_NAME.search(_class_id(el)))


def _drop_feedback(root) -> None:
    """「このページの情報は役に立ちましたか」 boxes: drop the block around the question."""
    for phrase in _FEEDBACK_TEXT:
        for node in root.xpath(".//*[contains(text(), $p)]", p=phrase):
            block = node
            while block.getparent() is not None and block.tag not in ("div", "section", "form", "aside", "fieldset"):
                block = block.getparent()
            if block is root:
                _drop(node)
            else:
                _drop(block)


def _plain_text(root) -> str:
    """Text with a line per block, runs of spaces collapsed, empty lines gone."""
    pieces: list[str] = []

    def walk(el) -> None:
        if not isinstance(el.tag, str):  # comments and processing instructions
            if el.tail:
                pieces.append(el.tail)
            return
        block = el.tag in _BLOCK_TAGS
        if block:
            pieces.append("\n")
        if el.tag == "img" and el.get("alt"):
            pieces.append(el.get("alt"))
        if el.text:
            pieces.append(el.text)
        for child in el:
            walk(child)
        if block:
            pieces.append("\n")
        if el.tail:
            pieces.append(el.tail)

    walk(root)
    lines = (re.sub(r"[ \t\r\f\v\u3000]+", " ", line).strip() for line in "".join(pieces).split("\n"))
    return "\n".join(line for line in lines if line)


def _largest_text_block(doc):
    """No marked-up main area: the block with the most text that is not links."""
    best, best_score = None, 0
    for el in doc.iter("div", "section", "td", "article"):
        if _is_boilerplate(el):
            continue
        text_len = len(_text(el))
        link_len = sum(len(_text(a)) for a in el.iter("a"))
        # Prefer the innermost block that holds most of the text: a wrapper adds its menus' links.
        score = text_len - 2 * link_len
        if score > best_score:
            best, best_score = el, score
    return best


def _find_department(root) -> tuple[str, object | None]:
    """The department from a このページの情報発信元 / 担当課 / お問い合わせ先 block, and that block."""
    for el in root.iter("div", "section", "dl", "h2", "h3", "h4", "h5", "h6", "dt", "th", "p", "strong", "b", "span", "li"):
        own = _plain_text(el)
        if len(own) > 200:
            continue
        match = _DEPARTMENT_LABEL.match(own)
        if not match:
            continue
        # 「担当課：子育て支援課」 on one line, or a heading with the name in the blocks after it.
        candidates = match.group(2).split("\n")
        if el.tag in ("strong", "b", "span") and el.tail:
            candidates.insert(0, el.tail)
        sibling = el.getnext()
        while sibling is not None and len(candidates) < 12:
            candidates.extend(_plain_text(sibling).split("\n"))
            sibling = sibling.getnext()
        for line in candidates:
            line = line.strip(" :：　")
            if line and not _CONTACT_LINE.match(line) and not _DEPARTMENT_LABEL.match(line):
                return line[:200], _department_block(el, root)
    return "", None


def _department_block(el, root):
    """The small box around the label (never the whole content area)."""
    block = el
    while block is not None and block is not root and block.tag not in ("div", "section", "dl", "table", "aside", "address"):
        block = block.getparent()
    if block is None or block is root or len(_text(block)) > 400:
        return el
    return block


def _title(doc, root, site_names: tuple[str, ...]) -> tuple[str, object | None]:
    h1 = root.find(".//h1")
    if h1 is not None and _text(h1):
        return _text(h1)[:500], h1
    title = doc.find(".//title")
    text = _text(title) if title is not None else ""
    parts = [p for p in _TITLE_SEPARATORS.split(text) if p]
    # 「児童手当｜子育て｜みどり市」: the page's own name comes first, the site's last.
    if len(parts) > 1:
        text = parts[0]
    for name in site_names:
        if name and text.endswith(name) and text != name:
            text = text[: -len(name)].strip(" -｜|")
    return text[:500], None


def same_site(url: str, host: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


def extract(text: str, url: str, site_names: tuple[str, ...] = ()) -> ExtractedPage:
    """Parse one HTML page; `url` is where it was fetched from, for relative links."""
    text = unicodedata.normalize("NFC", text)
    # lxml refuses str input that carries an XML encoding declaration (XHTML pages).
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        doc = lxml.html.document_fromstring(text or "<html></html>")
    except (etree.ParserError, ValueError):
        return ExtractedPage()

    page = ExtractedPage()
    robots = " ".join(m.get("content", "") for m in doc.xpath("//meta[@name]") if m.get("name", "").lower() == "robots")
    page.noindex = "noindex" in robots.lower()
    follow = "nofollow" not in robots.lower()

    base = doc.find(".//base[@href]")
    base_url = urljoin(url, base.get("href")) if base is not None else url
    if follow:
        seen: set[str] = set()
        for a in doc.iter("a", "area"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
                continue
            absolute = urldefrag(urljoin(base_url, href))[0]
            if absolute not in seen and not _SKIP_LINK_EXTENSIONS.search(urlsplit(absolute).path):
                seen.add(absolute)
                page.links.append(absolute)

    for el in list(doc.iter(*_DROP_TAGS)):
        _drop(el)
    for comment in list(doc.iter(etree.Comment)):
        _drop(comment)

    root = None
    for xpath in _MAIN_XPATHS:
        found = doc.xpath(xpath)
        if found:
            root = found[0]
            break
    if root is None:
        body = doc.find("body")
        # Menus go first, so that the largest block is the content and not the site map.
        for el in list((body if body is not None else doc).iter()):
            if isinstance(el.tag, str) and el.getparent() is not None and _is_boilerplate(el):
                _drop(el)
        root = _largest_text_block(doc)
        if root is None:
            root = body if body is not None else doc

    # Read the date and department before the boilerplate goes: some CMSs put them in a footer box.
    page.updated_on = find_updated_date(_plain_text(root)) or find_updated_date(_plain_text(doc))
    department, department_block = _find_department(root)
    if not department:
        department, _outside = _find_department(doc)
    page.department = department
    if department_block is not None and department_block is not root:
        _drop(department_block)

    page.title, heading = _title(doc, root, site_names)
    if heading is not None:
        _drop(heading)
    for el in list(root.iter()):
        if el is not root and isinstance(el.tag, str) and el.getparent() is not None and _is_boilerplate(el):
            _drop(el)
    _drop_feedback(root)
    page.body = _plain_text(root)
    return page
