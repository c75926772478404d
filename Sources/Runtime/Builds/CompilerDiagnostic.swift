import Foundation

/// One error or warning of the Swift compiler, with the file (relative to the repository)
/// and the line and column it points at.
public struct CompilerDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    /// `error`, `warning` or `note`.
    public var severity: String
    public var message: String

    public init(file: String, line: Int, column: Int, severity: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(severity): \(message)" }

    /// The `FILE:LINE:COLUMN: SEVERITY: MESSAGE` lines of compiler output, in order, without
    /// repeats (the compiler prints some twice). Paths under `root` are made relative to it.
    public static func parse(_ output: String, root: String) -> [CompilerDiagnostic] {
        var seen = Set<CompilerDiagnostic>()
        var result: [CompilerDiagnostic] = []
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false)
            guard parts.count == 5, let number = Int(parts[1]), let column = Int(parts[2]) else { continue }
            let severity = parts[3].trimmingCharacters(in: .whitespaces)
            guard ["error", "warning", "note"].contains(severity) else { continue }
            var file = String(parts[0])
            if file.hasPrefix(root + "/") { file = String(file.dropFirst(root.count + 1)) }
            let diagnostic = CompilerDiagnostic(file: file, line: number, column: column, severity: severity,
                                                message: parts[4].trimmingCharacters(in: .whitespaces))
            if seen.insert(diagnostic).inserted { result.append(diagnostic) }
        }
        return result
    }
}
