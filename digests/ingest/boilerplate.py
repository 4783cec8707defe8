"""Removal of page furniture: skip-links, comment forms, share/like widgets, tag labels.

The rules are line-based and conservative: a line goes only when the whole line is furniture,
and a trailing block is cut only when what follows its marker looks like a form, not prose.
"""

from __future__ import annotations

import re

# Whole lines that are never body text.
_FURNITURE_LINES = [
    r"본문\s*바로\s*가기",
    r"(주\s*)?메뉴\s*바로\s*가기",
    r"skip\s+to\s+(main\s+)?(content|navigation|menu)",
    r"jump\s+to\s+(content|navigation)",
    r"tags?\s*:?",
    r"태그\s*:?",
    r"카테고리\s*:?",
    r"categor(y|ies)\s*:?",
    r"share\s+this\s*:?",
    r"like\s+this\s*:?",
    r"공유하기",
    r"(이것을\s*)?좋아하기",
    r"좋아요\s*\d*",
    r"구독하기",
    r"subscribe",
    r"(like\s+)?loading\.*",
    r"%d\s*블로거가\s*이것을\s*좋아합니다\s*:?",
    r"%d\s+bloggers?\s+like\s+this\.?",
    r"%s에\s*연결하는\s*중",
    r"connecting\s+to\s+%s",
    r"위로\s*↑?",
    r"맨\s*위로(\s*가기)?",
    r"back\s+to\s+top\s*↑?",
    r"top\s*↑",
    r"(blog\s+at\s+)?wordpress\.com\.?",
    r"wordpress\.com에서\s*무료\s*웹사이트\s*또는\s*블로그\s*만들기\.?",
    r"create\s+a\s+free\s+website\s+or\s+blog\s+at\s+wordpress\.com\.?",
    r"powered\s+by\s+\S+",
    r"(이전|다음)\s*글",
    r"(previous|next)\s+(post|article)\s*:?.{0,80}",
    r"관련\s*글(\s*더\s*보기)?",
    r"related(\s+posts?|\s+articles?)?\s*:?",
    r"저작자\s*표시.{0,20}",
    r"copyright\s*©?.{0,80}",
    r"all\s+rights\s+reserved\.?",
    r"ⓒ.{0,60}(무단\s*전재|재배포\s*금지).{0,40}",
    r"(로그인|로그아웃|log\s*in|log\s*out)",
    r"(twitter|facebook|linkedin|kakaotalk|카카오톡|카카오스토리|네이버\s*블로그|밴드|email|e-mail|print|인쇄)(\s*(로\s*)?공유)?",
    r"(twitter|facebook|google)\s*(사진|photo|로고|logo)",
    r"wordpress\.com\s*(로고|logo)",
    r"\.+",
]
_FURNITURE = re.compile(r"^(?:" + "|".join(_FURNITURE_LINES) + r")$", re.IGNORECASE)

# A line that opens a comment form or comment section; what follows it is usually furniture.
_COMMENT_MARKER = re.compile(
    r"^(댓글\s*(남기기|쓰기|달기|작성)|leave\s+a\s+(reply|comment)|post\s+a\s+comment|"
    r"\d*\s*(comments?|댓글)\s*\d*|답글\s*남기기|reply)\s*:?$",
    re.IGNORECASE,
)
# Instructions only a comment/login form prints; prose has no reason to say them.
_FORM_PROMPT = (
    r"계정을\s*사용하여\s*댓글|로그\s*인\s*하세요|아래\s*항목을\s*채우|"
    r"you\s+are\s+commenting\s+using|fill\s+in\s+your\s+details|"
    r"click\s+an\s+icon\s+to\s+log\s+in|"
    r"이메일\s*주소는\s*공개되지|your\s+email\s+address\s+will\s+not|"
    r"로그아웃\s*/\s*변경|log\s*out\s*/\s*change"
)
_FORM_OPENING = re.compile(_FORM_PROMPT, re.IGNORECASE)
# Lines typical of a comment/login form: its prompts plus field labels and checkboxes.
_FORM_LINE = re.compile(
    r"(" + _FORM_PROMPT + r"|notify\s+me\s+of|required\s+fields|비밀\s*댓글|"
    r"name\s*\*|email\s*\*|website)",
    re.IGNORECASE,
)
# "👉관련 기사: …" promos glued into a paragraph by newsletter templates.
_INLINE_PROMO = re.compile(
    r"👉\s*관련\s*(기사|리포트|글|영상)\s*:\s*[^\n]{0,120}?\((무료|free)\)|"
    r"👉\s*관련\s*(기사|리포트|글|영상)\s*:[^\n]{0,160}$|"
    r"👉[^\n👉]{0,120}$",
    re.MULTILINE | re.IGNORECASE,
)

_TAIL_MAX_CHARS = 2000
_PROSE_LINE_CHARS = 160
# How many non-blank lines after a marker may come before the form's own instructions.
_FORM_OPENING_LINES = 3


def is_furniture(line: str) -> bool:
    """True when a whole line is page furniture rather than body text."""
    return bool(_FURNITURE.match(line.strip()))


def _tail_is_form(lines: list[str]) -> bool:
    remainder = [line for line in lines if line.strip()]
    if not remainder:
        return True
    if sum(len(line) for line in remainder) > _TAIL_MAX_CHARS:
        return False
    prose = [
        line for line in remainder if len(line) > _PROSE_LINE_CHARS and not _FORM_LINE.search(line)
    ]
    furniture = [line for line in remainder if is_furniture(line) or _FORM_LINE.search(line)]
    return not prose and len(furniture) * 2 >= len(remainder)


def _opens_form(lines: list[str]) -> bool:
    following = [line for line in lines if line.strip()][:_FORM_OPENING_LINES]
    return any(_FORM_OPENING.search(line) for line in following)


def _starts_comment_form(lines: list[str], index: int) -> bool:
    if not _COMMENT_MARKER.match(lines[index].strip()):
        return False
    tail = lines[index + 1 :]
    if not _tail_is_form(tail):
        return False
    # A bare marker in the first half is more likely a heading than the comment section, unless
    # the form's own instructions follow it: then the post is simply shorter than its form.
    return index >= len(lines) // 2 or _opens_form(tail)


def strip_boilerplate(text: str) -> str:
    """Remove furniture lines, a trailing comment form, and inline promos from normalised text.

    Linear in the text: a marker line is only examined when what follows it is short enough to
    be a form, which running totals of the following lines' lengths tell without reading them.
    """
    lines = text.split("\n")
    following = [0] * (len(lines) + 1)  # characters in the non-blank lines after each index
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        following[index] = following[index + 1] + (len(line) if line.strip() else 0)
    for index in range(len(lines)):
        if following[index + 1] <= _TAIL_MAX_CHARS and _starts_comment_form(lines, index):
            lines = lines[:index]
            break
    kept = [line for line in lines if not is_furniture(line)]
    cleaned = _INLINE_PROMO.sub("", "\n".join(kept))
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned)
    return cleaned.strip()
