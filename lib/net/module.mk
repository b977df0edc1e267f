# lib/net: the portable sans-IO TCP/IP stack (see lib/net/net.h). Built into
# the kernel and into the host programs under tests/net/ and tests/unit/net/.
LIB_SRCS_net := lib/net/stack.c lib/net/sock.c lib/net/checksum.c lib/net/arp.c lib/net/ipv4.c \
    lib/net/ip4_frag.c lib/net/icmp.c lib/net/udp.c lib/net/tcp.c lib/net/tcp_pcb.c lib/net/tcp_in.c \
    lib/net/tcp_out.c lib/net/tcp_sack.c lib/net/dhcp.c lib/net/dns.c
KERNEL_LIB_SRCS += $(LIB_SRCS_net)

# The unit tests live under tests/unit/net/ (the top Makefile includes only
# one level of tests/*/module.mk).
include tests/unit/net/module.mk
