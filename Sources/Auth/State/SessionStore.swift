import ConfigRepo
import Crypto
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
/// people signed in, while the file alone does not let anyone forge a cookie. A `SharedState`:
/// `backoffice user …` ends a user's sessions (password or role change, removal) while the
/// server runs, and the server sees it at the next request.
public final class SessionStore: Sendable {
    /// How long a session lasts, in seconds (8 hours).
    public static let lifetime = 8 * 3600
    private let state: SharedState<[String: Session]>  // by digest

    public init(authDirectory: String) throws {
        state = try SharedState(StateFile(directory: authDirectory, name: "sessions.json"), decode: { json in
            var table: [String: Session] = [:]
            for (digest, value) in json?.objectValue ?? [:] {
                guard let user = value["user_id"]?.stringValue, let domain = value["domain_id"]?.stringValue,
                      let created = value["created_at"]?.intValue, let expires = value["expires_at"]?.intValue else { continue }
                table[digest] = Session(id: "", userID: user, domainID: domain, createdAt: created, expiresAt: expires)
            }
            return table
        }, encode: { table in
            .object(table.mapValues { session in
                .object(["user_id": .string(session.userID), "domain_id": .string(session.domainID),
                         "created_at": .int(session.createdAt), "expires_at": .int(session.expiresAt)])
            })
        })
    }

    /// A new session for the user: a fresh random id every time (sign-in rotates the id, so a
    /// planted cookie never becomes a signed-in one).
    public func create(userID: String, domainID: String, now: Int) -> Session {
        let session = Session(id: SecureRandom.token(32), userID: userID, domainID: domainID,
                              createdAt: now, expiresAt: now + Self.lifetime)
        _ = try? state.update { table in
            table = table.filter { $0.value.expiresAt > now }
            table[Digest.sha256.base64URL(of: session.id)] = session
        }
        return session
    }

    /// The live session with this id, or nil (unknown, expired or malformed).
    public func session(_ id: String, now: Int) -> Session? {
        guard id.utf8.count == 43 else { return nil }
        let digest = Digest.sha256.base64URL(of: id)
        guard var found = state.current[digest], found.expiresAt > now else { return nil }
        found.id = id
        return found
    }

    public func end(_ id: String) {
        let digest = Digest.sha256.base64URL(of: id)
        _ = try? state.update { $0[digest] = nil }
    }

    /// Ends every session of a user (sign-out everywhere, password and role changes, removal).
    public func endAll(userID: String) {
        _ = try? state.update { table in table = table.filter { $0.value.userID != userID } }
    }

    /// How many live sessions the user has.
    public func count(userID: String, now: Int) -> Int {
        state.current.values.filter { $0.userID == userID && $0.expiresAt > now }.count
    }
}
