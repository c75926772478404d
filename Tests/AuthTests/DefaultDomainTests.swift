import ConfigRepo
import Foundation
import TestSupport
import Testing
@testable import Auth

/// A request whose `Host` no domain claims signs in to the default domain: the one
/// `backoffice.json` names, else the oldest — never whichever id sorts first.
@Suite struct DefaultDomainTests {
    @Test func aNewDomainWhoseIdSortsFirstDoesNotTakeOverTheDefault() throws {
        let sample = try SampleRepository()
        let cache = DirectoryCache(repository: sample.repository)
        #expect(cache.current.domain(forHost: "127.0.0.1:8080")?.id == "authority-harbourpoint")
        // Git dates commits to the second: the newer domain must be a later second.
        let later = Signature(name: "Alice Admin", email: "alice@harbourpoint.example", date: Date().addingTimeInterval(60))
        let newer = ConfigDocument(ref: ObjectRef(.domain, "authority-000-new"), members: ["name": "New", "domain": "new.example"])
        try sample.repository.apply([.save(newer)], author: later)
        cache.invalidate()
        #expect(cache.current.domain(forHost: "127.0.0.1:8080")?.id == "authority-harbourpoint")
        #expect(cache.current.domain(forHost: "new.example")?.id == "authority-000-new")

        var deployment = try #require(try sample.repository.headSnapshot().deployment)
        deployment.members["default_domain"] = "authority-000-new"
        try sample.repository.apply([.saveDeployment(deployment)], author: later)
        cache.invalidate()
        #expect(cache.current.domain(forHost: "127.0.0.1")?.id == "authority-000-new")
    }

    @Test func withoutHistoryTheFirstByIdAnswers() {
        let files = ["domains/authority-b.json", "domains/authority-a.json"].enumerated().map { index, path in
            RepoFile(path: path, blob: ObjectID(hex: String(repeating: "0", count: 39) + String(index + 1))!,
                     bytes: JSONWriter.canonicalBytes(["name": "D", "domain": .string(path)]))
        }
        #expect(DefaultDomain.id(in: Snapshot(commit: nil, files: files), repository: nil) == "authority-a")
    }
}
