import BGPCodec
import Testing

@Suite struct FramerTests {
    let keepalive = message(4, [])
    let update = message(2, updateBody(attributes: mandatoryAttributes, nlri: [24, 10, 1, 2]))
    let notification = message(3, [6, 2, 3] + Array("bye".utf8))

    var stream: [UInt8] { keepalive + update + notification + keepalive }

    func frames(_ f: inout MessageFramer) -> [MessageFramer.Frame] {
        var out: [MessageFramer.Frame] = []
        while let x = f.next() { out.append(x) }
        return out
    }

    @Test func manyMessagesInOneRead() {
        var f = MessageFramer()
        f.append(stream)
        let got = frames(&f)
        #expect(got == [.message(keepalive[...]), .message(update[...]), .message(notification[...]), .message(keepalive[...])])
        #expect(f.bufferedCount == 0)
    }

    @Test func oneByteAtATime() {
        var f = MessageFramer()
        var got: [MessageFramer.Frame] = []
        for b in stream {
            f.append([b])
            got += frames(&f)
        }
        #expect(got.count == 4)
        #expect(got[1] == .message(update[...]))
    }

    @Test func partialMessageWaits() {
        var f = MessageFramer()
        f.append(update.prefix(25))
        #expect(f.next() == nil)
        #expect(f.pendingDeclaredLength == update.count)
        f.append(update.dropFirst(25))
        #expect(f.next() == .message(update[...]))
        #expect(f.next() == nil)
    }

    @Test func badMarkerLosesTheStream() {
        // Without the marker the length field means nothing.
        var bad = keepalive
        bad[3] = 0
        var f = MessageFramer()
        f.append(bad + keepalive)
        #expect(f.next() == .error(.connectionNotSynchronized, resynchronised: false))
        #expect(f.next() == nil)
    }

    @Test func badTypeIsReportedAtOnceAndItsBodySkipped() {
        // Type 9 with a 40-byte length: reported from the header alone.
        var bad = [UInt8](repeating: 0xFF, count: 16) + [0, 40, 9]
        var f = MessageFramer()
        f.append(bad)
        #expect(f.next() == .error(.badMessageType(9), resynchronised: true))
        bad = [UInt8](repeating: 0xAB, count: 21)
        for b in bad {
            f.append([b])
            #expect(f.next() == nil)
        }
        f.append(keepalive)
        #expect(f.next() == .message(keepalive[...]))
    }

    @Test func lengthBeyondMaximumLosesTheStream() {
        var big = keepalive
        big[16] = 0x10
        big[17] = 0x01  // 4097
        var f = MessageFramer()
        f.append(big + keepalive)
        #expect(f.next() == .error(.badMessageLength(4097), resynchronised: false))
        #expect(f.next() == nil)
    }

    @Test func extendedMessageRaisesTheLimit() {
        let body = updateBody(attributes: mandatoryAttributes, nlri: [UInt8](repeating: 0, count: 5000))
        let m = message(2, body)
        var small = MessageFramer()
        small.append(m)
        #expect(small.next() == .error(.badMessageLength(UInt16(m.count)), resynchronised: false))
        var large = MessageFramer(maxMessageLength: BGPLimits.maxExtendedMessageLength)
        large.append(m)
        #expect(large.next() == .message(m[...]))
    }

    @Test(arguments: [
        // (length, type, expected fault)
        (UInt16(18), UInt8(4), HeaderFault.badMessageLength(18)),
        (20, 4, .badMessageLength(20)),          // KEEPALIVE is exactly 19
        (28, 1, .badMessageLength(28)),          // OPEN is at least 29
        (22, 2, .badMessageLength(22)),          // UPDATE is at least 23
        (20, 3, .badMessageLength(20)),          // NOTIFICATION is at least 21
        (22, 5, .badMessageLength(22)),          // ROUTE-REFRESH is at least 23
        (19, 6, .badMessageType(6)),
        (19, 0, .badMessageType(0)),
    ])
    func headerErrors(length: UInt16, type: UInt8, expected: HeaderFault) {
        var m = [UInt8](repeating: 0xFF, count: 16) + [UInt8(length >> 8), UInt8(length & 0xFF), type]
        m += [UInt8](repeating: 0, count: max(0, Int(length) - 19))
        let r = MessageCodec.decode(m)
        #expect(r == .failure(.header(expected)))
        let n = MessageFault.header(expected).notification
        #expect(n.code == 1)
        switch expected {
        case .badMessageLength(let l): #expect(n.subcode == 2 && n.data == [UInt8(l >> 8), UInt8(l & 0xFF)])
        case .badMessageType(let t): #expect(n.subcode == 3 && n.data == [t])
        case .connectionNotSynchronized: #expect(n.subcode == 1)
        }
    }

    @Test func memoryIsReleasedAsMessagesAreTaken() {
        var f = MessageFramer()
        for _ in 0..<100_000 {
            f.append(keepalive)
            _ = f.next()
        }
        #expect(f.bufferedCount == 0)
    }
}
