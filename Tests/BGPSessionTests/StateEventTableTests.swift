import BGPCodec
import BGPSession
import Testing

/// RFC 4271 §8.2.2, one row per (state, event): the state that follows and
/// the message the machine sends, if any.
@Suite struct StateEventTableTests {
    static let local = config(65011, "10.0.0.11", peer: 65001)
    static let peerOpen = config(65001, "10.0.0.1", peer: 65011).localOpen

    static func bytes(_ m: BGPMessage) -> [UInt8] { try! MessageCodec.encode(m) }

    /// A machine brought into `state` at time 0.
    static func machine(in state: SessionState) -> SessionMachine {
        var m = SessionMachine(config: local)
        switch state {
        case .idle:
            break
        case .connect:
            _ = m.handle(.manualStart(passive: false), at: .zero)
        case .active:
            _ = m.handle(.manualStart(passive: true), at: .zero)
        case .openSent:
            _ = m.handle(.manualStart(passive: false), at: .zero)
            _ = m.handle(.tcpConnected(inbound: false), at: .zero)
        case .openConfirm:
            m = machine(in: .openSent)
            _ = m.handle(.received(bytes(.open(peerOpen))), at: .zero)
        case .established:
            m = machine(in: .openConfirm)
            _ = m.handle(.received(bytes(.keepalive)), at: .zero)
        }
        precondition(m.state == state)
        return m
    }

    enum Input: CustomStringConvertible {
        case event(SessionEvent)
        case timer(TimerKind)
        var description: String {
            switch self {
            case .event(let e): return "\(e)".prefix(40).description
            case .timer(let t): return "\(t) expires"
            }
        }
    }

    /// (from, input, next state, notification code/subcode sent or nil)
    static let rows: [(SessionState, Input, SessionState, String?)] = [
        (.idle, .event(.manualStart(passive: false)), .connect, nil),
        (.idle, .event(.manualStart(passive: true)), .active, nil),
        (.idle, .event(.tcpConnected(inbound: true)), .idle, nil),
        (.idle, .event(.received(bytes(.keepalive))), .idle, nil),
        (.connect, .event(.tcpConnected(inbound: false)), .openSent, nil),
        (.connect, .event(.tcpConnectionFails), .idle, nil),
        (.connect, .timer(.connectRetry), .connect, nil),
        (.connect, .event(.manualStop(.administrativeShutdown, message: nil)), .idle, nil),
        (.active, .event(.tcpConnected(inbound: true)), .openSent, nil),
        (.active, .event(.tcpConnectionFails), .idle, nil),
        (.active, .timer(.connectRetry), .active, nil),          // passive: never dials
        (.openSent, .event(.received(bytes(.open(peerOpen)))), .openConfirm, nil),
        (.openSent, .event(.received(bytes(.keepalive))), .idle, "5/1"),
        (.openSent, .event(.received(bytes(.update(.endOfRIB(.ipv4Unicast))))), .idle, "5/1"),
        (.openSent, .event(.received(bytes(.notification(.cease(.peerDeconfigured))))), .idle, nil),
        (.openSent, .event(.tcpConnectionFails), .active, nil),
        (.openSent, .timer(.hold), .idle, "4/0"),
        (.openSent, .event(.manualStop(.administrativeShutdown, message: "bye")), .idle, "6/2"),
        (.openSent, .event(.received([UInt8](repeating: 0, count: 19))), .idle, "1/1"),
        (.openConfirm, .event(.received(bytes(.keepalive))), .established, nil),
        (.openConfirm, .event(.received(bytes(.open(peerOpen)))), .idle, "5/2"),
        (.openConfirm, .timer(.hold), .idle, "4/0"),
        (.openConfirm, .timer(.keepalive), .openConfirm, nil),
        (.openConfirm, .event(.tcpConnectionFails), .idle, nil),
        (.established, .event(.received(bytes(.keepalive))), .established, nil),
        (.established, .event(.received(bytes(.update(.endOfRIB(.ipv4Unicast))))), .established, nil),
        (.established, .event(.received(bytes(.routeRefresh(RouteRefreshMessage(family: .ipv4Unicast))))), .established, nil),
        (.established, .event(.received(bytes(.open(peerOpen)))), .idle, "5/3"),
        (.established, .event(.received(bytes(.notification(NotificationMessage(code: 6, subcode: 4))))), .idle, nil),
        (.established, .timer(.hold), .idle, "4/0"),
        (.established, .timer(.keepalive), .established, nil),
        (.established, .event(.tcpConnectionFails), .idle, nil),
        (.established, .event(.manualStop(.peerDeconfigured, message: nil)), .idle, "6/3"),
    ]

    @Test(arguments: rows.indices)
    func row(_ i: Int) throws {
        let (from, input, to, notification) = Self.rows[i]
        var m = Self.machine(in: from)
        let actions: [SessionAction]
        switch input {
        case .event(let e):
            actions = m.handle(e, at: .seconds(1))
        case .timer(let t):
            let at = try #require(m.deadline(t), "\(from): \(t) is not armed")
            actions = m.advance(to: at)
        }
        #expect(m.state == to, "\(from) + \(input)")
        var sent: String? = nil
        var framer = MessageFramer()
        for case .send(let b) in actions { framer.append(b) }
        while case .message(let frame)? = framer.next() {
            if case .message(.notification(let n)) = MessageCodec.decode(frame) { sent = "\(n.code)/\(n.subcode)" }
        }
        #expect(sent == notification, "\(from) + \(input)")
        // Every transition is reported, ending in the new state.
        let changes = actions.compactMap { if case .stateChanged(let f, let t) = $0 { (f, t) } else { nil } }
        #expect(changes.first?.0 ?? from == from && changes.last?.1 ?? from == to, "\(changes)")
    }
}
