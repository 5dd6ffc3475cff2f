"""The « Seniors à domicile » catalogue entry, its contract with the core, and its absence."""

from __future__ import annotations

from pathlib import Path

from core.testing import ThemaTestApp, make_test_app

from .kit import TODAY


def test_scheme_catalogue(app: ThemaTestApp) -> None:
    """Parameters with their defaults and dated versions, criteria, indicators, sensitive fields."""
    data = app.graphql(
        """{ scheme(code: "seniors_domicile") { code label portfolioWide effectiveFrom
             parameters { key default source } parameterVersions { effectiveFrom values }
             criteria { code kind source } indicators { key unit target definition }
             sensitiveFields { typeName fieldName permission } sources } }"""
    )["scheme"]
    assert (data["code"], data["label"], data["portfolioWide"]) == (
        "seniors_domicile",
        "Seniors à domicile",
        True,
    )
    assert data["effectiveFrom"] == "2019-08-01"
    params = {p["key"]: p["default"] for p in data["parameters"]}
    assert params == {"min_age": 70, "fragile_max_monthly_resources": 868.2}
    assert all(p["source"] for p in data["parameters"])
    versions = {v["effectiveFrom"]: v["values"] for v in data["parameterVersions"]}
    assert versions["2020-01-01"] == {"fragile_max_monthly_resources": 903.2}
    assert versions["2025-01-01"] == {"fragile_max_monthly_resources": 1034.28}
    assert [(c["code"], c["kind"]) for c in data["criteria"]] == [
        ("seniors_domicile.tenant", "REQUIRED"),
        ("seniors_domicile.age", "REQUIRED"),
        ("seniors_domicile.core_target", "PRIORITY"),
    ]
    assert [i["key"] for i in data["indicators"]] == [
        "targeted_households",
        "core_target_households",
        "contacted",
        "diagnostics_done",
        "refusal_rate",
        "kits_installed",
        "urgent_interventions",
        "social_services_alerts",
        "core_target_reached",
    ]
    assert all(i["definition"] for i in data["indicators"])
    assert {(f["typeName"], f["fieldName"], f["permission"]) for f in data["sensitiveFields"]} == {
        ("SeniorsDomicileVisit", "notes", "seniors_domicile.health"),
        ("SeniorsDomicileVisit", "social_services_alert_on", "seniors_domicile.social"),
        ("SeniorsDomicileVisit", "social_services_alert", "seniors_domicile.social"),
    }


def test_scheme_fields_are_documented(app: ThemaTestApp) -> None:
    """Every type, field and argument the plugin adds has a description."""
    data = app.graphql(
        """{ __schema { types { name description
             fields { name description args { name description } }
             inputFields { name description } enumValues { name } } } }"""
    )
    ours = [t for t in data["__schema"]["types"] if t["name"].startswith("SeniorsDomicile")]
    assert {t["name"] for t in ours} >= {
        "SeniorsDomicileVisit",
        "SeniorsDomicileProfile",
        "SeniorsDomicileVisitPayload",
        "SeniorsDomicileRecordContactInput",
        "SeniorsDomicileRecordVisitInput",
        "SeniorsDomicileContactOutcome",
        "SeniorsDomicileRisk",
    }
    for t in ours:
        assert t["description"], t["name"]
        for f in (t["fields"] or []) + (t["inputFields"] or []):
            assert f["description"], (t["name"], f["name"])
            for a in f.get("args") or []:
                assert a["description"], (t["name"], f["name"], a["name"])


def test_api_without_the_plugin_still_answers(tmp_path: Path) -> None:
    """Without the plugin, the core API works and knows nothing of the scheme."""
    app = make_test_app(tmp_path, plugins=[], today=TODAY)
    try:
        assert app.graphql('{ scheme(code: "seniors_domicile") { code } }')["scheme"] is None
        raw = app.graphql_raw('{ __type(name: "Household") { fields { name } } }')
        names = {f["name"] for f in raw["data"]["__type"]["fields"]}
        assert "reference" in names and "seniorsDomicile" not in names
    finally:
        app.close()
