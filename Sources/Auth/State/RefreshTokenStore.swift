import ConfigRepo
import Crypto
import WebServer

/// Refresh tokens by digest, in `<state>/auth/refresh-tokens.json`. Each use rotates the token:
/// the old one is marked used and a new one of the same family issued. Presenting a used token
/// again means it leaked, so the whole family is revoked. A `SharedState`: `backoffice user …`
/// revokes a user's tokens while the server runs.
public final class RefreshTokenStore: Sendable {
    public struct Grant: Sendable, Equatable {
        public var clientID: String
        public var userID: String
        public var domainID: String
        public var scopes: [String]
        public var expiresAt: Int
        public var family: String
        public var used: Bool
        public var revoked: Bool
    }

    public enum Redemption: Sendable, Equatable {
        case rotated(token: String, grant: Grant)
        case refused(String)
    }

    /// Refresh tokens last 30 days.
    public static let lifetime = 30 * 86400
    private let state: SharedState<[String: Grant]>

    public init(authDirectory: String) throws {
        state = try SharedState(StateFile(directory: authDirectory, name: "refresh-tokens.json"),
                                decode: Self.decode, encode: Self.encode)
    }

    private static func decode(_ json: JSONValue?) -> [String: Grant] {
        var loaded: [String: Grant] = [:]
        for (digest, value) in json?.objectValue ?? [:] {
            guard let client = value["client_id"]?.stringValue, let user = value["user_id"]?.stringValue,
                  let domain = value["domain_id"]?.stringValue, let expires = value["expires_at"]?.intValue,
                  let family = value["family"]?.stringValue else { continue }
            loaded[digest] = Grant(clientID: client, userID: user, domainID: domain,
                                   scopes: value["scopes"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                   expiresAt: expires, family: family, used: value["used"]?.boolValue ?? false,
                                   revoked: value["revoked"]?.boolValue ?? false)
        }
        return loaded
    }

    private static func encode(_ grants: [String: Grant]) -> JSONValue {
        .object(grants.mapValues { grant in
            .object(["client_id": .string(grant.clientID), "user_id": .string(grant.userID), "domain_id": .string(grant.domainID),
                     "scopes": .array(grant.scopes.map(JSONValue.string)), "expires_at": .int(grant.expiresAt),
                     "family": .string(grant.family), "used": .bool(grant.used), "revoked": .bool(grant.revoked)])
        })
    }

    /// A new token starting a family (or continuing `family`).
    public func issue(clientID: String, userID: String, domainID: String, scopes: [String], now: Int, family: String? = nil) -> String {
        let token = SecureRandom.token(32)
        let grant = Grant(clientID: clientID, userID: userID, domainID: domainID, scopes: scopes, expiresAt: now + Self.lifetime,
                          family: family ?? SecureRandom.token(12), used: false, revoked: false)
        save { table in
            table = table.filter { $0.value.expiresAt > now }
            table[Digest.sha256.base64URL(of: token)] = grant
        }
        return token
    }

    /// Uses a token: a fresh one of the same family, or why not.
    public func redeem(_ token: String, clientID: String, now: Int) -> Redemption {
        guard token.utf8.count <= 256 else { return .refused("refresh token too large") }
        let digest = Digest.sha256.base64URL(of: token)
        var outcome: Redemption = .refused("unknown refresh token")
        var newToken: String?
        save { table in
            guard var grant = table[digest] else { return }
            guard grant.clientID == clientID else { outcome = .refused("refresh token of another client"); return }
            guard !grant.revoked else { outcome = .refused("revoked refresh token"); return }
            guard grant.expiresAt > now else { outcome = .refused("expired refresh token"); return }
            if grant.used {
                for (key, value) in table where value.family == grant.family { table[key]?.revoked = true }
                outcome = .refused("refresh token reused; its family is revoked")
                return
            }
            grant.used = true
            table[digest] = grant
            let token = SecureRandom.token(32)
            var next = grant
            next.used = false
            next.expiresAt = now + Self.lifetime
            table[Digest.sha256.base64URL(of: token)] = next
            newToken = token
            outcome = .rotated(token: token, grant: next)
        }
        _ = newToken
        return outcome
    }

    /// Revokes the token's whole family; false when the token is unknown.
    @discardableResult
    public func revoke(_ token: String, clientID: String? = nil) -> Bool {
        let digest = Digest.sha256.base64URL(of: token)
        var found = false
        save { table in
            guard let grant = table[digest], clientID == nil || grant.clientID == clientID else { return }
            found = true
            for (key, value) in table where value.family == grant.family { table[key]?.revoked = true }
        }
        return found
    }

    public func revokeFamily(_ family: String) {
        save { table in for (key, value) in table where value.family == family { table[key]?.revoked = true } }
    }

    /// Revokes every refresh token of a user (sign-out).
    public func revokeAll(userID: String) {
        save { table in for (key, value) in table where value.userID == userID { table[key]?.revoked = true } }
    }

    /// Changes the newest table under the file's lock. A failed write loses the change, so a
    /// rotation or revocation that could not be stored is not reported as done.
    private func save(_ change: (inout [String: Grant]) -> Void) {
        _ = try? state.update(change)
    }
}
