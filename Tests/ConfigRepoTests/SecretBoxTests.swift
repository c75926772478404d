@testable import ConfigRepo
import Crypto
import Foundation
import Testing

@Suite struct SecretBoxTests {
    let secret = makeTestSecret()
    var box: SecretBox { SecretBox(secret: secret) }
    let binding = SecretBinding.setting(objectID: "mod-abc", level: .admin, key: "password")

    @Test(arguments: [
        JSONValue.string("hunter2"),
        .string(""),
        .string("Zürich ✓ 会議室 🚀 \"quoted\" \\ /\n"),
        .number("42"), .number("-0.5"), .number("1e3"),
        .bool(true), .null,
        ["user": "svc", "port": 443, "tls": true, "hosts": ["a", "b"], "nested": ["x": [1, 2, ["y": nil]]]],
        [],
    ])
    func roundTrips(value: JSONValue) throws {
        let envelope = box.seal(value, binding: binding)
        #expect(envelope.hasPrefix("enc:v1:"))
        #expect(SecretBox.isEnvelope(envelope))
        #expect(SecretBox.envelopeProblem(envelope) == nil)
        #expect(try box.open(envelope, binding: binding) == value)
    }

    @Test func envelopeLayoutIsNonceCiphertextTag() throws {
        let value: JSONValue = ["b": 1, "a": "x"]
        let envelope = box.seal(value, binding: binding)
        let raw = try #require(Data(base64Encoded: String(envelope.dropFirst(7))))
        // Plaintext is the compact canonical JSON: {"a":"x","b":1} (15 bytes).
        #expect(raw.count == 12 + JSONWriter.compactString(value).utf8.count + 16)
        #expect(raw.count == 12 + 15 + 16)
    }

    @Test func sealingTwiceGivesDifferentTextThatOpensTheSame() throws {
        let first = box.seal("same", binding: binding)
        let second = box.seal("same", binding: binding)
        #expect(first != second)
        #expect(try box.open(first, binding: binding) == "same")
        #expect(try box.open(second, binding: binding) == "same")
    }

    @Test func aBoxFromTheSameSecretOpensWhatAnotherSealed() throws {
        let envelope = box.seal("x", binding: binding)
        #expect(try SecretBox(secret: secret).open(envelope, binding: binding) == "x")
    }

    @Test(arguments: [
        SecretBinding.setting(objectID: "mod-other", level: .admin, key: "password"),
        SecretBinding.setting(objectID: "mod-abc", level: .support, key: "password"),
        SecretBinding.setting(objectID: "mod-abc", level: .neverDisplay, key: "password"),
        SecretBinding.setting(objectID: "mod-abc", level: .admin, key: "Password"),
        SecretBinding.setting(objectID: "mod-abc", level: .admin, key: "password2"),
        SecretBinding.field(objectID: "mod-abc", path: "password"),
    ])
    func movedCiphertextDoesNotOpen(elsewhere: SecretBinding) throws {
        let envelope = box.seal("hunter2", binding: binding)
        let error = #expect(throws: SecretBoxError.self) { try box.open(envelope, binding: elsewhere) }
        #expect(error == .cannotOpen)
        #expect(error?.description.contains(
            "this value was encrypted for another object, level or key, or with another deployment secret") == true)
    }

    @Test func bindingEncodingIsUnambiguous() {
        // Shifting characters between parts must change the additional data.
        let a = SecretBinding(objectID: "mod-a", scope: "admin", key: "bc")
        let b = SecretBinding(objectID: "mod-ab", scope: "admin", key: "c")
        let c = SecretBinding(objectID: "mod-a", scope: "adminb", key: "c")
        #expect(Set([a.additionalData, b.additionalData, c.additionalData]).count == 3)
        #expect(SecretBinding(objectID: "x", scope: "field", key: "k").additionalData
            == [0, 0, 0, 1, 0x78, 0, 0, 0, 5] + Array("field".utf8) + [0, 0, 0, 1, 0x6B])
        let envelope = box.seal("v", binding: a)
        #expect(throws: SecretBoxError.cannotOpen) { try box.open(envelope, binding: b) }
        #expect(throws: SecretBoxError.cannotOpen) { try box.open(envelope, binding: c) }
    }

    @Test func anotherDeploymentSecretCannotOpen() throws {
        let envelope = box.seal("hunter2", binding: binding)
        let otherBox = SecretBox(secret: makeTestSecret())
        #expect(throws: SecretBoxError.cannotOpen) { try otherBox.open(envelope, binding: binding) }
    }

    @Test func tamperingAnyByteIsDetected() throws {
        let envelope = box.seal(["user": "svc", "password": "hunter2"], binding: binding)
        let raw = [UInt8](try #require(Data(base64Encoded: String(envelope.dropFirst(7)))))
        for index in raw.indices {
            var altered = raw
            altered[index] ^= 0x01
            let text = "enc:v1:" + Data(altered).base64EncodedString()
            #expect(throws: SecretBoxError.cannotOpen) { try box.open(text, binding: binding) }
        }
        // Truncating the tag or appending bytes fails too.
        let truncated = "enc:v1:" + Data(raw.dropLast()).base64EncodedString()
        #expect(throws: SecretBoxError.cannotOpen) { try box.open(truncated, binding: binding) }
        let extended = "enc:v1:" + Data(raw + [0]).base64EncodedString()
        #expect(throws: SecretBoxError.cannotOpen) { try box.open(extended, binding: binding) }
    }

    @Test func malformedEnvelopesAreReportedWithoutAKey() throws {
        #expect(!SecretBox.isEnvelope("hunter2"))
        #expect(!SecretBox.isEnvelope(JSONValue.number("1")))
        #expect(throws: SecretBoxError.notAnEnvelope) { try box.open("hunter2", binding: binding) }
        #expect(SecretBox.envelopeProblem("enc:v1:not base64!")?.contains("not valid base64") == true)
        #expect(SecretBox.envelopeProblem("enc:v1:" + Data(repeating: 0, count: 28).base64EncodedString())?
            .contains("too short") == true)
        #expect(SecretBox.envelopeProblem("enc:v1:")?.contains("too short") == true)
        #expect(SecretBox.envelopeProblem("enc:v2:AAAA")?.contains("unknown envelope version") == true)
        let error = #expect(throws: SecretBoxError.self) { try box.open("enc:v1:%%%", binding: binding) }
        if case .malformed = error {} else { Issue.record("expected .malformed, got \(String(describing: error))") }
    }

    /// The vector published in docs/settings-and-secrets.md, computed independently (Python
    /// `cryptography`): secret 00…1f, nonce 00…0b, binding (mod-1, admin, password).
    @Test func publishedTestVector() throws {
        let box = SecretBox(secret: DeploymentSecret(bytes: Array(0...31)))
        let binding = SecretBinding.setting(objectID: "mod-1", level: .admin, key: "password")
        #expect(hex(binding.additionalData) == "000000056d6f642d310000000561646d696e0000000870617373776f7264")
        let derived = try #require(KeyDerivation.hkdfSHA256(key: Array(0...31), info: Array("backoffice settings v1".utf8), length: 32))
        #expect(hex(derived) == "5478dfaf1db3dfe9bdd3beb905ea4d3262708aa4c9031c97414cd336a82d53f4")
        let nonce: [UInt8] = Array(0...11)
        let first = "enc:v1:AAECAwQFBgcICQoLn2elUE5al256Zhel12kfPB4hpgcUQjm59A=="
        let second = "enc:v1:AAECAwQFBgcICQoLxi2gUUhLx2Zqj5NW/aChmna3O1iQqFGYdB7q3zRqp4hh/96nAA45Dg=="
        #expect(box.seal("hunter2", binding: binding, nonce: nonce) == first)
        #expect(box.seal(["user": "svc", "port": 22], binding: binding, nonce: nonce) == second)
        #expect(try box.open(first, binding: binding) == "hunter2")
        #expect(try box.open(second, binding: binding) == ["port": 22, "user": "svc"])
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
