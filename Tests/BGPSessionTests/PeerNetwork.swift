import BGPCodec
import BGPSession

/// Two PeerSessions joined by any number of in-memory connections, on a
/// manual clock. A connect from one side is accepted (or refused) by the
/// other; bytes cross in `chunk`-sized pieces, alternating links.
struct PeerNetwork {
    var a: PeerSession
    var b: PeerSession
    var now = Instant.zero
    /// Links: (A's connection, B's connection) and bytes in flight each way.
    var links: [(a: ConnectionID, b: ConnectionID, toA: [UInt8], toB: [UInt8])] = []
    var pendingConnects: [(fromA: Bool, id: ConnectionID)] = []
    var log: [(fromA: Bool, action: PeerAction)] = []
    var chunk = 1

    init(_ ca: SessionConfig, _ cb: SessionConfig) {
        a = PeerSession(config: ca)
        b = PeerSession(config: cb)
    }

    mutating func apply(_ actions: [PeerAction], fromA: Bool) {
        for act in actions { log.append((fromA, act)) }
        for act in actions {
            switch act {
            case .connect(let id):
                pendingConnects.append((fromA, id))
            case .send(let id, let bytes):
                if let i = links.firstIndex(where: { (fromA ? $0.a : $0.b) == id }) {
                    if fromA { links[i].toB += bytes } else { links[i].toA += bytes }
                }
            case .disconnect(let id):
                pendingConnects.removeAll { $0.fromA == fromA && $0.id == id }
                if let i = links.firstIndex(where: { (fromA ? $0.a : $0.b) == id }) {
                    let link = links[i]
                    // Bytes already sent still arrive, then the close.
                    deliverAll(i)
                    links.removeAll { $0.a == link.a && $0.b == link.b }
                    if fromA { apply(b.closed(link.b, at: now), fromA: false) } else { apply(a.closed(link.a, at: now), fromA: true) }
                }
            default:
                break
            }
        }
    }

    /// Establishes the TCP connections asked for so far, in order.
    mutating func connectPending() {
        while !pendingConnects.isEmpty {
            let c = pendingConnects.removeFirst()
            let (theirs, acts) = c.fromA ? b.accept(at: now) : a.accept(at: now)
            if let theirs { links.append(c.fromA ? (c.id, theirs, [], []) : (theirs, c.id, [], [])) }
            apply(acts, fromA: !c.fromA)
            if theirs != nil {
                let r = c.fromA ? a.outboundResult(c.id, connected: true, at: now) : b.outboundResult(c.id, connected: true, at: now)
                apply(r, fromA: c.fromA)
            } else {
                let r = c.fromA ? a.outboundResult(c.id, connected: false, at: now) : b.outboundResult(c.id, connected: false, at: now)
                apply(r, fromA: c.fromA)
            }
        }
    }

    mutating func deliverAll(_ i: Int) {
        var guardCount = 0
        while i < links.count && (!links[i].toA.isEmpty || !links[i].toB.isEmpty) && guardCount < 100_000 {
            guardCount += 1
            step(i)
        }
    }

    mutating func step(_ i: Int) {
        let link = links[i]
        if !link.toB.isEmpty {
            let piece = Array(link.toB.prefix(chunk))
            links[i].toB.removeFirst(piece.count)
            apply(b.received(piece, on: link.b, at: now), fromA: false)
        }
        guard i < links.count, links[i].a == link.a else { return }
        if !links[i].toA.isEmpty {
            let piece = Array(links[i].toA.prefix(chunk))
            links[i].toA.removeFirst(piece.count)
            apply(a.received(piece, on: link.a, at: now), fromA: true)
        }
    }

    /// Delivers everything in flight on every link, interleaved.
    mutating func settle() {
        for _ in 0..<1_000_000 {
            connectPending()
            guard let i = links.indices.first(where: { !links[$0].toA.isEmpty || !links[$0].toB.isEmpty }) else { return }
            // Interleave: one step on every busy link per round.
            for j in links.indices.reversed() where j < links.count { step(j) }
            _ = i
        }
    }

    mutating func run(until t: Instant) {
        settle()
        for _ in 0..<100_000 {
            guard let next = [a.nextDeadline, b.nextDeadline].compactMap({ $0 }).filter({ $0 <= t }).min() else { break }
            now = max(now, next)
            apply(a.advance(to: now), fromA: true)
            apply(b.advance(to: now), fromA: false)
            settle()
        }
        now = t
    }
}
