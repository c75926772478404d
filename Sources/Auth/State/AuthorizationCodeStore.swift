import Crypto
import Synchronization
import WebServer

/// OAuth2 authorization codes, in memory: they live 60 seconds and work once. A second use
/// is refused and revokes the refresh tokens the first use produced (RFC 6749 §4.1.2).
public final class AuthorizationCodeStore: Sendable {
    public struct Grant: Sendable {
        public var clientID: String
        public var redirectURI: String
        public var userID: String
        public var domainID: String
        public var scopes: [String]
        /// The PKCE S256 challenge; nil for a code issued without PKCE to an application that
        /// allows that (`allow_code_without_pkce`).
        public var codeChallenge: String?
        public var expiresAt: Int
        var used = false
        /// The refresh-token family issued for this code (revoked if the code is replayed).
        var family: String
    }

    public static let lifetime = 60
    private let codes = Mutex<[String: Grant]>([:])

    public init() {}

    public func issue(_ grant: Grant, now: Int) -> String {
        let code = SecureRandom.token(32)
        codes.withLock { table in
            table = table.filter { $0.value.expiresAt > now - 600 }
            table[Digest.sha256.base64URL(of: code)] = grant
        }
        return code
    }

    public enum Redemption { case granted(Grant), refused(String) }

    public func redeem(_ code: String, now: Int) -> Redemption {
        guard code.utf8.count <= 128 else { return .refused("authorization code too large") }
        return codes.withLock { table in
            let digest = Digest.sha256.base64URL(of: code)
            guard var grant = table[digest] else { return .refused("unknown authorization code") }
            if grant.used { return .refused("authorization code reused (family \(grant.family))") }
            guard grant.expiresAt > now else { return .refused("expired authorization code") }
            grant.used = true
            table[digest] = grant
            return .granted(grant)
        }
    }

    /// The refresh-token family of a code that was already used, for revocation on replay.
    public func familyOfUsedCode(_ code: String) -> String? {
        codes.withLock { table in
            guard let grant = table[Digest.sha256.base64URL(of: code)], grant.used else { return nil }
            return grant.family
        }
    }
}
