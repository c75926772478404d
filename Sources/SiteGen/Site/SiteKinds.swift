import ConfigRepo
import Synchronization

/// The kinds the site shows, in navigation order, with their page titles.
public enum SiteKinds {
    public static let all: [Kind] = [.domain, .application, .user, .apiKey, .repository, .driver, .zone, .system, .module, .trigger,
                                         .broker, .authStrategy]

    /// Plural title for navigation and list pages ("API keys").
    public static func title(_ kind: Kind) -> String {
        switch kind {
        case .domain: "Domains"
        case .application: "Applications"
        case .user: "Users"
        case .apiKey: "API keys"
        case .repository: "Repositories"
        case .driver: "Drivers"
        case .zone: "Zones"
        case .system: "Systems"
        case .module: "Modules"
        case .trigger: "Triggers"
        case .broker: "Brokers"
        case .authStrategy: "Sign-in methods"
        default: kind.directory.capitalized
        }
    }

    /// The kind whose URL segment is `segment` (`api-keys`), among the site's kinds.
    public static func kind(segment: String) -> Kind? {
        all.first { $0.directory == segment }
    }

    /// A field name as a label ("support_url" → "Support URL"). Remembered: every row of every
    /// page asks, and the handful of field names make the same labels.
    public static func label(_ field: String) -> String {
        if let known = labels.withLock({ $0[field] }) { return known }
        let made = makeLabel(field)
        labels.withLock { $0[field] = made }
        return made
    }

    private static let labels = Mutex<[String: String]>([:])

    private static func makeLabel(_ field: String) -> String {
        let special = ["url": "URL", "uri": "URI", "ip": "IP", "id": "ID", "tls": "TLS", "udp": "UDP", "json": "JSON"]
        let words = field.split(separator: "_").map { word -> String in
            if let known = special[String(word)] { return known }
            return String(word)
        }
        var text = words.joined(separator: " ")
        if let first = text.first { text = first.uppercased() + text.dropFirst() }
        return text.replacingOccurrences(of: " ID", with: "")
    }
}
