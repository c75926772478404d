import Testing
@testable import WebServer

private let type = "multipart/form-data; boundary=----form7MA4YWxk"

private func body(_ parts: [String], close: Bool = true) -> [UInt8] {
    var text = parts.map { "------form7MA4YWxk\r\n" + $0 + "\r\n" }.joined()
    if close { text += "------form7MA4YWxk--\r\n" }
    return Array(text.utf8)
}

@Test func multipartReadsFieldsAndAFileAsTheBrowserSendsThem() throws {
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\">\r\n<rect id=\"a\"/>\r\n</svg>"
    let form = try MultipartForm(body: body([
        "Content-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok;en",
        "Content-Disposition: form-data; name=\"map\"; filename=\"level \\\"4\\\".svg\"\r\nContent-Type: image/svg+xml\r\n\r\n" + svg,
        "content-disposition: form-data; name=\"empty\"\r\n\r\n",
    ]), contentType: type, maximumBytes: 1 << 20)
    #expect(form["_csrf"] == "tok;en")
    #expect(form["empty"] == "")
    #expect(form["map"] == nil)  // a file is not a text field
    let file = try #require(form.file("map"))
    #expect(file.filename == "level \"4\".svg")
    #expect(file.contentType == "image/svg+xml")
    #expect(file.bytes == Array(svg.utf8))  // CRLF inside the file kept, the one before the boundary not
    #expect(form.values == ["_csrf": "tok;en", "empty": ""])
    #expect(MultipartForm.boundary(of: "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"") == "a b")
    #expect(MultipartForm.boundary(of: "multipart/mixed; boundary=x") == nil)
}

@Test func multipartRefusesWhatItCannotReadWithTheRightStatus() {
    func status(_ bytes: [UInt8], type: String? = type, limit: Int = 1 << 20) -> Int? {
        do { _ = try MultipartForm(body: bytes, contentType: type, maximumBytes: limit); return nil } catch let error as HTTPError { return error.status.code } catch { return -1 }
    }
    let ok = body(["Content-Disposition: form-data; name=\"a\"\r\n\r\n1"])
    #expect(status(ok) == nil)
    #expect(status(ok, limit: 10) == 413)
    #expect(status(ok, type: "application/x-www-form-urlencoded") == 415)
    #expect(status(ok, type: "multipart/form-data") == 415)  // no boundary
    #expect(status(body(["Content-Disposition: form-data; name=\"a\"\r\n\r\n1"], close: false)) == 400)  // never closed
    #expect(status(body(["Content-Disposition: form-data; name=\"a\"\r\n\r\n1", "Content-Disposition: form-data; name=\"a\"\r\n\r\n2"])) == 400)
    #expect(status(body(["Content-Disposition: attachment; name=\"a\"\r\n\r\n1"])) == 400)
    #expect(status(Array("------form7MA4YWxk\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n".utf8) + [0xFF, 0xFE]
                   + Array("\r\n------form7MA4YWxk--".utf8)) == 400)  // a text field that is not UTF-8
    #expect(status(Array("garbage".utf8)) == 400)
}
