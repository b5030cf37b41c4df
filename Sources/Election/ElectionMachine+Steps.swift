import BGPSession

/// The machine's moves: answers, failures, fencing, and `reconcile`, which
/// after every input sends what the phase still needs, takes or releases the
/// VIP, and arms the next timer. Keeping those decisions in one place means
/// every input path gets the same checks.
extension ElectionMachine {
    var retryInterval: Duration {
        ElectionSettings.retryInterval(ttl: lease?.ttl ?? .seconds(settings.leaseTTL))
    }

    // MARK: - Answers

    mutating func handle(_ response: EtcdResponse, for purpose: Purpose, now: Instant, into actions: inout [ElectionAction]) {
        switch (purpose, response) {
        case (.grant(let sent), .granted(let id, let ttl)):
            guard phase == .acquiring, lease == nil, ttl > 0 else {
                // Granted after we stopped or already hold one: give it back.
                send(.revoke(lease: id), .revoke(final: false), into: &actions)
                return
            }
            let ttlDuration = Duration.seconds(ttl)
            lease = Lease(id: id, ttl: ttlDuration, lastAckedSend: sent,
                          nextKeepAlive: now + ElectionSettings.keepAliveInterval(ttl: ttlDuration))
            key = settings.candidateKey(lease: id)
            keyDeleted = false
            phase = .registering
            retryAt = nil

        case (.keepAlive(let id, let sent), .keptAlive(let ttl)):
            guard var l = lease, l.id == id else { return }
            if ttl <= 0 {
                fence(.leaseLost, into: &actions)
                return
            }
            if sent > l.lastAckedSend { l.lastAckedSend = sent }
            l.ttl = .seconds(ttl)
            lease = l

        case (.create(let id), .txn):
            // Failed or not, the key exists now: it is named after our lease,
            // so an earlier attempt whose answer got lost created it.
            guard phase == .registering, lease?.id == id else { return }
            phase = .campaigning
            view = nil
            retryAt = nil

        case (.range(let epoch), .range(let kvs, let revision)):
            guard epoch == rangeEpoch, phase == .campaigning || isResigning else { return }
            var v = View()
            for kv in kvs { apply(.put(kv), to: &v) }
            view = v
            if let old = watch { actions.append(.closeWatch(old)) }
            let id = WatchID(nextIDValue())
            watch = id
            actions.append(.openWatch(id, EtcdWatchRequest(from: settings.ownerKey, to: settings.rangeEnd,
                                                           startRevision: revision + 1)))
            fenced = false
            retryAt = nil

        case (.announce, .put):
            announceWanted = false

        case (.deleteKey(let id), .deleted):
            guard isResigning, lease?.id == id else { return }
            keyDeleted = true
            if let k = key { view?.candidates[k] = nil }

        case (.revoke(let final), _):
            if final, phase == .stopping { finish(into: &actions) }

        default:
            // An answer of the wrong kind: treat it as a failure.
            handleFailure(of: purpose, now: now, into: &actions)
        }
    }

    mutating func handleFailure(of purpose: Purpose, now: Instant, into actions: inout [ElectionAction]) {
        switch purpose {
        case .keepAlive(let id, _):
            // Try again soon (the edge has moved to the next endpoint);
            // the fence deadline does not move.
            if var l = lease, l.id == id {
                l.nextKeepAlive = min(l.nextKeepAlive, now + retryInterval)
                lease = l
            }
        case .grant, .create, .range, .deleteKey:
            retryAt = now + retryInterval
        case .announce:
            announceRetryAt = now + retryInterval
        case .revoke(let final):
            // The lease will lapse on its own within its TTL.
            if final, phase == .stopping { finish(into: &actions) }
        }
    }

    /// Folds one change into a view: candidates by prefix, the owner by its
    /// exact key; anything else in the watched range is someone else's.
    func apply(_ event: EtcdWatchEvent, to v: inout View) {
        switch event {
        case .put(let kv):
            if kv.key == settings.ownerKey {
                v.owner = kv.value
            } else if kv.key.hasPrefix(settings.candidatePrefix) {
                v.candidates[kv.key] = kv
            }
        case .delete(let k, _):
            if k == settings.ownerKey {
                v.owner = nil
            } else {
                v.candidates[k] = nil
            }
        }
    }

    // MARK: - Phase changes

    var isResigning: Bool {
        if case .resigning = phase { return true }
        return false
    }

    mutating func beginHandover(rejoin: Bool) {
        phase = .resigning(rejoin: rejoin)
        keyDeleted = false
        handoverSince = nil
        announceWanted = false
        retryAt = nil
    }

    mutating func beginStopping(into actions: inout [ElectionAction]) {
        closeWatch(into: &actions)
        guard let l = lease else {
            finish(into: &actions)
            return
        }
        lease = nil
        key = nil
        phase = .stopping
        send(.revoke(lease: l.id), .revoke(final: true), into: &actions)
    }

    mutating func finish(into actions: inout [ElectionAction]) {
        guard phase != .stopped else { return }
        closeWatch(into: &actions)
        if ownsVIP {
            ownsVIP = false
            actions.append(.releaseVIP(.noSuccessor))
        }
        lease = nil
        key = nil
        view = nil
        phase = .stopped
        actions.append(.stopped)
    }

    mutating func closeWatch(into actions: inout [ElectionAction]) {
        if let w = watch { actions.append(.closeWatch(w)) }
        watch = nil
    }

    /// Releases the VIP if the lease may lapse by now (see the type's doc).
    mutating func checkFence(now: Instant, into actions: inout [ElectionAction]) {
        if let deadline = fenceDeadline, now >= deadline {
            fence(.fenceDeadline, into: &actions)
        }
    }

    /// The lease is gone or unconfirmed: release, abandon it, start over.
    mutating func fence(_ reason: ReleaseReason, into actions: inout [ElectionAction]) {
        if ownsVIP {
            ownsVIP = false
            actions.append(.releaseVIP(reason))
        }
        if let l = lease {
            // Best effort: if etcd is reachable after all, our old key goes
            // now instead of at expiry, and a successor need not wait.
            send(.revoke(lease: l.id), .revoke(final: false), into: &actions)
        }
        lease = nil
        key = nil
        view = nil
        closeWatch(into: &actions)
        handoverSince = nil
        announceWanted = false
        retryAt = nil
        switch phase {
        case .resigning(rejoin: false), .stopping:
            finish(into: &actions)
        case .idle, .stopped:
            break
        case .acquiring, .registering, .campaigning, .resigning(rejoin: true):
            phase = .acquiring
            fenced = true
        }
    }

    // MARK: - Reconcile

    mutating func nextIDValue() -> UInt64 {
        nextID += 1
        return nextID
    }

    mutating func send(_ request: EtcdRequest, _ purpose: Purpose, into actions: inout [ElectionAction]) {
        let id = RequestID(nextIDValue())
        pending[id] = purpose
        actions.append(.send(id, request))
    }

    func hasPending(_ match: (Purpose) -> Bool) -> Bool {
        pending.values.contains(where: match)
    }

    mutating func reconcile(now: Instant, into actions: inout [ElectionAction]) {
        checkFence(now: now, into: &actions)

        if var l = lease, now >= l.nextKeepAlive {
            send(.keepAlive(lease: l.id), .keepAlive(lease: l.id, sent: now), into: &actions)
            l.nextKeepAlive = now + ElectionSettings.keepAliveInterval(ttl: l.ttl)
            lease = l
        }

        let mayRetry = retryAt.map { now >= $0 } ?? true
        switch phase {
        case .acquiring where mayRetry && !hasPending({ if case .grant = $0 { true } else { false } }):
            send(.grant(ttl: settings.leaseTTL), .grant(sent: now), into: &actions)
        case .registering where mayRetry && !hasPending({ if case .create = $0 { true } else { false } }):
            if let l = lease, let k = key {
                send(.createKey(key: k, value: settings.nodeName, lease: l.id), .create(lease: l.id), into: &actions)
            }
        case .campaigning, .resigning:
            if view == nil, mayRetry, !hasPending({ if case .range = $0 { true } else { false } }) {
                rangeEpoch += 1
                send(.range(from: settings.ownerKey, to: settings.rangeEnd), .range(epoch: rangeEpoch), into: &actions)
            }
            if isResigning, !keyDeleted, mayRetry, let l = lease, let k = key,
               !hasPending({ if case .deleteKey = $0 { true } else { false } }) {
                send(.delete(key: k), .deleteKey(lease: l.id), into: &actions)
            }
        default:
            break
        }

        if announceWanted, ownsVIP, phase == .campaigning, let l = lease,
           announceRetryAt.map({ now >= $0 }) ?? true,
           !hasPending({ if case .announce = $0 { true } else { false } }) {
            announceRetryAt = nil
            send(.put(key: settings.ownerKey, value: settings.nodeName, lease: l.id), .announce(lease: l.id), into: &actions)
        }

        decideOwnership(now: now, into: &actions)
        armTimer(now: now, into: &actions)
    }

    /// Takes the VIP when our key is first, releases it when it is not, and
    /// runs the handover's rules while resigning.
    mutating func decideOwnership(now: Instant, into actions: inout [ElectionAction]) {
        switch phase {
        case .campaigning:
            guard let v = view, let k = key else { return }
            if v.candidates[k] == nil {
                // Deleted behind our back (by hand, or the lease went and the
                // keep-alive has not told us yet): not leading, register again.
                if ownsVIP {
                    ownsVIP = false
                    actions.append(.releaseVIP(.keyLost))
                }
                phase = .registering
                view = nil
                closeWatch(into: &actions)
                decideOwnership(now: now, into: &actions)
                return
            }
            let leading = v.first?.key == k
            if leading, !ownsVIP {
                ownsVIP = true
                actions.append(.takeVIP)
            } else if !leading, ownsVIP {
                ownsVIP = false
                actions.append(.releaseVIP(.keyLost))
            }
        case .resigning(let rejoin):
            if ownsVIP {
                if let v = view {
                    let others = v.candidates.values.filter { $0.key != key }
                    if others.isEmpty {
                        release(.noSuccessor, into: &actions)
                    } else if let first = v.first, first.key != key {
                        let since = handoverSince ?? now
                        handoverSince = since
                        if let owner = v.owner, owner != settings.nodeName, owner == first.value {
                            release(.handedOver(to: owner), into: &actions)
                        } else if now >= since + settings.handoverCap {
                            release(.handoverCapReached, into: &actions)
                        }
                    }
                } else if let since = handoverSince, now >= since + settings.handoverCap {
                    release(.handoverCapReached, into: &actions)
                }
            }
            if !ownsVIP, keyDeleted {
                handoverSince = nil
                if rejoin {
                    // Back of the queue: the same lease, the key created anew.
                    keyDeleted = false
                    phase = .registering
                    closeWatch(into: &actions)
                    view = nil
                    reconcileRegistration(now: now, into: &actions)
                } else {
                    beginStopping(into: &actions)
                }
            }
        default:
            return
        }
    }

    private mutating func reconcileRegistration(now: Instant, into actions: inout [ElectionAction]) {
        if let l = lease, let k = key, !hasPending({ if case .create = $0 { true } else { false } }) {
            send(.createKey(key: k, value: settings.nodeName, lease: l.id), .create(lease: l.id), into: &actions)
        }
    }

    mutating func release(_ reason: ReleaseReason, into actions: inout [ElectionAction]) {
        ownsVIP = false
        actions.append(.releaseVIP(reason))
    }

    /// Arms the earliest deadline: the fence, the next keep-alive, a retry,
    /// the handover cap.
    mutating func armTimer(now: Instant, into actions: inout [ElectionAction]) {
        var next: Instant?
        func consider(_ t: Instant?) {
            // A deadline already due was acted on above; arming it again
            // would only spin the loop.
            guard let t, t > now else { return }
            if next == nil || t < next! { next = t }
        }
        if let l = lease {
            consider(fenceDeadline)
            consider(l.nextKeepAlive)
        }
        consider(retryAt)
        if announceWanted, let r = announceRetryAt { consider(r) }
        if isResigning, ownsVIP, let since = handoverSince { consider(since + settings.handoverCap) }
        if let next, next != armedTimer {
            armedTimer = next
            actions.append(.setTimer(next))
        }
    }
}
