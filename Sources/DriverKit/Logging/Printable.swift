/// Bytes for a log line: text as is, control bytes as `\xNN`, at most 256 bytes.
func printable(_ bytes: [UInt8]) -> String {
    var out = ""
    for byte in bytes.prefix(256) {
        if byte >= 0x20, byte < 0x7F { out.unicodeScalars.append(Unicode.Scalar(byte)) } else {
            out += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }
    }
    return bytes.count > 256 ? out + "…" : out
}
