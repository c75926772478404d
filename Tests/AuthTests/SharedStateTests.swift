import Foundation
import Testing
@testable import Auth
@testable import ConfigRepo

/// State files written by two processes (issue 11, item 18): two stores over one directory
/// stand for the server and `backoffice user add`.
@Suite struct SharedStateTests {
    private func directory() throws -> String {
        let path = NSTemporaryDirectory() + "shared-state-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aPasswordSetByAnotherProcessIsSeenAndNeverErased() throws {
        let auth = try directory()
        defer { try? FileManager.default.removeItem(atPath: auth) }
        let server = try PasswordStore(authDirectory: auth)
        try server.set("hash-admin", for: "user-admin")
        let cli = try PasswordStore(authDirectory: auth)
        try cli.set("hash-cli", for: "user-cli")
        // The server sees the CLI's user at once…
        #expect(server.hash(for: "user-cli") == "hash-cli")
        // …and its next write (the first-admin flow) keeps it.
        try server.set("hash-first", for: "user-first")
        let fresh = try PasswordStore(authDirectory: auth)
        #expect(fresh.hash(for: "user-cli") == "hash-cli" && fresh.hash(for: "user-admin") == "hash-admin"
                && fresh.hash(for: "user-first") == "hash-first")
    }

    @Test func concurrentWritersLoseNoUpdate() async throws {
        let auth = try directory()
        defer { try? FileManager.default.removeItem(atPath: auth) }
        let stores = try (0..<4).map { _ in try PasswordStore(authDirectory: auth) }
        await withTaskGroup(of: Void.self) { group in
            for (index, store) in stores.enumerated() {
                group.addTask { for user in 0..<25 { try? store.set("h", for: "user-\(index)-\(user)") } }
            }
        }
        let file = try #require(try StateFile(directory: auth, name: "passwords.json").readJSON()?.objectValue)
        #expect(file.count == 100)
    }

    @Test func sessionsEndedElsewhereEndHereAndTheFirstAdminLinkWorksOnce() throws {
        let auth = try directory()
        defer { try? FileManager.default.removeItem(atPath: auth) }
        let server = try SessionStore(authDirectory: auth)
        let session = server.create(userID: "user-a", domainID: "d", now: 100)
        try SignOutEverywhere(authDirectory: auth).signOut("user-a")
        #expect(server.session(session.id, now: 101) == nil)

        let printed = try FirstAdminLink(authDirectory: auth)
        let token = try printed.issue(now: 100)
        let other = try FirstAdminLink(authDirectory: auth)
        #expect(other.consume(token, now: 101))
        #expect(!printed.consume(token, now: 101))
    }

    @Test func stateFilesOthersCanReadAreRefused() throws {
        let auth = try directory()
        defer { try? FileManager.default.removeItem(atPath: auth) }
        let store = try PasswordStore(authDirectory: auth)
        try store.set("h", for: "user-a")
        chmod(auth + "/passwords.json", 0o644)
        #expect(throws: SecretFileError.self) { _ = try PasswordStore(authDirectory: auth) }
    }
}

/// Sign-outs and token issue times in milliseconds (issue 11, item 14).
@Suite struct RevocationResolutionTests {
    @Test func aTokenIssuedInTheSecondAfterASignOutWorks() throws {
        let auth = NSTemporaryDirectory() + "revocations-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: auth, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: auth) }
        let ledger = try RevocationLedger(authDirectory: auth)
        ledger.signOut("user-a", atMilliseconds: 5_000_400)
        #expect(ledger.isRevoked(userID: "user-a", tokenID: "t", issuedAtMilliseconds: 5_000_400))
        #expect(!ledger.isRevoked(userID: "user-a", tokenID: "t", issuedAtMilliseconds: 5_000_401))
        // A token without iat_ms counts from the start of its second: refused in doubt.
        var claims = AccessTokenClaims(issuedAt: 5_000, expiresAt: 9_000, audience: "a", subject: "user-a", scopes: [], name: "",
                                       email: "", role: .user)
        #expect(ledger.isRevoked(userID: "user-a", tokenID: "t", issuedAtMilliseconds: claims.issueMillisecond))
        claims.issuedAtMilliseconds = 5_000_900
        #expect(!ledger.isRevoked(userID: "user-a", tokenID: "t", issuedAtMilliseconds: claims.issueMillisecond))
        // An iat_ms that disagrees with iat is not believed.
        claims.issuedAtMilliseconds = 6_000_000
        #expect(claims.issueMillisecond == 5_000_000)
    }

    @Test func aSignOutRecordedInSecondsCoversItsWholeSecond() throws {
        let auth = NSTemporaryDirectory() + "revocations-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: auth, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: auth) }
        try StateFile(directory: auth, name: "revocations.json").writeJSON(["signed_out": ["user-a": 5_000]])
        let ledger = try RevocationLedger(authDirectory: auth)
        #expect(ledger.isRevoked(userID: "user-a", tokenID: "t", issuedAtMilliseconds: 5_000_999))
        #expect(!ledger.isRevoked(userID: "user-a", tokenID: "t", issuedAtMilliseconds: 5_001_000))
    }
}

/// The access log's bound (issue 11, item 12).
@Suite struct AccessLogBoundTests {
    @Test func theLogRotatesAtItsCapAndReadsNewestFirstAcrossGenerations() throws {
        let auth = NSTemporaryDirectory() + "access-log-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: auth, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: auth) }
        let log = AccessLog(authDirectory: auth, rotationBytes: 4096)
        for time in 0..<1000 {
            log.record(.init(time: time, userID: time % 2 == 0 ? "user-a" : "user-b", systemID: "sys-\(time)", action: "view"))
        }
        let size = { (path: String) in (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        #expect(size(auth + "/access.log") <= 4096 + 200 && size(auth + "/access.log.1") <= 4096 + 200)
        let entries = log.entries(userID: "user-a", limit: 30)
        #expect(entries.count == 30 && entries.first?.time == 998 && entries.allSatisfy { $0.userID == "user-a" })
        #expect(zip(entries, entries.dropFirst()).allSatisfy { $0.time > $1.time })
        // What is left of the older generations is dropped: the log is bounded.
        #expect(log.entries(userID: "user-a", limit: 10_000).count < 100)
    }
}
