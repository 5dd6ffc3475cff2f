"""Who sees what, over HTTP: authentication, scope by organisation and partnership, roles, audit."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest
from sqlalchemy import text

from core.testing import ThemaTestApp
from tests.core.conftest import mutate

NODE_IDS = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"


@dataclass
class World:
    """Two landlords, an association running one of L's offers, an institution, their tokens."""

    app: ThemaTestApp
    ids: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    visible: dict[str, set[str]] = field(default_factory=dict)

    def q(self, who: str, query: str, variables: dict | None = None) -> dict:  # type: ignore[type-arg]
        return self.app.graphql_raw(query, variables, token=self.tokens[who])


def _org(app: ThemaTestApp, name: str, kind: str) -> str:
    return mutate(
        app,
        "createOrganisation",
        "CreateOrganisationInput",
        {"name": name, "kind": kind},
        "organisation { id }",
    )["organisation"]["id"]  # type: ignore[no-any-return]


def _household(app: ThemaTestApp, owner: str, ref: str) -> tuple[str, str]:
    h = mutate(
        app,
        "createHousehold",
        "CreateHouseholdInput",
        {
            "organisationId": owner,
            "reference": ref,
            "members": [{"firstName": "Camille", "lastName": "Martin", "birthDate": "1999-04-01"}],
        },
        "household { id members { id } }",
    )["household"]
    return h["id"], h["members"][0]["id"]


@pytest.fixture
def world(sample_app: ThemaTestApp) -> World:
    app, w = sample_app, World(sample_app)
    ids = w.ids
    ids["L"], ids["M"] = _org(app, "Bailleur L", "LANDLORD"), _org(app, "Bailleur M", "LANDLORD")
    ids["A"], ids["I"] = _org(app, "Association A", "ASSOCIATION"), _org(app, "SIAO I", "INSTITUTION")
    for landlord in ("L", "M"):
        ids[f"site{landlord}"] = mutate(
            app,
            "createSite",
            "CreateSiteInput",
            {"organisationId": ids[landlord], "name": f"Résidence {landlord}", "commune": "Soissons"},
            "site { id }",
        )["site"]["id"]
        ids[f"unit{landlord}"] = mutate(
            app,
            "createUnit",
            "CreateUnitInput",
            {"siteId": ids[f"site{landlord}"], "label": "1", "typology": "T1"},
            "unit { id }",
        )["unit"]["id"]
        ids[f"unit{landlord}2"] = mutate(
            app,
            "createUnit",
            "CreateUnitInput",
            {"siteId": ids[f"site{landlord}"], "label": "2", "typology": "T2"},
            "unit { id }",
        )["unit"]["id"]
    mutate(
        app,
        "enableScheme",
        "EnableSchemeInput",
        {"organisationId": ids["L"], "scheme": "sample", "enabledOn": "2020-01-01"},
        "enablement { scheme }",
    )
    ids["offer"] = mutate(
        app,
        "createOffer",
        "CreateOfferInput",
        {
            "scheme": "sample",
            "name": "Offre de L gérée par A",
            "landlordId": ids["L"],
            "managerId": ids["A"],
            "siteId": ids["siteL"],
            "capacity": 2,
            "startDate": "2020-01-01",
            "unitIds": [ids["unitL"]],
        },
        "offer { id }",
    )["offer"]["id"]
    mutate(
        app,
        "createPartnership",
        "CreatePartnershipInput",
        {
            "organisationId": ids["L"],
            "partnerId": ids["A"],
            "role": "MANAGES_OFFER",
            "scope": "OFFERS",
            "offerIds": [ids["offer"]],
            "startDate": "2020-01-01",
        },
        "partnership { id }",
    )
    mutate(
        app,
        "createPartnership",
        "CreatePartnershipInput",
        {
            "organisationId": ids["L"],
            "partnerId": ids["I"],
            "role": "REFERS",
            "scope": "OFFERS",
            "offerIds": [ids["offer"]],
            "startDate": "2020-01-01",
        },
        "partnership { id }",
    )
    for who in ("L", "M", "A", "I"):
        ids[f"h{who}"], ids[f"p{who}"] = _household(app, ids[who], f"REF-{who}")
    mutate(
        app,
        "startOccupancy",
        "StartOccupancyInput",
        {"householdId": ids["hL"], "unitId": ids["unitL2"], "startDate": "2021-01-01"},
        "occupancy { id }",
    )
    ids["occA"] = mutate(
        app,
        "startOccupancy",
        "StartOccupancyInput",
        {
            "householdId": ids["hA"],
            "unitId": ids["unitL"],
            "offerId": ids["offer"],
            "startDate": "2021-01-01",
        },
        "occupancy { id }",
    )["occupancy"]["id"]
    mutate(
        app,
        "startOccupancy",
        "StartOccupancyInput",
        {"householdId": ids["hM"], "unitId": ids["unitM"], "startDate": "2021-01-01"},
        "occupancy { id }",
    )
    for who, role in (("L", "ADMIN"), ("M", "VIEWER"), ("A", "STAFF"), ("I", "STAFF")):
        w.tokens[who] = app.create_token(ids[who], role.lower())
    w.tokens["Lview"] = app.create_token(ids["L"], "viewer")
    w.tokens["Laudit"] = app.create_token(ids["L"], "auditor")
    # Hand-written oracle: what each caller's node(id) may return (everything else must be null).
    w.visible = {
        "L": {ids[k] for k in ("L", "A", "I", "siteL", "unitL", "unitL2", "offer", "hL", "pL")},
        "M": {ids[k] for k in ("M", "siteM", "unitM", "unitM2", "hM", "pM")},
        "A": {ids[k] for k in ("A", "L", "siteL", "unitL", "unitL2", "offer", "hA", "pA", "occA")},
        "I": {ids[k] for k in ("I", "L", "A", "siteL", "unitL", "unitL2", "offer", "hI", "pI")},
    }
    return w


def test_unauthenticated_requests_get_401_before_the_query_is_read(sample_app: ThemaTestApp) -> None:
    for token in (None, "thema_nope_nope", "not-a-token"):
        r = sample_app.request("POST", "/graphql", content=b"{not even json", token=token)
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert sample_app.request("GET", "/healthz", token=None).status_code == 200


def test_revoked_token_is_refused(sample_app: ThemaTestApp) -> None:
    from core.auth import revoke_token

    org = _org(sample_app, "Bailleur", "LANDLORD")
    token = sample_app.create_token(org, "viewer")
    assert (
        sample_app.graphql_raw("{ organisations { totalCount } }", token=token)["data"]["organisations"][
            "totalCount"
        ]
        == 1
    )
    with sample_app.session() as s:
        assert revoke_token(s, token) == 1
    assert (
        sample_app.request("POST", "/graphql", json={"query": "{ __typename }"}, token=token).status_code
        == 401
    )


def test_each_organisation_sees_only_its_own_and_granted_rows(world: World) -> None:
    everything = list(dict.fromkeys(world.ids.values()))
    for who, expected in world.visible.items():
        found = {n["id"] for n in world.q(who, NODE_IDS, {"ids": everything})["data"]["nodes"] if n}
        assert found == expected, who
    lists = "{ organisations { totalCount } sites { totalCount } offers { totalCount } households { totalCount nodes { reference } } }"
    m = world.q("M", lists)["data"]
    assert m["households"]["nodes"] == [{"reference": "REF-M"}] and m["offers"]["totalCount"] == 0
    a = world.q("A", lists)["data"]
    assert sorted(n["reference"] for n in a["households"]["nodes"]) == ["REF-A"]


def test_households_of_an_organisation_are_its_callers_own_files_only(world: World) -> None:
    """``households(organisationId:)``: an organisation's users read all of its own files (the
    page needs no access condition), auditors none, and another organisation only what it may."""
    q = "query($o: ID) { households(organisationId: $o) { totalCount nodes { reference } } }"
    own = world.q("L", q, {"o": world.ids["L"]})["data"]["households"]
    assert [n["reference"] for n in own["nodes"]] == ["REF-L"] and own["totalCount"] == 1
    assert world.q("Lview", q, {"o": world.ids["L"]})["data"]["households"]["nodes"] == own["nodes"]
    audit = world.q("Laudit", q, {"o": world.ids["L"]})["data"]["households"]
    assert audit == {"totalCount": 0, "nodes": []}
    for who, org in (("M", "L"), ("A", "L"), ("I", "L"), ("L", "M")):
        other = world.q(who, q, {"o": world.ids[org]})["data"]["households"]
        assert other == {"totalCount": 0, "nodes": []}, (who, org)


def test_landlord_sees_offer_occupancy_not_residents_until_granted(world: World) -> None:
    q = 'query($o: ID!) { offer(id: $o) { occupancy(date: "2022-01-01") { occupied } residents(date: "2022-01-01") { totalCount } indicators(from: "2021-01-01", to: "2022-12-31") { value households { totalCount } } } }'
    before = world.q("L", q, {"o": world.ids["offer"]})["data"]["offer"]
    assert before["occupancy"]["occupied"] == 1 and before["indicators"][0]["value"] == 1
    assert before["residents"]["totalCount"] == 0 and before["indicators"][0]["households"]["totalCount"] == 0
    grant = {
        "organisationId": world.ids["A"],
        "partnerId": world.ids["L"],
        "role": "PROVIDES_SUPPORT",
        "scope": "OFFERS",
        "offerIds": [world.ids["offer"]],
        "grantsResidentFiles": True,
        "startDate": "2020-01-01",
    }
    out = world.app.graphql_raw(
        "mutation($i: CreatePartnershipInput!) { createPartnership(input: $i) { userErrors { code } } }",
        {"i": grant},
        token=world.tokens["A"],
    )
    assert out["data"]["createPartnership"]["userErrors"] == []
    after = world.q("L", q, {"o": world.ids["offer"]})["data"]["offer"]
    assert after["residents"]["totalCount"] == 1 and after["indicators"][0]["households"]["totalCount"] == 1


def test_confidential_household_stays_hidden_from_a_granted_landlord(world: World) -> None:
    ids = world.ids
    assert (
        world.app.graphql_raw(
            "mutation($i: UpdateHouseholdInput!) { updateHousehold(input: $i) { userErrors { code } } }",
            {"i": {"id": ids["hA"], "confidential": True}},
            token=world.tokens["A"],
        )["data"]["updateHousehold"]["userErrors"]
        == []
    )
    world.app.graphql_raw(
        "mutation($i: CreatePartnershipInput!) { createPartnership(input: $i) { userErrors { code } } }",
        {
            "i": {
                "organisationId": ids["A"],
                "partnerId": ids["L"],
                "role": "PROVIDES_SUPPORT",
                "grantsResidentFiles": True,
                "startDate": "2020-01-01",
            }
        },
        token=world.tokens["A"],
    )
    assert (
        world.q("L", "query($h: ID!) { household(id: $h) { id } }", {"h": ids["hA"]})["data"]["household"]
        is None
    )
    permitted = world.app.create_token(ids["L"], "staff", ["households.confidential"])
    seen = world.app.graphql_raw(
        "query($h: ID!) { household(id: $h) { reference } }", {"h": ids["hA"]}, token=permitted
    )
    assert seen["data"]["household"] == {"reference": "REF-A"}
    assert world.q("A", "query($h: ID!) { household(id: $h) { reference } }", {"h": ids["hA"]})["data"][
        "household"
    ] == {"reference": "REF-A"}


def test_institution_refers_and_follows_the_decision_only(world: World) -> None:
    ids = world.ids
    ref = world.q(
        "I",
        "mutation($i: CreateReferralInput!) { createReferral(input: $i) { referral { id decision } userErrors { code } } }",
        {
            "i": {
                "householdId": ids["hI"],
                "offerId": ids["offer"],
                "proposerId": ids["I"],
                "proposedOn": "2023-01-02",
            }
        },
    )["data"]["createReferral"]
    assert ref["userErrors"] == [] and ref["referral"]["decision"] == "PENDING"
    decided = world.q(
        "A",
        "mutation($i: DecideReferralInput!) { decideReferral(input: $i) { referral { decision } userErrors { code } } }",
        {"i": {"referralId": ref["referral"]["id"], "decision": "ADMITTED", "decidedOn": "2023-01-10"}},
    )
    assert decided["data"]["decideReferral"]["referral"] == {"decision": "ADMITTED"}
    follow = world.q(
        "I", "query($h: ID!) { household(id: $h) { referrals { decision decidedOn } } }", {"h": ids["hI"]}
    )
    assert follow["data"]["household"]["referrals"] == [{"decision": "ADMITTED", "decidedOn": "2023-01-10"}]
    # The manager now sees the referred household (it is its applicant), the institution nothing else.
    assert world.q("A", "query($h: ID!) { household(id: $h) { reference } }", {"h": ids["hI"]})["data"][
        "household"
    ] == {"reference": "REF-I"}
    assert (
        world.q(
            "I",
            'query($o: ID!) { offer(id: $o) { residents(date: "2022-01-01") { totalCount } } }',
            {"o": ids["offer"]},
        )["data"]["offer"]["residents"]["totalCount"]
        == 0
    )


def test_denied_reference_answers_exactly_like_a_missing_one(world: World) -> None:
    q = "mutation($i: AddPersonInput!) { addPerson(input: $i) { person { id } userErrors { field code message } } }"
    person = {"firstName": "X", "lastName": "Y"}
    staff = world.app.create_token(world.ids["M"], "staff")
    hidden = world.app.graphql_raw(q, {"i": {"householdId": world.ids["hL"], "person": person}}, token=staff)
    missing = world.app.graphql_raw(
        q, {"i": {"householdId": "SG91c2Vob2xkOjk5OTk5", "person": person}}, token=staff
    )
    assert hidden == missing
    assert hidden["data"]["addPerson"]["userErrors"][0]["code"] == "NOT_FOUND"


def test_viewers_cannot_write_and_nobody_writes_for_another_organisation(world: World) -> None:
    create_site = (
        "mutation($i: CreateSiteInput!) { createSite(input: $i) { site { id } userErrors { field code } } }"
    )
    refused = world.q(
        "Lview", create_site, {"i": {"organisationId": world.ids["L"], "name": "X", "commune": "Y"}}
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN" and not refused.get("data")
    other = world.q("A", create_site, {"i": {"organisationId": world.ids["L"], "name": "X", "commune": "Y"}})
    assert other["data"]["createSite"]["userErrors"] == [{"field": "organisationId", "code": "FORBIDDEN"}]
    count = world.q("L", "{ sites { totalCount } }")["data"]["sites"]["totalCount"]
    assert count == 1


def test_sensitive_field_needs_its_permission_and_every_read_is_audited(world: World) -> None:
    q = "query($h: ID!) { household(id: $h) { reference sampleGreeting } }"
    plain = world.q("A", q, {"h": world.ids["hA"]})
    assert plain["data"]["household"] == {"reference": "REF-A", "sampleGreeting": None}
    (redaction,) = plain["extensions"]["redacted"]
    assert redaction["path"] == ["household", "sampleGreeting"] and redaction["permission"] == "sample.social"
    permitted = world.app.create_token(world.ids["A"], "staff", ["sample.social"])
    for _ in range(2):
        seen = world.app.graphql_raw(q, {"h": world.ids["hA"]}, token=permitted)
        assert seen["data"]["household"]["sampleGreeting"] == "bonjour REF-A"
    with world.app.session() as s:
        reads = s.execute(
            text("SELECT household_id, field, owner_id FROM audit_event WHERE action = 'read_sensitive'")
        ).all()
    assert len(reads) == 2 and {r.field for r in reads} == {"sample_greeting"}


def test_mutations_are_audited_and_the_log_is_append_only(world: World) -> None:
    out = world.q(
        "L",
        "mutation($i: UpdateSiteInput!) { updateSite(input: $i) { site { name } userErrors { code } } }",
        {"i": {"id": world.ids["siteL"], "name": "Vivaldi"}},
    )
    assert out["data"]["updateSite"]["site"] == {"name": "Vivaldi"}
    events = world.q(
        "Laudit", "{ auditEvents(first: 100) { totalCount nodes { action objectType fields actor } } }"
    )["data"]["auditEvents"]
    updates = [e for e in events["nodes"] if e["action"] == "update" and e["objectType"] == "Site"]
    assert updates and "name" in updates[-1]["fields"] and updates[-1]["actor"].startswith("token:")
    assert world.q("A", "{ auditEvents { totalCount } }")["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    with world.app.session() as s, pytest.raises(Exception, match="append-only"):
        s.execute(text("UPDATE audit_event SET actor = 'x'"))


def test_randomised_cross_organisation_probes_leak_nothing(world: World) -> None:
    rng = random.Random(20261121)
    pool = [*list(dict.fromkeys(world.ids.values())), "SG91c2Vob2xkOjk5OQ", "T2ZmZXI6NDI", "bogus"]
    attempts = 0
    for _ in range(110):
        who = rng.choice(list(world.visible))
        ids = [rng.choice(pool) for _ in range(100)]
        nodes = world.q(who, NODE_IDS, {"ids": ids})["data"]["nodes"]
        for asked, got in zip(ids, nodes, strict=True):
            attempts += 1
            assert (got is not None) == (asked in world.visible[who]), (who, asked)
    assert attempts >= 10_000
