import BGPCodec

/// What one peering is configured to be. Validated by the config layer;
/// the machine trusts it.
public struct SessionConfig: Hashable, Sendable {
    public var localAS: UInt32
    public var routerID: IPv4Address
    public var peerAS: UInt32
    /// Proposed hold time in seconds: 0 (no keepalives) or at least 3.
    public var holdTime: UInt16 = 90
    /// Seconds between keepalives; nil means a third of the negotiated hold time.
    public var keepaliveTime: UInt16? = nil
    /// RFC 4271 §10 suggests 120 s.
    public var connectRetryTime: Duration = .seconds(120)
    /// Never connect out; only accept.
    public var passive = false
    /// RFC 4271 §8.1.1 DelayOpen: wait this long for the peer's OPEN before sending ours.
    public var delayOpenTime: Duration? = nil
    /// RFC 4271 §8.1.1 IdleHoldTime before an automatic restart; it doubles
    /// after every failure that follows a short session, up to the maximum.
    public var idleHoldTime: Duration = .seconds(1)
    public var maxIdleHoldTime: Duration = .seconds(120)
    /// A session that stays Established this long resets the backoff.
    public var stableTime: Duration = .seconds(60)
    /// RFC 9687 Send Hold Time; nil means its default, max(8 min, 2 × hold).
    public var sendHoldTime: Duration? = nil
    /// Restart after an error without an operator (AutomaticStart).
    public var automaticRestart = true

    // Capabilities we offer.
    public var families: [AddressFamily] = [.ipv4Unicast]
    public var fourOctetAS = true
    public var routeRefresh = true
    public var enhancedRouteRefresh = true
    public var extendedMessage = false
    public var gracefulRestart: GracefulRestartConfig? = nil
    /// RFC 7911: families and 1 receive, 2 send, 3 both.
    public var addPath: [AddPathEntry] = []
    /// RFC 8950: IPv4 NLRI with IPv6 next hops.
    public var extendedNextHop: [ExtendedNextHopEntry] = []
    /// RFC 9234 role; nil sends none.
    public var role: UInt8? = nil
    public var hostname: String? = nil
    public var domain: String? = nil
    /// Capability codes the peer must offer, or we answer OPEN error 2/7.
    public var requiredCapabilities: Set<UInt8> = []
    /// Seed of the timer jitter (RFC 4271 §10).
    public var jitterSeed: UInt64 = 1

    public init(localAS: UInt32, routerID: IPv4Address, peerAS: UInt32) {
        self.localAS = localAS
        self.routerID = routerID
        self.peerAS = peerAS
    }

    public var isInternal: Bool { localAS == peerAS }

    public var effectiveSendHoldTime: Duration {
        sendHoldTime ?? max(.seconds(480), .seconds(2 * Int64(holdTime)))
    }
}

/// RFC 4724 as configured for this session.
public struct GracefulRestartConfig: Hashable, Sendable {
    /// Seconds the peer should keep our routes while we restart (12 bits).
    public var restartTime: UInt16
    /// Set by the daemon when it comes back from a graceful restart.
    public var restarting: Bool
    /// Families whose forwarding state survived the restart.
    public var forwardingPreserved: Bool

    public init(restartTime: UInt16 = 120, restarting: Bool = false, forwardingPreserved: Bool = false) {
        self.restartTime = min(restartTime, 4095)
        self.restarting = restarting
        self.forwardingPreserved = forwardingPreserved
    }
}
