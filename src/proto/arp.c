#include "proto/arp.h"
#include "proto/bytes.h"

#include <string.h>

static const char *const drop_names[] = {
#define ARP_DROP_NAME(name) #name,
	ARP_DROPS(ARP_DROP_NAME)
#undef ARP_DROP_NAME
};

const char *arp_drop_name(enum arp_drop d)
{
	return (unsigned)d < ARP_DROP_COUNT ? drop_names[d] : "unknown";
}

static bool mac_is_zero(const uint8_t *mac)
{
	static const uint8_t zero[6];
	return memcmp(mac, zero, 6) == 0;
}

/* Addresses no host holds on a link: multicast, limited broadcast, loopback. */
static bool ip_not_unicast(uint32_t a)
{
	return (a >> 28) == 0xe || a == 0xffffffffu || (a >> 24) == 127;
}

enum arp_drop arp_parse(const uint8_t *p, size_t len, const uint8_t *eth_src, struct arp_msg *m)
{
	if (len < ARP_LEN)
		return ARP_DROP_truncated;
	if (be_get16(p) != ARP_HTYPE_ETHER)
		return ARP_DROP_bad_htype;
	if (be_get16(p + 2) != ARP_PTYPE_IPV4)
		return ARP_DROP_bad_ptype;
	if (p[4] != 6)
		return ARP_DROP_bad_hlen;
	if (p[5] != 4)
		return ARP_DROP_bad_plen;
	uint16_t op = be_get16(p + 6);
	if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)
		return ARP_DROP_bad_op;
	const uint8_t *sha = p + 8, *spa = p + 14, *tha = p + 18, *tpa = p + 24;
	if (arp_mac_is_group(sha) || mac_is_zero(sha))
		return ARP_DROP_sender_mac_mcast;
	if (eth_src && memcmp(eth_src, sha, 6) != 0)
		return ARP_DROP_sender_mac_mismatch;
	uint32_t s = be_get32(spa), t = be_get32(tpa);
	if (ip_not_unicast(s) || (s == 0 && op == ARP_OP_REPLY))
		return ARP_DROP_sender_ip_bad;
	/* a reply to an RFC 5227 probe goes to 0.0.0.0; a request must ask for someone */
	if ((t == 0 && op == ARP_OP_REQUEST) || ip_not_unicast(t))
		return ARP_DROP_target_ip_bad;
	m->op = op;
	memcpy(m->sha, sha, 6);
	memcpy(m->tha, tha, 6);
	memcpy(&m->spa, spa, 4);
	memcpy(&m->tpa, tpa, 4);
	m->probe = op == ARP_OP_REQUEST && s == 0;
	m->gratuitous = s == t;
	return ARP_DROP_ok;
}

size_t arp_build(uint8_t out[ARP_LEN], const struct arp_msg *m)
{
	be_put16(out, ARP_HTYPE_ETHER);
	be_put16(out + 2, ARP_PTYPE_IPV4);
	out[4] = 6;
	out[5] = 4;
	be_put16(out + 6, m->op);
	memcpy(out + 8, m->sha, 6);
	memcpy(out + 14, &m->spa, 4);
	memcpy(out + 18, m->tha, 6);
	memcpy(out + 24, &m->tpa, 4);
	return ARP_LEN;
}

size_t arp_build_request(uint8_t out[ARP_LEN], const uint8_t sha[6], struct in_addr spa,
                         struct in_addr tpa)
{
	struct arp_msg m = { .op = ARP_OP_REQUEST, .spa = spa, .tpa = tpa };
	memcpy(m.sha, sha, 6);
	return arp_build(out, &m);
}

size_t arp_build_reply(uint8_t out[ARP_LEN], const uint8_t mac[6], struct in_addr ip,
                       const uint8_t to_mac[6], struct in_addr to_ip)
{
	struct arp_msg m = { .op = ARP_OP_REPLY, .spa = ip, .tpa = to_ip };
	memcpy(m.sha, mac, 6);
	memcpy(m.tha, to_mac, 6);
	return arp_build(out, &m);
}

size_t arp_build_announce(uint8_t out[ARP_LEN], const uint8_t mac[6], struct in_addr ip)
{
	return arp_build_request(out, mac, ip, ip);
}
