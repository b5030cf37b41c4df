import Testing
@testable import vipd

/// vipd's two usual command lines are read without ArgumentParser; every
/// other line is left to it, so that its help and its errors stay.
@Suite struct PlainStartTests {
    @Test func theTwoUsualLines() {
        #expect(PlainStart(arguments: ["--config", "/etc/vipd/vipd.yaml"]) == PlainStart(config: "/etc/vipd/vipd.yaml"))
        #expect(PlainStart(arguments: ["--check-config", "vipd.yaml"]) == PlainStart(checkConfig: "vipd.yaml"))
    }

    @Test func everythingElseIsArgumentParsers() {
        for args in [
            [], ["--config"], ["--help"], ["--config=/etc/vipd.yaml"],
            ["--config", "a.yaml", "--check-config", "b.yaml"],
            ["--config", "a.yaml", "--etcdEndpoints", "http://127.0.0.1:2379"],
            // a mistyped option where the file should be: reported as one
            ["--config", "--check-config"], ["--config", "-h"], ["--config", ""],
            ["config", "a.yaml"], ["--Config", "a.yaml"],
        ] {
            #expect(PlainStart(arguments: args) == nil, "\(args)")
        }
    }
}
