import Layer2Frames

/// One network interface as the announcer needs it: where to send (index),
/// what to call it in logs and config (name), what to put in the frames
/// (mac), and whether sending can reach anyone (isUsable).
public struct LinkInfo: Hashable, Sendable {
    public var index: UInt32
    public var name: String
    /// The Ethernet address; nil for links that have none (lo, tunnels).
    public var mac: MACAddress?
    /// IFF_UP: the operator set it up.
    public var adminUp: Bool
    /// IFF_LOWER_UP or IFF_RUNNING: the link has carrier (a veth: its peer
    /// is up too).
    public var carrier: Bool

    public init(index: UInt32, name: String, mac: MACAddress?, adminUp: Bool, carrier: Bool) {
        self.index = index
        self.name = name
        self.mac = mac
        self.adminUp = adminUp
        self.carrier = carrier
    }

    /// Frames sent now can reach the segment. When a link becomes usable
    /// again, the daemon re-announces its VIPs there: switches may have
    /// flushed their tables while the link was down.
    public var isUsable: Bool { adminUp && carrier }
}

/// What changed about the links.
public enum LinkEvent: Hashable, Sendable {
    /// A link appeared, or its name, MAC, admin state or carrier changed.
    case changed(LinkInfo)
    /// A link is gone (RTM_DELLINK, or missing after a resynchronisation).
    case removed(index: UInt32, name: String)
}

/// The links of one network namespace, and their changes as they happen.
/// `NetlinkLinkMonitor` is the real one, `RecordingLinkMonitor` the twin.
/// To miss nothing, call `start` first and `links` after it.
public protocol LinkMonitor: AnyObject {
    /// Every link now (RTM_GETLINK dump).
    func links() throws -> [LinkInfo]
    /// Starts delivering netlink notifications (RTMGRP_LINK), NOT polling.
    /// The handler may be called on a background thread; the daemon hops to
    /// its own event loop.
    func start(_ handler: @escaping @Sendable (LinkEvent) -> Void) throws
    /// Stops delivering; no handler call starts after it returns.
    func stop()
}

/// A `LinkMonitor` whose links and events the test sets: `emit` updates
/// the links and calls the handler at once, on the caller's thread.
public final class RecordingLinkMonitor: LinkMonitor {
    private var current: [LinkInfo]
    private var handler: (@Sendable (LinkEvent) -> Void)?
    /// Whether `start` has been called and `stop` not since.
    public var isStarted: Bool { handler != nil }

    public init(links: [LinkInfo]) {
        current = links
    }

    public func links() throws -> [LinkInfo] { current }

    public func start(_ handler: @escaping @Sendable (LinkEvent) -> Void) throws {
        self.handler = handler
    }

    public func stop() { handler = nil }

    /// Applies `e` to the links (`links()` shows it afterwards) and hands it
    /// to the handler if started.
    public func emit(_ e: LinkEvent) {
        switch e {
        case .changed(let info):
            if let i = current.firstIndex(where: { $0.index == info.index }) {
                current[i] = info
            } else {
                current.append(info)
            }
        case .removed(let index, _):
            current.removeAll { $0.index == index }
        }
        handler?(e)
    }
}
