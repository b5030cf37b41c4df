/// Writes JSON straight into bytes, in the same compact form as
/// `JSONValue.serialized` (", " and ": "), for answers too large to build
/// as a value first: `lb show` of a full IPVS table is 10,000 backends,
/// and a `JSONValue` tree of it is some 100,000 small allocations.
///
///     var w = JSONStream()
///     w.beginObject(); w.key("a"); w.int(1); w.endObject()   // {"a": 1}
public struct JSONStream {
    public private(set) var bytes: [UInt8] = []
    /// One entry per open array or object: whether it has no member yet.
    private var empty: [Bool] = []
    private var afterKey = false

    public init(reservingCapacity n: Int = 0) { bytes.reserveCapacity(n) }

    private mutating func member() {
        if afterKey { afterKey = false; return }
        guard let last = empty.last else { return }
        if last { empty[empty.count - 1] = false } else { bytes.append(UInt8(ascii: ",")); bytes.append(UInt8(ascii: " ")) }
    }

    public mutating func beginObject() { member(); bytes.append(UInt8(ascii: "{")); empty.append(true) }
    public mutating func endObject() { empty.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { member(); bytes.append(UInt8(ascii: "[")); empty.append(true) }
    public mutating func endArray() { empty.removeLast(); bytes.append(UInt8(ascii: "]")) }

    public mutating func key(_ k: String) {
        member()
        JSONValue.quote(k, into: &bytes)
        bytes.append(UInt8(ascii: ":")); bytes.append(UInt8(ascii: " "))
        afterKey = true
    }

    public mutating func string(_ s: String) { member(); JSONValue.quote(s, into: &bytes) }
    public mutating func int<I: BinaryInteger>(_ v: I) {
        member()
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        JSONValue.decimal(unsigned: UInt64(v.magnitude), into: &bytes)
    }
    public mutating func bool(_ b: Bool) { member(); JSONValue.bool(b).write(into: &bytes) }
    public mutating func null() { member(); JSONValue.null.write(into: &bytes) }
    public mutating func value(_ v: JSONValue) { member(); v.write(into: &bytes) }

    /// `"key": value` pairs, the common case.
    public mutating func field(_ k: String, _ s: String) { key(k); string(s) }
    public mutating func field<I: BinaryInteger>(_ k: String, _ v: I) { key(k); int(v) }
    public mutating func field(_ k: String, _ b: Bool) { key(k); bool(b) }
}
