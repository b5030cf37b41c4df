import BGPCodec
import KernelRoutes
import Layer2Link
import NIOCore
import VipdConfig

/// ARP/NDP mode in the daemon: the layer-2 plumbing on `interface`, the
/// link monitor that tells it (and the election) when the interface goes
/// down or away, and the takeover that ends in the first gratuitous ARP.
extension Daemon {
    /// Opens the AF_PACKET socket and the link monitor; without them
    /// (no permission, say) ARP VIPs cannot be owned, and vipd says so.
    func startLayer2() {
        guard let name = config.interface, !name.isEmpty else { return }
        do {
            let sender = try PacketSocketSender()
            let l2 = Layer2Plumbing(addresses: try LinuxAddressTable(), sender: sender, loop: loop, config: config) { [unowned self] a, m in
                self.vlog(a, mode: .arp, m)
            }
            l2.onSent = { [unowned self] interface, arp, na in
                if arp > 0 { self.metrics.countGARPSent(interface: interface, count: arp) }
                if na > 0 { self.metrics.countNASent(interface: interface, count: na) }
            }
            if !restarting { l2.cleanupAtStart() }
            // Notifications first, then the dump, so that no change falls
            // between them (events queue on this loop behind this call).
            let monitor = try NetlinkLinkMonitor()
            try monitor.start { [loop] event in
                loop.execute { [weak self] in self?.linkEvent(event) }
            }
            l2.setLink(try monitor.links().first { $0.name == name })
            layer2 = l2
            linkMonitor = monitor
            gate.linkUsable = l2.link?.isUsable ?? false
            if l2.link == nil { log("interface \(name) is not there; ARP VIPs stay down until it appears") }
        } catch {
            log("layer 2 unavailable on \(name) (ARP VIPs cannot be owned): \(error)")
        }
    }

    func stopLayer2() {
        linkMonitor?.stop()
        layer2?.cleanupAtExit()
    }

    /// A link changed: only the ARP interface matters.
    func linkEvent(_ event: LinkEvent) {
        guard let l2 = layer2 else { return }
        let before = l2.link
        switch event {
        case .changed(let info) where info.name == l2.interface:
            l2.setLink(info)
        case .removed(_, let name) where name == l2.interface:
            l2.setLink(nil)
        default:
            return
        }
        let usable = l2.link?.isUsable ?? false
        guard usable != (before?.isUsable ?? false) || l2.link?.mac != before?.mac else { return }
        log("interface \(l2.interface) is \(l2.link == nil ? "gone" : usable ? "up" : "down")")
        gate.linkUsable = usable
        if usable { l2.relink() }
        syncVIPs()
        updateCampaign()
    }

    /// Takes and releases ARP VIPs as planned. A takeover announces at once
    /// (the first frames leave inside `sync`); the election then hears that
    /// the VIP is ours, and the failover histogram gets the time from the
    /// takeover decision to that first frame.
    func syncLayer2(_ vips: [VIPConfig]) {
        guard let l2 = layer2 else { return }
        let want = Set(vips.filter { $0.mode == .arp && gate.plan($0) == .own }.map(\.address))
        let taken = l2.sync(want)
        guard !taken.isEmpty else { return }
        if let t = takeoverDecidedAt {
            metrics.recordFailover(.nanoseconds(Int64(NIODeadline.now().uptimeNanoseconds - t.uptimeNanoseconds)))
            takeoverDecidedAt = nil
        }
        announcedOwnership()
    }
}
