/// One thing a change touches and the least role that may make it: `users/user-x.json: users
/// are edited by admins only` (admin). A write goes ahead only when the acting role meets every
/// requirement of its change.
public struct ClearanceRequirement: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file the change touches.
    public var path: String
    /// The field, when the rule is about one (`ip`, `settings.admin`); nil for the whole file.
    public var field: String?
    /// The least role that may make this part of the change.
    public var role: Role
    /// Why, in words, for the person refused.
    public var reason: String

    public init(path: String, field: String? = nil, role: Role, reason: String) {
        self.path = path
        self.field = field
        self.role = role
        self.reason = reason
    }

    /// `path: field: reason`, like a validation problem.
    public var description: String {
        field.map { "\(path): \($0): \(reason)" } ?? "\(path): \(reason)"
    }

    public static func < (lhs: ClearanceRequirement, rhs: ClearanceRequirement) -> Bool {
        (lhs.path, lhs.field ?? "", lhs.reason) < (rhs.path, rhs.field ?? "", rhs.reason)
    }
}

extension Sequence<ClearanceRequirement> {
    /// The requirements `role` does not meet, sorted and without repeats.
    public func unmet(by role: Role) -> [ClearanceRequirement] {
        Set(filter { role < $0.role }).sorted()
    }
}
