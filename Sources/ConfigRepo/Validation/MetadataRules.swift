/// Metadata belongs to a zone, system or user, is named by its file, and matches its schema.
struct MetadataRules {
    let snapshot: Snapshot

    func check(_ document: ConfigDocument, into report: inout ProblemReport) {
        guard let parent = document.metadataParent else {
            let folder = document.id.split(separator: "/").first.map(String.init) ?? ""
            return report.add("", "the folder \"metadata/\(folder)\" must be a zone, system or user id")
        }
        if snapshot.document(parent) == nil {
            report.add("", "belongs to \(parent.kind.noun) \"\(parent.id)\", which does not exist")
        }
        if let name = document.string("name"), name != document.metadataName {
            report.add("name", "must match the file name \"\(document.metadataName ?? "")\", found \"\(name)\"")
        }
        if let schemaID = document.string("schema_id"),
           let schema = snapshot.document(.schema, schemaID)?.members["schema"],
           let details = document["details"] {
            for problem in JSONSchemaChecker().problems(in: details, against: schema, at: "details") {
                report.add(problem.path, problem.message)
            }
        }
    }
}

/// A schema's `schema` member must be a JSON Schema our checker understands.
struct SchemaRules {
    func check(_ document: ConfigDocument, into report: inout ProblemReport) {
        guard let schema = document["schema"] else { return }
        for problem in JSONSchemaChecker().structuralProblems(of: schema, at: "schema") {
            report.add(problem.path, problem.message)
        }
    }
}
