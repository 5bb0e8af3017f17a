"""A small asyncio HTTP/1.1 client for `manage.py load`: one connection per request (gunicorn's
sync workers close every connection), a cookie jar, forms sent as a browser sends them.

It is written on asyncio's streams rather than a client library because on a 2-core machine the
load generator competes with the server it measures: this one spends about a tenth of a
millisecond of CPU on a request.
"""

import asyncio
import re
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class RequestFailed(Exception):
    """The request got no complete answer (refused, reset, timed out)."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names; the last value of a repeated header
    cookies: list[str]  # each Set-Cookie header as sent
    body: bytes
    elapsed: float  # seconds, from connecting to the last byte

    @property
    def location(self) -> str:
        return urlsplit(self.headers.get("location", "")).path

    def csrf_token(self) -> str:
        match = CSRF_INPUT.search(self.body)
        if match is None:
            raise RequestFailed(f"no CSRF token in the {self.status} page")
        return match.group(1).decode()


@dataclass
class Browser:
    """One person's browser: the server it talks to and the cookies it keeps."""

    host: str
    port: int
    timeout: float = 30.0
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def get(self, path: str, *, headers: dict[str, str] | None = None) -> Response:
        return await self.request("GET", path, headers=headers)

    async def post_form(self, path: str, fields: dict[str, str], *, multipart: bool = False) -> Response:
        """A form post, as a browser sends it: urlencoded, or multipart with an empty file input
        (`attachments`, the name every form with files here uses)."""
        if multipart:
            boundary = "----load" + secrets.token_hex(12)
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                for name, value in fields.items()
            ]
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename=""\r\n'
                "Content-Type: application/octet-stream\r\n\r\n\r\n"
            )
            body = ("".join(parts) + f"--{boundary}--\r\n").encode()
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        headers = {"Content-Type": content_type, "Origin": self.origin, "Referer": self.origin + path}
        return await self.request("POST", path, body=body, headers=headers)

    async def request(
        self, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Response:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "User-Agent: servicedesk-load",
            "Accept: text/html",
            "Connection: close",
        ]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        started = time.perf_counter()
        try:
            response = await asyncio.wait_for(self._exchange(raw), self.timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            raise RequestFailed(f"{type(exc).__name__}: {exc}") from exc
        response.elapsed = time.perf_counter() - started
        for cookie in response.cookies:
            self._keep(cookie)
        return response

    async def _exchange(self, raw: bytes) -> Response:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(raw)
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            status = int(status_line.split(" ", 2)[1])
            headers, cookies = {}, []
            for line in header_lines:
                if not line:
                    continue
                name, _, value = line.partition(":")
                name, value = name.strip().lower(), value.strip()
                if name == "set-cookie":
                    cookies.append(value)
                headers[name] = value
            length = headers.get("content-length")
            body = await (reader.readexactly(int(length)) if length is not None else reader.read())
            return Response(status, headers, cookies, body, 0.0)
        finally:
            writer.close()

    def _keep(self, set_cookie: str) -> None:
        pair, *attributes = set_cookie.split(";")
        name, _, value = pair.strip().partition("=")
        expired = any(a.strip().lower() in ("max-age=0",) for a in attributes) or "1970" in set_cookie
        if expired or not value.strip('"'):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value
