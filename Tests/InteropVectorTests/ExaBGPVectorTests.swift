import BGPCodec
import BGPCodecJSON
import Foundation
import Testing

// ExaBGP's QA vectors (exabgp-qa/encoding/*.ci and exabgp-qa/decoding/*):
// every message decodes to one defined outcome, re-encodes to its own bytes,
// and agrees field by field with ExaBGP's own JSON decode where one is given.

/// One wire message from an ExaBGP QA file.
struct ExaVector: Sendable {
    /// "file#n (line l)"; `key` is "file#n".
    var key: String
    var line: Int
    var bytes: [UInt8]
    /// ExaBGP's JSON decode of this message, when the file gives one.
    var json: String?
    /// The ExaBGP command that produced it, for failure messages.
    var command: String?
    var label: String { "\(key) (line \(line))" }
}

enum ExaBGP {
    static let encodingFolder = "exabgp-qa/encoding"
    static let decodingFolder = "exabgp-qa/decoding"

    /// `N:raw:HEX` starts a vector; the `N:json:` (or `N:jsv6:`) line after
    /// it is ExaBGP's decode of it (N need not match, see conf-watchdog.ci);
    /// `N:jsv4:` is ExaBGP 4's decode of the same message, left out for the
    /// 6.0 one; `N:cmd:` precedes the raw it produced; `option:` and `#`
    /// lines carry no vector.
    static func loadEncoding(_ file: String) throws -> [ExaVector] {
        var out: [ExaVector] = []
        var command: String?
        for (n, rawLine) in try TestData.text("\(encodingFolder)/\(file)").split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("option:") { continue }
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, Int(parts[0]) != nil else { throw TestData.ReadError.malformed("\(file):\(n + 1): \(line)") }
            switch parts[1] {
            case "cmd":
                command = String(parts[2])
            case "raw":
                out.append(ExaVector(key: "\(file)#\(out.count + 1)", line: n + 1, bytes: try TestData.hexBytes(parts[2]), command: command))
                command = nil
            case "json", "jsv6":
                guard !out.isEmpty, out[out.count - 1].json == nil else { throw TestData.ReadError.malformed("\(file):\(n + 1): JSON without its raw") }
                out[out.count - 1].json = String(parts[2])
            case "jsv4":
                continue
            default:
                throw TestData.ReadError.malformed("\(file):\(n + 1): unknown line kind \(parts[1])")
            }
        }
        return out
    }

    /// decoding/*: a family hint, the hex, ExaBGP's JSON. The hex is a whole
    /// message when it starts with the marker, else an UPDATE body (wrapped
    /// here in a header), or for "nlri ..." one bare BGP-LS NLRI (wrapped
    /// here in an MP_UNREACH; its JSON describes the NLRI alone, so none is
    /// kept).
    static func loadDecoding(_ file: String) throws -> (hint: String, vector: ExaVector, bareNLRI: [UInt8]?) {
        let lines = try TestData.text("\(decodingFolder)/\(file)").split(separator: "\n").map(String.init)
        guard lines.count >= 3 else { throw TestData.ReadError.malformed("\(file): fewer than 3 lines") }
        let hint = lines[0].trimmingCharacters(in: .whitespaces)
        let hex = try TestData.hexBytes(lines[1])
        var v = ExaVector(key: file, line: 2, bytes: hex, json: lines[2])
        if hex.starts(with: [UInt8](repeating: 0xFF, count: 16)) {
            return (hint, v, nil)
        }
        if hint.hasPrefix("update") {
            v.bytes = wrap(type: 2, body: hex)
            return (hint, v, nil)
        }
        guard hint == "nlri bgp-ls bgp-ls" else { throw TestData.ReadError.malformed("\(file): hint \(hint)") }
        let mpUnreach: [UInt8] = [0x90, 15, UInt8(truncatingIfNeeded: (hex.count + 3) >> 8), UInt8(truncatingIfNeeded: hex.count + 3), 0x40, 0x04, 71] + hex
        v.bytes = wrap(type: 2, body: [0, 0, UInt8(mpUnreach.count >> 8), UInt8(mpUnreach.count & 0xFF)] + mpUnreach)
        v.json = nil
        return (hint, v, hex)
    }

    static func wrap(type: UInt8, body: [UInt8]) -> [UInt8] {
        let n = body.count + 19
        return [UInt8](repeating: 0xFF, count: 16) + [UInt8(n >> 8), UInt8(n & 0xFF), type] + body
    }

    /// ExaBGP's family names, for every family in the vectors.
    static let families: [String: AddressFamily] = [
        "ipv4 unicast": .ipv4Unicast, "ipv6 unicast": .ipv6Unicast,
        "ipv4 multicast": .ipv4Multicast, "ipv6 multicast": .ipv6Multicast,
        "ipv4 nlri-mpls": AddressFamily(afi: 1, safi: 4),
        "ipv4 mcast-vpn": AddressFamily(afi: 1, safi: 5), "ipv6 mcast-vpn": AddressFamily(afi: 2, safi: 5),
        "l2vpn vpls": AddressFamily(afi: 25, safi: 65), "l2vpn evpn": AddressFamily(afi: 25, safi: 70),
        "bgp-ls bgp-ls": AddressFamily(afi: 16388, safi: 71),
        "ipv4 sr-policy": AddressFamily(afi: 1, safi: 73), "ipv6 sr-policy": AddressFamily(afi: 2, safi: 73),
        "ipv4 mup": AddressFamily(afi: 1, safi: 85), "ipv6 mup": AddressFamily(afi: 2, safi: 85),
        "ipv4 mpls-vpn": AddressFamily(afi: 1, safi: 128), "ipv6 mpls-vpn": AddressFamily(afi: 2, safi: 128),
        "ipv4 flow": AddressFamily(afi: 1, safi: 133), "ipv6 flow": AddressFamily(afi: 2, safi: 133),
        "ipv4 flow-vpn": AddressFamily(afi: 1, safi: 134),
    ]

    static func name(_ f: AddressFamily) -> String {
        families.first { $0.value == f }?.key ?? "afi\(f.afi.rawValue) safi\(f.safi.rawValue)"
    }

    /// The decoding context of one file. 4-octet AS, except conf-no-asn4.ci
    /// (its upstream .conf turns the capability off; its AS_PATH 02 01 0064
    /// is 2 bytes per AS). ADD-PATH for each family where ExaBGP's JSON
    /// shows a path-information. Extended Message when a message needs it.
    static func context(file: String, vectors: [ExaVector]) -> CodecContext {
        var addPath = Set<AddressFamily>()
        for v in vectors {
            guard let text = v.json, text.contains("path-information"),
                  let update = try? ExaJSON.parse(text)["neighbor"]?["message"]?["update"] else { continue }
            let routes = (update["announce"]?.entries ?? []).map { ($0.key, $0.value.entries.flatMap { $0.value.items ?? [] }) }
                + (update["withdraw"]?.entries ?? []).map { ($0.key, $0.value.items ?? []) }
            for (family, list) in routes where list.contains(where: { $0["path-information"] != nil }) {
                if let f = families[family] { addPath.insert(f) }
            }
        }
        return CodecContext(fourOctetAS: file != "conf-no-asn4.ci", addPath: addPath,
                            extendedMessage: vectors.contains { $0.bytes.count > BGPLimits.maxMessageLength })
    }

    /// Vectors whose RFC outcome is not a good message. ExaBGP accepts each
    /// of them; the codec follows the RFC, so their JSON is not compared.
    static let expectedFaults: [String: TestData.Outcome] = [
        // NEXT_HOP 255.255.255.255 is no host address: RFC 4271 §6.3 Invalid
        // NEXT_HOP (3/8), handled as treat-as-withdraw (RFC 7606 §2, §7.3).
        "conf-attributes.ci#3": .init(3, 8, .treatAsWithdraw),
        // Attribute 0x99 with flags 0x60 / 0x70: the Optional bit is clear, so
        // it claims to be well-known and we do not know it: RFC 4271 §6.3
        // Unrecognized Well-known Attribute (3/2), session reset.
        "conf-generic-attribute.ci#2": .init(3, 2, .sessionReset),
        "conf-generic-attribute.ci#3": .init(3, 2, .sessionReset),
        // IPv6 unicast NLRI with a 4-byte next hop: RFC 2545 §3 allows 16 or
        // 32 bytes only; RFC 7606 §7.11 malformed MP_REACH, AFI/SAFI disable
        // (RFC 4271 §6.3 Optional Attribute Error 3/9 if it were a reset).
        "extended-nexthop.ci#2": .init(3, 9, .afiSafiDisable),
    ]

    /// Attributes ExaBGP parses that the codec keeps opaque, by code. Their
    /// contents are not compared; only that the codec kept the attribute.
    static let opaqueAttributes: [UInt8: String] = [
        23: "tunnel-encap", 25: "extended-community-ipv6", 29: "bgp-ls", 40: "bgp-prefix-sid",
    ]

    /// Decodes one vector and checks everything the brief asks of it.
    static func check(_ v: ExaVector, context: CodecContext) throws {
        let result = MessageCodec.decode(v.bytes, context: context)
        let rendered = MessageJSON(addPath: !context.addPath.isEmpty).render(result)
        if let want = expectedFaults[v.key] {
            #expect(TestData.outcome(result) == want, "\(v.label): \(v.command ?? "")")
            return
        }
        guard case .message(let m) = result, TestData.outcome(result) == nil else {
            Issue.record("\(v.label): expected a good message, got \(result) for \(v.command ?? "-")")
            return
        }
        let again = try MessageCodec.encode(m, context: context)
        #expect(again == v.bytes, "\(v.label): re-encoding differs\n got  \(hexString(again))\n want \(hexString(v.bytes))")

        if case .update(let u) = m {
            // A family kept opaque is reported as unsupported, never dropped.
            if let r = u.attributes.mpReach, case .opaque = r.nlri {
                #expect(rendered["attributes"]?["mp_reach"]?["unsupported"] == .bool(true), "\(v.label)")
                #expect(!r.family.isDecodedPrefixFamily, "\(v.label)")
            }
            if let w = u.attributes.mpUnreach, case .opaque = w.withdrawn {
                #expect(rendered["attributes"]?["mp_unreach"]?["unsupported"] == .bool(true), "\(v.label)")
                #expect(!w.family.isDecodedPrefixFamily, "\(v.label)")
            }
        }
        guard let text = v.json else { return }
        let json = try ExaJSON.parse(text)
        // Our own `vipctl decode` JSON against ExaBGP's.
        switch m {
        case .update:
            let theirs = try #require(json["neighbor"]?["message"]?["update"], "\(v.label): ExaBGP's JSON is no UPDATE")
            compare(rendered, theirs, context: context, label: v.label)
        case .open:
            let theirs = try #require(json["neighbor"]?["open"], "\(v.label): ExaBGP's JSON is no OPEN")
            compare(open: rendered, theirs, label: v.label)
        default:
            Issue.record("\(v.label): JSON given for a \(m.type.name), which this harness does not compare")
        }
    }

    // MARK: UPDATE, field by field

    /// What both sides express about an UPDATE, in one canonical text form,
    /// ours taken from our `vipctl decode` JSON. Deliberately not compared:
    /// - NEXT_HOP alone: ExaBGP prints it only as the key of announced routes,
    ///   so it is compared there and not when no IPv4 NLRI uses it;
    /// - link-local IPv6 next hops: ExaBGP's JSON gives the global one only;
    /// - the contents of attributes the codec keeps opaque (`opaqueAttributes`)
    ///   and the NLRI of opaque families: only their presence is compared;
    /// - ExaBGP's "string" rendering of extended communities (the 64-bit
    ///   value is compared) and its session header (peer addresses, ASNs,
    ///   router-id, time), which is no part of the message.
    struct UpdateFacts: Equatable {
        var attributes: [String: String] = [:]
        var announced: [String] = []
        var withdrawn: [String] = []
        /// "announce FAMILY" / "withdraw FAMILY" for families kept opaque.
        var opaque: [String] = []
    }

    /// Our segment type names (MessageJSON) in ExaBGP's spelling.
    static let segmentNames = [
        "sequence": "as-sequence", "set": "as-set", "confed_sequence": "confed-sequence", "confed_set": "confed-set",
    ]

    /// Our own `vipctl decode` rendering of an UPDATE in the common form.
    /// Keys the renderer gives that this harness does not know come back
    /// in `unmapped`, and fail the test.
    static func ours(_ update: JSONValue, context: CodecContext) -> (facts: UpdateFacts, unmapped: [String]) {
        var f = UpdateFacts()
        var unmapped = update.keys.filter { !["type", "withdrawn", "nlri", "attributes"].contains($0) }
        let a = update["attributes"] ?? .object([])
        func list(_ v: JSONValue?) -> String? { v?.arr.map { $0.map { $0.str ?? $0.serialized }.joined(separator: " ") } }
        /// A route as ExaBGP writes it: path-information only where the
        /// family uses ADD-PATH (MessageJSON prints path_id everywhere then).
        func route(_ p: JSONValue, _ fam: AddressFamily) -> String {
            guard let prefix = p["prefix"]?.str, let id = p["path_id"]?.int else { return p.str ?? p.serialized }
            return context.addPath.contains(fam) ? "\(prefix) id \(IPv4Address(UInt32(truncatingIfNeeded: id)))" : prefix
        }
        for key in a.keys {
            let v = a[key]!
            switch key {
            case "origin": f.attributes["origin"] = v.str
            case "as_path":
                // ExaBGP leaves an empty AS_PATH out.
                if let segs = v.arr, !segs.isEmpty {
                    f.attributes["as-path"] = segs.map { seg in
                        "\(segmentNames[seg["type"]?.str ?? ""] ?? "?") \((seg["asns"]?.arr ?? []).map { $0.int ?? -1 })"
                    }.joined(separator: " ")
                }
            case "next_hop": break  // with the IPv4 routes below
            case "med": f.attributes["med"] = v.int.map { "\($0)" }
            case "local_pref": f.attributes["local-preference"] = v.int.map { "\($0)" }
            case "atomic_aggregate": f.attributes["atomic-aggregate"] = v == .bool(true) ? "true" : nil
            case "aggregator": f.attributes["aggregator"] = "\(v["asn"]?.int ?? -1):\(v["address"]?.str ?? "?")"
            case "communities": f.attributes["community"] = list(v)
            case "large_communities": f.attributes["large-community"] = list(v)
            case "extended_communities":
                // 16 hex digits here, a decimal 64-bit value at ExaBGP.
                f.attributes["extended-community"] = v.arr?.map { $0.str.flatMap { UInt64($0, radix: 16) }.map { "\($0)" } ?? "?" }
                    .joined(separator: " ")
            case "originator_id": f.attributes["originator-id"] = v.str
            case "cluster_list": f.attributes["cluster-list"] = list(v)
            // ExaBGP merges AS4_PATH/AS4_AGGREGATOR into as-path/aggregator;
            // no vector has them, so one would show up as a difference.
            case "as4_path", "as4_aggregator", "otc": f.attributes[key] = v.serialized
            case "unknown":
                for u in v.arr ?? [] {
                    let code = UInt8(truncatingIfNeeded: u["code"]?.int ?? 0)
                    if let name = opaqueAttributes[code] {
                        f.attributes[name] = "kept"
                    } else {
                        f.attributes["attribute-\(code)-\(u["flags"]?.int ?? -1)"] = u["data"]?.str
                    }
                }
            case "mp_reach":
                let fam = AddressFamily(afi: UInt16(v["afi"]?.int ?? 0), safi: UInt8(v["safi"]?.int ?? 0))
                // The global next hop; ExaBGP does not print a link-local one.
                let nh = v["next_hop"]?.arr?.first?.str ?? "none"
                f.announced += (v["nlri"]?.arr ?? []).map { "\(name(fam)) nh \(nh) \(route($0, fam))" }
                if v["unsupported"] == .bool(true), v["nlri_data"]?.str != "" { f.opaque.append("announce \(name(fam))") }
            case "mp_unreach":
                let fam = AddressFamily(afi: UInt16(v["afi"]?.int ?? 0), safi: UInt8(v["safi"]?.int ?? 0))
                f.withdrawn += (v["withdrawn"]?.arr ?? []).map { "\(name(fam)) \(route($0, fam))" }
                if v["unsupported"] == .bool(true), v["withdrawn_data"]?.str != "" { f.opaque.append("withdraw \(name(fam))") }
            default:
                unmapped.append("attributes.\(key)")
            }
        }
        let v4 = name(.ipv4Unicast)
        let nh = a["next_hop"]?.str ?? "none"
        f.announced += (update["nlri"]?.arr ?? []).map { "\(v4) nh \(nh) \(route($0, .ipv4Unicast))" }
        f.withdrawn += (update["withdrawn"]?.arr ?? []).map { "\(v4) \(route($0, .ipv4Unicast))" }
        f.announced.sort(); f.withdrawn.sort(); f.opaque.sort()
        return (f, unmapped)
    }

    /// ExaBGP's UPDATE JSON in the same form; keys this harness does not
    /// know come back in `unmapped`, and fail the test.
    static func theirs(_ update: ExaJSON) -> (facts: UpdateFacts, unmapped: [String]) {
        var f = UpdateFacts()
        var unmapped: [String] = []
        for (key, _) in update.entries where !["attribute", "announce", "withdraw"].contains(key) {
            unmapped.append(key)
        }
        func joined(_ v: ExaJSON, _ each: (ExaJSON) -> String?) -> String {
            (v.items ?? []).map { each($0) ?? "?" }.joined(separator: " ")
        }
        for (key, v) in update["attribute"]?.entries ?? [] {
            switch key {
            case "origin", "med", "local-preference", "aggregator", "originator-id":
                f.attributes[key] = v.text
            case "atomic-aggregate":
                f.attributes[key] = v.text == "true" ? "true" : nil
            case "as-path":
                // {"0": {"element": "as-sequence", "value": [..]}, "1": ...}
                let segs = v.entries.sorted { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }
                f.attributes[key] = segs.map { s in
                    "\(s.value["element"]?.text ?? "?") [\((s.value["value"]?.items ?? []).map { $0.text ?? "?" }.joined(separator: ", "))]"
                }.joined(separator: " ")
            case "community", "large-community":
                f.attributes[key] = joined(v) { ($0.items ?? []).compactMap(\.text).joined(separator: ":") }
            case "extended-community":
                // The 64-bit value; ExaBGP's "string" form is not compared.
                f.attributes[key] = joined(v) { $0["value"]?.text.flatMap { UInt64($0) }.map { "\($0)" } }
            case "cluster-list":
                f.attributes[key] = joined(v) { $0.text }
            default:
                if let generic = genericAttributeKey(key) {
                    // "attribute-0xCODE-0xFLAGS": "0xDATA"
                    f.attributes[generic] = v.text.map { String($0.dropFirst(2)).lowercased() }
                } else if opaqueAttributes.values.contains(key) {
                    f.attributes[key] = "kept"
                } else {
                    unmapped.append("attribute \(key)")
                }
            }
        }
        for (family, byNextHop) in update["announce"]?.entries ?? [] {
            guard let fam = families[family] else { unmapped.append("family \(family)"); continue }
            guard fam.isDecodedPrefixFamily else { f.opaque.append("announce \(family)"); continue }
            for (nh, routes) in byNextHop.entries {
                for r in routes.items ?? [] {
                    f.announced.append("\(family) nh \(nh) \(r["nlri"]?.text ?? "?")\(r["path-information"]?.text.map { " id \($0)" } ?? "")")
                }
            }
        }
        for (family, routes) in update["withdraw"]?.entries ?? [] {
            guard let fam = families[family] else { unmapped.append("family \(family)"); continue }
            guard fam.isDecodedPrefixFamily else { f.opaque.append("withdraw \(family)"); continue }
            for r in routes.items ?? [] {
                f.withdrawn.append("\(family) \(r["nlri"]?.text ?? "?")\(r["path-information"]?.text.map { " id \($0)" } ?? "")")
            }
        }
        f.announced.sort(); f.withdrawn.sort(); f.opaque.sort()
        return (f, unmapped)
    }

    /// "attribute-0x99-0x60" → "attribute-153-96", our key for unknown attributes.
    static func genericAttributeKey(_ key: String) -> String? {
        let p = key.split(separator: "-")
        guard p.count == 3, p[0] == "attribute", p[1].hasPrefix("0x"), p[2].hasPrefix("0x"),
              let code = UInt8(p[1].dropFirst(2), radix: 16), let flags = UInt8(p[2].dropFirst(2), radix: 16) else { return nil }
        return "attribute-\(code)-\(flags)"
    }

    static func compare(_ rendered: JSONValue, _ update: ExaJSON, context: CodecContext, label: String) {
        let (mine, ourUnmapped) = ours(rendered, context: context)
        let (exa, unmapped) = theirs(update)
        #expect(unmapped.isEmpty, "\(label): ExaBGP JSON keys this harness does not map: \(unmapped)")
        #expect(ourUnmapped.isEmpty, "\(label): our JSON keys this harness does not map: \(ourUnmapped)")
        for key in Set(mine.attributes.keys).union(exa.attributes.keys).sorted() {
            #expect(mine.attributes[key] == exa.attributes[key], "\(label): attribute \(key)")
        }
        #expect(mine.announced == exa.announced, "\(label): announced routes")
        #expect(mine.withdrawn == exa.withdrawn, "\(label): withdrawn routes")
        #expect(mine.opaque == exa.opaque, "\(label): families kept opaque")
    }

    // MARK: OPEN

    static func compare(open ours: JSONValue, _ open: ExaJSON, label: String) {
        for (mine, theirs) in [("version", "version"), ("asn", "asn"), ("hold_time", "hold_time"), ("router_id", "router_id")] {
            #expect(ours[mine].map { $0.str ?? $0.serialized } == open[theirs]?.text, "\(label): \(mine)")
        }
        let caps = ours["capabilities"]?.arr ?? []
        func ofCode(_ c: Int64) -> [JSONValue] { caps.filter { $0["code"]?.int == c } }
        let exaCaps = open["capabilities"]?.entries ?? []
        #expect(Set(exaCaps.map(\.key)) == Set(caps.map { "\($0["code"]?.int ?? -1)" }), "\(label): capability codes")
        for (code, c) in exaCaps {
            switch code {
            case "1":
                let families = ofCode(1).map { cap in
                    name(AddressFamily(afi: UInt16(cap["afi"]?.int ?? 0), safi: UInt8(cap["safi"]?.int ?? 0)))
                        .replacingOccurrences(of: " ", with: "/")
                }
                #expect(families == (c["families"]?.items ?? []).compactMap(\.text), "\(label): multiprotocol families")
            case "65":
                #expect(ofCode(65).map { "\($0["asn"]?.int ?? -1)" } == [c["asn4"]?.text ?? "?"], "\(label): 4-octet AS")
            case "75":
                // Software Version (draft-ietf-idr-software-version), kept
                // opaque: a length byte, then the UTF-8 text.
                let data = (try? TestData.hexBytes(ofCode(75).first?["data"]?.str ?? "")) ?? []
                let text = data.first.map { String(decoding: data.dropFirst().prefix(Int($0)), as: UTF8.self) }
                #expect(text == c["software"]?.text, "\(label): software version")
            default:
                Issue.record("\(label): ExaBGP capability \(code) is not mapped by this harness")
            }
        }
    }
}

extension JSONValue {
    fileprivate var str: String? { if case .string(let s) = self { s } else { nil } }
    fileprivate var int: Int64? { if case .integer(let i) = self { i } else { nil } }
    fileprivate var arr: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    fileprivate var keys: [String] { if case .object(let o) = self { o.map(\.0) } else { [] } }
}

// MARK: - Tests

@Suite struct ExaBGPEncodingVectorTests {
    static let files = TestData.files(in: ExaBGP.encodingFolder) { $0.hasSuffix(".ci") }

    @Test func everyVectorFileIsThere() throws {
        // 40 .ci files; the two .conf files in the folder hold no vectors.
        // 166 raw lines (two more are commented out upstream).
        #expect(Self.files.count == 40)
        let total = try Self.files.reduce(0) { $0 + (try ExaBGP.loadEncoding($1)).count }
        #expect(total == 166)
    }

    @Test(arguments: files)
    func decodesLikeExaBGP(_ file: String) throws {
        let vectors = try ExaBGP.loadEncoding(file)
        #expect(!vectors.isEmpty)
        let context = ExaBGP.context(file: file, vectors: vectors)
        for v in vectors { try ExaBGP.check(v, context: context) }
    }

    @Test func contextsFollowTheFiles() throws {
        let noAS4 = ExaBGP.context(file: "conf-no-asn4.ci", vectors: try ExaBGP.loadEncoding("conf-no-asn4.ci"))
        #expect(!noAS4.fourOctetAS && noAS4.addPath.isEmpty)
        let addPath = ExaBGP.context(file: "conf-path-information.ci", vectors: try ExaBGP.loadEncoding("conf-path-information.ci"))
        #expect(addPath.fourOctetAS && addPath.addPath == [.ipv4Unicast])
    }

    /// The OPENs of the encoding folder carry no JSON; their values, read
    /// from the hex by hand.
    @Test(arguments: [
        ("conf-cap-link-local-nexthop.ci", [Capability.multiprotocol(.ipv6Unicast), .fourOctetAS(65533), .extendedMessage,
                                            .unknown(code: 77, data: [])]),
        ("conf-cap-software-version.ci", [.multiprotocol(.ipv4Unicast), .fourOctetAS(65533), .extendedMessage,
                                          .unknown(code: 75, data: [19] + Array("ExaBGP/5.0.0-0+test".utf8))]),
        ("conf-hostname.ci", [.multiprotocol(.ipv4Unicast), .fourOctetAS(65533), .extendedMessage,
                              .fqdn(hostname: Array("my-host-name".utf8), domain: Array("my-domain-name.com".utf8))]),
    ])
    func openVectors(_ file: String, _ capabilities: [Capability]) throws {
        let v = try #require(try ExaBGP.loadEncoding(file).first)
        let want = OpenMessage(myAS: 65533, holdTime: 180, identifier: IPv4Address(10, 0, 0, 2), capabilities: capabilities)
        #expect(MessageCodec.decode(v.bytes) == .message(.open(want)))
    }

    /// ExaBGP's QA peer sends a message of type 255; the vector is ExaBGP's
    /// answer, a NOTIFICATION 1/0 whose text names the type (ExaBGP uses
    /// subcode 0, not RFC 4271's 3).
    @Test func unknownMessageType() throws {
        let vectors = try ExaBGP.loadEncoding("unknown-message.ci")
        let v = try #require(vectors.first)
        #expect(vectors.count == 1)
        guard case .message(.notification(let n)) = MessageCodec.decode(v.bytes) else {
            Issue.record("not a NOTIFICATION: \(MessageCodec.decode(v.bytes))")
            return
        }
        #expect(n.code == 1 && n.subcode == 0)
        #expect(String(decoding: n.data, as: UTF8.self) == "can not decode update message of type \"255\"")
        // The message it answers, the vector's own bytes with type 255:
        // RFC 4271 §6.1 Bad Message Type, the Data the type byte.
        var unknown = v.bytes
        unknown[18] = 255
        let r = MessageCodec.decode(unknown)
        #expect(r == .failure(.header(.badMessageType(255))))
        #expect(r.fault?.notification == NotificationMessage(code: 1, subcode: 3, data: [255]))
        #expect(r.action == .sessionReset)
        let framed = TestData.frame(unknown, byteAtATime: true)
        #expect(framed.frames == [.error(.badMessageType(255), resynchronised: true)])
        #expect(framed.buffered == 0)
    }
}

@Suite struct ExaBGPDecodingVectorTests {
    static let files = TestData.files(in: ExaBGP.decodingFolder)

    @Test func everyVectorFileIsThere() {
        #expect(Self.files.count == 22)
    }

    @Test(arguments: files)
    func decodesLikeExaBGP(_ file: String) throws {
        let (hint, v, bareNLRI) = try ExaBGP.loadDecoding(file)
        try ExaBGP.check(v, context: .default)
        // The family the hint names ("update ipv4 flow") is the one decoded.
        if hint.hasPrefix("update "), let family = ExaBGP.families[String(hint.dropFirst(7))],
           case .message(.update(let u)) = MessageCodec.decode(v.bytes) {
            let seen = [u.attributes.mpReach?.family, u.attributes.mpUnreach?.family]
                + (u.nlri.isEmpty && u.withdrawn.isEmpty && u.attributes.nextHop == nil ? [] : [AddressFamily.ipv4Unicast])
            #expect(seen.contains(family), "\(file): \(hint)")
        }
        if let nlri = bareNLRI {
            // The bare BGP-LS NLRI comes back byte for byte as opaque.
            guard case .message(.update(let u)) = MessageCodec.decode(v.bytes) else { return }
            #expect(u.attributes.mpUnreach == MPUnreach(family: AddressFamily(afi: 16388, safi: 71), withdrawn: .opaque(nlri)))
        }
    }
}

/// Every family the codec keeps opaque, counted over all ExaBGP vectors:
/// each decodes as an opaque MP_REACH/MP_UNREACH, none is lost or crashes.
@Test func exaBGPOpaqueFamilies() throws {
    var messages: [String: Int] = [:]
    func count(_ bytes: [UInt8], _ context: CodecContext) {
        guard case .message(.update(let u)) = MessageCodec.decode(bytes, context: context) else { return }
        var seen = Set<String>()
        if let r = u.attributes.mpReach, case .opaque = r.nlri { seen.insert(ExaBGP.name(r.family)) }
        if let w = u.attributes.mpUnreach, case .opaque = w.withdrawn { seen.insert(ExaBGP.name(w.family)) }
        for s in seen { messages[s, default: 0] += 1 }
    }
    for file in ExaBGPEncodingVectorTests.files {
        let vectors = try ExaBGP.loadEncoding(file)
        let context = ExaBGP.context(file: file, vectors: vectors)
        for v in vectors { count(v.bytes, context) }
    }
    for file in ExaBGPDecodingVectorTests.files {
        count(try ExaBGP.loadDecoding(file).vector.bytes, .default)
    }
    // 84 messages, End-of-RIB markers of these families included.
    #expect(messages == [
        "bgp-ls bgp-ls": 10, "ipv4 flow": 22, "ipv4 flow-vpn": 4, "ipv6 flow": 4,
        "ipv4 mcast-vpn": 2, "ipv6 mcast-vpn": 2, "ipv4 mpls-vpn": 7, "ipv6 mpls-vpn": 4,
        "ipv4 mup": 8, "ipv6 mup": 6, "ipv4 nlri-mpls": 2, "ipv4 sr-policy": 6, "ipv6 sr-policy": 2,
        "l2vpn evpn": 1, "l2vpn vpls": 4,
    ])
}
