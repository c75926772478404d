/// The SMTP server trigger mailers send through: the `mail` object of `backoffice.json`.
///
/// ```json
/// "mail": {"host": "smtp.example.com", "port": 587, "security": "starttls",
///          "username": "backoffice", "password": "enc:v1:…", "from": "backoffice@example.com"}
/// ```
/// `security` is `starttls` (the default: upgrade with STARTTLS, refuse a server without it),
/// `tls` (TLS from the first byte, port 465) or `none` (plain text; for a relay on loopback).
/// `port` defaults to 587, 465 or 25 accordingly. `password` is sealed like any secret, bound
/// to `backoffice` / `mail.password`. `timeout_seconds` (default 10) bounds each step.
public struct MailServerSettings: Sendable, Hashable {
    public enum Security: String, Sendable, Hashable, CaseIterable {
        case starttls, tls, none

        var defaultPort: Int {
            switch self {
            case .starttls: 587
            case .tls: 465
            case .none: 25
            }
        }
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    /// The sealed password (an `enc:v1:` envelope), opened only to log in.
    public var sealedPassword: String?
    public var from: String
    public var heloName: String
    public var timeoutSeconds: Double

    /// Where the password's envelope is bound.
    public static let passwordBinding = SecretBinding.field(objectID: SettingsSource.globalObjectID, path: "mail.password")

    public init(host: String, port: Int? = nil, security: Security = .starttls, username: String? = nil,
                sealedPassword: String? = nil, from: String, heloName: String = "backoffice.local", timeoutSeconds: Double = 10) {
        self.host = host
        self.port = port ?? security.defaultPort
        self.security = security
        self.username = username
        self.sealedPassword = sealedPassword
        self.from = from
        self.heloName = heloName
        self.timeoutSeconds = timeoutSeconds
    }

    /// The settings of `backoffice.json`, or nil when it has no (valid) `mail` object.
    public init?(_ file: DeploymentFile?) {
        guard let members = file?.members["mail"]?.objectValue, Self.problems(in: .object(members)).isEmpty,
              let host = members["host"]?.stringValue, let from = members["from"]?.stringValue else { return nil }
        self.init(host: host, port: members["port"]?.intValue,
                  security: members["security"]?.stringValue.flatMap(Security.init(rawValue:)) ?? .starttls,
                  username: members["username"]?.stringValue, sealedPassword: members["password"]?.stringValue,
                  from: from, heloName: members["helo_name"]?.stringValue ?? "backoffice.local",
                  timeoutSeconds: members["timeout_seconds"]?.doubleValue ?? 10)
    }

    static let fields = ["host", "port", "security", "username", "password", "from", "helo_name", "timeout_seconds"]

    /// What is wrong with a `mail` object, as (field, message) with fields under `mail.`.
    public static func problems(in value: JSONValue) -> [(field: String, message: String)] {
        guard let members = value.objectValue else { return [("mail", "must be an object with host and from")] }
        var problems: [(String, String)] = []
        for key in members.keys.sorted() where !fields.contains(key) {
            problems.append(("mail.\(key)", "unknown mail setting; known: \(fields.joined(separator: ", "))"))
        }
        if members["host"]?.stringValue?.isEmpty ?? true { problems.append(("mail.host", "is required: the SMTP server's host name")) }
        if let port = members["port"], !(port.intValue.map { (1...65535).contains($0) } ?? false) {
            problems.append(("mail.port", "must be a port number 1-65535"))
        }
        if let security = members["security"], security.stringValue.flatMap(Security.init(rawValue:)) == nil {
            problems.append(("mail.security", "must be one of starttls, tls, none"))
        }
        if let from = members["from"]?.stringValue {
            if !MailAddress.isPlausible(from) { problems.append(("mail.from", "must be an email address, found \"\(from)\"")) }
        } else {
            problems.append(("mail.from", "is required: the sender address of trigger mail"))
        }
        if let username = members["username"], username.stringValue == nil { problems.append(("mail.username", "must be a string")) }
        if let password = members["password"] {
            if !SecretBox.isEnvelope(password) {
                problems.append(("mail.password", "must be an encrypted value (enc:v1:…); plain text is not stored — save it through the site or `backoffice secret seal`"))
            } else if members["username"] == nil {
                problems.append(("mail.password", "needs a username to log in with"))
            }
        }
        if let helo = members["helo_name"], helo.stringValue?.isEmpty ?? true { problems.append(("mail.helo_name", "must be a host name")) }
        if let timeout = members["timeout_seconds"], !(timeout.doubleValue.map { $0 > 0 && $0 <= 300 } ?? false) {
            problems.append(("mail.timeout_seconds", "must be a number of seconds from 0 to 300"))
        }
        return problems
    }
}

/// Email addresses as mail settings and trigger mailers accept them.
public enum MailAddress {
    /// One `@` with text on both sides, no spaces, angle brackets or line breaks (which would
    /// let an address inject SMTP commands or headers).
    public static func isPlausible(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && !text.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "\r" || $0 == "\n" || $0 == "," })
    }
}
