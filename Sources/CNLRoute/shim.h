// libnl-route-3 for the KernelRoutes module: routes, next hops, addresses
// and links over rtnetlink. pkg-config (libnl-route-3.0) supplies
// -I/usr/include/libnl3.
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/socket.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <sys/socket.h>

// Constants that are macros or enum members of kernel headers Swift may not
// import as plain integers of the right type.
static const int cnl_sol_netlink = 270;              // SOL_NETLINK
static const int cnl_netlink_get_strict_chk = 12;    // NETLINK_GET_STRICT_CHK (Linux 4.20)
static const int cnl_ifa_proto = 11;                 // IFA_PROTO (Linux 5.18)
static const int cnl_ifa_flags = 8;                  // IFA_FLAGS
static const int cnl_ifa_address = 1;                // IFA_ADDRESS
static const int cnl_ifa_local = 2;                  // IFA_LOCAL
static const int cnl_ifa_label = 3;                  // IFA_LABEL

#include <sys/syscall.h>
#include <unistd.h>
// unshare(CLONE_NEWNET) for the calling thread only (network namespaces are
// per thread on Linux). Glibc's unshare() is hidden behind _GNU_SOURCE from
// Swift, so the syscall is made directly. Used by the namespace tests.
static inline int cnl_unshare_network_namespace(void) {
    return (int)syscall(SYS_unshare, 0x40000000 /* CLONE_NEWNET */);
}
