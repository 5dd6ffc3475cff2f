"""In-browser GraphQL explorer served by the app itself, with no request to any other host."""

from __future__ import annotations

import hashlib
import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from core.explorer.examples import Example, load_examples

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "SECURITY_HEADERS",
    "Example",
    "explorer_page",
    "load_examples",
    "routes",
]

logger = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# Revalidate every time: the files are tiny and the ETag makes the check cheap.
_CACHE_CONTROL = "no-cache"

_ASSET_TYPES: dict[str, str] = {
    "explorer.js": "text/javascript; charset=utf-8",
    "explorer.css": "text/css; charset=utf-8",
}
_ROOT_PLACEHOLDER = "__ROOT__"


@dataclass(frozen=True)
class _Asset:
    """A static file's bytes and its strong ETag."""

    body: bytes
    etag: str


@cache
def _asset(name: str) -> _Asset:
    """Read a file from the package's static folder (cached for the process)."""
    body = resources.files(__name__).joinpath("static", name).read_bytes()
    return _Asset(body=body, etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def _headers(etag: str | None = None) -> dict[str, str]:
    """Security and caching headers shared by every explorer response."""
    headers = {**SECURITY_HEADERS, "Cache-Control": _CACHE_CONTROL}
    if etag is not None:
        headers["ETag"] = etag
    return headers


def _not_modified(request: Request, etag: str) -> bool:
    """Tell whether the browser's cached copy (If-None-Match) is still current."""
    sent = request.headers.get("if-none-match", "")
    return etag in {tag.strip().removeprefix("W/") for tag in sent.split(",")}


async def explorer_page(request: Request) -> Response:
    """Return the explorer's HTML page (for a browser GET of /graphql)."""
    root = html.escape(request.scope.get("root_path", "").rstrip("/"), quote=True)
    template = _asset("explorer.html").body.decode("utf-8")
    body = template.replace(_ROOT_PLACEHOLDER, root).encode("utf-8")
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if _not_modified(request, etag):
        return Response(status_code=304, headers=_headers(etag))
    return Response(body, media_type="text/html; charset=utf-8", headers=_headers(etag))


async def _serve_asset(request: Request) -> Response:
    """Serve one of the explorer's own static files, nothing else."""
    name = request.path_params["name"]
    media_type = _ASSET_TYPES.get(name)
    if media_type is None:
        return Response("Not Found", status_code=404, media_type="text/plain", headers=_headers())
    asset = _asset(name)
    if _not_modified(request, asset.etag):
        return Response(status_code=304, headers=_headers(asset.etag))
    return Response(asset.body, media_type=media_type, headers=_headers(asset.etag))


def _examples_endpoint(readme_paths: Sequence[Path | None]) -> Route:
    """Build the /graphql/examples route; the READMEs are re-read on each request."""

    async def examples(request: Request) -> Response:
        """List the READMEs' example queries as JSON, in order."""
        try:
            found = [example for path in readme_paths for example in load_examples(path)]
        except (ValueError, UnicodeDecodeError) as exc:
            logger.warning("explorer examples unavailable: %s", exc)
            return JSONResponse({"error": str(exc)}, status_code=500, headers=_headers())
        return JSONResponse([example.to_json() for example in found], headers=_headers())

    return Route("/graphql/examples", examples, methods=["GET"], name="explorer_examples")


def routes(readme_path: Path | None, more: Sequence[Path] = ()) -> list[BaseRoute]:
    """Routes for the explorer's assets (/graphql/explorer/...) and /graphql/examples.

    Examples come from ``readme_path`` first, then from each of ``more`` (e.g. plugins' READMEs).
    """
    return [
        _examples_endpoint([readme_path, *more]),
        Route(
            "/graphql/explorer/{name}",
            _serve_asset,
            methods=["GET"],
            name="explorer_asset",
        ),
    ]
