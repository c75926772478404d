import Crypto
import Testing

@Test func base64URLRoundTripsAndRefusesGarbage() {
    for length in 0..<40 {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
        #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
    }
    #expect(Base64URL.encode(Array("hi?>".utf8)) == "aGk_Pg")
    #expect(Base64URL.decode("aGk/Pg") == nil)      // standard alphabet refused
    #expect(Base64URL.decode("aGk_Pg==") == nil)    // padding refused
    #expect(Base64URL.decode("a") == nil)
    #expect(Base64URL.decode("aGk") == Array("hi".utf8) && Base64URL.decode("aGl") == nil)  // non-canonical trailing bits
}

@Test func base64RoundTrips() {
    for length in 0..<40 {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        #expect(Base64.decode(Base64.encode(bytes)) == bytes)
    }
    #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
    #expect(Base64.decode("Zm9=YmFy") == nil)
    #expect(Base64.decode("Zm9") == nil)
}

@Test func hexIsLowercaseTwoDigitsAByte() {
    #expect(Hex.encode([0, 1, 0xAB, 0xFF]) == "0001abff")
    #expect(Hex.encode([]) == "")
}
