import Foundation

/// MQTT broker rules (docs/config-format.md, "Broker"): a host without scheme or path, the
/// credentials each `auth_type` needs, PEM certificates, filters that compile, and a secret
/// to hash their matches with.
struct BrokerRules {
    func check(_ document: ConfigDocument, into report: inout ProblemReport) {
        let broker = BrokerView(document)
        if let host = document.string("host"), !host.isEmpty,
           host.contains("://") || host.contains("/") || host.contains(where: \.isWhitespace) {
            report.add("host", "must be a host name or IP address, without scheme, path or spaces, found \"\(host)\"")
        }
        let hasUsername = !(broker.username ?? "").isEmpty
        switch document.int("auth_type") {
        case 0:
            if !broker.tls { report.add("auth_type", "0 (client certificate) needs tls: true") }
            if document["client_certificate"] == nil { report.add("client_certificate", "is required with auth_type 0 (client certificate)") }
            if document["client_key"] == nil { report.add("client_key", "is required with auth_type 0 (client certificate)") }
        case 1:
            if hasUsername || document["password"] != nil {
                report.add("auth_type", "1 (no authentication) sends no username or password; remove them or use auth_type 2")
            }
        case 2:
            if !hasUsername { report.add("username", "is required with auth_type 2 (username and password)") }
        default:
            break
        }
        if document["password"] != nil, !hasUsername { report.add("password", "needs a username") }
        if document["client_key"] != nil, document["client_certificate"] == nil { report.add("client_key", "needs a client_certificate") }
        if let certificate = document.string("certificate"), !certificate.isEmpty {
            if !broker.tls { report.add("certificate", "is used only with tls: true") }
            if let problem = Self.pemProblem(certificate) { report.add("certificate", problem) }
        }
        if let certificate = document.string("client_certificate"), let problem = Self.pemProblem(certificate) {
            report.add("client_certificate", problem)
        }
        for (index, filter) in broker.filters.enumerated() {
            if let problem = BrokerFilters.problem(filter) { report.add("filters[\(index)]", problem) }
        }
        if !broker.filters.isEmpty, document["secret"] == nil {
            report.add("secret", "is required with filters: their matches are replaced by HMAC-SHA256(secret, match)")
        }
    }

    /// Why `text` is not one or more PEM certificates, or nil.
    static func pemProblem(_ text: String) -> String? {
        let begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----"
        var rest = Substring(text)
        var count = 0
        while let start = rest.range(of: begin) {
            guard let stop = rest.range(of: end, range: start.upperBound..<rest.endIndex) else {
                return "a certificate starts with \(begin) but has no \(end)"
            }
            let body = rest[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
            guard !body.isEmpty, Data(base64Encoded: String(body)) != nil else {
                return "certificate \(count + 1) is not valid base64 between \(begin) and \(end)"
            }
            count += 1
            rest = rest[stop.upperBound...]
        }
        return count == 0 ? "must be PEM text: one or more certificates, each from \(begin) to \(end)" : nil
    }
}
