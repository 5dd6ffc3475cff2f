"""Hostile requests are refused before any resolver runs, in bounded memory, with stable codes."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import tracemalloc
import types
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from graphql import get_introspection_query, parse

from core import GraphQLContribution, hookimpl
from core.app import plugin_readmes
from core.explorer.examples import load_examples
from core.graphql.schema import build_schema
from core.plugins import build_registry
from core.security import (
    DocumentCache,
    QueryLimits,
    RateLimiter,
    caller_key,
    check_document,
    introspection_allowed,
    is_introspection,
    query_cost,
    without_suggestions,
)
from core.settings import Settings
from core.testing import ThemaTestApp, make_test_app

ROOT = Path(__file__).resolve().parents[2]
#: Every resolution of a probe field, in order: a refused request must leave it empty.
RESOLVED: list[str] = []
#: What an unexpected exception may carry: a connection string with a password, a file path.
LEAK = (
    "could not connect to postgresql://thema:s3cret-pw@db.internal:5432/thema "
    '(File "/srv/thema/core/db.py", line 12)'
)


@strawberry.type(description="A node of the probe tree, counting its resolutions.")
class Probe:
    """Test type."""

    @strawberry.field(description="The next node.")
    def next(self) -> Probe:
        """Counted."""
        RESOLVED.append("next")
        return Probe()

    @strawberry.field(description="A number.")
    def value(self) -> int:
        """Counted."""
        RESOLVED.append("value")
        return 1

    @strawberry.field(description="Fails like a broken database connection would.")
    def boom(self) -> int:
        """Counted, then raises."""
        RESOLVED.append("boom")
        raise RuntimeError(LEAK)


@strawberry.type(description="Probe root fields.")
class ProbeQuery:
    """Mixin."""

    @strawberry.field(description="The root of the probe tree.")
    def probe(self) -> Probe:
        """Counted."""
        RESOLVED.append("probe")
        return Probe()


def _probe_plugin() -> types.ModuleType:
    module = types.ModuleType("hostile_probe")

    def register_graphql() -> list[GraphQLContribution]:
        return [GraphQLContribution(owner="hostile_probe", query=ProbeQuery, types=(Probe,))]

    module.register_graphql = hookimpl(register_graphql)  # type: ignore[attr-defined]
    return module


PROBE = _probe_plugin()


@pytest.fixture
def probe_app(tmp_path: Path) -> Iterator[Callable[..., ThemaTestApp]]:
    """Build apps with the probe plugin on SQLite (the limits do not depend on the database)."""
    RESOLVED.clear()  # every test starts with no resolution
    made: list[ThemaTestApp] = []

    def make(**settings: Any) -> ThemaTestApp:
        made.append(make_test_app(tmp_path, [PROBE], **settings))
        return made[-1]

    yield make
    for app in made:
        app.close()


def codes(answer: dict[str, Any]) -> list[str]:
    """The codes of an answer's errors."""
    return [e.get("extensions", {}).get("code") for e in answer.get("errors") or []]


def post(app: ThemaTestApp, payload: Any, **kwargs: Any) -> httpx.Response:
    """POST a JSON payload (built beforehand, so the client's work stays out of the measures)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
    return app.request("POST", "/graphql", content=body, headers=headers, **kwargs)


def aliases(n: int) -> str:
    return "{" + " ".join(f"a{i}:probe{{value}}" for i in range(n)) + "}"


DEPTH_50 = "{ probe { " + "next { " * 50 + "value" + " }" * 50 + " } }"
DUPLICATES_500 = "{ probe { " + "value " * 500 + "} }"
FRAGMENT_CYCLE = (
    "{ probe { ...A } } fragment A on Probe { next { ...B } } fragment B on Probe { next { ...A } }"
)
HUGE_PAGE = "{ probe { value } organisations(first: 1000000) { totalCount } }"
COSTLY = (
    "{ probe { value } organisations(first: 100) { nodes { sites(first: 100) { nodes { "
    "units(first: 100) { nodes { id label } } } } } } }"
)
DIRECTIVES = "{ probe " + "@include(if: true) " * 60 + "{ value } }"
#: Each fragment spreads the next one 10 times: 10^12 `value` fields once expanded.
FAN_OUT = (
    "{ probe { ...F0 } } "
    + " ".join(f"fragment F{n} on Probe {{ {f'...F{n + 1} ' * 10}}}" for n in range(12))
    + " fragment F12 on Probe { value }"
)
TOKENS = "{ probe { " + "__typename " * 6_000 + "} }"

#: Each hostile GraphQL document and the codes refusing it under the default limits.
HOSTILE = {
    "depth 50": (DEPTH_50, "QUERY_TOO_DEEP"),
    "10,000 aliases": (aliases(10_000), "TOO_MANY_TOKENS"),
    "500 duplicate fields": (DUPLICATES_500, "TOO_MANY_DUPLICATE_FIELDS"),
    "fragment cycle": (FRAGMENT_CYCLE, "FRAGMENT_CYCLE"),
    "fragment fan-out": (FAN_OUT, "TOO_MANY_DUPLICATE_FIELDS QUERY_TOO_COSTLY"),
    "first: 1000000": (HUGE_PAGE, "PAGE_SIZE"),
    "costly nested connections": (COSTLY, "QUERY_TOO_COSTLY"),
    "60 directives": (DIRECTIVES, "TOO_MANY_DIRECTIVES"),
    "6,000 tokens": (TOKENS, "TOO_MANY_TOKENS"),
}


#: Most memory one refused request may take: the parser stops at 5,000 tokens (about 650 bytes each).
PEAK = 6 * 1024 * 1024
#: Most memory three refused requests may leave behind.
RETAINED = 256 * 1024


def memory(send: Callable[[], httpx.Response], repeat: int = 3) -> tuple[int, int]:
    """Highest peak of one send and memory retained after ``repeat`` sends, caches warmed first."""
    send()
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        peak = 0
        for _ in range(repeat):
            gc.collect()  # the parser's tokens form cycles: collect them between sends
            start = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            send()
            peak = max(peak, tracemalloc.get_traced_memory()[1] - start)
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    return peak, retained


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_query_refused_before_any_resolver_in_flat_memory(
    probe_app: Callable[..., ThemaTestApp], name: str
) -> None:
    app = probe_app()
    query, code = HOSTILE[name]
    payload = json.dumps({"query": query}).encode()
    response = post(app, payload)
    assert response.status_code == 200
    answer = response.json()
    assert answer["data"] is None and codes(answer) == code.split(), answer
    assert all(e["message"] and "Did you mean" not in e["message"] for e in answer["errors"])
    peak, retained = memory(lambda: post(app, payload))
    assert peak < PEAK, f"{name}: peak {peak} bytes"
    assert retained < RETAINED, f"{name}: {retained} bytes kept after 3 refusals"
    assert RESOLVED == []


def test_distinct_large_documents_are_not_kept_in_memory(probe_app: Callable[..., ThemaTestApp]) -> None:
    app = probe_app()
    # 12 distinct documents of 4,800 tokens: each would hold about 3 MB if cached.
    payloads = [
        json.dumps({"query": "{" + " ".join(f"b{n}_{i}:probe{{value}}" for i in range(800)) + "}"}).encode()
        for n in range(12)
    ]
    sent = iter(payloads)
    _, retained = memory(lambda: post(app, next(sent)), repeat=len(payloads) - 1)
    assert retained < 4 * 1024 * 1024
    assert RESOLVED == []


def test_document_cache_is_bounded_in_entries_and_text() -> None:
    cache = DocumentCache(max_entries=3, max_chars=100, max_entry_chars=40)
    parsed: list[str] = []

    def parse_counting(text: str) -> Any:
        parsed.append(text)
        return parse(text)

    first = cache.parsed("{ a }", parse_counting)
    assert cache.parsed("{ a }", parse_counting) is first and parsed == ["{ a }"]
    cache.parsed("{ " + "x " * 30 + "}", parse_counting)  # longer than an entry may be: never kept
    assert len(cache) == 1
    for name in ("b", "c", "d"):
        cache.parsed(f"{{ {name} }}", parse_counting)
    assert len(cache) == 3 and cache.parsed("{ a }", parse_counting) is not first  # "{ a }" was evicted
    for n in range(10):
        cache.parsed("{ " + f"f{n} " * 10 + "}", parse_counting)
    assert cache.chars <= 100
    validations: list[object] = []
    document = cache.parsed("{ d }", parse_counting)
    for _ in range(2):
        cache.validated("{ d }", document, lambda d: validations.append(d) or [])
    assert len(validations) == 1


def test_token_limit_is_what_keeps_the_parse_small() -> None:
    document = aliases(10_000)
    tracemalloc.start()
    try:
        parse(document)  # no limit: the whole document is built
        unlimited = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert unlimited > 2 * PEAK


def test_probe_resolvers_count_when_a_query_may_run(probe_app: Callable[..., ThemaTestApp]) -> None:
    app = probe_app()
    assert app.graphql("{ probe { next { value } } }") == {"probe": {"next": {"value": 1}}}
    assert RESOLVED == ["probe", "next", "value"]


def test_limits_name_the_one_exceeded_when_tokens_allow_the_document(
    probe_app: Callable[..., ThemaTestApp],
) -> None:
    app = probe_app(max_query_tokens=200_000)
    answer = post(app, {"query": aliases(10_000)}).json()
    assert "TOO_MANY_ALIASES" in codes(answer)
    alias_error = next(e for e in answer["errors"] if e["extensions"]["code"] == "TOO_MANY_ALIASES")
    assert alias_error["extensions"] == {"code": "TOO_MANY_ALIASES", "limit": 50, "found": 10_000}
    assert alias_error["message"] == "Trop d'alias : 10000, au plus 50."
    answer = post(app, {"query": TOKENS}).json()
    assert codes(answer) == ["TOO_MANY_DUPLICATE_FIELDS"]
    assert RESOLVED == []


def test_page_size_from_a_variable_refused_before_execution(probe_app: Callable[..., ThemaTestApp]) -> None:
    app = probe_app()
    query = "query($n: Int) { probe { value } organisations(first: $n) { totalCount } }"
    answer = app.graphql_raw(query, {"n": 1_000_000})
    assert codes(answer) == ["PAGE_SIZE"] and answer["data"] is None
    answer = app.graphql_raw("query($n: Int = 101) { probe { value } households(first: $n) { totalCount } }")
    assert codes(answer) == ["PAGE_SIZE"]
    assert RESOLVED == []
    assert app.graphql_raw(query, {"n": 100})["data"]["organisations"] == {"totalCount": 0}


def test_a_document_within_limits_is_measured_again_for_other_variables(
    probe_app: Callable[..., ThemaTestApp],
) -> None:
    """Measures are remembered per document and variables: a page size that passed once does not
    let a larger one through, and a refusal is never remembered as a pass."""
    app = probe_app()
    query = "query($n: Int) { organisations(first: $n) { totalCount } }"
    for n, refused in ((10, False), (10, False), (1_000_000, True), (10, False), (1_000_000, True)):
        answer = app.graphql_raw(query, {"n": n})
        assert (codes(answer) == ["PAGE_SIZE"]) is refused, (n, answer)
        assert (answer["data"] is None) is refused


def test_batch_of_1000_refused_before_any_operation(probe_app: Callable[..., ThemaTestApp]) -> None:
    app = probe_app()
    batch = json.dumps([{"query": "{ probe { value } }"}] * 1_000).encode()
    response = post(app, batch)
    assert response.status_code == 400 and codes(response.json()) == ["BATCH_TOO_LARGE"]
    peak, retained = memory(lambda: post(app, batch))
    assert peak < PEAK and retained < RETAINED
    assert RESOLVED == []
    answers = post(app, [{"query": "{ probe { value } }"}] * 10).json()
    assert [a["data"] for a in answers] == [{"probe": {"value": 1}}] * 10


def test_body_of_1_mb_refused_before_it_is_read(probe_app: Callable[..., ThemaTestApp]) -> None:
    app = probe_app()
    megabyte = json.dumps({"query": "{ probe { value } }", "variables": {"x": "x" * 1_000_000}}).encode()
    response = post(app, megabyte)
    assert response.status_code == 413 and codes(response.json()) == ["BODY_TOO_LARGE"]
    peak, retained = memory(lambda: post(app, megabyte))
    assert peak < PEAK and retained < RETAINED
    assert RESOLVED == []


def test_body_without_length_stops_being_read_past_the_limit(probe_app: Callable[..., ThemaTestApp]) -> None:
    app = probe_app()
    chunk = b" " * 65_536
    pulled: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        for n in range(160):  # 10 MB, sent chunked: no Content-Length to refuse it on
            pulled.append(n)
            yield chunk

    response = app.request(
        "POST", "/graphql", content=endless(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and codes(response.json()) == ["BODY_TOO_LARGE"]
    assert len(pulled) <= 256 * 1024 // len(chunk) + 2
    assert RESOLVED == []


def test_malformed_requests_get_a_json_answer(probe_app: Callable[..., ThemaTestApp]) -> None:
    app = probe_app()
    deep_json = post(app, b"[" * 100_000)
    assert deep_json.status_code == 400 and codes(deep_json.json()) == ["BAD_JSON"]
    bad_length = post(app, b"{}", headers={"content-length": "many"})
    assert bad_length.status_code == 400
    unknown = post(app, {"query": "query A { probe { value } }", "operationName": "B"})
    assert unknown.status_code == 200 and codes(unknown.json()) == ["BAD_REQUEST"]
    assert codes(post(app, []).json()) == ["BAD_REQUEST"]
    assert RESOLVED == []


def test_rate_limit_per_token_answers_429_with_retry_after(probe_app: Callable[..., ThemaTestApp]) -> None:
    app = probe_app(rate_limit_per_second=0.01, rate_limit_burst=3)
    for _ in range(3):
        assert post(app, {"query": "{ probe { value } }"}).status_code == 200
    refused = post(app, {"query": "{ probe { value } }"})
    assert refused.status_code == 429 and codes(refused.json()) == ["RATE_LIMITED"]
    assert int(refused.headers["retry-after"]) >= 1
    other = app.create_token(None, "platform", ["*"])
    assert post(app, [{"query": "{ probe { value } }"}] * 3, token=other).status_code == 200
    assert post(app, {"query": "{ probe { value } }"}, token=other).status_code == 429
    assert RESOLVED.count("probe") == 6


def test_rate_limiter_refills_and_forgets_old_callers() -> None:
    now = [0.0]
    limiter = RateLimiter(2.0, 4, clock=lambda: now[0], max_keys=2)
    assert [limiter.take("a") for _ in range(4)] == [0.0] * 4
    assert limiter.take("a") == pytest.approx(0.5)
    now[0] += 1.0
    assert limiter.take("a", 2) == 0.0 and limiter.take("a") > 0
    limiter.take("b")
    limiter.take("c")  # "a" is the least recently seen of three: forgotten, full again
    assert [limiter.take("a") for _ in range(4)] == [0.0] * 4
    assert RateLimiter(0, 1).take("a", 1_000) == 0.0
    assert caller_key("Bearer thema_x", "10.0.0.1") != caller_key("Bearer thema_y", "10.0.0.1")
    assert "thema_x" not in caller_key("Bearer thema_x", None)
    assert caller_key(None, "10.0.0.1") == "address:10.0.0.1"


def test_production_masks_unexpected_errors_with_a_logged_request_id(
    probe_app: Callable[..., ThemaTestApp], caplog: pytest.LogCaptureFixture
) -> None:
    app = probe_app(environment="production")
    with caplog.at_level(logging.ERROR, logger="thema"):
        response = post(app, {"query": "{ probe { value boom } }"})
    text = response.text
    for secret in ("postgresql://", "s3cret", "/srv/thema", "db.py", "Traceback", "RuntimeError"):
        assert secret not in text
    error = response.json()["errors"][0]
    rid = response.headers["x-request-id"]
    assert error == {
        "message": "Erreur interne.",
        "path": ["probe", "boom"],
        "extensions": {"code": "INTERNAL", "requestId": rid},
    }
    assert any(rid in r.getMessage() and r.exc_info for r in caplog.records)
    # Outside production the developer sees the cause.
    assert post(probe_app(), {"query": "{ probe { boom } }"}).json()["errors"][0]["message"] == LEAK


def test_request_id_from_a_proxy_is_kept_only_when_tame(probe_app: Callable[..., ThemaTestApp]) -> None:
    app = probe_app()
    tame = post(app, {"query": "{ probe { value } }"}, headers={"x-request-id": "req-42.a_b"})
    assert tame.headers["x-request-id"] == "req-42.a_b"
    wild = post(app, {"query": "{ probe { value } }"}, headers={"x-request-id": "<script>"})
    assert wild.headers["x-request-id"] != "<script>" and len(wild.headers["x-request-id"]) == 32


MISSPELLED = [
    "{ probe { valeu } }",
    "{ organisatons { totalCount } }",
    "{ households(frist: 1) { totalCount } }",
    'mutation { createOrganisation(input: { name: "A", kind: LANDLRD }) { userErrors { code } } }',
]


def test_no_field_suggestions_except_in_development(probe_app: Callable[..., ThemaTestApp]) -> None:
    development = probe_app(environment="development")
    for query in MISSPELLED:
        assert "Did you mean" in post(development, {"query": query}).json()["errors"][0]["message"], query
    for environment in ("test", "production"):
        app = probe_app(environment=environment)
        for query in MISSPELLED:
            answer = post(app, {"query": query}).json()
            assert answer["errors"] and all("Did you mean" not in e["message"] for e in answer["errors"])
    assert RESOLVED == []


def test_without_suggestions_drops_only_the_hint() -> None:
    assert (
        without_suggestions("Cannot query field 'valeu' on type 'Probe'. Did you mean 'value'?")
        == "Cannot query field 'valeu' on type 'Probe'."
    )
    assert without_suggestions("Unknown argument 'x'.") == "Unknown argument 'x'."


INTROSPECTION = "{ __schema { queryType { name } } }"


def test_is_introspection_finds_schema_and_type_fields_anywhere() -> None:
    assert is_introspection(parse(INTROSPECTION))
    assert is_introspection(parse('{ ...F } fragment F on Query { __type(name: "Probe") { name } }'))
    assert not is_introspection(parse("{ probe { __typename value } }"))


@pytest.mark.parametrize(
    ("policy", "environment", "developer", "allowed"),
    [
        ("developers", "development", None, True),
        ("developers", "production", None, False),
        ("developers", "production", True, True),
        ("developers", "development", False, False),
        ("always", "production", False, True),
        ("never", "development", True, False),
    ],
)
def test_introspection_allowed_by_policy_and_caller(
    policy: Any, environment: str, developer: bool | None, allowed: bool
) -> None:
    assert introspection_allowed(policy, environment, developer) is allowed


@pytest.mark.parametrize(("environment", "allowed"), [("development", True), ("production", False)])
def test_introspection_without_a_caller_follows_the_environment(environment: str, allowed: bool) -> None:
    settings = Settings(environment=environment, load_entrypoint_plugins=False, load_builtin_plugins=False)
    schema = build_schema(
        build_registry(settings, plugins=[PROBE]),
        limits=QueryLimits(),
        may_introspect=lambda _: introspection_allowed(settings.introspection, environment, None),
    )
    result = asyncio.run(schema.execute(INTROSPECTION))
    if allowed:
        assert result.errors is None and result.data == {"__schema": {"queryType": {"name": "Query"}}}
    else:
        assert result.data is None and result.errors
        assert result.errors[0].extensions == {"code": "INTROSPECTION_DISABLED"}


def test_introspection_over_http_needs_the_developer_permission(
    probe_app: Callable[..., ThemaTestApp],
) -> None:
    app = probe_app(environment="production")
    plain = app.create_token(None, "platform", [])
    developer = app.create_token(None, "platform", ["developer"])
    assert codes(app.graphql_raw(INTROSPECTION, token=plain)) == ["INTROSPECTION_DISABLED"]
    assert app.graphql_raw(INTROSPECTION, token=developer)["data"]["__schema"]["queryType"]["name"] == "Query"
    assert app.graphql_raw("{ probe { __typename } }", token=plain)["data"] == {
        "probe": {"__typename": "Probe"}
    }
    never = probe_app(introspection="never")
    assert codes(never.graphql_raw(INTROSPECTION)) == ["INTROSPECTION_DISABLED"]
    always = probe_app(environment="production", introspection="always")
    assert always.graphql_raw(INTROSPECTION, token=always.create_token(None, "platform", []))["data"]


def test_every_readme_example_and_the_standard_introspection_query_pass_the_default_limits() -> None:
    settings = Settings(load_entrypoint_plugins=False)
    registry = build_registry(settings)
    schema = build_schema(registry)._schema
    examples = [e for p in [ROOT / "README.md", *plugin_readmes(registry)] for e in load_examples(p)]
    assert len(examples) >= 15
    limits = QueryLimits.from_settings(settings)
    for example in examples:
        document = parse(example.query, max_lexical_tokens=limits.max_tokens)
        assert check_document(schema, document, limits, example.variables) == [], example.title
        # Room to grow: every example costs at most a quarter of the budget.
        assert query_cost(schema, document, example.variables) <= limits.max_cost / 4, example.title
    introspection = parse(get_introspection_query(descriptions=True), max_lexical_tokens=limits.max_tokens)
    assert check_document(schema, introspection, limits) == []


def test_cost_model_multiplies_nested_pages() -> None:
    schema = build_schema(build_registry(Settings(load_entrypoint_plugins=False, load_builtin_plugins=False)))
    graphql_schema = schema._schema
    # households: 1 + 100 × (nodes: 1 + members: 1 + firstName: 1)
    assert (
        query_cost(graphql_schema, parse("{ households(first: 100) { nodes { members { firstName } } } }"))
        == 301
    )
    # totalCount is not multiplied; the default page size (20) applies without `first`.
    assert (
        query_cost(graphql_schema, parse("{ organisations { totalCount nodes { id } } }")) == 1 + 1 + 20 * 2
    )
    nested = "{ organisations(first: 10) { nodes { sites(first: 10) { nodes { name } } } } }"
    assert query_cost(graphql_schema, parse(nested)) == 1 + 10 * (1 + 1 + 10 * 2)
    spread = "{ organisations(first: 10) { ...O } } fragment O on OrganisationConnection { nodes { id } }"
    assert query_cost(graphql_schema, parse(spread)) == 1 + 10 * 2


def test_duplicates_are_counted_on_merged_fields_through_fragments() -> None:
    schema = build_schema(build_registry(Settings(load_entrypoint_plugins=False, load_builtin_plugins=False)))
    limits = QueryLimits(max_duplicate_fields=10)
    # 4 × 4 × 4 `code` fields answer one response path once merged: 64, though no selection repeats 5.
    tree = "schemes { " + " ".join(["criteria { " + " ".join(["code"] * 4) + " }"] * 4) + " }"
    document = parse("{ " + " ".join([tree] * 4) + " }")
    assert [e.extensions["code"] for e in check_document(schema._schema, document, limits)] == [
        "TOO_MANY_DUPLICATE_FIELDS"
    ]
    spreads = parse("{ schemes { ...S ...S ...S } } fragment S on Scheme { code code code code }")
    assert check_document(schema._schema, spreads, limits)[0].extensions["found"] == 12
    legit = parse("{ schemes { code ...S } } fragment S on Scheme { code label }")
    assert check_document(schema._schema, legit, limits) == []
