#if canImport(Glibc)
import Glibc
#endif

/// Ends everything a user is signed in with: every session, every access token issued until
/// now, every refresh token. "Sign out everywhere" does it, and so does a change of the user's
/// password or role and the user's removal — in the server and in `backoffice user …` alike
/// (the stores are `SharedState`s: the server sees another process's change at its next request).
public struct SignOutEverywhere: Sendable {
    let sessions: SessionStore
    let revocations: RevocationLedger
    let refreshTokens: RefreshTokenStore

    public init(sessions: SessionStore, revocations: RevocationLedger, refreshTokens: RefreshTokenStore) {
        self.sessions = sessions
        self.revocations = revocations
        self.refreshTokens = refreshTokens
    }

    /// The stores of `<state>/auth` (the command line; the site's controllers).
    public init(authDirectory: String) throws {
        self.init(sessions: try SessionStore(authDirectory: authDirectory), revocations: try RevocationLedger(authDirectory: authDirectory),
                  refreshTokens: try RefreshTokenStore(authDirectory: authDirectory))
    }

    /// Signs `userID` out everywhere as of `milliseconds` (default: now).
    public func signOut(_ userID: String, atMilliseconds milliseconds: Int = SignOutEverywhere.now()) {
        sessions.endAll(userID: userID)
        revocations.signOut(userID, atMilliseconds: milliseconds)
        refreshTokens.revokeAll(userID: userID)
    }

    /// The current Unix time in milliseconds.
    public static func now() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int(time.tv_sec) * 1000 + Int(time.tv_nsec) / 1_000_000
    }
}
