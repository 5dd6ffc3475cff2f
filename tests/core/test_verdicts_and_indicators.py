"""The core's eligibility and indicator machinery, through the API, with the sample plugin."""

from __future__ import annotations

from core.testing import ThemaTestApp
from tests.core.conftest import build_graph, household, mutate

VERDICT = """query($h: ID!, $o: ID, $s: String, $d: Date) { household(id: $h) { eligibility(offerId: $o, scheme: $s, date: $d) {
  scheme status referenceDate parameterVersion parameters { version effectiveFrom values overridden }
  criteria { code kind outcome message value threshold } failing { code } missing { code } } } }"""


def verdict(
    app: ThemaTestApp, hid: str, day: str, offer: str | None = None, scheme: str | None = None
) -> dict:  # type: ignore[type-arg]
    return app.graphql(VERDICT, {"h": hid, "o": offer, "s": scheme, "d": day})["household"]["eligibility"]  # type: ignore[no-any-return]


def test_verdict_lists_every_criterion_with_values_and_version(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    hid = household(sample_app, g.landlord, "2000-06-15", isolated=False)
    v = verdict(sample_app, hid, "2024-06-15", offer=g.offer)
    assert v["status"] == "ELIGIBLE" and v["referenceDate"] == "2024-06-15"
    assert v["parameterVersion"] == "sample@2020-01-01"
    assert v["criteria"] == [
        {
            "code": "sample.age",
            "kind": "REQUIRED",
            "outcome": "SATISFIED",
            "message": "24 ans",
            "value": "24",
            "threshold": "18-30",
        },
        {
            "code": "sample.isolated",
            "kind": "PRIORITY",
            "outcome": "NOT_SATISFIED",
            "message": "Isolement",
            "value": None,
            "threshold": None,
        },
    ]


def test_status_priority_ineligible_incomplete(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    isolated = household(sample_app, g.landlord, "2000-06-15", isolated=True, reference="A")
    too_old = household(sample_app, g.landlord, "1980-06-15", isolated=True, reference="B")
    unknown = household(sample_app, g.landlord, None, isolated=True, reference="C")
    assert verdict(sample_app, isolated, "2024-06-15", offer=g.offer)["status"] == "PRIORITY"
    old = verdict(sample_app, too_old, "2024-06-15", offer=g.offer)
    assert old["status"] == "INELIGIBLE" and old["failing"] == [{"code": "sample.age"}]
    inc = verdict(sample_app, unknown, "2024-06-15", offer=g.offer)
    assert inc["status"] == "INCOMPLETE" and inc["missing"] == [{"code": "sample.age"}]


def test_dated_parameters_apply_from_their_date_only(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    hid = household(sample_app, g.landlord, "1990-03-01")  # 33 in 2023, 34 in 2025
    before = verdict(sample_app, hid, "2024-12-31", scheme="sample")
    after = verdict(sample_app, hid, "2025-01-01", scheme="sample")
    assert before["status"] == "INELIGIBLE" and before["parameterVersion"] == "sample@2020-01-01"
    assert after["status"] == "ELIGIBLE" and after["parameterVersion"] == "sample@2025-01-01"
    assert after["parameters"]["values"]["max_age"] == 35


def test_offer_overrides_win_and_are_named_in_the_version(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    mutate(
        sample_app,
        "updateOffer",
        "UpdateOfferInput",
        {"id": g.offer, "parameters": {"max_age": 25}},
        "offer { parameters }",
    )
    hid = household(sample_app, g.landlord, "1996-01-01")  # 28 in 2024
    v = verdict(sample_app, hid, "2024-06-01", offer=g.offer)
    assert v["status"] == "INELIGIBLE"
    assert v["parameterVersion"] == "sample@2020-01-01+offre(max_age)"
    assert v["parameters"]["overridden"] == ["max_age"]
    assert verdict(sample_app, hid, "2024-06-01", scheme="sample")["status"] == "ELIGIBLE"


def test_candidates_by_status_paged(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    for n, (birth, isolated) in enumerate(
        [
            ("2000-01-01", True),
            ("2001-01-01", False),
            ("1950-01-01", False),
            (None, False),
            ("2002-01-01", True),
        ]
    ):
        household(sample_app, g.association, birth, isolated=isolated, reference=f"C{n}")
    q = """query($o: ID!, $s: [Status!], $after: String) { offer(id: $o) { candidates(status: $s, date: "2024-01-01", first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { household { reference } verdict { status } } } } }"""
    every = sample_app.graphql(q, {"o": g.offer, "s": None})["offer"]["candidates"]
    assert every["totalCount"] == 5 and every["pageInfo"]["hasNextPage"]
    eligible = sample_app.graphql(q, {"o": g.offer, "s": ["PRIORITY", "ELIGIBLE"]})["offer"]["candidates"]
    refs = [n["household"]["reference"] for n in eligible["nodes"]]
    more = sample_app.graphql(
        q, {"o": g.offer, "s": ["PRIORITY", "ELIGIBLE"], "after": eligible["pageInfo"]["endCursor"]}
    )["offer"]["candidates"]
    refs += [n["household"]["reference"] for n in more["nodes"]]
    assert refs == ["C0", "C1", "C4"] and eligible["totalCount"] == 3


def test_scheme_operations_refused_when_not_enabled(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    mutate(
        sample_app,
        "disableScheme",
        "DisableSchemeInput",
        {"organisationId": g.landlord, "scheme": "sample", "disabledOn": "2023-01-01"},
        "enablement { scheme }",
    )
    answer = sample_app.graphql_raw(
        'query($o: ID!) { offer(id: $o) { candidates(date: "2024-01-01") { totalCount } } }', {"o": g.offer}
    )
    assert answer["errors"][0]["extensions"]["code"] == "SCHEME_NOT_ENABLED"
    assert "n'est pas activé" in answer["errors"][0]["message"]
    ok = sample_app.graphql(
        'query($o: ID!) { offer(id: $o) { candidates(date: "2022-06-01") { totalCount } } }', {"o": g.offer}
    )
    assert ok["offer"]["candidates"]["totalCount"] == 0


def test_indicators_from_offer_site_and_organisation_with_drill_down(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app, units=3)
    for n in range(2):
        hid = household(sample_app, g.association, "1999-01-01", reference=f"I{n}")
        mutate(
            sample_app,
            "startOccupancy",
            "StartOccupancyInput",
            {"householdId": hid, "unitId": g.units[n], "offerId": g.offer, "startDate": "2023-03-01"},
            "occupancy { id }",
        )
    fields = 'indicators(from: "2023-01-01", to: "2023-12-31") { scheme key label unit value numerator definition period { start end } households(first: 10) { totalCount nodes { reference } } }'
    data = sample_app.graphql(
        f"query($o: ID!, $s: ID!, $l: ID!) {{ offer(id: $o) {{ {fields} }} site(id: $s) {{ {fields} }} organisation(id: $l) {{ {fields} }} }}",
        {"o": g.offer, "s": g.site, "l": g.landlord},
    )
    for scope in ("offer", "site", "organisation"):
        (ind,) = data[scope]["indicators"]
        assert ind["key"] == "occupied" and ind["value"] == 2 and ind["unit"] == "COUNT"
        assert ind["period"] == {"start": "2023-01-01", "end": "2023-12-31"}
        assert ind["households"]["totalCount"] == 2
        assert sorted(h["reference"] for h in ind["households"]["nodes"]) == ["I0", "I1"]
    before = sample_app.graphql(
        'query($o: ID!) { offer(id: $o) { indicators(from: "2022-01-01", to: "2022-12-31") { value } } }',
        {"o": g.offer},
    )
    assert before["offer"]["indicators"] == [{"value": 0}]


def test_scheme_catalogue_describes_the_plugin(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    (s,) = sample_app.graphql(
        "{ schemes { code plugin pluginVersion parameters { key default } parameterVersions { effectiveFrom values } criteria { code kind } indicators { key hasDrillDown } sensitiveFields { fieldName permission } enabledFor { id } } }"
    )["schemes"]
    assert s["code"] == "sample" and s["plugin"] == "sample_plugin" and s["pluginVersion"] == "0.9.0"
    assert s["parameters"] == [{"key": "min_age", "default": 18}, {"key": "max_age", "default": 30}]
    assert s["parameterVersions"] == [{"effectiveFrom": "2025-01-01", "values": {"max_age": 35}}]
    assert s["criteria"] == [
        {"code": "sample.age", "kind": "REQUIRED"},
        {"code": "sample.isolated", "kind": "PRIORITY"},
    ]
    assert s["indicators"] == [{"key": "occupied", "hasDrillDown": True}]
    assert s["sensitiveFields"] == [{"fieldName": "sample_greeting", "permission": "sample.social"}]
    assert s["enabledFor"] == [{"id": g.landlord}]


def test_candidates_can_be_limited_to_referred_households(sample_app: ThemaTestApp) -> None:
    g = build_graph(sample_app)
    referred = household(sample_app, g.association, "2000-01-01", reference="REF")
    household(sample_app, g.association, "2000-01-01", reference="OWN")
    mutate(
        sample_app,
        "createReferral",
        "CreateReferralInput",
        {"householdId": referred, "offerId": g.offer, "proposerId": g.landlord, "proposedOn": "2023-01-01"},
        "referral { id }",
    )
    q = 'query($o: ID!, $r: Boolean!) { offer(id: $o) { candidates(date: "2024-01-01", referredOnly: $r) { nodes { household { reference } } } } }'
    every = sample_app.graphql(q, {"o": g.offer, "r": False})["offer"]["candidates"]["nodes"]
    only = sample_app.graphql(q, {"o": g.offer, "r": True})["offer"]["candidates"]["nodes"]
    assert sorted(n["household"]["reference"] for n in every) == ["OWN", "REF"]
    assert [n["household"]["reference"] for n in only] == ["REF"]
