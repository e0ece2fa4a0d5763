#!/usr/bin/env python3
"""The DHCPv6 client messages in a capture, checked against RFC 8415's MUSTs.

usage: dhcp6_wire.py check PCAP CLIENT_MAC
       dhcp6_wire.py list PCAP CLIENT_MAC     (time type xid prefixes, one a line)

check: every message from CLIENT_MAC to port 547 comes from a link-local
address and port 546, goes to ff02::1:2 with hop limit 1, and carries what
RFC 8415 §18.2 and Appendix B require of its type: Client ID and Elapsed
Time always; IA_PD in Solicit/Request/Renew/Rebind/Release; ORO except in
Release; Server ID in Request/Renew/Release and never in Solicit/Rebind.
Prints one line per problem and exits 1 when there is any.
"""
import sys

from scapy.all import PcapReader, IPv6, UDP  # noqa: E402
from scapy.layers import dhcp6 as d6  # noqa: E402

NAMES = {1: "SOLICIT", 3: "REQUEST", 5: "RENEW", 6: "REBIND", 8: "RELEASE", 11: "INFO"}


def packets(path):
    """The capture's packets; tcpdump may be writing the last one as we
    read: a record cut short ends the list instead of failing it."""
    try:
        with PcapReader(path) as r:
            for p in r:
                yield p
    except Exception:  # noqa: BLE001 (a partial record at the end)
        return


def client_msgs(path, mac):
    for p in packets(path):
        if p.src.lower() != mac.lower() or IPv6 not in p or UDP not in p or p[UDP].dport != 547:
            continue
        msg = p[UDP].payload  # scapy dissects ports 546/547 as DHCPv6
        yield p, bytes(msg)[0], msg


def has(msg, cls):
    return msg.haslayer(cls)


def prefixes(msg):
    out = []
    if msg.haslayer(d6.DHCP6OptIA_PD):
        for o in msg[d6.DHCP6OptIA_PD].iapdopt:
            if isinstance(o, d6.DHCP6OptIAPrefix):
                out.append("%s/%d" % (o.prefix, o.plen))
    return out


def main():
    mode, path, mac = sys.argv[1:4]
    bad = 0
    for p, mtype, msg in client_msgs(path, mac):
        name = NAMES.get(mtype, str(mtype))
        if mode == "list":
            print("%.3f %s %06x %s" % (float(p.time), name, getattr(msg, "trid", 0),
                                       ",".join(prefixes(msg)) or "-"))
            continue
        ip = p[IPv6]
        problems = []
        if not ip.src.lower().startswith("fe80:"):
            problems.append("source %s is not link-local" % ip.src)
        if ip.dst != "ff02::1:2":
            problems.append("destination %s" % ip.dst)
        if ip.hlim != 1:
            problems.append("hop limit %d" % ip.hlim)
        if p[UDP].sport != 546:
            problems.append("source port %d" % p[UDP].sport)
        if not has(msg, d6.DHCP6OptClientId):
            problems.append("no Client ID")
        if not has(msg, d6.DHCP6OptElapsedTime):
            problems.append("no Elapsed Time")
        if mtype in (1, 3, 5, 6, 8) and not has(msg, d6.DHCP6OptIA_PD):
            problems.append("no IA_PD")
        if mtype != 8 and not has(msg, d6.DHCP6OptOptReq):
            problems.append("no ORO")
        if mtype == 8 and has(msg, d6.DHCP6OptOptReq):
            problems.append("ORO in a Release")
        if mtype in (3, 5, 8) and not has(msg, d6.DHCP6OptServerId):
            problems.append("no Server ID")
        if mtype in (1, 6) and has(msg, d6.DHCP6OptServerId):
            problems.append("Server ID in a %s" % name)
        for pr in problems:
            print("%s %06x: %s" % (name, getattr(msg, "trid", 0), pr))
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
