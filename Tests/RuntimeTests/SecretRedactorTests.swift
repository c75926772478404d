import ConfigRepo
import Foundation
import Testing
@testable import Runtime

/// Hidden setting values are redacted from debug lines in every spelling a driver may log them
/// (issue 11, item 3): raw, `\x..` escaped, JSON-escaped, URL-escaped, base64, hex; any length;
/// numbers too.
@Suite struct SecretRedactorTests {
    private func redacted(_ line: String, hiding values: [String]) -> String {
        SecretRedactor(values: values).redact(line)
    }

    @Test func aPlainValueOfAnyLengthIsHidden() {
        #expect(redacted("login with hunter2 now", hiding: ["hunter2"]) == "login with [hidden] now")
        #expect(redacted("pin=7;", hiding: ["7"]) == "pin=[hidden];")
        #expect(redacted("code 4711 sent", hiding: ["4711"]) == "code [hidden] sent")
        #expect(redacted("nothing to see here", hiding: ["xyz"]) == "nothing to see here")
    }

    @Test func bytesEscapedTheWayDriverKitLogsThemAreHidden() {
        // DriverKit's `printable`: bytes outside 0x20…0x7E as \xNN (the Lutron driver logs what it writes).
        #expect(redacted(#"write p\xc3\xa4ssw\xc3\xb6rd\x0d\x0a"#, hiding: ["pässwörd"]) == #"write [hidden]\x0d\x0a"#)
        #expect(redacted(#"write a\x01b"#, hiding: ["a\u{1}b"]) == "write [hidden]")
        #expect(redacted(#"write P\xC3\xA4SS"#, hiding: ["P\u{E4}SS"]) == "write [hidden]")
    }

    @Test func jsonEscapedValuesAreHidden() {
        #expect(redacted(#"{"password":"pa\"ss\\word"}"#, hiding: [#"pa"ss\word"#]) == #"{"password":"[hidden]"}"#)
        #expect(redacted(#"{"password":"p\u00e4ss"}"#, hiding: ["päss"]) == #"{"password":"[hidden]"}"#)
        #expect(redacted(#"{"password":"p\u00E4ss"}"#, hiding: ["päss"]) == #"{"password":"[hidden]"}"#)
        #expect(redacted(#"{"token":"a\/b\nc"}"#, hiding: ["a/b\nc"]) == #"{"token":"[hidden]"}"#)
    }

    @Test func urlEscapedValuesAreHidden() {
        #expect(redacted("GET /login?pw=p%40ss%20w%2Frd&x=1", hiding: ["p@ss w/rd"]) == "GET /login?pw=[hidden]&x=1")
        #expect(redacted("body pw=p%40ss+w%2frd", hiding: ["p@ss w/rd"]) == "body pw=[hidden]")
        #expect(redacted("pw=p%C3%A4ss", hiding: ["päss"]) == "pw=[hidden]")
    }

    @Test func base64AndHexOfTheValueAreHidden() {
        let secret = "s3cret-value"
        let basic = Data("svc:\(secret)".utf8).base64EncodedString()    // an HTTP Basic header
        let line = redacted("Authorization: Basic \(basic)", hiding: [secret])
        #expect(!line.contains(String(basic.suffix(12))), "\(line)")
        #expect(line.contains("[hidden]"))
        let alone = Data(secret.utf8).base64EncodedString()
        #expect(redacted("token \(alone)", hiding: [secret]) == "token [hidden]")
        let urlSafe = alone.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        #expect(redacted("token \(urlSafe)", hiding: [secret]) == "token [hidden]")
        let hex = Data(secret.utf8).map { String(format: "%02x", $0) }.joined()
        #expect(redacted("sent \(hex)", hiding: [secret]) == "sent [hidden]")
        #expect(redacted("sent \(hex.uppercased())", hiding: [secret]) == "sent [hidden]")
        // A short value's padded base64 is hidden too.
        #expect(redacted("pin MTI= ok", hiding: ["12"]) == "pin [hidden] ok")
    }

    @Test func overlappingValuesAndReplacementsDoNotLeakOrNest() {
        // "d" is in "[hidden]": a replacement is never redacted again.
        #expect(redacted("abc d", hiding: ["abc", "d"]) == "[hidden] [hidden]")
        #expect(redacted("password123", hiding: ["password", "password123"]) == "[hidden]")
    }

    @Test func hiddenValuesComeFromStringsAndNumbersOfEveryLength() {
        let values = SecretRedactor.textValues(of: ["user": "svc", "pin": 7, "ratio": .number("0.5"), "on": true, "list": ["ab", 12]])
        #expect(Set(values) == ["svc", "7", "0.5", "ab", "12"])
    }
}
