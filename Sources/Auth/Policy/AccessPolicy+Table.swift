import ConfigRepo
import WebServer

extension AccessRule {
    /// The rule as data, for route tables and the permission-matrix test:
    /// `{"access": "public" | "signed_in" | "role" | "editor_of_kind" | "viewer_of_kind",
    ///   "role": "support", "parameter": "kind", "segment": 1, "scope": "systems.read" | null}`
    /// (`role` only for `role`, `parameter` for `editor_of_kind`, `segment` for `viewer_of_kind`).
    public var json: JSONValue {
        var members: [String: JSONValue] = ["scope": scope.map(JSONValue.string) ?? .null]
        switch requirement {
        case .public: members["access"] = "public"
        case .signedIn: members["access"] = "signed_in"
        case .role(let role):
            members["access"] = "role"
            members["role"] = .string(role.rawValue)
        case .editorOfKind(let parameter):
            members["access"] = "editor_of_kind"
            members["parameter"] = .string(parameter)
        case .viewerOfKindSegment(let index):
            members["access"] = "viewer_of_kind"
            members["segment"] = .int(index)
        }
        return .object(members)
    }
}

extension AccessPolicy {
    /// Every route of `routes` with its rule, in the order given: `[{"method", "pattern",
    /// "rule": AccessRule.json or null when the route has none, "text": "role support, scope …"}]`.
    public func table(of routes: [RouteKey]) -> JSONValue {
        .array(routes.map { route in
            let rule = self.rule(for: route)
            return .object(["method": .string(route.method.rawValue), "pattern": .string(route.pattern),
                            "rule": rule?.json ?? .null, "text": .string(rule?.description ?? "no rule")])
        })
    }
}
