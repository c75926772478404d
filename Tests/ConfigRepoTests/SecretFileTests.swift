@testable import ConfigRepo
import Crypto
import Foundation
import Testing

/// A fresh empty directory for one test; remove it with `removeSecretTestDirectory`.
func makeSecretTestDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("backoffice-secret-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeSecretTestDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// A throwaway deployment secret (not on disk).
func makeTestSecret() -> DeploymentSecret {
    DeploymentSecret(bytes: SecureRandom.bytes(DeploymentSecret.byteCount))
}

private func mode(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as! NSNumber).intValue & 0o777
}

@Suite struct SecretFileTests {
    @Test func createsTheSecretWithMode0600InANew0700Directory() throws {
        let root = try makeSecretTestDirectory()
        defer { removeSecretTestDirectory(root) }
        let state = root + "/state/nested"
        #expect(try DeploymentSecret.load(stateDirectory: state) == nil)
        let secret = try DeploymentSecret.loadOrCreate(stateDirectory: state)
        #expect(secret.bytes.count == 32)
        let file = state + "/secret"
        #expect(try mode(of: file) == 0o600)
        #expect(try mode(of: state) == 0o700)
        let onDisk = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(onDisk == secret.bytes)
        // No temporary files left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: state) == ["secret"])
    }

    @Test func reusesTheExistingSecret() throws {
        let state = try makeSecretTestDirectory()
        defer { removeSecretTestDirectory(state) }
        let first = try DeploymentSecret.loadOrCreate(stateDirectory: state)
        let second = try DeploymentSecret.loadOrCreate(stateDirectory: state)
        let loaded = try #require(try DeploymentSecret.load(stateDirectory: state))
        #expect(first.bytes == second.bytes)
        #expect(first.bytes == loaded.bytes)
        // Two secrets made in two places differ.
        let other = try makeSecretTestDirectory()
        defer { removeSecretTestDirectory(other) }
        #expect(try DeploymentSecret.loadOrCreate(stateDirectory: other).bytes != first.bytes)
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660])
    func refusesASecretReadableByGroupOrOthers(permissions: Int) throws {
        let state = try makeSecretTestDirectory()
        defer { removeSecretTestDirectory(state) }
        _ = try DeploymentSecret.loadOrCreate(stateDirectory: state)
        try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: state + "/secret")
        let error = #expect(throws: DeploymentSecretError.self) {
            try DeploymentSecret.loadOrCreate(stateDirectory: state)
        }
        #expect(error?.path == state + "/secret")
        #expect(error?.message.contains("mode is 0\(String(permissions, radix: 8))") == true)
        #expect(error?.message.contains("group or others") == true)
        #expect(throws: DeploymentSecretError.self) { try DeploymentSecret.load(stateDirectory: state) }
    }

    @Test func refusesASecretOfTheWrongSize() throws {
        let state = try makeSecretTestDirectory()
        defer { removeSecretTestDirectory(state) }
        let file = state + "/secret"
        #expect(FileManager.default.createFile(atPath: file, contents: Data(repeating: 7, count: 16),
                                               attributes: [.posixPermissions: 0o600]))
        let error = #expect(throws: DeploymentSecretError.self) {
            try DeploymentSecret.loadOrCreate(stateDirectory: state)
        }
        #expect(error?.message.contains("16 bytes, expected 32") == true)
        // It was not replaced.
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)).count == 16)
    }

    @Test func refusesASymbolicLink() throws {
        let state = try makeSecretTestDirectory()
        defer { removeSecretTestDirectory(state) }
        let real = state + "/real"
        #expect(FileManager.default.createFile(atPath: real, contents: Data(repeating: 1, count: 32),
                                               attributes: [.posixPermissions: 0o600]))
        try FileManager.default.createSymbolicLink(atPath: state + "/secret", withDestinationPath: real)
        #expect(throws: DeploymentSecretError.self) { try DeploymentSecret.load(stateDirectory: state) }
    }

    @Test func neverPrintsItsBytes() throws {
        let secret = makeTestSecret()
        let hex = secret.bytes.map { String($0) }.joined(separator: ", ")
        for text in [String(describing: secret), String(reflecting: secret), "\(secret)",
                     String(describing: SecretBox(secret: secret))] {
            #expect(!text.contains(hex))
            #expect(text.contains("hidden"))
        }
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains(hex))
        #expect(dumped.contains("hidden"))
        #expect(Mirror(reflecting: secret).children.isEmpty)
    }
}
