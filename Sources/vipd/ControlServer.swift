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
            return reply(context, .object([("error", .string("request too long"))]))
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
        let answer: EventLoopFuture<JSONValue>
        var exits = false
        switch command {
        case "neighbors": answer = daemon.neighbors()
        case "rib": answer = daemon.ribJSON(args)
        case "vips": answer = daemon.vipsJSON()
        case "vip": answer = daemon.vipCommand(args)
        case "peer": answer = daemon.peerCommand(args)
        case "debug": answer = daemon.debugCommand(args)
        case "election" where args.isEmpty: answer = daemon.electionJSON()
        case "election" where args == ["resign"]: answer = daemon.electionResign()
        case "election": answer = context.eventLoop.makeSucceededFuture(.object([("error", .string("usage: election [resign]"))]))
        case "lb" where args.first == "show": answer = daemon.lbShow(Array(args.dropFirst()))
        case "lb" where args.first == "backend": answer = daemon.lbBackend(args, received: received)
        case "lb": answer = context.eventLoop.makeSucceededFuture(.object([("error", .string("usage: lb show [--stats] | lb backend set|reset ..."))]))
        case "drain": answer = daemon.drainCommand(true)
        case "undrain": answer = daemon.drainCommand(false)
        case "reload": answer = daemon.reloadFromFile().map { s in
            .object([("reloaded", .bool(true)), ("peers_added", .array(s.added.map { .string($0) })),
                     ("peers_removed", .array(s.removed.map { .string($0) })), ("peers_reset", .array(s.reset.map { .string($0) })),
                     ("peers_reevaluated", .array(s.reevaluated.map { .string($0) })), ("bgp_vips", .int(s.vips))])
        }
        case "stop" where args.contains("--graceful-restart"):
            exits = true
            answer = daemon.gracefulStop().map { .object([("stopped", .bool(true))]) }
        case "stop":
            answer = context.eventLoop.makeSucceededFuture(.object([("error", .string(
                "only 'stop --graceful-restart' is a control command; SIGTERM stops vipd with withdrawal"))]))
        default: answer = context.eventLoop.makeSucceededFuture(.object([("error", .string("unknown command '\(command)'"))]))
        }
        let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
        let stopping = exits
        answer.hop(to: context.eventLoop).whenComplete { result in
            switch result {
            case .success(let v): self.reply(ctx.value, v) { if stopping { self.daemon.onExit?() } }
            case .failure(let e): self.reply(ctx.value, .object([("error", .string(String(describing: e)))]))
            }
        }
    }

    private func reply(_ context: ChannelHandlerContext, _ value: JSONValue, then: (@Sendable () -> Void)? = nil) {
        var bytes = value.serializedBytes
        bytes.append(UInt8(ascii: "\n"))
        let out = context.channel.allocator.buffer(bytes: bytes)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(out)).whenComplete { _ in
            channel.close(promise: nil)
            then?()
        }
    }
}
