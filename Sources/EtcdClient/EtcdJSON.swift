import Election
import Foundation

/// The etcd v3 JSON gateway's encoding: every `bytes` field is base64,
/// every int64 is a JSON string (we accept numbers too), and fields at
/// their zero value are left out (a keep-alive for a lost lease answers
/// without `TTL`, a failed txn without `succeeded`).
enum EtcdJSON {
    struct DecodeError: Error, CustomStringConvertible {
        var description: String
    }

    static func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }

    /// The gateway path and body for one request.
    static func encode(_ request: EtcdRequest) -> (path: String, body: [UInt8]) {
        let (path, object): (String, [String: Any])
        switch request {
        case .grant(let ttl):
            (path, object) = ("/v3/lease/grant", ["TTL": String(ttl)])
        case .keepAlive(let lease):
            (path, object) = ("/v3/lease/keepalive", ["ID": String(lease)])
        case .revoke(let lease):
            (path, object) = ("/v3/lease/revoke", ["ID": String(lease)])
        case .createKey(let key, let value, let lease):
            (path, object) = ("/v3/kv/txn", [
                "compare": [["key": b64(key), "target": "CREATE", "result": "EQUAL", "create_revision": "0"]],
                "success": [["request_put": ["key": b64(key), "value": b64(value), "lease": String(lease)]]],
            ])
        case .range(let from, let to):
            (path, object) = ("/v3/kv/range", ["key": b64(from), "range_end": b64(to)])
        case .put(let key, let value, let lease):
            (path, object) = ("/v3/kv/put", ["key": b64(key), "value": b64(value), "lease": String(lease)])
        case .delete(let key):
            (path, object) = ("/v3/kv/deleterange", ["key": b64(key)])
        }
        return (path, json(object))
    }

    static func watchBody(_ w: EtcdWatchRequest) -> [UInt8] {
        json(["create_request": ["key": b64(w.from), "range_end": b64(w.to), "start_revision": String(w.startRevision)]])
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        // The objects above hold only strings, arrays and dictionaries.
        Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8))
    }

    static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw DecodeError(description: "not a JSON object")
        }
        return o
    }

    static func int64(_ v: Any?) -> Int64? {
        switch v {
        case let s as String: return Int64(s)
        case let n as NSNumber: return n.int64Value
        default: return nil
        }
    }

    static func text(_ v: Any?) -> String {
        guard let s = v as? String, let d = Data(base64Encoded: s) else { return "" }
        return String(decoding: d, as: UTF8.self)
    }

    static func revision(_ o: [String: Any]) -> Int64 {
        int64((o["header"] as? [String: Any])?["revision"]) ?? 0
    }

    static func keyValue(_ o: [String: Any]) -> EtcdKeyValue {
        EtcdKeyValue(key: text(o["key"]), value: text(o["value"]),
                     createRevision: int64(o["create_revision"]) ?? 0, modRevision: int64(o["mod_revision"]) ?? 0,
                     lease: int64(o["lease"]) ?? 0)
    }

    /// The answer to `request`, from a 200 response's body.
    static func decode(_ body: [UInt8], for request: EtcdRequest) throws -> EtcdResponse {
        var o = try object(body)
        if let error = o["error"] {
            throw DecodeError(description: "etcd: \(error)")
        }
        switch request {
        case .grant:
            guard let id = int64(o["ID"]), let ttl = int64(o["TTL"]) else {
                throw DecodeError(description: "grant without ID or TTL: \(o["error"] ?? "")")
            }
            return .granted(lease: id, ttl: Int(ttl))
        case .keepAlive:
            // The keep-alive endpoint streams; one request gives one
            // {"result": {...}}.
            if let result = o["result"] as? [String: Any] { o = result }
            return .keptAlive(ttl: Int(int64(o["TTL"]) ?? 0))
        case .revoke:
            return .revoked
        case .createKey:
            return .txn(succeeded: (o["succeeded"] as? Bool) ?? false, revision: revision(o))
        case .range:
            let kvs = (o["kvs"] as? [[String: Any]] ?? []).map(keyValue)
            return .range(kvs, revision: revision(o))
        case .put:
            return .put(revision: revision(o))
        case .delete:
            return .deleted(count: Int(int64(o["deleted"]) ?? 0), revision: revision(o))
        }
    }

    enum WatchMessage: Equatable {
        case created
        case events([EtcdWatchEvent])
        /// Canceled by etcd (compacted, or an error): read the range again.
        case canceled
    }

    /// One line of the watch stream.
    static func decodeWatch(_ line: [UInt8]) throws -> WatchMessage {
        let o = try object(line)
        guard let r = o["result"] as? [String: Any] else { return .canceled }
        if (r["canceled"] as? Bool) == true { return .canceled }
        let events = (r["events"] as? [[String: Any]] ?? []).map { e -> EtcdWatchEvent in
            let kv = keyValue(e["kv"] as? [String: Any] ?? [:])
            return (e["type"] as? String) == "DELETE" ? .delete(key: kv.key, modRevision: kv.modRevision) : .put(kv)
        }
        if events.isEmpty, (r["created"] as? Bool) == true { return .created }
        return .events(events)
    }
}
