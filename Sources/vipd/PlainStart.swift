/// The two command lines a service manager gives vipd, `--config FILE` and
/// `--check-config FILE`, recognised without ArgumentParser; nil for any
/// other, which ArgumentParser then reads (and explains, if it is wrong).
/// A FILE that starts with `-` is left to ArgumentParser too, so that a
/// mistyped option is reported as one, not opened as a file.
struct PlainStart: Equatable {
    var config: String?
    var checkConfig: String?

    init(config: String? = nil, checkConfig: String? = nil) {
        self.config = config
        self.checkConfig = checkConfig
    }

    init?(arguments: [String]) {
        guard arguments.count == 2, !arguments[1].isEmpty, !arguments[1].hasPrefix("-") else { return nil }
        switch arguments[0] {
        case "--config": config = arguments[1]
        case "--check-config": checkConfig = arguments[1]
        default: return nil
        }
    }
}
