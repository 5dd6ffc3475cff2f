"""The conformance suite: every built-in plugin passes it, and it catches a plugin that breaks the rules."""

from __future__ import annotations

import importlib
import types
from datetime import date
from pathlib import Path

import pytest
import strawberry
from sqlmodel import Field, SQLModel

from core import (
    Criterion,
    CriterionResult,
    EligibilityRequest,
    EligibilityRule,
    GraphQLContribution,
    Indicator,
    IndicatorRequest,
    IndicatorResult,
    IndicatorUnit,
    Outcome,
    Scheme,
    SensitiveCategory,
    SensitiveField,
    hookimpl,
)
from core.testing import CONFORMANCE_CHECKS, ConformanceError, assert_conforms, check_plugin
from plugins import BUILTIN_PLUGINS

PLUGINS = {dotted.split(".")[1]: dotted for dotted in BUILTIN_PLUGINS}


@pytest.mark.parametrize("check", list(CONFORMANCE_CHECKS))
@pytest.mark.parametrize("name", sorted(PLUGINS))
def test_builtin_plugin_passes_the_conformance_check(name: str, check: str, tmp_path: Path) -> None:
    assert_conforms(importlib.import_module(PLUGINS[name]), tmp_path, [check])


# -- a plugin breaking the rules -------------------------------------------------------------------
class BadTable(SQLModel, table=True):
    """A table without the scheme prefix nor an owner."""

    __tablename__ = "conformance_bad_rows"
    id: int | None = Field(default=None, primary_key=True)


@strawberry.type(description="Fields of the bad plugin on households.")
class BadHouseholdFields:
    """An unprefixed field."""

    @strawberry.field(description="Not prefixed by the scheme code.")
    def score(self) -> int:
        """A number."""
        return 1


def _half_rule(req: EligibilityRequest) -> dict[int, list[CriterionResult]]:
    """Answers one of the two criteria it declares."""
    return {h: [CriterionResult("bad.age", Outcome.UNKNOWN, "Âge inconnu.")] for h in req.household_ids}


def _count(req: IndicatorRequest) -> IndicatorResult:
    return IndicatorResult(0.0, 0.0)


def bad_plugin(*sensitive: SensitiveField) -> types.ModuleType:
    """A plugin module breaking one rule per check (and declaring ``sensitive`` fields)."""
    module = types.ModuleType("conformance_bad.hooks")
    scheme = Scheme("bad", "Bad", "Mauvais", "1.0", "Exemple.", date(2020, 1, 1))

    hooks = {
        "register_schemes": lambda: [scheme],
        "register_tables": lambda: [BadTable],
        "register_graphql": lambda: [
            GraphQLContribution(owner="bad", extend={"Household": BadHouseholdFields})
        ],
        "register_eligibility_rules": lambda: [
            EligibilityRule(
                "bad", (Criterion("bad.age", "Âge"), Criterion("bad.isolated", "Isolement")), _half_rule
            )
        ],
        "register_indicators": lambda: [
            Indicator("bad", "count", "Compte", IndicatorUnit.COUNT, "", compute=_count)
        ],
        "register_sensitive_fields": lambda: list(sensitive),
    }
    for name, fn in hooks.items():
        setattr(module, name, hookimpl(fn))  # type: ignore[arg-type]
    return module


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        ("schemes", "sets no THEMA_CONTRACT"),
        ("tables", "'conformance_bad_rows' is not prefixed"),
        ("tables", "has no owner_id column"),
        ("tables", "no migration branch"),
        ("graphql", "field Household.score is not prefixed"),
        ("indicators", "indicator bad.count has no real definition"),
    ],
)
def test_conformance_finds_what_a_plugin_breaks(check: str, expected: str, tmp_path: Path) -> None:
    problems = check_plugin(bad_plugin(), tmp_path, [check])
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (("Household", "closed_on"), "belongs to the core"),
        (("BadProfile", "diagnosis"), "BadProfile"),
        (("Household", "bad_unknown_field"), "bad_unknown_field"),
    ],
)
def test_conformance_finds_a_wrong_sensitive_field(
    declared: tuple[str, str], expected: str, tmp_path: Path
) -> None:
    field = SensitiveField("bad", *declared, SensitiveCategory.HEALTH, "Exemple")
    problems = check_plugin(bad_plugin(field), tmp_path, ["sensitive_fields"])
    assert any(expected in p for p in problems), problems


def test_conformance_reports_a_verdict_missing_a_declared_criterion(tmp_path: Path) -> None:
    module = bad_plugin()
    del module.register_tables  # no table: the app can start on a migrated database
    with pytest.raises(
        ConformanceError, match=r"answered \['bad.age'\] but declares \['bad.age', 'bad.isolated'\]"
    ):
        assert_conforms(module, tmp_path, ["verdicts"])


def test_conformance_refuses_an_unknown_check(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown conformance check"):
        check_plugin(bad_plugin(), tmp_path, ["spelling"])
