#!/usr/bin/python3
"""Read a pcap of mDNS traffic and report what crossed.

    mdns_pcap.py FILE [--from ADDR]... [--name NAME]... [--addr ADDR]...
                      [--since EPOCH] [--until EPOCH]

Prints one "key value" line per figure:
    packets N            mDNS packets (UDP 5353) from the --from sources
    linklocal N          A records in 169.254/16 or AAAA in fe80::/10 among them
    qu N                 questions with the QU bit among them
    probes N             queries with an authority section among them
    name:NAME N          packets among them with a question or record for NAME
    addr:ADDR N          packets among them with an A/AAAA record for ADDR
    records N            records (answer, authority, additional) among them
    flush N              records with the cache-flush bit among them
    bad_header N         packets whose header breaks RFC 6762 §18 for a
                         multicast message: a response not ID 0 with exactly
                         QR and AA, a query not ID 0 with at most TC (legacy
                         messages, from or to a port other than 5353, are
                         left out)
    fragments N          IP fragments from the sources (any protocol: a
                         fragment after the first has no UDP header)
    max_ip N             the largest IP datagram among the mDNS packets
    malformed N          packets scapy could not decode as DNS
With no --from, every packet counts; --since/--until keep packets captured
in that window (epoch seconds).
"""
import argparse
import ipaddress
import logging
import struct
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import DNS, IP, IPv6, UDP, IPv6ExtHdrFragment, rdpcap  # noqa: E402


def as_list(dns, section):
    """scapy 2.5 keeps sections as lists; older ones as chained layers."""
    v = getattr(dns, section, None)
    if v is None:
        return []
    if isinstance(v, list):
        return v
    out = []
    while v is not None and v.__class__.__name__.startswith("DNS"):
        out.append(v)
        v = v.payload if v.payload.__class__.__name__.startswith("DNS") else None
    return out


def name_of(rr):
    n = rr.qname if hasattr(rr, "qname") else rr.rrname
    if isinstance(n, bytes):
        n = n.decode("utf-8", "replace")
    return n.rstrip(".").lower()


def header_ok(payload, sport, dport):
    """RFC 6762 §18 for multicast messages: True when fine or not judged."""
    if len(payload) < 4 or sport != 5353 or dport != 5353:
        return True
    ident, flags = struct.unpack("!HH", payload[:4])
    if flags & 0x8000:
        return ident == 0 and flags == 0x8400
    return ident == 0 and (flags & ~0x0200) == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pcap")
    ap.add_argument("--from", dest="srcs", action="append", default=[])
    ap.add_argument("--name", action="append", default=[])
    ap.add_argument("--addr", action="append", default=[])
    ap.add_argument("--since", type=float, default=None)
    ap.add_argument("--until", type=float, default=None)
    a = ap.parse_args()
    srcs = {str(ipaddress.ip_address(s.split("%")[0])) for s in a.srcs}
    names = [n.rstrip(".").lower() for n in a.name]
    addrs = [ipaddress.ip_address(x) for x in a.addr]
    c = {"packets": 0, "linklocal": 0, "qu": 0, "probes": 0, "records": 0, "flush": 0,
         "bad_header": 0, "fragments": 0, "max_ip": 0, "malformed": 0}
    for n in names:
        c["name:" + n] = 0
    for x in addrs:
        c["addr:%s" % x] = 0
    for p in rdpcap(a.pcap):
        t = float(p.time)
        if (a.since is not None and t < a.since) or (a.until is not None and t > a.until):
            continue
        ip = p[IP] if IP in p else (p[IPv6] if IPv6 in p else None)
        if ip is None:
            continue
        src = str(ipaddress.ip_address(ip.src))
        if srcs and src not in srcs:
            continue
        if IPv6ExtHdrFragment in p or (IP in p and (p[IP].flags.MF or p[IP].frag)):
            c["fragments"] += 1
            continue
        if UDP not in p or 5353 not in (p[UDP].sport, p[UDP].dport):
            continue
        c["packets"] += 1
        size = ip.len if IP in p else 40 + ip.plen
        c["max_ip"] = max(c["max_ip"], size)
        payload = bytes(p[UDP].payload)
        if not header_ok(payload, p[UDP].sport, p[UDP].dport):
            c["bad_header"] += 1
        try:
            dns = DNS(payload)
        except Exception:
            c["malformed"] += 1
            continue
        qd = as_list(dns, "qd")
        rrs = as_list(dns, "an") + as_list(dns, "ns") + as_list(dns, "ar")
        if any((q.qclass & 0x8000) for q in qd):
            c["qu"] += 1
        if dns.qr == 0 and dns.nscount > 0:
            c["probes"] += 1
        c["records"] += len(rrs)
        found = set()
        for rr in rrs:
            if getattr(rr, "rclass", 0) & 0x8000:
                c["flush"] += 1
            rtype = getattr(rr, "type", 0)
            if rtype in (1, 28):
                try:
                    addr = ipaddress.ip_address(rr.rdata)
                except ValueError:
                    continue
                if addr.is_link_local:
                    c["linklocal"] += 1
                found.add(addr)
        for x in addrs:
            if x in found:
                c["addr:%s" % x] += 1
        seen = {name_of(x) for x in qd + rrs}
        for n in names:
            if n in seen:
                c["name:" + n] += 1
    for k, v in c.items():
        print(k, v)
    return 0


if __name__ == "__main__":
    sys.exit(main())
