import BGPCodec
import BGPCodecJSON

/// Hex with any spaces, for readable byte tables.
func hex(_ s: String) -> [UInt8] {
    guard let b = parseHex(s) else { fatalError("bad hex in test: \(s)") }
    return b
}

/// A whole message of `type` around `body`.
func message(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
    let len = body.count + 19
    return [UInt8](repeating: 0xFF, count: 16) + [UInt8(len >> 8), UInt8(len & 0xFF), type] + body
}

/// An UPDATE body from its three parts.
func updateBody(withdrawn: [UInt8] = [], attributes: [UInt8] = [], nlri: [UInt8] = []) -> [UInt8] {
    [UInt8(withdrawn.count >> 8), UInt8(withdrawn.count & 0xFF)] + withdrawn
        + [UInt8(attributes.count >> 8), UInt8(attributes.count & 0xFF)] + attributes + nlri
}

/// ORIGIN IGP, AS_PATH [65001], NEXT_HOP 10.0.0.1 (4-octet AS encoding).
let mandatoryAttributes = hex("40 01 01 00  40 02 06 02 01 0000fde9  40 03 04 0a000001")

func decodeUpdate(_ body: [UInt8], context: CodecContext = .default) -> DecodeResult {
    MessageCodec.decode(message(2, body), context: context)
}

func fault(_ r: DecodeResult) -> (code: UInt8, subcode: UInt8, action: ErrorAction)? {
    if case .message(.update(let u)) = r, !u.wire.discarded.isEmpty { return (0, 0, .attributeDiscard) }
    guard let f = r.fault else { return nil }
    return (f.notification.code, f.notification.subcode, f.action)
}

func p4(_ s: String) -> IPv4Prefix { IPv4Prefix(s)! }
func p6(_ s: String) -> IPv6Prefix { IPv6Prefix(s)! }
func a4(_ s: String) -> IPv4Address { IPv4Address(s)! }
func a6(_ s: String) -> IPv6Address { IPv6Address(s)! }
