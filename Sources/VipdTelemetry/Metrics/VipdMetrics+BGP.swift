import Prometheus

/// One peer's series: created together when the peer is first named, and
/// unregistered together by `forgetPeer`.
final class PeerSeries {
    let up: Gauge
    /// One gauge per `MetricLabelValues.sessionStates`, in that order.
    let states: [Gauge]
    var current: Int
    var transitions: [Transition: Counter] = [:]
    var lastError: (code: Int, subcode: Int, gauge: Gauge)?
    var received: [String: Counter] = [:]
    var sent: [String: Counter] = [:]
    var prefixes: [PrefixKey: Gauge] = [:]

    struct Transition: Hashable {
        var from: String
        var to: String
    }

    enum PrefixKind: Hashable {
        case received, accepted, advertised
    }

    struct PrefixKey: Hashable {
        var kind: PrefixKind
        var family: String
    }

    init(up: Gauge, states: [Gauge]) {
        self.up = up
        self.states = states
        self.current = 0
    }
}

extension VipdMetrics {
    /// Creates a peer's series: `session_up` 0, `session_state` Idle, and the
    /// message counters at 0 for the five message types in both directions.
    /// Every other peer method does this on first use.
    public func registerPeer(_ peer: String) {
        _ = series(peer)
    }

    /// Sets the peer's current FSM state (one of RFC 4271's six names, as
    /// `MetricLabelValues.sessionStates`): its `session_state` series is 1 and
    /// the other five are 0; `session_up` is 1 only in Established. Any other
    /// name leaves the state series as they were.
    public func setSessionState(peer: String, state: String) {
        let s = series(peer)
        guard let index = MetricLabelValues.sessionStates.firstIndex(of: state) else { return }
        if index != s.current {
            s.states[s.current].set(0.0)
            s.states[index].set(1.0)
            s.current = index
        }
        s.up.set(state == "Established" ? 1.0 : 0.0)
    }

    /// One FSM transition: counts `fsm_transitions_total{from,to}` and sets the
    /// state series to `to`, as `setSessionState` does.
    public func recordTransition(peer: String, from: String, to: String) {
        let s = series(peer)
        bump(&s.transitions, PeerSeries.Transition(from: from, to: to), by: 1) {
            makeCounter(MetricName.fsmTransitions, MetricHelp.fsmTransitions,
                        [("peer", peer), ("from", from), ("to", to)])
        }
        setSessionState(peer: peer, state: to)
    }

    /// The NOTIFICATION (code, subcode) of the peer's last session error: its
    /// `last_error_info` series is 1, and the previous error's series is gone.
    public func setLastError(peer: String, code: Int, subcode: Int) {
        let s = series(peer)
        if let last = s.lastError {
            if last.code == code && last.subcode == subcode { return }
            registry.unregisterGauge(last.gauge)
        }
        let gauge = makeGauge(MetricName.lastErrorInfo, MetricHelp.lastErrorInfo,
                              [("peer", peer), ("code", String(code)), ("subcode", String(subcode))])
        gauge.set(1.0)
        s.lastError = (code, subcode, gauge)
    }

    /// Removes the peer's `last_error_info` series.
    public func clearLastError(peer: String) {
        guard let s = peers[peer], let last = s.lastError else { return }
        registry.unregisterGauge(last.gauge)
        s.lastError = nil
    }

    /// Counts BGP messages received from the peer; `type` is one of
    /// `MetricLabelValues.messageTypes`.
    public func countMessageReceived(peer: String, type: String, count: Int = 1) {
        let s = series(peer)
        bump(&s.received, type, by: count) {
            makeCounter(MetricName.messagesReceived, MetricHelp.messagesReceived, [("peer", peer), ("type", type)])
        }
    }

    /// Counts BGP messages sent to the peer; `type` is one of
    /// `MetricLabelValues.messageTypes`.
    public func countMessageSent(peer: String, type: String, count: Int = 1) {
        let s = series(peer)
        bump(&s.sent, type, by: count) {
            makeCounter(MetricName.messagesSent, MetricHelp.messagesSent, [("peer", peer), ("type", type)])
        }
    }

    /// Prefixes in the peer's Adj-RIB-In for a family such as `ipv4-unicast`.
    public func setPrefixesReceived(peer: String, family: String, count: Int) {
        setPrefixes(.received, peer: peer, family: family, count: count)
    }

    /// Prefixes from the peer that import policy accepted.
    public func setPrefixesAccepted(peer: String, family: String, count: Int) {
        setPrefixes(.accepted, peer: peer, family: family, count: count)
    }

    /// Prefixes advertised to the peer.
    public func setPrefixesAdvertised(peer: String, family: String, count: Int) {
        setPrefixes(.advertised, peer: peer, family: family, count: count)
    }

    /// Removes every series of the peer (removed from the config). Naming the
    /// peer again starts it afresh, with counters from 0.
    public func forgetPeer(_ peer: String) {
        guard let s = peers.removeValue(forKey: peer) else { return }
        registry.unregisterGauge(s.up)
        s.states.forEach(registry.unregisterGauge)
        s.transitions.values.forEach(registry.unregisterCounter)
        if let last = s.lastError { registry.unregisterGauge(last.gauge) }
        s.received.values.forEach(registry.unregisterCounter)
        s.sent.values.forEach(registry.unregisterCounter)
        s.prefixes.values.forEach(registry.unregisterGauge)
    }

    /// The peers that currently have series.
    public var peerNames: [String] { Array(peers.keys) }

    // MARK: Private

    private func setPrefixes(_ kind: PeerSeries.PrefixKind, peer: String, family: String, count: Int) {
        let s = series(peer)
        set(&s.prefixes, PeerSeries.PrefixKey(kind: kind, family: family), to: Double(count)) {
            let name: String, help: String
            switch kind {
            case .received: (name, help) = (MetricName.prefixesReceived, MetricHelp.prefixesReceived)
            case .accepted: (name, help) = (MetricName.prefixesAccepted, MetricHelp.prefixesAccepted)
            case .advertised: (name, help) = (MetricName.prefixesAdvertised, MetricHelp.prefixesAdvertised)
            }
            return makeGauge(name, help, [("peer", peer), ("family", family)])
        }
    }

    private func series(_ peer: String) -> PeerSeries {
        if let s = peers[peer] { return s }
        let up = makeGauge(MetricName.sessionUp, MetricHelp.sessionUp, [("peer", peer)])
        up.set(0.0)
        let states = MetricLabelValues.sessionStates.map { state in
            makeGauge(MetricName.sessionState, MetricHelp.sessionState, [("peer", peer), ("state", state)])
        }
        for (i, g) in states.enumerated() { g.set(i == 0 ? 1.0 : 0.0) }
        let s = PeerSeries(up: up, states: states)
        for type in MetricLabelValues.messageTypes {
            s.received[type] = makeCounter(MetricName.messagesReceived, MetricHelp.messagesReceived,
                                           [("peer", peer), ("type", type)])
            s.sent[type] = makeCounter(MetricName.messagesSent, MetricHelp.messagesSent,
                                       [("peer", peer), ("type", type)])
        }
        peers[peer] = s
        return s
    }
}
