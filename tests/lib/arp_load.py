#!/usr/bin/env python3
"""ARP load and spoofing from one host, for tests/integ/51_faults_ipv4.sh.

  arp_load.py scan IFACE MY_MAC MY_IP NET/24 RATE SECONDS
      who-has requests for every address of the /24 but our own, round
      robin, RATE a second for SECONDS, while counting the replies. Prints
      one JSON object: sent, per-target "requests" and "replies" (by the
      replying MAC: {target: {mac: n}}), the rate reached, and how late the
      sender fell behind its schedule at worst.
  arp_load.py spoof IFACE MAC IP COUNT INTERVAL_S
      COUNT unsolicited ARP replies and gratuitous requests saying "IP is at
      MAC" (broadcast), INTERVAL_S apart: an attacker taking over IP.

Raw AF_PACKET frames built here (no scapy: it cannot send 5k frames/s).
"""
import json
import select
import socket
import struct
import sys
import time

ETH_P_ARP = 0x0806
BCAST = b"\xff" * 6


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def arp_frame(dst_mac, src_mac, op, sha, spa, tha, tpa):
    eth = dst_mac + src_mac + struct.pack("!H", ETH_P_ARP)
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + socket.inet_aton(spa) + tha + socket.inet_aton(tpa)
    return eth + arp + b"\x00" * 18  # padded to the Ethernet minimum


def open_sock(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    s.bind((iface, ETH_P_ARP))
    s.setblocking(False)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    return s


def drain(s, my_mac, replies):
    while True:
        try:
            f = s.recv(128)
        except BlockingIOError:
            return
        if len(f) < 42 or f[12:14] != b"\x08\x06":
            continue
        op = struct.unpack("!H", f[20:22])[0]
        if op != 2 or f[0:6] != my_mac:
            continue
        spa = socket.inet_ntoa(f[28:32])
        sha = mac_str(f[22:28])
        t = replies.setdefault(spa, {})
        t[sha] = t.get(sha, 0) + 1


def scan(iface, my_mac_s, my_ip, net, rate, seconds):
    my_mac = mac_bytes(my_mac_s)
    base = net.split("/")[0].rsplit(".", 1)[0]
    targets = ["%s.%d" % (base, i) for i in range(1, 255) if "%s.%d" % (base, i) != my_ip]
    frames = [arp_frame(BCAST, my_mac, 1, my_mac, my_ip, b"\x00" * 6, t) for t in targets]
    s = open_sock(iface)
    requests = {}
    replies = {}
    sent = 0
    worst_lag = 0.0
    start = time.monotonic()
    end = start + seconds
    tick = 0.005  # send in 5 ms slices: RATE/200 frames each
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - start) * rate) + 1
        worst_lag = max(worst_lag, (due - sent) / rate)
        while sent < due:
            i = sent % len(frames)
            try:
                s.send(frames[i])
            except BlockingIOError:
                break
            requests[targets[i]] = requests.get(targets[i], 0) + 1
            sent += 1
        drain(s, my_mac, replies)
        select.select([s], [], [], tick)
    # the replies to the last requests
    stop = time.monotonic() + 0.5
    while time.monotonic() < stop:
        select.select([s], [], [], 0.05)
        drain(s, my_mac, replies)
    took = time.monotonic() - start
    print(json.dumps({"sent": sent, "seconds": round(took, 3), "rate": round(sent / seconds),
                      "worst_lag_ms": round(worst_lag * 1000, 1),
                      "requests": requests, "replies": replies}))


def spoof(iface, mac_s, ip, count, interval):
    mac = mac_bytes(mac_s)
    s = open_sock(iface)
    for _ in range(count):
        # an unsolicited reply and a gratuitous request (RFC 5227 announcement form)
        s.send(arp_frame(BCAST, mac, 2, mac, ip, BCAST, ip))
        s.send(arp_frame(BCAST, mac, 1, mac, ip, b"\x00" * 6, ip))
        time.sleep(interval)
    print(json.dumps({"sent": 2 * count}))


def main():
    if len(sys.argv) == 8 and sys.argv[1] == "scan":
        scan(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]), float(sys.argv[7]))
    elif len(sys.argv) == 7 and sys.argv[1] == "spoof":
        spoof(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
