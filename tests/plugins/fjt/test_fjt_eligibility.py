"""FJT eligibility through the GraphQL API: every criterion at its boundaries, unknown facts,
per-offer overrides, dated parameters and the collective activity quota."""

from __future__ import annotations

from datetime import date

import pytest

from core import ParameterVersion
from core.testing import ThemaTestApp
from tests.plugins.fjt.kit import (
    World,
    build_world,
    criterion,
    dated_plugin,
    failing,
    household,
    missing,
    move_in,
    mutate,
    new_app,
    verdict,
    young,
)

SAT, NOT, UNKNOWN = "SATISFIED", "NOT_SATISFIED", "UNKNOWN"


# -- age -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("age", "days", "outcome", "status"),
    [
        (15, 0, NOT, "INELIGIBLE"),
        (16, 1, NOT, "INELIGIBLE"),  # 16 tomorrow: still 15
        (16, 0, SAT, "PRIORITY"),  # 16th birthday today
        (30, 0, SAT, "ELIGIBLE"),
        (31, 1, SAT, "ELIGIBLE"),  # 31 tomorrow: still 30
        (31, 0, NOT, "INELIGIBLE"),  # 31st birthday today
    ],
)
def test_age_bounds_16_to_30_on_default_offer(
    app: ThemaTestApp, world: World, age: int, days: int, outcome: str, status: str
) -> None:
    h = household(app, world.association, [young(age, days=days)])
    v = verdict(app, h, world.offer)
    assert criterion(v, "fjt.age")["outcome"] == outcome
    assert criterion(v, "fjt.age")["threshold"] == "16 à 30 ans"
    assert v["status"] == status
    assert failing(v) == ({"fjt.age"} if outcome == NOT else set())


@pytest.mark.parametrize(
    ("age", "days", "outcome"),
    [(29, 0, SAT), (30, 1, SAT), (30, 0, NOT)],
)
def test_age_offer_override_max_29_on_vivaldi(
    app: ThemaTestApp, world: World, age: int, days: int, outcome: str
) -> None:
    h = household(app, world.association, [young(age, days=days)])
    v = verdict(app, h, world.vivaldi)
    assert criterion(v, "fjt.age")["outcome"] == outcome
    assert criterion(v, "fjt.age")["threshold"] == "16 à 29 ans"
    assert v["parameters"]["overridden"] == ["max_age"]
    assert v["parameters"]["values"]["max_age"] == 29
    assert v["parameterVersion"] == "fjt@2019-11-14+offre(max_age)"


def test_age_override_only_applies_to_its_offer(app: ThemaTestApp, world: World) -> None:
    h = household(app, world.association, [young(30)])
    assert verdict(app, h, world.vivaldi)["status"] == "INELIGIBLE"
    default = verdict(app, h, world.offer)
    assert default["status"] == "ELIGIBLE"
    assert default["parameters"]["overridden"] == []
    assert default["parameterVersion"] == "fjt@2019-11-14"


def test_age_every_young_member_checked_but_not_children(app: ThemaTestApp, world: World) -> None:
    couple = household(app, world.association, [young(24), young(31, role="SPOUSE")])
    v = verdict(app, couple, world.offer)
    assert criterion(v, "fjt.age")["outcome"] == NOT
    assert criterion(v, "fjt.age")["value"] == "24, 31 ans"
    parent = household(app, world.association, [young(22), young(2, None, role="CHILD")])
    assert criterion(verdict(app, parent, world.offer), "fjt.age")["outcome"] == SAT


def test_age_unknown_birth_date_is_incomplete(app: ThemaTestApp, world: World) -> None:
    h = household(app, world.association, [young(None)])
    v = verdict(app, h, world.offer)
    assert v["status"] == "INCOMPLETE"
    assert missing(v) == {"fjt.age", "fjt.priority_age"}
    assert "naissance" in criterion(v, "fjt.age")["message"]


# -- priority --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("age", "days", "status"),
    [(25, 0, "PRIORITY"), (26, 1, "PRIORITY"), (26, 0, "ELIGIBLE")],
)
def test_priority_16_to_25(app: ThemaTestApp, world: World, age: int, days: int, status: str) -> None:
    h = household(app, world.association, [young(age, days=days)])
    v = verdict(app, h, world.offer)
    assert v["status"] == status
    assert criterion(v, "fjt.priority_age")["kind"] == "PRIORITY"
    assert criterion(v, "fjt.priority_age")["threshold"] == "16 à 25 ans"


# -- activity and the collective quota -------------------------------------------------------------
def _residents(app: ThemaTestApp, world: World, activities: list[str | None]) -> list[str]:
    """Households living in the world's main offer since 2025, one per T1, with these activities."""
    ids = []
    for n, activity in enumerate(activities):
        h = household(app, world.association, [young(22, activity)], reference=f"R-{n}")
        move_in(app, h, world.t1[n], world.offer, "2025-01-01")
        ids.append(h)
    return ids


@pytest.mark.parametrize("activity", ["EMPLOYED", "TRAINING", "APPRENTICESHIP", "INTERNSHIP", "JOB_SEEKING"])
def test_activity_in_activity_is_admissible_even_below_quota(
    app: ThemaTestApp, world: World, activity: str
) -> None:
    _residents(app, world, ["STUDENT", "STUDENT", "INACTIVE"])  # 0 % in activity
    h = household(app, world.association, [young(22, activity)])
    v = verdict(app, h, world.offer)
    assert criterion(v, "fjt.activity")["outcome"] == SAT
    assert "avant admission : 0,0 % (0/3) ; après : 25,0 % (1/4)" in criterion(v, "fjt.activity")["value"]


def test_activity_quota_exactly_60_percent_after_admission(app: ThemaTestApp, world: World) -> None:
    _residents(app, world, ["EMPLOYED", "TRAINING", "JOB_SEEKING", "STUDENT"])  # 3/4
    h = household(app, world.association, [young(22, "STUDENT")])
    v = verdict(app, h, world.offer)
    quota = criterion(v, "fjt.activity")
    assert quota["outcome"] == SAT
    assert quota["value"] == "étudiant ; avant admission : 75,0 % (3/4) ; après : 60,0 % (3/5)"
    assert quota["threshold"] == "≥ 60,0 % de jeunes en activité après admission"
    assert v["status"] == "PRIORITY"


def test_activity_quota_broken_by_admission(app: ThemaTestApp, world: World) -> None:
    _residents(app, world, ["EMPLOYED", "TRAINING", "JOB_SEEKING", "STUDENT", "INACTIVE"])  # 3/5
    h = household(app, world.association, [young(22, "INACTIVE")])
    v = verdict(app, h, world.offer)
    quota = criterion(v, "fjt.activity")
    assert quota["outcome"] == NOT
    assert "60,0 % (3/5)" in quota["message"] and "50,0 % (3/6)" in quota["message"]
    assert v["status"] == "INELIGIBLE"
    assert failing(v) == {"fjt.activity"}


def test_activity_quota_unknown_resident_situation_decides(app: ThemaTestApp, world: World) -> None:
    # 3 in activity, 1 not, 1 unknown: after admitting a student, 50 % to 66.7 %.
    _residents(app, world, ["EMPLOYED", "EMPLOYED", "EMPLOYED", "STUDENT", None])
    h = household(app, world.association, [young(22, "STUDENT")])
    v = verdict(app, h, world.offer)
    assert v["status"] == "INCOMPLETE"
    assert missing(v) == {"fjt.activity"}
    assert "1 situation inconnue" in criterion(v, "fjt.activity")["value"]


def test_activity_quota_unknown_resident_does_not_matter_when_bounds_agree(
    app: ThemaTestApp, world: World
) -> None:
    _residents(app, world, ["EMPLOYED", "EMPLOYED", "EMPLOYED", "EMPLOYED", None])
    h = household(app, world.association, [young(22, "STUDENT")])
    # Even counting the unknown resident out of activity: 4/6 = 66.7 % ≥ 60 %.
    assert criterion(verdict(app, h, world.offer), "fjt.activity")["outcome"] == SAT


def test_activity_quota_per_offer_override(app: ThemaTestApp, world: World) -> None:
    _residents(app, world, ["EMPLOYED", "EMPLOYED", "STUDENT"])  # 2/4 after a student: 50 %
    h = household(app, world.association, [young(22, "STUDENT")])
    assert criterion(verdict(app, h, world.offer), "fjt.activity")["outcome"] == NOT
    mutate(
        app,
        "updateOffer",
        {"id": world.offer, "parameters": {"activity_share_min": 0.5}},
        "offer { id }",
    )
    v = verdict(app, h, world.offer)
    assert criterion(v, "fjt.activity")["outcome"] == SAT
    assert v["parameters"]["overridden"] == ["activity_share_min"]


def test_activity_quota_counts_residents_at_reference_date(app: ThemaTestApp, world: World) -> None:
    # Residents arrive in 2025; before that the offer is empty and a student would make it 0 %.
    _residents(app, world, ["EMPLOYED", "EMPLOYED", "EMPLOYED"])
    h = household(app, world.association, [young(22, "STUDENT")])
    assert criterion(verdict(app, h, world.offer, "2024-12-31"), "fjt.activity")["outcome"] == NOT
    assert criterion(verdict(app, h, world.offer, "2025-01-01"), "fjt.activity")["outcome"] == SAT


def test_activity_quota_leaves_out_the_evaluated_resident(app: ThemaTestApp, world: World) -> None:
    ids = _residents(app, world, ["EMPLOYED", "EMPLOYED", "STUDENT"])
    quota = criterion(verdict(app, ids[2], world.offer), "fjt.activity")
    assert "avant admission : 100,0 % (2/2) ; après : 66,7 % (2/3)" in quota["value"]


def test_activity_unknown_applicant_is_incomplete(app: ThemaTestApp, world: World) -> None:
    h = household(app, world.association, [young(22, None)])
    v = verdict(app, h, world.offer)
    assert v["status"] == "INCOMPLETE"
    assert missing(v) == {"fjt.activity"}


def test_activity_without_offer_needs_the_offer_for_the_quota(app: ThemaTestApp, world: World) -> None:
    active = household(app, world.association, [young(22, "EMPLOYED")])
    assert verdict(app, active, None)["status"] == "PRIORITY"
    student = household(app, world.association, [young(22, "STUDENT")])
    v = verdict(app, student, None)
    assert v["status"] == "INCOMPLETE"
    assert missing(v) == {"fjt.activity"}


# -- resources -------------------------------------------------------------------------------------
def test_resources_no_ceiling_by_default(app: ThemaTestApp, world: World) -> None:
    h = household(app, world.association, [young(22, resources=5000.0)])
    res = criterion(verdict(app, h, world.offer), "fjt.resources")
    assert res["outcome"] == SAT
    assert res["threshold"] is None


@pytest.mark.parametrize(("resources", "outcome"), [(1000.0, SAT), (1000.01, NOT), (None, UNKNOWN)])
def test_resources_offer_ceiling(
    app: ThemaTestApp, world: World, resources: float | None, outcome: str
) -> None:
    mutate(
        app,
        "updateOffer",
        {"id": world.offer, "parameters": {"max_monthly_resources": 1000}},
        "offer { id }",
    )
    h = household(app, world.association, [young(22, resources=resources)])
    res = criterion(verdict(app, h, world.offer), "fjt.resources")
    assert res["outcome"] == outcome
    assert res["threshold"] == "≤ 1000 €/mois"


# -- household composition -------------------------------------------------------------------------
def test_household_single_fits_t1(app: ThemaTestApp, world: World) -> None:
    h = household(app, world.association, [young(22)])
    res = criterion(verdict(app, h, world.vivaldi), "fjt.household")
    assert (res["outcome"], res["value"]) == (SAT, "personne seule")


@pytest.mark.parametrize(
    "members",
    [
        [young(22), young(23, role="SPOUSE")],
        [young(22), young(1, None, role="CHILD")],
    ],
    ids=["couple", "single_parent"],
)
def test_household_couple_or_single_parent_needs_t2(
    app: ThemaTestApp, world: World, members: list[dict[str, object]]
) -> None:
    h = household(app, world.association, members)
    assert criterion(verdict(app, h, world.offer), "fjt.household")["outcome"] == SAT
    v = verdict(app, h, world.vivaldi)  # T1 only
    assert criterion(v, "fjt.household")["outcome"] == NOT
    assert v["status"] == "INELIGIBLE"
    assert failing(v) == {"fjt.household"}


def test_household_unclear_roles_are_incomplete_until_profile_says(app: ThemaTestApp, world: World) -> None:
    h = household(app, world.association, [young(22), young(23, role="OTHER")])
    v = verdict(app, h, world.offer)
    assert v["status"] == "INCOMPLETE"
    assert missing(v) == {"fjt.household"}
    mutate(app, "fjtSetProfile", {"householdId": h, "composition": "COUPLE"}, "profile { version }")
    res = criterion(verdict(app, h, world.offer), "fjt.household")
    assert (res["outcome"], res["value"]) == (SAT, "couple")


# -- dated parameters ------------------------------------------------------------------------------
def test_dated_parameters_do_not_change_earlier_verdicts(tmp_path: object) -> None:
    later = ParameterVersion(date(2026, 6, 1), {"max_age": 27}, note="Test")
    app = new_app(tmp_path, plugin=dated_plugin(later))  # type: ignore[arg-type]
    try:
        world = build_world(app)
        h = household(app, world.association, [young(28)])
        before = verdict(app, h, world.offer, "2026-01-01")
        assert before["status"] == "ELIGIBLE"
        assert before["parameterVersion"] == "fjt@2019-11-14"
        assert before["referenceDate"] == "2026-01-01"
        after = verdict(app, h, world.offer, "2026-07-01")
        assert after["status"] == "INELIGIBLE"
        assert after["parameterVersion"] == "fjt@2026-06-01"
        assert after["parameters"]["effectiveFrom"] == "2026-06-01"
        # And the earlier date still gives the earlier rules once the change is in force.
        assert verdict(app, h, world.offer, "2026-05-31")["status"] == "ELIGIBLE"
    finally:
        app.close()


# -- candidates ------------------------------------------------------------------------------------
def test_candidates_filtered_by_status_and_paged(app: ThemaTestApp, world: World) -> None:
    household(app, world.association, [young(20)], reference="P")
    household(app, world.association, [young(28)], reference="E")
    household(app, world.association, [young(35)], reference="I1")
    household(app, world.association, [young(40)], reference="I2")
    query = """query($o: ID!, $s: [Status!], $after: String) { offer(id: $o) {
      candidates(status: $s, first: 1, after: $after) { totalCount
        edges { cursor node { household { reference } verdict { status } } } } } }"""
    page = app.graphql(query, {"o": world.offer, "s": ["INELIGIBLE"]})["offer"]["candidates"]
    assert page["totalCount"] == 2
    first = page["edges"][0]
    nxt = app.graphql(query, {"o": world.offer, "s": ["INELIGIBLE"], "after": first["cursor"]})
    refs = [first["node"]["household"]["reference"]] + [
        e["node"]["household"]["reference"] for e in nxt["offer"]["candidates"]["edges"]
    ]
    assert refs == ["I1", "I2"]
    priority = app.graphql(query, {"o": world.offer, "s": ["PRIORITY"]})["offer"]["candidates"]
    assert [e["node"]["household"]["reference"] for e in priority["edges"]] == ["P"]


# -- the quota as the offer shows it ---------------------------------------------------------------
def test_quota_on_offer_counts_young_residents_at_date(app: ThemaTestApp, world: World) -> None:
    _residents(app, world, ["EMPLOYED", "STUDENT", None])
    parent = household(app, world.association, [young(22, "TRAINING"), young(1, None, role="CHILD")])
    move_in(app, parent, world.t2, world.offer, "2025-06-01")
    query = """query($o: ID!, $on: Date) { offer(id: $o) {
      fjtActivityQuota(date: $on) { residents inActivity unknown share minimum meetsQuota } } }"""
    quota = app.graphql(query, {"o": world.offer})["offer"]["fjtActivityQuota"]
    # The child is not a young resident; the unknown situation decides: 2/4 to 3/4.
    assert quota == {
        "residents": 4,
        "inActivity": 2,
        "unknown": 1,
        "share": 50.0,
        "minimum": 60.0,
        "meetsQuota": None,
    }
    before = app.graphql(query, {"o": world.offer, "on": "2025-03-01"})["offer"]["fjtActivityQuota"]
    assert (before["residents"], before["share"], before["meetsQuota"]) == (3, pytest.approx(33.3333), None)
    empty = app.graphql(query, {"o": world.vivaldi})["offer"]["fjtActivityQuota"]
    assert (empty["residents"], empty["share"], empty["meetsQuota"]) == (0, None, None)
