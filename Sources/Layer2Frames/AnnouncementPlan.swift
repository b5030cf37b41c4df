/// When to announce a VIP this node has just taken over: a short burst so
/// that one lost frame does not leave clients pointing at the old owner,
/// then optionally a slow refresh for switches and hosts that aged the
/// entry out or joined late (keepalived sends 5 at once and 5 more after
/// 5 s, see the lab notes). Pure: the daemon turns the offsets into timers.
public struct AnnouncementPlan: Hashable, Sendable {
    /// Milliseconds after the takeover at which each burst frame goes out;
    /// the first is 0 (at once). Empty when `count` is 0 or less.
    public var burstOffsetsMs: [Int]
    /// Milliseconds between refresh announcements after the burst; nil when
    /// there is no refresh.
    public var refreshMs: Int?

    /// `count` frames spaced `intervalMs` apart (a negative interval counts
    /// as 0: all at once), and a refresh every `refreshS` seconds (0 or less:
    /// none).
    public init(count: Int, intervalMs: Int, refreshS: Int) {
        let spacing = max(0, intervalMs)
        burstOffsetsMs = count > 0 ? (0..<count).map { $0 * spacing } : []
        refreshMs = refreshS > 0 ? refreshS * 1000 : nil
    }
}
