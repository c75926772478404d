import ConfigRepo
import Crypto
import Foundation
import Testing
@testable import Auth

/// SAML responses (`SAMLResponseChecker` over libxmlsec1): fixtures signed by pysaml2 for the
/// request `_abc123` of the SP `https://bo.example/saml` (Tests/AuthTests/Fixtures/saml; the
/// e2e test makes fresh ones against a live IdP).
@Suite struct SAMLResponseCheckerTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/saml").path
    static let consumer = "http://127.0.0.1:9/auth/adfs/callback"

    static func fixture(_ name: String) -> String {
        (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? ""
    }

    static func strategy(_ members: [String: JSONValue] = [:]) -> SAMLStrategy {
        var all: [String: JSONValue] = ["name": "Corp", "authority_id": "authority-x", "issuer": "https://bo.example/saml",
                                        "idp_sso_target_url": "http://127.0.0.1:1/sso", "idp_cert": .string(fixture("idp.crt"))]
        for (key, value) in members { all[key] = value.isNull ? nil : value }
        return SAMLStrategy(ConfigDocument(ref: ObjectRef(.authStrategy, "adfs_strat-corp"), members: all, version: nil,
                                           path: "auth/adfs_strat-corp.json"))!
    }

    /// The fixture's IssueInstant, plus a minute.
    static func now(_ xml: String) -> Int {
        let start = xml.range(of: "IssueInstant=\"")!.upperBound
        return SAMLResponseChecker.parseTime(String(xml[start...].prefix(20)))! + 60
    }

    func check(_ xml: String, strategy: SAMLStrategy = strategy(), consumer: String = consumer, requestID: String = "_abc123",
               shift: Int = 0) throws(SAMLRejection) -> SAMLAssertion {
        try SAMLResponseChecker(strategy: strategy, consumerURL: consumer).check(Array(xml.utf8), requestID: requestID, now: Self.now(xml) + shift)
    }

    func reason(_ body: () throws -> SAMLAssertion) -> String {
        do {
            _ = try body()
            return "accepted"
        } catch { return String(describing: error) }
    }

    @Test func signedResponsesGiveTheIdentity() throws {
        for name in ["resp-both.xml", "resp-resp.xml", "resp-assert.xml"] {
            let assertion = try check(Self.fixture(name))
            #expect(assertion.identity.uid == "ann@corp.example" && assertion.identity.email == "ann@corp.example", "\(name)")
            #expect(assertion.identity.name == "Ann" && assertion.identity.groups == ["g1"], "\(name)")
            #expect(assertion.expiresAt > Self.now(Self.fixture(name)))
        }
    }

    @Test func signatureProblemsAreRefused() {
        #expect(reason { try check(Self.fixture("resp-none.xml")) } == "the response is not signed")
        #expect(reason { try check(Self.fixture("resp-both.xml"), strategy: Self.strategy(["idp_cert": .string(Self.fixture("other.crt"))])) }
            .contains("does not verify with the IdP certificate"))
        let edited = Self.fixture("resp-assert.xml").replacingOccurrences(of: ">ann@corp.example<", with: ">mal@corp.example<")
        #expect(reason { try check(edited) }.contains("does not verify"))
    }

    @Test func aSecondAssertionBesideTheSignedOneIsRefused() throws {
        let xml = Self.fixture("resp-assert.xml")
        let start = try #require(xml.range(of: "<ns1:Assertion "))
        let end = try #require(xml.range(of: "</ns1:Assertion>"))
        let signed = String(xml[start.lowerBound..<end.upperBound])
        var forged = signed.replacingOccurrences(of: ">ann@corp.example<", with: ">mal@corp.example<")
        if let signature = forged.range(of: "<ns2:Signature"), let close = forged.range(of: "</ns2:Signature>") {
            forged.removeSubrange(signature.lowerBound..<close.upperBound)
        }
        forged = forged.replacingOccurrences(of: "ID=\"", with: "ID=\"evil-")
        #expect(reason { try check(xml.replacingOccurrences(of: signed, with: forged + signed)) } == "the response has 2 assertions (exactly one is accepted)")
        // A signature moved off its own element is refused too.
        #expect(reason { try check(xml.replacingOccurrences(of: signed, with: forged)) } == "the response is not signed")
    }

    @Test func dtdsAreRefusedBeforeAnyEntityIsRead() {
        let xml = Self.fixture("resp-both.xml").replacingOccurrences(of: "<?xml version=\"1.0\"?>",
                                                                     with: "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>")
        #expect(reason { try check(xml) }.contains("DTD"))
    }

    @Test func theAssertionMustBeForThisRequestAudienceAndTime() {
        let xml = Self.fixture("resp-both.xml")
        #expect(reason { try check(xml, requestID: "_other") } == "the response answers another request (InResponseTo)")
        #expect(reason { try check(xml, strategy: Self.strategy(["issuer": "https://other.example/saml"])) }
            == "the assertion is not for our entity id (Audience)")
        #expect(reason { try check(xml, consumer: "http://127.0.0.1:9/elsewhere") }.contains("is not our assertion consumer URL"))
        #expect(reason { try check(xml, shift: 3600) }.contains("expired (NotOnOrAfter)"))
        #expect(reason { try check(xml, shift: -3600) }.contains("not valid yet (NotBefore)"))
        #expect(reason { try check(xml, strategy: Self.strategy(["name_identifier_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"])) }
            .contains("name_identifier_format"))
    }

    @Test func aFingerprintPinsTheEmbeddedCertificate() throws {
        let pem = Self.fixture("idp.crt")
        let base64 = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let der = try #require(Base64.decode(base64))
        let sha1 = Hex.encode(Digest.sha1.hash(der)), sha256 = Hex.encode(Digest.sha256.hash(der)).uppercased()
        let colons = stride(from: 0, to: sha256.count, by: 2).map { String(Array(sha256)[$0..<$0 + 2]) }.joined(separator: ":")
        for fingerprint in [sha1, colons] {
            #expect(try check(Self.fixture("resp-both.xml"), strategy: Self.strategy(["idp_cert": .null, "idp_cert_fingerprint": .string(fingerprint)]))
                .identity.uid == "ann@corp.example")
        }
        #expect(reason { try check(Self.fixture("resp-both.xml"), strategy: Self.strategy(["idp_cert": .null, "idp_cert_fingerprint": .string(String(repeating: "a", count: 40))])) }
            .contains("fingerprint"))
        // Bare base64, as AD FS exports it, is read as the certificate too.
        #expect(try check(Self.fixture("resp-both.xml"), strategy: Self.strategy(["idp_cert": .string(base64)])).identity.uid == "ann@corp.example")
    }

    @Test func timesAndTheRequestWeSend() throws {
        #expect(SAMLResponseChecker.parseTime("2026-12-04T16:25:55Z") == 1_796_401_555)
        #expect(SAMLResponseChecker.parseTime("2026-12-04T16:25:55.123Z") == 1_796_401_555)
        #expect(SAMLResponseChecker.parseTime("2026-12-04T18:25:55+02:00") == 1_796_401_555)
        #expect(SAMLResponseChecker.parseTime("2026-12-04 16:25:55") == nil)
        #expect(SAMLMessages.instant(1_796_401_555) == "2026-12-04T16:25:55Z")
        let url = SAMLMessages.redirect(strategy: Self.strategy(), requestID: "_r1", consumerURL: Self.consumer, relayState: "st", now: 1_796_401_555)
        #expect(url.hasPrefix("http://127.0.0.1:1/sso?SAMLRequest=") && url.hasSuffix("&RelayState=st"))
        // Stored DEFLATE blocks: the XML is readable after the 5-byte block header.
        let deflated = SAMLMessages.deflateStored(Array("<a/>".utf8))
        #expect(deflated == [1, 4, 0, 0xFB, 0xFF] + Array("<a/>".utf8))
        #expect(SAMLMessages.deflateStored([UInt8](repeating: 65, count: 70_000)).count == 70_000 + 10)
    }

    @Test func replayedAssertionsAreRefusedUntilTheyExpire() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("saml-replay-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let auth = try StateFile.authDirectory(stateDirectory: directory)
        let cache = try SAMLReplayCache(authDirectory: auth)
        #expect(try cache.claim(strategyID: "s", assertionID: "a1", until: 200, now: 100))
        #expect(try !cache.claim(strategyID: "s", assertionID: "a1", until: 200, now: 150))
        #expect(try !SAMLReplayCache(authDirectory: auth).claim(strategyID: "s", assertionID: "a1", until: 200, now: 150), "another process sees it")
        #expect(try cache.claim(strategyID: "other", assertionID: "a1", until: 200, now: 150))
        #expect(try cache.claim(strategyID: "s", assertionID: "a1", until: 400, now: 201), "expired entries are forgotten")
    }
}
