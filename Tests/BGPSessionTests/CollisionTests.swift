import BGPCodec
import BGPSession
import Testing

@Suite struct CollisionTests {
    @Test(arguments: [
        ("10.0.0.11", 65011, "10.0.0.1", 65001, CollisionWinner.ourConnection),
        ("10.0.0.1", 65011, "10.0.0.11", 65001, .theirConnection),
        // Compared as unsigned 32-bit numbers, not as text.
        ("9.0.0.1", 65011, "10.0.0.1", 65001, .theirConnection),
        ("200.0.0.1", 65011, "10.0.0.1", 65001, .ourConnection),
        // RFC 6286 §2.3: equal identifiers, the larger AS wins.
        ("10.0.0.1", 65011, "10.0.0.1", 65001, .ourConnection),
        ("10.0.0.1", 65001, "10.0.0.1", 65011, .theirConnection),
    ] as [(String, UInt32, String, UInt32, CollisionWinner)])
    func winner(localID: String, localAS: UInt32, remoteID: String, remoteAS: UInt32, expected: CollisionWinner) {
        #expect(Collision.winner(localID: a4(localID), localAS: localAS, remoteID: a4(remoteID), remoteAS: remoteAS) == expected)
    }

    @Test func bothSidesAgree() {
        // Whatever the numbers, the two speakers pick the same connection.
        for (l, r) in [("1.1.1.1", "2.2.2.2"), ("2.2.2.2", "1.1.1.1"), ("5.5.5.5", "5.5.5.5")] {
            let mine = Collision.winner(localID: a4(l), localAS: 1, remoteID: a4(r), remoteAS: 2)
            let theirs = Collision.winner(localID: a4(r), localAS: 2, remoteID: a4(l), remoteAS: 1)
            #expect(mine != theirs)  // "ours" on one side is "theirs" on the other
        }
        #expect(Collision.notification == NotificationMessage(code: 6, subcode: 7))
    }
}
