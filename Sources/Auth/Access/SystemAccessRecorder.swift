import Foundation
import Synchronization
import WebServer

/// Writes WebSocket `bind` ("view") and `exec` ("control") of a system to the access log, like
/// the access gate does for REST routes naming a system. Created with the control API and given
/// the log when identity and access are installed (none with `--auth off`). One entry per
/// (user, system, action) a minute, so a busy control panel does not flood the log.
public final class SystemAccessRecorder: Sendable {
    private let log = Mutex<AccessLog?>(nil)
    private let recent = Mutex<[String: Int]>([:])
    private let clock: @Sendable () -> Int

    public init(clock: @escaping @Sendable () -> Int = { Int(Date.now.timeIntervalSince1970) }) {
        self.clock = clock
    }

    public func attach(_ accessLog: AccessLog) { log.withLock { $0 = accessLog } }

    /// Records that `principal` viewed or controlled `system` (at most once a minute per action).
    public func record(_ principal: Principal, system: String, action: String) {
        guard principal.isAuthenticated, system.hasPrefix("sys-"), let log = log.withLock({ $0 }) else { return }
        let now = clock()
        let key = principal.userID + " " + system + " " + action
        let due = recent.withLock { recent in
            if let last = recent[key], now - last < 60 { return false }
            if recent.count > 10_000 { recent.removeAll() }
            recent[key] = now
            return true
        }
        if due { log.record(.init(time: now, userID: principal.userID, systemID: system, action: action)) }
    }
}
