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
