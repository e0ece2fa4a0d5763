#!/usr/bin/python3
"""mDNS packets as hosts send them, for the reflector's wire tests
(tests/integ/mdns_wire.sh). IPv6, from port 5353 to ff02::fb, built and
sent as whole frames by tests/lib/hostile.py's helpers (no socket, so a
full host-wide neighbour table cannot make a send fail).

    mdns_send.py probe IFACE NAME ADDR
        a probe (RFC 6762 §8.1): "NAME ANY?" with the QU bit, the proposed
        AAAA record in the authority section
    mdns_send.py announce IFACE NAME ADDR
        an unsolicited response: NAME AAAA ADDR, cache-flush bit set
    mdns_send.py ask IFACE QNAME [--known TARGET] [--want TARGET] [--timeout S]
        a QM query "QNAME PTR?", with "QNAME PTR TARGET" (TTL 4500) as a
        known answer (§7.1) when --known is given; with --want, waits for a
        multicast response on IFACE carrying "QNAME PTR WANT" and exits 0
        when it came ("answer from SRC after N ms"), 1 when not
    mdns_send.py join IFACE SECONDS
        hold ff02::fb and 224.0.0.251 on IFACE for SECONDS: a listener that
        MLD/IGMP snooping switches forward the group to

Run with /usr/bin/python3 (Debian's, with python3-scapy), as root.
"""
import argparse
import ipaddress
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile  # noqa: E402

T_PTR, T_AAAA, T_ANY = 12, 28, 255


def rr(name, rtype, rclass, ttl, rdata):
    return hostile.dns_name(name) + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def question(name, qtype, qclass=1):
    return hostile.dns_name(name) + struct.pack("!HH", qtype, qclass)


def send(iface, payload):
    p = hostile.params(iface, [])
    hostile.send_frames(iface, [hostile.udp6_frame(p, p["ll"], "ff02::fb", 5353, 5353, payload)])


def ptr_targets(data, qname):
    """The PTR targets for qname in a frame's mDNS response, [] if none."""
    import logging
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    from scapy.layers.l2 import Ether
    from scapy.layers.inet import UDP
    from scapy.layers.dns import DNS
    try:
        pk = Ether(data)
        if UDP not in pk or pk[UDP].sport != 5353:
            return []
        dns = DNS(bytes(pk[UDP].payload))
    except Exception:
        return []
    if not dns.qr:
        return []
    out = []
    for sec in ("an", "ns", "ar"):
        recs = getattr(dns, sec, None) or []
        if not isinstance(recs, list):
            recs = [recs]
        for r in recs:
            name = r.rrname.decode("utf-8", "replace").rstrip(".").lower()
            if getattr(r, "type", 0) == T_PTR and name == qname:
                t = r.rdata.decode("utf-8", "replace") if isinstance(r.rdata, bytes) else str(r.rdata)
                out.append(t.rstrip(".").lower())
    return out


def cmd_ask(a):
    qname = a.qname.rstrip(".").lower()
    body = question(qname, T_PTR)
    an = b""
    if a.known:
        an = rr(qname, T_PTR, 1, 4500, hostile.dns_name(a.known))
    payload = hostile.dns_header(qd=1, an=1 if a.known else 0) + body + an
    r = hostile.rx_socket(a.iface) if a.want else None
    t0 = time.monotonic()
    send(a.iface, payload)
    if not a.want:
        print("asked %s PTR%s" % (qname, " knowing " + a.known if a.known else ""))
        return 0
    want = a.want.rstrip(".").lower()

    def is_answer(data):
        return want in ptr_targets(data, qname)
    got = hostile.wait_frame(r, t0 + a.timeout, is_answer)
    if got is None:
        print("no answer with %s PTR %s within %.1f s" % (qname, want, a.timeout))
        return 1
    src = ipaddress.IPv6Address(got[22:38]) if got[12:14] == b"\x86\xdd" else "?"
    print("answer from %s after %.0f ms" % (src, (time.monotonic() - t0) * 1000))
    return 0


def cmd_join(a):
    idx = socket.if_nametoindex(a.iface)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                  socket.inet_pton(socket.AF_INET6, "ff02::fb") + struct.pack("@I", idx))
    s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s4.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                      struct.pack("4s4si", socket.inet_aton("224.0.0.251"), b"\0" * 4, idx))
    except OSError:
        pass   # no IPv4 address on the link: IPv6 is what the tests use
    time.sleep(a.seconds)
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("probe", "announce"):
        s = sub.add_parser(name)
        s.add_argument("iface")
        s.add_argument("name")
        s.add_argument("addr")
    s = sub.add_parser("ask")
    s.add_argument("iface")
    s.add_argument("qname")
    s.add_argument("--known")
    s.add_argument("--want")
    s.add_argument("--timeout", type=float, default=3.0)
    s = sub.add_parser("join")
    s.add_argument("iface")
    s.add_argument("seconds", type=float)
    a = ap.parse_args()
    if a.cmd == "ask":
        return cmd_ask(a)
    if a.cmd == "join":
        return cmd_join(a)
    aaaa = ipaddress.IPv6Address(a.addr).packed
    if a.cmd == "probe":
        payload = hostile.dns_header(qd=1, ns=1) + question(a.name, T_ANY, 0x8001) + \
            rr(a.name, T_AAAA, 0x8001, 120, aaaa)
    else:
        payload = hostile.dns_header(qd=0, an=1, flags=0x8400) + rr(a.name, T_AAAA, 0x8001, 120, aaaa)
    send(a.iface, payload)
    print("sent %s %s %s" % (a.cmd, a.name, a.addr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
