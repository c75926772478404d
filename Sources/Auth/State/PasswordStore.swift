import ConfigRepo
import Synchronization
import WebServer

/// Password hashes by user id, in `<state>/auth/passwords.json` (never in the repository).
public final class PasswordStore: Sendable {
    private let file: StateFile
    private let hashes: Mutex<[String: String]>

    public init(authDirectory: String) throws {
        file = StateFile(directory: authDirectory, name: "passwords.json")
        var loaded: [String: String] = [:]
        for (key, value) in try file.readJSON()?.objectValue ?? [:] { loaded[key] = value.stringValue }
        hashes = Mutex(loaded)
    }

    public func hash(for userID: String) -> String? { hashes.withLock { $0[userID] } }

    public func hasPassword(_ userID: String) -> Bool { hash(for: userID) != nil }

    public func set(_ hash: String, for userID: String) throws {
        let snapshot = hashes.withLock { table -> [String: String] in
            table[userID] = hash
            return table
        }
        try file.writeJSON(.object(snapshot.mapValues(JSONValue.string)))
    }
}
