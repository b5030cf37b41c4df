import NIOCore
import Testing
@testable import VipdTelemetry

@Suite struct AddressAndReadinessTests {
    @Test(arguments: [
        ("127.0.0.1:2112", "127.0.0.1:2112"),
        ("0.0.0.0:0", "0.0.0.0:0"),
        ("[::1]:2112", "[::1]:2112"),
        ("[::]:9100", "[::]:9100"),
        ("[fd00:1::100]:65535", "[fd00:1::100]:65535"),
    ])
    func goodAddresses(text: String, canonical: String) throws {
        let address = try BindAddress.parse(text)
        #expect(BindAddress.text(address) == canonical)
    }

    @Test(arguments: [
        "127.0.0.1", "127.0.0.1:", ":2112", "::1:2112", "[::1]", "[::1]2112", "[127.0.0.1]:80",
        "localhost:2112", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1:http", "[::1:80",
        "", "1.2.3.4:000002112",
    ])
    func badAddresses(text: String) {
        #expect(throws: TelemetryServerError.self) { _ = try BindAddress.parse(text) }
    }

    @Test func readyOnlyWhenEverySessionIsEstablished() {
        #expect(Readiness.evaluate(sessionStates: [:]) == .ready)
        #expect(Readiness.evaluate(sessionStates: ["a": "Established", "b": "Established"]) == .ready)
        let r = Readiness.evaluate(sessionStates: ["b": "OpenSent", "a": "Established", "c": "Idle"])
        #expect(!r.ready)
        #expect(r.reasons == ["bgp peer b is OpenSent, not Established", "bgp peer c is Idle, not Established"])
    }

    @Test(arguments: [
        ("leader", true), ("follower", true), ("candidate", false), ("fenced", false),
    ])
    func electionMustBeSettled(role: String, ready: Bool) {
        let r = Readiness.evaluate(sessionStates: ["a": "Established"], electionName: "cp", electionRole: role)
        #expect(r.ready == ready)
        #expect(r.reasons == (ready ? [] : ["election cp is \(role), not settled as leader or follower"]))
    }

    @Test func anElectionWithoutARoleIsNotReady() {
        let r = Readiness.evaluate(sessionStates: [:], electionName: "cp", electionRole: nil)
        #expect(r == .notReady(["election cp has no role yet"]))
        // No election configured: the role is not asked for.
        #expect(Readiness.evaluate(sessionStates: [:], electionName: nil, electionRole: nil) == .ready)
    }
}
