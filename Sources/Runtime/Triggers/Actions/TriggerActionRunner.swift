import ConfigRepo
import Foundation

/// Runs a firing's actions in order: module functions (each awaited, with the runtime's exec
/// timeout), then mail (queued on the outbox, which reports back when the server answered),
/// then outgoing webhooks. A failure is an outcome, never a throw; nothing here blocks the
/// runtime: every step has a deadline.
struct TriggerActionRunner: Sendable {
    let mail: MailOutbox
    let webhooks: OutgoingWebhookSender

    func run(_ firing: TriggerFiring, definition: TriggerDefinition, runtime: RuntimeEngine?,
             mailSettings: MailServerSettings?) async -> [TriggerActionOutcome] {
        var outcomes: [TriggerActionOutcome] = []
        for function in definition.functions {
            let error: String?
            if let runtime {
                switch await runtime.exec(system: firing.systemID, name: function.module, index: function.index, method: function.method,
                                          args: function.args, role: .admin, userID: "trigger \(firing.instanceID)") {
                case .success: error = nil
                case .failure(let failure): error = failure.message
                }
            } else {
                error = "the runtime is shutting down"
            }
            outcomes.append(TriggerActionOutcome(action: function.target, error: error))
        }
        for mailer in definition.mailers {
            let message = MailMessage.triggerMail(firing, content: mailer.content, to: mailer.emails, settings: mailSettings)
            let error: String?
            if let settings = mailSettings, let message {
                error = await mail.send(message, via: settings)
            } else {
                error = "no mail server: set `mail` in backoffice.json (docs/triggers.md)"
            }
            outcomes.append(TriggerActionOutcome(action: "mail to \(mailer.emails.joined(separator: ", "))", error: error))
        }
        for webhook in definition.webhooks {
            let error = await webhooks.send(firing, to: webhook)
            outcomes.append(TriggerActionOutcome(action: "\(webhook.method) \(webhook.url)", error: error))
        }
        return outcomes
    }
}
