import BGPCodec

/// The attributes a path carries, as the RIB stores them once and shares:
/// what the peer sent (`learned`), what import policy made of it
/// (`attributes`, equal to `learned` when policy changed nothing), and the
/// next hop. The MP_REACH/MP_UNREACH attributes are never kept.
public struct StoredAttributes: Hashable, Sendable {
    public var attributes: PathAttributes
    public var learned: PathAttributes
    public var nextHop: NextHop

    public init(attributes: PathAttributes, learned: PathAttributes? = nil, nextHop: NextHop) {
        self.attributes = attributes
        self.learned = learned ?? attributes
        self.nextHop = nextHop
    }
}

/// Interned attribute sets with reference counts. Every path of the RIB
/// holds a 32-bit id into this store; 1M prefixes announced with 4
/// attribute sets keep 4 entries here. An entry goes when its last path
/// does, and its id is reused.
public struct AttributeStore: Sendable {
    private var entries: [StoredAttributes?] = []
    private var refs: [UInt32] = []
    private var ids: [StoredAttributes: UInt32] = [:]
    private var free: [UInt32] = []

    public init() {}

    /// The id of this attribute set, added with no references if new.
    public mutating func intern(_ a: StoredAttributes) -> UInt32 {
        if let id = ids[a] { return id }
        let id: UInt32
        if let f = free.popLast() {
            id = f
            entries[Int(id)] = a
            refs[Int(id)] = 0
        } else {
            id = UInt32(entries.count)
            entries.append(a)
            refs.append(0)
        }
        ids[a] = id
        return id
    }

    public subscript(id: UInt32) -> StoredAttributes { entries[Int(id)]! }

    @inline(__always) public mutating func retain(_ id: UInt32, count: Int = 1) { refs[Int(id)] &+= UInt32(count) }

    public mutating func release(_ id: UInt32) {
        refs[Int(id)] -= 1
        if refs[Int(id)] == 0 {
            ids[entries[Int(id)]!] = nil
            entries[Int(id)] = nil
            free.append(id)
        }
    }

    /// Drops an id interned but never retained (an UPDATE whose routes were
    /// all refused, say).
    public mutating func collect(_ id: UInt32) {
        if Int(id) < refs.count, refs[Int(id)] == 0, let e = entries[Int(id)] {
            ids[e] = nil
            entries[Int(id)] = nil
            free.append(id)
        }
    }

    /// Distinct attribute sets in use.
    public var count: Int { ids.count }

    public func references(_ id: UInt32) -> UInt32 { refs[Int(id)] }
}
