import Synchronization
import WebServer

/// Remembers credentials that already passed their expensive check — a JWT's RSA signature, an
/// API key's HMAC — keyed by the credential text, so a client sending the same token on every
/// request pays the RSA cost once. Everything cheap and changeable (expiry, revocation, the
/// user's current role, the key's stored hash) is still checked on every request.
final class CredentialCache<Value: Sendable>: Sendable {
    private let entries = Mutex<[String: Value]>([:])
    private let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = capacity }

    func value(_ credential: String) -> Value? { entries.withLock { $0[credential] } }

    func store(_ value: Value, for credential: String) {
        entries.withLock { table in
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[credential] = value
        }
    }
}
