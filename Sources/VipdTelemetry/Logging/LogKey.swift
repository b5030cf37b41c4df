/// The stable log metadata keys of interfaces.md ("Log and metric names").
/// Scripts grep for these; use the constants rather than spelling the keys.
public enum LogKey {
    public static let bgpPeer = "bgp.peer"
    public static let bgpState = "bgp.state"
    public static let vipAddress = "vip.address"
    public static let vipMode = "vip.mode"
    public static let electionName = "election.name"
    public static let electionRole = "election.role"
    public static let ipvsService = "ipvs.service"
    public static let ipvsBackend = "ipvs.backend"
    public static let healthTarget = "health.target"
    /// With `ipvsBackends`, on the one `ipvs table programmed` info line
    /// after a reconcile.
    public static let ipvsServices = "ipvs.services"
    public static let ipvsBackends = "ipvs.backends"

    /// Every key above.
    public static let all = [
        bgpPeer, bgpState, vipAddress, vipMode, electionName, electionRole,
        ipvsService, ipvsBackend, healthTarget, ipvsServices, ipvsBackends,
    ]
}
