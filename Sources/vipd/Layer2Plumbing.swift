import BGPCodec
import KernelRoutes
import Layer2Frames
import Layer2Link
import NIOCore
import VipdConfig

/// ARP-mode VIPs on the `interface`: the address added over libnl (IPv4
/// /32, IPv6 /128 without DAD when `layer2.nodad`), announced at once by
/// gratuitous ARP in both forms (request, and reply with target MAC =
/// sender MAC) or by an unsolicited NA, then by the rest of the
/// `layer2.garp` burst and its optional refresh; removed at once on release.
/// Owned by the daemon's loop. What it adds is listed in
/// `state_dir/layer2-addresses` (boot id and netns cookie in the header), so
/// a later run removes exactly what a crashed one left.
final class Layer2Plumbing {
    let addresses: any AddressTable
    let sender: any FrameSender
    let loop: EventLoop
    let stateDir: String
    let log: (IPAddress, String) -> Void
    /// Counts frames sent: (interface, arp frames, na frames).
    var onSent: (String, Int, Int) -> Void = { _, _, _ in }
    private(set) var interface: String
    private(set) var link: LinkInfo?
    private var layer2: Layer2Config
    /// The VIPs on the interface now.
    private(set) var owned: Set<IPAddress> = []
    /// Burst and refresh timers of each owned VIP.
    private var timers: [IPAddress: [Scheduled<Void>]] = [:]
    private var refreshes: [IPAddress: RepeatedTask] = [:]

    static let recordName = "layer2-addresses"

    init(addresses: any AddressTable, sender: any FrameSender, loop: EventLoop, config: VipdConfig,
         log: @escaping (IPAddress, String) -> Void) {
        self.addresses = addresses
        self.sender = sender
        self.loop = loop
        stateDir = config.stateDir
        interface = config.interface ?? ""
        layer2 = config.layer2
        self.log = log
    }

    /// The interface's current link (from the monitor's dump or events).
    func setLink(_ info: LinkInfo?) { link = info }

    /// A reload may change `layer2` (used from the next takeover) or the
    /// interface (everything owned moves: the caller releases first).
    func configure(_ config: VipdConfig) {
        layer2 = config.layer2
        interface = config.interface ?? ""
    }

    // MARK: start and exit

    /// Removes the ARP VIPs an earlier run left (its record), on whatever
    /// interface they were.
    func cleanupAtStart() {
        for e in AddressRecord.readEntries(stateDir, name: Self.recordName) {
            removeFromKernel(e.address, interface: e.interface, reason: "left by an earlier run")
        }
        AddressRecord.writeEntries(stateDir, name: Self.recordName, [])
    }

    func cleanupAtExit() {
        for a in owned { release(a, reason: "exit") }
    }

    // MARK: ownership

    /// Takes the VIPs in `want` that are not owned yet and releases the
    /// owned ones not in it. Returns the VIPs taken now.
    @discardableResult
    func sync(_ want: Set<IPAddress>) -> [IPAddress] {
        for a in owned.subtracting(want) { release(a, reason: "no longer planned here") }
        var taken: [IPAddress] = []
        for a in want.subtracting(owned).sorted() where take(a) { taken.append(a) }
        return taken
    }

    /// Adds the address, then announces it: the first frames leave before
    /// this returns.
    private func take(_ a: IPAddress) -> Bool {
        do {
            try addresses.add(interfaceAddress(a, try addresses.interfaceIndex(named: interface)))
        } catch {
            log(a, "cannot add it to \(interface): \(error)")
            return false
        }
        owned.insert(a)
        record()
        announce(a)
        let plan = AnnouncementPlan(count: layer2.garp.count, intervalMs: layer2.garp.intervalMs, refreshS: layer2.garp.refreshS)
        timers[a] = plan.burstOffsetsMs.dropFirst().map { ms in
            loop.scheduleTask(in: .milliseconds(Int64(ms))) { [weak self] in self?.announce(a) }
        }
        if let every = plan.refreshMs {
            refreshes[a] = loop.scheduleRepeatedTask(initialDelay: .milliseconds(Int64(every)), delay: .milliseconds(Int64(every))) { [weak self] _ in
                self?.announce(a)
            }
        }
        log(a, "owned on \(interface), announced")
        return true
    }

    /// Removes the address at once and stops its announcements.
    func release(_ a: IPAddress, reason: String) {
        timers.removeValue(forKey: a)?.forEach { $0.cancel() }
        refreshes.removeValue(forKey: a)?.cancel()
        removeFromKernel(a, interface: interface, reason: reason)
        owned.remove(a)
        record()
        log(a, "released from \(interface) (\(reason))")
    }

    /// The interface came back (or its MAC changed): the owned VIPs are
    /// added again if the kernel dropped them, and announced.
    func relink() {
        for a in owned.sorted() {
            if let index = try? addresses.interfaceIndex(named: interface) {
                try? addresses.add(interfaceAddress(a, index))
            }
            announce(a)
        }
    }

    /// One round of announcements for one VIP: GARP request and reply
    /// forms for IPv4, an unsolicited NA for IPv6. Returns whether a frame left.
    @discardableResult
    func announce(_ a: IPAddress) -> Bool {
        guard let link, let mac = link.mac, link.isUsable else { return false }
        let frames: [[UInt8]]
        switch a {
        case .v4(let v4):
            frames = [AnnouncementFrames.gratuitousARPRequest(sender: mac, address: v4),
                      AnnouncementFrames.gratuitousARPReply(sender: mac, address: v4)]
        case .v6(let v6):
            frames = [AnnouncementFrames.unsolicitedNA(sender: mac, target: v6, source: v6)]
        }
        var sent = 0
        for f in frames {
            do {
                try sender.send(f, interfaceIndex: link.index)
                sent += 1
            } catch {
                log(a, "cannot send its announcement on \(interface): \(error)")
            }
        }
        if case .v4 = a { onSent(interface, sent, 0) } else { onSent(interface, 0, sent) }
        return sent > 0
    }

    /// The kernel address of an ARP VIP: /32 or /128, marked with vipd's
    /// IFA_PROTO, IPv6 without DAD unless `layer2.nodad` is off.
    private func interfaceAddress(_ a: IPAddress, _ index: UInt32) -> InterfaceAddress {
        let k = KernelPlumbing.kernelAddress(a)
        return InterfaceAddress(address: k, interfaceIndex: index, flags: k.family == .ipv6 && layer2.nodad ? [.noDAD] : [],
                                scope: .universe, proto: KernelPlumbing.addressMark)
    }

    private func removeFromKernel(_ a: IPAddress, interface name: String, reason: String) {
        do {
            let index = try addresses.interfaceIndex(named: name)
            try addresses.remove(.vip(KernelPlumbing.kernelAddress(a), interfaceIndex: index))
            if !owned.contains(a) { log(a, "removed from \(name) (\(reason))") }
        } catch let e as KernelError where e.isNotFound {
            // Gone with its interface, or removed by hand.
        } catch {
            log(a, "cannot remove it from \(name) (\(reason)): \(error)")
        }
    }

    private func record() {
        AddressRecord.writeEntries(stateDir, name: Self.recordName,
                                   owned.sorted().map { AddressRecord.Entry(address: $0, interface: interface) })
    }
}
