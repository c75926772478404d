/// A driver comes from a driver repository, not an interface repository.
struct DriverRules {
    let snapshot: Snapshot

    func check(_ document: ConfigDocument, into report: inout ProblemReport) {
        guard let repositoryID = document.string("repository_id"),
              let repository = snapshot.document(.repository, repositoryID) else { return }
        if let type = repository.string("repo_type"), type != "driver" {
            report.add("repository_id", "repository \"\(repositoryID)\" is an \(type) repository; drivers come from driver repositories")
        }
        if let file = document.string("file_name"), file.hasPrefix("/") || file.split(separator: "/").contains("..") {
            report.add("file_name", "must be a relative path inside the repository, found \"\(file)\"")
        }
    }
}

/// Repository folder names become URL paths and directory names.
struct RepositoryRules {
    func check(_ document: ConfigDocument, into report: inout ProblemReport) {
        guard let folder = document.string("folder_name"), !folder.isEmpty else { return }
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-().")
        if !folder.allSatisfy(allowed.contains) || folder == "." || folder == ".." {
            report.add("folder_name", "may use only letters, digits and _ + - ( ) . — found \"\(folder)\"")
        }
    }
}

/// A user's email must look like one.
struct UserRules {
    func check(_ document: ConfigDocument, into report: inout ProblemReport) {
        guard let email = document.string("email"), !email.isEmpty else { return }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        if parts.count != 2 || parts[0].isEmpty || !parts[1].contains(".") || email.contains(" ") {
            report.add("email", "must be an email address, found \"\(email)\"")
        }
    }
}

/// Names, hosts and emails that PlaceOS requires to be unique.
struct UniquenessRule {
    let snapshot: Snapshot

    func check(_ document: ConfigDocument, into report: inout ProblemReport) {
        for key in snapshot.uniqueKeys(of: document) {
            let others = snapshot.claimants(of: key).subtracting([document.id]).sorted()
            if let first = others.first {
                let scope = key.scope.isEmpty ? "" : " in \(key.scope)"
                if key.field == "triggers.id" {
                    report.add("triggers", "trigger instance id \"\(key.value)\" is already used by system \"\(first)\"; instance ids are unique across systems")
                    continue
                }
                report.add(key.field, "\"\(document.string(key.field) ?? key.value)\" is already used\(scope) by \(document.kind.noun) \"\(first)\"")
            }
        }
    }
}
