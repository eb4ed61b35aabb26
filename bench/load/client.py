"""A small asyncio HTTP/1.1 client for the load test: no dependencies, little CPU per request.

It keeps its own cookie jar per virtual user (the production site marks cookies `Secure`; the bench
talks plain HTTP to gunicorn on 127.0.0.1 the way the reverse proxy would, so the flag is ignored).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def csrf_token(self) -> str | None:
        match = _CSRF_RE.search(self.text)
        return match.group(1) if match else None


@dataclass
class Session:
    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str | None = None
    name: str = "anonymous"

    async def request(self, method: str, path: str, form: dict | None = None, timeout: float = 30.0) -> Response:
        started = time.perf_counter()
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: close",
                 "Accept-Language: ja", "User-Agent: tsunagari-bench"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}",
                      f"Referer: http://{self.host}:{self.port}{path}"]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), timeout)
        try:
            writer.write(payload)
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            status = int(status_line.split(" ", 2)[1])
            headers: dict[str, str] = {}
            for line in header_lines:
                if ":" not in line:
                    continue
                name, value = line.split(":", 1)
                name = name.strip().lower()
                if name == "set-cookie":
                    cookie = value.strip().split(";", 1)[0]
                    key, _, val = cookie.partition("=")
                    if val:
                        self.cookies[key] = val
                    else:
                        self.cookies.pop(key, None)
                headers[name] = value.strip()
            if "content-length" in headers:
                data = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), timeout)
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int((await reader.readline()).strip() or b"0", 16)
                    if size == 0:
                        await reader.readline()
                        break
                    chunks.append(await reader.readexactly(size))
                    await reader.readline()
                data = b"".join(chunks)
            else:
                data = await asyncio.wait_for(reader.read(), timeout)
        finally:
            writer.close()
        return Response(status, headers, data, time.perf_counter() - started)

    async def get(self, path: str) -> Response:
        return await self.request("GET", path)

    async def post(self, path: str, form: dict) -> Response:
        if self.csrf and "csrf_token" not in form:
            form = {"csrf_token": self.csrf, **form}
        return await self.request("POST", path, form)

    async def login(self, login_id: str, password: str) -> bool:
        page = await self.get("/login")
        token = page.csrf_token()
        response = await self.request("POST", "/login",
                                      {"csrf_token": token or "", "login_id": login_id, "password": password})
        if response.status != 302:
            return False
        self.name = login_id
        form = await self.get("/diaries/new")
        self.csrf = form.csrf_token()
        return self.csrf is not None
