import BGPCodec
import IPVS

func addr(_ text: String) -> IPVSAddress { IPVSAddress(text)! }

func tcp(_ address: String, _ port: UInt16) -> IPVSServiceKey { .address(.tcp, addr(address), port: port) }

func dest(_ address: String, _ port: UInt16, _ forwarding: IPVSForwarding = .droute,
          weight: Int32 = 1) -> IPVSDestination {
    IPVSDestination(address: addr(address), port: port, forwarding: forwarding, weight: weight)
}

func state(_ key: IPVSServiceKey, scheduler: String = "wlc", persistence: UInt32 = 0,
           _ destinations: [IPVSDestination] = []) -> IPVSServiceState {
    IPVSServiceState(service: IPVSService(key: key, scheduler: scheduler, persistence: persistence),
                     destinations: destinations)
}

/// The seed walkthrough's DR service: 192.168.113.200:8443, wlc, three
/// real servers with -g.
let seedKey = tcp("192.168.113.200", 8443)
let seedService = state(seedKey, [
    dest("192.168.113.22", 8443), dest("192.168.113.23", 8443), dest("192.168.113.24", 8443),
])

/// splitmix64, so a failing seed replays.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
