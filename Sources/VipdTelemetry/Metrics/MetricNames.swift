/// The metric names of interfaces.md ("Log and metric names"), with their
/// label names and HELP texts. Scripts and dashboards rely on these exact
/// strings; docs/operations.md describes each one.
public enum MetricName {
    // BGP sessions.
    public static let sessionUp = "vipd_bgp_session_up"
    public static let sessionState = "vipd_bgp_session_state"
    public static let fsmTransitions = "vipd_bgp_fsm_transitions_total"
    public static let lastErrorInfo = "vipd_bgp_last_error_info"
    // BGP messages.
    public static let messagesReceived = "vipd_bgp_messages_received_total"
    public static let messagesSent = "vipd_bgp_messages_sent_total"
    public static let prefixesReceived = "vipd_bgp_prefixes_received"
    public static let prefixesAccepted = "vipd_bgp_prefixes_accepted"
    public static let prefixesAdvertised = "vipd_bgp_prefixes_advertised"
    // VIPs and election.
    public static let vipOwned = "vipd_vip_owned"
    public static let electionLeader = "vipd_election_leader"
    public static let electionTransitions = "vipd_election_transitions_total"
    public static let failoverSeconds = "vipd_failover_seconds"
    // Layer 2.
    public static let garpSent = "vipd_garp_sent_total"
    public static let naSent = "vipd_na_sent_total"
    // Health and IPVS.
    public static let healthCheckUp = "vipd_health_check_up"
    public static let ipvsBackendUp = "vipd_ipvs_backend_up"
}

/// Label values with a closed set of names.
public enum MetricLabelValues {
    /// RFC 4271 §8.1 states by their RFC names, the `state` label of
    /// `vipd_bgp_session_state`.
    public static let sessionStates = ["Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"]
    /// The `type` label of the message counters, one per BGP message type.
    public static let messageTypes = ["open", "update", "notification", "keepalive", "route_refresh"]
}

/// HELP lines. The registry refuses two different HELP texts for one name,
/// so every series of a family takes its text from here.
enum MetricHelp {
    static let sessionUp = "1 while the BGP session with the peer is Established, else 0."
    static let sessionState = "1 for the peer's current RFC 4271 FSM state, 0 for the other five."
    static let fsmTransitions = "FSM state changes of the peer's session, by from and to state."
    static let lastErrorInfo = "1 for the NOTIFICATION code and subcode of the peer's last session error."
    static let messagesReceived = "BGP messages received from the peer, by message type."
    static let messagesSent = "BGP messages sent to the peer, by message type."
    static let prefixesReceived = "Prefixes in the peer's Adj-RIB-In, by address family."
    static let prefixesAccepted = "Prefixes from the peer accepted by import policy, by address family."
    static let prefixesAdvertised = "Prefixes advertised to the peer, by address family."
    static let vipOwned = "1 while this node owns or announces the VIP in the given mode, else 0."
    static let electionLeader = "1 while this node is the election's leader, else 0."
    static let electionTransitions = "Leadership changes of this node in the election."
    static let failoverSeconds = "Seconds from this node learning that the previous leader is gone to its first gratuitous ARP or NA."
    static let garpSent = "Gratuitous ARP packets sent, by interface."
    static let naSent = "Unsolicited IPv6 neighbour advertisements sent, by interface."
    static let healthCheckUp = "1 while the health check's target is up, else 0."
    static let ipvsBackendUp = "1 while the IPVS backend is healthy and in service, else 0."
}
