/// What a received frame means for the command awaiting a response.
public enum ResponseVerdict: Sendable, Equatable {
    /// The command succeeded with this result.
    case success(JSON)
    /// The device refused the command; the caller gets a `failed` error with this message.
    case failure(String)
    /// Send the command again (counts against its retries).
    case retry
    /// Not an answer to the command (unsolicited data, or no command waiting); keep waiting.
    case ignore

    public static var done: ResponseVerdict { .success(.null) }
}
