#!/usr/bin/python3
"""Hostile packets for islandd's hostile-input suite (tests/integ/4x_hostile_*.sh).

    hostile.py send IFACE SHAPE [KEY=VALUE...]    craft and send one shape
    hostile.py legit-ns IFACE TARGET [TIMEOUT]    an ordinary NS; 0 if an NA comes
    hostile.py legit-rs IFACE GW_LL [TIMEOUT]     an ordinary RS; 0 if GW_LL sends an RA
    hostile.py legit-mdns IFACE NAME              an ordinary mDNS query (QM, port 5353)
    hostile.py replay IFACE KIND [KEY=VALUE...]   catch a packet the gateway sends
                                                  and send it back at it (scapy)
    hostile.py flood-ns IFACE PREFIX COUNT [pps=N]  COUNT NS for random targets in PREFIX/76
    hostile.py shapes                             list the shapes

Packets are built byte by byte (struct), so what goes on the wire is exactly
what the case says, and sent as whole Ethernet frames through an AF_PACKET
socket: no stack in between fixes a length or a checksum, and no send
depends on the host's neighbour table (shared by every namespace: when
another test fills it, multicast sends through sockets fail with EINVAL).
The legitimate requests are the ordinary packets a host sends, the same way.
scapy is used where a packet must be caught first (replay) and for the
fragment split of ns_frag2.

KEY=VALUE parameters a shape may use: target, src, dst, gw_mac, gw_addr,
prefix, mac (source MAC, default the interface's). Addresses are text.
Prints one line "sent N frames"; exit 0, or 2 on a usage error.

Run with /usr/bin/python3 (Debian's, with python3-scapy).
"""

import ipaddress
import os
import random
import socket
import struct
import sys
import time

ETH_P_IPV6 = 0x86DD
ND_NS, ND_NA, ND_RS, ND_RA = 135, 136, 133, 134


# --- bytes -----------------------------------------------------------------

def a16(text):
    return ipaddress.IPv6Address(text).packed


def inet_sum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def l4_checksum(src, dst, proto, payload):
    """Internet checksum over the IPv6 pseudo-header and payload."""
    pseudo = a16(src) + a16(dst) + struct.pack("!IxxxB", len(payload), proto)
    c = (~inet_sum(pseudo + payload)) & 0xFFFF
    if c == 0 and proto == 17:
        return 0xFFFF  # UDP sends a computed zero as all ones (RFC 8200 §8.1)
    return c


def ipv6_header(src, dst, nh, plen, hlim=255, version=6):
    return struct.pack("!IHBB", version << 28, plen, nh, hlim) + a16(src) + a16(dst)


def mcast_mac(addr):
    b = a16(addr)[12:]
    return "33:33:" + ":".join("%02x" % x for x in b)


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def solicited_node(addr):
    return str(ipaddress.IPv6Address(b"\xff\x02" + b"\0" * 9 + b"\x01\xff" + a16(addr)[13:]))


def iface_mac(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        return f.read().strip()


def iface_ll(iface):
    with open("/proc/net/if_inet6") as f:
        for line in f:
            h, _, _, scope, _, name = line.split()
            if name == iface and scope == "20":
                return str(ipaddress.IPv6Address(bytes.fromhex(h)))
    raise SystemExit("hostile.py: %s has no link-local address" % iface)


def icmp6(typ, code, rest):
    """ICMPv6 message with a zero checksum field (filled by finish())."""
    return struct.pack("!BBH", typ, code, 0) + rest


def with_checksum(src, dst, icmp, xor=0):
    c = l4_checksum(src, dst, 58, icmp) ^ xor
    return icmp[:2] + struct.pack("!H", c) + icmp[4:]


def frame(dst_mac, src_mac, ip_packet):
    return mac_bytes(dst_mac) + mac_bytes(src_mac) + struct.pack("!H", ETH_P_IPV6) + ip_packet


def dst_mac_for(dst, p):
    return mcast_mac(dst) if ipaddress.IPv6Address(dst).is_multicast else p["gw_mac"]


def nd_packet(p, src, dst, icmp, hlim=255, ext=b"", ext_nh=None, plen=None, cksum_xor=0,
              version=6, cksum_len=None):
    """A whole frame: IPv6 header, optional extension headers, ICMPv6 (checksummed)."""
    body = with_checksum(src, dst, icmp, cksum_xor)
    payload = ext + body
    nh = ext_nh if ext else 58
    ip = ipv6_header(src, dst, nh, len(payload) if plen is None else plen, hlim, version)
    return frame(dst_mac_for(dst, p), p["mac"], ip + payload)


# --- ND options ------------------------------------------------------------

def opt_slla(mac):
    return b"\x01\x01" + mac_bytes(mac)


def ns_body(target, opts=b""):
    return icmp6(ND_NS, 0, b"\0" * 4 + a16(target) + opts)


def pio(prefix, plen=64, length=4, valid=86400, preferred=14400):
    body = struct.pack("!BBBBIII", 3, length, plen, 0xC0, valid, preferred, 0) + a16(prefix)
    return body[:length * 8] if length < 4 else body


def rdnss(addrs, lifetime=600, length=None):
    data = b"".join(a16(a) for a in addrs)
    n = length if length is not None else 1 + 2 * len(addrs)
    out = struct.pack("!BBHI", 25, n, 0, lifetime) + data
    return out[:n * 8] + b"\0" * max(0, n * 8 - len(out))


def dnssl_raw(names_wire, lifetime=600):
    body = names_wire + b"\0" * ((-len(names_wire)) % 8)
    return struct.pack("!BBHI", 31, 1 + len(body) // 8, 0, lifetime) + body


def ra_body(opts, code=0, lifetime=1800, flags=0):
    return icmp6(ND_RA, code, struct.pack("!BBHII", 64, flags, lifetime, 0, 0) + opts)


def rs_body(opts=b""):
    return icmp6(ND_RS, 0, b"\0" * 4 + opts)


# --- ND shapes (from a host on the proxy's upstream link) -------------------

def ns_common(p, **kw):
    src = p.get("src") or p["ll"]
    target = p["target"]
    dst = p.get("dst") or solicited_node(target)
    return src, target, dst


def shape_ns_hlim254(p):
    src, t, dst = ns_common(p)
    return [nd_packet(p, src, dst, ns_body(t, opt_slla(p["mac"])), hlim=254)]


def shape_ns_code1(p):
    src, t, dst = ns_common(p)
    body = ns_body(t, opt_slla(p["mac"]))
    body = body[:1] + b"\x01" + body[2:]
    return [nd_packet(p, src, dst, body)]


def shape_ns_bad_cksum(p):
    src, t, dst = ns_common(p)
    return [nd_packet(p, src, dst, ns_body(t, opt_slla(p["mac"])), cksum_xor=0x5A5A)]


def shape_ns_truncated(p):
    """IPv6 payload length says 16 bytes more than the frame carries."""
    src, t, dst = ns_common(p)
    body = ns_body(t, opt_slla(p["mac"]))
    return [nd_packet(p, src, dst, body, plen=len(body) + 16)]


def shape_ns_plen0(p):
    src, t, dst = ns_common(p)
    return [nd_packet(p, src, dst, ns_body(t, opt_slla(p["mac"])), plen=0)]


def shape_ns_not_ipv6(p):
    """An IPv6 ethertype frame whose version nibble says 4."""
    src, t, dst = ns_common(p)
    return [nd_packet(p, src, dst, ns_body(t, opt_slla(p["mac"])), version=4)]


def shape_ns_short(p):
    """ICMPv6 NS of 20 bytes: no room for the target."""
    src, t, dst = ns_common(p)
    return [nd_packet(p, src, dst, ns_body(t)[:20])]


def shape_ns_zero_len_opt(p):
    src, t, dst = ns_common(p)
    return [nd_packet(p, src, dst, ns_body(t, b"\x01\x00" + b"\0" * 6))]


def shape_ns_overlong_opt(p):
    """A source link-layer option claiming 32 bytes, 8 present."""
    src, t, dst = ns_common(p)
    return [nd_packet(p, src, dst, ns_body(t, b"\x01\x04" + mac_bytes(p["mac"])))]


def shape_ns_65_opts(p):
    """65 well-formed options (type 253, RFC 4727 experiment): one past the cap."""
    src, t, dst = ns_common(p)
    opts = opt_slla(p["mac"]) + b"".join(b"\xfd\x01" + b"\0" * 6 for _ in range(64))
    return [nd_packet(p, src, dst, ns_body(t, opts))]


def shape_ns_mcast_target(p):
    src = p.get("src") or p["ll"]
    return [nd_packet(p, src, "ff02::1", ns_body("ff02::1", opt_slla(p["mac"])))]


def shape_ns_src_mcast(p):
    src, t, dst = ns_common(p)
    return [nd_packet(p, "ff02::1", dst, ns_body(t, opt_slla(p["mac"])))]


def shape_ns_dad_slla(p):
    t = p["target"]
    return [nd_packet(p, "::", solicited_node(t), ns_body(t, opt_slla(p["mac"])))]


def shape_ns_dad_bad_dst(p):
    """DAD probe (source ::) sent to all-nodes, not to the solicited-node group."""
    t = p["target"]
    return [nd_packet(p, "::", "ff02::1", ns_body(t))]


def ext_header(nh_after, kind):
    """One 8-byte extension header: hop-by-hop (0) or destination options (60)
    with a PadN option, or a type-0 routing header (43) with no segments left."""
    if kind == 43:
        return struct.pack("!BBBB", nh_after, 0, 0, 0) + b"\0" * 4
    return struct.pack("!BB", nh_after, 0) + b"\x01\x04" + b"\0" * 4


def shape_ns_hbh(p):
    src, t, dst = ns_common(p)
    return [nd_packet(p, src, dst, ns_body(t, opt_slla(p["mac"])), ext=ext_header(58, 0), ext_nh=0)]


def shape_ns_dstopt(p):
    src, t, dst = ns_common(p)
    return [nd_packet(p, src, dst, ns_body(t, opt_slla(p["mac"])), ext=ext_header(58, 60), ext_nh=60)]


def shape_ns_routing(p):
    src, t, dst = ns_common(p)
    return [nd_packet(p, src, dst, ns_body(t, opt_slla(p["mac"])), ext=ext_header(58, 43), ext_nh=43)]


def shape_ns_atomic_frag(p):
    """RFC 6946 atomic fragment: offset 0, M clear, the whole NS inside."""
    src, t, dst = ns_common(p)
    frag = struct.pack("!BBHI", 58, 0, 0, 0x1A2B3C4D)
    return [nd_packet(p, src, dst, ns_body(t, opt_slla(p["mac"])), ext=frag, ext_nh=44)]


def shape_ns_frag2(p):
    """The NS split in two real fragments (scapy's fragment6): both must count."""
    from scapy.layers.inet6 import IPv6, IPv6ExtHdrFragment, fragment6
    from scapy.packet import Raw
    src, t, dst = ns_common(p)
    body = with_checksum(src, dst, ns_body(t, opt_slla(p["mac"]) + b"\xfd\x03" + b"\0" * 22))
    pkt = IPv6(src=src, dst=dst, hlim=255) / IPv6ExtHdrFragment(nh=58, id=0x5EED) / Raw(body)
    frags = fragment6(pkt, 40 + 8 + 8 + 32)
    return [frame(dst_mac_for(dst, p), p["mac"], bytes(f)) for f in frags]


# --- RA and RS shapes --------------------------------------------------------

def ra_opts_good(p, prefix):
    return opt_slla(p["mac"]) + pio(prefix) + rdnss([prefix + "53"])


def ra_frame(p, body, src=None, hlim=255):
    return nd_packet(p, src or p["ll"], "ff02::1", body, hlim=hlim)


def shape_ra_good(p):
    """A well-formed RA: SLLA, PIO (L, A), RDNSS unless rdnss=no; router
    lifetime from lifetime= (default 1800)."""
    opts = opt_slla(p["mac"]) + pio(p["prefix"])
    if p.get("rdnss", "yes") != "no":
        opts += rdnss([p["prefix"] + "53"])
    return [ra_frame(p, ra_body(opts, lifetime=int(p.get("lifetime", "1800"))))]


def shape_ra_proxy_flag(p):
    """A well-formed RA with the Proxy flag (RFC 4389): another relay's,
    preference high, as the first relay of two on the same links sends it."""
    opts = opt_slla(p["mac"]) + pio(p["prefix"]) + rdnss([p["prefix"] + "53"])
    return [ra_frame(p, ra_body(opts, flags=0x04 | 0x08))]


def shape_ra_hlim254(p):
    return [ra_frame(p, ra_body(ra_opts_good(p, p["prefix"])), hlim=254)]


def shape_ra_global_src(p):
    return [ra_frame(p, ra_body(ra_opts_good(p, p["prefix"])), src=p["prefix"] + "99")]


def shape_ra_zero_len_opt(p):
    return [ra_frame(p, ra_body(ra_opts_good(p, p["prefix"]) + b"\x19\x00" + b"\0" * 6))]


def shape_ra_pio_len3(p):
    """Prefix information option of length 3 (24 bytes) instead of 4."""
    return [ra_frame(p, ra_body(opt_slla(p["mac"]) + pio(p["prefix"], length=3)))]


def shape_ra_pio_plen129(p):
    return [ra_frame(p, ra_body(opt_slla(p["mac"]) + pio(p["prefix"], plen=129)))]


def shape_ra_rdnss_len2(p):
    """RDNSS of length 2: header and half an address (RFC 8106 wants 3, 5, 7 ...)."""
    return [ra_frame(p, ra_body(opt_slla(p["mac"]) + pio(p["prefix"]) +
                                rdnss([p["prefix"] + "53"], length=2)))]


def shape_ra_dnssl_pointer(p):
    """DNSSL whose name ends in a DNS compression pointer (RFC 8106 forbids them)."""
    names = b"\x03lab\xc0\x08"
    return [ra_frame(p, ra_body(opt_slla(p["mac"]) + pio(p["prefix"]) + dnssl_raw(names)))]


def shape_ra_dnssl_overrun(p):
    """DNSSL label claiming 60 bytes inside an 8-byte name area (radvd CVE-2011-3602 shape)."""
    names = b"\x3c" + b"a" * 7
    return [ra_frame(p, ra_body(opt_slla(p["mac"]) + pio(p["prefix"]) + dnssl_raw(names)))]


def shape_ra_overlong_opt(p):
    """PIO claiming 255 units (2040 bytes) at the end of a short RA."""
    return [ra_frame(p, ra_body(opt_slla(p["mac"]) + b"\x03\xff" + pio(p["prefix"])[2:]))]


def shape_rs_14492_trunc(p):
    """dnsmasq CVE-2017-14492: RS whose SLLA option claims 255 units (2040
    bytes) while the packet carries 8."""
    return [nd_packet(p, p["ll"], "ff02::2", rs_body(b"\x01\xff" + mac_bytes(p["mac"])))]


def shape_rs_14492_full(p):
    """The same with all 2040 bytes present (needs a jumbo MTU on the link)."""
    opt = b"\x01\xff" + mac_bytes(p["mac"]) + b"\xaa" * (2040 - 8)
    return [nd_packet(p, p["ll"], "ff02::2", rs_body(opt))]


def shape_rs_unspec_slla(p):
    """RS from :: with a source link-layer option (RFC 4861 §6.1.1)."""
    return [nd_packet(p, "::", "ff02::2", rs_body(opt_slla(p["mac"])))]


def shape_rs_hlim64(p):
    return [nd_packet(p, p["ll"], "ff02::2", rs_body(opt_slla(p["mac"])), hlim=64)]


# --- mDNS shapes ---------------------------------------------------------------

def dns_name(text):
    out = b""
    for label in text.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_header(qd=1, an=0, ns=0, ar=0, flags=0, ident=0):
    return struct.pack("!HHHHHH", ident, flags, qd, an, ns, ar)


Q_AAAA_IN = struct.pack("!HH", 28, 1)


def mdns_self_loop(p):
    """Question name = compression pointer to itself (offset 12)."""
    return dns_header() + b"\xc0\x0c" + Q_AAAA_IN


def mdns_label_loop(p):
    """Label 'a' then a pointer back to the start of the name: a.a.a.a... forever."""
    return dns_header() + b"\x01a\xc0\x0c" + Q_AAAA_IN


def mdns_forward_ptr(p):
    """First name points forward, to the second question's name."""
    return (dns_header(qd=2) + b"\x01a\xc0\x14" + Q_AAAA_IN +
            dns_name("fwd.local") + Q_AAAA_IN)


def mdns_ptr_hops(p):
    """66 questions, each name a pointer to the previous one: the last takes 65 hops."""
    body = b"\0" + Q_AAAA_IN          # question 1: the root, at offset 12
    prev = 12
    for _ in range(65):
        here = 12 + len(body)
        body += struct.pack("!H", 0xC000 | prev) + Q_AAAA_IN
        prev = here
    return dns_header(qd=66) + body


def mdns_counts(p):
    return dns_header(qd=65535) + dns_name("counts.local") + Q_AAAA_IN


def mdns_too_many(p):
    """257 root-name questions: the counts fit the bytes, the record cap is 256."""
    return dns_header(qd=257) + (b"\0" + Q_AAAA_IN) * 257


def mdns_label_type(p):
    """Label type 0x40 (extended labels, RFC 6891 retired them)."""
    return dns_header() + b"\x41" + b"x" * 1 + b"\0" + Q_AAAA_IN


def mdns_name_too_long(p):
    name = b"".join(b"\x3f" + b"n" * 63 for _ in range(5)) + b"\0"
    return dns_header() + name + Q_AAAA_IN


def mdns_rdata_overrun(p):
    """An answer whose rdlength (200) runs past the datagram."""
    rr = dns_name("over.local") + struct.pack("!HHIH", 28, 0x8001, 120, 200) + b"\0" * 16
    return dns_header(qd=0, an=1, flags=0x8400) + rr


def mdns_rdata_bad(p):
    """AAAA record with 5 bytes of rdata."""
    rr = dns_name("bad.local") + struct.pack("!HHIH", 28, 0x8001, 120, 5) + b"\0" * 5
    return dns_header(qd=0, an=1, flags=0x8400) + rr


def mdns_trailing(p):
    return dns_header() + dns_name("trail.local") + Q_AAAA_IN + b"\xde\xad\xbe"


def mdns_short(p):
    return b"\x00\x00\x00\x00\x00\x01\x00"


def mdns_9001(p):
    """9001 bytes: one past RFC 6762 §17's 9000. A TXT answer fills it out."""
    head = dns_header(qd=0, an=1, flags=0x8400) + dns_name("big.local")
    room = 9001 - len(head) - 10
    return head + struct.pack("!HHIH", 16, 0x8001, 120, room) + b"\x01z" * (room // 2) + b"z" * (room % 2)


def mdns_opcode(p):
    return dns_header(flags=2 << 11) + dns_name("opcode.local") + Q_AAAA_IN


def mdns_rcode(p):
    return dns_header(flags=0x8400 | 3, qd=0, an=1) + dns_name("rcode.local") + \
        struct.pack("!HHIH", 28, 0x8001, 120, 16) + a16("2001:db8::1")


def mdns_hdr_response(p):
    """A response with ID 0x1234, TC, RD, RA and Z set and AA clear; its
    AAAA record has the cache-flush bit (RFC 6762 §18, §10.2)."""
    return dns_header(qd=0, an=1, flags=0x8000 | 0x0200 | 0x0100 | 0x0080 | 0x0040,
                      ident=0x1234) + dns_name("hdr.local") + \
        struct.pack("!HHIH", 28, 0x8001, 120, 16) + a16("2001:db8:abc:123::77")


def mdns_hdr_query(p):
    """A query with ID 0x4321 and AA and RD set."""
    return dns_header(flags=0x0400 | 0x0100, ident=0x4321) + dns_name("hdrq.local") + Q_AAAA_IN


def txt_response(records, size, prefix):
    """A response of `records` TXT records of `size` bytes of rdata each."""
    out = dns_header(qd=0, an=records, flags=0x8400)
    for i in range(records):
        out += dns_name("%s%d._http._tcp.local" % (prefix, i)) + \
            struct.pack("!HHIH", 16, 0x8001, 4500, size) + b"\x01z" * (size // 2) + b"z" * (size % 2)
    return out


def mdns_dns_bytes(total, prefix):
    """One TXT record making the DNS message exactly `total` bytes."""
    head = dns_header(qd=0, an=1, flags=0x8400) + dns_name(prefix + "._http._tcp.local")
    room = total - len(head) - 10
    return head + struct.pack("!HHIH", 16, 0x8001, 120, room) + b"\x01z" * (room // 2) + b"z" * (room % 2)


def mdns_query(name, ident=0):
    return dns_header(ident=ident) + dns_name(name) + Q_AAAA_IN


def mdns_response(name):
    return dns_header(qd=0, an=1, flags=0x8400) + dns_name(name) + \
        struct.pack("!HHIH", 28, 0x8001, 120, 16) + a16("2001:db8:abc:123::77")


def udp6_frame(p, src, dst, sport, dport, payload, hlim=255):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = l4_checksum(src, dst, 17, udp)
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    return frame(dst_mac_for(dst, p), p["mac"], ipv6_header(src, dst, 17, len(udp), hlim) + udp)


# (payload builder, how it is sent): "mcast" = from port 5353 to ff02::fb
# through a UDP socket; the others are raw frames built here.
MDNS_SHAPES = {
    "mdns_self_loop": (mdns_self_loop, "mcast"),
    "mdns_label_loop": (mdns_label_loop, "mcast"),
    "mdns_forward_ptr": (mdns_forward_ptr, "mcast"),
    "mdns_ptr_hops": (mdns_ptr_hops, "mcast"),
    "mdns_counts": (mdns_counts, "mcast"),
    "mdns_too_many": (mdns_too_many, "mcast"),
    "mdns_label_type": (mdns_label_type, "mcast"),
    "mdns_name_too_long": (mdns_name_too_long, "mcast"),
    "mdns_rdata_overrun": (mdns_rdata_overrun, "mcast"),
    "mdns_rdata_bad": (mdns_rdata_bad, "mcast"),
    "mdns_trailing": (mdns_trailing, "mcast"),
    "mdns_short": (mdns_short, "mcast"),
    "mdns_9001": (mdns_9001, "mcast"),
    "mdns_opcode": (mdns_opcode, "mcast"),
    "mdns_hdr_response": (mdns_hdr_response, "mcast"),
    "mdns_hdr_query": (mdns_hdr_query, "mcast"),
    # an IPv6 datagram of exactly 9000 bytes (RFC 6762 §17's ceiling), one
    # record: it cannot leave on a 1500-byte link in one piece
    "mdns_big_record": (lambda p: mdns_dns_bytes(9000 - 48, "big"), "mcast"),
    # one byte more: a 9001-byte datagram, over the ceiling on the way in
    "mdns_over_9000": (lambda p: mdns_dns_bytes(9000 - 48 + 1, "over"), "mcast"),
    # six 1000-byte TXT records (6 kB, fragmented on the way in): must
    # leave as several whole responses
    "mdns_big_split": (lambda p: txt_response(6, 1000, "s"), "mcast"),
    "mdns_rcode": (mdns_rcode, "mcast"),
    # a response from port 4000, not 5353 (RFC 6762 §6)
    "mdns_response_port": (lambda p: mdns_response("port.local"), "mcast-sport4000"),
    # a QM query from port 5353 to the gateway's unicast address
    "mdns_unicast": (lambda p: mdns_query("unicast.local"), "unicast-5353"),
    # CVE-2017-6519: a legacy query from an off-link (spoofed) source, to the
    # gateway's unicast address and to the group
    "mdns_offlink_unicast": (lambda p: mdns_query("offlink.local", 0x6519), "offlink-unicast"),
    "mdns_offlink_mcast": (lambda p: mdns_query("offlink2.local", 0x6520), "offlink-mcast"),
}


def udp6_fragments(p, src, dst, sport, dport, payload, mtu=1500, hlim=255):
    """A UDP datagram too big for the link, cut into IPv6 fragments by hand."""
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = l4_checksum(src, dst, 17, udp)
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    chunk = (mtu - 40 - 8) & ~7
    ident = random.getrandbits(32)
    frames = []
    for off in range(0, len(udp), chunk):
        part = udp[off:off + chunk]
        more = 1 if off + chunk < len(udp) else 0
        fh = struct.pack("!BBHI", 17, 0, off | more, ident)
        ip = ipv6_header(src, dst, 44, len(fh) + len(part), hlim) + fh + part
        frames.append(frame(dst_mac_for(dst, p), p["mac"], ip))
    return frames


def send_mdns(iface, p, shape):
    """Every mDNS shape goes out as raw frames: no socket, no neighbour entry
    for the group (a full neighbour table elsewhere on the host makes
    multicast sends fail with EINVAL), and exactly the bytes we mean."""
    build, how = MDNS_SHAPES[shape]
    payload = build(p)
    if how.startswith("mcast"):
        sport = 4000 if how.endswith("sport4000") else 5353
        src, dst = p["ll"], "ff02::fb"
    elif how == "unicast-5353":
        sport, src, dst = 5353, p["ll"], p["gw_addr"]
    else:  # off-link legacy queries: a spoofed global source, port 40000
        sport, src = 40000, p.get("src") or "2001:db8:ffff::99"
        dst = p["gw_addr"] if how == "offlink-unicast" else "ff02::fb"
    if len(payload) + 48 > 1500:
        frames = udp6_fragments(p, src, dst, sport, 5353, payload)
    else:
        frames = [udp6_frame(p, src, dst, sport, 5353, payload)]
    send_frames(iface, frames)
    return len(frames)


# --- sending -----------------------------------------------------------------

SHAPES = {name[6:]: fn for name, fn in globals().items() if name.startswith("shape_")}


def send_frames(iface, frames, inter=0.0):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for f in frames:
        s.send(f)
        if inter:
            time.sleep(inter)
    s.close()


def params(iface, kv):
    p = {"mac": iface_mac(iface), "ll": iface_ll(iface)}
    for item in kv:
        if "=" not in item:
            raise SystemExit("hostile.py: expected KEY=VALUE, got %r" % item)
        k, v = item.split("=", 1)
        p[k] = v
    return p


def cmd_send(iface, shape, kv):
    p = params(iface, kv)
    if shape in MDNS_SHAPES:
        n = send_mdns(iface, p, shape)
    elif shape in SHAPES:
        frames = SHAPES[shape](p)
        send_frames(iface, frames)
        n = len(frames)
    else:
        raise SystemExit("hostile.py: unknown shape %s (see: hostile.py shapes)" % shape)
    print("sent %d frames" % n)


def cmd_flood_ns(iface, prefix, count, kv):
    """COUNT NS for random targets inside PREFIX (a /76: 52 random bits)."""
    p = params(iface, kv)
    base = int(ipaddress.IPv6Address(prefix))
    frames = []
    for _ in range(count):
        t = str(ipaddress.IPv6Address(base | random.getrandbits(52)))
        dst = solicited_node(t)
        frames.append(nd_packet(p, p["ll"], dst, ns_body(t, opt_slla(p["mac"]))))
    pps = int(p.get("pps", "0"))
    t0 = time.monotonic()
    if pps <= 0:
        send_frames(iface, frames)
    else:
        # paced in 20 ms slices, so the flood lasts count/pps seconds
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((iface, 0))
        per = max(1, pps // 50)
        for i in range(0, count, per):
            for f in frames[i:i + per]:
                s.send(f)
            pause = t0 + (i + per) / pps - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        s.close()
    print("sent %d frames in %.2f s" % (count, time.monotonic() - t0))


# --- legitimate requests -------------------------------------------------------

def rx_socket(iface):
    """AF_PACKET socket seeing every IPv6 frame on iface (ours excluded below)."""
    r = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IPV6))
    r.bind((iface, ETH_P_IPV6))
    return r


def wait_frame(r, deadline, match):
    """The first incoming frame for which match(frame) is true, or None."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        r.settimeout(left)
        try:
            data, addr = r.recvfrom(65535)
        except socket.timeout:
            return None
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        if match(data):
            return data


def icmp6_of(data):
    """(ICMPv6 bytes, source address text) of a frame, None if not ICMPv6."""
    if len(data) < 14 + 40 + 4 or data[12:14] != b"\x86\xdd" or data[14 + 6] != 58:
        return None, None
    return data[54:], str(ipaddress.IPv6Address(data[22:38]))


def cmd_legit_ns(iface, target, timeout):
    """An ordinary NS for target from this host (link-local source, SLLA, to
    the solicited-node group); 0 when an NA for target comes back."""
    p = params(iface, [])
    tgt = a16(target)
    r = rx_socket(iface)
    t0 = time.monotonic()
    send_frames(iface, [nd_packet(p, p["ll"], solicited_node(target), ns_body(target, opt_slla(p["mac"])))])

    def is_na(data):
        icmp, _ = icmp6_of(data)
        return icmp is not None and len(icmp) >= 24 and icmp[0] == ND_NA and icmp[8:24] == tgt
    got = wait_frame(r, t0 + timeout, is_na)
    if got is None:
        print("no NA for %s within %.1f s" % (target, timeout))
        return 1
    print("NA for %s from %s after %.0f ms" % (target, icmp6_of(got)[1], (time.monotonic() - t0) * 1000))
    return 0


def cmd_legit_rs(iface, gw_ll, timeout):
    """An ordinary RS (link-local source, SLLA, to ff02::2); 0 when an RA
    from gw_ll comes back. Prints its router lifetime."""
    p = params(iface, [])
    want = ipaddress.IPv6Address(gw_ll)
    r = rx_socket(iface)
    t0 = time.monotonic()
    send_frames(iface, [nd_packet(p, p["ll"], "ff02::2", rs_body(opt_slla(p["mac"])))])

    def is_ra(data):
        icmp, src = icmp6_of(data)
        return icmp is not None and len(icmp) >= 16 and icmp[0] == ND_RA and \
            ipaddress.IPv6Address(src) == want
    got = wait_frame(r, t0 + timeout, is_ra)
    if got is None:
        print("no RA from %s within %.1f s" % (gw_ll, timeout))
        return 1
    icmp, _ = icmp6_of(got)
    print("RA from %s after %.0f ms, router lifetime %d s" %
          (gw_ll, (time.monotonic() - t0) * 1000, struct.unpack("!H", icmp[6:8])[0]))
    return 0


def cmd_legit_mdns(iface, name):
    """An ordinary QM query for name from port 5353 to ff02::fb."""
    p = params(iface, [])
    send_frames(iface, [udp6_frame(p, p["ll"], "ff02::fb", 5353, 5353, mdns_query(name))])
    print("sent query for %s" % name)
    return 0


# --- replaying the gateway's own packets (scapy) ----------------------------

def cmd_replay(iface, kind, kv):
    """Catch one packet the gateway sends on this link, then send it back at
    the gateway with its own source MAC and IP (an NA gets the gateway's MAC
    as Ethernet destination; an mDNS copy its UDP checksum recomputed).
      kind na   an NA (needs target=; a legit NS for it is sent to provoke one),
                sent back to gw_mac=
      kind ra   an RA (waits up to timeout= s, default 8); with gw_ll= an RS
                provokes it, else the caller does
      kind mdns a reflected mDNS packet (the caller provokes one from the
                other link); sent back to the group
    ready=FILE is created once the sniffer runs, for callers that provoke
    the packet themselves.
    """
    import logging
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    from scapy.config import conf
    from scapy.layers.inet6 import IPv6, ICMPv6ND_NA, ICMPv6ND_RA
    from scapy.layers.inet import UDP
    from scapy.layers.l2 import Ether
    from scapy.sendrecv import AsyncSniffer
    import threading
    conf.verb = 0
    p = params(iface, kv)
    gw_mac = p["gw_mac"].lower()
    timeout = float(p.get("timeout", "8"))

    def wanted(pk):
        if Ether not in pk or pk[Ether].src.lower() != gw_mac or IPv6 not in pk:
            return False
        if kind == "na":
            return ICMPv6ND_NA in pk and ipaddress.IPv6Address(pk[ICMPv6ND_NA].tgt) == \
                ipaddress.IPv6Address(p["target"])
        if kind == "ra":
            return ICMPv6ND_RA in pk
        return UDP in pk and pk[UDP].dport == 5353
    ready = threading.Event()
    sn = AsyncSniffer(iface=iface, lfilter=wanted, count=1, started_callback=ready.set)
    sn.start()
    ready.wait(3)
    if "ready" in p:   # tell the caller it may provoke the packet now
        open(p["ready"], "w").close()
    if kind == "na":
        cmd_legit_ns(iface, p["target"], 2.0)
    elif kind == "ra" and "gw_ll" in p:
        # a host repeats its RS when no RA comes; so do we, up to 3 times
        for _ in range(3):
            if cmd_legit_rs(iface, p["gw_ll"], 1.5) == 0 or sn.results:
                break
    sn.join(timeout)
    if sn.running:
        sn.stop()
    got = sn.results
    if not got:
        print("replay: caught nothing from %s" % gw_mac)
        return 1
    pk = got[0]
    raw = bytes(pk)
    if kind == "na":
        out = mac_bytes(gw_mac) + raw[6:]      # back to the gateway's own MAC
    elif kind == "mdns":
        # veth hands the frame over with the UDP checksum left to offload
        # (partial); rebuild it so the stack takes the copy.
        ip = pk[IPv6].copy()
        del ip[UDP].chksum
        out = raw[:14] + bytes(ip)
    else:
        out = raw                              # multicast: the frame as it was
    send_frames(iface, [out])
    ip = pk[IPv6]
    print("replayed %d-byte frame: ether src %s, ip %s -> %s" % (len(out), pk[Ether].src, ip.src, ip.dst))
    return 0


def main():
    a = sys.argv[1:]
    if not a:
        print(__doc__)
        return 2
    cmd = a[0]
    if cmd == "shapes":
        print("\n".join(sorted(list(SHAPES) + list(MDNS_SHAPES))))
        return 0
    if os.geteuid() != 0:
        raise SystemExit("hostile.py: needs root (raw sockets)")
    if cmd == "send" and len(a) >= 3:
        cmd_send(a[1], a[2], a[3:])
        return 0
    if cmd == "flood-ns" and len(a) >= 4:
        cmd_flood_ns(a[1], a[2], int(a[3]), a[4:])
        return 0
    if cmd == "legit-ns" and len(a) >= 3:
        return cmd_legit_ns(a[1], a[2], float(a[3]) if len(a) > 3 else 1.5)
    if cmd == "legit-rs" and len(a) >= 3:
        return cmd_legit_rs(a[1], a[2], float(a[3]) if len(a) > 3 else 1.5)
    if cmd == "legit-mdns" and len(a) == 3:
        return cmd_legit_mdns(a[1], a[2])
    if cmd == "replay" and len(a) >= 3:
        return cmd_replay(a[1], a[2], a[3:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
