import DriverProtocol
import Testing

/// JSON Lines framing, as both the core and DriverKit read driver messages.
@Suite struct LineFramerTests {
    func feed(_ framer: inout LineFramer, _ text: String) -> [LineFramer.Piece] {
        Array(text.utf8).withUnsafeBufferPointer { framer.feed($0) }
    }

    @Test func splitsAcrossReadsAndDropsEmptyLinesAndCR() {
        var framer = LineFramer()
        #expect(feed(&framer, "{\"a\"").isEmpty)
        #expect(feed(&framer, ":1}\r\n\n{}\n{") == [.line(Array("{\"a\":1}".utf8)), .line(Array("{}".utf8))])
        #expect(feed(&framer, "}\n") == [.line(Array("{}".utf8))])
    }

    @Test func anOverlongLineIsReportedOnceAndTheNextLineIsFine() {
        var framer = LineFramer(maximumLength: 8)
        #expect(feed(&framer, "0123456").isEmpty)
        #expect(feed(&framer, "789abc\nok\n") == [.tooLong(13), .line(Array("ok".utf8))])
    }

    @Test func theLastLineWithoutANewlineIsKeptAtEndOfFile() {
        var framer = LineFramer(maximumLength: 8)
        #expect(feed(&framer, "{}\n{\"b\":2}\r").count == 1)
        #expect(framer.finish() == Array("{\"b\":2}".utf8))
        #expect(framer.finish() == nil)
        #expect(feed(&framer, "0123456789").isEmpty)
        #expect(framer.finish() == nil)   // too long: dropped, not half-delivered
    }

    @Test func theProtocolsErrorCodesAreItsWireNames() {
        #expect(DriverErrorCode.allCases.map(\.rawValue) == ["unknown_module", "unknown_method", "bad_arguments", "offline", "timeout",
                                                            "failed", "start_failed"])
        #expect(DriverProtocol.maximumLineLength == 16 << 20)
    }
}
