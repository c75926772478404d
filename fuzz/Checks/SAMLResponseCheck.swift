import Auth
import ConfigRepo
import Crypto
import Foundation

/// The SAML response check (`SAMLResponseChecker.check`, through libxmlsec1's
/// `saml_verify_response` in CXMLSecShim) with the IdP certificate of the unit tests' fixtures
/// (Tests/AuthTests/Fixtures/saml, signed by pysaml2 for the request `_abc123`). The first byte
/// picks how the strategy trusts the IdP, the rest is the response's XML:
/// - 0: `idp_cert` is the IdP's certificate; 1: `idp_cert_fingerprint` is its SHA-256;
/// - 2: `idp_cert` is another certificate: nothing is ever accepted.
///
/// Property: the IdP's key signed three responses and nothing else, so an accepted response
/// must give exactly what one of them says (assertion id, expiry, uid, email, name, groups): an
/// unsigned, wrongly signed, wrapped or edited input that is accepted as someone else, or as
/// anything new, breaks it.
public enum SAMLResponseCheck: FuzzCheck {
    public static let name = "saml"
    static let requestID = "_abc123"
    static let consumerURL = "http://127.0.0.1:9/auth/adfs/callback"
    static let signedFixtures = ["resp-both.xml", "resp-resp.xml", "resp-assert.xml"]

    static let folder: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/Tests/AuthTests/Fixtures/saml/"
    }()

    static func fixture(_ name: String) -> String {
        guard let text = try? String(contentsOfFile: folder + name, encoding: .utf8) else {
            fatalError("fuzz-saml: cannot read the fixture \(folder + name)")
        }
        return text
    }

    /// The fixtures' time: the first IssueInstant, plus a minute.
    static let now: Int = {
        let xml = fixture("resp-both.xml")
        let start = xml.range(of: "IssueInstant=\"")!.upperBound
        return SAMLResponseChecker.parseTime(String(xml[start...].prefix(20)))! + 60
    }()

    static func checker(_ trust: [String: JSONValue]) -> SAMLResponseChecker {
        var members: [String: JSONValue] = ["name": "Fuzz", "authority_id": "authority-fuzz", "issuer": "https://bo.example/saml",
                                            "idp_sso_target_url": "http://127.0.0.1:1/sso"]
        members.merge(trust) { $1 }
        let document = ConfigDocument(ref: ObjectRef(.authStrategy, "adfs_strat-fuzz"), members: members, version: nil,
                                      path: "auth/adfs_strat-fuzz.json")
        return SAMLResponseChecker(strategy: SAMLStrategy(document)!, consumerURL: consumerURL)
    }

    static let checkers: [SAMLResponseChecker] = {
        let certificate = fixture("idp.crt")
        let body = certificate.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let fingerprint = Hex.encode(Digest.sha256.hash(Base64.decode(body)!))
        return [checker(["idp_cert": .string(certificate)]), checker(["idp_cert_fingerprint": .string(fingerprint)]),
                checker(["idp_cert": .string(fixture("other.crt"))])]
    }()

    /// What the IdP signed: the assertions of the signed fixtures, as the checker reads them.
    static let signed: [SAMLAssertion] = signedFixtures.map { name in
        do {
            return try checkers[0].check(Array(fixture(name).utf8), requestID: requestID, now: now)
        } catch {
            fatalError("fuzz-saml: the signed fixture \(name) is refused (\(error)); the check has nothing to compare with")
        }
    }

    public static func check(_ input: [UInt8]) throws(PropertyViolation) {
        guard let first = input.first else { return }
        let mode = Int(first % 3)
        guard let accepted = try? checkers[mode].check(Array(input.dropFirst()), requestID: requestID, now: now) else { return }
        try require(mode != 2, "accepted a response signed by another key than the trusted certificate's: \(accepted)")
        try require(signed.contains(accepted), "accepted an assertion the IdP never signed: \(accepted)")
    }
}
