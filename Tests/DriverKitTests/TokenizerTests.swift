import Testing
@testable import DriverKit

@Suite struct TokenizerTests {
    func text(_ frames: [[UInt8]]) -> [String] { frames.map { String(decoding: $0, as: UTF8.self) } }

    @Test func delimiterFramesAcrossChunks() {
        var tokenizer = DelimiterTokenizer("\r")
        #expect(text(tokenizer.push(Array("%1POWR=OK\r%1IN".utf8))) == ["%1POWR=OK"])
        #expect(text(tokenizer.push(Array("PT=31".utf8))).isEmpty)
        #expect(text(tokenizer.push(Array("\r\r".utf8))) == ["%1INPT=31"])
    }

    @Test func multiByteDelimiterSplitBetweenChunks() {
        var tokenizer = DelimiterTokenizer("\r\n")
        #expect(tokenizer.push(Array("one\r".utf8)).isEmpty)
        #expect(text(tokenizer.push(Array("\ntwo\r\nthr".utf8))) == ["one", "two"])
        #expect(text(tokenizer.push(Array("ee\r\n".utf8))) == ["three"])
    }

    @Test func emptyFramesOnlyWhenAskedFor() {
        var tokenizer = DelimiterTokenizer(",")
        tokenizer.keepEmptyFrames = true
        #expect(text(tokenizer.push(Array("a,,b,".utf8))) == ["a", "", "b"])
    }

    @Test func fixedLength() {
        var tokenizer = FixedLengthTokenizer(length: 3)
        #expect(text(tokenizer.push(Array("abcde".utf8))) == ["abc"])
        #expect(text(tokenizer.push(Array("fghi".utf8))) == ["def", "ghi"])
        tokenizer.push(Array("xy".utf8)).forEach { _ in Issue.record("no frame expected") }
        tokenizer.reset()
        #expect(text(tokenizer.push(Array("123".utf8))) == ["123"])
    }

    @Test func modbusLengthPrefix() {
        var tokenizer = LengthPrefixedTokenizer(lengthOffset: 4, lengthSize: 2, headerLength: 6)
        let first: [UInt8] = [0, 1, 0, 0, 0, 5, 1, 3, 2, 0, 225]
        let second: [UInt8] = [0, 2, 0, 0, 0, 3, 1, 0x86, 3]
        let stream = first + second
        #expect(tokenizer.push(Array(stream[0..<4])).isEmpty)
        #expect(tokenizer.push(Array(stream[4..<13])) == [first])
        #expect(tokenizer.push(Array(stream[13...])) == [second])
    }

    @Test func littleEndianOneByteLengthWithAdjustment() {
        // [len][payload…][checksum]: total = 1 + len + 1
        var tokenizer = LengthPrefixedTokenizer(lengthOffset: 0, lengthSize: 1, adjustment: 1)
        #expect(tokenizer.push([2, 0xAA, 0xBB, 0xCC, 1, 0x10]) == [[2, 0xAA, 0xBB, 0xCC]])
        #expect(tokenizer.push([0x11]) == [[1, 0x10, 0x11]])
        var wide = LengthPrefixedTokenizer(lengthOffset: 0, lengthSize: 2, bigEndian: false)
        #expect(wide.push([1, 0, 0x42]) == [[1, 0, 0x42]])
    }
}
