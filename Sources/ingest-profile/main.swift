import BGPCodec
import BGPSession
import RIB
#if canImport(Glibc)
import Glibc
#endif

// ingest-profile: the daemon's ingest path without sockets, for timing and
// for `valgrind --tool=callgrind`. A passive PeerSession (the receiver)
// reaches Established with an in-memory peer machine, then takes the
// stream (`bgp-streamgen` output) in reads of READ bytes, as the transport
// hands them over; every `.update` action goes to LocRIB.apply, and
// End-of-RIB to the stale sweep, as Daemon.handle does. Then the session
// goes down and the peer's routes are cleared, timed apart.
//
//   ingest-profile STREAM [READ_BYTES]     (READ_BYTES default 65536)
//   INGEST_DECODE_ONLY=1 ingest-profile STREAM   (no RIB: session and codec)

func readFile(_ path: String) -> [UInt8] {
    guard let f = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(f) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
        if n == 0 { break }
        out += chunk[0..<n]
    }
    return out
}

let args = CommandLine.arguments
guard args.count >= 2 else {
    print("usage: ingest-profile STREAM [READ_BYTES]")
    exit(2)
}
let stream = readFile(args[1])
let readSize = args.count > 2 ? Int(args[2])! : 65536
/// INGEST_DECODE_ONLY=1: the session and the codec alone, no RIB.
let decodeOnly = getenv("INGEST_DECODE_ONLY") != nil

var receiverConfig = SessionConfig(localAS: 65000, routerID: IPv4Address(10, 255, 0, 1), peerAS: 65001)
receiverConfig.passive = true
var peerConfig = SessionConfig(localAS: 65001, routerID: IPv4Address(10, 255, 0, 2), peerAS: 65000)
peerConfig.families = [.ipv4Unicast]

/// The receiver side: its session and the Loc-RIB, as the daemon holds them.
struct Receiver {
    var session: PeerSession
    var rib = LocRIB(localAS: 65000)
    let peerIndex: UInt16
    var updates = 0
    var staleAfterEndOfRIB: Int?

    init(config: SessionConfig) {
        session = PeerSession(config: config)
        rib.recordChanges = false
        peerIndex = rib.addPeer(RIBPeer(address: [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 10, 255, 0, 2],
                                        asn: 65001, routerID: 0, isInternal: false))
    }

    /// Carries out the session's actions; returns the bytes for the peer.
    mutating func handle(_ actions: [PeerAction]) -> [UInt8] {
        var toPeer: [UInt8] = []
        for a in actions {
            switch a {
            case .send(_, let b): toPeer += b
            case .update(let u):
                updates += 1
                if decodeOnly { continue }
                let changes = rib.apply(u, from: peerIndex)
                // As Daemon.handle: End-of-RIB sweeps what is still stale.
                for family in changes.endOfRIB { _ = rib.sweepStale(peerIndex, family: family) }
                if !changes.endOfRIB.isEmpty { staleAfterEndOfRIB = rib.staleCount(peerIndex) }
            default: break
            }
        }
        return toPeer
    }
}

func sent(_ actions: [SessionAction]) -> [UInt8] {
    actions.reduce(into: []) { out, a in if case .send(let b) = a { out += b } }
}

let now = Instant.zero
var receiver = Receiver(config: receiverConfig)
var injector = SessionMachine(config: peerConfig)

// The handshake: the injector dials, the receiver accepts.
_ = receiver.session.start(passive: true, at: now)
_ = injector.handle(.manualStart(passive: false), at: now)
var toReceiver = sent(injector.handle(.tcpConnected(inbound: false), at: now))
let (acceptedID, accepted) = receiver.session.accept(at: now)
let cid = acceptedID!
var toInjector = receiver.handle(accepted)
while receiver.session.state != .established || injector.state != .established {
    let a = toReceiver, b = toInjector
    guard !a.isEmpty || !b.isEmpty else { fatalError("handshake stalled: \(receiver.session.state) / \(injector.state)") }
    toReceiver = []
    toInjector = []
    if !a.isEmpty { toInjector += receiver.handle(receiver.session.received(a, on: cid, at: now)) }
    if !b.isEmpty { toReceiver += sent(injector.handle(.received(b), at: now)) }
}

var before = rusage()
getrusage(RUSAGE_SELF.rawValue, &before)
let clock = ContinuousClock()
let start = clock.now
var offset = 0
while offset < stream.count {
    let end = min(stream.count, offset + readSize)
    _ = receiver.handle(receiver.session.received(Array(stream[offset..<end]), on: cid, at: now))
    offset = end
}
let elapsed = clock.now - start
func nanoseconds(_ d: Duration) -> Double { Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9 }
let ns = nanoseconds(elapsed)
precondition(decodeOnly || receiver.staleAfterEndOfRIB == 0, "End-of-RIB not seen, or stale routes left")
let received = receiver.rib.count
let tableBytes = receiver.rib.tableBytes
func cpuMs(_ t: timeval) -> Int { t.tv_sec * 1000 + t.tv_usec / 1000 }
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let clearStart = clock.now
_ = receiver.rib.clearPeer(receiver.peerIndex)
let clearNs = nanoseconds(clock.now - clearStart)
precondition(receiver.rib.count == 0)
print("\(received) prefixes, \(receiver.updates) UPDATEs, \(stream.count) bytes in \(readSize)-byte reads: "
    + "\(Int(ns / 1e6)) ms, \(String(Int(ns / Double(max(1, received)) * 10) / 10)) ns/prefix; "
    + "clear \(Int(clearNs / 1e6)) ms; table \(Double(tableBytes / 100_000) / 10) MB, max RSS \(usage.ru_maxrss >> 10) MB; "
    + "ingest: \(usage.ru_minflt - before.ru_minflt) page faults, user \(cpuMs(usage.ru_utime) - cpuMs(before.ru_utime)) ms, "
    + "system \(cpuMs(usage.ru_stime) - cpuMs(before.ru_stime)) ms")
