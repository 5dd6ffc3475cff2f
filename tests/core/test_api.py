"""The core GraphQL API over HTTP: relay ids, connections, mutations and their user errors."""

from __future__ import annotations

from core.testing import ThemaTestApp
from tests.core.conftest import build_graph, household, mutate


def test_node_refetches_every_core_type(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    for gid, typename in (
        (g.landlord, "Organisation"),
        (g.site, "Site"),
        (g.units[0], "Unit"),
        (g.offer, "Offer"),
    ):
        data = sample_app.graphql("query($id: ID!) { node(id: $id) { __typename id } }", {"id": gid})
        assert data["node"] == {"__typename": typename, "id": gid}


def test_node_unknown_or_malformed_id_is_null(sample_app: ThemaTestApp) -> None:
    build_graph(sample_app)
    for gid in ("T3JnYW5pc2F0aW9uOjk5OTk", "not-an-id", "U2l0ZTox"[:-1]):
        assert sample_app.graphql("query($id: ID!) { node(id: $id) { id } }", {"id": gid})["node"] is None
    # A site id asked as a household is missing, not another object.
    g = build_graph(sample_app)
    assert (
        sample_app.graphql("query($id: ID!) { household(id: $id) { id } }", {"id": g.site})["household"]
        is None
    )


def test_connection_pages_with_cursors_and_total(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app, units=5)
    q = "query($id: ID!, $after: String) { site(id: $id) { units(first: 2, after: $after) { totalCount edges { cursor node { label } } pageInfo { hasNextPage hasPreviousPage endCursor } } } }"
    labels, after, pages = [], None, 0
    while True:
        conn = sample_app.graphql(q, {"id": g.site, "after": after})["site"]["units"]
        assert conn["totalCount"] == 5
        labels += [e["node"]["label"] for e in conn["edges"]]
        pages += 1
        after = conn["pageInfo"]["endCursor"]
        if not conn["pageInfo"]["hasNextPage"]:
            break
    assert labels == ["A0", "A1", "A2", "A3", "A4"]
    assert pages == 3


def test_connection_refuses_first_above_cap(sample_app: ThemaTestApp) -> None:
    build_graph(sample_app)
    for first in (101, 1_000_000, -1):
        answer = sample_app.graphql_raw(f"{{ organisations(first: {first}) {{ totalCount }} }}")
        assert answer["errors"][0]["extensions"]["code"] == "PAGE_SIZE"
    assert (
        sample_app.graphql("{ organisations(first: 100) { totalCount } }")["organisations"]["totalCount"] == 2
    )


def test_create_site_reports_every_bad_field_and_writes_nothing(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    answer = sample_app.graphql(
        'mutation($o: ID!) { createSite(input: {organisationId: $o, name: " ", commune: "Chauny", postcode: "2300"}) { site { id } userErrors { field code message } } }',
        {"o": g.landlord},
    )["createSite"]
    assert answer["site"] is None
    assert {(e["field"], e["code"]) for e in answer["userErrors"]} == {
        ("name", "REQUIRED"),
        ("postcode", "INVALID_FORMAT"),
    }
    assert all(e["message"] for e in answer["userErrors"])
    assert (
        sample_app.graphql(
            "query($o: ID!) { organisation(id: $o) { sites { totalCount } } }", {"o": g.landlord}
        )["organisation"]["sites"]["totalCount"]
        == 1
    )


def test_site_needs_a_landlord(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    errors = sample_app.graphql(
        'mutation($o: ID!) { createSite(input: {organisationId: $o, name: "X", commune: "Y"}) { userErrors { field code } } }',
        {"o": g.association},
    )["createSite"]["userErrors"]
    assert errors == [{"field": "organisationId", "code": "NOT_A_LANDLORD"}]


def test_reference_to_missing_or_wrong_type_is_refused(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    errs = sample_app.graphql(
        'mutation($s: ID!) { createUnit(input: {siteId: $s, label: "B", typology: T2}) { userErrors { field code } } }',
        {"s": g.landlord},
    )["createUnit"]["userErrors"]
    assert errs == [{"field": "siteId", "code": "INVALID_ID"}]
    errs = sample_app.graphql(
        'mutation { createUnit(input: {siteId: "U2l0ZTo5OTk", label: "B", typology: T2}) { userErrors { field code } } }'
    )["createUnit"]["userErrors"]
    assert errs == [{"field": "siteId", "code": "NOT_FOUND"}]


def test_offer_needs_installed_and_enabled_scheme(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    q = 'mutation($l: ID!, $s: String!) { createOffer(input: {scheme: $s, name: "O", landlordId: $l, managerId: $l, startDate: "2021-01-01"}) { offer { id } userErrors { field code } } }'
    assert sample_app.graphql(q, {"l": g.landlord, "s": "nope"})["createOffer"]["userErrors"] == [
        {"field": "scheme", "code": "SCHEME_NOT_INSTALLED"}
    ]
    mutate(
        sample_app,
        "disableScheme",
        "DisableSchemeInput",
        {"organisationId": g.landlord, "scheme": "sample", "disabledOn": "2021-01-01"},
        "enablement { disabledOn }",
    )
    assert sample_app.graphql(q, {"l": g.landlord, "s": "sample"})["createOffer"]["userErrors"] == [
        {"field": "scheme", "code": "SCHEME_NOT_ENABLED"}
    ]


def test_offer_parameters_are_checked_against_the_scheme(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    q = 'mutation($l: ID!, $p: JSON) { createOffer(input: {scheme: "sample", name: "O", landlordId: $l, managerId: $l, startDate: "2021-01-01", parameters: $p}) { offer { parameters } userErrors { field code } } }'
    bad = sample_app.graphql(q, {"l": g.landlord, "p": {"max_age": "old", "colour": 1}})["createOffer"]
    assert {(e["field"], e["code"]) for e in bad["userErrors"]} == {
        ("parameters.max_age", "INVALID_PARAMETER"),
        ("parameters.colour", "UNKNOWN_PARAMETER"),
    }
    good = sample_app.graphql(q, {"l": g.landlord, "p": {"max_age": 29}})["createOffer"]
    assert good["offer"]["parameters"] == {"max_age": 29}


def test_dates_in_order_and_plausible_ages(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    bad = sample_app.graphql(
        'mutation($o: ID!) { createHousehold(input: {organisationId: $o, reference: "R", members: [{firstName: "A", lastName: "B", birthDate: "1850-01-01"}, {firstName: "C", lastName: "D", birthDate: "2999-01-01"}]}) { household { id } userErrors { field code } } }',
        {"o": g.landlord},
    )["createHousehold"]
    assert {(e["field"], e["code"]) for e in bad["userErrors"]} == {
        ("members.0.birthDate", "IMPLAUSIBLE_AGE"),
        ("members.1.birthDate", "IN_FUTURE"),
    }
    hid = household(sample_app, g.landlord, "1990-05-01")
    occ = mutate(
        sample_app,
        "startOccupancy",
        "StartOccupancyInput",
        {"householdId": hid, "unitId": g.units[0], "offerId": g.offer, "startDate": "2022-01-01"},
        "occupancy { id }",
    )["occupancy"]["id"]
    errs = sample_app.graphql(
        'mutation($id: ID!) { endOccupancy(input: {occupancyId: $id, endDate: "2021-12-31"}) { userErrors { field code } } }',
        {"id": occ},
    )["endOccupancy"]["userErrors"]
    assert errs == [{"field": "endDate", "code": "DATE_ORDER"}]


def test_household_cannot_occupy_two_units_at_once(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    hid = household(sample_app, g.landlord, "1990-05-01")
    mutate(
        sample_app,
        "startOccupancy",
        "StartOccupancyInput",
        {"householdId": hid, "unitId": g.units[0], "startDate": "2022-01-01"},
        "occupancy { id }",
    )
    errs = sample_app.graphql(
        'mutation($h: ID!, $u: ID!) { startOccupancy(input: {householdId: $h, unitId: $u, startDate: "2023-01-01"}) { userErrors { field code } } }',
        {"h": hid, "u": g.units[1]},
    )["startOccupancy"]["userErrors"]
    assert errs == [{"field": "householdId", "code": "OVERLAPPING_OCCUPANCY"}]


def test_stale_version_is_refused(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    q = "mutation($id: ID!, $v: Int, $n: String) { updateSite(input: {id: $id, version: $v, name: $n}) { site { name version } userErrors { field code } } }"
    first = sample_app.graphql(q, {"id": g.site, "v": 1, "n": "Vivaldi"})["updateSite"]
    assert first == {"site": {"name": "Vivaldi", "version": 2}, "userErrors": []}
    stale = sample_app.graphql(q, {"id": g.site, "v": 1, "n": "Perdu"})["updateSite"]
    assert stale["userErrors"] == [{"field": "version", "code": "STALE_VERSION"}]
    assert (
        sample_app.graphql("query($id: ID!) { site(id: $id) { name } }", {"id": g.site})["site"]["name"]
        == "Vivaldi"
    )


def test_idempotency_key_makes_a_retry_a_no_op(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    q = 'mutation($o: ID!) { createHousehold(input: {organisationId: $o, reference: "R", idempotencyKey: "k-1"}) { household { id } userErrors { code } } }'
    a = sample_app.graphql(q, {"o": g.landlord})["createHousehold"]["household"]["id"]
    b = sample_app.graphql(q, {"o": g.landlord})["createHousehold"]["household"]["id"]
    assert a == b
    total = sample_app.graphql(
        "query($o: ID!) { organisation(id: $o) { households { totalCount } } }", {"o": g.landlord}
    )
    assert total["organisation"]["households"]["totalCount"] == 1


def test_referral_decision_lifecycle(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    siao = mutate(
        sample_app,
        "createOrganisation",
        "CreateOrganisationInput",
        {"name": "SIAO", "kind": "INSTITUTION"},
        "organisation { id }",
    )["organisation"]["id"]
    hid = household(sample_app, g.association, "1990-05-01")
    ref = mutate(
        sample_app,
        "createReferral",
        "CreateReferralInput",
        {"householdId": hid, "offerId": g.offer, "proposerId": siao, "proposedOn": "2023-02-01"},
        "referral { id decision }",
    )["referral"]
    assert ref["decision"] == "PENDING"
    q = "mutation($r: ID!, $d: ReferralDecision!, $on: Date!) { decideReferral(input: {referralId: $r, decision: $d, decidedOn: $on}) { referral { decision decidedOn } userErrors { field code } } }"
    assert sample_app.graphql(q, {"r": ref["id"], "d": "ADMITTED", "on": "2023-01-01"})["decideReferral"][
        "userErrors"
    ] == [{"field": "decidedOn", "code": "DATE_ORDER"}]
    ok = sample_app.graphql(q, {"r": ref["id"], "d": "ADMITTED", "on": "2023-03-01"})["decideReferral"]
    assert ok["referral"] == {"decision": "ADMITTED", "decidedOn": "2023-03-01"}
    again = sample_app.graphql(q, {"r": ref["id"], "d": "REFUSED", "on": "2023-03-02"})["decideReferral"]
    assert again["userErrors"] == [{"field": "referralId", "code": "ALREADY_DECIDED"}]
    data = sample_app.graphql(
        "query($h: ID!) { household(id: $h) { referrals { decision proposer { name } offer { name } } } }",
        {"h": hid},
    )
    assert data["household"]["referrals"] == [
        {"decision": "ADMITTED", "proposer": {"name": "SIAO"}, "offer": {"name": "Offre"}}
    ]


def test_support_episode_and_contacts(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    hid = household(sample_app, g.landlord, "1950-05-01")
    ep = mutate(
        sample_app,
        "startSupportEpisode",
        "StartSupportEpisodeInput",
        {"householdId": hid, "organisationId": g.association, "startDate": "2019-05-01"},
        "episode { id }",
    )["episode"]["id"]
    mutate(
        sample_app,
        "addSupportContact",
        "AddSupportContactInput",
        {"episodeId": ep, "contactOn": "2019-05-07", "kind": "HOME_VISIT", "durationMinutes": 60},
        "contact { id }",
    )
    out = sample_app.graphql(
        'mutation($e: ID!) { addSupportContact(input: {episodeId: $e, contactOn: "2019-04-01", kind: PHONE}) { userErrors { field code } } }',
        {"e": ep},
    )
    assert out["addSupportContact"]["userErrors"] == [{"field": "contactOn", "code": "OUT_OF_EPISODE"}]
    mutate(
        sample_app,
        "endSupportEpisode",
        "EndSupportEpisodeInput",
        {"episodeId": ep, "endDate": "2019-12-31"},
        "episode { endDate }",
    )
    data = sample_app.graphql(
        "query($h: ID!) { household(id: $h) { supportEpisodes { endDate organisation { name } contacts { kind durationMinutes } } } }",
        {"h": hid},
    )
    assert data["household"]["supportEpisodes"] == [
        {
            "endDate": "2019-12-31",
            "organisation": {"name": "Association"},
            "contacts": [{"kind": "HOME_VISIT", "durationMinutes": 60}],
        }
    ]


def test_offer_occupancy_and_residents(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app, units=4)
    for n in range(3):
        hid = household(sample_app, g.association, "1995-01-01", reference=f"R{n}")
        mutate(
            sample_app,
            "startOccupancy",
            "StartOccupancyInput",
            {
                "householdId": hid,
                "unitId": g.units[n],
                "offerId": g.offer,
                "startDate": f"202{n}-06-01",
            },
            "occupancy { id }",
        )
    data = sample_app.graphql(
        'query($o: ID!) { offer(id: $o) { occupancy(date: "2021-12-31") { occupied capacity rate } residents(date: "2021-12-31") { totalCount nodes { household { reference } unit { label } } } } }',
        {"o": g.offer},
    )
    assert data["offer"]["occupancy"] == {"occupied": 2, "capacity": 4, "rate": 50.0}
    assert data["offer"]["residents"]["totalCount"] == 2
    assert [n["unit"]["label"] for n in data["offer"]["residents"]["nodes"]] == ["A0", "A1"]


def test_malformed_requests_get_clear_answers(sample_app: ThemaTestApp) -> None:
    r = sample_app.request(
        "POST", "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["errors"][0]["extensions"]["code"] == "BAD_JSON"
    r = sample_app.request("POST", "/graphql", json={"query": "{ __typename }", "variables": []})
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    r = sample_app.request("POST", "/graphql", content=b"x" * 300_000)
    assert r.status_code == 413


def test_health_endpoints(sample_app: ThemaTestApp) -> None:
    assert sample_app.request("GET", "/healthz").json() == {"status": "ok"}
    assert sample_app.request("GET", "/readyz").json() == {"status": "ok"}


def test_partnership_lifecycle(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    p = mutate(
        sample_app,
        "createPartnership",
        "CreatePartnershipInput",
        {
            "organisationId": g.landlord,
            "partnerId": g.association,
            "role": "MANAGES_OFFER",
            "scope": "OFFERS",
            "offerIds": [g.offer],
            "startDate": "2020-01-01",
        },
        "partnership { id version offerIds grantsResidentFiles }",
    )["partnership"]
    assert p["offerIds"] == [g.offer] and p["grantsResidentFiles"] is False
    q = "mutation($i: UpdatePartnershipInput!) { updatePartnership(input: $i) { partnership { grantsResidentFiles version } userErrors { field code } } }"
    out = sample_app.graphql(q, {"i": {"id": p["id"], "version": p["version"], "grantsResidentFiles": True}})[
        "updatePartnership"
    ]
    assert out == {"partnership": {"grantsResidentFiles": True, "version": 2}, "userErrors": []}
    bad = sample_app.graphql(
        'mutation($id: ID!) { endPartnership(input: {id: $id, endDate: "2019-01-01"}) { userErrors { field code } } }',
        {"id": p["id"]},
    )
    assert bad["endPartnership"]["userErrors"] == [{"field": "endDate", "code": "DATE_ORDER"}]
    self_partner = sample_app.graphql(
        'mutation($o: ID!) { createPartnership(input: {organisationId: $o, partnerId: $o, role: FUNDS, startDate: "2020-01-01"}) { userErrors { field code } } }',
        {"o": g.landlord},
    )
    assert self_partner["createPartnership"]["userErrors"] == [
        {"field": "partnerId", "code": "SAME_ORGANISATION"}
    ]
    listed = sample_app.graphql(
        "query($o: ID!) { organisation(id: $o) { partnerships { role partner { name } } } }",
        {"o": g.association},
    )
    assert listed["organisation"]["partnerships"] == [
        {"role": "MANAGES_OFFER", "partner": {"name": "Association"}}
    ]


def test_occupancy_corrections(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    hid = household(sample_app, g.landlord, "1990-05-01")
    occ = mutate(
        sample_app,
        "startOccupancy",
        "StartOccupancyInput",
        {"householdId": hid, "unitId": g.units[0], "startDate": "2022-01-01"},
        "occupancy { id }",
    )["occupancy"]["id"]
    q = "mutation($i: UpdateOccupancyInput!) { updateOccupancy(input: $i) { occupancy { startDate exitDestination } userErrors { field code } } }"
    assert sample_app.graphql(q, {"i": {"id": occ, "exitDestination": "SOCIAL_RENTAL"}})["updateOccupancy"][
        "userErrors"
    ] == [{"field": "exitDestination", "code": "NOT_ENDED"}]
    assert sample_app.graphql(q, {"i": {"id": occ, "startDate": "2021-12-01"}})["updateOccupancy"] == {
        "occupancy": {"startDate": "2021-12-01", "exitDestination": None},
        "userErrors": [],
    }
    mutate(
        sample_app,
        "endOccupancy",
        "EndOccupancyInput",
        {"occupancyId": occ, "endDate": "2023-06-30", "exitDestination": "PRIVATE_RENTAL"},
        "occupancy { id }",
    )
    out = sample_app.graphql(q, {"i": {"id": occ, "exitDestination": "SOCIAL_RENTAL"}})["updateOccupancy"]
    assert out == {
        "occupancy": {"startDate": "2021-12-01", "exitDestination": "SOCIAL_RENTAL"},
        "userErrors": [],
    }


def test_nodes_refetches_several_ids_in_order(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    data = sample_app.graphql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", {"ids": [g.site, "bogus", g.landlord]}
    )
    assert data["nodes"] == [
        {"__typename": "Site", "id": g.site},
        None,
        {"__typename": "Organisation", "id": g.landlord},
    ]
    too_many = sample_app.graphql_raw(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [g.site] * 101}
    )
    assert too_many["errors"][0]["extensions"]["code"] == "PAGE_SIZE"


def test_concurrent_updates_with_one_version_give_one_success(sample_app: ThemaTestApp) -> None:
    import threading

    g = build_graph(sample_app)
    q = "mutation($i: UpdateSiteInput!) { updateSite(input: $i) { site { name } userErrors { code } } }"
    barrier, answers = threading.Barrier(6), []

    def write(n: int) -> None:
        barrier.wait()
        answers.append(
            sample_app.graphql(q, {"i": {"id": g.site, "version": 1, "name": f"Nom {n}"}})["updateSite"]
        )

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [a for a in answers if not a["userErrors"]]
    assert len(answers) == 6 and len(winners) == 1
    assert all(a["userErrors"] == [{"code": "STALE_VERSION"}] for a in answers if a not in winners)
    final = sample_app.graphql("query($id: ID!) { site(id: $id) { name version } }", {"id": g.site})["site"]
    assert final == {"name": winners[0]["site"]["name"], "version": 2}
