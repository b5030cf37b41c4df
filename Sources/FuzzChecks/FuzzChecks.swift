import BGPCodec
import BGPCodecJSON

/// The invariants the fuzz targets check, kept in a library so that every
/// crasher found under Fuzz/ is replayed as an ordinary unit test through
/// the same code. Each check returns the invariants the input broke; an
/// empty list means the input was handled correctly.
public enum FuzzChecks {
    /// Contexts every input is decoded under.
    static let contexts: [CodecContext] = [
        CodecContext(),
        CodecContext(fourOctetAS: false),
        CodecContext(addPath: [.ipv4Unicast, .ipv6Unicast]),
        CodecContext(fourOctetAS: false, addPath: [.ipv4Unicast, .ipv6Unicast], extendedMessage: true),
    ]

    /// The framer yields the same frames whether bytes come at once or in
    /// pieces, and every frame decodes to exactly one outcome.
    public static func framing(_ data: UnsafeRawBufferPointer) -> [String] {
        var problems: [String] = []
        let bytes = [UInt8](data)
        var whole = MessageFramer(maxMessageLength: BGPLimits.maxExtendedMessageLength)
        whole.append(bytes)
        var expected: [MessageFramer.Frame] = []
        while let f = whole.next() {
            expected.append(f)
            if expected.count > bytes.count { problems.append("framer yields more frames than bytes"); break }
        }
        // Piece sizes taken from the input itself, 1 to 8 bytes.
        var pieces = MessageFramer(maxMessageLength: BGPLimits.maxExtendedMessageLength)
        var got: [MessageFramer.Frame] = []
        var i = 0
        while i < bytes.count {
            let n = Int(bytes[i] & 7) + 1
            pieces.append(bytes[i..<min(i + n, bytes.count)])
            while let f = pieces.next() { got.append(f) }
            i += n
        }
        if got != expected { problems.append("framing depends on how the bytes arrive") }
        for case .message(let m) in expected {
            for c in contexts { problems += roundTrip(m, context: c) }
        }
        return problems
    }

    /// Wraps `body` in a valid header of `type` and checks the decoder.
    public static func message(_ body: UnsafeRawBufferPointer, type: MessageType) -> [String] {
        guard body.count + BGPLimits.headerLength <= BGPLimits.maxExtendedMessageLength else { return [] }
        var bytes = [UInt8](repeating: 0xFF, count: BGPLimits.markerLength)
        let len = body.count + BGPLimits.headerLength
        bytes += [UInt8(len >> 8), UInt8(len & 0xFF), type.rawValue]
        bytes += body
        var problems: [String] = []
        for c in contexts { problems += roundTrip(bytes[...], context: c) }
        return problems
    }

    /// Decode; a good message must re-encode and decode to the same value,
    /// and every outcome must render as JSON.
    static func roundTrip(_ bytes: ArraySlice<UInt8>, context: CodecContext) -> [String] {
        let result = MessageCodec.decode(bytes, context: context)
        let renderer = MessageJSON(addPath: !context.addPath.isEmpty)
        _ = renderer.render(result).serialized
        if MessageCodec.decode(bytes, context: context) != result { return ["decoding is not deterministic"] }
        guard case .message(let m) = result else {
            if result.fault == nil { return ["a non-message outcome without a fault"] }
            return []
        }
        let encoded: [UInt8]
        do {
            encoded = try MessageCodec.encode(m, context: context)
        } catch {
            return ["a decoded message does not re-encode: \(error)"]
        }
        let again = MessageCodec.decode(encoded, context: context)
        guard case .message(let m2) = again else {
            return ["a re-encoded message does not decode: \(again)"]
        }
        if m2 != m { return ["encode then decode changes the message"] }
        return []
    }
}
