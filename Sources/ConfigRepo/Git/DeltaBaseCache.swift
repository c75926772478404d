import Synchronization

/// Recently used delta bases, by pack (its checksum) and offset, up to a byte budget (oldest dropped first):
/// reading the newest version of a file whose versions are a delta chain then costs one
/// delta, not the whole chain.
final class DeltaBaseCache: Sendable {
    private struct Key: Hashable {
        var pack: ObjectID
        var offset: Int
    }

    private struct State {
        var objects: [Key: GitObject] = [:]
        var order: [Key] = []
        var head = 0
        var bytes = 0
    }

    private let state = Mutex(State())
    private let budget: Int

    init(budget: Int) {
        self.budget = budget
    }

    func object(in pack: PackFile, at offset: Int) -> GitObject? {
        state.withLock { $0.objects[Key(pack: pack.checksum, offset: offset)] }
    }

    func remember(_ object: GitObject, in pack: PackFile, at offset: Int) {
        guard object.bytes.count <= budget / 8 else { return }
        let key = Key(pack: pack.checksum, offset: offset)
        state.withLock { state in
            guard state.objects.updateValue(object, forKey: key) == nil else { return }
            state.order.append(key)
            state.bytes += object.bytes.count
            while state.bytes > budget, state.head < state.order.count {
                if let dropped = state.objects.removeValue(forKey: state.order[state.head]) { state.bytes -= dropped.bytes.count }
                state.head += 1
            }
            if state.head > 4096 {
                state.order.removeFirst(state.head)
                state.head = 0
            }
        }
    }
}
