import CGit2

/// The state of one fetch that libgit2's callbacks see through their payload pointer:
/// which credentials to offer (once — a refused set is not offered again), the progress,
/// and whether to stop.
final class GitFetchSession {
    /// Why a fetch failed that libgit2's own message does not say well.
    enum Problem {
        case credentialsRequired
        case credentialsRefused
        case cancelled
    }

    let credentials: GitCredentials
    /// Told of progress; returning false cancels the fetch.
    let progress: (GitFetchProgress) -> Bool
    private(set) var problem: Problem?
    /// Set by a push when the remote refused to update the branch, with its reason.
    var pushRefusal: String?
    private var offered = false
    private var current = GitFetchProgress()

    init(credentials: GitCredentials, progress: @escaping (GitFetchProgress) -> Bool) {
        self.credentials = credentials
        self.progress = progress
    }

    /// Fills `callbacks` with this session's credential and progress callbacks. The session
    /// must outlive the libgit2 call the callbacks are given to.
    func install(into callbacks: inout git_remote_callbacks) {
        callbacks.credentials = gitFetchAcquireCredential
        callbacks.transfer_progress = gitFetchTransferProgress
        callbacks.sideband_progress = gitFetchSidebandProgress
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
    }

    fileprivate func credential(_ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?,
                                usernameFromURL: String?, allowed: UInt32) -> Int32 {
        if offered {
            // libgit2 asks again when the server answered 401 to what we sent.
            problem = .credentialsRefused
            return GIT_EAUTH.rawValue
        }
        offered = true
        if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 {
            guard let password = credentials.password else {
                problem = .credentialsRequired
                return GIT_EAUTH.rawValue
            }
            return git_credential_userpass_plaintext_new(out, credentials.username ?? usernameFromURL ?? "git", password)
        }
        if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
            return git_credential_ssh_key_from_agent(out, usernameFromURL ?? credentials.username ?? "git")
        }
        if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
            return git_credential_username_new(out, usernameFromURL ?? credentials.username ?? "git")
        }
        problem = .credentialsRequired
        return GIT_EAUTH.rawValue
    }

    fileprivate func transfer(_ stats: git_indexer_progress) -> Int32 {
        current.totalObjects = Int(stats.total_objects)
        current.receivedObjects = Int(stats.received_objects)
        current.indexedObjects = Int(stats.indexed_objects)
        current.receivedBytes = Int(stats.received_bytes)
        return report()
    }

    /// Progress text from the server ("Counting objects…"): only a chance to cancel.
    fileprivate func report() -> Int32 {
        if progress(current) { return 0 }
        problem = .cancelled
        return GIT_EUSER.rawValue
    }

    /// The error to throw for a failed libgit2 call made with this session: ours when we know
    /// better than libgit2 what went wrong, else libgit2's.
    func error(_ code: Int32, _ operation: String) -> GitError {
        let last = GitError.last(code, operation)
        switch problem {
        case .credentialsRequired:
            return GitError(code: GIT_EAUTH.rawValue, message: "the remote asks for a user name and password, and none is configured",
                            operation: operation)
        case .credentialsRefused:
            let who = credentials.username.map { " (user \"\($0)\")" } ?? ""
            return GitError(code: GIT_EAUTH.rawValue, message: "the remote refused the user name and password\(who)",
                            operation: operation)
        case .cancelled:
            return GitError(code: GIT_EUSER.rawValue, message: "cancelled", operation: operation)
        case nil:
            return last
        }
    }
}

private func session(_ payload: UnsafeMutableRawPointer?) -> GitFetchSession {
    Unmanaged<GitFetchSession>.fromOpaque(payload!).takeUnretainedValue()
}

private let gitFetchAcquireCredential: git_credential_acquire_cb = { out, _, usernameFromURL, allowed, payload in
    session(payload).credential(out, usernameFromURL: usernameFromURL.map { String(cString: $0) }, allowed: allowed)
}

private let gitFetchTransferProgress: git_indexer_progress_cb = { stats, payload in
    guard let stats else { return 0 }
    return session(payload).transfer(stats.pointee)
}

private let gitFetchSidebandProgress: git_transport_message_cb = { _, _, payload in
    session(payload).report()
}
