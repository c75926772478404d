/// One thing wrong with the configuration: which file, where in it, and what.
public struct ValidationProblem: Sendable, Hashable, Comparable, CustomStringConvertible, Error {
    /// The file, relative to the repository root (`systems/sys-boardroom.json`).
    public var path: String
    /// Where in the file: a JSON path (`modules[2]`, `settings.admin.password`) or a
    /// text position (`line 4, column 9`); empty for the file as a whole.
    public var field: String
    public var message: String

    public init(path: String, field: String, message: String) {
        self.path = path
        self.field = field
        self.message = message
    }

    /// `path: field: message`, the line `backoffice check` prints.
    public var description: String {
        field.isEmpty ? "\(path): \(message)" : "\(path): \(field): \(message)"
    }

    public static func < (lhs: ValidationProblem, rhs: ValidationProblem) -> Bool {
        (lhs.path, lhs.field, lhs.message) < (rhs.path, rhs.field, rhs.message)
    }
}
