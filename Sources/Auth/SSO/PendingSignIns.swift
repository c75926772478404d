import Crypto
import Synchronization

/// Sign-ins sent to an identity provider and not back yet, in memory, by their `state`: each
/// lives 10 minutes and is taken once (a replayed callback finds nothing). The browser that
/// started one also holds its state in a cookie, so a callback carried to another browser
/// (login CSRF) is refused.
public final class PendingSignIns: Sendable {
    public struct Pending: Sendable {
        public var strategyID: String
        public var domainID: String
        public var redirectURI: String
        public var continueURL: String
        public var nonce: String
        public var codeVerifier: String
        public var expiresAt: Int
    }

    public static let lifetime = 600
    /// Most sign-ins in flight; past it the oldest is dropped.
    public static let capacity = 10_000
    private let table = Mutex<[String: Pending]>([:])

    public init() {}

    /// Remembers `pending` and returns its new `state`.
    public func start(_ pending: Pending, now: Int) -> String {
        let state = SecureRandom.token(24)
        table.withLock { table in
            if table.count >= Self.capacity {
                table = table.filter { $0.value.expiresAt > now }
                if table.count >= Self.capacity, let oldest = table.min(by: { $0.value.expiresAt < $1.value.expiresAt }) {
                    table[oldest.key] = nil
                }
            }
            table[Digest.sha256.base64URL(of: state)] = pending
        }
        return state
    }

    /// The sign-in of `state`, removed; nil when unknown, used or expired.
    public func take(_ state: String, now: Int) -> Pending? {
        guard state.utf8.count <= 128 else { return nil }
        return table.withLock { table in
            let key = Digest.sha256.base64URL(of: state)
            guard let pending = table.removeValue(forKey: key), pending.expiresAt > now else { return nil }
            return pending
        }
    }
}
