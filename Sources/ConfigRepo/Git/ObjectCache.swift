/// Objects kept in memory up to a byte budget, the oldest dropped first (for the trees and
/// commits just written, and for delta bases).
struct ObjectCache<Key: Hashable> {
    let budget: Int
    private var objects: [Key: GitObject] = [:]
    private var order: [Key] = []
    private var head = 0
    private var bytes = 0

    init(budget: Int) {
        self.budget = budget
    }

    func object(_ key: Key) -> GitObject? { objects[key] }

    /// Keeps `object` (once), dropping the oldest objects while over the budget.
    mutating func add(_ object: GitObject, as key: Key) {
        guard objects.updateValue(object, forKey: key) == nil else { return }
        order.append(key)
        bytes += object.bytes.count
        while bytes > budget, head < order.count {
            if let dropped = objects.removeValue(forKey: order[head]) { bytes -= dropped.bytes.count }
            head += 1
        }
        if head > 4096 {
            order.removeFirst(head)
            head = 0
        }
    }
}
