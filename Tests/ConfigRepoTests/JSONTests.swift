import Testing
@testable import ConfigRepo

@Suite struct JSONTests {
    @Test func canonicalFormSortsKeysIndentsTwoAndEndsWithNewline() {
        let value: JSONValue = ["b": [1, 2], "a": "x/y", "c": [:], "d": []]
        #expect(JSONWriter.canonicalString(value) == """
        {
          "a": "x/y",
          "b": [
            1,
            2
          ],
          "c": {},
          "d": []
        }

        """)
    }

    @Test func loadThenSaveIsByteIdentical() throws {
        let text = """
        {
          "capacity": 12,
          "name": "Board room \\"A\\" ✓",
          "ratio": -0.50,
          "x": 1e3,
          "zones": [
            "zone-1"
          ]
        }

        """
        let value = try JSONParser.parse(text)
        #expect(JSONWriter.canonicalString(value) == text)
    }

    @Test func keysSortByCodePoint() {
        let value: JSONValue = ["é": 1, "Z": 2, "a": 3, "_": 4]
        #expect(JSONWriter.compactString(value) == #"{"Z":2,"_":4,"a":3,"é":1}"#)
    }

    @Test func controlCharactersAreEscaped() throws {
        let value: JSONValue = .string("a\u{1}\n\t\"\\")
        #expect(JSONWriter.compactString(value) == #""a\u0001\n\t\"\\""#)
        #expect(try JSONParser.parse(JSONWriter.compactString(value)) == value)
    }

    @Test func surrogatePairsDecode() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test(arguments: [
        ("{\"a\": 1,}", 1, 9, "trailing comma"),
        ("{\n  \"a\": 1,\n  \"a\": 2\n}", 3, 3, "duplicate member \"a\""),
        ("[1, 2", 1, 6, "unexpected end of input"),
        ("{\"a\": tru}", 1, 7, "expected a value"),
        ("01", 1, 2, "leading zeros"),
        ("\"tab\there\"", 1, 5, "control character"),
        ("{} x", 1, 4, "after the end"),
        ("// comment\n{}", 1, 1, "expected a value"),
        ("\"\\x\"", 1, 3, "invalid escape"),
        ("\"\\ud800\"", 1, 8, "lone high surrogate"),
    ])
    func errorsCarryLineAndColumn(text: String, line: Int, column: Int, message: String) {
        #expect {
            _ = try JSONParser.parse(text)
        } throws: { error in
            guard let parseError = error as? JSONParseError else { return false }
            return parseError.line == line && parseError.column == column && parseError.message.contains(message)
        }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func numbersKeepTheirLiteral() throws {
        #expect(try JSONParser.parse("1.50") == .number("1.50"))
        #expect(JSONValue.number("12").intValue == 12)
        #expect(JSONValue.number("1e2").intValue == 100)
        #expect(JSONValue.number("1.5").intValue == nil)
    }
}
