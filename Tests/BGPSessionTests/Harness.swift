import BGPCodec
import BGPSession

func a4(_ s: String) -> IPv4Address { IPv4Address(s)! }

func config(_ asn: UInt32, _ id: String, peer: UInt32, passive: Bool = false) -> SessionConfig {
    var c = SessionConfig(localAS: asn, routerID: a4(id), peerAS: peer)
    c.passive = passive
    c.families = [.ipv4Unicast, .ipv6Unicast]
    return c
}

/// Two machines joined by an in-memory "TCP connection", on a manual clock.
/// Bytes cross one at a time; nothing sleeps.
struct Pair {
    var a: SessionMachine
    var b: SessionMachine
    var now = Instant.zero
    var toA: [UInt8] = []
    var toB: [UInt8] = []
    var connected = false
    /// Every action each side produced, with the time.
    var logA: [(Instant, SessionAction)] = []
    var logB: [(Instant, SessionAction)] = []
    /// Deliver this many bytes per step (1 = byte at a time).
    var chunk = 1

    init(_ a: SessionConfig, _ b: SessionConfig) {
        self.a = SessionMachine(config: a)
        self.b = SessionMachine(config: b)
    }

    mutating func apply(_ actions: [SessionAction], fromA: Bool) {
        // Log the whole batch first, so the log keeps the machine's order
        // even though acting on `.connect` runs the other side at once.
        for act in actions {
            if fromA { logA.append((now, act)) } else { logB.append((now, act)) }
        }
        for act in actions {
            switch act {
            case .connect:
                // The other side accepts when it is listening.
                let other = fromA ? b.state : a.state
                if !connected && (other == .active || other == .connect) {
                    connected = true
                    let x = fromA ? a.handle(.tcpConnected(inbound: false), at: now) : b.handle(.tcpConnected(inbound: false), at: now)
                    apply(x, fromA: fromA)
                    let y = fromA ? b.handle(.tcpConnected(inbound: true), at: now) : a.handle(.tcpConnected(inbound: true), at: now)
                    apply(y, fromA: !fromA)
                } else if !connected {
                    let x = fromA ? a.handle(.tcpConnectionFails, at: now) : b.handle(.tcpConnectionFails, at: now)
                    apply(x, fromA: fromA)
                }
            case .send(let bytes):
                if connected { if fromA { toB += bytes } else { toA += bytes } }
            case .disconnect:
                if connected {
                    connected = false
                    // What was sent before the close still arrives.
                    flush()
                    let y = fromA ? b.handle(.tcpConnectionFails, at: now) : a.handle(.tcpConnectionFails, at: now)
                    toA = []; toB = []
                    apply(y, fromA: !fromA)
                }
            default:
                break
            }
        }
    }

    /// Delivers every byte in flight, `chunk` at a time, alternating sides.
    mutating func flush() {
        var rounds = 0
        while (!toA.isEmpty || !toB.isEmpty) && rounds < 1_000_000 {
            rounds += 1
            if !toB.isEmpty {
                let piece = Array(toB.prefix(chunk))
                toB.removeFirst(piece.count)
                apply(b.handle(.received(piece), at: now), fromA: false)
            }
            if !toA.isEmpty {
                let piece = Array(toA.prefix(chunk))
                toA.removeFirst(piece.count)
                apply(a.handle(.received(piece), at: now), fromA: true)
            }
        }
    }

    /// Moves the clock to `t`, firing timers in order and delivering bytes.
    mutating func run(until t: Instant) {
        flush()
        var steps = 0
        while steps < 100_000 {
            steps += 1
            let next = [a.nextDeadline, b.nextDeadline].compactMap { $0 }.filter { $0 <= t }.min()
            guard let next else { break }
            now = max(now, next)
            apply(a.advance(to: now), fromA: true)
            apply(b.advance(to: now), fromA: false)
            flush()
        }
        now = t
    }

    mutating func run(seconds: Double) { run(until: now + .milliseconds(Int64(seconds * 1000))) }

    mutating func startBoth() {
        apply(b.handle(.manualStart(passive: true), at: now), fromA: false)
        apply(a.handle(.manualStart(passive: false), at: now), fromA: true)
        flush()
    }

    func sent(byA: Bool) -> [BGPMessage] {
        let log = byA ? logA : logB
        var framer = MessageFramer(maxMessageLength: 65535)
        for case (_, .send(let bytes)) in log { framer.append(bytes) }
        var out: [BGPMessage] = []
        while case .message(let m)? = framer.next() {
            if case .message(let msg) = MessageCodec.decode(m) { out.append(msg) }
        }
        return out
    }
}

extension Instant {
    static func seconds(_ s: Double) -> Instant { Instant(nanoseconds: Int64(s * 1e9)) }
}
