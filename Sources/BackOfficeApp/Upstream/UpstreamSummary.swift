import Foundation
import SiteGen

/// The upstream's state in one line for the deployment page: where it is, the last fetch,
/// ahead/behind, and the last error.
enum UpstreamSummary {
    static func notice(_ status: UpstreamStatus) -> TrustedHTML {
        var parts = ["Upstream \(status.url) (\(status.branch))"]
        parts.append(status.lastFetch.map { "last fetch \(ISO8601DateFormatter().string(from: $0))" } ?? "not fetched yet")
        if let head = status.upstreamHead { parts.append("upstream at \(head.short)") }
        parts.append("\(status.ahead) commit\(status.ahead == 1 ? "" : "s") waiting to be pushed, \(status.behind) behind")
        if let error = status.lastError { parts.append("last error: \(error)") }
        if let refusal = status.refusal { parts.append("refused \(refusal.commit.short): \(refusal.reason)") }
        let kind = status.lastError != nil || status.refusal != nil ? "warn" : "ok"
        return Notices.message(parts.joined(separator: "; ") + ".", kind: kind)
    }
}
