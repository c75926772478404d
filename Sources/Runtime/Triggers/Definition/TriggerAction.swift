import ConfigRepo

/// Calls a function of a module of the instance's system, with admin clearance.
public struct FunctionAction: Sendable, Hashable {
    public var module: String
    public var index: Int
    public var method: String
    /// Named arguments (an object), or positional ones (a list).
    public var args: JSONValue

    public var target: String { "\(module)_\(index).\(method)" }
}

/// Mails `content` to `emails`; the subject is the trigger's name.
public struct MailAction: Sendable, Hashable {
    public var emails: [String]
    public var content: String
}

/// Our addition: sends the instance's state to a URL, signed (docs/triggers.md).
public struct WebhookAction: Sendable, Hashable {
    public var url: String
    public var method: String
}
