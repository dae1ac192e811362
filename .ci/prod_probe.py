"""The requests of `make prod-check`, against gunicorn on loopback as a browser behind the TLS proxy makes them.

Standard library only: it runs with the production virtualenv, which has no test tools. Exits 1 at the first
answer that is not what a user or a load balancer should get, naming it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import sys
import time
from email.message import Message
from http.cookies import SimpleCookie
from urllib.parse import urlencode


class CheckFailed(Exception):
    pass


class Browser:
    """One user's cookie jar; every request looks as if it came through the HTTPS proxy, unless told otherwise."""

    def __init__(self, port: int, host: str) -> None:
        self.port, self.host = port, host
        self.cookies: dict[str, str] = {}

    def get(self, path: str, *, via_proxy: bool = True) -> tuple[int, Message, bytes]:
        return self._request("GET", path, None, via_proxy)

    def post(self, path: str, form: dict[str, str]) -> tuple[int, Message, bytes]:
        return self._request("POST", path, form, True)

    def _request(
        self, method: str, path: str, form: dict[str, str] | None, via_proxy: bool
    ) -> tuple[int, Message, bytes]:
        headers = {"Host": self.host}
        if via_proxy:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            origin = f"https://{self.host}"
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + path}
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, data

    def log_in(self, username: str, password: str) -> None:
        status, _, body = self.get("/login/")
        expect(status == 200, f"login page answered {status}")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": csrf_token(body)}
        status, headers, _ = self.post("/login/", form)
        expect(status == 302 and headers["Location"] == "/", f"logging in as {username} answered {status}")


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def csrf_token(html: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    expect(match is not None, "no CSRF token in the form")
    assert match is not None
    return match[1].decode()


def errors_on(page: bytes) -> str:
    """The form errors a page shows, for the failure message."""
    found = re.findall(rb'class="errornote"[^>]*>(.*?)<|class="errorlist[^"]*"[^>]*><li>(.*?)<', page, re.S)
    return "; ".join(b"".join(parts).decode().strip() for parts in found) or "no error shown"


def first(pattern: str, html: bytes, what: str) -> str:
    match = re.search(pattern.encode(), html)
    expect(match is not None, f"no {what} on the page")
    assert match is not None
    return match[1].decode()


def wait_until_up(browser: Browser, seconds: float) -> None:
    """Poll /healthz while gunicorn's workers boot."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            browser.get("/healthz", via_proxy=False)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise CheckFailed(f"the server did not answer within {seconds:.0f} s") from None
            time.sleep(0.25)


def check_health_and_https(browser: Browser) -> None:
    status, headers, body = browser.get("/healthz", via_proxy=False)
    expect(status == 200 and json.loads(body) == {"status": "ok"}, f"/healthz answered {status} {body[:200]!r}")
    report("healthz over plain HTTP: 200 {status: ok}")
    status, headers, _ = browser.get("/login/", via_proxy=False)
    expect(status == 301 and headers["Location"].startswith("https://"), f"plain HTTP answered {status}, not 301")
    report("a page over plain HTTP: 301 to https://")


def check_login_page_and_static(browser: Browser) -> None:
    status, headers, body = browser.get("/login/")
    expect(status == 200, f"login page answered {status}")
    expect("max-age" in (headers["Strict-Transport-Security"] or ""), "no HSTS header with HTTPS=1")
    report("login page: 200, with HSTS")
    css = first(r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', body, "hashed Bootstrap link")
    status, headers, body = browser.get(css)
    expect(status == 200 and headers["Content-Type"].startswith("text/css"), f"{css} answered {status}")
    expect("immutable" in (headers["Cache-Control"] or ""), f"{css} is not cached as immutable")
    expect(b"Bootstrap" in body[:200], f"{css} is not Bootstrap")
    report(f"static file {css}: 200 text/css, immutable")


def check_clinician_pages(browser: Browser, username: str, password: str) -> None:
    browser.log_in(username, password)
    status, _, worklist = browser.get("/")
    expect(status == 200, f"worklist answered {status}")
    workups = list(dict.fromkeys(re.findall(rb'href="(/workups/[0-9a-f-]{36}/)"', worklist)))
    expect(bool(workups), "the worklist lists no workup")
    report(f"worklist as {username}: 200, {len(workups)} workups")
    letter_new = None
    for path in workups:
        status, _, page = browser.get(path.decode())
        expect(status == 200, f"workup page {path.decode()} answered {status}")
        found = re.search(rb'href="(/letters/workup/[0-9a-f-]{36}/new/)"', page)
        if found:
            letter_new = found[1].decode()
            break
    report(f"workup pages: 200 ({workups.index(path) + 1} opened)")
    expect(letter_new is not None, "no demo workup offers a referral letter")
    assert letter_new is not None
    check_letter_pdf(browser, letter_new)


def check_letter_pdf(browser: Browser, letter_new: str) -> None:
    status, _, page = browser.get(letter_new)
    expect(status == 200, f"{letter_new} answered {status}")
    service = first(r'name="service"[^>]*value="([^"]+)"', page, "referral service")
    status, headers, _ = browser.post(letter_new, {"csrfmiddlewaretoken": csrf_token(page), "service": service})
    expect(status == 302 and headers["Location"].startswith("/letters/"), f"preparing a letter answered {status}")
    pdf_path = headers["Location"] + "pdf/"
    status, headers, body = browser.get(pdf_path)
    expect(status == 200, f"{pdf_path} answered {status}")
    expect(headers["Content-Type"] == "application/pdf", f"{pdf_path} is {headers['Content-Type']}")
    expect(body.startswith(b"%PDF-"), f"{pdf_path} does not start with %PDF-")
    report(f"draft letter PDF: 200 application/pdf, {len(body)} bytes")


def check_operator_admin(browser: Browser, username: str, password: str) -> None:
    status, _, page = browser.get("/admin/login/")
    expect(status == 200, f"admin login page answered {status}")
    form = {"username": username, "password": password, "csrfmiddlewaretoken": csrf_token(page), "next": "/admin/"}
    status, _, page = browser.post("/admin/login/", form)
    expect(status == 302, f"operator login answered {status}: {errors_on(page)}")
    status, _, page = browser.get("/admin/")
    expect(status == 200 and b"Site administration" in page, f"admin index answered {status}")
    report(f"admin as the operator {username}: 200")


def report(line: str) -> None:
    sys.stdout.write(f"prod-check: ok  {line}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", required=True, help="a name in ALLOWED_HOSTS")
    parser.add_argument("--user", nargs=2, metavar=("USERNAME", "PASSWORD"), required=True, help="a clinician")
    parser.add_argument("--operator", nargs=2, metavar=("USERNAME", "PASSWORD"), required=True)
    args = parser.parse_args()
    try:
        wait_until_up(Browser(args.port, args.host), 30)
        check_health_and_https(Browser(args.port, args.host))
        check_login_page_and_static(Browser(args.port, args.host))
        check_clinician_pages(Browser(args.port, args.host), *args.user)
        check_operator_admin(Browser(args.port, args.host), *args.operator)
    except (CheckFailed, OSError) as exc:
        sys.stderr.write(f"prod-check: FAILED {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
