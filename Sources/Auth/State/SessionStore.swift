import ConfigRepo
import Crypto
import Synchronization
import WebServer

/// A signed-in browser session.
public struct Session: Sendable, Equatable {
    /// The id the cookie carries (random, 32 bytes). Only its digest is written to disk.
    public var id: String
    public var userID: String
    public var domainID: String
    public var createdAt: Int
    public var expiresAt: Int
}

/// Sessions by id, persisted as digests in `<state>/auth/sessions.json` so a restart keeps
/// people signed in, while the file alone does not let anyone forge a cookie.
public final class SessionStore: Sendable {
    /// How long a session lasts, in seconds (8 hours).
    public static let lifetime = 8 * 3600
    private let file: StateFile
    private let sessions: Mutex<[String: Session]>  // by digest

    public init(authDirectory: String) throws {
        file = StateFile(directory: authDirectory, name: "sessions.json")
        var loaded: [String: Session] = [:]
        for (digest, value) in try file.readJSON()?.objectValue ?? [:] {
            guard let user = value["user_id"]?.stringValue, let domain = value["domain_id"]?.stringValue,
                  let created = value["created_at"]?.intValue, let expires = value["expires_at"]?.intValue else { continue }
            loaded[digest] = Session(id: "", userID: user, domainID: domain, createdAt: created, expiresAt: expires)
        }
        sessions = Mutex(loaded)
    }

    /// A new session for the user: a fresh random id every time (sign-in rotates the id, so a
    /// planted cookie never becomes a signed-in one).
    public func create(userID: String, domainID: String, now: Int) -> Session {
        let session = Session(id: SecureRandom.token(32), userID: userID, domainID: domainID,
                              createdAt: now, expiresAt: now + Self.lifetime)
        save { table in
            table = table.filter { $0.value.expiresAt > now }
            table[Digest.sha256.base64URL(of: session.id)] = session
        }
        return session
    }

    /// The live session with this id, or nil (unknown, expired or malformed).
    public func session(_ id: String, now: Int) -> Session? {
        guard id.utf8.count == 43 else { return nil }
        let digest = Digest.sha256.base64URL(of: id)
        guard var found = sessions.withLock({ $0[digest] }), found.expiresAt > now else { return nil }
        found.id = id
        return found
    }

    public func end(_ id: String) {
        let digest = Digest.sha256.base64URL(of: id)
        save { $0[digest] = nil }
    }

    /// Ends every session of a user (sign-out everywhere, permission changes).
    public func endAll(userID: String) {
        save { table in table = table.filter { $0.value.userID != userID } }
    }

    private func save(_ change: (inout [String: Session]) -> Void) {
        let copy = sessions.withLock { table -> [String: Session] in
            change(&table)
            return table
        }
        try? file.writeJSON(.object(copy.mapValues { session in
            .object(["user_id": .string(session.userID), "domain_id": .string(session.domainID),
                     "created_at": .int(session.createdAt), "expires_at": .int(session.expiresAt)])
        }))
    }
}
