import Foundation
import Testing
@testable import ConfigRepo
import TestSupport

/// Replaying waiting commits onto a moved upstream (docs/git-workflows.md, rule 5): file by file,
/// authors and messages kept; the same file changed on both sides is a conflict.
@Suite struct StoreReplayTests {
    /// The sample repository with `theirs` (edits of an upstream, made on the first commit) on a
    /// branch `upstream` and our edits on `main`; returns the repository, the fork point and theirs.
    private func diverged(ours: [(String, Int)], theirs: [(String, Int)]) throws -> (SampleRepository, ObjectID, ObjectID) {
        let sample = try SampleRepository()
        let fork = try #require(sample.repository.store.head())
        for (system, capacity) in theirs {
            var document = try sample.document(.system, system)
            document["capacity"] = .int(capacity)
            try sample.repository.apply([.save(document)], author: Signature(name: "Erin Engineer", email: "erin@example.com"))
        }
        let upstream = try #require(sample.repository.store.head())
        // Back to the fork for our own commits (the upstream's stay reachable as `upstream`).
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        git.arguments = ["-C", sample.path, "branch", "upstream", upstream.hex]
        try git.run()
        git.waitUntilExit()
        #expect(try sample.repository.store.moveBranch(to: fork, from: upstream, logMessage: "test: back to the fork"))
        for (system, capacity) in ours {
            var document = try sample.document(.system, system)
            document["capacity"] = .int(capacity)
            try sample.repository.apply([.save(document)], author: SampleRepository.alice)
        }
        return (sample, fork, upstream)
    }

    @Test func commitsOnOtherFilesLandOnTopWithTheirAuthorsAndMessages() throws {
        let (sample, fork, upstream) = try diverged(ours: [("sys-l2-jetty", 11), ("sys-l1-huddle", 12)], theirs: [("sys-l2-buoy", 5)])
        let store = sample.repository.store
        let head = try #require(store.head())
        let ours = try #require(try store.commits(after: fork, upTo: head))
        #expect(ours.count == 2)
        guard case .replayed(let replayedHead, let made) = try store.replay(ours, onto: upstream, committer: .backoffice) else {
            Issue.record("not replayed"); return
        }
        #expect(made.count == 2 && made.last == replayedHead)
        let replayed = try made.map { try store.commitInfo($0) }
        #expect(replayed.map(\.message) == ours.map(\.message))
        #expect(replayed.map(\.author.name) == ["Alice Admin", "Alice Admin"])
        #expect(replayed[0].parents == [upstream] && replayed[1].parents == [made[0]])
        let snapshot = try sample.repository.snapshot(at: replayedHead.hex)
        #expect(snapshot.document(.system, "sys-l2-buoy")?.members["capacity"]?.intValue == 5)
        #expect(snapshot.document(.system, "sys-l2-jetty")?.members["capacity"]?.intValue == 11)
        #expect(snapshot.document(.system, "sys-l1-huddle")?.members["capacity"]?.intValue == 12)
    }

    @Test func theSameFileChangedOnBothSidesIsAConflictAndNothingIsReplayed() throws {
        let (sample, fork, upstream) = try diverged(ours: [("sys-l2-jetty", 11), ("sys-l2-buoy", 7)], theirs: [("sys-l2-buoy", 5)])
        let store = sample.repository.store
        let head = try #require(store.head())
        let ours = try #require(try store.commits(after: fork, upTo: head))
        guard case .conflict(let commit, let paths) = try store.replay(ours, onto: upstream, committer: .backoffice) else {
            Issue.record("no conflict"); return
        }
        #expect(commit.id == ours[1].id && paths == ["systems/sys-l2-buoy.json"])
    }

    @Test func aChangeTheUpstreamAlreadyHasIsDropped() throws {
        let (sample, fork, upstream) = try diverged(ours: [("sys-l2-buoy", 5), ("sys-l2-jetty", 11)], theirs: [("sys-l2-buoy", 5)])
        let store = sample.repository.store
        let head = try #require(store.head())
        let ours = try #require(try store.commits(after: fork, upTo: head))
        guard case .replayed(_, let made) = try store.replay(ours, onto: upstream, committer: .backoffice) else {
            Issue.record("not replayed"); return
        }
        #expect(made.count == 1)
        #expect(try store.commitInfo(made[0]).message == ours[1].message)
        // A line that does not reach the ancestor is no line.
        #expect(try store.commits(after: upstream, upTo: head, limit: 50) == nil)
    }
}
