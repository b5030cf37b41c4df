/// RFC 4271 §4.3 UPDATE.
public struct UpdateMessage: Hashable, Sendable {
    public var withdrawn: [IPv4Prefix]
    public var attributes: PathAttributes
    public var nlri: [IPv4Prefix]
    /// How the message looked on the wire; no part of its value.
    public var wire: WireDetail

    public init(withdrawn: [IPv4Prefix] = [], attributes: PathAttributes = PathAttributes(), nlri: [IPv4Prefix] = []) {
        self.withdrawn = withdrawn
        self.attributes = attributes
        self.nlri = nlri
        self.wire = WireDetail()
    }

    /// Decoding detail that lets a decoded UPDATE re-encode to the same
    /// bytes, and says what RFC 7606 attribute discard removed. Equality and
    /// hashing ignore it: two UPDATEs with the same content are equal.
    public struct WireDetail: Hashable, Sendable {
        /// Attribute codes and flags in the order they came, packed as
        /// code << 8 | flags (a tuple array would need runtime metadata on
        /// every decode).
        public var packedOrder: [UInt16]
        public var order: [(code: UInt8, flags: UInt8)] {
            packedOrder.map { (UInt8($0 >> 8), UInt8($0 & 0xFF)) }
        }
        /// Codes of attributes dropped by attribute discard (RFC 7606 §2),
        /// including repeats of an attribute (RFC 7606 §3 g).
        public var discarded: [UInt8]

        public init(packedOrder: [UInt16] = [], discarded: [UInt8] = []) {
            self.packedOrder = packedOrder
            self.discarded = discarded
        }
        public static func == (_: WireDetail, _: WireDetail) -> Bool { true }
        public func hash(into _: inout Hasher) {}
    }

    /// RFC 4724 §2: the End-of-RIB marker's family, if this is one: an empty
    /// UPDATE for IPv4 unicast, or one holding only an empty MP_UNREACH.
    public var endOfRIB: AddressFamily? {
        guard withdrawn.isEmpty, nlri.isEmpty else { return nil }
        if attributes.isEmpty { return .ipv4Unicast }
        if attributes.presentCodes == [AttributeCode.mpUnreach],
           let u = attributes.mpUnreach, u.withdrawn.isEmpty {
            return u.family
        }
        return nil
    }

    public static func endOfRIB(_ family: AddressFamily) -> UpdateMessage {
        if family == .ipv4Unicast { return UpdateMessage() }
        let empty: MPPrefixes = family.afi == .ipv6 ? .ipv6([]) : (family.afi == .ipv4 ? .ipv4([]) : .opaque([]))
        return UpdateMessage(attributes: PathAttributes(mpUnreach: MPUnreach(family: family, withdrawn: empty)))
    }

    /// Number of prefixes carried (announced plus withdrawn, every family).
    public var prefixCount: Int {
        withdrawn.count + nlri.count + (attributes.mpReach?.nlri.count ?? 0) + (attributes.mpUnreach?.withdrawn.count ?? 0)
    }
}

extension UpdateMessage {
    /// Decodes an UPDATE body (after the header). The most severe fault
    /// found decides the result (RFC 7606 §3 h).
    static func decode(_ r: inout ByteReader, context: CodecContext) -> DecodeResult {
        // RFC 7606 §4: the two length fields must fit the message, or the
        // NLRI cannot be located: session reset.
        guard let wlen = try? r.u16() else { return .failure(.update(.withdrawnLengthOverrun)) }
        guard r.remaining >= Int(wlen) + 2, let wr = try? r.sub(Int(wlen)) else {
            return .failure(.update(.withdrawnLengthOverrun))
        }
        guard let alen = try? r.u16(), r.remaining >= Int(alen), var ar = try? r.sub(Int(alen)) else {
            return .failure(.update(.attributesLengthOverrun))
        }
        let nr = r
        r.position = r.end
        let v4AddPath = context.usesAddPath(.ipv4Unicast)
        let withdrawn: [IPv4Prefix], nlri: [IPv4Prefix]
        do {
            withdrawn = try NLRICodec.decodeIPv4(wr, addPath: v4AddPath)
            nlri = try NLRICodec.decodeIPv4(nr, addPath: v4AddPath)
        } catch {
            return .failure(.update(.invalidNetworkField))
        }
        var parser = AttributeParser(context: context)
        parser.parse(&ar)
        var update = UpdateMessage(withdrawn: withdrawn, attributes: parser.attributes, nlri: nlri)
        update.wire = WireDetail(packedOrder: parser.order, discarded: parser.discarded)

        var worst = parser.worst
        func note(_ f: UpdateFault) {
            if worst == nil || f.action > worst!.action { worst = f }
        }
        // RFC 7606 §3 d: mandatory attributes, only when something is announced.
        let a = update.attributes
        let announces = !update.nlri.isEmpty || a.mpReach != nil
        if announces && !parser.sawMalformed(AttributeCode.origin) && a.origin == nil {
            note(.missingWellKnown(code: AttributeCode.origin))
        }
        if announces && !parser.sawMalformed(AttributeCode.asPath) && a.asPath == nil {
            note(.missingWellKnown(code: AttributeCode.asPath))
        }
        if !update.nlri.isEmpty && !parser.sawMalformed(AttributeCode.nextHop) && a.nextHop == nil {
            note(.missingWellKnown(code: AttributeCode.nextHop))
        }
        guard let fault = worst else { return .message(.update(update)) }
        switch fault.action {
        case .sessionReset:
            return .failure(.update(fault))
        case .afiSafiDisable:
            if case .multiprotocol(_, let family) = fault {
                return .afiSafiDisable(family, update, fault)
            }
            return .failure(.update(fault))
        case .treatAsWithdraw:
            return .treatAsWithdraw(update, fault)
        case .attributeDiscard:
            // Only discards: the UPDATE stands without them.
            return .message(.update(update))
        }
    }
}
