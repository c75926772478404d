import Testing
import TestSupport
@testable import ConfigRepo

/// The head's problems followed commit by commit must be those of a full validation of each head.
@Suite struct HeadProblemsTests {
    /// Commits `changes` as they are (no validation gate: the point is to make problems).
    private func commit(_ repository: ConfigRepository, _ changes: [FileChange], _ message: String) throws {
        try repository.store.commit(changes, author: SampleRepository.alice, message: message)
    }

    @Test func problemsFollowedCommitByCommitEqualAFullValidation() throws {
        let sample = try SampleRepository()
        let repository = sample.repository
        let followed = HeadProblems(repository: repository)
        func check(_ step: String) throws {
            #expect(try followed.current() == repository.validate(), "\(step)")
        }
        try check("start")
        let head = try repository.headSnapshot()

        // A module removed by hand: systems that list it and triggers that name it break.
        let hvac = try #require(head.document(.module, "mod-l1-huddle-hvac"))
        try commit(repository, [FileChange(path: hvac.path, expected: .any, content: nil)], "remove a module by hand")
        try check("dangling module")
        #expect(try !followed.current().isEmpty)

        // Two systems with the same name: a unique value shared (both get a problem).
        var huddle = try #require(head.document(.system, "sys-l1-huddle"))
        let other = try #require(head.all(.system).first { $0.id != huddle.id })
        huddle["name"] = other["name"]
        try commit(repository, [FileChange(path: huddle.path, expected: .any, content: huddle.canonicalBytes)], "duplicate name")
        try check("duplicate name")

        // Unreadable JSON, then a second copy of an object in its shard folder.
        try commit(repository, [FileChange(path: other.path, expected: .any, content: Array("{ not json".utf8))], "broken file")
        try check("unreadable file")
        let zone = try #require(head.all(.zone).first)
        try commit(repository, [FileChange(path: zone.ref.shardedPath, expected: .absent, content: zone.canonicalBytes)], "a second copy")
        try check("duplicated object")

        // A sealed setting moved to another object no longer opens; then everything put back.
        let sealed = try #require(head.allDocuments.first { document in
            guard let settings = document["settings"] else { return false }
            return "\(settings)".contains("enc:v1:")
        })
        var thief = try #require(head.all(sealed.kind).first { $0.id != sealed.id })
        thief["settings"] = sealed["settings"]
        try commit(repository, [FileChange(path: thief.path, expected: .any, content: thief.canonicalBytes)], "moved ciphertext")
        try check("moved envelope")
        #expect(try followed.current().contains { $0.path == thief.path })

        try commit(repository, [
            FileChange(path: hvac.path, expected: .absent, content: hvac.canonicalBytes),
            FileChange(path: other.path, expected: .any, content: other.canonicalBytes),
            FileChange(path: huddle.path, expected: .any, content: head.document(huddle.ref)!.canonicalBytes),
            FileChange(path: zone.ref.shardedPath, expected: .any, content: nil),
            FileChange(path: thief.path, expected: .any, content: head.document(thief.ref)!.canonicalBytes),
        ], "put back")
        try check("put back")

        // The deployment file changes: validated whole again, still the same answer.
        var deployment = try #require(head.deployment)
        deployment.members["title"] = 42
        try commit(repository, [FileChange(path: RepoPath.deploymentFile, expected: .any, content: deployment.canonicalBytes)], "bad title")
        try check("deployment file")
    }
}
