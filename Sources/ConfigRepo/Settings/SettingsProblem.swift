/// Something wrong with a `settings` object, and where: `path` is a dotted JSON path from
/// the prefix the caller gave (`settings.admin.password`), with `[i]` for array indexes
/// and `["…"]` for member names that are not plain identifiers.
public struct SettingsProblem: Sendable, Hashable, CustomStringConvertible {
    /// Where, e.g. `settings.admin.password`.
    public var path: String
    /// What is wrong, in words a person editing the file can act on.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }

    /// `prefix.member`, or `prefix["member"]` when the name has characters other than
    /// letters, digits, `_` and `-` (so the path stays unambiguous). An empty prefix gives
    /// just the member.
    public static func path(_ prefix: String, member: String) -> String {
        let plain = !member.isEmpty && member.unicodeScalars.allSatisfy { scalar in
            (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
                || (scalar >= "0" && scalar <= "9") || scalar == "_" || scalar == "-"
        }
        if plain { return prefix.isEmpty ? member : "\(prefix).\(member)" }
        return "\(prefix)[\(JSONWriter.compactString(.string(member)))]"
    }

    /// `prefix[index]`.
    public static func path(_ prefix: String, index: Int) -> String { "\(prefix)[\(index)]" }
}
