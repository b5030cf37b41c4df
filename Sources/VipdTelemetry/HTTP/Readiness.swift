/// What `/readyz` answers: 200 "ready", or 503 with the reasons one a line.
public struct Readiness: Sendable, Hashable {
    public var ready: Bool
    public var reasons: [String]

    public init(ready: Bool, reasons: [String] = []) {
        self.ready = ready
        self.reasons = reasons
    }

    public static let ready = Readiness(ready: true)

    public static func notReady(_ reasons: [String]) -> Readiness {
        Readiness(ready: false, reasons: reasons)
    }

    /// vipd's rule (interfaces.md): ready once every session configured to
    /// come up is Established, and the election, if there is one, is
    /// settled (this node's role is leader or follower).
    ///
    /// - Parameters:
    ///   - sessionStates: the FSM state name (RFC 4271's) of each peer whose
    ///     session should come up, keyed by peer; passive or shut-down peers
    ///     are left out by the caller.
    ///   - electionName: the election's name, nil when none is configured.
    ///   - electionRole: this node's role (leader, follower, candidate,
    ///     fenced), nil while it has none yet.
    public static func evaluate(sessionStates: [String: String], electionName: String? = nil,
                                electionRole: String? = nil) -> Readiness {
        var reasons: [String] = []
        for peer in sessionStates.keys.sorted() where sessionStates[peer] != "Established" {
            reasons.append("bgp peer \(peer) is \(sessionStates[peer]!), not Established")
        }
        if let name = electionName {
            switch electionRole {
            case "leader", "follower": break
            case let role?: reasons.append("election \(name) is \(role), not settled as leader or follower")
            case nil: reasons.append("election \(name) has no role yet")
            }
        }
        return reasons.isEmpty ? .ready : .notReady(reasons)
    }
}
