import Foundation
import KernelRoutes

/// Runs `body` on a thread of its own that first moves into a fresh network
/// namespace (unshare(CLONE_NEWNET) acts on the calling thread only), so
/// the real Linux tables are exercised without touching the host's. The
/// namespace dies with the thread and its sockets. The wait is bounded.
///
/// `body` must not use `#expect` (it runs outside the test's task): it
/// returns what it saw, and the test checks that afterwards.
func inFreshNetworkNamespace<T: Sendable>(timeout seconds: Double = 30,
                                          _ body: @escaping @Sendable () throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let outcome = ThreadOutcome<T>()
    let thread = Thread {
        outcome.result = Result {
            try NetworkNamespace.unshareCurrentThread()
            return try body()
        }
        done.signal()
    }
    thread.name = "netns-test"
    thread.start()
    guard done.wait(timeout: .now() + seconds) == .success else {
        throw NamespaceTestError("the namespace thread did not finish within \(seconds) s")
    }
    return try outcome.result!.get()
}

/// Handed from the namespace thread to the test; the semaphore orders the
/// write before the read.
private final class ThreadOutcome<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

struct NamespaceTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Whether this process may create network namespaces (root in CI).
let canUnshare = geteuid() == 0

/// The lab inside a fresh namespace: lo up, and a veth pair v0/v1, both up,
/// with 10.1.1.1/24 and fd00:255::1/64 on v0 (gateways 10.1.1.x and
/// fd00:255::x are then on link).
struct NamespaceLab {
    let routes: LinuxRouteTable
    let addresses: LinuxAddressTable
    let links: LinuxLinkTable
    let lo: UInt32
    let v0: UInt32

    init() throws {
        links = try LinuxLinkTable()
        routes = try LinuxRouteTable()
        addresses = try LinuxAddressTable()
        try links.setUp(named: "lo")
        try links.addVethPair("v0", peer: "v1")
        try links.setUp(named: "v0")
        try links.setUp(named: "v1")
        lo = try addresses.interfaceIndex(named: "lo")
        v0 = try addresses.interfaceIndex(named: "v0")
        try addresses.add(InterfaceAddress(address: a("10.1.1.1"), prefixLength: 24, interfaceIndex: v0))
        try addresses.add(InterfaceAddress(address: a("fd00:255::1"), prefixLength: 64, interfaceIndex: v0,
                                           flags: [.noDAD]))
    }
}
