#!/usr/bin/python3
"""A legacy (one-shot) mDNS query, as a simple resolver sends it: from an
ephemeral port to the group, answers expected by unicast (RFC 6762 §6.7).

    mdns_query.py NAME {A|AAAA} [--iface IF] [--v6] [--id N] [--timeout S]

Prints one line per answer: "from SRC id ID ttl TTL addr ADDR", exits 0 if
at least one answer with the query's ID arrived, 1 otherwise. No scapy:
plain sockets, so it runs in any namespace.
"""
import argparse
import ipaddress
import socket
import struct
import sys
import time


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def skip_name(msg, pos):
    while True:
        n = msg[pos]
        if n & 0xC0 == 0xC0:
            return pos + 2
        if n == 0:
            return pos + 1
        pos += 1 + n


def answers(msg):
    qd, an = struct.unpack("!HH", msg[4:8])
    pos = 12
    for _ in range(qd):
        pos = skip_name(msg, pos) + 4
    for _ in range(an):
        pos = skip_name(msg, pos)
        typ, cls, ttl, rdlen = struct.unpack("!HHIH", msg[pos:pos + 10])
        pos += 10
        rdata = msg[pos:pos + rdlen]
        pos += rdlen
        if typ == 1 and rdlen == 4:
            yield ttl, cls, str(ipaddress.IPv4Address(rdata))
        elif typ == 28 and rdlen == 16:
            yield ttl, cls, str(ipaddress.IPv6Address(rdata))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("type", choices=["A", "AAAA"])
    ap.add_argument("--iface", default=None)
    ap.add_argument("--v6", action="store_true")
    ap.add_argument("--id", type=int, default=0x4A17)
    ap.add_argument("--timeout", type=float, default=3.0)
    a = ap.parse_args()
    qtype = 1 if a.type == "A" else 28
    query = struct.pack("!HHHHHH", a.id, 0, 1, 0, 0, 0) + encode_name(a.name) + struct.pack("!HH", qtype, 1)
    if a.v6:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        idx = socket.if_nametoindex(a.iface) if a.iface else 0
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
        s.bind(("::", 0))
        s.sendto(query, ("ff02::fb", 5353, 0, idx))
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if a.iface:
            idx = socket.if_nametoindex(a.iface)
            # struct ip_mreqn: group, local address, ifindex
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                         struct.pack("4s4si", b"\0" * 4, b"\0" * 4, idx))
        s.bind(("0.0.0.0", 0))
        s.sendto(query, ("224.0.0.251", 5353))
    deadline = time.monotonic() + a.timeout
    got = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            msg, src = s.recvfrom(9000)
        except socket.timeout:
            break
        if len(msg) < 12:
            continue
        rid, flags = struct.unpack("!HH", msg[:4])
        for ttl, cls, addr in answers(msg):
            print("from %s id %d ttl %d class %d addr %s" % (src[0], rid, ttl, cls, addr))
            if rid == a.id and flags & 0x8000:
                got += 1
        if got:
            break
    return 0 if got else 1


if __name__ == "__main__":
    sys.exit(main())
