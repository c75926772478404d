import Testing
@testable import WebServer

/// Fields are cut on the bytes `&` and `=` (found by the `form` fuzz target:
/// fuzz/corpus/form/combining-mark-after-ampersand).
@Test func formFieldsAreCutOnBytesNotCharacters() throws {
    // U+0301 after `&` or `=` makes one character with it; the fields are still apart.
    let pairs = try #require(URLEncodedForm.pairs("a=1&\u{301}b=2&c=\u{301}3"[...]))
    #expect(pairs.map(\.name) == ["a", "\u{301}b", "c"])
    #expect(pairs.map(\.value) == ["1", "2", "\u{301}3"])
    let fuzzed = try #require(URLEncodedForm.pairs("&&a&=&\u{35D}&=d"[...]))
    #expect(fuzzed.map(\.name) == ["a", "", "\u{35D}", ""])
    #expect(fuzzed.map(\.value) == ["", "", "", "d"])
}

@Test func formDecodingKeepsItsRules() {
    #expect(URLEncodedForm.pairs("name=Alice+B&email=a%40b.example"[...])?.map(\.value) == ["Alice B", "a@b.example"])
    #expect(URLEncodedForm.pairs("x=%zz"[...]) == nil)
    #expect(URLEncodedForm.pairs("x=%C3"[...]) == nil)
    #expect(URLEncodedForm.pairs("a==b"[...])?.first?.value == "=b")
}
