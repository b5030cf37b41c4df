import BGPCodec
import Foundation
import KernelRoutes
import RIB
import VipdConfig

/// Everything vipd writes into the kernel's routing tables and addresses,
/// over libnl (KernelRoutes), owned by the daemon's loop:
/// - routing-table mode: each `mode: table` VIP as a route in
///   `routing_table.table` with `routing_table.protocol`, dev lo, for a
///   local FRR or BIRD to redistribute (docs/kernel-routes.md);
/// - `local: true` VIPs (bgp and table modes) on lo while announced;
/// - FIB install (`fib.install`): each best route learned from a peer, in
///   `fib.table` with `fib.protocol` and `fib.metric`, ECMP with multipath.
/// Routes are ours by their protocol id; addresses by the record in
/// `state_dir` (IFA_PROTO marks them too). Both are cleaned at start (what a
/// crashed run left) and at exit.
final class KernelPlumbing {
    let routes: any RouteTable
    let addresses: any AddressTable
    let stateDir: String
    let log: (String) -> Void
    private var tableSync: KernelRouteSync
    private var routingTable: RoutingTableConfig
    private var fib: FIBConfig
    /// FIB routes installed, by prefix.
    private(set) var installed: [RoutePrefix: KernelRoute] = [:]
    /// Addresses we put on lo.
    private(set) var onLoopback: Set<IPAddress> = []
    /// Table-mode VIPs whose route the kernel accepted.
    private(set) var tableOwned: Set<IPAddress> = []
    private let loopback: UInt32
    /// The table-mode routes last synced: a VIP change that leaves them
    /// alone costs no netlink dump (it would sit in front of the UPDATE).
    private var lastTableRoutes: Set<KernelRoute>?

    /// IFA_PROTO of vipd's addresses (the same number as table-mode routes).
    static let addressMark: UInt8 = 248

    init(routes: any RouteTable, addresses: any AddressTable, config: VipdConfig, log: @escaping (String) -> Void) throws {
        self.routes = routes
        self.addresses = addresses
        stateDir = config.stateDir
        self.log = log
        routingTable = config.routingTable
        fib = config.fib
        tableSync = KernelRouteSync(table: config.routingTable.table, proto: config.routingTable.routeProtocol, routes: routes)
        loopback = try addresses.interfaceIndex(named: "lo")
    }

    // MARK: start and exit

    /// Removes what an earlier run left: our table-mode routes, our FIB
    /// routes, and the addresses its record lists.
    func cleanupAtStart() {
        cleanRoutes()
        for a in AddressRecord.read(stateDir) { removeAddress(a, reason: "left by an earlier run") }
        AddressRecord.write(stateDir, [])
    }

    /// After a graceful-restart stop the previous run's routes and addresses
    /// stay (forwarding was preserved); take them over instead of removing.
    func adoptAtRestart() {
        onLoopback = Set(AddressRecord.read(stateDir))
    }

    /// At exit (not on a graceful-restart stop, which keeps forwarding).
    func cleanupAtExit() {
        cleanRoutes()
        for a in onLoopback { removeAddress(a, reason: "exit") }
        onLoopback = []
        AddressRecord.write(stateDir, [])
    }

    private func cleanRoutes() {
        report("table mode cleanup", try? tableSync.cleanup())
        if fib.install {
            report("FIB cleanup", try? KernelRouteSync(table: fib.table, proto: fib.routeProtocol, routes: routes).cleanup())
        }
        installed = [:]
        tableOwned = []
        lastTableRoutes = nil
    }

    // MARK: VIPs

    /// Brings table-mode routes and lo addresses in line with the VIPs in
    /// force: table-mode VIPs get their route; `local` VIPs of the bgp and
    /// table modes are on lo.
    func syncVIPs(_ vips: [VIPConfig], config: VipdConfig) {
        if config.routingTable != routingTable {
            // A new table or protocol: leave the old one clean first.
            report("table mode cleanup", try? tableSync.cleanup())
            routingTable = config.routingTable
            lastTableRoutes = nil
            tableSync = KernelRouteSync(table: routingTable.table, proto: routingTable.routeProtocol, routes: routes)
        }
        let table = vips.filter { $0.mode == .table }
        let desired = table.map { KernelRoute.tableModeVIP(Self.kernelAddress($0.address), interfaceIndex: loopback,
                                                           table: routingTable.table, proto: routingTable.routeProtocol) }
        if lastTableRoutes != Set(desired) {
            syncTable(desired, table)
        }
        syncLoopback(vips, realServer: config.realServer.addresses)
    }

    private func syncTable(_ desired: [KernelRoute], _ table: [VIPConfig]) {
        lastTableRoutes = Set(desired)
        do {
            let r = try tableSync.sync(desired)
            if !r.applied.isEmpty || !r.failed.isEmpty { log("routing table \(routingTable.table): \(r)") }
            let failed = Set(r.failed.map(\.operation.route.destination))
            tableOwned = Set(table.map(\.address).filter { !failed.contains(.host(Self.kernelAddress($0))) })
        } catch {
            lastTableRoutes = nil
            log("routing table \(routingTable.table): cannot sync: \(error)")
        }
    }

    /// `local` VIPs of the bgp and table modes, and `real_server.addresses`
    /// (a direct-routing or tunnel backend accepts the VIP's traffic on lo).
    private func syncLoopback(_ vips: [VIPConfig], realServer: [IPAddress]) {
        let before = onLoopback
        defer { if onLoopback != before { AddressRecord.write(stateDir, onLoopback) } }
        let wantLo = Set(vips.filter { $0.local && ($0.mode == .bgp || $0.mode == .table) }.map(\.address) + realServer)
        for a in onLoopback.subtracting(wantLo) { removeAddress(a, reason: "no longer a local VIP") }
        for a in wantLo.subtracting(onLoopback) {
            do {
                try addresses.add(.vip(Self.kernelAddress(a), interfaceIndex: loopback, scope: .host, proto: Self.addressMark))
                onLoopback.insert(a)
            } catch {
                log("vip \(a): cannot add it to lo: \(error)")
            }
        }
    }

    private func removeAddress(_ a: IPAddress, reason: String) {
        do {
            try addresses.remove(.vip(Self.kernelAddress(a), interfaceIndex: loopback))
        } catch let e as KernelError where e.isNotFound {
        } catch {
            log("vip \(a): cannot remove it from lo (\(reason)): \(error)")
        }
        onLoopback.remove(a)
    }

    // MARK: FIB install

    /// Installs, replaces or removes the kernel route of each changed
    /// prefix from the Loc-RIB's best paths (our own VIPs are not installed).
    func updateFIB(_ prefixes: [RoutePrefix], rib: LocRIB) {
        guard fib.install else { return }
        for p in prefixes {
            let want = fibRoute(p, rib)
            let have = installed[p]
            guard want != have else { continue }
            do {
                if let w = want {
                    try routes.replace(w)
                    if let h = have, h.metric != w.metric { try? routes.delete(h) }
                    installed[p] = w
                } else if let h = have {
                    do { try routes.delete(h) } catch let e as KernelError where e.isNotFound {}
                    installed[p] = nil
                }
            } catch {
                log("FIB \(p): \(error)")
            }
        }
    }

    private func fibRoute(_ p: RoutePrefix, _ rib: LocRIB) -> KernelRoute? {
        let paths = rib.multipath(p).filter { $0.peer != 0 }
        let hops: [KernelRoutes.NextHop] = paths.compactMap { path in
            switch rib.store[path.attributes].nextHop {
            case .ipv4(let a): return .via(Self.kernelAddress(.v4(a)))
            case .ipv6(let g, let ll):
                // A link-local next hop needs its interface; use the global
                // one when the peer sent one.
                if g != .zero { return .via(Self.kernelAddress(.v6(g))) }
                return ll.map { .via(Self.kernelAddress(.v6($0))) }
            case .opaque: return nil
            }
        }
        guard !hops.isEmpty, let dest = Self.kernelPrefix(p) else { return nil }
        return KernelRoute(destination: dest, table: fib.table, proto: fib.routeProtocol, metric: fib.metric, nextHops: Array(Set(hops)).sorted())
    }

    /// `fib` changed in a reload: remove what the old settings installed,
    /// then install every best route under the new ones.
    func reinstallFIB(_ new: FIBConfig, rib: LocRIB) {
        if fib.install {
            for (_, r) in installed { try? routes.delete(r) }
            installed = [:]
        }
        fib = new
        guard new.install else { return }
        updateFIB(rib.routes().filter(\.best).map(\.prefix), rib: rib)
    }

    // MARK: conversions

    static func kernelAddress(_ a: IPAddress) -> KernelAddress {
        switch a {
        case .v4(let x): return KernelAddress(bytes: [UInt8(x.value >> 24), UInt8(x.value >> 16 & 0xFF), UInt8(x.value >> 8 & 0xFF), UInt8(x.value & 0xFF)])!
        case .v6(let x): return KernelAddress(bytes: PolicyCompiler.addressBytes(.v6(x)))!
        }
    }

    static func kernelPrefix(_ p: RoutePrefix) -> KernelPrefix? {
        switch p {
        case .ipv4(let x): return KernelPrefix(address: kernelAddress(.v4(x.address)), length: x.length)
        case .ipv6(let x): return KernelPrefix(address: kernelAddress(.v6(x.address)), length: x.length)
        }
    }

    private func report(_ what: String, _ r: RouteSyncReport?) {
        guard let r else { return log("\(what): the table could not be read") }
        if !r.applied.isEmpty || !r.failed.isEmpty { log("\(what): \(r)") }
    }
}

extension Daemon {
    /// Opens netlink; without it (no permission, say) vipd still speaks
    /// BGP and says what it cannot do.
    func startKernel() {
        do {
            let k = try KernelPlumbing(routes: LinuxRouteTable(), addresses: LinuxAddressTable(), config: config) { [unowned self] in self.log($0) }
            if restarting { k.adoptAtRestart() } else { k.cleanupAtStart() }
            kernel = k
        } catch {
            log("kernel routes and addresses unavailable (table mode, local VIPs on lo, FIB install): \(error)")
        }
    }

}

/// The addresses vipd added, one a line (`ADDRESS dev INTERFACE`; a bare
/// address is on lo), under a header of the boot id and the network
/// namespace's cookie: a record from another boot or namespace is not ours
/// to act on (interfaces.md, "Kernel specifics"). `state_dir/addresses`
/// holds the VIPs on lo, `state_dir/layer2-addresses` the ARP VIPs.
enum AddressRecord {
    struct Entry: Hashable {
        var address: IPAddress
        var interface: String
    }

    static func path(_ dir: String, _ name: String) -> String { dir + "/" + name }

    /// The same for the whole run (vipd never changes its boot or
    /// namespace), so it is read once: each read is a file and a socket.
    static func owner() -> String { ownerOfThisRun }
    private static let ownerOfThisRun = "boot \(bootID()) netns \(netnsCookie())"

    /// The VIPs on lo.
    static func read(_ dir: String) -> [IPAddress] {
        readEntries(dir, name: "addresses").filter { $0.interface == "lo" }.map(\.address)
    }

    static func write(_ dir: String, _ addresses: Set<IPAddress>) {
        writeEntries(dir, name: "addresses", addresses.sorted().map { Entry(address: $0, interface: "lo") })
    }

    static func readEntries(_ dir: String, name: String) -> [Entry] {
        guard let text = FileIO.readText(path(dir, name)) else { return [] }
        let lines = text.split(separator: "\n").map(String.init)
        guard lines.first == owner() else { return [] }
        return lines.dropFirst().compactMap { line in
            let words = line.split(separator: " ").map(String.init)
            guard let a = words.first.flatMap(IPAddress.init) else { return nil }
            if words.count == 3, words[1] == "dev" { return Entry(address: a, interface: words[2]) }
            return words.count == 1 ? Entry(address: a, interface: "lo") : nil
        }
    }

    static func writeEntries(_ dir: String, name: String, _ entries: [Entry]) {
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = ([owner()] + entries.map { "\($0.address) dev \($0.interface)" }).joined(separator: "\n") + "\n"
        FileIO.writeAtomically(path(dir, name), text)
    }

    static func bootID() -> String {
        guard let bytes = FileIO.readBytes("/proc/sys/kernel/random/boot_id") else { return "unknown" }
        return String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace }
    }

    /// SO_NETNS_COOKIE (Linux 5.14): the namespace's identity, never reused.
    static func netnsCookie() -> String {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return "unknown" }
        defer { close(fd) }
        var cookie: UInt64 = 0
        var len = socklen_t(MemoryLayout<UInt64>.size)
        guard getsockopt(fd, SOL_SOCKET, 71, &cookie, &len) == 0 else { return "unknown" }
        return String(cookie)
    }
}
