import Foundation

/// Who made a commit: the signed-in user for form and REST writes.
public struct Signature: Sendable, Hashable {
    public var name: String
    public var email: String
    /// When; nil means "now" at commit time.
    public var date: Date?

    public init(name: String, email: String, date: Date? = nil) {
        self.name = name
        self.email = email
        self.date = date
    }

    /// The deployment itself, author of `init` and of automatic commits.
    public static let backoffice = Signature(name: "BackOffice", email: "backoffice@localhost")
}

import CGit2

extension Signature {
    /// The signature as a commit header line holds it, `Name <email> 1700000000 +0100`, at
    /// `date` (or now) in the local time zone. Name and email are checked and trimmed by
    /// libgit2's rules (no angle brackets, not empty); a line break is refused too, since it
    /// would end the header.
    func gitLine() throws(GitError) -> String {
        let when = date ?? Date()
        let offset = TimeZone.current.secondsFromGMT(for: when) / 60
        var signature: UnsafeMutablePointer<git_signature>?
        let code = git_signature_new(&signature, name, email, git_time_t(when.timeIntervalSince1970.rounded(.down)), Int32(offset))
        try GitError.check(code, "signature for \(name) <\(email)>")
        defer { git_signature_free(signature) }
        let trimmedName = String(cString: signature!.pointee.name)
        let trimmedEmail = String(cString: signature!.pointee.email)
        guard !(trimmedName + trimmedEmail).contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) else {
            throw GitError(code: -1, message: "a signature cannot hold a line break", operation: "signature for \(name)")
        }
        let minutes = abs(offset)
        let digits = [minutes / 600, minutes / 60 % 10, minutes % 60 / 10, minutes % 10].map(String.init).joined()
        let zone = (offset < 0 ? "-" : "+") + digits
        return "\(trimmedName) <\(trimmedEmail)> \(Int64(when.timeIntervalSince1970.rounded(.down))) \(zone)"
    }

    /// Reads a header line's value (`Name <email> 1700000000 +0100`); the zone is dropped.
    init?(gitLine line: Substring) {
        guard let open = line.lastIndex(of: "<"), let close = line[open...].firstIndex(of: ">") else { return nil }
        let name = line[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(line[line.index(after: open)..<close])
        let fields = line[line.index(after: close)...].split(separator: " ")
        let seconds = fields.first.flatMap { Int64($0) } ?? 0
        self.init(name: name, email: email, date: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
