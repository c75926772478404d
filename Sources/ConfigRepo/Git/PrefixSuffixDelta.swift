/// A git delta (the payload of an `OFS_DELTA` pack entry) that rebuilds `target` from
/// `base` by copying their common prefix and common suffix and inserting what lies between.
///
/// This is all the delta search the packer does. Its bases are the previous version of the
/// same path (see ``PackPlan``), and a configuration edit changes one span of a file, or
/// one entry of each tree above it, so the span between prefix and suffix is the edit
/// itself. It costs two `memcmp`-like scans instead of libgit2's windowed search (~1 ms of
/// CPU per object).
enum PrefixSuffixDelta {
    /// The delta, or nil when it would not be smaller than half of `target`.
    static func make(base: UnsafeRawBufferPointer, target: UnsafeRawBufferPointer) -> [UInt8]? {
        let limit = min(base.count, target.count)
        var prefix = 0
        while prefix < limit && base[prefix] == target[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < limit - prefix && base[base.count - 1 - suffix] == target[target.count - 1 - suffix] { suffix += 1 }
        let inserted = target.count - prefix - suffix
        // Each copy costs up to 8 bytes, each 127 inserted bytes one opcode.
        guard inserted + inserted / 127 + 40 < target.count / 2 else { return nil }

        var delta: [UInt8] = []
        delta.reserveCapacity(inserted + inserted / 127 + 40)
        appendSize(base.count, to: &delta)
        appendSize(target.count, to: &delta)
        appendCopy(offset: 0, length: prefix, to: &delta)
        var position = prefix
        while position < prefix + inserted {
            let chunk = min(127, prefix + inserted - position)
            delta.append(UInt8(chunk))
            delta.append(contentsOf: UnsafeRawBufferPointer(rebasing: target[position..<(position + chunk)]))
            position += chunk
        }
        appendCopy(offset: base.count - suffix, length: suffix, to: &delta)
        return delta
    }

    /// A size in the delta header: 7 bits per byte, least significant first.
    private static func appendSize(_ size: Int, to delta: inout [UInt8]) {
        var rest = size
        while rest >= 0x80 {
            delta.append(UInt8(rest & 0x7f) | 0x80)
            rest >>= 7
        }
        delta.append(UInt8(rest))
    }

    /// Copy opcodes for `length` bytes of the base from `offset`, in pieces of at most
    /// 0xffff bytes (a length of 0x10000 would be encoded as 0).
    private static func appendCopy(offset: Int, length: Int, to delta: inout [UInt8]) {
        var offset = offset, length = length
        while length > 0 {
            let piece = min(length, 0xffff)
            var opcode: UInt8 = 0x80
            var operands: [UInt8] = []
            for byte in 0..<4 where (offset >> (8 * byte)) & 0xff != 0 {
                opcode |= 1 << byte
                operands.append(UInt8((offset >> (8 * byte)) & 0xff))
            }
            for byte in 0..<2 where (piece >> (8 * byte)) & 0xff != 0 {
                opcode |= 0x10 << byte
                operands.append(UInt8((piece >> (8 * byte)) & 0xff))
            }
            delta.append(opcode)
            delta.append(contentsOf: operands)
            offset += piece
            length -= piece
        }
    }
}
