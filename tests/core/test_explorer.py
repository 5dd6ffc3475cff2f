"""Tests of the in-browser GraphQL explorer: HTTP routes, README examples, headless Chromium."""

from __future__ import annotations

import asyncio
import html
import json
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.extensions import DisableIntrospection

from core.explorer import CONTENT_SECURITY_POLICY, explorer_page, routes
from core.explorer.examples import Example, load_examples, parse_examples

CHROMIUM = Path("/usr/bin/chromium")
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
ABSOLUTE_URL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:|//)""", re.IGNORECASE)

README = """\
# thema

Intro text.

## Saluer quelqu'un

```graphql
query Hello($name: String) {
  hello(name: $name)
}
```

```json
{"name": "Ada"}
```

## Mutations

<!-- example: Echo a text -->
```graphql
mutation { echo(text: "salut") }
```
"""


# ---- A tiny schema and app, like the real one wires the explorer ------------------------------


def resolve_hello(
    name: Annotated[str | None, strawberry.argument(description="Prénom")] = None,
) -> str:
    """Say hello."""
    return f"Bonjour, {name or 'monde'} !"


def resolve_echo(text: str) -> str:
    """Echo the text."""
    return text


@strawberry.type(description="Lectures publiques.")
class Query:
    """Test query root."""

    hello: str = strawberry.field(resolver=resolve_hello, description="Salue quelqu'un par son nom.")


@strawberry.type(description="Écritures.")
class Mutation:
    """Test mutation root."""

    echo: str = strawberry.mutation(resolver=resolve_echo, description="Renvoie le texte reçu.")


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation)
SCHEMA_NO_INTROSPECTION = strawberry.Schema(query=Query, mutation=Mutation, extensions=[DisableIntrospection])


def make_app(readme_path: Path | None, schema: strawberry.Schema = SCHEMA) -> Starlette:
    """Build a Starlette app serving the explorer and executing POSTs against the schema."""

    async def graphql(request: Request) -> Response:
        if request.method == "GET":
            if "text/html" in request.headers.get("accept", ""):
                return await explorer_page(request)
            return JSONResponse({"errors": [{"message": "use POST"}]}, status_code=405)
        payload = await request.json()
        result = await schema.execute(payload["query"], variable_values=payload.get("variables"))
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        return JSONResponse(body)

    return Starlette(routes=[Route("/graphql", graphql, methods=["GET", "POST"]), *routes(readme_path)])


@pytest.fixture
def readme(tmp_path: Path) -> Path:
    """A README with two graphql examples, the first with a json variables block."""
    path = tmp_path / "README.md"
    path.write_text(README, encoding="utf-8")
    return path


def get(app: ASGIApp, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """GET a path from the ASGI app in process (no server, no network)."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(go())


@pytest.fixture
def app(readme: Path) -> Starlette:
    """The test app, with the README examples."""
    return make_app(readme)


# ---- HTTP -----------------------------------------------------------------------------------


def assert_security_headers(response: httpx.Response) -> None:
    """Every explorer response carries the strict CSP and companions."""
    assert response.headers["content-security-policy"] == EXPECTED_CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-cache"


def test_csp_constant_is_the_documented_policy() -> None:
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP


def test_page_is_html_with_strict_headers_and_no_external_url(app: Starlette) -> None:
    response = get(app, "/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert_security_headers(response)
    page = response.text
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert not ABSOLUTE_URL.search(page)
    assert "http:" not in page and "https:" not in page
    assert 'src="/graphql/explorer/explorer.js"' in page
    assert 'href="/graphql/explorer/explorer.css"' in page
    # Nothing inline that the CSP would block.
    assert "<style" not in page and " style=" not in page
    assert not re.search(r"<script(?![^>]*\ssrc=)", page)
    assert not re.search(r"\son[a-z]+\s*=", page)
    assert 'id="result"' in page


def test_assets_are_served_with_their_types(app: Starlette) -> None:
    js = get(app, "/graphql/explorer/explorer.js")
    css = get(app, "/graphql/explorer/explorer.css")
    assert js.status_code == css.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert css.headers["content-type"].startswith("text/css")
    for response in (js, css):
        assert_security_headers(response)
        assert "etag" in response.headers
    for url in ("http://", "https://", "eval(", "new Function", "innerHTML"):
        assert url not in js.text
    assert "url(" not in css.text and "@import" not in css.text


def test_assets_revalidate_with_etag(app: Starlette) -> None:
    first = get(app, "/graphql/explorer/explorer.css")
    again = get(app, "/graphql/explorer/explorer.css", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("name", ["explorer.html", "__init__.py", "..%2F__init__.py", "nope.js"])
def test_only_known_assets_are_served(app: Starlette, name: str) -> None:
    response = get(app, f"/graphql/explorer/{name}")
    assert response.status_code == 404


def test_examples_endpoint_lists_the_readme_examples(app: Starlette) -> None:
    response = get(app, "/graphql/examples")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert_security_headers(response)
    assert response.json() == [
        {
            "title": "Saluer quelqu'un",
            "query": "query Hello($name: String) {\n  hello(name: $name)\n}",
            "variables": {"name": "Ada"},
        },
        {
            "title": "Echo a text",
            "query": 'mutation { echo(text: "salut") }',
            "variables": None,
        },
    ]


def test_examples_endpoint_without_readme() -> None:
    assert get(make_app(None), "/graphql/examples").json() == []


def test_examples_endpoint_reports_a_broken_variables_block(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    path.write_text("# T\n```graphql\n{ hello }\n```\n```json\n{oops\n```\n", encoding="utf-8")
    response = get(make_app(path), "/graphql/examples")
    assert response.status_code == 500
    assert "invalid JSON variables block" in response.json()["error"]


def test_page_follows_the_mount_prefix(readme: Path) -> None:
    outer = Starlette(routes=[Mount("/api", app=make_app(readme))])
    page = get(outer, "/api/graphql", headers={"accept": "text/html"}).text
    assert 'src="/api/graphql/explorer/explorer.js"' in page
    assert 'href="/api/graphql/explorer/explorer.css"' in page
    assert get(outer, "/api/graphql/explorer/explorer.js").status_code == 200


# ---- load_examples --------------------------------------------------------------------------


def test_load_examples_titles_and_variables(readme: Path) -> None:
    assert load_examples(readme) == [
        Example(
            title="Saluer quelqu'un",
            query="query Hello($name: String) {\n  hello(name: $name)\n}",
            variables={"name": "Ada"},
        ),
        Example(title="Echo a text", query='mutation { echo(text: "salut") }', variables=None),
    ]


def test_load_examples_missing_file(tmp_path: Path) -> None:
    assert load_examples(tmp_path / "absent.md") == []
    assert load_examples(None) == []


def test_block_without_heading_gets_a_numbered_title() -> None:
    markdown = "Some text.\n\n```graphql\n{ a }\n```\n\n```graphql\n{ b }\n```\n"
    assert [e.title for e in parse_examples(markdown)] == ["Example 1", "Example 2"]


def test_nearest_heading_wins_and_code_blocks_hide_headings() -> None:
    markdown = (
        "# Top\n\n## `Offres` par ville ##\n\n```bash\n# not a heading\n```\n\n"
        "```graphql\n{ offres }\n```\n\n### Détail\n\n```graphql\n{ offre(id: 1) }\n```\n"
    )
    assert [e.title for e in parse_examples(markdown)] == ["Offres par ville", "Détail"]


def test_repeated_titles_are_made_unique() -> None:
    markdown = "## Same\n```graphql\n{ a }\n```\n```graphql\n{ b }\n```\n"
    assert [e.title for e in parse_examples(markdown)] == ["Same", "Same (2)"]


def test_json_block_counts_only_right_after_the_graphql_block() -> None:
    markdown = (
        '## A\n```graphql\n{ a }\n```\nText between.\n```json\n{"x": 1}\n```\n'
        '## B\n~~~graphql\n{ b }\n~~~\n\n\n~~~json\n{"y": [1, 2]}\n~~~\n'
    )
    examples = parse_examples(markdown)
    assert [(e.title, e.variables) for e in examples] == [("A", None), ("B", {"y": [1, 2]})]


def test_other_languages_are_ignored() -> None:
    markdown = "## A\n```python\nprint(1)\n```\n```graphqls\ntype X { a: Int }\n```\n"
    assert parse_examples(markdown) == []


@pytest.mark.parametrize("body", ["{oops", "[1, 2]"])
def test_bad_variables_block_raises(body: str) -> None:
    markdown = f"## A\n```graphql\n{{ a }}\n```\n```json\n{body}\n```\n"
    with pytest.raises(ValueError, match=r"README:5: "):
        parse_examples(markdown)


def test_example_is_frozen() -> None:
    example = Example(title="t", query="{ a }", variables=None)
    with pytest.raises(AttributeError):
        example.title = "u"  # type: ignore[misc]


# ---- Headless Chromium ----------------------------------------------------------------------


class RequestLog:
    """ASGI wrapper that records the (method, path) of every HTTP request the server got."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.seen.append((scope["method"], scope["path"]))
        await self.app(scope, receive, send)


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Run the app with uvicorn on a free loopback port in a thread; yield its origin."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_level="warning", log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


def dump_dom(url: str, workdir: Path) -> tuple[str, list[str]]:
    """Load the URL in headless Chromium; return the final DOM and the page's request URLs."""
    netlog = workdir / "netlog.json"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--disable-features=AutofillServerCommunication,Translate,MediaRouter",
        # Belt and braces: any host but the loopback test server fails to resolve.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--user-data-dir={workdir / 'profile'}",
        f"--log-net-log={netlog}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    # Requests the page itself started carry its origin as initiator; Chromium's own
    # background traffic (updates, accounts) does not and is blocked by the resolver rule.
    page_requests = [
        event["params"]["url"]
        for event in log["events"]
        if event["type"] == start_job and event.get("params", {}).get("initiator") == origin
    ]
    return done.stdout, page_requests


def body_attributes(dom: str) -> dict[str, str]:
    """The attributes of the dumped page's <body>."""
    match = re.search(r"<body([^>]*)>", dom)
    assert match is not None, dom[:500]
    return dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))


def element_text(dom: str, element_id: str) -> str:
    """The text of the element with that id (no nested element of the same tag)."""
    match = re.search(rf'<(\w+)[^>]*\sid="{element_id}"[^>]*>(.*?)</\1>', dom, re.DOTALL)
    assert match is not None, f"#{element_id} not in the DOM"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(2)))


needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)


@pytest.mark.browser
@needs_chromium
def test_browser_runs_a_query_through_the_explorer(readme: Path, tmp_path: Path) -> None:
    app = RequestLog(make_app(readme))
    query = "query Hello($name: String) { hello(name: $name) }"
    params = urlencode({"query": query, "variables": '{"name": "Zoé"}', "run": "1"})
    with serve(app) as origin:
        dom, page_requests = dump_dom(f"{origin}/graphql?{params}", tmp_path)

    body = body_attributes(dom)
    assert body["data-state"] == "done", element_text(dom, "status")
    result = json.loads(element_text(dom, "result"))
    assert result == {"data": {"hello": "Bonjour, Zoé !"}}
    assert "HTTP 200" in element_text(dom, "status")
    # The side panels loaded too: examples from the README, schema by introspection.
    assert body["data-examples"] == "ready"
    assert "Saluer quelqu'un" in element_text(dom, "examples")
    assert body["data-schema"] == "ready"
    type_list = element_text(dom, "type-list")
    assert type_list.index("Query") < type_list.index("Mutation") < type_list.index("String")
    # Same origin only: no CSP violation, every request the page made went to the test server.
    assert body["data-csp-violations"] == "0"
    assert page_requests, "the net log recorded no request from the page"
    assert {urlsplit(url).netloc for url in page_requests} == {urlsplit(origin).netloc}
    assert {urlsplit(url).path for url in page_requests} >= {
        "/graphql",
        "/graphql/examples",
        "/graphql/explorer/explorer.js",
        "/graphql/explorer/explorer.css",
    }
    assert app.seen.count(("POST", "/graphql")) >= 2  # the introspection and the query


@pytest.mark.browser
@needs_chromium
def test_browser_reports_refused_introspection_and_bad_variables(readme: Path, tmp_path: Path) -> None:
    app = make_app(readme, schema=SCHEMA_NO_INTROSPECTION)
    params = urlencode({"query": "{ hello }", "variables": "{oops", "run": "1"})
    with serve(app) as origin:
        dom, _ = dump_dom(f"{origin}/graphql?{params}", tmp_path)

    body = body_attributes(dom)
    assert body["data-state"] == "error"
    assert "not valid JSON" in element_text(dom, "variables-error")
    assert body["data-schema"] == "error"
    assert "introspection" in element_text(dom, "schema-status").lower()
    assert body["data-csp-violations"] == "0"


@pytest.mark.browser
@needs_chromium
def test_browser_runs_a_query_through_the_real_app(tmp_path: Path) -> None:
    from core.testing import make_test_app
    from tests.core import sample_plugin

    thema = make_test_app(tmp_path, [sample_plugin])
    try:
        thema.graphql(
            'mutation { createOrganisation(input: {name: "Clésence", kind: LANDLORD}) { userErrors { code } } }'
        )
        params = urlencode({"query": "{ organisations { totalCount nodes { name } } }", "run": "1"})
        with serve(thema.app) as origin:
            dom, page_requests = dump_dom(f"{origin}/graphql?{params}#token={thema.token}", tmp_path)
    finally:
        thema.close()
    body = body_attributes(dom)
    assert body["data-state"] == "done", element_text(dom, "status")
    assert json.loads(element_text(dom, "result")) == {
        "data": {"organisations": {"totalCount": 1, "nodes": [{"name": "Clésence"}]}}
    }
    assert body["data-schema"] == "ready" and body["data-examples"] == "ready"
    assert body["data-csp-violations"] == "0"
    assert {urlsplit(url).netloc for url in page_requests} == {urlsplit(origin).netloc}
    assert thema.token not in " ".join(page_requests)  # the fragment never reaches the server


def test_real_app_serves_the_explorer_with_the_readme_examples(tmp_path: Path) -> None:
    from core.testing import make_test_app

    thema = make_test_app(tmp_path, [])
    try:
        page = thema.request("GET", "/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        examples = thema.request("GET", "/graphql/examples").json()
        assert any("Vivaldi" in e["title"] for e in examples)
    finally:
        thema.close()
