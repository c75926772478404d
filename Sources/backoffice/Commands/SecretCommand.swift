import ConfigRepo

/// `backoffice secret seal [--repo DIR] [--state DIR]`: encrypts plain values that an
/// engineer wrote under encrypted settings levels or into secret fields, in one commit.
enum SecretCommand: Command {
    static let name = "secret"
    static let summary = "encrypt plain secrets in the configuration (seal)"
    static let help = """
        usage: backoffice secret seal [--repo DIR] [--state STATE] [--author "Name <email>"]

        Finds every plain value under an encrypted settings level (support, admin,
        never_display) and every plain secret field (OAuth client secrets, repository
        passwords, webhook secrets, `mail.password` in backoffice.json) at the head of the
        branch, encrypts each with the deployment secret of STATE, bound to its object, level
        and key, and commits the result as one commit. Engineers may push plain values this
        way and seal them on the server; the values are in git history until then, so rotate
        anything sensitive.

          --repo DIR       the configuration repository (default: the current directory)
          --state STATE    the state directory holding the deployment secret (default: .backoffice)
          --author AUTHOR  "Name <email>" (default: BackOffice <backoffice@localhost>)
        """
    static let arguments = ArgumentSpec(valueOptions: ["repo", "state", "author", "branch"], positionals: 1...1)

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        guard arguments.positionals[0] == "seal" else {
            throw UsageError("unknown action \"\(arguments.positionals[0])\"; the action is `seal`")
        }
        guard let box = try StateDirectory.existingSecretBox(arguments) else {
            throw UsageError("no deployment secret in \(StateDirectory.path(arguments)); name the state directory with --state")
        }
        let author = try arguments.value("author").map(Signature.parse) ?? .backoffice
        let repository = try RepositoryOption.open(arguments, secretBox: box)
        let sealer = SecretSealer(box: box)
        let snapshot = try repository.headSnapshot()
        var edits = snapshot.allDocuments.compactMap { document -> Edit? in
            sealer.seal(document) == document ? nil : .save(document)
        }
        if let deployment = snapshot.deployment, sealer.seal(deployment) != deployment {
            edits.append(.saveDeployment(deployment))
        }
        guard !edits.isEmpty else {
            Terminal.print("nothing to seal")
            return 0
        }
        do {
            let result = try repository.apply(edits, author: author, message: "secrets: seal plain values in \(edits.count) object\(edits.count == 1 ? "" : "s")")
            Terminal.print("\(result.commit.id.short) sealed secrets in \(edits.count) object\(edits.count == 1 ? "" : "s")")
            return 0
        } catch {
            Terminal.error("seal refused, nothing written: \(error)")
            return 1
        }
    }
}
