/// Why a mail was not delivered. Messages quote the server's reply (never the password).
public enum SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    case connection(String)
    case timeout(String)
    /// The server answered a command with an unexpected code.
    case refused(command: String, reply: String)
    /// Something the settings ask for that the server or this build cannot do.
    case unsupported(String)

    public var description: String {
        switch self {
        case .connection(let text), .timeout(let text), .unsupported(let text): text
        case .refused(let command, let reply): "the server refused \(command): \(reply)"
        }
    }
}
