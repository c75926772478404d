import ConfigRepo
import Foundation

extension Signature {
    /// Parses `--author "Name <email>"`.
    static func parse(_ text: String) throws -> Signature {
        guard let open = text.firstIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else {
            throw UsageError("--author must look like \"Name <email>\", got \"\(text)\"")
        }
        let name = text[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(text[text.index(after: open)..<close])
        guard !name.isEmpty, email.contains("@") else {
            throw UsageError("--author must look like \"Name <email>\", got \"\(text)\"")
        }
        return Signature(name: name, email: email)
    }
}
