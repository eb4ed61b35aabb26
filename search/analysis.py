"""Japanese text analysis for search, shared by every backend.

Why bigrams and not a morphological analyser: measured on our corpus (see docs/search.md and
../shared/SEARCH-NOTES.md), overlapping CJK bigrams find every substring, including two-character
words inside longer ones (図書 in 図書館, ゴミ in ゴミ出し), where dictionary tokenisers lost 6-60%.
Normalisation (NFKC, lower case, katakana folded to hiragana, dash after kana to ー) makes
ｺｿﾀﾞﾃ / コソダテ / こそだて and ＡＢＣ / abc meet.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

# Kana, kanji and the marks that live inside Japanese words. The katakana middle dot (・) is
# punctuation and separates words.
_CJK_CHARS = (
    "\u3005\u3006\u3007"
    "\u3041-\u3096\u309d-\u309f"
    "\u30a1-\u30fa\u30fc-\u30ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
_TOKEN_RE = re.compile(f"([{_CJK_CHARS}]+)|([^\\W_{_CJK_CHARS}]+)")
_KANA_RE = re.compile("[\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff]")
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u301c\uff5e~"
_CONTROL_RE = re.compile("[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
# Marks that NFKC joins with the preceding character (half-width ﾞ ﾟ and the combining marks).
_SOUND_MARKS = "\uff9e\uff9f\u3099\u309a"

_AND_RE = re.compile(r"(?<!\S)AND(?!\S)")

MAX_QUERY_CHARS = 200
MAX_QUERY_CLAUSES = 10


_KANA_FOLD = {c: c - 0x60 for c in range(0x30A1, 0x30F7)}  # katakana ァ..ヶ sit 0x60 above hiragana
_DASH_AFTER_KANA_RE = re.compile(f"(?<=[\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff])[{re.escape(_DASHES)}]+")
MAX_WORD_CHARS = 100  # PostgreSQL lexemes stop at 2 KB; nobody searches for longer words


def _fold_kana(text: str) -> str:
    return text.translate(_KANA_FOLD)


def _dash_to_choonpu(text: str) -> str:
    return _DASH_AFTER_KANA_RE.sub(lambda m: "ー" * len(m.group()), text)


def normalize(text: str) -> str:
    """The form in which documents and queries are compared."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _dash_to_choonpu(_fold_kana(text))


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """normalize() plus, for each normalised character, the index of the original character it
    came from (so that highlights can be drawn on the original text)."""
    chars: list[str] = []
    origins: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        j = i + 1
        while j < n and text[j] in _SOUND_MARKS:
            j += 1
        piece = _fold_kana(unicodedata.normalize("NFKC", text[i:j]).lower())
        for c in piece:
            chars.append(c)
            origins.append(i)
        i = j
    normalized = _dash_to_choonpu("".join(chars))
    return normalized, origins


@dataclass(frozen=True)
class Token:
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    """Index-side tokens: CJK runs as overlapping bigrams plus the run's last character (so a
    one-character query finds every occurrence by prefix); Latin letters and digits as words."""
    tokens: list[Token] = []
    pos = 0
    for match in _TOKEN_RE.finditer(normalize(text)):
        run, word = match.group(1), match.group(2)
        if word:
            tokens.append(Token(word[:MAX_WORD_CHARS], pos))
            pos += 1
            continue
        for k in range(len(run) - 1):
            tokens.append(Token(run[k : k + 2], pos))
            pos += 1
        tokens.append(Token(run[-1], pos))
        pos += 1
    return tokens


def token_texts(text: str) -> list[str]:
    """tokenize() without positions: the fast path for building an index."""
    out: list[str] = []
    for match in _TOKEN_RE.finditer(normalize(text)):
        run, word = match.group(1), match.group(2)
        if word:
            out.append(word[:MAX_WORD_CHARS])
        else:
            out.extend([run[k : k + 2] for k in range(len(run) - 1)])
            out.append(run[-1])
    return out


def cjk_characters(text: str) -> set[str]:
    """The distinct kana/kanji characters of the normalised text: what a one-character query word
    (a "prefix" clause) can match."""
    out: set[str] = set()
    for match in _TOKEN_RE.finditer(normalize(text)):
        if match.group(1):
            out.update(match.group(1))
    return out


# --- queries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """One required part of a query, matched in the title or the body.

    kind: "phrase" (consecutive bigrams), "term" (one token) or "prefix" (one CJK character).
    """

    kind: str
    tokens: tuple[str, ...]
    text: str  # the normalised word, for highlighting


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...]
    words: tuple[str, ...]  # the normalised words the user typed, in order
    truncated: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.clauses


def _clause_for_run(run: str, cjk: bool) -> Clause:
    if not cjk:
        return Clause("term", (run,), run)
    if len(run) == 1:
        return Clause("prefix", (run,), run)
    bigrams = tuple(run[k : k + 2] for k in range(len(run) - 1))
    if len(bigrams) == 1:
        return Clause("term", bigrams, run)
    return Clause("phrase", bigrams, run)


def clean_query(text: str) -> tuple[str, bool]:
    """Strip control characters and cap the length; never raises."""
    text = _CONTROL_RE.sub(" ", str(text or ""))
    truncated = len(text) > MAX_QUERY_CHARS
    return text[:MAX_QUERY_CHARS].strip(), truncated


def parse_query(text: str) -> ParsedQuery:
    """Every word must match (AND). Quotes, brackets, `*` and operators are treated as plain
    text: punctuation separates words, a standalone upper-case AND is dropped (every word is
    required already) and OR/NOT are searched as the words they are."""
    cleaned, truncated = clean_query(text)
    cleaned = _AND_RE.sub(" ", cleaned)  # every word is required anyway
    clauses: list[Clause] = []
    words: list[str] = []
    for match in _TOKEN_RE.finditer(normalize(cleaned)):
        run = match.group(1) or match.group(2)
        clause = _clause_for_run(run, cjk=bool(match.group(1)))
        if clause not in clauses:
            clauses.append(clause)
            words.append(run)
    if len(clauses) > MAX_QUERY_CLAUSES:
        clauses, words, truncated = clauses[:MAX_QUERY_CLAUSES], words[:MAX_QUERY_CLAUSES], True
    return ParsedQuery(tuple(clauses), tuple(words), truncated)


# --- highlighting --------------------------------------------------------------------------


def match_spans(text: str, words: tuple[str, ...] | list[str]) -> list[tuple[int, int]]:
    """Where the normalised words occur in the original text, as merged (start, end) spans."""
    if not text or not words:
        return []
    normalized, origins = normalize_with_offsets(text)
    spans = []
    for word in words:
        if not word:
            continue
        start = normalized.find(word)
        while start != -1:
            end = start + len(word)
            orig_start = origins[start]
            orig_end = origins[end] if end < len(origins) else len(text)
            spans.append((orig_start, orig_end))
            start = normalized.find(word, end)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def highlight(text: str, words, *, width: int | None = None) -> str:
    """HTML-escaped text with the matches wrapped in <mark>; with `width`, a window of about that
    many characters around the first match (an excerpt for the result list)."""
    text = " ".join((text or "").split())
    spans = match_spans(text, words)
    start, end = 0, len(text)
    if width is not None and len(text) > width:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - width // 4, len(text) - width))
        end = start + width
    out = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[cursor:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return "".join(out)
