import NIOCore
import NIOPosix
import Testing

struct ExchangeTimedOut: Error {}

/// Writes raw bytes to a server and collects every byte it sends back until
/// it closes the connection, failing after `timeout`. No HTTP library on
/// the client side, so garbage and odd requests go out exactly as written.
enum RawHTTPClient {
    static func exchange(_ bytes: [UInt8], with address: SocketAddress, group: any EventLoopGroup,
                         timeout: TimeAmount = .seconds(5)) async throws -> [UInt8] {
        let loop = group.next()
        let promise = loop.makePromise(of: [UInt8].self)
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(promise: promise))
                }
            }
            .connect(to: address).get()
        let timer = loop.scheduleTask(in: timeout) {
            promise.fail(ExchangeTimedOut())
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        if !bytes.isEmpty {
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            try await channel.writeAndFlush(buffer).get()
        }
        return try await promise.futureResult.get()
    }

    static func exchange(_ text: String, with address: SocketAddress, group: any EventLoopGroup,
                         timeout: TimeAmount = .seconds(5)) async throws -> String {
        String(decoding: try await exchange(Array(text.utf8), with: address, group: group, timeout: timeout),
               as: UTF8.self)
    }

    /// `GET path` with `Connection: close`.
    static func get(_ path: String, from address: SocketAddress, group: any EventLoopGroup) async throws -> Response {
        let text = try await exchange("GET \(path) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
                                      with: address, group: group)
        return try #require(Response.parseAll(text).first)
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let promise: EventLoopPromise<[UInt8]>
        var received: [UInt8] = []

        init(promise: EventLoopPromise<[UInt8]>) {
            self.promise = promise
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received += buffer.readBytes(length: buffer.readableBytes) ?? []
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.succeed(received)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)  // a reset: what arrived so far is the answer
        }
    }
}

/// One HTTP/1.1 response, as text.
struct Response {
    var status: Int
    var headers: [String: String]  // lower-cased names
    var body: String

    /// Every response in `text`, in order (bodies by Content-Length).
    static func parseAll(_ text: String) -> [Response] {
        var out: [Response] = []
        var rest = Substring(text)
        while let end = rest.firstRange(of: "\r\n\r\n") {
            // "\r\n" is one Character in Swift.
            let lines = rest[..<end.lowerBound].split(separator: "\r\n" as Character)
            guard !lines.isEmpty else { break }
            let statusParts = lines[0].split(separator: " ")
            guard statusParts.count >= 2, let status = Int(statusParts[1]) else { break }
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...].drop { $0 == " " })
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            let bodyStart = end.upperBound
            let body = rest[bodyStart...].utf8.prefix(length)
            out.append(Response(status: status, headers: headers, body: String(decoding: body, as: UTF8.self)))
            rest = rest[rest.utf8.index(bodyStart, offsetBy: body.count)...]
        }
        return out
    }
}
