#!/usr/bin/env python3
"""Check the MLD/MRD packets in a capture against RFC 3810 and RFC 4286.

  mld_pcap.py PCAP --src LL [--min-queries N] [--min-adverts N]

Every MLD query (type 130) and Multicast Router Advertisement (type 151)
from --src must have hop limit 1, a hop-by-hop Router Alert with value 0
(MLD), a correct ICMPv6 checksum, a link-local source; queries: code 0,
MLDv2 length (28), general ones to ff02::1 with group ::, QRV 2, QQIC 125;
adverts to ff02::6a, interval 20, query interval 125, robustness 2.
Prints one line per packet and exits 1 on the first violation, or when
fewer than the minimum counts were seen."""
import argparse
import sys

from scapy.all import rdpcap, IPv6, IPv6ExtHdrHopByHop, raw  # noqa: E402
from scapy.layers.inet6 import in6_chksum, RouterAlert  # noqa: E402


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pcap")
    ap.add_argument("--src", required=True)
    ap.add_argument("--min-queries", type=int, default=0)
    ap.add_argument("--min-adverts", type=int, default=0)
    a = ap.parse_args()
    queries = adverts = 0
    for p in rdpcap(a.pcap):
        if IPv6 not in p or p[IPv6].src != a.src:
            continue
        ip = p[IPv6]
        if IPv6ExtHdrHopByHop not in p:
            continue
        hbh = p[IPv6ExtHdrHopByHop]
        body = raw(hbh.payload)
        if hbh.nh != 58 or len(body) < 8 or body[0] not in (130, 151):
            continue
        t = body[0]
        ra = [o for o in hbh.options if isinstance(o, RouterAlert)]
        if not ra or ra[0].value != 0:
            fail("type %d without Router Alert 0" % t)
        if ip.hlim != 1:
            fail("type %d with hop limit %d" % (t, ip.hlim))
        if not ip.src.startswith("fe80:"):
            fail("source %s not link-local" % ip.src)
        if in6_chksum(58, ip, body) != 0:
            fail("type %d: bad checksum" % t)
        if t == 130:
            if len(body) != 28 or body[1] != 0:
                fail("query: length %d code %d (MLDv2 is 28, code 0)" % (len(body), body[1]))
            group = body[8:24]
            qrv, qqic = body[24] & 7, body[25]
            if any(group):
                print("query (address-specific) to %s" % ip.dst)
            else:
                if ip.dst != "ff02::1":
                    fail("general query to %s" % ip.dst)
                if qrv != 2 or qqic != 125:
                    fail("general query QRV %d QQIC %d" % (qrv, qqic))
                print("general query: dst ff02::1, hlim 1, router alert, QRV 2, QQIC 125, max resp %d ms"
                      % int.from_bytes(body[4:6], "big"))
            queries += 1
        else:
            if ip.dst != "ff02::6a":
                fail("MRD advertisement to %s" % ip.dst)
            if body[1] != 20 or body[4:6] != b"\x00\x7d" or body[6:8] != b"\x00\x02":
                fail("MRD advertisement fields %s" % body.hex())
            print("MRD advertisement: dst ff02::6a, hlim 1, router alert, interval 20, QI 125, robustness 2")
            adverts += 1
    if queries < a.min_queries or adverts < a.min_adverts:
        fail("%d queries, %d advertisements (wanted >= %d, >= %d)"
             % (queries, adverts, a.min_queries, a.min_adverts))
    print("ok: %d queries, %d advertisements" % (queries, adverts))


if __name__ == "__main__":
    main()
