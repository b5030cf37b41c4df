// libnftables for the NATRules module: NAT mode's source NAT in a table of
// vipd's own, in process (no nft subprocess).
#include <nftables/libnftables.h>
