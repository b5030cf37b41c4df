import BGPCodecJSON
import Foundation
import NIOCore
import NIOPosix

/// The control API: one JSON request a line on a unix socket (mode 0600),
/// one JSON reply a line. Requests are {"command": C, "args": [...]} with
/// the command words of interfaces.md: "neighbors", "rib" (--family,
/// --peer, --prefix, --in | --out), "vips", "vip" (add|del ADDRESS
/// [--mode M]), "peer" (reset ADDRESS [--soft]), "debug" (peer ADDRESS
/// on|off), "election" ([resign]), "lb" (show [--stats] [--text] | backend
/// set|reset ...), "drain", "undrain", "reload", "stop"
/// (--graceful-restart). Errors reply
/// {"error": "..."}.
enum ControlServer {
    static func start(daemon: Daemon, path: String) throws -> Channel {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let channel = try ServerBootstrap(group: daemon.loop)
            .childChannelInitializer { ch in ch.pipeline.addHandler(ControlHandler(daemon: daemon)) }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).wait()
        chmod(path, 0o600)
        return channel
    }
}

final class ControlHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let daemon: Daemon
    var pending: [UInt8] = []

    init(daemon: Daemon) { self.daemon = daemon }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let received = NIODeadline.now()
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        guard pending.count <= 65536 else {
            pending = []
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
            return reply(context, JSONValue.object([("error", .string("request too long"))]).serializedBytes)
        }
        guard let nl = pending.firstIndex(of: UInt8(ascii: "\n")) else { return }
        let line = Array(pending[..<nl])
        pending = []
        let command: String, args: [String]
        if let r = ControlRequest.parse(line) {
            (command, args) = (r.command, r.args)
        } else {
            let request = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any]
            command = request?["command"] as? String ?? ""
            args = request?["args"] as? [String] ?? []
        }
        // Every answer is JSON; `lb show` writes its own bytes (a full table
        // is megabytes), the others give a value serialized here.
        let answer: EventLoopFuture<[UInt8]>
        func json(_ value: EventLoopFuture<JSONValue>) -> EventLoopFuture<[UInt8]> { value.map { $0.serializedBytes } }
        var exits = false
        switch command {
        case "neighbors": answer = json(daemon.neighbors())
        case "rib": answer = json(daemon.ribJSON(args))
        case "vips": answer = json(daemon.vipsJSON())
        case "vip": answer = json(daemon.vipCommand(args))
        case "peer": answer = json(daemon.peerCommand(args))
        case "debug": answer = json(daemon.debugCommand(args))
        case "election" where args.isEmpty: answer = json(daemon.electionJSON())
        case "election" where args == ["resign"]: answer = json(daemon.electionResign())
        case "election": answer = json(context.eventLoop.makeSucceededFuture(.object([("error", .string("usage: election [resign]"))])))
        case "lb" where args.first == "show": answer = daemon.lbShow(Array(args.dropFirst()))
        case "lb" where args.first == "backend": answer = json(daemon.lbBackend(args, received: received))
        case "lb": answer = json(context.eventLoop.makeSucceededFuture(.object([("error", .string("usage: lb show [--stats] | lb backend set|reset ..."))])))
        case "drain": answer = json(daemon.drainCommand(true))
        case "undrain": answer = json(daemon.drainCommand(false))
        case "reload": answer = json(daemon.reloadFromFile().map { s in
            .object([("reloaded", .bool(true)), ("peers_added", .array(s.added.map { .string($0) })),
                     ("peers_removed", .array(s.removed.map { .string($0) })), ("peers_reset", .array(s.reset.map { .string($0) })),
                     ("peers_reevaluated", .array(s.reevaluated.map { .string($0) })), ("bgp_vips", .int(s.vips))])
        })
        case "stop" where args.contains("--graceful-restart"):
            exits = true
            answer = json(daemon.gracefulStop().map { .object([("stopped", .bool(true))]) })
        case "stop":
            answer = json(context.eventLoop.makeSucceededFuture(.object([("error", .string(
                "only 'stop --graceful-restart' is a control command; SIGTERM stops vipd with withdrawal"))])))
        default: answer = json(context.eventLoop.makeSucceededFuture(.object([("error", .string("unknown command '\(command)'"))])))
        }
        let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
        let stopping = exits
        answer.hop(to: context.eventLoop).whenComplete { result in
            switch result {
            case .success(let b): self.reply(ctx.value, b) { if stopping { self.daemon.onExit?() } }
            case .failure(let e): self.reply(ctx.value, JSONValue.object([("error", .string(String(describing: e)))]).serializedBytes)
            }
        }
    }

    private func reply(_ context: ChannelHandlerContext, _ json: [UInt8], then: (@Sendable () -> Void)? = nil) {
        var bytes = json
        bytes.append(UInt8(ascii: "\n"))
        let out = context.channel.allocator.buffer(bytes: bytes)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(out)).whenComplete { _ in
            channel.close(promise: nil)
            then?()
        }
    }
}
