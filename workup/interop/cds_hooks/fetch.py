"""Read a prefetch item the client did not send from its FHIR server, with the token it passed (spec "FHIR Resource
Access"). Bounded: a short timeout, a size limit, the JSON limits of safe_json, and https unless settings allow http
(a test's loopback server)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings

from workup.interop import safe_json

MAX_BYTES = 2_000_000
TIMEOUT_SECONDS = 5.0


class FetchError(Exception):
    """The FHIR server could not be read: the reason is the message."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the token is for fhirServer only: never carry it to wherever a redirect points


_OPENER = urllib.request.build_opener(_NoRedirect)


def query(template: str, context: dict[str, Any]) -> str:
    """The template with its {{context.x}} tokens filled (spec "Prefetch tokens"), each value URL-quoted."""
    out = template
    for key, value in context.items():
        if isinstance(value, str):
            out = out.replace("{{context." + key + "}}", urllib.parse.quote(value, safe=""))
    if "{{" in out:
        raise FetchError(f"the context has no value for a token of {template}")
    return out


def fetch(server: str, token: str, relative: str) -> Any:
    """GET {server}/{relative} as FHIR JSON with the bearer token; raise FetchError with the reason on any failure."""
    url = server.rstrip("/") + "/" + relative
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme != "https" and not (scheme == "http" and settings.CDS_HOOKS_ALLOW_HTTP_FHIR):
        raise FetchError(f"fhirServer must be https (it is {scheme or 'not a URL'})")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url, headers={"Accept": "application/fhir+json", "Authorization": f"Bearer {token}"}
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"the FHIR server answered {exc.code} to {relative.split('?')[0]}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FetchError(f"the FHIR server could not be reached ({type(exc).__name__})") from None
    if len(body) > MAX_BYTES:
        raise FetchError(f"the FHIR server's answer to {relative.split('?')[0]} is larger than {MAX_BYTES} bytes")
    try:
        return safe_json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchError(f"the FHIR server's answer is not JSON ({exc})") from None
