#!/usr/bin/python3
"""Crafted Neighbor Discovery for islandd's integration tests (scapy).

  nd.py ns --iface IF --target ADDR [--src ADDR|::] [--dst ADDR|unicast]
           [--dst-mac MAC] [--hlim N] [--code N] [--no-sllao|--with-sllao] [--zero-len-opt]
           [--frag] --expect na|none [--timeout S] [--check KEY=VALUE ...]
      Send one NS on IF and wait for Neighbor Advertisements about ADDR.
  nd.py pcap FILE [--target ADDR] [--ether-src MAC] --expect na|none
           [--check KEY=VALUE ...]
      Check the NAs in a capture (tcpdump -w) instead.

Every NA seen is printed as one line of KEY=VALUE fields:
  na ether_src= src= dst= hlim= code= cksum=ok|bad R= S= O= target= tlla=
--check KEY=VALUE (repeatable) must hold for every NA counted; VALUE may be
"any". Exit status: 0 when the expectation and all checks hold, 1 when not,
2 on a usage or environment error.

Run with /usr/bin/python3: scapy is Debian's python3-scapy.
"""

import argparse
import ipaddress
import os
import sys
import threading
import time

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

# Only the layers needed: `scapy.all` would load every protocol (~1 s).
from scapy.config import conf  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrFragment, ICMPv6ND_NS,  # noqa: E402
                                ICMPv6ND_NA, ICMPv6NDOptSrcLLAddr,
                                ICMPv6NDOptDstLLAddr, in6_chksum)
from scapy.packet import Raw  # noqa: E402
from scapy.sendrecv import AsyncSniffer, send, sendp  # noqa: E402
from scapy.utils import rdpcap  # noqa: E402

conf.verb = 0


def fail(msg):
    print("nd.py: " + msg, file=sys.stderr)
    sys.exit(2)


def iface_is_ether(iface):
    try:
        with open("/sys/class/net/%s/type" % iface) as f:
            return f.read().strip() == "1"
    except OSError:
        fail("no interface %s in this namespace" % iface)


def iface_mac(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        return f.read().strip()


def iface_link_local(iface):
    with open("/proc/net/if_inet6") as f:
        for line in f:
            hexaddr, _, _, scope, _, name = line.split()
            if name == iface and scope == "20":
                return str(ipaddress.IPv6Address(bytes.fromhex(hexaddr)))
    fail("%s has no link-local address" % iface)


def solicited_node(addr):
    low = ipaddress.IPv6Address(addr).packed[13:]
    prefix = b"\xff\x02" + b"\x00" * 9 + b"\x01\xff"
    return str(ipaddress.IPv6Address(prefix + low))


def multicast_mac(addr):
    b = ipaddress.IPv6Address(addr).packed[12:]
    return "33:33:" + ":".join("%02x" % x for x in b)


def same_addr(a, b):
    try:
        return ipaddress.IPv6Address(a) == ipaddress.IPv6Address(b)
    except ValueError:
        return False


def na_fields(pkt):
    """The fields of one NA as a dict, with the checksum verified."""
    ip = pkt[IPv6]
    na = pkt[ICMPv6ND_NA]
    raw = bytes(na)
    got = int.from_bytes(raw[2:4], "big")
    want = in6_chksum(58, ip, raw[:2] + b"\0\0" + raw[4:])
    tlla = na[ICMPv6NDOptDstLLAddr].lladdr if ICMPv6NDOptDstLLAddr in na else "-"
    return {
        "ether_src": pkt[Ether].src if Ether in pkt else "-",
        "src": ip.src,
        "dst": ip.dst,
        "hlim": str(ip.hlim),
        "code": str(na.code),
        "cksum": "ok" if got == want else "bad",
        "R": str(na.R),
        "S": str(na.S),
        "O": str(na.O),
        "target": na.tgt,
        "tlla": tlla,
    }


def check_fields(fields, checks):
    bad = []
    for key, want in checks:
        if want == "any":
            continue
        have = fields.get(key)
        if have is None:
            bad.append("%s: unknown field" % key)
        elif key in ("src", "dst", "target"):
            if not same_addr(have, want):
                bad.append("%s=%s, expected %s" % (key, have, want))
        elif have.lower() != want.lower():
            bad.append("%s=%s, expected %s" % (key, have, want))
    return bad


def report(nas, expect, checks):
    """Print the NAs, apply the expectation and checks, return exit status."""
    status = 0
    for f in nas:
        print("na " + " ".join("%s=%s" % kv for kv in f.items()))
        for b in check_fields(f, checks):
            print("check failed: " + b)
            status = 1
    if expect == "na" and not nas:
        print("no NA received (expected one)")
        status = 1
    if expect == "none" and nas:
        print("%d NA received (expected none)" % len(nas))
        status = 1
    return status


def parse_checks(items):
    out = []
    for c in items or []:
        if "=" not in c:
            fail("--check wants KEY=VALUE, got %r" % c)
        k, v = c.split("=", 1)
        out.append((k, v))
    return out


def cmd_ns(a):
    ether = iface_is_ether(a.iface)
    src = a.src or iface_link_local(a.iface)
    if a.dst is None:
        dst = solicited_node(a.target)
    elif a.dst == "unicast":
        dst = a.target
    else:
        dst = a.dst
    dst_mac = a.dst_mac
    if dst_mac is None:
        if not ipaddress.IPv6Address(dst).is_multicast:
            fail("--dst-mac is needed for a unicast NS")
        dst_mac = multicast_mac(dst)

    ns = ICMPv6ND_NS(tgt=a.target, code=a.code)
    pkt = IPv6(src=src, dst=dst, hlim=a.hlim) / ns
    if ether and not a.no_sllao and (a.with_sllao or not same_addr(src, "::")):
        if a.zero_len_opt:
            pkt = pkt / Raw(b"\x01\x00" + b"\0" * 6)
        else:
            pkt = pkt / ICMPv6NDOptSrcLLAddr(lladdr=iface_mac(a.iface))
    if a.frag:
        # RFC 6980: ND must not be fragmented; send it as an atomic fragment.
        pkt = IPv6(src=src, dst=dst, hlim=a.hlim) / IPv6ExtHdrFragment(m=0, offset=0, id=0x15) / pkt.payload

    seen = []
    ready = threading.Event()

    def wanted(p):
        return ICMPv6ND_NA in p and same_addr(p[ICMPv6ND_NA].tgt, a.target)

    def stop_after(p):
        return a.expect == "na" and not a.wait_all and wanted(p)

    sn = AsyncSniffer(iface=a.iface, lfilter=wanted,
                      prn=lambda p: seen.append(p), store=False,
                      stop_filter=stop_after, started_callback=ready.set)
    sn.start()
    if not ready.wait(3):
        fail("sniffer did not start on %s" % a.iface)
    t0 = time.monotonic()
    if ether:
        sendp(Ether(src=iface_mac(a.iface), dst=dst_mac) / pkt, iface=a.iface)
    else:
        send(pkt, iface=a.iface)
    deadline = t0 + a.timeout
    while time.monotonic() < deadline:
        if seen and a.expect == "na" and not a.wait_all:
            break
        time.sleep(0.01)
    rtt_ms = (time.monotonic() - t0) * 1000
    try:
        sn.stop()
    except Exception:  # already stopped by stop_filter
        pass
    nas = [na_fields(p) for p in seen]
    if nas:
        print("first NA after %.1f ms" % rtt_ms)
    return report(nas, a.expect, parse_checks(a.check))


def cmd_pcap(a):
    try:
        pkts = rdpcap(a.file)
    except (OSError, Exception) as e:  # scapy raises its own types
        fail("cannot read %s: %s" % (a.file, e))
    nas = []
    for p in pkts:
        if ICMPv6ND_NA not in p:
            continue
        if a.target and not same_addr(p[ICMPv6ND_NA].tgt, a.target):
            continue
        if a.ether_src and (Ether not in p or p[Ether].src.lower() != a.ether_src.lower()):
            continue
        nas.append(na_fields(p))
    return report(nas, a.expect, parse_checks(a.check))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("ns", help="send a Neighbor Solicitation, check the replies")
    p.add_argument("--iface", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--src", help="source address; '::' for DAD (default: IF's link-local)")
    p.add_argument("--dst", help="destination address or 'unicast' (= target); default solicited-node")
    p.add_argument("--dst-mac", help="Ethernet destination (required for unicast)")
    p.add_argument("--hlim", type=int, default=255)
    p.add_argument("--code", type=int, default=0)
    p.add_argument("--no-sllao", action="store_true", help="omit the source link-layer option")
    p.add_argument("--with-sllao", action="store_true", help="add the option even from :: (invalid)")
    p.add_argument("--zero-len-opt", action="store_true", help="send an option of length 0 (invalid)")
    p.add_argument("--frag", action="store_true", help="send as an atomic fragment (invalid, RFC 6980)")
    p.add_argument("--expect", choices=("na", "none"), required=True)
    p.add_argument("--timeout", type=float, default=1.0)
    p.add_argument("--wait-all", action="store_true", help="collect NAs for the whole timeout")
    p.add_argument("--check", action="append", metavar="KEY=VALUE")
    p.set_defaults(func=cmd_ns)

    p = sub.add_parser("pcap", help="check the NAs in a capture file")
    p.add_argument("file")
    p.add_argument("--target")
    p.add_argument("--ether-src")
    p.add_argument("--expect", choices=("na", "none"), required=True)
    p.add_argument("--check", action="append", metavar="KEY=VALUE")
    p.set_defaults(func=cmd_pcap)

    a = ap.parse_args()
    if os.geteuid() != 0 and a.cmd == "ns":
        fail("needs root (raw sockets)")
    sys.exit(a.func(a))


if __name__ == "__main__":
    main()
