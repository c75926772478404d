import ConfigRepo

/// The Operate panel of a module's and a system's page, rendered per request into the
/// pre-rendered page (`DetailPage.operateMarker`): Start and Stop buttons (forms posting to
/// `…/start` and `…/stop`) and, for a module, its driver's functions, each a form with one input
/// per argument (`FunctionCallForm`) posting to `…/exec`. Only what the reader may do is offered:
/// a function above the reader's role is listed with the role it needs, and without a button.
public struct OperatePanel: Sendable {
    /// One function as the runtime describes it.
    public struct Function: Sendable {
        public var form: FunctionCallForm
        /// `support` or `administrator` when it needs more than a user; nil otherwise.
        public var restrictedTo: String?
        public var mayRun: Bool

        public init(form: FunctionCallForm, restrictedTo: String?, mayRun: Bool) {
            self.form = form
            self.restrictedTo = restrictedTo
            self.mayRun = mayRun
        }
    }

    public var ref: ObjectRef
    /// The module's (or, for a system, its modules') configured `running`.
    public var running: Bool
    /// Whether the reader may start and stop it (support).
    public var mayStartStop: Bool
    /// The functions, sorted by name; nil when the driver does not run (so none are known).
    public var functions: [Function]?
    /// The form token of each path posted to (`paths`).
    public var tokens: [String: String]

    public init(ref: ObjectRef, running: Bool, mayStartStop: Bool, functions: [Function]?, tokens: [String: String]) {
        self.ref = ref
        self.running = running
        self.mayStartStop = mayStartStop
        self.functions = functions
        self.tokens = tokens
    }

    /// The paths the panel's forms post to: they need a token each.
    public static func paths(_ ref: ObjectRef) -> [String] { [startURL(ref), stopURL(ref), execURL(ref)] }

    public static func startURL(_ ref: ObjectRef) -> String { SiteURL.detail(ref) + "start" }
    public static func stopURL(_ ref: ObjectRef) -> String { SiteURL.detail(ref) + "stop" }
    public static func execURL(_ ref: ObjectRef) -> String { SiteURL.detail(ref) + "exec" }

    /// The panel's template values; `submitted` refills the function that was just run.
    public func values(submitted: [String: String] = [:]) -> TemplateValue {
        var values: [String: TemplateValue] = [
            "isModule": .bool(ref.kind == .module), "running": .bool(running), "mayStartStop": .bool(mayStartStop),
            "startURL": .string(Self.startURL(ref)), "stopURL": .string(Self.stopURL(ref)),
        ]
        if mayStartStop {
            values["startToken"] = .optional(tokens[Self.startURL(ref)])
            values["stopToken"] = .optional(tokens[Self.stopURL(ref)])
        }
        if let functions {
            let execToken = tokens[Self.execURL(ref)] ?? ""
            values["known"] = true
            values["functions"] = .list(functions.map { function in
                let shown = submitted["function"] == function.form.function ? submitted : [:]
                return ["name": .string(function.form.function), "restrictedTo": .optional(function.restrictedTo),
                        "mayRun": .bool(function.mayRun), "action": .string(Self.execURL(ref)), "token": .string(execToken),
                        "arguments": .list(function.form.values(submitted: shown)),
                        "noArguments": .bool(function.form.arguments.isEmpty)]
            })
        }
        return .object(values)
    }
}
