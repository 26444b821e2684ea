"""Which addresses outbound requests may reach: no link-local, loopback or private ones.

A website or feed URL comes from a job's payload, so a request to it must not reach
what only the worker can: the instance metadata endpoint (169.254.169.254), services
on the worker's host (127.0.0.1) or inside its network (10.0.0.0/8, ...). The host is
resolved and every address it resolves to is checked (a name with one private address
among public ones is refused); the connection is then made to a checked address, so a
second resolution cannot swap in another. Redirects are new connections, checked the
same way.

Refused: every address that is not globally reachable (private, loopback, link-local,
unspecified, shared and reserved ranges, IPv4 inside IPv6) and multicast ones, unless
the allow-list names a network holding it (`JOB_FETCH_ALLOWED_NETWORKS`, e.g. the
tests' local servers on 127.0.0.1/32).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from conveyor.core.errors import PermanentError

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AddressNotAllowed(PermanentError):
    """The URL's host is, or resolves to, an address outbound requests may not reach."""


def parse_networks(value: str | Iterable[str]) -> tuple[IpNetwork, ...]:
    """`127.0.0.1/32,10.1.0.0/16` (or a list of them) -> networks; ValueError naming a bad one."""
    parts = value.replace(" ", "").split(",") if isinstance(value, str) else list(value)
    networks = []
    for part in filter(None, parts):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{part!r} is not a network (CIDR such as 127.0.0.1/32)") from None
    return tuple(networks)


@dataclass(frozen=True)
class AddressPolicy:
    allowed: tuple[IpNetwork, ...] = ()

    def permits(self, address: str) -> bool:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone (fe80::1%eth0) is no part of it
        if any(ip in network for network in self.allowed):
            return True
        mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
        if mapped is not None:  # ::ffff:127.0.0.1 is 127.0.0.1
            return self.permits(str(mapped))
        return ip.is_global and not ip.is_multicast

    def resolve(self, host: str, port: int) -> list[tuple[Any, ...]]:
        """Every address `host` resolves to (getaddrinfo's entries), if each may be reached;
        AddressNotAllowed naming the first that may not. socket.gaierror when it does not resolve."""
        entries = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
        for *_, sockaddr in entries:
            if not self.permits(sockaddr[0]):
                where = sockaddr[0] if sockaddr[0] == host.strip("[]") else f"{host} ({sockaddr[0]})"
                raise AddressNotAllowed(f"{where} is not a public address: requests may not go there")
        return entries
