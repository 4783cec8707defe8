"""Time-expression rules as data: loading and checking `resources/timex/*.toml`.

Each language keeps its knowledge in one file (HeidelTime's model): named sub-patterns
(`[patterns]`), vocabularies (`[vocabulary.*]`) and rules (`[[rule]]`). A rule is a record:

    name          unique across all files; every TimeExpression names the rule(s) behind it
    lang          ko | en | any (mixed-language posts run every rule; `lang` documents it)
    pattern       a regular expression (or a list of pieces joined), which may reference the
                  named sub-patterns as %{name}; compiled once, case-insensitive
    needles       optional substrings (lowercase) one of which the sentence must contain,
                  a cheap test that spares running every expression over every sentence
    normalisation {function = "...", ...parameters}: the Python normaliser that turns a match
                  into an atom (see timex.NORMALISERS); function "remove" makes a negative
                  rule that suppresses every atom inside its match
    constraints   optional: reject_before (a regex searched in the text just before the match)
                  and require_any (a list of {group}, {before} or {after} conditions)
    examples      [[rule.examples]]: text, anchor, and either match + window (+ relation,
                  prefer, context_year) or absent (a substring no expression may cover)

This module knows nothing about atoms or windows; it reads, expands and validates the files.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

# The order rules are tried in (and the tie-break between equally long matches) follows the
# files in this order, then each file's own order.
RULE_FILES = ("shared.toml", "ko.toml", "en.toml")
LANGUAGES = {"ko", "en", "any"}
PREFERENCES = {"future", "past", "nearest"}
_SUBPATTERN = re.compile(r"%\{([a-z0-9_]+)\}")
_RULE_KEYS = {"name", "lang", "pattern", "needles", "normalisation", "constraints", "examples"}
_EXAMPLE_KEYS = {
    "text",
    "anchor",
    "match",
    "window",
    "relation",
    "prefer",
    "context_year",
    "absent",
}
_CONSTRAINT_KEYS = {"reject_before", "require_any"}
_CONDITION_KEYS = {"group", "before", "after"}
# How far back `reject_before` and `before` conditions look.
CONTEXT_CHARS = 24


class RuleFileError(ValueError):
    """A rule file is malformed; the message names the file, the rule and the reason."""


@dataclass(frozen=True)
class RuleExample:
    """One worked example of a rule, turned into a test."""

    text: str
    anchor: date
    match: str | None = None
    window: tuple[date, date] | None = None
    relation: str | None = None
    prefer: str = "future"
    context_year: int | None = None
    absent: str | None = None


@dataclass(frozen=True)
class Condition:
    """One way for a match to qualify: a named group took part, or the text around it fits."""

    group: str | None = None
    before: re.Pattern[str] | None = None
    after: re.Pattern[str] | None = None

    def holds(self, match: re.Match[str], sentence: str) -> bool:
        """True when the condition is met for `match` inside `sentence`."""
        if self.group is not None and match.group(self.group):
            return True
        start, end = match.span()
        if self.before is not None and self.before.search(
            sentence[max(0, start - CONTEXT_CHARS) : start]
        ):
            return True
        return self.after is not None and bool(self.after.match(sentence[end:]))


@dataclass(frozen=True)
class TimexRule:
    """A named extraction rule read from a data file."""

    name: str
    lang: str
    source: str  # the file it came from
    pattern: str  # with sub-patterns expanded
    compiled: re.Pattern[str]
    needles: tuple[str, ...] | None
    function: str
    parameters: Mapping[str, Any]
    reject_before: re.Pattern[str] | None = None
    require_any: tuple[Condition, ...] = ()
    examples: tuple[RuleExample, ...] = ()

    @property
    def removes(self) -> bool:
        """A negative rule: its matches suppress other rules' atoms."""
        return self.function == "remove"

    def accepts(self, match: re.Match[str], sentence: str) -> bool:
        """The rule's constraints hold for this match."""
        start = match.start()
        if self.reject_before is not None and self.reject_before.search(
            sentence[max(0, start - CONTEXT_CHARS) : start]
        ):
            return False
        return not self.require_any or any(c.holds(match, sentence) for c in self.require_any)


@dataclass(frozen=True)
class RuleSet:
    """All rules (in the order they are tried), sub-patterns and vocabularies."""

    rules: tuple[TimexRule, ...]
    patterns: Mapping[str, str]
    vocabulary: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def rule(self, name: str) -> TimexRule:
        """The rule called `name` (KeyError when there is none)."""
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(name)


def default_folder() -> Path:
    """The packaged rule files."""
    return Path(str(resources.files("digests.analysis") / "resources" / "timex"))


def load_rules(
    folder: Path | None = None,
    functions: Iterable[str] | None = None,
    files: Iterable[str] = RULE_FILES,
) -> RuleSet:
    """Read, expand and check the rule files in `folder` (default: the packaged ones).

    `functions` is the set of normalisation functions that exist; a rule naming another one is
    an error, as is a duplicate rule name, an unknown sub-pattern or a pattern that does not
    compile. Errors name the file and the rule.
    """
    folder = folder or default_folder()
    documents: list[tuple[str, dict[str, Any]]] = []
    for file_name in files:
        path = folder / file_name
        try:
            documents.append((file_name, tomllib.loads(path.read_text("utf-8"))))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise RuleFileError(f"{path}: cannot read rules: {error}") from error
    raw_patterns: dict[str, str] = {}
    pattern_files: dict[str, str] = {}
    vocabulary: dict[str, dict[str, Any]] = {}
    for file_name, document in documents:
        for key, value in document.get("patterns", {}).items():
            if key in raw_patterns:
                raise RuleFileError(f"{file_name}: sub-pattern {key!r} is defined twice")
            raw_patterns[key] = _joined(value, f"{file_name}: sub-pattern {key!r}")
            pattern_files[key] = file_name
        for key, table in document.get("vocabulary", {}).items():
            if key in vocabulary:
                raise RuleFileError(f"{file_name}: vocabulary {key!r} is defined twice")
            vocabulary[key] = dict(table)
    patterns = {
        key: _expand(value, raw_patterns, f"{pattern_files[key]}: sub-pattern {key!r}")
        for key, value in raw_patterns.items()
    }
    known = set(functions) if functions is not None else None
    rules: list[TimexRule] = []
    seen: set[str] = set()
    for file_name, document in documents:
        for raw in document.get("rule", []):
            rule = _rule(raw, file_name, patterns, known)
            if rule.name in seen:
                raise RuleFileError(f"{file_name}: rule name {rule.name!r} is used twice")
            seen.add(rule.name)
            rules.append(rule)
    return RuleSet(tuple(rules), patterns, vocabulary)


def _joined(value: object, where: str) -> str:
    """A pattern written as one string or as a list of pieces (for long expressions)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(piece, str) for piece in value):
        return "".join(value)
    raise RuleFileError(f"{where}: a pattern must be a string or a list of strings")


def _expand(pattern: str, patterns: Mapping[str, str], where: str, depth: int = 0) -> str:
    """Replace %{name} by the named sub-pattern (which may itself use others)."""
    if depth > 8:
        raise RuleFileError(f"{where}: sub-patterns refer to each other in a loop")

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in patterns:
            raise RuleFileError(f"{where}: unknown sub-pattern %{{{name}}}")
        return _expand(patterns[name], patterns, where, depth + 1)

    return _SUBPATTERN.sub(substitute, pattern)


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise RuleFileError(f"{where}: pattern does not compile: {error}") from error


def _rule(
    raw: Mapping[str, Any], file_name: str, patterns: Mapping[str, str], known: set[str] | None
) -> TimexRule:
    name = raw.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise RuleFileError(f"{file_name}: every rule needs a lowercase name (got {name!r})")
    where = f"{file_name}: rule {name!r}"
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RuleFileError(f"{where}: unknown field(s) {sorted(unknown)}")
    lang = raw.get("lang")
    if lang not in LANGUAGES:
        raise RuleFileError(f"{where}: lang must be one of {sorted(LANGUAGES)} (got {lang!r})")
    if "pattern" not in raw:
        raise RuleFileError(f"{where}: no pattern")
    pattern = _expand(_joined(raw["pattern"], where), patterns, where)
    normalisation = raw.get("normalisation")
    if not isinstance(normalisation, dict) or not isinstance(normalisation.get("function"), str):
        raise RuleFileError(f"{where}: normalisation = {{ function = ... }} is required")
    parameters = {key: value for key, value in normalisation.items() if key != "function"}
    function = normalisation["function"]
    if known is not None and function not in known:
        raise RuleFileError(f"{where}: unknown normalisation function {function!r}")
    needles = raw.get("needles")
    if needles is not None and (
        not isinstance(needles, list) or not all(isinstance(n, str) and n for n in needles)
    ):
        raise RuleFileError(f"{where}: needles must be a list of non-empty strings")
    constraints = raw.get("constraints", {})
    if set(constraints) - _CONSTRAINT_KEYS:
        raise RuleFileError(
            f"{where}: unknown constraint(s) {sorted(set(constraints) - _CONSTRAINT_KEYS)}"
        )
    reject_before = constraints.get("reject_before")
    return TimexRule(
        name=name,
        lang=lang,
        source=file_name,
        pattern=pattern,
        compiled=_compile(pattern, where),
        needles=tuple(needle.lower() for needle in needles) if needles is not None else None,
        function=function,
        parameters=parameters,
        reject_before=(
            _compile(_expand(reject_before, patterns, where), where) if reject_before else None
        ),
        require_any=tuple(
            _condition(condition, patterns, where)
            for condition in constraints.get("require_any", [])
        ),
        examples=tuple(_example(example, where) for example in raw.get("examples", [])),
    )


def _condition(raw: Mapping[str, Any], patterns: Mapping[str, str], where: str) -> Condition:
    if not raw or set(raw) - _CONDITION_KEYS:
        raise RuleFileError(f"{where}: a require_any condition has group, before or after")

    def regex(key: str) -> re.Pattern[str] | None:
        value = raw.get(key)
        return _compile(_expand(value, patterns, where), where) if value else None

    return Condition(group=raw.get("group"), before=regex("before"), after=regex("after"))


def _example(raw: Mapping[str, Any], where: str) -> RuleExample:
    unknown = set(raw) - _EXAMPLE_KEYS
    if unknown:
        raise RuleFileError(f"{where}: example has unknown field(s) {sorted(unknown)}")
    text, anchor = raw.get("text"), raw.get("anchor")
    if not isinstance(text, str) or not isinstance(anchor, date):
        raise RuleFileError(f"{where}: an example needs text and an anchor date (YYYY-MM-DD)")
    prefer = raw.get("prefer", "future")
    if prefer not in PREFERENCES:
        raise RuleFileError(f"{where}: example prefer must be one of {sorted(PREFERENCES)}")
    window = raw.get("window")
    if "absent" in raw:
        if "match" in raw or window is not None:
            raise RuleFileError(f"{where}: an example has either absent or match + window")
        if raw["absent"] not in text:
            raise RuleFileError(f"{where}: absent {raw['absent']!r} is not in {text!r}")
    else:
        if not isinstance(raw.get("match"), str) or raw["match"] not in text:
            raise RuleFileError(f"{where}: example match {raw.get('match')!r} is not in {text!r}")
        if (
            not isinstance(window, list)
            or len(window) != 2
            or not all(isinstance(day, date) for day in window)
        ):
            raise RuleFileError(f"{where}: example window must be [start, end] dates")
    return RuleExample(
        text=text,
        anchor=anchor,
        match=raw.get("match"),
        window=(window[0], window[1]) if window else None,
        relation=raw.get("relation"),
        prefer=prefer,
        context_year=raw.get("context_year"),
        absent=raw.get("absent"),
    )
