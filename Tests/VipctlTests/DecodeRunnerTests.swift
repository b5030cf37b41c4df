import BGPCodec
import BGPCodecJSON
import Testing
import VipctlKit

@Suite struct DecodeRunnerTests {
    let keepalive = "ffffffffffffffffffffffffffffffff001304"
    /// ORIGIN IGP, AS_PATH [65001] in 4 octets, NEXT_HOP 192.168.0.1, NLRI 10.0.1.0/24.
    let update4 = "ffffffffffffffffffffffffffffffff002f02000000144001010040020602010000fde9400304c0a80001180a0001"

    func run(_ input: String, _ options: DecodeOptions = DecodeOptions()) -> [String] {
        var lines: [String] = []
        DecodeRunner.run(input: Array(input.utf8), options: options) { lines.append($0) }
        return lines
    }

    @Test func hexLinesGiveOneObjectEach() {
        let out = run("\(keepalive)\n# a comment\n\n\(update4)\n")
        #expect(out == [
            #"{"type": "KEEPALIVE"}"#,
            #"{"type": "UPDATE", "withdrawn": [], "nlri": ["10.0.1.0/24"], "attributes": {"origin": "igp", "as_path": [{"type": "sequence", "asns": [65001]}], "next_hop": "192.168.0.1"}}"#,
        ])
    }

    @Test func exabgpStyleColonsAndUppercaseAreAccepted() {
        let out = run("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0013:04\n")
        #expect(out == [#"{"type": "KEEPALIVE"}"#])
    }

    @Test func decodingGoesOnAfterErrors() {
        let badType = "ffffffffffffffffffffffffffffffff001309"
        let out = run("zz\n\(badType)\n\(keepalive)\nffff\n")
        #expect(out == [
            #"{"error": {"reason": "invalid hex", "line": 1}}"#,
            #"{"error": {"code": 1, "subcode": 3, "action": "session-reset"}}"#,
            #"{"type": "KEEPALIVE"}"#,
            #"{"error": {"code": 1, "subcode": 2, "action": "session-reset"}}"#,
        ])
    }

    @Test func lengthErrorsNameTheTypeTheyRead() {
        // A KEEPALIVE of length 20.
        #expect(run("ffffffffffffffffffffffffffffffff00140400") == [#"{"type": "KEEPALIVE", "error": {"code": 1, "subcode": 2, "action": "session-reset"}}"#])
    }

    @Test func as2ChangesTheASNWidth() {
        // AS_PATH [65001, 65002] in 2 octets.
        let u = "ffffffffffffffffffffffffffffffff002f02000000144001010040020602020000fde9400304c0a80001180a0001"
        let as4 = run(u)
        let as2 = run(u, DecodeOptions(as2: true))
        // Read with 4-octet ASNs the segment is too short: malformed AS_PATH.
        #expect(as4[0] == #"{"type": "UPDATE", "error": {"code": 3, "subcode": 11, "action": "treat-as-withdraw"}, "withdrawn": ["10.0.1.0/24"]}"#)
        #expect(as2[0].contains(#""asns": [0, 65001]"#))
    }

    @Test func addPathPrintsPathIDs() {
        // NLRI with path id 5: 10.0.1.0/24.
        let u = "ffffffffffffffffffffffffffffffff003302000000144001010040020602010000fde9400304c0a8000100000005180a0001"
        let out = run(u, DecodeOptions(addPath: true))
        #expect(out[0].contains(#""nlri": [{"prefix": "10.0.1.0/24", "path_id": 5}]"#))
    }

    @Test func rawStreamAndTrailingPartialMessage() {
        let bytes = parseHex(keepalive + update4 + "ffffffff")!
        var lines: [String] = []
        let totals = DecodeRunner.run(input: bytes, options: DecodeOptions(raw: true)) { lines.append($0) }
        #expect(lines.count == 3)
        #expect(lines[2] == #"{"error": {"code": 1, "subcode": 2, "action": "session-reset"}}"#)
        #expect(totals.messages == 3 && totals.errors == 1 && totals.prefixes == 1)
    }

    @Test func summaryCountsWithoutPrinting() {
        let stream = parseHex(String(repeating: update4, count: 50) + keepalive)!
        var lines: [String] = []
        let totals = DecodeRunner.run(input: stream, options: DecodeOptions(raw: true, summary: true)) { lines.append($0) }
        #expect(lines.count == 1)
        #expect(totals.messages == 51 && totals.prefixes == 50 && totals.errors == 0)
        #expect(totals.bytes == stream.count)
        #expect(lines[0].hasPrefix(#"{"messages": 51, "prefixes": 50, "errors": 0, "seconds": "#))
        #expect(lines[0].contains(#""ns_per_prefix": "#) && lines[0].contains(#""mb_per_s": "#))
    }

    @Test func openCapabilitiesJSON() {
        // OPEN AS 65001, hold 90, id 10.0.0.1, caps: MP ipv6, 4-octet AS 4200000001, FQDN leaf1.lab
        let open = "ffffffffffffffffffffffffffffffff0037" + "01" + "04fde9005a0a000001" + "1a" + "0218" + "010400020001" + "4104fa56ea01" + "490a056c6561663103" + "6c6162"
        let out = run(open)
        #expect(out == [#"{"type": "OPEN", "version": 4, "asn": 4200000001, "hold_time": 90, "router_id": "10.0.0.1", "capabilities": [{"code": 1, "length": 4, "afi": 2, "safi": 1}, {"code": 65, "length": 4, "asn": 4200000001}, {"code": 73, "length": 10, "hostname": "leaf1", "domain": "lab"}]}"#])
    }

    @Test func notificationJSON() {
        let n = "ffffffffffffffffffffffffffffffff0018" + "03" + "0602" + "026869"
        #expect(run(n) == [#"{"type": "NOTIFICATION", "code": 6, "subcode": 2, "data": "026869", "shutdown_message": "hi"}"#])
    }

    @Test func routeRefreshJSON() {
        #expect(run("ffffffffffffffffffffffffffffffff00170500020101") == [#"{"type": "ROUTE-REFRESH", "afi": 2, "safi": 1, "subtype": 1}"#])
    }
}
