/// A file of objects to import in one commit: an object keyed by kind directory, each a
/// list of objects; an object's `id` names it (a new id is made when absent).
///
/// ```json
/// {"zones": [{"id": "zone-annex", "name": "Annex"}], "systems": [{"name": "Annex 1", "zones": ["zone-annex"]}]}
/// ```
public struct ImportFile: Sendable {
    public var documents: [ConfigDocument]

    /// Reads the file; problems name the entry (`systems[3].id`) and what is wrong.
    public static func parse(_ bytes: [UInt8]) throws(ImportError) -> ImportFile {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw ImportError(problems: ["\(error)"]) }
        guard let sections = value.objectValue else {
            throw ImportError(problems: ["the file must hold an object keyed by kind (\"systems\", \"zones\", …), found \(value.typeName)"])
        }
        var documents: [ConfigDocument] = []
        var problems: [String] = []
        var seen = Set<ObjectRef>()
        for directory in JSONWriter.sortedKeys(sections) {
            guard let kind = Kind(directory: directory), kind != .metadata else {
                problems.append("\(directory): not a kind that can be imported (use systems, zones, modules, drivers, …)")
                continue
            }
            guard let entries = sections[directory]!.arrayValue else {
                problems.append("\(directory): must be a list of objects")
                continue
            }
            for (index, entry) in entries.enumerated() {
                guard var members = entry.objectValue else {
                    problems.append("\(directory)[\(index)]: must be an object, found \(entry.typeName)")
                    continue
                }
                let id = members["id"]?.stringValue ?? IdentifierRules.newID(for: kind)
                guard IdentifierRules.isValidID(id, of: kind) else {
                    problems.append("\(directory)[\(index)].id: \"\(id)\" is not a valid \(kind.noun) id")
                    continue
                }
                members["id"] = nil
                let ref = ObjectRef(kind, id)
                guard seen.insert(ref).inserted else {
                    problems.append("\(directory)[\(index)].id: \"\(id)\" appears twice in the file")
                    continue
                }
                documents.append(ConfigDocument(ref: ref, members: members))
            }
        }
        if !problems.isEmpty { throw ImportError(problems: problems) }
        return ImportFile(documents: documents)
    }

    /// The edits that import the file: each object created or replaced.
    public var edits: [Edit] { documents.map(Edit.overwrite) }
}

/// Why an import file could not be read.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}
