import ConfigRepo
import Foundation

/// What the actions of one firing know about it: which instance, where, when, and the state
/// the outgoing webhook posts.
public struct TriggerFiring: Sendable {
    public var instanceID: String
    public var triggerID: String
    public var triggerName: String
    public var systemID: String
    public var systemName: String
    public var firedAt: Date
    /// True for an admin's "fire now".
    public var manual: Bool
    public var state: TriggerInstanceState
}

/// How one action of a firing went.
public struct TriggerActionOutcome: Sendable, Equatable {
    /// `HVAC_1.standby`, `mail to a@example.com`, `POST https://…`.
    public var action: String
    /// Nil when it succeeded.
    public var error: String?
}
