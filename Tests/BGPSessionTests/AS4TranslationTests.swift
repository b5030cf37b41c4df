import BGPCodec
import BGPSession
import Testing

@Suite struct AS4TranslationTests {
    func seq(_ a: UInt32...) -> ASPathSegment { ASPathSegment(.sequence, a) }

    @Test func sendingToAnOldSpeaker() {
        let a = PathAttributes(asPath: [seq(65011, 4_200_000_001, 65001)],
                               aggregator: Aggregator(asn: 4_200_000_001, address: a4("10.0.0.1")))
        let old = a.forTwoOctetPeer()
        #expect(old.asPath == [seq(65011, 23456, 65001)])
        #expect(old.as4Path == [seq(65011, 4_200_000_001, 65001)])
        #expect(old.aggregator == Aggregator(asn: 23456, address: a4("10.0.0.1")))
        #expect(old.as4Aggregator == Aggregator(asn: 4_200_000_001, address: a4("10.0.0.1")))
        // Only 2-octet numbers: nothing to add.
        let small = PathAttributes(asPath: [seq(65011, 65001)])
        #expect(small.forTwoOctetPeer() == small)
    }

    @Test func roundTripThroughAnOldSpeaker() {
        let a = PathAttributes(asPath: [seq(65011, 4_200_000_001, 65001)],
                               aggregator: Aggregator(asn: 4_200_000_001, address: a4("10.0.0.1")))
        #expect(a.forTwoOctetPeer().fromTwoOctetPeer() == a)
    }

    @Test func oldSpeakersPrependTheirOwnAS() {
        // An OLD speaker (65100) added itself to AS_PATH but not to AS4_PATH.
        let received = PathAttributes(asPath: [seq(65100, 65011, 23456, 65001)],
                                      as4Path: [seq(65011, 4_200_000_001, 65001)])
        #expect(received.fromTwoOctetPeer().asPath == [seq(65100, 65011, 4_200_000_001, 65001)])
    }

    @Test func inconsistentAS4AttributesAreIgnored() {
        // AS4_PATH longer than AS_PATH.
        let long = PathAttributes(asPath: [seq(23456)], as4Path: [seq(1, 2)])
        #expect(long.fromTwoOctetPeer().asPath == [seq(23456)])
        // An AGGREGATOR that is not AS_TRANS voids AS4_AGGREGATOR and AS4_PATH.
        let stale = PathAttributes(asPath: [seq(65100, 23456)], aggregator: Aggregator(asn: 65100, address: a4("1.1.1.1")),
                                   as4Path: [seq(4_200_000_001)], as4Aggregator: Aggregator(asn: 4_200_000_001, address: a4("2.2.2.2")))
        let r = stale.fromTwoOctetPeer()
        #expect(r.asPath == [seq(65100, 23456)] && r.aggregator?.asn == 65100 && r.as4Path == nil)
    }

    @Test func setsCountOneAndConfederationsNone() {
        let received = PathAttributes(asPath: [ASPathSegment(.confedSequence, [64512]), seq(65100), ASPathSegment(.set, [23456, 65002])],
                                      as4Path: [ASPathSegment(.set, [4_200_000_002, 65002])])
        #expect(received.fromTwoOctetPeer().asPath == [ASPathSegment(.confedSequence, [64512]), seq(65100), ASPathSegment(.set, [4_200_000_002, 65002])])
    }
}
