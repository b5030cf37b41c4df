import BGPCodec

/// What the machine does with each message it receives (RFC 4271 §8.2.2,
/// RFC 6608 for messages that come in the wrong state).
extension SessionMachine {
    mutating func received(_ bytes: [UInt8], now: Instant, _ out: inout Output) {
        switch phase {
        case .idle:
            return  // no connection; stray bytes from a closing one
        case .connect, .active:
            // Only an OPEN during DelayOpen makes sense here.
            if timers[.delayOpen] == nil { return }
        case .openSent, .openConfirm, .established:
            break
        }
        framer.append(bytes)
        while let frame = framer.next() {
            switch frame {
            case .error(let fault, _):
                fail(.sent(MessageFault.header(fault).notification), now: now, &out)
                return
            case .message(let m):
                let context = negotiated?.receiveContext ?? .default
                message(MessageCodec.decode(m, context: context), now: now, &out)
                out.mark(state)
            }
            if case .idle = phase { return }
        }
    }

    private mutating func message(_ result: DecodeResult, now: Instant, _ out: inout Output) {
        // A fault that resets the session, whatever the state.
        if case .failure(let fault) = result {
            fail(.sent(fault.notification), now: now, &out)
            return
        }
        let type: MessageType
        switch result {
        case .message(let m): type = m.type
        case .treatAsWithdraw, .afiSafiDisable: type = .update
        case .failure: return
        }
        switch (type, phase) {
        case (.notification, _):
            if case .message(.notification(let n)) = result {
                fail(.received(n), now: now, &out, sendNotification: false)
            }

        case (.open, .connect), (.open, .active):
            // DelayOpen running (checked by the caller): answer with our OPEN.
            guard case .message(.open(let remote)) = result else { return }
            sendOpen(inbound: pendingInbound, now: now, &out)
            out.mark(state)
            openReceived(remote, now: now, &out)
        case (.open, .openSent):
            guard case .message(.open(let remote)) = result else { return }
            openReceived(remote, now: now, &out)

        case (.keepalive, .openConfirm(let s)):
            phase = .established(EstablishedState(from: s, at: now))
            restartHold(now: now)
            out.mark(state)
            out.actions.append(.established(s.negotiated))
        case (.keepalive, .established):
            restartHold(now: now)

        case (.update, .established):
            restartHold(now: now)
            out.actions.append(.update(result))
        case (.routeRefresh, .established(let s)):
            restartHold(now: now)
            // RFC 7313 §5: unknown subtypes are ignored; so is a refresh the
            // peer had no right to send (RFC 2918 §4).
            // BoRR/EoRR only with enhanced route refresh (RFC 7313), and
            // only for a family of the session.
            if s.negotiated.routeRefresh, case .message(.routeRefresh(let rr)) = result,
               rr.subtype == 0 || (rr.subtype <= 2 && s.negotiated.enhancedRouteRefresh),
               s.negotiated.families.contains(rr.family) {
                out.actions.append(.routeRefresh(rr))
            }

        case (_, .openSent):
            fail(.sent(NotificationMessage(.finiteStateMachine, FSMErrorSubcode.unexpectedMessageInOpenSent.rawValue)), now: now, &out)
        case (_, .openConfirm):
            fail(.sent(NotificationMessage(.finiteStateMachine, FSMErrorSubcode.unexpectedMessageInOpenConfirm.rawValue)), now: now, &out)
        case (_, .established):
            fail(.sent(NotificationMessage(.finiteStateMachine, FSMErrorSubcode.unexpectedMessageInEstablished.rawValue)), now: now, &out)
        case (_, .idle), (_, .connect), (_, .active):
            fail(.sent(NotificationMessage(.finiteStateMachine, FSMErrorSubcode.unspecific.rawValue)), now: now, &out)
        }
    }

    /// The peer's OPEN in OpenSent: negotiate, then KEEPALIVE and OpenConfirm.
    private mutating func openReceived(_ remote: OpenMessage, now: Instant, _ out: inout Output) {
        guard case .openSent(let sent) = phase else { return }
        switch NegotiatedSession.negotiate(config: config, local: localOpen, remote: remote) {
        case .failure(let n):
            fail(.sent(n), now: now, &out)
        case .success(let negotiated):
            timers[.connectRetry] = nil
            phase = .openConfirm(OpenConfirmState(from: sent, negotiated: negotiated, remoteOpen: remote))
            framer.maxMessageLength = negotiated.receiveContext.maxMessageLength
            out.send(Self.keepaliveBytes)
            armKeepalive(now: now)
            restartHold(now: now)
        }
    }
}
