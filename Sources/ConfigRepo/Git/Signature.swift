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
    /// A new `git_signature` for this person at `date` (or now), in the local time zone.
    /// The caller frees it with `git_signature_free`.
    func makeGitSignature() throws(GitError) -> UnsafeMutablePointer<git_signature> {
        let when = date ?? Date()
        let offset = TimeZone.current.secondsFromGMT(for: when) / 60
        var signature: UnsafeMutablePointer<git_signature>?
        let code = git_signature_new(&signature, name, email, git_time_t(when.timeIntervalSince1970.rounded(.down)),
                                     Int32(offset))
        try GitError.check(code, "signature for \(name) <\(email)>")
        return signature!
    }

    /// A copy of a libgit2 signature, with its date.
    init(_ signature: UnsafePointer<git_signature>) {
        self.init(name: String(cString: signature.pointee.name),
                  email: String(cString: signature.pointee.email),
                  date: Date(timeIntervalSince1970: TimeInterval(signature.pointee.when.time)))
    }
}
