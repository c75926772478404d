/// Applies a git delta (the payload of an `OFS_DELTA` or `REF_DELTA` pack entry): the base's
/// size, the target's size, then opcodes that copy a span of the base or insert literal bytes.
enum GitDelta {
    /// The object `delta` rebuilds from `base`.
    static func apply(_ delta: [UInt8], to base: [UInt8]) throws(GitError) -> [UInt8] {
        var position = 0
        func size() throws(GitError) -> Int {
            var value = 0, shift = 0
            while true {
                guard position < delta.count, shift < 64 else { throw GitError.corrupt("truncated delta header") }
                let byte = delta[position]
                position += 1
                value |= Int(byte & 0x7f) << shift
                shift += 7
                if byte & 0x80 == 0 { return value }
            }
        }
        guard try size() == base.count else { throw GitError.corrupt("delta base size does not match its base") }
        let targetSize = try size()
        var target = [UInt8]()
        target.reserveCapacity(targetSize)
        try delta.withUnsafeBufferPointer { (delta: UnsafeBufferPointer<UInt8>) throws(GitError) in
            try base.withUnsafeBufferPointer { (base: UnsafeBufferPointer<UInt8>) throws(GitError) in
                while position < delta.count {
                    let opcode = delta[position]
                    position += 1
                    if opcode & 0x80 != 0 {
                        var offset = 0, length = 0
                        for bit in 0..<4 where opcode & (1 << bit) != 0 {
                            guard position < delta.count else { throw GitError.corrupt("truncated delta copy") }
                            offset |= Int(delta[position]) << (8 * bit)
                            position += 1
                        }
                        for bit in 0..<3 where opcode & (0x10 << bit) != 0 {
                            guard position < delta.count else { throw GitError.corrupt("truncated delta copy") }
                            length |= Int(delta[position]) << (8 * bit)
                            position += 1
                        }
                        if length == 0 { length = 0x10000 }
                        guard offset + length <= base.count else { throw GitError.corrupt("delta copies past its base") }
                        target.append(contentsOf: UnsafeBufferPointer(rebasing: base[offset..<(offset + length)]))
                    } else if opcode != 0 {
                        let length = Int(opcode)
                        guard position + length <= delta.count else { throw GitError.corrupt("truncated delta insert") }
                        target.append(contentsOf: UnsafeBufferPointer(rebasing: delta[position..<(position + length)]))
                        position += length
                    } else {
                        throw GitError.corrupt("delta opcode 0")
                    }
                }
            }
        }
        guard target.count == targetSize else { throw GitError.corrupt("delta result has the wrong size") }
        return target
    }
}
