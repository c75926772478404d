import Crypto
import Testing

/// RFC 7515 Appendix A.3: an ES256 JWS and the public half of its key.
private enum RFC7515ES256 {
    static let x = Base64URL.decode("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU")!
    static let y = Base64URL.decode("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0")!
    static let signingInput = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    static let signature = Base64URL.decode("DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q")!
}

@Test func es256VerifiesTheRFC7515Example() throws {
    let key = try #require(PublicKey.p256(x: RFC7515ES256.x, y: RFC7515ES256.y))
    let message = Array(RFC7515ES256.signingInput.utf8)
    #expect(key.verify(.es256, message: message, signature: RFC7515ES256.signature))
    #expect(!key.verify(.es256, message: message + [0x20], signature: RFC7515ES256.signature))
    var flipped = RFC7515ES256.signature
    flipped[10] ^= 1
    #expect(!key.verify(.es256, message: message, signature: flipped))
    // The key verifies only its own algorithm, and only the 64-byte JWS form.
    #expect(!key.verify(.rs256, message: message, signature: RFC7515ES256.signature))
    #expect(!key.verify(.es256, message: message, signature: Array(RFC7515ES256.signature.prefix(63))))
}

@Test func p256RefusesPointsOffTheCurve() {
    var y = RFC7515ES256.y
    y[31] ^= 1
    #expect(PublicKey.p256(x: RFC7515ES256.x, y: y) == nil)
    #expect(PublicKey.p256(x: [], y: RFC7515ES256.y) == nil)
}

@Test func rsaPublicKeyFromTheJWKNumbersVerifiesRS256() throws {
    let signer = TestKeys.primary
    let key = try #require(PublicKey.rsa(modulus: signer.modulus, exponent: signer.exponent))
    let message = Array("a.b".utf8)
    let signature = signer.sign(message)
    #expect(key.verify(.rs256, message: message, signature: signature))
    #expect(!key.verify(.es256, message: message, signature: signature))
    #expect(!key.verify(.rs256, message: Array("a.c".utf8), signature: signature))
    let other = try #require(PublicKey.rsa(modulus: TestKeys.other.modulus, exponent: TestKeys.other.exponent))
    #expect(!other.verify(.rs256, message: message, signature: signature))
}

@Test func shortRSAKeysAreRefused() throws {
    let small = try #require(RSAKey(pem: RSAKey.generatePEM(bits: 1024)!))
    #expect(PublicKey.rsa(modulus: small.modulus, exponent: small.exponent) == nil)
    #expect(PublicKey.rsa(modulus: [], exponent: [1, 0, 1]) == nil)
}
