import BGPCodec

/// Reads one entry of `policies`.
struct PolicyReader {
    let diag: Diagnostics

    func decode(_ node: ConfigNode, path: ConfigPath) -> Policy? {
        guard let f = Fields(node, path: path, diag: diag, allowed: ["name", "rules"]) else { return nil }
        var name: String?
        if let n = f.string("name") {
            if Policy.reservedNames.contains(n) {
                f.fail("name", "'\(n)' is a built-in import or export word and cannot name a policy")
            } else if !isPlainName(n) {
                f.fail("name", "'\(n)' is not a policy name (letters, digits, '-', '_', '.', '/')")
            } else {
                name = n
            }
        } else if !f.has("name") {
            f.missing("name")
        }
        var rules: [PolicyRule] = []
        for (n, p) in f.list("rules") ?? .empty {
            if let r = decodeRule(n, path: p) { rules.append(r) }
        }
        guard let name else { return nil }
        return Policy(name: name, rules: rules)
    }

    private func decodeRule(_ node: ConfigNode, path: ConfigPath) -> PolicyRule? {
        guard let f = Fields(node, path: path, diag: diag, allowed: ["match", "action"]) else { return nil }
        var rule = PolicyRule()
        if let m = f.mapping("match", allowed: ["prefix_list", "community", "as_path"]) {
            if let items = m.list("prefix_list") {
                var entries: [PrefixListEntry] = []
                for (n, p) in items {
                    guard let text = readString(n, path: p, diag: diag) else { continue }
                    switch PrefixListEntry.parse(text) {
                    case .success(let e): entries.append(e)
                    case .failure(let why): diag.add(n.location, p, why.text)
                    }
                }
                if items.isEmpty { m.fail("prefix_list", "an empty prefix list matches nothing; leave it out to match every prefix") }
                rule.match.prefixList = entries
            }
            if let text = m.string("community") {
                if let c = Community(text) { rule.match.community = c } else { m.fail("community", badCommunity(text)) }
            }
            if let text = m.string("as_path") {
                do {
                    _ = try Regex(text)
                    rule.match.asPath = text
                } catch {
                    m.fail("as_path", "'\(text)' is not a valid regular expression: \(error)")
                }
            }
        }
        if let a = f.mapping("action", allowed: ["accept", "local_pref", "med", "add_communities"]) {
            if let v = a.bool("accept") { rule.action.accept = v }
            rule.action.localPref = a.int("local_pref", 0...UInt32.max)
            rule.action.med = a.int("med", 0...UInt32.max)
            if let items = a.list("add_communities") { rule.action.addCommunities = readCommunities(items, diag: diag) }
            if !rule.action.accept {
                for key in ["local_pref", "med"] where a.has(key) {
                    a.fail(key, "a rule that rejects (accept: false) changes nothing")
                }
                if !rule.action.addCommunities.isEmpty {
                    a.fail("add_communities", "a rule that rejects (accept: false) changes nothing")
                }
            }
        }
        return rule
    }
}

func badCommunity(_ text: String) -> String {
    "'\(text)' is not a community (\"a:b\" with each part 0-65535, or \(Community.names.keys.sorted().joined(separator: ", ")))"
}

func readCommunities(_ items: ConfigItems, diag: Diagnostics) -> [Community] {
    items.compactMap { n, p in
        guard let text = readString(n, path: p, diag: diag) else { return nil }
        guard let c = Community(text) else {
            diag.add(n.location, p, badCommunity(text))
            return nil
        }
        return c
    }
}

func readLargeCommunities(_ items: ConfigItems, diag: Diagnostics) -> [LargeCommunity] {
    items.compactMap { n, p in
        guard let text = readString(n, path: p, diag: diag) else { return nil }
        guard let c = LargeCommunity.parse(text) else {
            diag.add(n.location, p, "'\(text)' is not a large community (\"a:b:c\", each part 0-4294967295)")
            return nil
        }
        return c
    }
}
