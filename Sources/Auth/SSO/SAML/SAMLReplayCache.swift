import ConfigRepo

/// Assertion ids already used, until they expire: `<state>/auth/saml-assertions.json` (shared by
/// every process, surviving a restart), so a captured response cannot sign anyone in twice.
public final class SAMLReplayCache: Sendable {
    private let state: SharedState<[String: Int]>

    public init(authDirectory: String) throws {
        state = try SharedState(StateFile(directory: authDirectory, name: "saml-assertions.json"), decode: { json in
            var table: [String: Int] = [:]
            for (key, value) in json?.objectValue ?? [:] { table[key] = value.intValue }
            return table
        }, encode: { .object($0.mapValues { JSONValue.int($0) }) })
    }

    /// Records the assertion; false when it was seen before (and has not expired).
    public func claim(strategyID: String, assertionID: String, until expiresAt: Int, now: Int) throws -> Bool {
        let key = strategyID + " " + assertionID
        return try state.update { table in
            table = table.filter { $0.value > now }
            if table[key] != nil { return false }
            table[key] = expiresAt == Int.max ? now + 86_400 : expiresAt
            return true
        }
    }
}
