import Auth
import ConfigRepo
import Foundation
import Runtime
import Synchronization
import WebServer

/// Replaces, in a module's debug lines, the setting values the reader's role may not read with
/// `[hidden]`, in every spelling a driver may log them (`SecretRedactor`: escaped, JSON, URL,
/// base64, hex; any length). The values are looked up again whenever the runtime applies
/// another commit.
final class LogRedactor: Sendable {
    private let engine: RuntimeEngine
    private let module: String
    private let role: Role
    private let cache = Mutex<(commit: ObjectID?, redactor: SecretRedactor)?>(nil)

    init(engine: RuntimeEngine, module: String, role: Role) {
        self.engine = engine
        self.module = module
        self.role = role
    }

    func redact(_ line: String) -> String {
        let commit = engine.appliedCommit
        let redactor = cache.withLock { cache in
            if let cache, cache.commit == commit { return cache.redactor }
            let redactor = SecretRedactor(values: engine.hiddenSettingStrings(ofModule: module, from: role))
            cache = (commit, redactor)
            return redactor
        }
        return redactor.redact(line)
    }
}
