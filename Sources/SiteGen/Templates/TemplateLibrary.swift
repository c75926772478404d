import Foundation

/// Every template of a directory, parsed once; partials are templates of the same library.
///
/// Pages are rendered inside the `layout` template, which writes the page as `{{content}}`.
public struct TemplateLibrary: Sendable {
    public let templates: [String: Template]

    /// Parses the given templates (name → source) and checks that every partial exists.
    public init(sources: [String: String]) throws(TemplateError) {
        var parsed: [String: Template] = [:]
        for (name, source) in sources.sorted(by: { $0.key < $1.key }) {
            parsed[name] = try Template(name: name, source: source)
        }
        for template in parsed.values.sorted(by: { $0.name < $1.name }) {
            for (partial, location) in template.partialReferences where parsed[partial] == nil {
                throw TemplateError(file: template.name, line: location.line, column: location.column,
                                    message: "no partial named '\(partial)'")
            }
        }
        templates = parsed
    }

    /// Loads every `*.html` file of `directory` and of its direct subfolders; a template's name
    /// is its file name without `.html`, prefixed by its subfolder (`auth/signin`).
    public init(directory: String) throws {
        var sources: [String: String] = [:]
        let manager = FileManager.default
        for entry in try manager.contentsOfDirectory(atPath: directory) {
            var isFolder: ObjCBool = false
            if entry.hasSuffix(".html") {
                sources[String(entry.dropLast(5))] = try Self.read(directory + "/" + entry)
            } else if manager.fileExists(atPath: directory + "/" + entry, isDirectory: &isFolder), isFolder.boolValue {
                for file in try manager.contentsOfDirectory(atPath: directory + "/" + entry) where file.hasSuffix(".html") {
                    sources[entry + "/" + String(file.dropLast(5))] = try Self.read(directory + "/" + entry + "/" + file)
                }
            }
        }
        try self.init(sources: sources)
    }

    private static func read(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    /// Renders template `name` with `value`.
    public func render(_ name: String, _ value: TemplateValue) throws(TemplateError) -> [UInt8] {
        guard let template = templates[name] else {
            throw TemplateError(file: name, line: 0, column: 0, message: "no template named '\(name)'")
        }
        var output: [UInt8] = []
        output.reserveCapacity(16 * 1024)
        try TemplateRenderer(partials: templates).render(template, value, into: &output)
        return output
    }

    /// Renders page template `name`, then the `layout` around it with the same values plus `content`.
    public func renderPage(_ name: String, _ value: TemplateValue, layout: String = "layout") throws(TemplateError) -> [UInt8] {
        let content = try render(name, value)
        var members: [String: TemplateValue] = [:]
        if case .object(let existing) = value { members = existing }
        members["content"] = .html(TrustedHTML(trusted: String(decoding: content, as: UTF8.self)))
        return try render(layout, .object(members))
    }
}
