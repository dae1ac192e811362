"""The HTTP side of `make loadtest`: a timed browser per simulated user, forms read as a browser submits them, and
the per-endpoint statistics. Standard library only, on loopback; built on prod_probe's Browser (cookies, CSRF).
"""

from __future__ import annotations

import html
import http.client
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from email.message import Message

from prod_probe import Browser

UUID = r"[0-9a-f-]{36}"
ENDPOINTS = [  # (method, path pattern, name): the first match names a request
    ("GET", r"/login/", "login page"),
    ("POST", r"/login/", "log in"),
    ("GET", r"/", "worklist"),
    ("GET", r"/whoami", "whoami (floor)"),
    ("GET", r"/healthz", "healthz"),
    ("GET", rf"/workups/{UUID}/", "workup page"),
    ("POST", rf"/workups/{UUID}/labs/", "lab save"),
    ("POST", rf"/workups/{UUID}/[a-z]+/", "section save"),
    ("GET", rf"/letters/workup/{UUID}/new/", "letter: choose"),
    ("POST", rf"/letters/workup/{UUID}/new/", "letter: prepare draft"),
    ("GET", rf"/letters/{UUID}/", "letter page (preview)"),
    ("POST", rf"/letters/{UUID}/sign/", "sign"),
    ("GET", rf"/letters/{UUID}/pdf/", "PDF"),
    ("GET", rf"/letters/{UUID}/addendum/", "addendum form"),
    ("POST", rf"/letters/{UUID}/addendum/", "addendum"),
]
NO_ANSWER = 0  # the status recorded when the server closed the connection without answering


def endpoint(method: str, path: str) -> str:
    path = path.split("?", 1)[0]
    return next((name for m, pattern, name in ENDPOINTS if m == method and re.fullmatch(pattern, path)), path)


@dataclass(frozen=True)
class Sample:
    name: str
    status: int
    start: float  # time.monotonic() when sent
    seconds: float


class Recorder:
    """Every request's endpoint, status and time, from all the simulated users' threads."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self._lock = threading.Lock()

    def add(self, sample: Sample) -> None:
        with self._lock:
            self.samples.append(sample)

    def since(self, start: float) -> list[Sample]:
        with self._lock:
            return [s for s in self.samples if s.start >= start]


class TimedBrowser(Browser):
    """prod_probe's Browser, timing each request and answering NO_ANSWER instead of raising when the server drops it."""

    def __init__(self, port: int, host: str, recorder: Recorder, *, label: str = "") -> None:
        super().__init__(port, host)
        self.recorder, self.label = recorder, label

    def _request(
        self, method: str, path: str, form: dict[str, str] | None, via_proxy: bool
    ) -> tuple[int, Message, bytes]:
        start = time.monotonic()
        try:
            status, headers, body = super()._request(method, path, form, via_proxy)
        except (OSError, http.client.HTTPException):
            status, headers, body = NO_ANSWER, Message(), b""
        name = self.label or endpoint(method, path)
        self.recorder.add(Sample(name, status, start, time.monotonic() - start))
        return status, headers, body

    def post_pairs(self, path: str, pairs: list[tuple[str, str]]) -> tuple[int, Message, bytes]:
        """POST a form with repeated names (checkboxes), as a browser sends it."""
        return self._request("POST", path, _MultiDict(pairs), True)


class _MultiDict(dict[str, str]):
    """Form pairs that urlencode() sends in order, repeated names included (it iterates .items())."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(pairs)
        self.pairs = pairs

    def items(self):  # type: ignore[override]
        return iter(self.pairs)


# Forms, read from a page as a browser would submit them.

_TAG_ATTR = re.compile(r'([a-zA-Z_:][-\w:.]*)(?:\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s>]+)))?')


def _attrs(tag: str) -> dict[str, str]:
    inner = re.sub(r"^<\w+|/?>$", "", tag)
    return {m[1].lower(): html.unescape(m[2] or m[3] or m[4] or "") for m in _TAG_ATTR.finditer(inner)}


def form_fields(page: bytes, action: str) -> list[tuple[str, str]] | None:
    """The (name, value) pairs the form posting to ``action`` submits as it stands; None without such a form."""
    text = page.decode("utf-8", "replace")
    start = text.find(f'action="{action}"')
    if start < 0:
        return None
    body = text[start : text.find("</form>", start)]
    body = re.sub(r"<template\b.*?</template>", "", body, flags=re.S)  # a browser submits no template's fields
    pairs: list[tuple[str, str]] = []
    for tag in re.finditer(r"<input\b[^>]*>", body):
        a = _attrs(tag[0])
        kind = a.get("type", "text").lower()
        if "name" not in a or kind in ("submit", "button", "image", "file", "reset"):
            continue
        if kind in ("checkbox", "radio") and "checked" not in a:
            continue
        pairs.append((a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else "")))
    for select in re.finditer(r"(<select\b[^>]*>)(.*?)</select>", body, re.S):
        name = _attrs(select[1]).get("name")
        options = [_attrs(o) for o in re.findall(r"<option\b[^>]*>", select[2])]
        chosen = [o for o in options if "selected" in o] or options[:1]
        pairs += [(name, o.get("value", "")) for o in chosen if name]
    for area in re.finditer(r"(<textarea\b[^>]*>)(.*?)</textarea>", body, re.S):
        name = _attrs(area[1]).get("name")
        if name:
            pairs.append((name, html.unescape(area[2].removeprefix("\n"))))
    return pairs


def replace(pairs: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The pairs with each named field's value replaced (added when absent)."""
    out = [(k, values[k]) if k in values else (k, v) for k, v in pairs]
    return out + [(k, v) for k, v in values.items() if k not in dict(pairs)]


def value_of(pairs: list[tuple[str, str]], name: str) -> str:
    return dict(pairs).get(name, "")


# Statistics.


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (not interpolated)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-int(fraction * 1000) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]


def is_error(status: int) -> bool:
    """No answer, a server error, or a client error other than a refused stale save (409, by design)."""
    return status == NO_ANSWER or status >= 500 or (400 <= status < 500 and status != 409)


def table(samples: list[Sample]) -> list[str]:
    """Requests, errors, p50 and p95 per endpoint, busiest first."""
    by_name: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_name[s.name].append(s)
    lines = [f"  {'endpoint':<24} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8}  statuses"]
    for name, group in sorted(by_name.items(), key=lambda kv: -len(kv[1])):
        times = [s.seconds * 1000 for s in group]
        statuses = Counter(s.status for s in group)
        errors = sum(n for status, n in statuses.items() if is_error(status))
        seen = " ".join(f"{status or 'none'}:{n}" for status, n in sorted(statuses.items()))
        lines.append(
            f"  {name:<24} {len(group):>8} {errors:>6} {percentile(times, 0.5):>8.0f} "
            f"{percentile(times, 0.95):>8.0f}  {seen}"
        )
    return lines
