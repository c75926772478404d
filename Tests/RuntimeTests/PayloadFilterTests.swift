import Testing
@testable import Runtime

@Suite struct PayloadFilterTests {
    let email = #"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"#

    @Test func matchesAreReplacedByTheirHexHMAC() throws {
        let filter = try #require(try PayloadFilter(patterns: [email, #"\bDOE\b"#], secret: Array("key".utf8)))
        // RFC 4231-style check with a well-known vector: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        #expect(filter.hash("The quick brown fox jumps over the lazy dog") == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        let json = #"{"organiser":"jamie@harbourpoint.example","name":"JANE DOE","seats":4}"#
        let filtered = try #require(filter.apply(json))
        #expect(filtered == #"{"organiser":"\#(filter.hash("jamie@harbourpoint.example"))","name":"JANE \#(filter.hash("DOE"))","seats":4}"#)
        #expect(filter.apply(#"{"power":true}"#) == #"{"power":true}"#)
    }

    @Test func aFilterThatBreaksTheJSONIsRefused() throws {
        let filter = try #require(try PayloadFilter(patterns: [#"":"#], secret: Array("key".utf8)))
        #expect(filter.apply(#"{"a":"b"}"#) == nil)
    }

    @Test func noFiltersNoFilter() throws {
        #expect(try PayloadFilter(patterns: [], secret: []) == nil)
    }
}
