// libnl-genl-3 for the IPVSNetlink module: the kernel's "IPVS" generic
// netlink family (linux/ip_vs.h). pkg-config (libnl-genl-3.0) supplies
// -I/usr/include/libnl3.
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <linux/ip_vs.h>
