import Runtime
import SiteGen

/// A broker's live connection state on its page (`broker-state.html`): connected or not, what
/// was published, dropped and refused, and the last error in words. Filled per request in place
/// of `DetailPage.brokerStateMarker`.
enum BrokerStatePanel {
    static func values(_ status: BrokerStatus?) -> [String: TemplateValue] {
        guard let status else {
            return ["state": "not running", "dot": "stopped", "address": "", "published": "0", "dropped": "0", "errors": "0", "queued": "0",
                    "lastError": "the runtime has not applied this broker yet"]
        }
        let (state, dot): (String, String) = switch status.state {
        case .connected: ("connected", "running")
        case .connecting: ("connecting", "starting")
        case .failed: ("failed", "failed")
        }
        var lastError = status.lastError
        if case .failed(let reason) = status.state { lastError = reason }
        return ["state": .string(state), "dot": .string(dot),
                "address": .string("\(status.tls ? "mqtts" : "mqtt")://\(status.host):\(status.port)"),
                "published": .string(String(status.published)), "dropped": .string(String(status.dropped)),
                "errors": .string(String(status.errors)), "queued": .string(String(status.queued)), "lastError": .optional(lastError), "lastRejected": .optional(status.lastRejected)]
    }
}
