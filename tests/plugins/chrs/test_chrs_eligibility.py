"""CHRS eligibility through the GraphQL API: every criterion at its boundaries, unknown facts."""

from __future__ import annotations

import pytest

from core import ParameterVersion
from core.testing import ThemaTestApp
from tests.plugins.chrs.kit import (
    FULL_PROFILE,
    TODAY,
    World,
    born,
    build_world,
    codes,
    criterion,
    dated_plugin,
    eligible_household,
    household,
    mutate,
    new_app,
    refer,
    set_profile,
    verdict,
)


def test_adult_eighteenth_birthday_is_adult(app: ThemaTestApp, world: World) -> None:
    hid = eligible_household(app, world, born(18))
    v = verdict(app, hid, world.offer)
    assert v["status"] == "ELIGIBLE"
    adult = criterion(v, "chrs.adult")
    assert (adult["outcome"], adult["value"], adult["threshold"]) == ("SATISFIED", "18", "≥ 18 ans")


def test_adult_day_before_eighteenth_birthday_is_minor(app: ThemaTestApp, world: World) -> None:
    hid = eligible_household(app, world, born(18, days=1))
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INELIGIBLE"
    assert codes(v["failing"]) == ["chrs.adult"]
    assert criterion(v, "chrs.adult")["value"] == "17"


def test_adult_one_adult_with_minor_children_suffices(app: ThemaTestApp, world: World) -> None:
    hid = eligible_household(app, world, born(17), born(18), born(3))
    assert verdict(app, hid, world.offer)["status"] == "ELIGIBLE"


def test_adult_unknown_birth_date_is_incomplete(app: ThemaTestApp, world: World) -> None:
    hid = eligible_household(app, world, None)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INCOMPLETE"
    assert codes(v["missing"]) == ["chrs.adult"]


def test_adult_known_adult_wins_over_unknown_member(app: ThemaTestApp, world: World) -> None:
    hid = eligible_household(app, world, born(30), None)
    assert verdict(app, hid, world.offer)["status"] == "ELIGIBLE"


def test_adult_minor_and_unknown_member_is_incomplete(app: ThemaTestApp, world: World) -> None:
    hid = eligible_household(app, world, born(16), None)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INCOMPLETE"
    assert codes(v["missing"]) == ["chrs.adult"]


def test_adult_offer_override_of_minimum_age(app: ThemaTestApp) -> None:
    w = build_world(app, parameters={"min_adult_age": 21})
    young = eligible_household(app, w, born(21, days=1))
    of_age = eligible_household(app, w, born(21))
    v = verdict(app, young, w.offer)
    assert v["status"] == "INELIGIBLE"
    assert v["parameters"]["overridden"] == ["min_adult_age"]
    assert "+offre(min_adult_age)" in v["parameterVersion"]
    assert verdict(app, of_age, w.offer)["status"] == "ELIGIBLE"


@pytest.mark.parametrize(
    "field",
    ["economicDifficulty", "familyDifficulty", "healthDifficulty", "insertionDifficulty"],
)
def test_difficulty_any_one_kind_suffices(app: ThemaTestApp, world: World, field: str) -> None:
    none = {
        "economicDifficulty": False,
        "familyDifficulty": False,
        "healthDifficulty": False,
        "insertionDifficulty": False,
    }
    hid = eligible_household(app, world, **{**none, field: True})
    v = verdict(app, hid, world.offer)
    assert v["status"] == "ELIGIBLE"
    assert criterion(v, "chrs.difficulty")["value"] == "1"


def test_difficulty_none_is_ineligible(app: ThemaTestApp, world: World) -> None:
    hid = eligible_household(app, world, economicDifficulty=False)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INELIGIBLE"
    assert codes(v["failing"]) == ["chrs.difficulty"]


def test_difficulty_partly_assessed_is_incomplete(app: ThemaTestApp, world: World) -> None:
    hid = eligible_household(app, world, economicDifficulty=False, healthDifficulty=None)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INCOMPLETE"
    assert codes(v["missing"]) == ["chrs.difficulty"]
    assert "de santé" in criterion(v, "chrs.difficulty")["message"]


def test_profile_missing_names_every_unknown_fact(app: ThemaTestApp, world: World) -> None:
    hid = household(app, world.association, born(40))
    refer(app, hid, world.offer, world.siao)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INCOMPLETE"
    assert codes(v["missing"], priority=True) == [
        "chrs.difficulty",
        "chrs.needs_support",
        "chrs.violence_victim",
    ]
    assert v["failing"] == []


def test_needs_support_false_is_ineligible(app: ThemaTestApp, world: World) -> None:
    hid = eligible_household(app, world, needsSupportBeforeHousing=False)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INELIGIBLE"
    assert codes(v["failing"]) == ["chrs.needs_support"]


def test_needs_support_unknown_is_incomplete(app: ThemaTestApp, world: World) -> None:
    hid = eligible_household(app, world, needsSupportBeforeHousing=None)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INCOMPLETE"
    assert codes(v["missing"]) == ["chrs.needs_support"]


def test_referral_missing_is_incomplete(app: ThemaTestApp, world: World) -> None:
    hid = household(app, world.association, born(40))
    set_profile(app, hid, **FULL_PROFILE)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INCOMPLETE"
    assert codes(v["missing"]) == ["chrs.referral"]
    assert "SIAO" in criterion(v, "chrs.referral")["message"]


def test_referral_by_non_institution_is_incomplete(app: ThemaTestApp, world: World) -> None:
    hid = household(app, world.association, born(40))
    set_profile(app, hid, **FULL_PROFILE)
    refer(app, hid, world.offer, world.other)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INCOMPLETE"
    assert codes(v["missing"]) == ["chrs.referral"]


def test_referral_refused_no_longer_counts(app: ThemaTestApp, world: World) -> None:
    hid = household(app, world.association, born(40))
    set_profile(app, hid, **FULL_PROFILE)
    ref = refer(app, hid, world.offer, world.siao)
    assert verdict(app, hid, world.offer)["status"] == "ELIGIBLE"
    mutate(
        app,
        "decideReferral",
        {"referralId": ref, "decision": "REFUSED", "decidedOn": "2025-12-15", "reason": "Complet"},
        "referral { id }",
    )
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INCOMPLETE"
    assert codes(v["missing"]) == ["chrs.referral"]


def test_referral_admitted_counts(app: ThemaTestApp, world: World) -> None:
    hid = eligible_household(app, world)
    ref = app.graphql("query($id: ID!) { household(id: $id) { referrals { id } } }", {"id": hid})[
        "household"
    ]["referrals"]
    refs = ref["nodes"] if isinstance(ref, dict) else ref
    mutate(
        app,
        "decideReferral",
        {"referralId": refs[0]["id"], "decision": "ADMITTED", "decidedOn": "2025-12-10"},
        "referral { id }",
    )
    v = verdict(app, hid, world.offer)
    assert v["status"] == "ELIGIBLE"
    assert criterion(v, "chrs.referral")["value"] == "admitted"


def test_referral_to_another_offer_does_not_count(app: ThemaTestApp, world: World) -> None:
    second = mutate(
        app,
        "createOffer",
        {
            "scheme": "chrs",
            "name": "CHRS bis",
            "landlordId": world.landlord,
            "managerId": world.association,
            "siteId": world.site,
            "capacity": 3,
            "startDate": "2020-01-01",
        },
        "offer { id }",
    )["offer"]["id"]
    hid = household(app, world.association, born(40))
    set_profile(app, hid, **FULL_PROFILE)
    refer(app, hid, second, world.siao)
    assert verdict(app, hid, world.offer)["status"] == "INCOMPLETE"
    assert verdict(app, hid, second)["status"] == "ELIGIBLE"


def test_referral_after_reference_date_is_ignored(app: ThemaTestApp, world: World) -> None:
    hid = household(app, world.association, born(40))
    set_profile(app, hid, **FULL_PROFILE)
    refer(app, hid, world.offer, world.siao, on="2025-12-20")
    assert verdict(app, hid, world.offer, on="2025-12-19")["status"] == "INCOMPLETE"
    assert verdict(app, hid, world.offer, on="2025-12-20")["status"] == "ELIGIBLE"


def test_referral_not_required_when_offer_overrides(app: ThemaTestApp) -> None:
    w = build_world(app, parameters={"requires_referral": False})
    hid = household(app, w.association, born(40))
    set_profile(app, hid, **FULL_PROFILE)
    v = verdict(app, hid, w.offer)
    assert v["status"] == "ELIGIBLE"
    assert criterion(v, "chrs.referral")["threshold"] == "non requise"
    assert v["parameters"]["values"]["requires_referral"] is False


def test_scheme_verdict_without_offer_accepts_any_chrs_referral(app: ThemaTestApp, world: World) -> None:
    hid = eligible_household(app, world)
    v = verdict(app, hid)
    assert v["status"] == "ELIGIBLE"
    assert v["parameterVersion"] == "chrs@2019-11-14"
    lonely = household(app, world.association, born(40))
    set_profile(app, lonely, **FULL_PROFILE)
    assert verdict(app, lonely)["status"] == "INCOMPLETE"


def test_violence_victim_is_priority(app: ThemaTestApp, world: World) -> None:
    hid = eligible_household(app, world, domesticViolenceVictim=True)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "PRIORITY"
    assert criterion(v, "chrs.violence_victim")["kind"] == "PRIORITY"


def test_violence_victim_does_not_override_a_failed_requirement(app: ThemaTestApp, world: World) -> None:
    hid = eligible_household(app, world, born(17), domesticViolenceVictim=True)
    assert verdict(app, hid, world.offer)["status"] == "INELIGIBLE"
    other = eligible_household(app, world, domesticViolenceVictim=True, needsSupportBeforeHousing=None)
    assert verdict(app, other, world.offer)["status"] == "INCOMPLETE"


def test_violence_unknown_leaves_status_eligible(app: ThemaTestApp, world: World) -> None:
    hid = eligible_household(app, world, domesticViolenceVictim=None)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "ELIGIBLE"
    assert criterion(v, "chrs.violence_victim")["outcome"] == "UNKNOWN"


def test_dated_parameters_keep_earlier_verdicts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    plugin = dated_plugin(ParameterVersion(TODAY.replace(year=2027), {"requires_referral": False}, "Test"))
    app = new_app(tmp_path, plugin=plugin)
    try:
        w = build_world(app)
        hid = household(app, w.association, born(40))
        set_profile(app, hid, **FULL_PROFILE)
        before = verdict(app, hid, w.offer, on="2026-12-31")
        after = verdict(app, hid, w.offer, on="2027-01-01")
        assert (before["status"], before["parameterVersion"]) == ("INCOMPLETE", "chrs@2019-11-14")
        assert (after["status"], after["parameterVersion"]) == ("ELIGIBLE", "chrs@2027-01-01")
        assert before["referenceDate"] == "2026-12-31"
    finally:
        app.close()


def test_candidates_filtered_by_status(app: ThemaTestApp, world: World) -> None:
    eligible_household(app, world)
    eligible_household(app, world, domesticViolenceVictim=True)
    eligible_household(app, world, economicDifficulty=False)
    household(app, world.association, born(50))
    q = (
        "query($id: ID!, $s: [Status!]) { offer(id: $id) { candidates(status: $s, first: 10) "
        "{ totalCount edges { node { verdict { status } } } } } }"
    )
    counts = {
        s: app.graphql(q, {"id": world.offer, "s": [s]})["offer"]["candidates"]["totalCount"]
        for s in ("PRIORITY", "ELIGIBLE", "INELIGIBLE", "INCOMPLETE")
    }
    assert counts == {"PRIORITY": 1, "ELIGIBLE": 1, "INELIGIBLE": 1, "INCOMPLETE": 1}
    everyone = app.graphql(q, {"id": world.offer, "s": None})["offer"]["candidates"]
    assert everyone["totalCount"] == 4
