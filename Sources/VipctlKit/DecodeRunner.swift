import BGPCodec
import BGPCodecJSON

/// `vipctl decode`: BGP messages in, one JSON object per message out.
/// The decoding context comes from the flags alone; OPENs in the input do
/// not change it (../shared/design/interfaces.md).
public struct DecodeOptions: Sendable {
    /// A binary stream of concatenated messages instead of hex lines.
    public var raw = false
    /// 2-octet AS numbers, as on a session without RFC 6793.
    public var as2 = false
    /// NLRI carry RFC 7911 path identifiers.
    public var addPath = false
    /// RFC 8654 65535-byte messages.
    public var extendedMessage = false
    /// Totals only.
    public var summary = false

    public init(raw: Bool = false, as2: Bool = false, addPath: Bool = false, extendedMessage: Bool = false, summary: Bool = false) {
        self.raw = raw
        self.as2 = as2
        self.addPath = addPath
        self.extendedMessage = extendedMessage
        self.summary = summary
    }

    public var context: CodecContext {
        CodecContext(fourOctetAS: !as2,
                     addPath: addPath ? [.ipv4Unicast, .ipv6Unicast, .ipv4Multicast, .ipv6Multicast] : [],
                     extendedMessage: extendedMessage)
    }
}

public struct DecodeTotals: Sendable, Equatable {
    public var messages = 0
    public var prefixes = 0
    public var errors = 0
    public var bytes = 0
    public var seconds = 0.0

    public var json: JSONValue {
        let nsPerPrefix = prefixes > 0 ? seconds * 1e9 / Double(prefixes) : 0
        let mbPerSecond = seconds > 0 ? Double(bytes) / 1e6 / seconds : 0
        return .object([
            ("messages", .int(messages)),
            ("prefixes", .int(prefixes)),
            ("errors", .int(errors)),
            ("seconds", .double(rounded(seconds, 6))),
            ("ns_per_prefix", .double(rounded(nsPerPrefix, 3))),
            ("mb_per_s", .double(rounded(mbPerSecond, 1))),
        ])
    }
}

private func rounded(_ v: Double, _ places: Int) -> Double {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    return (v * scale).rounded() / scale
}

public enum DecodeRunner {
    /// One unit of input: a whole message, or a problem found before decoding.
    enum Item {
        case message(ArraySlice<UInt8>)
        /// A header that failed, and its type when the type byte was known.
        case header(HeaderFault, MessageType?)
        case badHex(line: Int)
    }

    /// Decodes `input` and calls `emit` with each output line. With
    /// `summary`, only the totals line is emitted.
    @discardableResult
    public static func run(input: [UInt8], options: DecodeOptions, emit: (String) -> Void) -> DecodeTotals {
        let context = options.context
        let renderer = MessageJSON(addPath: options.addPath)
        var totals = DecodeTotals()
        if options.summary {
            // The input is already in memory; only framing and decoding are timed.
            let hexItems = options.raw ? [] : items(fromHex: input, maxLength: context.maxMessageLength)
            let clock = ContinuousClock()
            let started = clock.now
            if options.raw {
                // Straight over the bytes in memory, as MessageFramer would
                // over a socket buffer, without copying them into one first.
                input.withUnsafeBytes { raw in
                    var offset = 0
                    while let m = MessageFramer.nextFrame(in: raw, at: &offset, maxMessageLength: context.maxMessageLength) {
                        switch m {
                        case .message(let range):
                            count(MessageCodec.decode(UnsafeRawBufferPointer(rebasing: raw[range]), context: context), into: &totals)
                        case .error:
                            totals.messages += 1
                            totals.errors += 1
                        }
                    }
                    if offset < raw.count {  // a partial message at the end
                        totals.messages += 1
                        totals.errors += 1
                    }
                }
            } else {
                for item in hexItems { tally(item, context: context, into: &totals) }
            }
            let elapsed = clock.now - started
            totals.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            totals.bytes = input.count
            emit(totals.json.serialized)
            return totals
        }
        func handle(_ item: Item) {
            let line: JSONValue
            switch item {
            case .badHex(let n):
                line = .object([("error", .object([("reason", .string("invalid hex")), ("line", .int(n))]))])
                totals.messages += 1
                totals.errors += 1
            case .header(let f, let type):
                line = renderer.render(.failure(.header(f)), headerType: f == .connectionNotSynchronized ? nil : type)
                totals.messages += 1
                totals.errors += 1
            case .message(let bytes):
                let result = MessageCodec.decode(bytes, context: context)
                count(result, into: &totals)
                line = renderer.render(result)
            }
            emit(line.serialized)
        }
        if options.raw {
            frame(input, maxLength: context.maxMessageLength) { handle($0) }
        } else {
            for item in items(fromHex: input, maxLength: context.maxMessageLength) { handle(item) }
        }
        totals.bytes = input.count
        return totals
    }

    private static func tally(_ item: Item, context: CodecContext, into totals: inout DecodeTotals) {
        switch item {
        case .badHex, .header:
            totals.messages += 1
            totals.errors += 1
        case .message(let bytes):
            count(MessageCodec.decode(bytes, context: context), into: &totals)
        }
    }

    private static func count(_ result: DecodeResult, into totals: inout DecodeTotals) {
        totals.messages += 1
        if result.action != nil { totals.errors += 1 }
        switch result {
        case .message(.update(let u)), .treatAsWithdraw(let u, _), .afiSafiDisable(_, let u, _):
            totals.prefixes += u.prefixCount
        case .message, .failure:
            break
        }
    }

    /// Frames a byte stream; a leftover partial message is a length error.
    static func frame(_ bytes: some Collection<UInt8>, maxLength: Int, _ body: (Item) -> Void) {
        var framer = MessageFramer(maxMessageLength: maxLength)
        framer.append(bytes)
        while true {
            let type = framer.pendingType
            guard let f = framer.next() else { break }
            switch f {
            case .message(let m): body(.message(m))
            case .error(let fault, _): body(.header(fault, type))
            }
        }
        let left = framer.bufferedCount
        if left > 0 {
            // Too short for a header, or shorter than its header's length.
            let declared = framer.pendingDeclaredLength ?? left
            body(.header(.badMessageLength(UInt16(truncatingIfNeeded: declared)), framer.pendingType))
        }
    }

    /// Hex lines: one whole message per line. Blank lines and lines starting
    /// with '#' are skipped.
    static func items(fromHex input: [UInt8], maxLength: Int) -> [Item] {
        var out: [Item] = []
        var lineNo = 0
        for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNo += 1
            let text = String(decoding: line, as: UTF8.self)
            let trimmed = text.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.allSatisfy({ $0 == " " || $0 == "\r" || $0 == "\t" }) { continue }
            guard let bytes = parseHex(trimmed) else {
                out.append(.badHex(line: lineNo))
                continue
            }
            frame(bytes, maxLength: maxLength) { out.append($0) }
        }
        return out
    }
}
