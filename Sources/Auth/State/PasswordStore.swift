import ConfigRepo
import WebServer

/// Password hashes by user id, in `<state>/auth/passwords.json` (never in the repository).
/// Written by the server (first admin, password changes) and by `backoffice user …` while it
/// runs: a `SharedState`, so each sees the other's changes and neither erases them.
public final class PasswordStore: Sendable {
    private let state: SharedState<[String: String]>

    public init(authDirectory: String) throws {
        state = try SharedState(StateFile(directory: authDirectory, name: "passwords.json"), decode: { json in
            var table: [String: String] = [:]
            for (key, value) in json?.objectValue ?? [:] { table[key] = value.stringValue }
            return table
        }, encode: { .object($0.mapValues(JSONValue.string)) })
    }

    public func hash(for userID: String) -> String? { state.current[userID] }

    public func hasPassword(_ userID: String) -> Bool { hash(for: userID) != nil }

    public func set(_ hash: String, for userID: String) throws {
        try state.update { $0[userID] = hash }
    }
}
