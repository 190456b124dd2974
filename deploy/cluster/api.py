"""A small HTTP client for the app's API (token auth), over one new connection per request
as a kiosk or a teacher's script would use it."""

from __future__ import annotations

import http.client
import json
import uuid


class ApiError(RuntimeError):
    def __init__(self, method: str, path: str, status: int, body: bytes):
        super().__init__(f"{method} {path} -> HTTP {status}: {body[:300]!r}")
        self.status = status


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, data) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Api:
    def __init__(self, host: str, port: int, authorization: str = "", timeout: float = 30):
        self.host, self.port, self.timeout = host, port, timeout
        self.authorization = authorization

    def request(self, method: str, path: str, body: bytes = b"", content_type: str = ""):
        """(status, body bytes); connection errors raise OSError / http.client errors."""
        headers = {"Content-Length": str(len(body))}
        if content_type:
            headers["Content-Type"] = content_type
        if self.authorization:
            headers["Authorization"] = self.authorization
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def call(self, method: str, path: str, data=None, *, expect=(200, 201, 202, 204)):
        body = json.dumps(data).encode() if data is not None else b""
        status, answer = self.request(method, path, body, "application/json" if body else "")
        if status not in expect:
            raise ApiError(method, path, status, answer)
        return json.loads(answer) if answer else None

    def upload(self, path: str, field: str, filename: str, data: bytes, expect=(202,)):
        body, content_type = multipart({}, {field: (filename, data)})
        status, answer = self.request("POST", path, body, content_type)
        if status not in expect:
            raise ApiError("POST", path, status, answer)
        return json.loads(answer)

    def get(self, path: str, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, data=None, **kwargs):
        return self.call("POST", path, data, **kwargs)

    def every(self, path: str) -> list:
        """All items of a list (the run's lists are far below one page of 1000)."""
        page = self.get(f"{path}?limit=1000")
        return page if isinstance(page, list) else page["results"]
