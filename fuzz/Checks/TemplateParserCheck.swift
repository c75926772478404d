import SiteGen

/// The template parser, and the renderer over what it accepts. Properties: a refused template
/// names a line and column inside it; an accepted one renders without ever writing the hostile
/// value it is given as is (every value is escaped for where it sits).
public enum TemplateParserCheck: FuzzCheck {
    public static let name = "template"
    /// What every name the seeds use resolves to.
    static let hostile = "<fz\"'&>"
    static let names = ["a", "b", "name", "items", "x", "url", "title"]

    public static func check(_ input: [UInt8]) throws(PropertyViolation) {
        let source = String(decoding: input, as: UTF8.self)
        let library: TemplateLibrary
        do {
            library = try TemplateLibrary(sources: ["page": source])
        } catch {
            let lines = source.utf8.count { $0 == UInt8(ascii: "\n") } + 1
            try require(error.line >= 0 && error.line <= lines && error.column >= 0, "error outside the template: \(error)")
            try require(!error.message.isEmpty, "an error with no message")
            return
        }
        var members: [String: TemplateValue] = [:]
        for name in names { members[name] = .string(hostile) }
        members["items"] = .list([.string(hostile), .object(["name": .string(hostile)])])
        guard let output = try? library.render("page", .object(members)) else { return }
        let text = String(decoding: output, as: UTF8.self)
        if !source.contains("<fz") {
            try require(!text.contains("<fz"), "a value came out unescaped: \(text.debugDescription)")
        }
    }
}
