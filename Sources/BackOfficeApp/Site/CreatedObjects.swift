import ConfigRepo
import Synchronization

/// What each "new object" form created, by the form's own id (the random `_id` its GET put in
/// a hidden input) and the person who posted it: a form posted twice — a double click, a
/// reload of the POST, the back button — leads to the object the first post made instead of
/// creating a second one under the next readable id (`mod-l1-cafe-display-2`).
///
/// Kept in memory for the last `capacity` creations; a restart forgets them, which only
/// matters to a form that was open across it.
final class CreatedObjects: Sendable {
    private struct Entry {
        var key: String
        var ref: ObjectRef
    }

    private let capacity: Int
    private let entries = Mutex<[Entry]>([])

    init(capacity: Int = 512) {
        self.capacity = capacity
    }

    /// Records that `userID`'s form `formID` created `ref`.
    func record(_ ref: ObjectRef, formID: String, userID: String) {
        let key = Self.key(formID, userID)
        entries.withLock { entries in
            entries.removeAll { $0.key == key }
            entries.append(Entry(key: key, ref: ref))
            if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        }
    }

    /// What `userID`'s form `formID` created, if it did.
    func created(formID: String, userID: String) -> ObjectRef? {
        let key = Self.key(formID, userID)
        return entries.withLock { entries in entries.last { $0.key == key }?.ref }
    }

    private static func key(_ formID: String, _ userID: String) -> String { userID + "\u{0}" + formID }
}
