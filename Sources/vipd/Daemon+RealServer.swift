import KernelRoutes
import NATRules
import VipdConfig

/// `real_server`: this node as a direct-routing or tunnel backend. The
/// virtual addresses go on lo (with the VIPs, `KernelPlumbing`); ARP must
/// not answer for them on the LAN (`arp_ignore=1`, `arp_announce=2`, as
/// LVS-DR needs), and for tunnel mode tunl0 is up with reverse-path
/// filtering off, since decapsulated packets carry the client's source.
/// The sysctls are restored at exit.
extension Daemon {
    func startRealServer() {
        guard !config.realServer.addresses.isEmpty else { return }
        var changes = SysctlChanges()
        do {
            try changes.set("net.ipv4.conf.all.arp_ignore", to: "1")
            try changes.set("net.ipv4.conf.all.arp_announce", to: "2")
        } catch {
            log("real_server: \(error)")
        }
        if let links = try? LinuxLinkTable(), (try? links.index(named: "tunl0")) != nil {
            do {
                try links.setUp(named: "tunl0")
                try changes.set("net.ipv4.conf.tunl0.rp_filter", to: "0")
                try changes.set("net.ipv4.conf.all.rp_filter", to: "0")
                log("real_server: tunl0 up with rp_filter 0, for tunnel-mode traffic")
            } catch {
                log("real_server: tunl0: \(error)")
            }
        } else {
            log("real_server: no tunl0 (the ipip module is not loaded); only direct routing will reach this node")
        }
        realServerSysctls = changes
        log("real_server: \(config.realServer.addresses.map(\.description).joined(separator: ", ")) on lo; arp_ignore 1, arp_announce 2")
    }

    func stopRealServer() {
        for e in realServerSysctls?.restore() ?? [] { log("real_server: \(e)") }
        realServerSysctls = nil
    }
}
