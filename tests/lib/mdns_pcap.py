#!/usr/bin/python3
"""Read a pcap of mDNS traffic and report what crossed.

    mdns_pcap.py FILE [--from ADDR]... [--name NAME]...

Prints one "key value" line per figure:
    packets N            mDNS packets (UDP 5353) from the --from sources
    linklocal N          A records in 169.254/16 or AAAA in fe80::/10 among them
    qu N                 questions with the QU bit among them
    probes N             queries with an authority section among them
    name:NAME N          packets among them with a question or record for NAME
    malformed N          packets scapy could not decode as DNS
With no --from, every packet counts.
"""
import argparse
import ipaddress
import logging
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import DNS, IP, IPv6, UDP, rdpcap  # noqa: E402


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pcap")
    ap.add_argument("--from", dest="srcs", action="append", default=[])
    ap.add_argument("--name", action="append", default=[])
    a = ap.parse_args()
    srcs = {str(ipaddress.ip_address(s.split("%")[0])) for s in a.srcs}
    names = [n.rstrip(".").lower() for n in a.name]
    c = {"packets": 0, "linklocal": 0, "qu": 0, "probes": 0, "malformed": 0}
    for n in names:
        c["name:" + n] = 0
    for p in rdpcap(a.pcap):
        if UDP not in p or 5353 not in (p[UDP].sport, p[UDP].dport):
            continue
        ip = p[IP] if IP in p else (p[IPv6] if IPv6 in p else None)
        if ip is None:
            continue
        src = str(ipaddress.ip_address(ip.src))
        if srcs and src not in srcs:
            continue
        c["packets"] += 1
        try:
            dns = DNS(bytes(p[UDP].payload))
        except Exception:
            c["malformed"] += 1
            continue
        qd = as_list(dns, "qd")
        rrs = as_list(dns, "an") + as_list(dns, "ns") + as_list(dns, "ar")
        if any((q.qclass & 0x8000) for q in qd):
            c["qu"] += 1
        if dns.qr == 0 and dns.nscount > 0:
            c["probes"] += 1
        for rr in rrs:
            t = getattr(rr, "type", 0)
            if t in (1, 28):
                try:
                    addr = ipaddress.ip_address(rr.rdata)
                except ValueError:
                    continue
                if addr.is_link_local:
                    c["linklocal"] += 1
        seen = {name_of(x) for x in qd + rrs}
        for n in names:
            if n in seen:
                c["name:" + n] += 1
    for k, v in c.items():
        print(k, v)
    return 0


if __name__ == "__main__":
    sys.exit(main())
