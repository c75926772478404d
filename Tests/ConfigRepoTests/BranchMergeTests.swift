import Foundation
import Testing
@testable import ConfigRepo
import TestSupport

/// Merging a branch of the configuration repository through the gate (the branches page): one
/// merge commit when it applies and validates, nothing written on a conflict or an invalid result.
@Suite struct BranchMergeTests {
    /// Pushes a branch `name`, made with the git CLI from the current head, whose one commit
    /// replaces `old` by `new` in the file at `path`; returns the branch.
    private func pushBranch(_ sample: SampleRepository, _ name: String, path: String, replacing old: String,
                            with new: String) throws -> ConfigBranch {
        let scratch = try ScratchGitRepository()
        defer { try? FileManager.default.removeItem(atPath: scratch.root) }
        try scratch.git("fetch", "-q", sample.path, "main")
        try scratch.git("checkout", "-q", "-b", "work", "FETCH_HEAD")
        let file = scratch.path + "/" + path
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains(old))
        try scratch.write(path, text.replacingOccurrences(of: old, with: new))
        try scratch.git("commit", "-q", "-am", "\(name): edit \(path)")
        try scratch.git("push", "-q", sample.path, "work:refs/heads/\(name)")
        return try #require(try sample.repository.store.branch(named: name))
    }

    private func capacity(_ sample: SampleRepository, _ system: String) throws -> Int? {
        try sample.document(.system, system).members["capacity"]?.intValue
    }

    @Test func aCleanBranchIsMergedAsOneMergeCommitByTheAdmin() throws {
        let sample = try SampleRepository()
        let branch = try pushBranch(sample, "feature/jetty", path: "systems/sys-l2-jetty.json",
                                    replacing: "\"capacity\": 6,", with: "\"capacity\": 11,")
        #expect(branch.name == "feature/jetty" && !branch.isUpstream && branch.mergeSubject == "Merge branch 'feature/jetty'")
        // Meanwhile the tracked branch changes another object.
        var ferry = try sample.document(.system, "sys-l2-ferry")
        ferry["capacity"] = 9
        let edit = try sample.repository.apply([.save(ferry)], author: SampleRepository.bob)

        let preview = try sample.repository.mergePreview(of: branch)
        guard case .clean(let candidate, let paths) = preview.outcome else { Issue.record("not clean: \(preview.outcome)"); return }
        #expect(paths == ["systems/sys-l2-jetty.json"])
        #expect(candidate.document(.system, "sys-l2-jetty")?.members["capacity"]?.intValue == 11)

        let result = try sample.repository.merge(branch, author: SampleRepository.alice, actingAs: .admin)
        #expect(result.commit.parents == [edit.commit.id, branch.head])
        #expect(result.commit.author.name == "Alice Admin" && result.commit.subject == "Merge branch 'feature/jetty'")
        #expect(result.changed == [ObjectRef(.system, "sys-l2-jetty")])
        #expect(try capacity(sample, "sys-l2-jetty") == 11 && capacity(sample, "sys-l2-ferry") == 9)
        // Now merged: nothing more to merge, and the branch can go.
        guard case .alreadyMerged = try sample.repository.mergePreview(of: branch).outcome else { Issue.record("not merged"); return }
        #expect(throws: WriteError.self) { try sample.repository.merge(branch, author: SampleRepository.alice) }
        #expect(try sample.repository.store.deleteBranch(branch))
        #expect(try sample.repository.store.branch(named: "feature/jetty") == nil)
    }

    @Test func aConflictIsRefusedAndNothingIsWritten() throws {
        let sample = try SampleRepository()
        let branch = try pushBranch(sample, "feature/ferry", path: "systems/sys-l2-ferry.json",
                                    replacing: "\"capacity\": 8,", with: "\"capacity\": 12,")
        var ferry = try sample.document(.system, "sys-l2-ferry")
        ferry["capacity"] = 9
        try sample.repository.apply([.save(ferry)], author: SampleRepository.bob)
        let head = sample.repository.store.head()

        guard case .conflict(let paths) = try sample.repository.mergePreview(of: branch).outcome else {
            Issue.record("no conflict"); return
        }
        #expect(paths == ["systems/sys-l2-ferry.json"])
        #expect {
            try sample.repository.merge(branch, author: SampleRepository.alice, actingAs: .admin)
        } throws: { error in
            if case WriteError.store(.mergeConflict(let paths)) = error { return paths == ["systems/sys-l2-ferry.json"] }
            return false
        }
        #expect(sample.repository.store.head() == head)
        #expect(try capacity(sample, "sys-l2-ferry") == 9)
    }

    @Test func anInvalidResultIsRefusedWithItsProblems() throws {
        let sample = try SampleRepository()
        let branch = try pushBranch(sample, "feature/bad", path: "systems/sys-l2-jetty.json",
                                    replacing: "\"capacity\": 6,", with: "\"capacity\": \"lots\",")
        let head = sample.repository.store.head()
        #expect {
            try sample.repository.merge(branch, author: SampleRepository.alice, actingAs: .admin)
        } throws: { error in
            guard case WriteError.invalid(let problems) = error else { return false }
            return problems.contains { $0.path == "systems/sys-l2-jetty.json" && $0.field == "capacity" }
        }
        #expect(sample.repository.store.head() == head)
        // An upstream branch is never deleted here.
        let upstream = ConfigBranch(reference: GitUpstream.referencePrefix + "main", head: branch.head)
        #expect(upstream.name == "upstream/main" && upstream.isUpstream)
        #expect(throws: StoreError.self) { try sample.repository.store.deleteBranch(upstream) }
    }
}
