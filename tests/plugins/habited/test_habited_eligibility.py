"""HabiTED eligibility through the GraphQL API: every criterion, boundaries, unknown facts,
per-offer overrides and dated parameters."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core import ParameterVersion
from core.testing import ThemaTestApp
from tests.plugins.habited.kit import (
    COMPLETE,
    World,
    born,
    build_world,
    codes,
    criterion,
    dated_plugin,
    mutate,
    new_app,
    tenant,
    verdict,
)

SAT, NOT, UNKNOWN = "SATISFIED", "NOT_SATISFIED", "UNKNOWN"
PROFILE_CRITERIA = {
    "habited.diagnosis",
    "habited.verbal_language",
    "habited.transport_autonomy",
    "habited.day_activity",
}


@pytest.mark.parametrize(
    ("age", "days", "outcome", "status"),
    [
        (17, 0, NOT, "INELIGIBLE"),
        (18, 1, NOT, "INELIGIBLE"),  # 18 tomorrow: still 17
        (18, 0, SAT, "ELIGIBLE"),  # 18th birthday today
        (40, 0, SAT, "ELIGIBLE"),
        (41, 1, SAT, "ELIGIBLE"),  # 41 tomorrow: still 40
        (41, 0, NOT, "INELIGIBLE"),
    ],
)
def test_age_bounds_18_to_40(
    app: ThemaTestApp, world: World, age: int, days: int, outcome: str, status: str
) -> None:
    h = tenant(app, world, born(age, days=days), COMPLETE)
    v = verdict(app, h, world.offer)
    assert criterion(v, "habited.age")["outcome"] == outcome
    assert criterion(v, "habited.age")["threshold"] == "18 à 40 ans"
    assert v["status"] == status
    assert codes(v["failing"]) == ({"habited.age"} if outcome == NOT else set())


def test_age_unknown_birth_date_is_incomplete(app: ThemaTestApp, world: World) -> None:
    v = verdict(app, tenant(app, world, None, COMPLETE), world.offer)
    assert v["status"] == "INCOMPLETE"
    assert codes(v["missing"]) == {"habited.age"}


def test_age_per_offer_override(app: ThemaTestApp, world: World) -> None:
    h = tenant(app, world, born(43), COMPLETE)
    assert verdict(app, h, world.offer)["status"] == "INELIGIBLE"
    mutate(app, "updateOffer", {"id": world.offer, "parameters": {"max_age": 45}}, "offer { id }")
    v = verdict(app, h, world.offer)
    assert v["status"] == "ELIGIBLE"
    assert v["parameterVersion"] == "habited@2016-01-01+offre(max_age)"


@pytest.mark.parametrize(
    ("diagnosis", "outcome"), [("AUTISM", SAT), ("PDD", SAT), ("NONE", NOT), (None, UNKNOWN)]
)
def test_diagnosis_autism_or_ted(
    app: ThemaTestApp, world: World, diagnosis: str | None, outcome: str
) -> None:
    h = tenant(app, world, born(30), {**COMPLETE, "diagnosis": diagnosis})
    result = criterion(verdict(app, h, world.offer), "habited.diagnosis")
    assert result["outcome"] == outcome
    # Health data: the verdict never names the diagnosis.
    assert "AUTISM" not in str(result) and "PDD" not in str(result)
    assert "autisme" not in (result["value"] or "")


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("verbalLanguage", "habited.verbal_language"),
        ("publicTransportAutonomy", "habited.transport_autonomy"),
    ],
)
@pytest.mark.parametrize(
    ("value", "outcome", "status"),
    [(True, SAT, "ELIGIBLE"), (False, NOT, "INELIGIBLE"), (None, UNKNOWN, "INCOMPLETE")],
)
def test_yes_no_criteria(
    app: ThemaTestApp,
    world: World,
    field: str,
    code: str,
    value: bool | None,
    outcome: str,
    status: str,
) -> None:
    h = tenant(app, world, born(30), {**COMPLETE, field: value})
    v = verdict(app, h, world.offer)
    assert criterion(v, code)["outcome"] == outcome
    assert v["status"] == status


@pytest.mark.parametrize(
    ("activity", "outcome"),
    [
        ("ORDINARY_EMPLOYMENT", SAT),
        ("SHELTERED_WORKSHOP", SAT),
        ("ESAT", SAT),
        ("DAY_CENTRE", SAT),
        ("NONE", NOT),
        (None, UNKNOWN),
    ],
)
def test_day_activity_among_the_four(
    app: ThemaTestApp, world: World, activity: str | None, outcome: str
) -> None:
    h = tenant(app, world, born(30), {**COMPLETE, "dayActivity": activity})
    result = criterion(verdict(app, h, world.offer), "habited.day_activity")
    assert result["outcome"] == outcome


def test_no_profile_names_every_missing_fact(app: ThemaTestApp, world: World) -> None:
    v = verdict(app, tenant(app, world, born(30)), world.offer)
    assert v["status"] == "INCOMPLETE"
    assert codes(v["missing"]) == PROFILE_CRITERIA
    assert all(c["message"] for c in v["criteria"])


def test_failing_requirement_wins_over_unknown(app: ThemaTestApp, world: World) -> None:
    profile: dict[str, Any] = {"diagnosis": "AUTISM", "verbalLanguage": False}
    v = verdict(app, tenant(app, world, born(30), profile), world.offer)
    assert v["status"] == "INELIGIBLE"
    assert codes(v["failing"]) == {"habited.verbal_language"}
    assert codes(v["missing"]) == {"habited.transport_autonomy", "habited.day_activity"}


def test_dated_parameters_do_not_change_earlier_verdicts(tmp_path: Path) -> None:
    later = ParameterVersion(date(2026, 6, 1), {"max_age": 35}, note="Test")
    app = new_app(tmp_path, plugin=dated_plugin(later))
    try:
        world = build_world(app)
        h = tenant(app, world, born(38), COMPLETE)
        before = verdict(app, h, world.offer, "2026-01-01")
        assert (before["status"], before["parameterVersion"]) == ("ELIGIBLE", "habited@2016-01-01")
        after = verdict(app, h, world.offer, "2026-06-01")
        assert (after["status"], after["parameterVersion"]) == ("INELIGIBLE", "habited@2026-06-01")
        assert verdict(app, h, world.offer, "2026-05-31")["status"] == "ELIGIBLE"
    finally:
        app.close()
