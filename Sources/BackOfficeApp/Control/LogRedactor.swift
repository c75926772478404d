import Auth
import ConfigRepo
import Foundation
import Runtime
import Synchronization
import WebServer

/// Replaces, in a module's debug lines, the setting values the reader's role may not read with
/// `[hidden]` (a driver may log a password it sends). The values are looked up again whenever
/// the runtime applies another commit.
final class LogRedactor: Sendable {
    private let engine: RuntimeEngine
    private let module: String
    private let role: Role
    private let cache = Mutex<(commit: ObjectID?, hidden: [String])?>(nil)

    init(engine: RuntimeEngine, module: String, role: Role) {
        self.engine = engine
        self.module = module
        self.role = role
    }

    func redact(_ line: String) -> String {
        let commit = engine.appliedCommit
        let hidden = cache.withLock { cache in
            if let cache, cache.commit == commit { return cache.hidden }
            let hidden = engine.hiddenSettingStrings(ofModule: module, from: role)
            cache = (commit, hidden)
            return hidden
        }
        var out = line
        for secret in hidden where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: "[hidden]")
        }
        return out
    }
}
