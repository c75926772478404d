import Synchronization
import WebServer

/// Limits failed sign-in attempts per account and per client address within a sliding window.
/// Kept in memory: a restart forgets it, which costs an attacker a restart per window.
public final class SignInThrottle: Sendable {
    public let window: Int
    public let maximumPerAccount: Int
    public let maximumPerAddress: Int
    private let failures = Mutex<[String: [Int]]>([:])

    public init(window: Int = 900, maximumPerAccount: Int = 5, maximumPerAddress: Int = 20) {
        self.window = window
        self.maximumPerAccount = maximumPerAccount
        self.maximumPerAddress = maximumPerAddress
    }

    /// True when another attempt for this account or from this address must wait.
    public func isBlocked(account: String, address: String, now: Int) -> Bool {
        failures.withLock { table in
            count(&table, "account:" + account.lowercased(), now) >= maximumPerAccount
                || count(&table, "address:" + address, now) >= maximumPerAddress
        }
    }

    public func recordFailure(account: String, address: String, now: Int) {
        failures.withLock { table in
            table["account:" + account.lowercased(), default: []].append(now)
            table["address:" + address, default: []].append(now)
        }
    }

    /// A successful sign-in clears the account's failures (not the address's).
    public func recordSuccess(account: String) {
        _ = failures.withLock { $0.removeValue(forKey: "account:" + account.lowercased()) }
    }

    private func count(_ table: inout [String: [Int]], _ key: String, _ now: Int) -> Int {
        guard let times = table[key] else { return 0 }
        let recent = times.filter { $0 > now - window }
        table[key] = recent.isEmpty ? nil : recent
        return recent.count
    }
}
