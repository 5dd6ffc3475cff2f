"""ASR targeting rule through the GraphQL API: tenant, isolated, precarity or suspected troubles."""

from __future__ import annotations

import pytest

from core.testing import ThemaTestApp
from tests.plugins.asr.kit import World, codes, criterion, identified, tenant, verdict


def test_isolated_tenant_in_great_precarity_is_eligible(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.landlord, world.units[0])
    identified(app, hid, precarity=True, troubles=False)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "ELIGIBLE"
    assert [c["outcome"] for c in v["criteria"]] == ["SATISFIED"] * 3
    assert v["parameterVersion"] == "asr@2019-05-01"


def test_suspected_troubles_alone_suffice(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.landlord, world.units[0])
    identified(app, hid, precarity=False, troubles=True)
    assert verdict(app, hid, world.offer)["status"] == "ELIGIBLE"


def test_vulnerability_message_does_not_reveal_which_fact(app: ThemaTestApp, world: World) -> None:
    a = tenant(app, world.landlord, world.units[0])
    b = tenant(app, world.landlord, world.units[1])
    identified(app, a, precarity=True, troubles=False)
    identified(app, b, precarity=False, troubles=True)
    ca = criterion(verdict(app, a, world.offer), "asr.vulnerability")
    cb = criterion(verdict(app, b, world.offer), "asr.vulnerability")
    assert (ca["message"], ca["value"]) == (cb["message"], cb["value"])


def test_neither_precarity_nor_troubles_is_ineligible(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.landlord, world.units[0])
    identified(app, hid, precarity=False, troubles=False)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INELIGIBLE"
    assert codes(v["failing"]) == ["asr.vulnerability"]


@pytest.mark.parametrize(("precarity", "troubles"), [(False, None), (None, False), (None, None)])
def test_vulnerability_unknown_is_incomplete(
    app: ThemaTestApp, world: World, precarity: bool | None, troubles: bool | None
) -> None:
    hid = tenant(app, world.landlord, world.units[0])
    identified(app, hid, precarity=precarity, troubles=troubles)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INCOMPLETE"
    assert codes(v["missing"]) == ["asr.vulnerability"]


def test_not_identified_is_incomplete(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.landlord, world.units[0])
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INCOMPLETE"
    assert codes(v["missing"]) == ["asr.vulnerability"]


def test_known_precarity_wins_over_unknown_troubles(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.landlord, world.units[0])
    identified(app, hid, precarity=True, troubles=None)
    assert verdict(app, hid, world.offer)["status"] == "ELIGIBLE"


def test_not_isolated_is_ineligible(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.landlord, world.units[0], isolated=False, spouse=True)
    identified(app, hid)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INELIGIBLE"
    assert codes(v["failing"]) == ["asr.isolated"]


def test_isolation_unknown_is_incomplete(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.landlord, world.units[0], isolated=None)
    identified(app, hid)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INCOMPLETE"
    assert codes(v["missing"]) == ["asr.isolated"]


def test_tenant_of_another_landlord_is_ineligible(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.other_landlord, world.foreign_unit)
    identified(app, hid)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INELIGIBLE"
    assert codes(v["failing"]) == ["asr.tenant"]


def test_household_without_dwelling_is_not_a_tenant(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.landlord, None)
    identified(app, hid)
    v = verdict(app, hid, world.offer)
    assert v["status"] == "INELIGIBLE"
    assert codes(v["failing"]) == ["asr.tenant"]


def test_tenancy_is_checked_at_the_reference_date(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.landlord, world.units[0], start="2020-03-01", end="2024-06-30")
    identified(app, hid)
    assert verdict(app, hid, world.offer, on="2020-02-29")["status"] == "INELIGIBLE"
    assert verdict(app, hid, world.offer, on="2020-03-01")["status"] == "ELIGIBLE"
    assert verdict(app, hid, world.offer, on="2024-06-30")["status"] == "ELIGIBLE"
    assert verdict(app, hid, world.offer, on="2024-07-01")["status"] == "INELIGIBLE"


def test_scheme_verdict_without_offer(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.other_landlord, world.foreign_unit)
    identified(app, hid)
    # Without an offer there is no landlord to compare with: any tenancy counts.
    assert verdict(app, hid)["status"] == "ELIGIBLE"


def test_candidates_are_the_landlords_tenants_by_status(app: ThemaTestApp, world: World) -> None:
    ok = tenant(app, world.landlord, world.units[0], reference="A")
    identified(app, ok)
    couple = tenant(app, world.landlord, world.units[1], isolated=False, spouse=True, reference="B")
    identified(app, couple)
    tenant(app, world.landlord, world.units[2], reference="C")
    outsider = tenant(app, world.other_landlord, world.foreign_unit, reference="D")
    identified(app, outsider)
    q = (
        "query($id: ID!, $s: [Status!]) { offer(id: $id) { candidates(status: $s, first: 10) "
        "{ totalCount edges { node { household { reference } } } } } }"
    )
    got = {
        s: [
            e["node"]["household"]["reference"]
            for e in app.graphql(q, {"id": world.offer, "s": [s]})["offer"]["candidates"]["edges"]
        ]
        for s in ("ELIGIBLE", "INELIGIBLE", "INCOMPLETE", "PRIORITY")
    }
    # The other landlord's tenant is not in Sia Habitat's targeting list at all.
    assert got == {"ELIGIBLE": ["A"], "INELIGIBLE": ["B"], "INCOMPLETE": ["C"], "PRIORITY": []}
