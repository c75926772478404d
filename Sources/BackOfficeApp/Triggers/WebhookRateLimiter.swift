import Foundation
import Synchronization

/// How often each trigger instance's webhook may be called: a token bucket per instance
/// (`burst` calls at once, refilled at `perSecond`). Only calls that presented the right secret
/// spend tokens, so strangers guessing secrets cannot lock the real caller out.
final class WebhookRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    let perSecond: Double
    let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])
    private let clock: @Sendable () -> Double

    init(perSecond: Double = 10, burst: Double = 20,
         clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.perSecond = perSecond
        self.burst = burst
        self.clock = clock
    }

    /// Spends a token of `instance`; nil when it had one, else the seconds until it will.
    func admit(_ instance: String) -> Double? {
        let now = clock()
        return buckets.withLock { buckets in
            var bucket = buckets[instance] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * perSecond)
            bucket.updated = now
            defer { buckets[instance] = bucket }
            guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / perSecond }
            bucket.tokens -= 1
            return nil
        }
    }
}
