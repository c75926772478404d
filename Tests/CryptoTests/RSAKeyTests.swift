import Crypto
import Testing

/// One RSA key pair per test run (generation is the slow part).
enum TestKeys {
    static let primary = RSAKey(pem: RSAKey.generatePEM()!)!
    static let other = RSAKey(pem: RSAKey.generatePEM()!)!
}

@Test func rs256SignaturesVerifyOnlyForTheirKeyAndMessage() {
    let message = Array("header.payload".utf8)
    let signature = TestKeys.primary.sign(message)
    #expect(signature.count == 256)
    #expect(TestKeys.primary.verify(message, signature: signature))
    #expect(!TestKeys.primary.verify(Array("header.payloaD".utf8), signature: signature))
    #expect(!TestKeys.other.verify(message, signature: signature))
    #expect(!TestKeys.primary.verify(message, signature: []))
}

@Test func jwksPublishesTheModulusAndExponent() {
    let jwk = TestKeys.primary.publicJWK
    #expect(jwk["kty"] == "RSA" && jwk["alg"] == "RS256")
    #expect(Base64URL.decode(jwk["n"]!)!.count == 256)
    #expect(Base64URL.decode(jwk["e"]!) == [1, 0, 1])
    #expect(jwk["kid"] != TestKeys.other.publicJWK["kid"])
}

@Test func onlyRSAPrivateKeysLoad() {
    #expect(RSAKey(pem: "not a key") == nil)
    #expect(RSAKey(pem: RSAKey.generatePEM()!) != nil)
}
