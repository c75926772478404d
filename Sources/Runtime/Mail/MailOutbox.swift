import ConfigRepo
import Dispatch
import Foundation
import Synchronization

/// Sends trigger mail one message at a time on its own queue, so a slow or silent SMTP server
/// never holds the runtime; each message answers its caller when the server has taken it or
/// refused it. At most `capacity` messages wait; more are refused at once (a counted error)
/// rather than piling up behind a dead server.
public final class MailOutbox: Sendable {
    public static let defaultCapacity = 1_000

    private let queue = DispatchQueue(label: "backoffice.mail-outbox")
    private let waiting = Mutex(0)
    private let capacity: Int
    private let box: SecretBox

    init(box: SecretBox, capacity: Int = MailOutbox.defaultCapacity) {
        self.box = box
        self.capacity = capacity
    }

    /// Delivers `message`; nil when the server took it, else why not.
    public func send(_ message: MailMessage, via settings: MailServerSettings) async -> String? {
        let admitted = waiting.withLock { count in
            guard count < capacity else { return false }
            count += 1
            return true
        }
        guard admitted else { return "the mail outbox is full (\(capacity) messages waiting for \(settings.host)); this one is dropped" }
        return await withCheckedContinuation { continuation in
            queue.async { [box] in
                let result: String?
                do {
                    let password = try settings.sealedPassword.map { envelope throws -> String in
                        try box.open(envelope, binding: MailServerSettings.passwordBinding).stringValue ?? ""
                    }
                    try SMTPSession(settings: settings, password: password).deliver(message)
                    result = nil
                } catch let error as SMTPError {
                    result = "\(settings.host):\(settings.port): \(error)"
                } catch {
                    result = "mail.password: \(error)"
                }
                self.waiting.withLock { $0 -= 1 }
                continuation.resume(returning: result)
            }
        }
    }
}
