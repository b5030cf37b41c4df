/// One BGP message.
public enum BGPMessage: Hashable, Sendable {
    case open(OpenMessage)
    case update(UpdateMessage)
    case notification(NotificationMessage)
    case keepalive
    case routeRefresh(RouteRefreshMessage)

    public var type: MessageType {
        switch self {
        case .open: return .open
        case .update: return .update
        case .notification: return .notification
        case .keepalive: return .keepalive
        case .routeRefresh: return .routeRefresh
        }
    }
}

/// The one outcome of decoding one message. Every input ends in exactly one
/// of these; nothing traps.
public enum DecodeResult: Hashable, Sendable {
    /// A good message. An UPDATE may have lost attributes to RFC 7606
    /// attribute discard (`wire.discarded`).
    case message(BGPMessage)
    /// RFC 7606 treat-as-withdraw: every NLRI in the UPDATE, traditional and
    /// multiprotocol, is to be handled as withdrawn.
    case treatAsWithdraw(UpdateMessage, UpdateFault)
    /// RFC 4760 §7 / RFC 7606 §2: drop the peer's routes of this family.
    case afiSafiDisable(AddressFamily, UpdateMessage, UpdateFault)
    /// Send `fault.notification` and reset the session.
    case failure(MessageFault)

    public var message: BGPMessage? {
        if case .message(let m) = self { return m }
        return nil
    }

    public var fault: MessageFault? {
        switch self {
        case .message: return nil
        case .treatAsWithdraw(_, let f), .afiSafiDisable(_, _, let f): return .update(f)
        case .failure(let f): return f
        }
    }

    public var action: ErrorAction? {
        switch self {
        case .message(.update(let u)) where !u.wire.discarded.isEmpty: return .attributeDiscard
        case .message: return nil
        case .treatAsWithdraw: return .treatAsWithdraw
        case .afiSafiDisable: return .afiSafiDisable
        case .failure(let f): return f.action
        }
    }
}

/// The fixed header (RFC 4271 §4.1), checked.
public struct MessageHeader: Hashable, Sendable {
    public var length: Int
    public var type: MessageType

    /// Marker, then length bounds, then type, then the type's own length
    /// rule (RFC 4271 §6.1). `bytes` must hold at least the header.
    static func check(_ r: ByteReader, maxLength: Int) -> Result<MessageHeader, HeaderFault> {
        guard r.remaining >= BGPLimits.headerLength, let base = r.base else { return .failure(.badMessageLength(0)) }
        let p = r.position
        // The marker is 16 bytes of ones: two 8-byte compares.
        guard base.loadUnaligned(fromByteOffset: p, as: UInt64.self) == .max,
              base.loadUnaligned(fromByteOffset: p + 8, as: UInt64.self) == .max else {
            return .failure(.connectionNotSynchronized)
        }
        let len = UInt16(base.load(fromByteOffset: p + 16, as: UInt8.self)) << 8 | UInt16(base.load(fromByteOffset: p + 17, as: UInt8.self))
        let rawType = base.load(fromByteOffset: p + 18, as: UInt8.self)
        guard Int(len) >= BGPLimits.headerLength, Int(len) <= maxLength else { return .failure(.badMessageLength(len)) }
        guard let type = MessageType(rawValue: rawType) else { return .failure(.badMessageType(rawType)) }
        guard type.lengthIsValid(Int(len)) else { return .failure(.badMessageLength(len)) }
        return .success(MessageHeader(length: Int(len), type: type))
    }
}

public enum MessageCodec {
    /// Decodes one whole message, header included. Extra bytes after the
    /// length the header gives, or fewer than it, are a length error.
    public static func decode(_ bytes: UnsafeRawBufferPointer, context: CodecContext = .default) -> DecodeResult {
        let r = ByteReader(bytes)
        let header: MessageHeader
        switch MessageHeader.check(r, maxLength: context.maxMessageLength) {
        case .failure(let f): return .failure(.header(f))
        case .success(let h): header = h
        }
        guard header.length == bytes.count else {
            return .failure(.header(.badMessageLength(UInt16(truncatingIfNeeded: header.length))))
        }
        var body = ByteReader(base: r.base, position: BGPLimits.headerLength, end: header.length)
        switch header.type {
        case .keepalive:
            return .message(.keepalive)
        case .open:
            switch OpenMessage.decode(&body) {
            case .success(let o): return .message(.open(o))
            case .failure(let f): return .failure(.open(f))
            }
        case .update:
            return UpdateMessage.decode(&body, context: context)
        case .notification:
            guard let n = try? NotificationMessage.decode(&body) else {
                return .failure(.header(.badMessageLength(UInt16(header.length))))
            }
            return .message(.notification(n))
        case .routeRefresh:
            let bodyBytes = body
            guard let rr = try? RouteRefreshMessage.decode(&body) else {
                return .failure(.header(.badMessageLength(UInt16(header.length))))
            }
            // RFC 7313 §5: BoRR and EoRR are exactly 4 bytes of body.
            if (rr.subtype == 1 || rr.subtype == 2) && !rr.orfData.isEmpty {
                var b = bodyBytes
                return .failure(.routeRefresh(.invalidMessageLength(subtype: rr.subtype, data: b.rest())))
            }
            return .message(.routeRefresh(rr))
        }
    }

    public static func decode(_ bytes: [UInt8], context: CodecContext = .default) -> DecodeResult {
        bytes.withUnsafeBytes { decode($0, context: context) }
    }

    public static func decode(_ bytes: ArraySlice<UInt8>, context: CodecContext = .default) -> DecodeResult {
        bytes.withUnsafeBytes { decode($0, context: context) }
    }

    /// The message's bytes, header included. Throws when it would exceed the
    /// context's maximum length; use `UpdatePacker` to split route sets.
    public static func encode(_ m: BGPMessage, context: CodecContext = .default) throws(EncodeError) -> [UInt8] {
        var w = ByteWriter(capacity: 64)
        for _ in 0..<BGPLimits.markerLength { w.u8(0xFF) }
        w.u16(0)
        w.u8(m.type.rawValue)
        switch m {
        case .open(let o): o.encodeBody(into: &w)
        case .update(let u): u.encodeBody(context: context, into: &w)
        case .notification(let n): n.encodeBody(into: &w)
        case .keepalive: break
        case .routeRefresh(let rr): rr.encodeBody(into: &w)
        }
        guard w.count <= context.maxMessageLength else { throw .messageTooLong(w.count) }
        w.patchU16(at: BGPLimits.markerLength, UInt16(w.count))
        return w.bytes
    }
}

public enum EncodeError: Error, Hashable, Sendable {
    case messageTooLong(Int)
}
