import Logging

/// Per-peer debug logging switched at run time (`vipctl debug peer ADDR on|off`).
///
/// A value the daemon owns on its event loop. `logger(for:)` gives a peer's
/// Logger: the base logger with `bgp.peer` set, at `.debug` while the peer's
/// switch is on (or the base level, if that is already more verbose), else
/// at the base level. Loggers are values, so one handed out earlier keeps
/// its level: `set(peer:on:)` returns the peer's new Logger for the daemon
/// to store wherever it keeps the old one.
public struct DebugSwitches {
    public var base: Logger
    public private(set) var debugPeers: Set<String> = []

    public init(base: Logger) {
        self.base = base
    }

    public func isOn(peer: String) -> Bool {
        debugPeers.contains(peer)
    }

    public func logger(for peer: String) -> Logger {
        var logger = base
        logger[metadataKey: LogKey.bgpPeer] = .string(peer)
        if debugPeers.contains(peer) {
            logger.logLevel = min(base.logLevel, .debug)
        }
        return logger
    }

    @discardableResult
    public mutating func set(peer: String, on: Bool) -> Logger {
        if on {
            debugPeers.insert(peer)
        } else {
            debugPeers.remove(peer)
        }
        return logger(for: peer)
    }
}
