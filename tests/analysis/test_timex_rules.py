"""The time-expression rule files: every rule's worked examples, and the files' own checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from digests.analysis.timex import NORMALISERS, RULES, find_time_expressions, rule_names
from digests.analysis.timex_rules import (
    RULE_FILES,
    RuleExample,
    RuleFileError,
    TimexRule,
    default_folder,
    load_rules,
)

EXAMPLES = [
    pytest.param(rule, example, id=f"{rule.name}-{number}")
    for rule in RULES.rules
    for number, example in enumerate(rule.examples, start=1)
]


@pytest.mark.parametrize(("rule", "example"), EXAMPLES)
def test_rule_example(rule: TimexRule, example: RuleExample) -> None:
    expressions = find_time_expressions(
        example.text, example.anchor, prefer=example.prefer, context_year=example.context_year
    )
    found = [(e.text, e.due_start, e.due_end, e.relation, e.rule) for e in expressions]
    if example.absent is not None:
        start = example.text.index(example.absent)
        end = start + len(example.absent)
        assert not [e for e in expressions if e.start < end and start < e.end], found
        return
    matching = [e for e in expressions if e.text == example.match]
    assert matching, f"{example.match!r} not found in {found}"
    [expression] = matching
    assert (expression.due_start, expression.due_end) == example.window, found
    assert rule.name in rule_names(expression.rule), found
    if example.relation is not None:
        assert expression.relation == example.relation, found


def test_every_rule_has_an_example_and_a_unique_name() -> None:
    names = [rule.name for rule in RULES.rules]
    assert len(names) == len(set(names))
    assert [rule.name for rule in RULES.rules if not rule.examples] == []
    assert {rule.lang for rule in RULES.rules} <= {"ko", "en", "any"}


def test_every_normalisation_function_is_used_by_some_rule() -> None:
    used = {rule.function for rule in RULES.rules}
    assert set(NORMALISERS) - used == set()


def test_negative_rules_suppress_what_another_rule_would_read() -> None:
    removing = [rule for rule in RULES.rules if rule.removes]
    assert removing, "the rule files keep at least one REMOVE rule"
    others = [rule for rule in RULES.rules if not rule.removes]
    for rule in removing:
        for example in rule.examples:
            assert example.absent, f"{rule.name}: a REMOVE rule's examples name what is absent"
            start = example.text.index(example.absent)
            end = start + len(example.absent)
            suppressed = [
                other.name
                for other in others
                for match in other.compiled.finditer(example.text)
                if start <= match.start() and match.end() <= end
            ]
            assert suppressed, f"{rule.name}: nothing in {example.absent!r} needs removing"


def write_rules(folder: Path, ko_rules: str) -> Path:
    """Rule files in `folder`: the packaged shared and English files, a Korean file of our own."""
    for name in RULE_FILES:
        (folder / name).write_text((default_folder() / name).read_text("utf-8"), "utf-8")
    (folder / "ko.toml").write_text(ko_rules, "utf-8")
    return folder


RULE = """
[[rule]]
name = "ko_test"
lang = "ko"
pattern = '''(?P<y>%{year4})년'''
normalisation = { function = "year" }
[[rule.examples]]
text = "2026년"
anchor = 2025-01-01
match = "2026년"
window = [2026-01-01, 2026-12-31]
"""


def test_rule_files_load_with_sub_patterns_expanded(tmp_path: Path) -> None:
    rules = load_rules(write_rules(tmp_path, RULE), functions=NORMALISERS)
    rule = rules.rule("ko_test")
    assert rule.pattern == r"(?P<y>(?:19|20)\d{2})년"
    assert rule.compiled.search("2026년") is not None


@pytest.mark.parametrize(
    ("ko_rules", "reason"),
    [
        (RULE.replace("%{year4}", "%{no_such_pattern}"), "unknown sub-pattern %{no_such_pattern}"),
        (RULE.replace('"year"', '"no_such_function"'), "unknown normalisation function"),
        (RULE + RULE, "rule name 'ko_test' is used twice"),
        (RULE.replace('lang = "ko"', 'lang = "fr"'), "lang must be one of"),
        (RULE.replace("(?P<y>", "(?P<y"), "pattern does not compile"),
        (RULE.replace('match = "2026년"', 'match = "2027년"'), "is not in"),
        (RULE.replace("window = [2026-01-01, 2026-12-31]", ""), "window must be"),
        (RULE.replace("normalisation", "normalization"), "unknown field(s)"),
    ],
)
def test_malformed_rule_files_are_refused_naming_the_rule_and_the_reason(
    tmp_path: Path, ko_rules: str, reason: str
) -> None:
    with pytest.raises(RuleFileError) as error:
        load_rules(write_rules(tmp_path, ko_rules), functions=NORMALISERS)
    assert "ko.toml" in str(error.value)
    assert reason in str(error.value)


def test_sub_patterns_that_refer_to_each_other_in_a_loop_are_refused(tmp_path: Path) -> None:
    folder = write_rules(tmp_path, RULE)
    shared = (folder / "shared.toml").read_text("utf-8")
    shared = shared.replace(
        "[patterns]\n", "[patterns]\nloop_a = '''%{loop_b}'''\nloop_b = '''%{loop_a}'''\n"
    )
    (folder / "shared.toml").write_text(shared, "utf-8")
    (folder / "ko.toml").write_text(RULE.replace("%{year4}", "%{loop_a}"), "utf-8")
    with pytest.raises(RuleFileError, match=r"shared.toml: sub-pattern 'loop_a'.*loop"):
        load_rules(folder, functions=NORMALISERS)
