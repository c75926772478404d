/// What a webhook call to an instance (`/api/engine/v2/webhook/<instance>/notify`) leads to.
public enum WebhookPulseResult: Sendable, Equatable {
    /// The pulse counted. With `execEnabled` the web layer may call a module function of
    /// `systemID` with the request (PlaceOS's webhook exec).
    case accepted(systemID: String, execEnabled: Bool)
    /// No such instance, it is disabled, its trigger has no webhook, or the secret is wrong:
    /// all look the same to the caller (PlaceOS answers 404).
    case notFound
    /// The trigger does not accept this HTTP method (`supported_methods`).
    case methodNotAllowed(allowed: [String])
}
