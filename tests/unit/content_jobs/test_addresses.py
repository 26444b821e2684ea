"""Website and feed fetches reach public addresses only (`providers/addresses.py`), however
the address is written or reached (names, IPv4 inside IPv6, decimal forms, redirects),
unless the allow-list names its network. Against a local server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from content_jobs.providers.addresses import AddressNotAllowed, AddressPolicy, parse_networks
from content_jobs.providers.http import MAX_REDIRECTS, HttpClient
from conveyor.core.errors import PermanentError

LOOPBACK = AddressPolicy(parse_networks("127.0.0.1/32"))


class Site:
    """A local server: /page answers, /hop/<n> redirects n times then to /page, /to?<url> redirects to url."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                site.requests.append(self.path)
                if self.path.startswith("/hop/"):
                    left = int(self.path.rsplit("/", 1)[1])
                    self._redirect(f"/hop/{left - 1}" if left > 1 else "/page")
                elif self.path.startswith("/to?"):
                    self._redirect(self.path.split("?", 1)[1])
                else:
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")

            def _redirect(self, location: str) -> None:
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def site() -> Iterator[Site]:
    running = Site()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.0.0.2",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "169.254.169.254",  # the instance metadata endpoint
        "100.64.0.1",  # shared address space
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1%eth0",
        "fd00::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
    ],
)
def test_link_local_loopback_and_private_addresses_are_refused(address: str) -> None:
    assert not AddressPolicy().permits(address)


def test_public_addresses_and_allowed_networks_are_permitted() -> None:
    assert AddressPolicy().permits("93.184.216.34") and AddressPolicy().permits("2606:4700::1111")
    allowed = AddressPolicy(parse_networks("127.0.0.1/32, 10.1.0.0/16"))
    assert allowed.permits("127.0.0.1") and allowed.permits("10.1.2.3") and allowed.permits("::ffff:127.0.0.1")
    assert not allowed.permits("127.0.0.2") and not allowed.permits("10.2.0.1")
    with pytest.raises(ValueError, match="'nope' is not a network"):
        parse_networks("127.0.0.1/32,nope")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "2130706433", "[::ffff:127.0.0.1]"])
def test_a_fetch_of_the_workers_own_host_is_refused_before_connecting(site: Site, host: str) -> None:
    with pytest.raises(AddressNotAllowed) as refused:
        HttpClient(5, addresses=AddressPolicy()).request("GET", f"http://{host}:{site.port}/page")
    assert isinstance(refused.value, PermanentError) and "is not a public address" in str(refused.value)
    assert site.requests == []


def test_the_allow_list_lets_a_fetch_through_and_redirects_are_followed(site: Site) -> None:
    client = HttpClient(5, addresses=LOOPBACK)
    assert client.request("GET", f"http://127.0.0.1:{site.port}/hop/{MAX_REDIRECTS}").body == b"ok"
    assert client.request("GET", f"http://127.0.0.1:{site.port}/hop/{MAX_REDIRECTS + 1}").status == 302  # no further


def test_a_redirect_to_a_refused_address_is_refused(site: Site) -> None:
    client = HttpClient(5, addresses=LOOPBACK)
    for target in ("http://169.254.169.254/latest/meta-data/", f"http://127.0.0.2:{site.port}/page"):
        with pytest.raises(AddressNotAllowed):
            client.request("GET", f"http://127.0.0.1:{site.port}/to?{target}")


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(AddressNotAllowed, match=r"mixed.example \(10.0.0.7\)"):
        HttpClient(5, addresses=AddressPolicy()).request("GET", "http://mixed.example/")
