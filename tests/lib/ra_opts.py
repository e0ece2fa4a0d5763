#!/usr/bin/python3
"""Router Advertisements with the options real routers send, for the RA wire
tests (tests/integ/ra_wire_opts.sh, 41_hostile_ra.sh), and a decoder for
what the relay sends.

    ra_opts.py send IFACE SPEC...          craft one RA and send it from IFACE
                                           (its MAC and link-local address)
    ra_opts.py packet SRC SPEC...          the IPv6 packet, hex, on stdout
    ra_opts.py fuzz-ra FILE SPEC [-- SPEC]...  a tests/fuzz/fuzz_ra input: each
                                           RA a record on wlan0 (upstream), a
                                           few seconds apart
    ra_opts.py decode PCAP                 one line per RA in an Ethernet
                                           capture (see below)

SPEC is a list of tokens, each one option or header field, in wire order:
    lifetime=N           router lifetime (default 1800)
    prf=high|medium|low  default router preference (default medium)
    pio=PREFIX/LEN,VALID,PREFERRED       prefix, L and A set
    rdnss=LIFETIME,ADDR[,ADDR...]        one RDNSS option
    dnssl=LIFETIME,NAME[,NAME...]        one DNSSL option
    pref64=PREFIX/LEN,LIFETIME           RFC 8781 (LEN 96 64 56 48 40 32)
    pref64raw=WORDS,PLC,SCALED,PREFIX    a PREF64 as given (bad ones too)
    capport=URI                          RFC 8910, NUL-padded
    capporthex=HEX                       a captive-portal body as given

decode prints, per RA: "src=ADDR rl=N prf=NAME P=0|1" then " pio=PREFIX/LEN,
VALID,PREFERRED,L|-A|-", " rio=PREFIX/LEN,LIFETIME,PRF", " rdnss=LIFETIME,ADDR
[,ADDR]", " dnssl=LIFETIME,NAME[,NAME]", " pref64=PREFIX/LEN,LIFETIME",
" capport=URI" for each option, in wire order.

Packets are built byte by byte with tests/lib/hostile.py's helpers and sent
the same way (a whole frame on an AF_PACKET socket).
"""

import ipaddress
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile  # noqa: E402  (the shared byte builders and sender)

PRF = {"high": 0x08, "medium": 0x00, "low": 0x18}
PRF_NAME = {0x08: "high", 0x00: "medium", 0x18: "low", 0x10: "reserved"}
PLC = {96: 0, 64: 1, 56: 2, 48: 3, 40: 4, 32: 5}
PLEN = {v: k for k, v in PLC.items()}


def dns_wire(names):
    out = b""
    for n in names:
        for label in n.strip(".").split("."):
            out += bytes([len(label)]) + label.encode()
        out += b"\0"
    return out


def padded(type_, body):
    n = (2 + len(body) + 7) // 8
    return bytes([type_, n]) + body + b"\0" * (n * 8 - 2 - len(body))


def build_ra(spec, mac=None):
    """The ICMPv6 RA (checksum zero) for SPEC tokens."""
    lifetime, flags, opts = 1800, 0, b""
    for tok in spec:
        key, _, val = tok.partition("=")
        if key == "lifetime":
            lifetime = int(val)
        elif key == "prf":
            flags = (flags & ~0x18) | PRF[val]
        elif key == "pio":
            pfx, valid, pref = val.split(",")
            net = ipaddress.IPv6Network(pfx, strict=False)
            opts += struct.pack("!BBBBIII", 3, 4, net.prefixlen, 0xC0, int(valid), int(pref), 0) + \
                net.network_address.packed
        elif key == "rdnss":
            lt, *addrs = val.split(",")
            opts += struct.pack("!BBHI", 25, 1 + 2 * len(addrs), 0, int(lt)) + b"".join(hostile.a16(a) for a in addrs)
        elif key == "dnssl":
            lt, *names = val.split(",")
            body = dns_wire(names)
            body += b"\0" * ((-len(body)) % 8)
            opts += struct.pack("!BBHI", 31, 1 + len(body) // 8, 0, int(lt)) + body
        elif key == "pref64":
            pfx, lt = val.split(",")
            net = ipaddress.IPv6Network(pfx, strict=False)
            scaled = min((int(lt) + 7) // 8, 0x1FFF)
            opts += struct.pack("!BBH", 38, 2, scaled << 3 | PLC[net.prefixlen]) + net.network_address.packed[:12]
        elif key == "pref64raw":
            words, plc, scaled, pfx = val.split(",")
            body = struct.pack("!H", int(scaled) << 3 | int(plc)) + hostile.a16(pfx)[:12]
            body += b"\0" * (int(words) * 8 - 2 - len(body))
            opts += bytes([38, int(words)]) + body[:int(words) * 8 - 2]
        elif key == "capport":
            opts += padded(37, val.encode())
        elif key == "capporthex":
            opts += padded(37, bytes.fromhex(val))
        else:
            raise SystemExit("ra_opts.py: unknown token %r" % tok)
    if mac:
        opts = hostile.opt_slla(mac) + opts
    body = hostile.ra_body(opts, lifetime=lifetime)
    return body[:5] + bytes([flags]) + body[6:]  # ra_body leaves the flags 0


def ip_packet(src, spec, mac=None):
    icmp = hostile.with_checksum(src, "ff02::1", build_ra(spec, mac))
    return hostile.ipv6_header(src, "ff02::1", 58, len(icmp)) + icmp


def split_specs(args):
    specs, cur = [], []
    for a in args:
        if a == "--":
            specs.append(cur)
            cur = []
        else:
            cur.append(a)
    specs.append(cur)
    return specs


def cmd_send(iface, spec):
    p = hostile.params(iface, [])
    ip = ip_packet(p["ll"], spec, p["mac"])
    hostile.send_frames(iface, [hostile.frame(hostile.mcast_mac("ff02::1"), p["mac"], ip)])
    print("sent RA %s" % " ".join(spec))


def cmd_fuzz_ra(path, args):
    """Records for tests/fuzz/fuzz_ra.c: [kind 0 = wlan0][advance][len16][packet];
    advance 15 = 15*15*17 ms, about 4 s between RAs."""
    out = b""
    for spec in split_specs(args):
        ip = ip_packet("fe80::1", spec, "02:aa:00:00:00:00")
        out += struct.pack("!BBH", 0, 15, len(ip)) + ip
    with open(path, "wb") as f:
        f.write(out)


def decode_ra(icmp):
    rl = struct.unpack("!H", icmp[6:8])[0]
    flags = icmp[5]
    words = ["rl=%d" % rl, "prf=%s" % PRF_NAME[flags & 0x18], "P=%d" % (1 if flags & 0x04 else 0)]
    o = icmp[16:]
    while len(o) >= 2 and o[1]:
        t, n = o[0], o[1] * 8
        b = o[:n]
        if t == 3:
            plen, f, valid, pref = b[2], b[3], *struct.unpack("!II", b[4:12])
            words.append("pio=%s/%d,%d,%d,%s%s" % (ipaddress.IPv6Address(b[16:32]), plen, valid, pref,
                                                   "L" if f & 0x80 else "-", "A" if f & 0x40 else "-"))
        elif t == 24:
            pfx = (b[8:] + b"\0" * 16)[:16]
            words.append("rio=%s/%d,%d,%s" % (ipaddress.IPv6Address(pfx), b[2], struct.unpack("!I", b[4:8])[0],
                                              PRF_NAME[b[3] & 0x18]))
        elif t == 25:
            addrs = [str(ipaddress.IPv6Address(b[i:i + 16])) for i in range(8, n, 16)]
            words.append("rdnss=%d,%s" % (struct.unpack("!I", b[4:8])[0], ",".join(addrs)))
        elif t == 31:
            names, i, d = [], 8, b
            while i < n and d[i]:
                labels = []
                while i < n and d[i]:
                    labels.append(d[i + 1:i + 1 + d[i]].decode(errors="replace"))
                    i += 1 + d[i]
                i += 1
                names.append(".".join(labels))
            words.append("dnssl=%d,%s" % (struct.unpack("!I", b[4:8])[0], ",".join(names)))
        elif t == 38:
            f = struct.unpack("!H", b[2:4])[0]
            pfx = ipaddress.IPv6Address(b[4:16] + b"\0" * 4)
            words.append("pref64=%s/%s,%d" % (pfx, PLEN.get(f & 7, "plc%d" % (f & 7)), (f >> 3) * 8))
        elif t == 37:
            words.append("capport=%s" % b[2:].rstrip(b"\0").decode(errors="replace"))
        o = o[n:]
    return " ".join(words)


def cmd_decode(path):
    """Ethernet pcap (tcpdump -w), classic format; RAs only."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    endian = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(pkt) < 14 + 40 + 16 or pkt[12:14] != b"\x86\xdd" or pkt[14 + 6] != 58 or pkt[54] != 134:
            continue
        src = ipaddress.IPv6Address(pkt[22:38])
        print("t=%d.%06d src=%s %s" % (sec, usec, src, decode_ra(pkt[54:])))


def main():
    a = sys.argv[1:]
    if len(a) >= 2 and a[0] == "decode":
        cmd_decode(a[1])
        return 0
    if len(a) >= 2 and a[0] == "packet":
        print(ip_packet(a[1], a[2:]).hex())
        return 0
    if len(a) >= 2 and a[0] == "fuzz-ra":
        cmd_fuzz_ra(a[1], a[2:])
        return 0
    if len(a) >= 2 and a[0] == "send":
        cmd_send(a[1], a[2:])
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
